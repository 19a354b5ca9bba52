/* Audit events and the result's audit objects as JSON (docs/EVENTS.md is the schema). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "api/event-json.h"
#include "api/result-json.h"

static json_t *render(const AuditEvent *ev)
{
        char *line = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&line, &len);
        json_error_t e;
        json_t *j;

        cr_assert_not_null(f);
        cr_assert_eq(audit_event_write_json_line(ev, f), 0);
        fclose(f);
        cr_assert_gt(len, 1);
        cr_assert_eq(line[len - 1], '\n', "one line");
        cr_assert_null(memchr(line, '\n', len - 1), "one line only: %s", line);
        j = json_loads(line, 0, &e);
        cr_assert_not_null(j, "%s: %s", e.text, line);
        free(line);
        return j;
}

static const char *str(json_t *o, const char *key)
{
        json_t *v = json_object_get(o, key);

        cr_assert(json_is_string(v), "%s is no string", key);
        return json_string_value(v);
}

static json_int_t num(json_t *o, const char *key)
{
        json_t *v = json_object_get(o, key);

        cr_assert(json_is_integer(v), "%s is no integer", key);
        return json_integer_value(v);
}

Test(event_json, every_event_carries_run_id_kind_and_times)
{
        AuditEvent ev = {.kind = AUDIT_EVENT_LIMIT_HIT,
                         .run_id = "abc",
                         .ts_ns = 5000000,
                         .t_ns = 1500000,
                         .limit = "wall_ms",
                         .value = 5000};
        json_t *j = render(&ev);

        cr_assert_str_eq(str(j, "kind"), "limit.hit");
        cr_assert_str_eq(str(j, "run_id"), "abc");
        cr_assert_eq(num(j, "ts_ns"), 5000000);
        cr_assert_float_eq(json_real_value(json_object_get(j, "t_ms")), 1.5, 1e-9);
        cr_assert_str_eq(str(j, "limit"), "wall_ms");
        cr_assert_eq(num(j, "value"), 5000);
        cr_assert_null(json_object_get(j, "pid"), "airlock's own events have no pid");
        json_decref(j);
}

Test(event_json, file_open_with_a_rule)
{
        AuditEvent ev = {.kind = AUDIT_EVENT_FILE_OPEN,
                         .run_id = "r",
                         .pid = 42,
                         .syscall = "openat",
                         .path = "../etc/shadow",
                         .resolved = "/etc/shadow",
                         .open_flags = O_RDONLY | O_CLOEXEC,
                         .rule = "cred-shadow",
                         .severity = AUDIT_SEVERITY_CRITICAL,
                         .action = AUDIT_ACTION_KILL};
        json_t *j = render(&ev);

        cr_assert_eq(num(j, "pid"), 42);
        cr_assert_str_eq(str(j, "syscall"), "openat");
        cr_assert_str_eq(str(j, "path"), "../etc/shadow");
        cr_assert_str_eq(str(j, "resolved"), "/etc/shadow");
        cr_assert(json_is_false(json_object_get(j, "write")));
        cr_assert_str_eq(str(j, "rule"), "cred-shadow");
        cr_assert_str_eq(str(j, "severity"), "critical");
        cr_assert_str_eq(str(j, "action"), "kill");
        cr_assert_null(json_object_get(j, "evidence"), "evidence belongs to the alert");
        json_decref(j);
}

Test(event_json, an_opened_canary_says_what_inotify_knows)
{
        AuditEvent ev = {.kind = AUDIT_EVENT_FILE_OPEN,
                         .run_id = "r",
                         .path = "/root/.ssh/id_rsa",
                         .expected = true,
                         .canary = true,
                         .rule = "cred-ssh-key",
                         .severity = AUDIT_SEVERITY_CRITICAL,
                         .action = AUDIT_ACTION_KILL};
        json_t *j = render(&ev);

        cr_assert_str_eq(str(j, "path"), "/root/.ssh/id_rsa");
        cr_assert(json_is_true(json_object_get(j, "canary")));
        cr_assert_str_eq(str(j, "rule"), "cred-ssh-key");
        /* not who, nor how: no pid, syscall, flags or prediction */
        cr_assert_null(json_object_get(j, "pid"));
        cr_assert_null(json_object_get(j, "syscall"));
        cr_assert_null(json_object_get(j, "flags"));
        cr_assert_null(json_object_get(j, "write"));
        cr_assert_null(json_object_get(j, "refused"));
        json_decref(j);
}

Test(event_json, program_chosen_bytes_stay_valid_json)
{
        const char *argv[] = {"cat", "bad\xff\xfe", "\x1b[31m"};
        AuditEvent ev = {.kind = AUDIT_EVENT_EXEC,
                         .run_id = "r",
                         .path = "/tmp/\xc3\x28",
                         .argv = argv,
                         .argc = 3,
                         .argv_truncated = true};
        json_t *j = render(&ev), *a;

        cr_assert_str_eq(str(j, "path"), "/tmp/\xef\xbf\xbd(");
        a = json_object_get(j, "argv");
        cr_assert_eq(json_array_size(a), 3);
        cr_assert_str_eq(json_string_value(json_array_get(a, 1)), "bad\xef\xbf\xbd\xef\xbf\xbd");
        cr_assert_str_eq(json_string_value(json_array_get(a, 2)), "\x1b[31m");
        cr_assert(json_is_true(json_object_get(j, "argv_truncated")));
        json_decref(j);
}

Test(event_json, denied_syscall_args_are_hex_strings)
{
        AuditEvent ev = {.kind = AUDIT_EVENT_SYSCALL_DENIED,
                         .run_id = "r",
                         .syscall = "ptrace",
                         .errnum = 1,
                         .count = 4,
                         .args = {0x10, UINT64_MAX}};
        json_t *j = render(&ev), *a;

        cr_assert_eq(num(j, "errno"), 1);
        cr_assert_str_eq(str(j, "errno_name"), "EPERM");
        cr_assert_eq(num(j, "count"), 4);
        a = json_object_get(j, "args");
        cr_assert_eq(json_array_size(a), 6);
        cr_assert_str_eq(json_string_value(json_array_get(a, 0)), "0x10");
        cr_assert_str_eq(json_string_value(json_array_get(a, 1)), "0xffffffffffffffff");
        json_decref(j);
}

Test(event_json, connect_and_socket)
{
        AuditEvent c = {.kind = AUDIT_EVENT_NET_CONNECT,
                        .run_id = "r",
                        .family = AF_INET,
                        .address = "127.0.0.1",
                        .port = 8080,
                        .verdict = "loopback"};
        AuditEvent s = {.kind = AUDIT_EVENT_NET_SOCKET,
                        .run_id = "r",
                        .family = AF_INET6,
                        .sock_type = SOCK_DGRAM | SOCK_CLOEXEC,
                        .protocol = 17};
        json_t *j = render(&c);

        cr_assert_str_eq(str(j, "family"), "inet");
        cr_assert_str_eq(str(j, "address"), "127.0.0.1");
        cr_assert_eq(num(j, "port"), 8080);
        cr_assert_str_eq(str(j, "verdict"), "loopback");
        json_decref(j);
        j = render(&s);
        cr_assert_str_eq(str(j, "family"), "inet6");
        cr_assert_str_eq(str(j, "type"), "dgram");
        cr_assert_eq(num(j, "protocol"), 17);
        json_decref(j);
}

/* The egress gateway's verdicts: what was asked for and what became of it, no family (the
 * gateway, not the program, made the connection). */
Test(event_json, gateway_verdicts)
{
        AuditEvent c = {.kind = AUDIT_EVENT_NET_CONNECT,
                        .run_id = "r",
                        .via = "gateway",
                        .request = "connect",
                        .host = "example.org",
                        .port = 443,
                        .address = "93.184.215.14",
                        .verdict = "allowed",
                        .reason = "connected"};
        AuditEvent refused = {.kind = AUDIT_EVENT_NET_CONNECT,
                              .run_id = "r",
                              .via = "gateway",
                              .request = "http",
                              .host = "evil.example\xff",
                              .port = 80,
                              .verdict = "refused",
                              .reason = "host not allowed"};
        AuditEvent d = {.kind = AUDIT_EVENT_NET_DNS,
                        .run_id = "r",
                        .via = "gateway",
                        .host = "example.com",
                        .verdict = "refused",
                        .reason = "A: name not allowed"};
        uint64_t counts[_AUDIT_EVENT_KIND_MAX] = {[AUDIT_EVENT_NET_DNS] = 2};
        AuditEvent end = {.kind = AUDIT_EVENT_RUN_END, .run_id = "r", .counts = counts};
        json_t *j = render(&c);

        cr_assert_str_eq(str(j, "kind"), "net.connect");
        cr_assert_str_eq(str(j, "via"), "gateway");
        cr_assert_str_eq(str(j, "request"), "connect");
        cr_assert_str_eq(str(j, "host"), "example.org");
        cr_assert_eq(num(j, "port"), 443);
        cr_assert_str_eq(str(j, "address"), "93.184.215.14");
        cr_assert_str_eq(str(j, "verdict"), "allowed");
        cr_assert_str_eq(str(j, "reason"), "connected");
        cr_assert_null(json_object_get(j, "family"));
        cr_assert_null(json_object_get(j, "pid"), "airlock's own event");
        json_decref(j);

        j = render(&refused);
        cr_assert_str_eq(str(j, "request"), "http");
        cr_assert_str_eq(str(j, "host"), "evil.example\xef\xbf\xbd",
                         "the program's bytes, made valid");
        cr_assert(json_is_null(json_object_get(j, "address")), "connected to nothing");
        cr_assert_str_eq(str(j, "verdict"), "refused");
        json_decref(j);

        j = render(&d);
        cr_assert_str_eq(str(j, "kind"), "net.dns");
        cr_assert_str_eq(str(j, "host"), "example.com");
        cr_assert(json_is_null(json_object_get(j, "address")));
        cr_assert_str_eq(str(j, "reason"), "A: name not allowed");
        cr_assert_null(json_object_get(j, "port"));
        cr_assert_null(json_object_get(j, "via"), "only the gateway answers DNS");
        json_decref(j);

        j = render(&end);
        cr_assert_eq(json_integer_value(json_object_get(json_object_get(j, "counts"), "net.dns")),
                     2);
        json_decref(j);
}

Test(event_json, run_end_summarises)
{
        uint64_t counts[_AUDIT_EVENT_KIND_MAX] = {[AUDIT_EVENT_EXEC] = 2, [AUDIT_EVENT_ALERT] = 1};
        AuditEvent ev = {.kind = AUDIT_EVENT_RUN_END,
                         .run_id = "r",
                         .status = "policy_violation",
                         .exit_code = -1,
                         .signal = 9,
                         .counts = counts,
                         .dropped = 3,
                         .n_alerts = 1,
                         .rule = "cred-shadow",
                         .level = AUDIT_LEVEL_ALERTS};
        json_t *j = render(&ev), *c;

        cr_assert_str_eq(str(j, "status"), "policy_violation");
        cr_assert(json_is_null(json_object_get(j, "exit_code")));
        cr_assert_eq(num(j, "signal"), 9);
        cr_assert_eq(num(j, "dropped"), 3);
        cr_assert_str_eq(str(j, "violation"), "cred-shadow");
        c = json_object_get(j, "counts");
        cr_assert_eq(json_integer_value(json_object_get(c, "exec")), 2);
        cr_assert_null(json_object_get(c, "file.open"), "kinds with none are left out");
        json_decref(j);
}

Test(event_json, the_result_carries_audit_and_violation)
{
        RunResult r;
        json_t *j, *a;
        AuditAlert alert = {.severity = AUDIT_SEVERITY_CRITICAL, .action = AUDIT_ACTION_KILL};

        run_result_init(&r);
        snprintf(r.run_id, sizeof(r.run_id), "abc");
        snprintf(alert.rule, sizeof(alert.rule), "cred-shadow");
        snprintf(alert.evidence, sizeof(alert.evidence), "/etc/shadow");
        r.status = RUN_POLICY_VIOLATION;
        r.signal = 9;
        r.audit.level = AUDIT_LEVEL_ALERTS;
        r.audit.counts[AUDIT_EVENT_FILE_OPEN] = 1;
        r.audit.alerts = malloc(sizeof(alert));
        r.audit.alerts[0] = alert;
        r.audit.n_alerts = 1;
        r.audit.alerts_total = 1;
        r.audit.violated = true;
        r.audit.violation = alert;
        j = result_to_json(&r);
        cr_assert_not_null(j);
        cr_assert_str_eq(str(j, "status"), "policy_violation");
        cr_assert_str_eq(str(j, "run_id"), "abc");
        a = json_object_get(j, "audit");
        cr_assert_str_eq(str(a, "level"), "alerts");
        cr_assert_eq(json_array_size(json_object_get(a, "alerts")), 1);
        cr_assert_eq(num(a, "dropped"), 0);
        cr_assert_str_eq(str(json_object_get(j, "violation"), "rule"), "cred-shadow");
        cr_assert_str_eq(str(json_object_get(j, "violation"), "evidence"), "/etc/shadow");
        cr_assert_eq(run_result_exit_code(&r), 120);
        json_decref(j);
        run_result_done(&r);
}
