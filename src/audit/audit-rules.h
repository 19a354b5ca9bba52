/* Alert rules as data (docs/EVENTS.md): the built-in table (audit-rules-table.c), a rules file
 * on top of it (audit-rules-file.c), and the matchers the notification supervisor asks. Also
 * the "expected tree": the path prefixes the sandbox's layout shows, outside of which an open
 * is reported. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit-event.h"
#include "basic/error.h"

typedef enum AuditMatch {
        AUDIT_MATCH_OPEN = 0,     /* a path the program opens, in any mode, existing or not */
        AUDIT_MATCH_EXEC,         /* a program it executes */
        AUDIT_MATCH_EXEC_OFFLINE, /* the same, only when the run has no network */
        AUDIT_MATCH_SYSCALL,      /* a denied syscall it calls */
        AUDIT_MATCH_SCAN,         /* connections to scan_count distinct destinations within
                                   * scan_window_ms */
        _AUDIT_MATCH_MAX,
} AuditMatch;

/* Bounds on rules and on a rules file (config/limits.h holds the run's limits; these are the
 * audit module's own, like the seccomp policy file's). */
#define AUDIT_RULES_MAX          256
#define AUDIT_RULE_PATTERNS_MAX  32
#define AUDIT_RULES_FILE_MAX     (64 * 1024)
#define AUDIT_RULES_LINE_MAX     1024
#define AUDIT_EXPECTED_MAX       256 /* prefixes of the expected tree */
#define AUDIT_SCAN_COUNT_MAX     256
#define AUDIT_SCAN_WINDOW_MAX_MS (3600U * 1000U)

typedef struct AuditRule {
        const char *id;
        AuditSeverity severity;
        AuditAction action;
        AuditMatch match;
        /* NULL-terminated: globs for open and exec ('*' and '?' match any character, '/'
         * included; [...] classes), syscall names for syscall; unused for scan */
        const char *const *patterns;
        uint32_t scan_count;
        uint32_t scan_window_ms;
        const char *reason;
        /* open rules, NULL-terminated: where the sandbox holds an empty, readable canary file
         * for the rule, absolute or "~/..." (the sandbox's HOME). Opening one is seen through
         * inotify, so the rule holds at --audit alerts without watching every open
         * (docs/EVENTS.md). */
        const char *const *canaries;
        /* the patterns must see every open even at --audit alerts: a rules file's path rules
         * (the built-in ones have canaries, or paths the program cannot open at all) */
        bool watch_opens;
} AuditRule;

typedef struct AuditPrefix {
        const char *path; /* absolute, normalised */
        bool writable;    /* the layout lets the program write below it */
        bool exact;       /* the path itself, not what lies below ("/", "/dev": listing them) */
} AuditPrefix;

typedef struct AuditRuleSet {
        AuditRule rules[AUDIT_RULES_MAX];
        size_t n_rules;
        AuditPrefix expected[AUDIT_EXPECTED_MAX];
        size_t n_expected;
        void **owned; /* what a rules file allocated: freed with the set */
        size_t n_owned;
} AuditRuleSet;

/* The built-in rules and the default expected tree. */
extern const AuditRule audit_builtin_rules[];
extern const size_t audit_n_builtin_rules;
extern const AuditPrefix audit_default_expected[];
extern const size_t audit_n_default_expected;

/* A set with the built-in rules (include_builtin) and the default expected tree. */
int audit_rules_new(bool include_builtin, AuditRuleSet **ret);
AuditRuleSet *audit_rules_free(AuditRuleSet *set);

/* Reads a rules file (bounded, a regular file) and parses it: errors are AIRLOCK_ERR_USAGE,
 * "path:line: what". */
int audit_rules_load_file(const char *path, AuditRuleSet **ret, AirlockError *err);
int audit_rules_parse(const char *path, const char *data, size_t size, AuditRuleSet **ret,
                      AirlockError *err);

/* Adds a prefix to the expected tree (the run's --bind destinations, say); path is copied and
 * normalised, and must be absolute. */
int audit_rules_expect(AuditRuleSet *set, const char *path, bool writable);

/* The rule with the strongest action among those of kind match whose patterns match s (a
 * resolved path, or a syscall name), or NULL. For exec, offline selects the EXEC_OFFLINE
 * rules too. */
const AuditRule *audit_rules_match(const AuditRuleSet *set, AuditMatch match, const char *s);
const AuditRule *audit_rules_match_exec(const AuditRuleSet *set, const char *path, bool offline);

/* Whether a resolved absolute path lies in the expected tree, and whether it lies in a part
 * the program may write. */
bool audit_rules_expected(const AuditRuleSet *set, const char *path);
bool audit_rules_writable(const AuditRuleSet *set, const char *path);

/* Whether some rule needs every open notified at --audit alerts (watch_opens). */
bool audit_rules_need_opens(const AuditRuleSet *set);

/* One canary file of a run: where it is (absolute, "~/" expanded) and whose it is. */
typedef struct AuditCanary {
        char *path;
        const AuditRule *rule;
        bool late; /* placed after /tmp is mounted (it lives there: HOME) */
} AuditCanary;

#define AUDIT_CANARIES_MAX 64

/* The canaries of every open rule in set, those of the root's own tmpfs first, then the late
 * ones; a path two rules name once, for the stronger rule. home expands "~/". */
int audit_canaries_collect(const AuditRuleSet *set, const char *home, AuditCanary **ret,
                           size_t *ret_n);
void audit_canaries_free(AuditCanary *c, size_t n);

/* True when path is prefix or lies below it ("/usr" covers "/usr/lib", not "/usrx"). */
bool audit_path_under(const char *path, const char *prefix);

/* Resolves path as the kernel would name it before following links: relative to base (the
 * caller's cwd or directory fd, absolute) unless absolute, with "//", "." and ".." folded and
 * /proc/self/root, /proc/thread-self/root and /proc/N/root (the sandbox's own root, the same for
 * every process in it) taken off the front. Writes an absolute path to buf. Returns 0, or
 * -ENAMETOOLONG when it does not fit, -EINVAL when a relative path has no base. */
int audit_path_resolve(const char *base, const char *path, char *buf, size_t size);

/* The sliding window of a scan rule: distinct destinations seen within the rule's window. A
 * destination is an address and port (a direct connect, or a request through the gateway that
 * names an IP literal) or a host name and port (a request through the gateway). Fixed size, no
 * allocation. */
#define AUDIT_SCAN_NAME     0xff /* AuditScanDest.family of a host name: no AF_* value */
#define AUDIT_SCAN_NAME_MAX 256  /* a DNS name is at most 253 characters */

typedef struct AuditScanDest {
        uint8_t addr[16];
        uint16_t port;                  /* network byte order */
        uint8_t family;                 /* AF_INET, AF_INET6, or AUDIT_SCAN_NAME */
        char name[AUDIT_SCAN_NAME_MAX]; /* AUDIT_SCAN_NAME: the host, lower case */
} AuditScanDest;

typedef struct AuditScanWindow {
        struct {
                AuditScanDest dest;
                uint64_t ms;
        } seen[AUDIT_SCAN_COUNT_MAX];
        size_t n;
        uint32_t window_ms;
} AuditScanWindow;

void audit_scan_init(AuditScanWindow *w, uint32_t window_ms);
/* Records a connection attempt to dest at now_ms (monotonic) and returns how many distinct
 * destinations the window holds, this one included. */
size_t audit_scan_add(AuditScanWindow *w, const AuditScanDest *dest, uint64_t now_ms);

/* The destination of a request for host:port (the gateway's): an IP literal ("10.0.0.1", "::1",
 * "[::1]") is its address, the same destination as a direct connect to it; anything else is
 * the name in lower case, without a trailing dot, which never equals an address. -EINVAL for
 * an empty host or one longer than a DNS name. */
int audit_scan_dest_host(const char *host, uint16_t port, AuditScanDest *ret);

/* A scan rule's evidence: "16 distinct destinations within 10000 ms, the last HOST:PORT". */
void audit_scan_evidence(char *buf, size_t size, size_t count, uint32_t window_ms, const char *host,
                         unsigned port);
