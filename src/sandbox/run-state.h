/* The parent's bookkeeping for one run, shared by spawn.c (set up, tear down) and supervise.c
 * (the poll loop while the program runs). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "audit/audit-notify.h"
#include "capture.h"
#include "cgroup/cgroup.h"
#include "identity.h"
#include "seccomp/seccomp-policy.h"
#include "sandbox.h"
#include "sync.h"

typedef struct RunState {
        const AirlockConfig *config;
        const SandboxHooks *hooks;
        RunResult *result;

        CgroupHost cgroup_host;
        bool have_cgroup_host;
        SandboxIdentity identity;
        int janitor_fd;
        pid_t janitor_pid;
        char **envp;
        char **argv;
        bool trace_steps;
        int landlock_abi;
        SeccompProgram seccomp;
        SeccompPolicy *seccomp_policy; /* kept while the supervisor answers with it (--audit) */
        SeccompWatch seccomp_watch;
        AuditRuleSet *audit_rules; /* --audit (audit-link.c) */
        AuditCanary *canaries;
        size_t n_canaries;
        int canary_fd; /* the inotify instance watching them, until the supervisor takes it */
        AuditSession *audit;
        AuditNotifier *notifier;
        NetPolicy net_policy;
        Gateway *gateway;

        int sync_fd;
        int child_sync_fd;
        int child_stdio[3];
        pid_t child;
        int pidfd;
        bool in_cgroup; /* pid 1 is (or joins by itself) in the run's cgroup */
        int join_fds[8];
        size_t n_join;
        int scratch_fd;

        Capture out, err;
        StdinPump pump;

        uint64_t start_ns; /* the program's start, by pid 1's clock (same CLOCK_MONOTONIC) */
        uint64_t end_ns;
        bool got_exit;
        SyncMessage exit_msg;
        bool killed;
        RunOutcome outcome;
} RunState;

/* Runs the poll loop until pid 1 is gone: pumps output and input, enforces the wall, CPU and
 * output limits, and gathers pid 1's report. */
int supervise_run(RunState *s, AirlockError *err);

/* SIGKILLs pid 1 (the whole pid namespace goes with it) and the cgroup, once. */
void supervise_kill(RunState *s);
