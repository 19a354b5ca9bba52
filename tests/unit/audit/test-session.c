/* The session: events in order, counts, the drop counter of a full queue, alerts apart. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>

#include "audit/audit-session.h"

typedef struct Seen {
        size_t n;
        AuditEventKind kinds[16];
        char paths[16][64];
        uint64_t last_t;
        bool ordered;
} Seen;

static void collect(const AuditEvent *ev, void *userdata)
{
        Seen *s = userdata;

        cr_assert_str_eq(ev->run_id, "run-1");
        if (s->n > 0 && ev->t_ns < s->last_t)
                s->ordered = false;
        s->last_t = ev->t_ns;
        if (s->n < 16) {
                s->kinds[s->n] = ev->kind;
                snprintf(s->paths[s->n], sizeof(s->paths[0]), "%s", ev->path ? ev->path : "");
        }
        s->n++;
}

static bool readable(int fd)
{
        struct pollfd p = {.fd = fd, .events = POLLIN};

        return poll(&p, 1, 0) == 1;
}

Test(audit_session, events_arrive_in_order_with_deep_copies)
{
        AuditSession *s = NULL;
        Seen seen = {.ordered = true};
        char path[32] = "/etc/shadow";
        AuditEvent ev = {.kind = AUDIT_EVENT_FILE_OPEN, .path = path};
        AuditSummary sum;

        cr_assert_eq(audit_session_new(AUDIT_LEVEL_ALERTS, "run-1", 1, &s), 0);
        cr_assert_not(readable(audit_session_wake_fd(s)));
        audit_session_emit(s, &ev);
        strcpy(path, "changed");
        ev.kind = AUDIT_EVENT_EXEC;
        audit_session_emit(s, &ev);
        cr_assert(readable(audit_session_wake_fd(s)));
        audit_session_drain(s, collect, &seen);
        cr_assert_not(readable(audit_session_wake_fd(s)));
        cr_assert_eq(seen.n, 2);
        cr_assert_eq(seen.kinds[0], AUDIT_EVENT_FILE_OPEN);
        cr_assert_str_eq(seen.paths[0], "/etc/shadow", "the queue holds its own copy");
        cr_assert_str_eq(seen.paths[1], "changed");
        cr_assert(seen.ordered);
        cr_assert_eq(audit_session_summary(s, &sum), 0);
        cr_assert_eq(sum.counts[AUDIT_EVENT_FILE_OPEN], 1);
        cr_assert_eq(sum.counts[AUDIT_EVENT_EXEC], 1);
        cr_assert_eq(sum.dropped, 0);
        audit_summary_done(&sum);
        audit_session_free(s);
}

Test(audit_session, a_full_queue_counts_what_it_drops)
{
        AuditSession *s = NULL;
        AuditEvent ev = {.kind = AUDIT_EVENT_FILE_OPEN, .path = "/x"};
        Seen seen = {.ordered = true};
        AuditSummary sum;

        cr_assert_eq(audit_session_new(AUDIT_LEVEL_FULL, "run-1", 0, &s), 0);
        for (int i = 0; i < AUDIT_QUEUE_MAX + 100; i++)
                audit_session_emit(s, &ev);
        audit_session_drain(s, collect, &seen);
        cr_assert_eq(seen.n, AUDIT_QUEUE_MAX);
        cr_assert_eq(audit_session_summary(s, &sum), 0);
        cr_assert_eq(sum.dropped, 100);
        cr_assert_eq(sum.counts[AUDIT_EVENT_FILE_OPEN], AUDIT_QUEUE_MAX + 100,
                     "counts include what was dropped");
        audit_summary_done(&sum);
        /* room again */
        audit_session_emit(s, &ev);
        seen.n = 0;
        audit_session_drain(s, collect, &seen);
        cr_assert_eq(seen.n, 1);
        audit_session_free(s);
}

static void *emit_many(void *session)
{
        AuditEvent ev = {.kind = AUDIT_EVENT_NET_CONNECT, .via = "gateway", .host = "h"};

        for (int i = 0; i < 1000; i++)
                audit_session_emit(session, &ev);
        return NULL;
}

/* The supervisor and the gateway's threads emit at once: the queue stays in ts_ns order. */
Test(audit_session, producers_on_several_threads_stay_in_order)
{
        AuditSession *s = NULL;
        Seen seen = {.ordered = true};
        pthread_t t[4];
        AuditSummary sum;

        cr_assert_eq(audit_session_new(AUDIT_LEVEL_ALERTS, "run-1", 0, &s), 0);
        for (int i = 0; i < 4; i++)
                cr_assert_eq(pthread_create(&t[i], NULL, emit_many, s), 0);
        for (int i = 0; i < 4; i++)
                pthread_join(t[i], NULL);
        audit_session_drain(s, collect, &seen);
        cr_assert_eq(seen.n, 4000);
        cr_assert(seen.ordered, "events out of ts_ns order");
        cr_assert_eq(audit_session_summary(s, &sum), 0);
        cr_assert_eq(sum.counts[AUDIT_EVENT_NET_CONNECT], 4000);
        audit_summary_done(&sum);
        audit_session_free(s);
}

Test(audit_session, alerts_and_the_first_violation)
{
        AuditSession *s = NULL;
        static const AuditRule alert = {
            .id = "a", .severity = AUDIT_SEVERITY_HIGH, .action = AUDIT_ACTION_ALERT};
        static const AuditRule kill1 = {.id = "k1", .action = AUDIT_ACTION_KILL};
        static const AuditRule kill2 = {.id = "k2", .action = AUDIT_ACTION_KILL};
        Seen seen = {.ordered = true};
        AuditSummary sum;

        cr_assert_eq(audit_session_new(AUDIT_LEVEL_ALERTS, "run-1", 0, &s), 0);
        cr_assert_not(audit_session_alert(s, &alert, "ptrace(0x10)", 7));
        cr_assert_not(audit_session_violated(s));
        cr_assert(audit_session_alert(s, &kill1, "/etc/shadow", 7));
        cr_assert_not(audit_session_alert(s, &kill2, "/etc/gshadow", 7));
        for (int i = 0; i < AUDIT_ALERTS_KEPT + 5; i++)
                audit_session_alert(s, &alert, "again", 7);
        cr_assert(audit_session_violated(s));
        audit_session_drain(s, collect, &seen);
        cr_assert_eq(seen.kinds[0], AUDIT_EVENT_ALERT);
        cr_assert_eq(audit_session_summary(s, &sum), 0);
        cr_assert(sum.violated);
        cr_assert_str_eq(sum.violation.rule, "k1");
        cr_assert_str_eq(sum.violation.evidence, "/etc/shadow");
        cr_assert_eq(sum.n_alerts, AUDIT_ALERTS_KEPT);
        cr_assert_eq(sum.alerts_total, AUDIT_ALERTS_KEPT + 8);
        cr_assert_str_eq(sum.alerts[0].rule, "a");
        audit_session_fail(s, "first");
        audit_session_fail(s, "second");
        audit_summary_done(&sum);
        cr_assert_eq(audit_session_summary(s, &sum), 0);
        cr_assert_str_eq(sum.error, "first");
        audit_summary_done(&sum);
        audit_session_free(s);
}

/* ---- the scan windows, shared by the supervisor and the gateway ---- */

static AuditScanDest name_dest(const char *host, uint16_t port)
{
        AuditScanDest d;

        cr_assert_eq(audit_scan_dest_host(host, port, &d), 0, "%s", host);
        return d;
}

static AuditScanDest address_dest(uint8_t last, uint16_t port)
{
        AuditScanDest d = {.family = AF_INET, .port = htons(port), .addr = {127, 0, 0, last}};

        return d;
}

/* A scan rule with count n fires at the nth distinct destination: NULL before, the rule then. */
static void expect_no_fire(AuditSession *s, AuditScanDest d, uint64_t ms)
{
        size_t count = 0;
        bool killed = true;

        cr_assert_null(audit_session_scan(s, &d, ms, &count, &killed));
        cr_assert_not(killed);
}

static AuditSession *scan_session(const char *rules_text, AuditRuleSet **ret_rules)
{
        AirlockError err = {0};
        AuditSession *s = NULL;

        if (rules_text)
                cr_assert_eq(
                    audit_rules_parse("r", rules_text, strlen(rules_text), ret_rules, &err), 0,
                    "%s", err.message);
        else
                cr_assert_eq(audit_rules_new(true, ret_rules), 0);
        cr_assert_eq(audit_session_new(AUDIT_LEVEL_ALERTS, "run-1", 0, &s), 0);
        cr_assert_eq(audit_session_watch_scans(s, *ret_rules), 0);
        cr_assert_eq(audit_session_watch_scans(s, *ret_rules), 0, "again: nothing changes");
        return s;
}

/* net-scan (16 within 10 s): names through the gateway and addresses connected to directly
 * count into one window; a name never equals an address, an IP literal is its address, and a
 * name counts once whatever its case. */
Test(audit_session, the_scan_counts_names_and_addresses_apart_into_one_window)
{
        AuditRuleSet *rules = NULL, *other = NULL;
        AuditSession *s = scan_session(NULL, &rules);
        AuditScanDest d;
        const AuditRule *r;
        size_t count = 0;
        bool killed = false;

        cr_assert_eq(audit_rules_new(true, &other), 0);
        cr_assert_eq(audit_session_watch_scans(s, other), -EBUSY);
        for (uint8_t i = 1; i <= 7; i++)
                expect_no_fire(s, address_dest(i, 80), 100);
        /* the same seven by their literals: nothing new */
        expect_no_fire(s, name_dest("127.0.0.1", 80), 110);
        expect_no_fire(s, name_dest("127.0.0.7", 80), 110);
        for (int i = 1; i <= 7; i++) {
                char host[32];

                snprintf(host, sizeof(host), "host-%d.example", i);
                expect_no_fire(s, name_dest(host, 443), 200);
        }
        /* case and a trailing dot make no other host; another port does */
        expect_no_fire(s, name_dest("HOST-1.Example.", 443), 300);
        expect_no_fire(s, name_dest("host-1.example", 8443), 300); /* 15 */
        /* "localhost" is 127.0.0.1 to a resolver, not to the key: the 16th */
        d = name_dest("localhost", 80);
        r = audit_session_scan(s, &d, 400, &count, &killed);
        cr_assert_not_null(r);
        cr_assert_str_eq(r->id, "net-scan");
        cr_assert_eq(count, 16);
        cr_assert(killed);
        /* once per run; from now on every attempt hears that the run is being killed */
        d = name_dest("another.example", 1);
        cr_assert_null(audit_session_scan(s, &d, 500, &count, &killed));
        cr_assert(killed);
        audit_session_free(s);
        audit_rules_free(rules);
        audit_rules_free(other);
}

Test(audit_session, each_scan_rule_fires_once_the_strongest_first)
{
        AuditRuleSet *rules = NULL;
        AuditSession *s = scan_session("rule slow-scan medium alert scan 3 1m\n"
                                       "rule fast-scan high kill scan 5 1s\n",
                                       &rules);
        AuditScanDest d;
        const AuditRule *r;
        size_t count = 0;
        bool killed = true;

        expect_no_fire(s, address_dest(1, 1), 0);
        expect_no_fire(s, address_dest(1, 2), 0);
        d = address_dest(1, 3);
        r = audit_session_scan(s, &d, 0, &count, &killed);
        cr_assert_not_null(r);
        cr_assert_str_eq(r->id, "slow-scan");
        cr_assert_eq(count, 3);
        cr_assert_not(killed, "an alert rule kills nothing");
        expect_no_fire(s, address_dest(1, 4), 0);
        /* 2 s later fast-scan's window holds one; slow-scan fired already */
        expect_no_fire(s, address_dest(1, 5), 2000);
        for (uint16_t p = 6; p <= 9; p++) {
                d = address_dest(1, p);
                r = audit_session_scan(s, &d, 2000, &count, &killed);
                cr_assert_eq(r != NULL, p == 9, "port %u", p);
        }
        cr_assert_str_eq(r->id, "fast-scan");
        cr_assert_eq(count, 5);
        cr_assert(killed);
        audit_session_free(s);
        audit_rules_free(rules);
}

typedef struct Hammer {
        AuditSession *s;
        bool names; /* host names, or addresses */
        size_t fired, count;
} Hammer;

static void *hammer(void *arg)
{
        Hammer *h = arg;

        for (int i = 0; i < 2000; i++) {
                char host[32];
                AuditScanDest d;
                size_t count = 0;

                snprintf(host, sizeof(host), h->names ? "h%d.example" : "10.0.%d.%d", i / 256,
                         i % 256);
                cr_assert_eq(audit_scan_dest_host(host, 443, &d), 0);
                if (audit_session_scan(h->s, &d, 1000, &count, NULL)) {
                        h->fired++;
                        h->count = count;
                }
        }
        return NULL;
}

/* The supervisor and the gateway count at once: the rule fires exactly once, at its count. */
Test(audit_session, two_threads_count_into_one_window)
{
        AuditRuleSet *rules = NULL;
        AuditSession *s = scan_session("rule wide-scan high alert scan 256 1h\n", &rules);
        Hammer h[2] = {{.s = s, .names = true}, {.s = s, .names = false}};
        pthread_t t[2];

        for (int i = 0; i < 2; i++)
                cr_assert_eq(pthread_create(&t[i], NULL, hammer, &h[i]), 0);
        for (int i = 0; i < 2; i++)
                pthread_join(t[i], NULL);
        cr_assert_eq(h[0].fired + h[1].fired, 1);
        cr_assert_eq(h[0].count + h[1].count, 256);
        audit_session_free(s);
        audit_rules_free(rules);
}

Test(audit_event, clone_copies_everything)
{
        const char *argv[] = {"sh", "-c", "true"};
        uint64_t counts[_AUDIT_EVENT_KIND_MAX] = {[AUDIT_EVENT_EXEC] = 3};
        AuditEvent ev = {.kind = AUDIT_EVENT_EXEC,
                         .path = "/bin/sh",
                         .resolved = "/usr/bin/sh",
                         .argv = argv,
                         .argc = 3,
                         .counts = counts,
                         .rule = "r"};
        AuditEvent *c = audit_event_clone(&ev);

        cr_assert_not_null(c);
        cr_assert_neq(c->path, ev.path);
        cr_assert_str_eq(c->path, "/bin/sh");
        cr_assert_str_eq(c->resolved, "/usr/bin/sh");
        cr_assert_eq(c->argc, 3);
        cr_assert_neq((const void *)c->argv, (const void *)argv);
        cr_assert_str_eq(c->argv[2], "true");
        cr_assert_eq(c->counts[AUDIT_EVENT_EXEC], 3);
        cr_assert_null(c->address);
        cr_assert_str_eq(c->rule, "r");
        audit_event_free(c);
}

Test(audit_event, clone_copies_a_gateway_verdict)
{
        char host[] = "example.org", reason[] = "connected";
        AuditEvent ev = {.kind = AUDIT_EVENT_NET_CONNECT,
                         .via = "gateway",
                         .request = "connect",
                         .host = host,
                         .port = 443,
                         .address = "192.0.2.1",
                         .verdict = "allowed",
                         .reason = reason};
        AuditEvent *c = audit_event_clone(&ev);

        cr_assert_not_null(c);
        memset(host, 'x', sizeof(host) - 1);
        memset(reason, 'x', sizeof(reason) - 1);
        cr_assert_str_eq(c->host, "example.org");
        cr_assert_str_eq(c->reason, "connected");
        cr_assert_str_eq(c->via, "gateway");
        cr_assert_str_eq(c->request, "connect");
        cr_assert_neq(c->via, ev.via);
        cr_assert_str_eq(c->address, "192.0.2.1");
        audit_event_free(c);
}

Test(audit_event, names_round_trip)
{
        AuditLevel l;
        AuditSeverity s;
        AuditAction a;

        cr_assert_eq(audit_level_from_string("full", &l), 0);
        cr_assert_eq(l, AUDIT_LEVEL_FULL);
        cr_assert_lt(audit_level_from_string("verbose", &l), 0);
        cr_assert_eq(audit_severity_from_string("critical", &s), 0);
        cr_assert_str_eq(audit_severity_to_string(s), "critical");
        cr_assert_eq(audit_action_from_string("kill", &a), 0);
        cr_assert_str_eq(audit_action_to_string(a), "kill");
        cr_assert_str_eq(audit_event_kind_to_string(AUDIT_EVENT_SYSCALL_DENIED), "syscall.denied");
        cr_assert_str_eq(audit_event_kind_to_string(AUDIT_EVENT_NET_DNS), "net.dns");
        for (int k = 0; k < _AUDIT_EVENT_KIND_MAX; k++)
                cr_assert_str_neq(audit_event_kind_to_string((AuditEventKind)k), "unknown",
                                  "kind %d has a name", k);
        cr_assert_str_eq(audit_event_kind_to_string(_AUDIT_EVENT_KIND_MAX), "unknown");
}
