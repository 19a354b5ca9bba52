/* What the sandbox side needs to know, prepared and validated by the parent before clone. The
 * child gets its own copy of this through clone's copy of memory and allocates little. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "audit/audit-rules.h"
#include "config/config.h"

typedef struct SandboxContext {
        const AirlockConfig *config;
        int sync_fd;   /* the sandbox's end of the sync socket */
        int stdin_fd;  /* read end: a pipe fed by the parent, or /dev/null */
        int stdout_fd; /* write ends of the capture pipes */
        int stderr_fd;
        uid_t host_uid; /* the host ids the sandbox user maps to */
        gid_t host_gid;
        bool rootless;
        char **envp;                /* the program's complete environment */
        char **argv;                /* a heap copy: pid 1 blanks airlock's own argument memory */
        const int *cgroup_join_fds; /* cgroup v1: "tasks" of each hierarchy, to join by */
        size_t n_cgroup_join;
        const struct SeccompProgram *seccomp; /* compiled by the parent, installed last */
        int seccomp_listener;                 /* --audit: the worker's listener until #4b */
        int landlock_abi;                     /* 0: none, and the caller allowed that by name */
        bool trace_steps;    /* AIRLOCK_TRACE_STEPS=1: each step's duration on stderr */
        const char *staging; /* where the new root is assembled before pivot_root */
        /* O_PATH fds of --rootfs (or -EBADF) and of each --bind source, opened in the sandbox's
         * mount namespace while it still has the caller's filesystem identity, and mounted
         * later through /proc/self/fd: after the switch to the sandbox user, a path the caller
         * may read but the sandbox user may not would no longer resolve. */
        int rootfs_fd;
        int *bind_fds;
        /* --audit: the canary files to place, and the inotify instance (shared with the
         * parent) that watches them (canaries.h) */
        const AuditCanary *canaries;
        size_t n_canaries;
        int canary_fd;
} SandboxContext;

typedef struct SandboxStep {
        const char *name;
        int (*run)(SandboxContext *ctx, AirlockError *err);
} SandboxStep;

/* The ordered setup lists (docs/SETUP_SEQUENCE.md), exposed so a unit test can assert the order:
 * init runs as pid 1 of the new pid namespace and stays as the reaper; the worker is forked by
 * init and becomes the program. */
const SandboxStep *sandbox_init_steps(size_t *ret_n);
const SandboxStep *sandbox_worker_steps(size_t *ret_n);

/* Runs in the clone()d child; never returns. */
_Noreturn void sandbox_child_main(SandboxContext *ctx);
