/* What GET /metrics shows, in the Prometheus text format (version 0.0.4):
 *
 *   airlock_runs_total{status,language}        counter: runs that ended, by result status
 *   airlock_run_duration_seconds               histogram: launcher hand-off to result
 *   airlock_queue_wait_seconds                 histogram: body read to sandbox slot
 *   airlock_active_sandboxes, airlock_queue_depth     gauges (read from Capacity when shown)
 *   airlock_rejected_requests_total{reason}    counter: requests answered with an error code
 *
 * Thread-safe (one mutex). Label values come from our own tables and result statuses, but are
 * escaped anyway; past METRICS_MAX_SERIES distinct label sets new ones count as "other". */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define METRICS_MAX_SERIES 256
#define METRICS_LABEL_MAX  48

typedef struct Metrics Metrics;

int metrics_new(Metrics **ret);
Metrics *metrics_free(Metrics *m);

void metrics_run_done(Metrics *m, const char *status, const char *language, double seconds);
void metrics_queue_wait(Metrics *m, double seconds);
void metrics_rejected(Metrics *m, const char *reason);

/* The exposition text, malloc'd. active and queued are the gauges' values now. */
int metrics_render(Metrics *m, uint64_t active, uint64_t queued, char **ret, size_t *ret_len);
