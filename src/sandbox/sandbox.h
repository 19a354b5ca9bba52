/* The library's front door: run one command in a fresh sandbox and report what happened. */
#pragma once

#include <stddef.h>

#include "audit/audit-event.h"
#include "config/config.h"
#include "result.h"

typedef struct SandboxHooks {
        /* Called with each chunk of the program's stdout (stream 1) or stderr (stream 2) as it
         * arrives, up to the output cap. May be NULL. */
        void (*on_output)(int stream, const char *data, size_t len, void *userdata);
        void *userdata;
        /* The run is cancelled (killed, status cancelled) as soon as any of these becomes
         * readable or hangs up: the server's client went away, or it is shutting down. */
        const int *cancel_fds;
        size_t n_cancel_fds;
        /* Called with each audit event (docs/EVENTS.md: run.start, exec, file.open, ...,
         * run.end), in order, on the thread that called sandbox_run; ev and its strings are
         * valid during the call only. May be NULL. */
        void (*on_event)(const AuditEvent *ev, void *userdata);
} SandboxHooks;

/* Validates c, builds the sandbox, runs c->argv in it, tears everything down and fills ret.
 * Always fills ret (a failed isolation step is status setup_error with ret->error set) and
 * returns 0, or a negative errno if not even a result could be produced (out of memory). */
int sandbox_run(const AirlockConfig *c, const SandboxHooks *hooks, RunResult *ret);
