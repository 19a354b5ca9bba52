/* The event model of --audit (docs/EVENTS.md): what a run's program did, as plain structs. The
 * JSON rendering lives in api/event-json.c; nothing here knows JSON.
 *
 * An event borrows its strings. audit_event_clone() makes one allocation that owns a deep copy,
 * which is how events cross from the notification thread to the thread that writes them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum AuditLevel {
        AUDIT_LEVEL_OFF = 0, /* no notifications at all: the seccomp filter of before --audit */
        AUDIT_LEVEL_ALERTS,  /* what the rules need, and the events worth a look (the default) */
        AUDIT_LEVEL_FULL,    /* every watched call is an event */
} AuditLevel;

typedef enum AuditEventKind {
        AUDIT_EVENT_RUN_START = 0,
        AUDIT_EVENT_EXEC,
        AUDIT_EVENT_FILE_OPEN,
        AUDIT_EVENT_NET_CONNECT,
        AUDIT_EVENT_NET_BIND,
        AUDIT_EVENT_NET_SOCKET,
        AUDIT_EVENT_NET_DNS, /* a query to the egress gateway's resolver */
        AUDIT_EVENT_SYSCALL_DENIED,
        AUDIT_EVENT_LIMIT_HIT,
        AUDIT_EVENT_ALERT,
        AUDIT_EVENT_RUN_END,
        _AUDIT_EVENT_KIND_MAX,
} AuditEventKind;

typedef enum AuditSeverity {
        AUDIT_SEVERITY_INFO = 0,
        AUDIT_SEVERITY_LOW,
        AUDIT_SEVERITY_MEDIUM,
        AUDIT_SEVERITY_HIGH,
        AUDIT_SEVERITY_CRITICAL,
        _AUDIT_SEVERITY_MAX,
} AuditSeverity;

typedef enum AuditAction {
        AUDIT_ACTION_LOG = 0, /* the matching event names the rule; nothing else happens */
        AUDIT_ACTION_ALERT,   /* an alert event, and the alert in the result */
        AUDIT_ACTION_KILL,    /* the same, the call is refused and the run is killed at once */
        _AUDIT_ACTION_MAX,
} AuditAction;

/* Bounds on what one event carries: paths are the kernel's PATH_MAX, an exec's argv is cut
 * after AUDIT_ARGV_MAX arguments or AUDIT_ARGV_BYTES bytes (argv_truncated says so). */
#define AUDIT_PATH_MAX     4096
#define AUDIT_ARGV_MAX     32
#define AUDIT_ARGV_BYTES   4096
#define AUDIT_EVIDENCE_MAX 512
#define AUDIT_ADDRESS_MAX  128 /* "[ffff:...]", or a unix socket's path, printable */
#define AUDIT_RULE_ID_MAX  48
#define AUDIT_RUN_ID_MAX   40

typedef struct AuditEvent {
        AuditEventKind kind;
        const char *run_id;
        uint64_t ts_ns;      /* CLOCK_MONOTONIC */
        uint64_t t_ns;       /* since run.start */
        int pid;             /* the calling thread, as the host numbers it; 0: airlock's own */
        const char *syscall; /* the call that was made ("openat"), NULL for airlock's events */

        /* file.open, exec: the path as the program passed it, and as airlock resolved it
         * (absolute, "." and ".." folded, against the caller's cwd or dirfd) */
        const char *path;
        const char *resolved;
        int open_flags;
        bool expected;  /* inside the expected tree (docs/EVENTS.md) */
        bool refused;   /* airlock predicts the kernel refuses it (outside the layout, or a write
                         * to a read-only part) */
        bool truncated; /* the path was longer than the sandbox's PATH_MAX or unreadable */
        bool canary;    /* a canary file was opened: the kernel says so, not who or how */

        /* exec and run.start: the arguments */
        const char *const *argv;
        size_t argc;
        bool argv_truncated;

        /* net.*: the address (printable), its family and port */
        int family;
        const char *address;
        int port;
        int sock_type;
        int protocol;
        const char *verdict; /* what airlock predicts for it (docs/EVENTS.md) */

        /* net.connect via the egress gateway, and net.dns: the gateway's own verdict
         * ("allowed", "refused") on what the program asked it for */
        const char *via;     /* "gateway"; NULL for what the supervisor saw of a syscall */
        const char *request; /* "connect" (CONNECT host:port) or "http" (an absolute URI) */
        const char *host;    /* the name or address asked for */
        const char *reason;  /* why refused, or what became of an allowed attempt */

        /* syscall.denied: the errno answered, how many of this call so far, the first args */
        int errnum;
        uint64_t count;
        uint64_t args[6];

        /* limit.hit */
        const char *limit;
        uint64_t value;

        /* alert, and any event a rule matched */
        const char *rule;
        AuditSeverity severity;
        AuditAction action;
        const char *evidence;

        /* run.start and run.end */
        AuditLevel level;
        bool network; /* the run has the egress gateway (--allow-net) */
        const char *status;
        int exit_code; /* -1: did not exit */
        int signal;
        uint64_t wall_ms;
        uint64_t dropped;
        const uint64_t *counts; /* _AUDIT_EVENT_KIND_MAX of them */
        uint64_t n_alerts;
} AuditEvent;

/* One alert as the result keeps it. Fixed size: the result owns an array of them. */
typedef struct AuditAlert {
        char rule[AUDIT_RULE_ID_MAX + 1];
        AuditSeverity severity;
        AuditAction action;
        char evidence[AUDIT_EVIDENCE_MAX];
        uint64_t t_ns; /* since run.start */
} AuditAlert;

/* What the result says about a run's audit (result-json.c renders it as "audit"). */
#define AUDIT_ALERTS_KEPT 64 /* alerts kept in the result; alerts_total counts them all */

typedef struct AuditSummary {
        AuditLevel level;
        uint64_t counts[_AUDIT_EVENT_KIND_MAX]; /* events by kind, dropped ones included */
        AuditAlert *alerts;
        size_t n_alerts;
        uint64_t alerts_total;
        uint64_t dropped; /* events that did not reach --events: the writer fell behind */
        bool violated;    /* a kill rule ended the run (status policy_violation) */
        AuditAlert violation;
        char error[128]; /* the supervisor failed (the run was killed): why; "" otherwise */
} AuditSummary;

void audit_summary_done(AuditSummary *s);

const char *audit_level_to_string(AuditLevel l);
int audit_level_from_string(const char *s, AuditLevel *ret);
const char *audit_event_kind_to_string(AuditEventKind k);
const char *audit_severity_to_string(AuditSeverity s);
int audit_severity_from_string(const char *s, AuditSeverity *ret);
const char *audit_action_to_string(AuditAction a);
int audit_action_from_string(const char *s, AuditAction *ret);

/* One allocation holding ev and a deep copy of every string it points to (and the argv and
 * counts arrays). NULL when out of memory. */
AuditEvent *audit_event_clone(const AuditEvent *ev);
void audit_event_free(AuditEvent *ev);
