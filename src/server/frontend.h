/* The HTTP front end of `airlock serve`: libmicrohttpd, routes, JSON requests, auth, capacity,
 * metrics, streaming. It runs in a process of its own that holds no privileges (the launcher
 * dropped them before calling frontend_main: own uid, no capabilities, no_new_privs, a seccomp
 * filter) and can only ask the launcher for runs (launcher-client.h). */
#pragma once

#include <stddef.h>

#include "runtimes.h"
#include "serve-config.h"

typedef struct FrontendArgs {
        const ServeConfig *config;
        int ctl_fd;            /* SOCK_SEQPACKET to the launcher */
        const int *listen_fds; /* bound and listening, made by the launcher */
        size_t n_listen_fds;
        const RuntimeInfo *runtimes;
        size_t n_runtimes;
        const char *keys_text; /* the keys file's text at start; NULL: no auth */
        int access_log_fd;     /* JSON lines, one per request */
} FrontendArgs;

/* Serves until drained (LAUNCHER_NOTICE_DRAIN, or the control socket closing); returns the
 * process's exit code. */
int frontend_main(const FrontendArgs *a);
