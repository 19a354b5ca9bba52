/* Which syscalls the audit supervisor is asked about (--audit, docs/EVENTS.md), as data.
 *
 * In a watching program every denial becomes SECCOMP_RET_USER_NOTIF, so that the supervisor
 * sees it and answers with the policy's errno (the kernel lets an ERRNO of one filter beat a
 * USER_NOTIF of another, so a denial is only seen when the filter that decides it notifies).
 * Of the allowed syscalls, only those named here notify; everything else stays a plain ALLOW
 * that never leaves the kernel. */
#include <string.h>

#include "seccomp-internal.h"

typedef struct WatchRow {
        const char *name;
        const char *reason;
} WatchRow;

/* What the built-in rules need (audit-rules.c), and nothing more: each notification costs a
 * round trip to the supervisor, and `--audit alerts` is on by default. Their credential paths
 * are canary files, seen through inotify at no cost to the opens of everything else: an
 * interpreter's imports open a thousand files. */
static const WatchRow watch_alerts[] = {
    {"execve", "exec events; network tools run while the network is off"},
    {"execveat", "exec events, by file descriptor"},
    {"connect", "connection attempts: port and host scans"},
};

/* Path rules without canaries (a rules file's) need every open; so does --audit full. */
static const WatchRow watch_opens[] = {
    {"open", "path rules; opens outside the sandbox's layout"},
    {"openat", "path rules; opens outside the sandbox's layout"},
    {"openat2", "path rules; opens outside the sandbox's layout"},
    {"creat", "an open with O_CREAT | O_WRONLY | O_TRUNC"},
};

/* --audit full adds the calls that only describe what the program does. */
static const WatchRow watch_full[] = {
    {"socket", "every socket the program makes"},
    {"bind", "every address the program binds"},
};

static bool in_rows(const WatchRow *rows, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(rows[i].name, name) == 0)
                        return true;
        return false;
}

bool seccomp_watch_contains(SeccompWatch watch, const char *name)
{
        if (watch == SECCOMP_WATCH_NONE || !name)
                return false;
        if (in_rows(watch_alerts, ELEMENTSOF(watch_alerts), name))
                return true;
        if (watch >= SECCOMP_WATCH_OPENS && in_rows(watch_opens, ELEMENTSOF(watch_opens), name))
                return true;
        return watch == SECCOMP_WATCH_FULL && in_rows(watch_full, ELEMENTSOF(watch_full), name);
}

const char *seccomp_watch_to_string(SeccompWatch watch)
{
        switch (watch) {
        case SECCOMP_WATCH_NONE:
                return "off";
        case SECCOMP_WATCH_ALERTS:
                return "alerts";
        case SECCOMP_WATCH_OPENS:
                return "opens";
        case SECCOMP_WATCH_FULL:
                return "full";
        }
        return "?";
}

int seccomp_policy_answer(const SeccompPolicy *p, int nr, const uint64_t args[6])
{
        const SeccompRule *r;

        /* Numbers libseccomp does not know never notify (the filter's default answers them),
         * and an unset rule is denied: no lookup in libseccomp's tables is needed here, which
         * keeps this cheap enough for every notification. */
        if (nr < 0 || nr >= SECCOMP_POLICY_NR_MAX)
                return SECCOMP_UNKNOWN_ERRNO;
        r = &p->rules[nr];
        switch (r->kind) {
        case SECCOMP_RULE_UNSET:
                return SECCOMP_UNLISTED_ERRNO;
        case SECCOMP_RULE_ALLOW:
                return 0;
        case SECCOMP_RULE_DENY:
                return r->errnum;
        case SECCOMP_RULE_FILTER:
                return seccomp_arg_filter_verdict(r->filter, args);
        }
        return SECCOMP_UNLISTED_ERRNO;
}
