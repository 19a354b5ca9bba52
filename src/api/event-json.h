/* Audit events (audit/audit-event.h) as JSON: one object per event, written as one line for
 * --events and for the server's event stream. docs/EVENTS.md is the schema. Also the result's
 * "audit" and "violation" objects. */
#pragma once

#include <jansson.h>
#include <stdio.h>

#include "audit/audit-event.h"

/* NULL when out of memory. */
json_t *audit_event_to_json(const AuditEvent *ev);

/* The event as one line of compact JSON (with its newline). Returns 0 or a negative errno. */
int audit_event_write_json_line(const AuditEvent *ev, FILE *f);

/* {"level", "counts": {kind: n}, "alerts": [...], "alerts_total", "dropped", "error"?} */
json_t *audit_summary_to_json(const AuditSummary *s);

/* {"rule", "severity", "action", "evidence"}: an alert, and a violation. */
json_t *audit_alert_to_json(const AuditAlert *a);
