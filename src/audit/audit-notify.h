/* The supervisor of a watching seccomp filter: a thread of the airlock parent that receives
 * each notification, reads the call's arguments, records events, matches the rules, and
 * answers: CONTINUE for a call the policy allows, the policy's errno for one it denies, EACCES
 * and a SIGKILL of the whole sandbox for a call a kill rule matched.
 *
 * It decides nothing the kernel layers do not also enforce: the filter's allow-list is the
 * same, and the mount namespace and Landlock still decide what an open can reach. The one
 * function that sends CONTINUE refuses any call the policy denies. If the thread stops serving
 * (it failed, or airlock died and the listener closed), the kernel answers every notifying
 * call with ENOSYS, and a failure kills the run. docs/SECURITY.md has the trade-off. */
#pragma once

#include <stdbool.h>

#include "audit-rules.h"
#include "audit-session.h"
#include "seccomp/seccomp-policy.h"

typedef struct AuditNotifierConfig {
        const SeccompPolicy *policy; /* what the filter was compiled from */
        const AuditRuleSet *rules;
        AuditSession *session;
        AuditLevel level;
        bool offline;   /* the run has no network (exec-offline rules apply) */
        int kill_pidfd; /* pid 1 of the sandbox: SIGKILL ends everything in it */
        /* with --allow-net, the gateway's proxy and resolver ports on 127.0.0.1 (0: none):
         * connecting to them counts towards no scan rule, the gateway counts what it is asked
         * for (audit_session_scan) */
        uint16_t gateway_ports[2];
        /* the canary files and the inotify instance whose watch i + 1 is canaries[i]: taken
         * like the listener when n_canaries > 0, ignored otherwise */
        const AuditCanary *canaries;
        size_t n_canaries;
        int canary_fd;
} AuditNotifierConfig;

typedef struct AuditNotifier AuditNotifier;

/* Takes listener_fd and any cfg->canary_fd (closed on failure too) and starts serving them. The
 * config's pointers must outlive the notifier. A canary opened is a file.open event without a
 * pid or syscall, then its rule's verdict; the opens queued when the run ends are read before
 * audit_notifier_stop() returns. */
int audit_notifier_start(int listener_fd, const AuditNotifierConfig *cfg, AuditNotifier **ret);

/* Stops serving (pending calls get ENOSYS from the kernel once the listener closes), joins the
 * thread, frees everything. NULL is fine. */
AuditNotifier *audit_notifier_stop(AuditNotifier *n);

/* How many notifications were answered (for the tests and the benchmarks). */
uint64_t audit_notifier_count(const AuditNotifier *n);
