#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "result.h"
#include "sandbox.h"

/* One output pipe read by the parent: keeps up to cap bytes, counts the rest. */
typedef struct Capture {
        int fd; /* read end, non-blocking; -EBADF once at EOF */
        int stream;
        uint64_t cap;
        CapturedOutput *out;
        size_t alloc;
} Capture;

/* Reads what is available. Returns 1 when the program has written more than the cap (the caller
 * ends the run), 0 otherwise (EOF closes fd), or a negative errno. */
int capture_read(Capture *c, const SandboxHooks *hooks);

/* After the sandbox is gone: reads to EOF. */
int capture_drain(Capture *c, const SandboxHooks *hooks);

/* Feeds the program's stdin from a file or airlock's own stdin through a pipe, so the program
 * never holds an fd of the host's file (or terminal). */
typedef struct StdinPump {
        int src;  /* -EBADF when done */
        int pipe; /* write end, non-blocking; -EBADF when done */
        char buf[65536];
        size_t off, len;
} StdinPump;

/* Moves what it can; closes the pipe at the source's EOF or when the program stops reading. */
int stdin_pump_run(StdinPump *p);
