#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "server/metrics.h"

static char *render(Metrics *m, uint64_t active, uint64_t queued)
{
        char *text = NULL;
        size_t len = 0;

        cr_assert_eq(metrics_render(m, active, queued, &text, &len), 0);
        cr_assert_eq(strlen(text), len);
        return text;
}

static void has(const char *text, const char *line)
{
        cr_assert(strstr(text, line), "missing '%s' in:\n%s", line, text);
}

Test(metrics, exposition_format)
{
        Metrics *m = NULL;
        char *text;

        cr_assert_eq(metrics_new(&m), 0);
        metrics_run_done(m, "ok", "python", 0.02);
        metrics_run_done(m, "ok", "python", 0.2);
        metrics_run_done(m, "timeout", "command", 7);
        metrics_queue_wait(m, 0);
        metrics_queue_wait(m, 2);
        metrics_rejected(m, "queue_full");
        metrics_rejected(m, "queue_full");
        metrics_rejected(m, "bad\"la\\bel\n");
        text = render(m, 3, 4);

        has(text, "# TYPE airlock_runs_total counter\n");
        has(text, "airlock_runs_total{status=\"ok\",language=\"python\"} 2\n");
        has(text, "airlock_runs_total{status=\"timeout\",language=\"command\"} 1\n");
        has(text, "# TYPE airlock_run_duration_seconds histogram\n");
        has(text, "airlock_run_duration_seconds_bucket{le=\"0.025\"} 1\n");
        has(text, "airlock_run_duration_seconds_bucket{le=\"0.25\"} 2\n");
        has(text, "airlock_run_duration_seconds_bucket{le=\"5\"} 2\n");
        has(text, "airlock_run_duration_seconds_bucket{le=\"10\"} 3\n");
        has(text, "airlock_run_duration_seconds_bucket{le=\"+Inf\"} 3\n");
        has(text, "airlock_run_duration_seconds_sum 7.220000\n");
        has(text, "airlock_run_duration_seconds_count 3\n");
        has(text, "airlock_queue_wait_seconds_bucket{le=\"0.0001\"} 1\n");
        has(text, "airlock_queue_wait_seconds_bucket{le=\"1\"} 1\n");
        has(text, "airlock_queue_wait_seconds_bucket{le=\"5\"} 2\n");
        has(text, "airlock_queue_wait_seconds_count 2\n");
        has(text, "# TYPE airlock_active_sandboxes gauge\nairlock_active_sandboxes 3\n");
        has(text, "# TYPE airlock_queue_depth gauge\nairlock_queue_depth 4\n");
        has(text, "airlock_rejected_requests_total{reason=\"queue_full\"} 2\n");
        has(text, "airlock_rejected_requests_total{reason=\"bad\\\"la\\\\bel\\n\"} 1\n");
        /* Every line is a comment or "name{labels} value". */
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
                cr_assert(line[0] == '#' || strncmp(line, "airlock_", 8) == 0, "%s", line);
        free(text);
        metrics_free(m);
}

Test(metrics, series_are_bounded)
{
        Metrics *m = NULL;
        char *text, label[32];

        cr_assert_eq(metrics_new(&m), 0);
        for (int i = 0; i < METRICS_MAX_SERIES + 50; i++) {
                snprintf(label, sizeof(label), "code%d", i);
                metrics_rejected(m, label);
        }
        text = render(m, 0, 0);
        has(text, "airlock_rejected_requests_total{reason=\"other\"} 51\n");
        cr_assert_null(strstr(text, "code300"));
        free(text);
        metrics_free(m);
}
