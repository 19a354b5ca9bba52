#include "audit-event.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"

static const char *const level_names[] = {
    [AUDIT_LEVEL_OFF] = "off",
    [AUDIT_LEVEL_ALERTS] = "alerts",
    [AUDIT_LEVEL_FULL] = "full",
};

static const char *const kind_names[_AUDIT_EVENT_KIND_MAX] = {
    [AUDIT_EVENT_RUN_START] = "run.start", [AUDIT_EVENT_EXEC] = "exec",
    [AUDIT_EVENT_FILE_OPEN] = "file.open", [AUDIT_EVENT_NET_CONNECT] = "net.connect",
    [AUDIT_EVENT_NET_BIND] = "net.bind",   [AUDIT_EVENT_NET_SOCKET] = "net.socket",
    [AUDIT_EVENT_NET_DNS] = "net.dns",     [AUDIT_EVENT_SYSCALL_DENIED] = "syscall.denied",
    [AUDIT_EVENT_LIMIT_HIT] = "limit.hit", [AUDIT_EVENT_ALERT] = "alert",
    [AUDIT_EVENT_RUN_END] = "run.end",
};

static const char *const severity_names[_AUDIT_SEVERITY_MAX] = {
    [AUDIT_SEVERITY_INFO] = "info",         [AUDIT_SEVERITY_LOW] = "low",
    [AUDIT_SEVERITY_MEDIUM] = "medium",     [AUDIT_SEVERITY_HIGH] = "high",
    [AUDIT_SEVERITY_CRITICAL] = "critical",
};

static const char *const action_names[_AUDIT_ACTION_MAX] = {
    [AUDIT_ACTION_LOG] = "log",
    [AUDIT_ACTION_ALERT] = "alert",
    [AUDIT_ACTION_KILL] = "kill",
};

static const char *name_of(const char *const *names, size_t n, unsigned v)
{
        return v < n && names[v] ? names[v] : "unknown";
}

static int index_of(const char *const *names, size_t n, const char *s)
{
        for (size_t i = 0; s && i < n; i++)
                if (names[i] && strcmp(names[i], s) == 0)
                        return (int)i;
        return -EINVAL;
}

/* NAME_to_string() and NAME_from_string() of one enum and its table of names. */
#define DEFINE_NAMES(prefix, type, names)                                                          \
        const char *prefix##_to_string(type v)                                                     \
        {                                                                                          \
                return name_of(names, ELEMENTSOF(names), v);                                       \
        }                                                                                          \
        int prefix##_from_string(const char *s, type *ret)                                         \
        {                                                                                          \
                int i = index_of(names, ELEMENTSOF(names), s);                                     \
                                                                                                   \
                if (i < 0)                                                                         \
                        return i;                                                                  \
                *ret = (type)i;                                                                    \
                return 0;                                                                          \
        }

DEFINE_NAMES(audit_level, AuditLevel, level_names)
DEFINE_NAMES(audit_severity, AuditSeverity, severity_names)
DEFINE_NAMES(audit_action, AuditAction, action_names)

const char *audit_event_kind_to_string(AuditEventKind k)
{
        return name_of(kind_names, ELEMENTSOF(kind_names), k);
}

/* The string fields of an event, for sizing and copying them alike. */
#define EVENT_STRINGS(ev)                                                                          \
        {                                                                                          \
                &(ev)->run_id, &(ev)->syscall, &(ev)->path, &(ev)->resolved, &(ev)->address,       \
                    &(ev)->verdict, &(ev)->via, &(ev)->request, &(ev)->host, &(ev)->reason,        \
                    &(ev)->limit, &(ev)->rule, &(ev)->evidence, &(ev)->status                      \
        }

/* Appends a copy of s at *pos; returns the copy. */
static char *put(char **pos, const char *s)
{
        size_t n = strlen(s) + 1;
        char *copy = *pos;

        memcpy(copy, s, n);
        *pos += n;
        return copy;
}

AuditEvent *audit_event_clone(const AuditEvent *ev)
{
        const char *const *src[] = EVENT_STRINGS(ev);
        size_t size = sizeof(AuditEvent), argv_size = ev->argv ? ev->argc * sizeof(char *) : 0;
        size_t counts_size = ev->counts ? _AUDIT_EVENT_KIND_MAX * sizeof(uint64_t) : 0;
        AuditEvent *copy;
        const char **argv;
        char *pos;

        for (size_t i = 0; i < ELEMENTSOF(src); i++)
                if (*src[i])
                        size += strlen(*src[i]) + 1;
        for (size_t i = 0; ev->argv && i < ev->argc; i++)
                size += strlen(ev->argv[i]) + 1;
        /* pointer-sized arrays first, right after the struct, so they stay aligned */
        copy = malloc(size + argv_size + counts_size);
        if (!copy)
                return NULL;
        *copy = *ev;
        pos = (char *)(copy + 1);
        argv = (const char **)(void *)pos;
        pos += argv_size;
        if (counts_size)
                copy->counts = memcpy(pos, ev->counts, counts_size);
        pos += counts_size;
        for (size_t i = 0; ev->argv && i < ev->argc; i++)
                argv[i] = put(&pos, ev->argv[i]);
        if (ev->argv)
                copy->argv = argv;
        {
                const char **dst[] = EVENT_STRINGS(copy);

                for (size_t i = 0; i < ELEMENTSOF(dst); i++)
                        if (*src[i])
                                *dst[i] = put(&pos, *src[i]);
        }
        return copy;
}

void audit_event_free(AuditEvent *ev)
{
        free(ev);
}

void audit_summary_done(AuditSummary *s)
{
        if (!s)
                return;
        free(s->alerts);
        s->alerts = NULL;
        s->n_alerts = 0;
}
