#include "audit-link.h"

#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/random.h>

#include "audit/audit-notify.h"
#include "basic/macros.h"
#include "config/limits.h"

#define STEP "audit"

static void make_run_id(char *buf, size_t size)
{
        uint8_t raw[16] = {0};
        size_t n = 0;

        /* GRND_NONBLOCK: an id is no secret, and early boot must not stall a run */
        if (getrandom(raw, sizeof(raw), GRND_NONBLOCK) < 0)
                snprintf((char *)raw, sizeof(raw), "%lx", (unsigned long)monotonic_ns());
        for (size_t i = 0; i < sizeof(raw) && n + 3 <= size; i++)
                n += (size_t)snprintf(buf + n, size - n, "%02x", raw[i]);
}

static int load_rules(RunState *s, AirlockError *err)
{
        const AirlockConfig *c = s->config;
        int r;

        if (c->rules_path)
                r = audit_rules_load_file(c->rules_path, &s->audit_rules, err);
        else {
                r = audit_rules_new(true, &s->audit_rules);
                if (r < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, STEP, "rules");
        }
        if (r < 0)
                return r;
        /* what the caller bound in is part of the layout */
        for (size_t i = 0; i < c->n_binds; i++) {
                r = audit_rules_expect(s->audit_rules, c->binds[i].dst, c->binds[i].writable);
                if (r < 0 && r != -E2BIG)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, STEP,
                                                 "expected tree: %s", c->binds[i].dst);
        }
        return 0;
}

/* The canaries of the rules in force, and the inotify instance the child will add their
 * watches to: made here, before clone, so that both hold the same instance. */
static int prepare_canaries(RunState *s, AirlockError *err)
{
        int r =
            audit_canaries_collect(s->audit_rules, AIRLOCK_HOME_DIR, &s->canaries, &s->n_canaries);

        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, STEP, "canaries");
        if (s->n_canaries == 0)
                return 0;
        s->canary_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (s->canary_fd < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, STEP, "inotify");
        return 0;
}

int audit_link_prepare(RunState *s, AirlockError *err)
{
        const AirlockConfig *c = s->config;
        AuditLevel level = (AuditLevel)c->audit_level;
        const char *profile = c->seccomp_profile ? c->seccomp_profile : "default";
        AuditEvent start = {
            .kind = AUDIT_EVENT_RUN_START,
            .argv = (const char *const *)c->argv,
            .network = c->n_allow_net > 0,
        };
        int r;

        if (level > AUDIT_LEVEL_FULL)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, STEP, "unknown level %u",
                                         c->audit_level);
        /* Without a filter there is nothing to be notified by: the run is not watched, and
         * its result says so (audit.level "off"). */
        if (strcmp(profile, "off") == 0)
                level = AUDIT_LEVEL_OFF;
        make_run_id(s->result->run_id, sizeof(s->result->run_id));
        if (level != AUDIT_LEVEL_OFF) {
                r = load_rules(s, err);
                if (r >= 0)
                        r = prepare_canaries(s, err);
                if (r < 0)
                        return r;
        }
        /* alerts watches opens only for path rules without canaries (a rules file's) */
        if (level == AUDIT_LEVEL_FULL)
                s->seccomp_watch = SECCOMP_WATCH_FULL;
        else if (level == AUDIT_LEVEL_ALERTS)
                s->seccomp_watch = audit_rules_need_opens(s->audit_rules) ? SECCOMP_WATCH_OPENS
                                                                          : SECCOMP_WATCH_ALERTS;
        else
                s->seccomp_watch = SECCOMP_WATCH_NONE;
        r = audit_session_new(level, s->result->run_id, monotonic_ns(), &s->audit);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, STEP, "session");
        /* before either counter starts: the supervisor (direct connects), the gateway (its
         * requests) */
        if (s->audit_rules) {
                r = audit_session_watch_scans(s->audit, s->audit_rules);
                if (r < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, STEP, "scan windows");
        }
        while (c->argv && c->argv[start.argc])
                start.argc++;
        start.level = level;
        audit_session_emit(s->audit, &start);
        return 0;
}

int audit_link_start(RunState *s, int listener_fd, AirlockError *err)
{
        AuditNotifierConfig cfg = {
            .policy = s->seccomp_policy,
            .rules = s->audit_rules,
            .session = s->audit,
            .level = s->audit ? audit_session_level(s->audit) : AUDIT_LEVEL_OFF,
            .offline = s->config->n_allow_net == 0,
            .kill_pidfd = s->pidfd,
            .gateway_ports = {s->config->n_allow_net > 0 ? AIRLOCK_PROXY_PORT : 0,
                              s->config->n_allow_net > 0 ? AIRLOCK_DNS_PORT : 0},
            .canaries = s->canaries,
            .n_canaries = s->n_canaries,
            .canary_fd = s->canary_fd,
        };
        int r;

        if (s->notifier || !s->audit || !s->seccomp_policy || !s->audit_rules) {
                /* a listener nobody asked for, or a second one: refuse it, the sandbox's
                 * notified calls then fail with ENOSYS */
                safe_close(listener_fd);
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, EPROTO, STEP,
                                         "unexpected seccomp listener");
        }
        s->canary_fd = -EBADF; /* the notifier's now, even when it fails to start */
        r = audit_notifier_start(listener_fd, &cfg, &s->notifier);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, -r, STEP,
                                         "start the supervisor");
        return 0;
}

int audit_link_wake_fd(const RunState *s)
{
        return s->audit ? audit_session_wake_fd(s->audit) : -EBADF;
}

static void deliver(const AuditEvent *ev, void *userdata)
{
        const SandboxHooks *hooks = userdata;

        hooks->on_event(ev, hooks->userdata);
}

void audit_link_pump(RunState *s)
{
        if (!s->audit)
                return;
        audit_session_drain(s->audit, s->hooks && s->hooks->on_event ? deliver : NULL,
                            (void *)s->hooks);
        if (!s->killed && s->child > 0 && audit_session_violated(s->audit)) {
                /* the supervisor has killed pid 1 already; this adds the cgroup */
                s->outcome.policy_violation = true;
                supervise_kill(s);
        }
}

void audit_link_stop(RunState *s)
{
        AuditSummary sum = {0};

        s->notifier = audit_notifier_stop(s->notifier);
        if (!s->audit || audit_session_summary(s->audit, &sum) < 0)
                return;
        if (sum.violated)
                s->outcome.policy_violation = true;
        /* the supervisor failed and killed the run: airlock's trouble, not the program's */
        if (sum.error[0])
                airlock_error_set(&s->result->error, AIRLOCK_ERR_INTERNAL, 0, STEP,
                                  "supervisor: %s", sum.error);
        audit_summary_done(&sum);
}

static void emit_limit(RunState *s, const char *limit, uint64_t value)
{
        AuditEvent ev = {.kind = AUDIT_EVENT_LIMIT_HIT, .limit = limit, .value = value};

        ev.ts_ns = s->end_ns;
        audit_session_emit(s->audit, &ev);
}

static void emit_limits(RunState *s)
{
        const AirlockLimits *l = &s->config->limits;
        const RunOutcome *o = &s->outcome;

        if (o->timed_out)
                emit_limit(s, "wall_ms", l->wall_ms);
        if (o->cpu_exceeded)
                emit_limit(s, "cpu_ms", l->cpu_ms);
        if (o->output_exceeded)
                emit_limit(s, "output_bytes", l->stdout_bytes);
        if (o->oom_kills > 0)
                emit_limit(s, "memory_bytes", l->memory_bytes);
        if (o->pids_max_hits > 0)
                emit_limit(s, "pids", l->pids);
}

void audit_link_finish(RunState *s)
{
        RunResult *res = s->result;
        AuditSummary sum = {0};
        AuditEvent end = {
            .kind = AUDIT_EVENT_RUN_END,
            .status = run_status_to_string(res->status),
            .exit_code = res->signal == 0 && res->status != RUN_SETUP_ERROR &&
                                 res->status != RUN_PRESCREEN_BLOCKED
                             ? res->exit_code
                             : -1,
            .signal = res->signal,
            .wall_ms = res->wall_ms,
        };

        if (!s->audit)
                return;
        emit_limits(s);
        /* counts and drops as they stand before run.end, which they describe */
        if (audit_session_summary(s->audit, &sum) == 0) {
                end.level = sum.level;
                end.counts = sum.counts;
                end.dropped = sum.dropped;
                end.n_alerts = sum.alerts_total;
                if (sum.violated)
                        end.rule = sum.violation.rule;
                audit_session_emit(s->audit, &end);
        }
        audit_link_pump(s);
        audit_summary_done(&sum);
        audit_summary_done(&res->audit);
        (void)audit_session_summary(s->audit, &res->audit);
}

void audit_link_cleanup(RunState *s)
{
        s->notifier = audit_notifier_stop(s->notifier);
        s->audit = audit_session_free(s->audit);
        s->audit_rules = audit_rules_free(s->audit_rules);
        audit_canaries_free(s->canaries, s->n_canaries);
        s->canaries = NULL;
        s->n_canaries = 0;
        s->canary_fd = safe_close(s->canary_fd);
        s->seccomp_policy = seccomp_policy_free(s->seccomp_policy);
}
