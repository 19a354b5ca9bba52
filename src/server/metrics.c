#include "metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "basic/macros.h"

/* Seconds. Runs last from milliseconds (a shell one-liner) to minutes (a test suite); waits for
 * a slot are usually nothing at all, and long only when the service is saturated. */
static const double run_buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                     1,     2.5,  5,     10,   30,  60,   300};
static const double wait_buckets[] = {0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60};

typedef struct Histogram {
        const double *bounds;
        size_t n_bounds;
        uint64_t counts[16]; /* per bucket, not cumulative; the last is +Inf */
        uint64_t count;
        double sum;
} Histogram;

typedef struct Series {
        char a[METRICS_LABEL_MAX + 1], b[METRICS_LABEL_MAX + 1];
        uint64_t value;
} Series;

typedef struct SeriesSet {
        Series *v;
        size_t n;
} SeriesSet;

struct Metrics {
        pthread_mutex_t lock;
        SeriesSet runs;     /* a: status, b: language */
        SeriesSet rejected; /* a: reason */
        Histogram run_duration, queue_wait;
};

int metrics_new(Metrics **ret)
{
        Metrics *m = calloc(1, sizeof(Metrics));

        if (!m)
                return -ENOMEM;
        pthread_mutex_init(&m->lock, NULL);
        m->run_duration = (Histogram){.bounds = run_buckets, .n_bounds = ELEMENTSOF(run_buckets)};
        m->queue_wait = (Histogram){.bounds = wait_buckets, .n_bounds = ELEMENTSOF(wait_buckets)};
        *ret = m;
        return 0;
}

Metrics *metrics_free(Metrics *m)
{
        if (!m)
                return NULL;
        free(m->runs.v);
        free(m->rejected.v);
        pthread_mutex_destroy(&m->lock);
        free(m);
        return NULL;
}

static void histogram_observe(Histogram *h, double v)
{
        size_t i = 0;

        while (i < h->n_bounds && v > h->bounds[i])
                i++;
        h->counts[i]++;
        h->count++;
        h->sum += v;
}

/* Adds 1 to the series with these labels, creating it (or "other") as needed. Locked. */
static void series_inc(SeriesSet *s, const char *a, const char *b)
{
        Series *grown;

        if (!a)
                a = "";
        if (!b)
                b = "";
        for (size_t i = 0; i < s->n; i++)
                if (strncmp(s->v[i].a, a, METRICS_LABEL_MAX) == 0 &&
                    strncmp(s->v[i].b, b, METRICS_LABEL_MAX) == 0) {
                        s->v[i].value++;
                        return;
                }
        if (strcmp(a, "other") != 0 || strcmp(b, "other") != 0) {
                /* Bounded memory whatever label values arrive: the last place is "other"'s. */
                if (s->n >= METRICS_MAX_SERIES - 1) {
                        series_inc(s, "other", "other");
                        return;
                }
        } else if (s->n >= METRICS_MAX_SERIES)
                return;
        grown = realloc(s->v, (s->n + 1) * sizeof(Series));
        if (!grown)
                return; /* a lost sample beats a failed request */
        s->v = grown;
        grown[s->n] = (Series){.value = 1};
        snprintf(grown[s->n].a, sizeof(grown[s->n].a), "%s", a);
        snprintf(grown[s->n].b, sizeof(grown[s->n].b), "%s", b);
        s->n++;
}

void metrics_run_done(Metrics *m, const char *status, const char *language, double seconds)
{
        pthread_mutex_lock(&m->lock);
        series_inc(&m->runs, status, language);
        histogram_observe(&m->run_duration, seconds);
        pthread_mutex_unlock(&m->lock);
}

void metrics_queue_wait(Metrics *m, double seconds)
{
        pthread_mutex_lock(&m->lock);
        histogram_observe(&m->queue_wait, seconds);
        pthread_mutex_unlock(&m->lock);
}

void metrics_rejected(Metrics *m, const char *reason)
{
        pthread_mutex_lock(&m->lock);
        series_inc(&m->rejected, reason, NULL);
        pthread_mutex_unlock(&m->lock);
}

/* A label value: backslash, double quote and newline escaped, as the format asks. */
static void put_label(FILE *f, const char *s)
{
        for (; *s; s++) {
                if (*s == '\\' || *s == '"')
                        fputc('\\', f);
                if (*s == '\n')
                        fputs("\\n", f);
                else
                        fputc(*s, f);
        }
}

static void put_histogram(FILE *f, const char *name, const char *help, const Histogram *h)
{
        uint64_t cum = 0;

        fprintf(f, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
        for (size_t i = 0; i < h->n_bounds; i++) {
                cum += h->counts[i];
                fprintf(f, "%s_bucket{le=\"%g\"} %llu\n", name, h->bounds[i],
                        (unsigned long long)cum);
        }
        fprintf(f, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)h->count);
        fprintf(f, "%s_sum %.6f\n%s_count %llu\n", name, h->sum, name,
                (unsigned long long)h->count);
}

int metrics_render(Metrics *m, uint64_t active, uint64_t queued, char **ret, size_t *ret_len)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        FILE *f;
        int r;

        f = open_memstream(&buf, &len);
        if (!f)
                return -ENOMEM;
        pthread_mutex_lock(&m->lock);
        fputs("# HELP airlock_runs_total Runs that ended, by result status and language.\n"
              "# TYPE airlock_runs_total counter\n",
              f);
        for (size_t i = 0; i < m->runs.n; i++) {
                fputs("airlock_runs_total{status=\"", f);
                put_label(f, m->runs.v[i].a);
                fputs("\",language=\"", f);
                put_label(f, m->runs.v[i].b);
                fprintf(f, "\"} %llu\n", (unsigned long long)m->runs.v[i].value);
        }
        put_histogram(f, "airlock_run_duration_seconds",
                      "Time from handing a run to the launcher to its result.", &m->run_duration);
        put_histogram(f, "airlock_queue_wait_seconds", "Time a request waited for a sandbox slot.",
                      &m->queue_wait);
        fprintf(f,
                "# HELP airlock_active_sandboxes Runs holding a sandbox slot now.\n"
                "# TYPE airlock_active_sandboxes gauge\n"
                "airlock_active_sandboxes %llu\n"
                "# HELP airlock_queue_depth Requests waiting for a sandbox slot now.\n"
                "# TYPE airlock_queue_depth gauge\n"
                "airlock_queue_depth %llu\n",
                (unsigned long long)active, (unsigned long long)queued);
        fputs("# HELP airlock_rejected_requests_total Requests answered with an error, by its "
              "code.\n"
              "# TYPE airlock_rejected_requests_total counter\n",
              f);
        for (size_t i = 0; i < m->rejected.n; i++) {
                fputs("airlock_rejected_requests_total{reason=\"", f);
                put_label(f, m->rejected.v[i].a);
                fprintf(f, "\"} %llu\n", (unsigned long long)m->rejected.v[i].value);
        }
        pthread_mutex_unlock(&m->lock);
        r = fflush(f) == 0 && !ferror(f) ? 0 : -ENOMEM;
        fclose(f);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}
