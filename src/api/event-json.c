#include "event-json.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>

#include "basic/macros.h"
#include "basic/utf8.h"

#define _cleanup_json_ _cleanup_(json_decrefp)

/* A string the sandboxed program chose (a path, an argument, an address): any bytes but NUL,
 * so invalid UTF-8 becomes U+FFFD (the JSON result does the same). */
static json_t *text(const char *s)
{
        _cleanup_free_ char *valid = NULL;
        size_t len = s ? strlen(s) : 0;

        if (!s)
                return json_null();
        if (utf8_is_valid(s, len))
                return json_stringn(s, len);
        if (utf8_make_valid(s, len, &valid, &len) < 0)
                return NULL;
        return json_stringn(valid, len);
}

static json_t *u64(uint64_t v)
{
        return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* Takes the reference to v in every case, and fails on v == NULL (a failed constructor). */
static int set(json_t *o, const char *key, json_t *v)
{
        return json_object_set_new(o, key, v) < 0 ? -ENOMEM : 0;
}

static json_t *family(int f)
{
        switch (f) {
        case AF_UNSPEC:
                return json_string("unspec");
        case AF_UNIX:
                return json_string("unix");
        case AF_INET:
                return json_string("inet");
        case AF_INET6:
                return json_string("inet6");
        case AF_NETLINK:
                return json_string("netlink");
        case AF_PACKET:
                return json_string("packet");
        }
        return json_integer(f);
}

static json_t *sock_type(int t)
{
        switch (t & 0xf) { /* SOCK_TYPE_MASK: SOCK_NONBLOCK and SOCK_CLOEXEC aside */
        case SOCK_STREAM:
                return json_string("stream");
        case SOCK_DGRAM:
                return json_string("dgram");
        case SOCK_RAW:
                return json_string("raw");
        case SOCK_SEQPACKET:
                return json_string("seqpacket");
        }
        return json_integer(t);
}

/* Register values may use all 64 bits: hex strings, which JSON's numbers cannot hold. */
static json_t *args_json(const uint64_t args[6])
{
        _cleanup_json_ json_t *a = json_array();

        if (!a)
                return NULL;
        for (int i = 0; i < 6; i++) {
                char hex[24];

                snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)args[i]);
                if (json_array_append_new(a, json_string(hex)) < 0)
                        return NULL;
        }
        return TAKE_PTR(a);
}

static json_t *argv_json(const AuditEvent *ev)
{
        _cleanup_json_ json_t *a = json_array();

        if (!a)
                return NULL;
        for (size_t i = 0; ev->argv && i < ev->argc; i++)
                if (json_array_append_new(a, text(ev->argv[i])) < 0)
                        return NULL;
        return TAKE_PTR(a);
}

static json_t *counts_json(const uint64_t *counts)
{
        _cleanup_json_ json_t *o = json_object();

        if (!o)
                return NULL;
        for (int k = 0; counts && k < _AUDIT_EVENT_KIND_MAX; k++)
                if (counts[k] > 0 &&
                    set(o, audit_event_kind_to_string((AuditEventKind)k), u64(counts[k])) < 0)
                        return NULL;
        return TAKE_PTR(o);
}

static int add_paths(json_t *o, const AuditEvent *ev)
{
        if (set(o, "path", text(ev->path)) < 0)
                return -ENOMEM;
        if (ev->resolved && set(o, "resolved", text(ev->resolved)) < 0)
                return -ENOMEM;
        if (ev->truncated && set(o, "truncated", json_true()) < 0)
                return -ENOMEM;
        return set(o, "expected", json_boolean(ev->expected));
}

static int add_open(json_t *o, const AuditEvent *ev)
{
        bool write =
            (ev->open_flags & O_ACCMODE) != O_RDONLY || (ev->open_flags & (O_CREAT | O_TRUNC)) != 0;

        if (ev->canary) /* inotify tells that it was opened, not how */
                return add_paths(o, ev) < 0 || set(o, "canary", json_true()) < 0 ? -ENOMEM : 0;
        if (add_paths(o, ev) < 0 || set(o, "flags", json_integer(ev->open_flags)) < 0 ||
            set(o, "write", json_boolean(write)) < 0 ||
            set(o, "refused", json_boolean(ev->refused)) < 0)
                return -ENOMEM;
        return 0;
}

static int add_net(json_t *o, const AuditEvent *ev)
{
        if (set(o, "family", family(ev->family)) < 0)
                return -ENOMEM;
        if (ev->kind == AUDIT_EVENT_NET_SOCKET)
                return set(o, "type", sock_type(ev->sock_type)) < 0 ||
                               set(o, "protocol", json_integer(ev->protocol)) < 0
                           ? -ENOMEM
                           : 0;
        if (set(o, "address", text(ev->address)) < 0 || set(o, "verdict", text(ev->verdict)) < 0)
                return -ENOMEM;
        if ((ev->family == AF_INET || ev->family == AF_INET6) &&
            set(o, "port", json_integer(ev->port)) < 0)
                return -ENOMEM;
        return 0;
}

/* The egress gateway's verdict on what the program asked it for (net.connect via the gateway,
 * net.dns): what was asked, where it went (address: null when nowhere), and why. */
static int add_gateway(json_t *o, const AuditEvent *ev)
{
        bool connect = ev->kind == AUDIT_EVENT_NET_CONNECT;

        if (connect &&
            (set(o, "via", text(ev->via)) < 0 || set(o, "request", text(ev->request)) < 0))
                return -ENOMEM;
        if (set(o, "host", text(ev->host)) < 0 ||
            (connect && set(o, "port", json_integer(ev->port)) < 0) ||
            set(o, "address", text(ev->address)) < 0 || set(o, "verdict", text(ev->verdict)) < 0 ||
            set(o, "reason", text(ev->reason)) < 0)
                return -ENOMEM;
        return 0;
}

static int add_denied(json_t *o, const AuditEvent *ev)
{
        const char *name = ev->errnum > 0 ? strerrorname_np(ev->errnum) : NULL;

        if (set(o, "errno", json_integer(ev->errnum)) < 0 ||
            set(o, "errno_name", name ? json_string(name) : json_null()) < 0 ||
            set(o, "count", u64(ev->count)) < 0 || set(o, "args", args_json(ev->args)) < 0)
                return -ENOMEM;
        return 0;
}

static int add_end(json_t *o, const AuditEvent *ev)
{
        if (set(o, "status", text(ev->status)) < 0 ||
            set(o, "exit_code", ev->exit_code >= 0 ? json_integer(ev->exit_code) : json_null()) <
                0 ||
            set(o, "signal", ev->signal > 0 ? json_integer(ev->signal) : json_null()) < 0 ||
            set(o, "wall_ms", u64(ev->wall_ms)) < 0 ||
            set(o, "level", json_string(audit_level_to_string(ev->level))) < 0 ||
            set(o, "counts", counts_json(ev->counts)) < 0 ||
            set(o, "alerts", u64(ev->n_alerts)) < 0 || set(o, "dropped", u64(ev->dropped)) < 0 ||
            set(o, "violation", ev->rule ? text(ev->rule) : json_null()) < 0)
                return -ENOMEM;
        return 0;
}

/* The rule that matched an event (an alert, or an event a log rule names). */
static int add_rule(json_t *o, const AuditEvent *ev)
{
        if (!ev->rule)
                return 0;
        if (set(o, "rule", text(ev->rule)) < 0 ||
            set(o, "severity", json_string(audit_severity_to_string(ev->severity))) < 0 ||
            set(o, "action", json_string(audit_action_to_string(ev->action))) < 0)
                return -ENOMEM;
        return ev->kind == AUDIT_EVENT_ALERT ? set(o, "evidence", text(ev->evidence)) : 0;
}

static int add_kind(json_t *o, const AuditEvent *ev)
{
        switch (ev->kind) {
        case AUDIT_EVENT_RUN_START:
                return set(o, "argv", argv_json(ev)) < 0 ||
                               set(o, "level", json_string(audit_level_to_string(ev->level))) < 0 ||
                               set(o, "network", json_boolean(ev->network)) < 0
                           ? -ENOMEM
                           : 0;
        case AUDIT_EVENT_EXEC:
                if (add_paths(o, ev) < 0 || set(o, "argv", argv_json(ev)) < 0)
                        return -ENOMEM;
                return ev->argv_truncated ? set(o, "argv_truncated", json_true()) : 0;
        case AUDIT_EVENT_FILE_OPEN:
                return add_open(o, ev);
        case AUDIT_EVENT_NET_CONNECT:
                return ev->via ? add_gateway(o, ev) : add_net(o, ev);
        case AUDIT_EVENT_NET_DNS:
                return add_gateway(o, ev);
        case AUDIT_EVENT_NET_BIND:
        case AUDIT_EVENT_NET_SOCKET:
                return add_net(o, ev);
        case AUDIT_EVENT_SYSCALL_DENIED:
                return add_denied(o, ev);
        case AUDIT_EVENT_LIMIT_HIT:
                return set(o, "limit", text(ev->limit)) < 0 || set(o, "value", u64(ev->value)) < 0
                           ? -ENOMEM
                           : 0;
        case AUDIT_EVENT_RUN_END:
                return add_end(o, ev);
        case AUDIT_EVENT_ALERT:
        case _AUDIT_EVENT_KIND_MAX:
                break;
        }
        return 0;
}

json_t *audit_event_to_json(const AuditEvent *ev)
{
        _cleanup_json_ json_t *o = json_object();

        if (!o)
                return NULL;
        if (set(o, "kind", json_string(audit_event_kind_to_string(ev->kind))) < 0 ||
            set(o, "run_id", text(ev->run_id)) < 0 || set(o, "ts_ns", u64(ev->ts_ns)) < 0 ||
            set(o, "t_ms", json_real((double)ev->t_ns / 1e6)) < 0)
                return NULL;
        if (ev->pid > 0 && set(o, "pid", json_integer(ev->pid)) < 0)
                return NULL;
        if (ev->syscall && set(o, "syscall", text(ev->syscall)) < 0)
                return NULL;
        if (add_kind(o, ev) < 0 || (ev->kind != AUDIT_EVENT_RUN_END && add_rule(o, ev) < 0))
                return NULL;
        return TAKE_PTR(o);
}

int audit_event_write_json_line(const AuditEvent *ev, FILE *f)
{
        _cleanup_json_ json_t *j = audit_event_to_json(ev);

        if (!j)
                return -ENOMEM;
        errno = 0;
        if (json_dumpf(j, f, JSON_COMPACT | JSON_REAL_PRECISION(10)) < 0 || fputc('\n', f) == EOF)
                return negative_errno();
        return 0;
}

json_t *audit_alert_to_json(const AuditAlert *a)
{
        _cleanup_json_ json_t *o = json_object();

        if (!o || set(o, "rule", text(a->rule)) < 0 ||
            set(o, "severity", json_string(audit_severity_to_string(a->severity))) < 0 ||
            set(o, "action", json_string(audit_action_to_string(a->action))) < 0 ||
            set(o, "evidence", text(a->evidence)) < 0 ||
            set(o, "t_ms", json_real((double)a->t_ns / 1e6)) < 0)
                return NULL;
        return TAKE_PTR(o);
}

json_t *audit_summary_to_json(const AuditSummary *s)
{
        _cleanup_json_ json_t *o = json_object(), *alerts = json_array();

        if (!o || !alerts)
                return NULL;
        for (size_t i = 0; i < s->n_alerts; i++)
                if (json_array_append_new(alerts, audit_alert_to_json(&s->alerts[i])) < 0)
                        return NULL;
        if (set(o, "level", json_string(audit_level_to_string(s->level))) < 0 ||
            set(o, "counts", counts_json(s->counts)) < 0 ||
            set(o, "alerts", TAKE_PTR(alerts)) < 0 ||
            set(o, "alerts_total", u64(s->alerts_total)) < 0 ||
            set(o, "dropped", u64(s->dropped)) < 0)
                return NULL;
        if (s->error[0] && set(o, "error", text(s->error)) < 0)
                return NULL;
        return TAKE_PTR(o);
}
