#include "audit-session.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "basic/clock.h"
#include "basic/macros.h"

/* One scan rule's window, shared by whoever counts destinations (audit_session_scan). */
typedef struct SessionScan {
        const AuditRule *rule;
        AuditScanWindow window;
        bool fired; /* a rule fires once per run */
} SessionScan;

struct AuditSession {
        AuditLevel level;
        char run_id[AUDIT_RUN_ID_MAX];
        uint64_t start_ns;
        int wake_fd;

        pthread_mutex_t lock; /* everything below */
        AuditEvent *queue[AUDIT_QUEUE_MAX];
        size_t head, len;
        uint64_t counts[_AUDIT_EVENT_KIND_MAX];
        uint64_t dropped;
        AuditAlert alerts[AUDIT_ALERTS_KEPT];
        size_t n_alerts;
        uint64_t alerts_total;
        bool violated;
        AuditAlert violation;
        char error[128];
        const AuditRuleSet *scan_rules; /* audit_session_watch_scans() */
        SessionScan *scans;
        size_t n_scans;
        bool scan_killed; /* a kill scan rule fired: its alert is recorded, or about to be */
};

int audit_session_new(AuditLevel level, const char *run_id, uint64_t start_ns, AuditSession **ret)
{
        AuditSession *s = calloc(1, sizeof(*s));

        if (!s)
                return -ENOMEM;
        s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (s->wake_fd < 0) {
                int r = negative_errno();

                free(s);
                return r;
        }
        pthread_mutex_init(&s->lock, NULL);
        s->level = level;
        snprintf(s->run_id, sizeof(s->run_id), "%s", run_id ? run_id : "");
        s->start_ns = start_ns;
        *ret = s;
        return 0;
}

AuditSession *audit_session_free(AuditSession *s)
{
        if (!s)
                return NULL;
        while (s->len > 0) {
                audit_event_free(s->queue[s->head]);
                s->head = (s->head + 1) % AUDIT_QUEUE_MAX;
                s->len--;
        }
        safe_close(s->wake_fd);
        pthread_mutex_destroy(&s->lock);
        free(s->scans);
        free(s);
        return NULL;
}

AuditLevel audit_session_level(const AuditSession *s)
{
        return s->level;
}

const char *audit_session_run_id(const AuditSession *s)
{
        return s->run_id;
}

int audit_session_wake_fd(const AuditSession *s)
{
        return s->wake_fd;
}

void audit_session_emit(AuditSession *s, const AuditEvent *ev)
{
        AuditEvent stamped = *ev, *copy;
        bool was_empty;

        stamped.run_id = s->run_id;
        /* copied outside the lock: a producer holds it only for a few stores */
        copy = audit_event_clone(&stamped);

        pthread_mutex_lock(&s->lock);
        if ((unsigned)ev->kind < _AUDIT_EVENT_KIND_MAX)
                s->counts[ev->kind]++;
        if (!copy || s->len == AUDIT_QUEUE_MAX) {
                s->dropped++;
                pthread_mutex_unlock(&s->lock);
                audit_event_free(copy);
                return;
        }
        /* Stamped under the lock (unless the caller chose a time): producers on several threads
         * at once, the supervisor's and the gateway's, then queue their events in ts_ns order. */
        if (!copy->ts_ns)
                copy->ts_ns = clock_monotonic_ns();
        copy->t_ns = copy->ts_ns > s->start_ns ? copy->ts_ns - s->start_ns : 0;
        was_empty = s->len == 0;
        s->queue[(s->head + s->len) % AUDIT_QUEUE_MAX] = copy;
        s->len++;
        pthread_mutex_unlock(&s->lock);
        /* The consumer empties the queue after each wake-up, so only the first event after it
         * ran needs to wake it. */
        if (was_empty)
                (void)!eventfd_write(s->wake_fd, 1);
}

bool audit_session_alert(AuditSession *s, const AuditRule *rule, const char *evidence, int pid)
{
        AuditAlert a = {.severity = rule->severity, .action = rule->action};
        AuditEvent ev = {
            .kind = AUDIT_EVENT_ALERT,
            .ts_ns = clock_monotonic_ns(),
            .pid = pid,
            .rule = rule->id,
            .severity = rule->severity,
            .action = rule->action,
            .evidence = evidence,
        };
        bool violation = false;

        snprintf(a.rule, sizeof(a.rule), "%s", rule->id);
        snprintf(a.evidence, sizeof(a.evidence), "%s", evidence ? evidence : "");
        a.t_ns = ev.ts_ns > s->start_ns ? ev.ts_ns - s->start_ns : 0;
        pthread_mutex_lock(&s->lock);
        s->alerts_total++;
        if (s->n_alerts < AUDIT_ALERTS_KEPT)
                s->alerts[s->n_alerts++] = a;
        if (rule->action == AUDIT_ACTION_KILL && !s->violated) {
                s->violated = violation = true;
                s->violation = a;
        }
        pthread_mutex_unlock(&s->lock);
        audit_session_emit(s, &ev);
        return violation;
}

int audit_session_watch_scans(AuditSession *s, const AuditRuleSet *rules)
{
        SessionScan *scans;
        size_t n = 0;
        int r = 0;

        for (size_t i = 0; i < rules->n_rules; i++)
                n += rules->rules[i].match == AUDIT_MATCH_SCAN;
        /* a window is a few kB per rule: allocated once, outside the lock */
        scans = calloc(MAX(n, (size_t)1), sizeof(*scans));
        if (!scans)
                return -ENOMEM;
        n = 0;
        for (size_t i = 0; i < rules->n_rules; i++) {
                const AuditRule *rule = &rules->rules[i];

                if (rule->match != AUDIT_MATCH_SCAN)
                        continue;
                scans[n].rule = rule;
                audit_scan_init(&scans[n++].window, rule->scan_window_ms);
        }
        pthread_mutex_lock(&s->lock);
        if (!s->scan_rules) {
                s->scan_rules = rules;
                s->scans = TAKE_PTR(scans);
                s->n_scans = n;
        } else if (s->scan_rules != rules)
                r = -EBUSY;
        pthread_mutex_unlock(&s->lock);
        free(scans);
        return r;
}

const AuditRule *audit_session_scan(AuditSession *s, const AuditScanDest *dest, uint64_t now_ms,
                                    size_t *ret_count, bool *ret_killed)
{
        const AuditRule *hit = NULL;
        size_t hit_count = 0;
        bool killed;

        pthread_mutex_lock(&s->lock);
        /* A run being killed counts nothing more: whatever it tries now is refused anyway. */
        killed = s->violated || s->scan_killed;
        for (size_t i = 0; i < s->n_scans && !killed; i++) {
                SessionScan *sc = &s->scans[i];
                size_t n;

                if (sc->fired)
                        continue;
                n = audit_scan_add(&sc->window, dest, now_ms);
                if (n < sc->rule->scan_count)
                        continue;
                sc->fired = true;
                if (!hit || sc->rule->action > hit->action) {
                        hit = sc->rule;
                        hit_count = n;
                }
        }
        /* Set with the count, under the same lock: a request counted the moment after this
         * one already knows, before this caller has recorded the alert. */
        if (hit && hit->action == AUDIT_ACTION_KILL)
                s->scan_killed = killed = true;
        pthread_mutex_unlock(&s->lock);
        if (ret_killed)
                *ret_killed = killed;
        if (hit && ret_count)
                *ret_count = hit_count;
        return hit;
}

void audit_session_fail(AuditSession *s, const char *why)
{
        pthread_mutex_lock(&s->lock);
        if (!s->error[0])
                snprintf(s->error, sizeof(s->error), "%s", why);
        pthread_mutex_unlock(&s->lock);
}

bool audit_session_violated(AuditSession *s)
{
        bool v;

        pthread_mutex_lock(&s->lock);
        v = s->violated;
        pthread_mutex_unlock(&s->lock);
        return v;
}

void audit_session_drain(AuditSession *s, void (*fn)(const AuditEvent *ev, void *userdata),
                         void *userdata)
{
        eventfd_t ignored;

        (void)eventfd_read(s->wake_fd, &ignored);
        for (;;) {
                AuditEvent *ev = NULL;

                pthread_mutex_lock(&s->lock);
                if (s->len > 0) {
                        ev = s->queue[s->head];
                        s->head = (s->head + 1) % AUDIT_QUEUE_MAX;
                        s->len--;
                }
                pthread_mutex_unlock(&s->lock);
                if (!ev)
                        return;
                if (fn)
                        fn(ev, userdata);
                audit_event_free(ev);
        }
}

int audit_session_summary(AuditSession *s, AuditSummary *ret)
{
        AuditSummary sum = {.level = s->level};
        bool oom = false;

        pthread_mutex_lock(&s->lock);
        memcpy(sum.counts, s->counts, sizeof(sum.counts));
        sum.dropped = s->dropped;
        sum.alerts_total = s->alerts_total;
        sum.violated = s->violated;
        sum.violation = s->violation;
        memcpy(sum.error, s->error, sizeof(sum.error));
        if (s->n_alerts > 0) {
                sum.alerts = malloc(s->n_alerts * sizeof(*sum.alerts));
                oom = !sum.alerts;
                if (sum.alerts) {
                        memcpy(sum.alerts, s->alerts, s->n_alerts * sizeof(*sum.alerts));
                        sum.n_alerts = s->n_alerts;
                }
        }
        pthread_mutex_unlock(&s->lock);
        if (oom)
                return -ENOMEM;
        *ret = sum;
        return 0;
}
