/* One run's audit: the events on their way from the notification thread to whoever writes
 * them, the counts, the alerts and the violation that ends the run.
 *
 * Producers (the supervisor thread, and the parent's own loop for run.start, limit.hit and
 * run.end) call audit_session_emit() from any thread. Events wait in a bounded queue until the
 * consumer (the parent's poll loop, woken through audit_session_wake_fd()) drains them: a
 * producer never blocks on a slow writer. When the queue is full the event is dropped and
 * counted; counts by kind and alerts are kept apart from the queue, so they are never lost. */
#pragma once

#include <stdint.h>

#include "audit-event.h"
#include "audit-rules.h"

#define AUDIT_QUEUE_MAX 8192

typedef struct AuditSession AuditSession;

/* start_ns is run.start's time (CLOCK_MONOTONIC): every event's t_ns counts from it. */
int audit_session_new(AuditLevel level, const char *run_id, uint64_t start_ns, AuditSession **ret);
AuditSession *audit_session_free(AuditSession *s);

AuditLevel audit_session_level(const AuditSession *s);
const char *audit_session_run_id(const AuditSession *s);

/* Readable (an eventfd) when events are waiting. */
int audit_session_wake_fd(const AuditSession *s);

/* Counts ev and queues a copy; fills in the run id and times (ts_ns: now unless set). */
void audit_session_emit(AuditSession *s, const AuditEvent *ev);

/* Records that rule matched, with its evidence, and emits the alert event. A kill rule's first
 * alert becomes the run's violation. Returns true when this alert is the violation. */
bool audit_session_alert(AuditSession *s, const AuditRule *rule, const char *evidence, int pid);

/* The scan rules (docs/EVENTS.md) count destinations from two threads, the supervisor's
 * (direct connects) and the gateway's (requests through the proxy), into one window per scan
 * rule, kept here. audit_session_watch_scans() makes a window for each scan rule of rules, which
 * must outlive the session; call it before the producers start. Again with the same rules it
 * does nothing; -EBUSY with others, -ENOMEM. */
int audit_session_watch_scans(AuditSession *s, const AuditRuleSet *rules);

/* Counts an attempt to reach dest at now_ms (monotonic) in every scan rule's window, from any
 * thread. Returns the rule that fired with it (its count reached; once per rule and run; the
 * strongest action when several did) and writes its count to ret_count; NULL when none fired.
 * The caller raises the alert (audit_session_alert) after its own event, if any.
 * ret_killed (may be NULL): the run is being killed, by a kill rule that fired with this
 * attempt, or before (then nothing is counted). */
const AuditRule *audit_session_scan(AuditSession *s, const AuditScanDest *dest, uint64_t now_ms,
                                    size_t *ret_count, bool *ret_killed);

/* The supervisor failed (and killed the run): why, for the result. The first reason stays. */
void audit_session_fail(AuditSession *s, const char *why);

bool audit_session_violated(AuditSession *s);

/* Hands every waiting event to fn, in order, on the calling thread. */
void audit_session_drain(AuditSession *s, void (*fn)(const AuditEvent *ev, void *userdata),
                         void *userdata);

/* A copy of the summary (alerts in a new array, freed by audit_summary_done). */
int audit_session_summary(AuditSession *s, AuditSummary *ret);
