/* The sliding window of a scan rule: how many distinct destinations within the last T ms. */
#include <string.h>

#include "audit-rules.h"

void audit_scan_init(AuditScanWindow *w, uint32_t window_ms)
{
        memset(w, 0, sizeof(*w));
        w->window_ms = window_ms;
}

static bool same_dest(const AuditScanDest *a, const AuditScanDest *b)
{
        return a->family == b->family && a->port == b->port &&
               memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

size_t audit_scan_add(AuditScanWindow *w, const AuditScanDest *dest, uint64_t now_ms)
{
        size_t kept = 0, oldest = 0;

        /* forget what left the window, keeping the order of arrival */
        for (size_t i = 0; i < w->n; i++)
                if (now_ms < w->seen[i].ms || now_ms - w->seen[i].ms <= w->window_ms)
                        w->seen[kept++] = w->seen[i];
        w->n = kept;
        for (size_t i = 0; i < w->n; i++)
                if (same_dest(&w->seen[i].dest, dest)) {
                        w->seen[i].ms = now_ms;
                        return w->n;
                }
        if (w->n == AUDIT_SCAN_COUNT_MAX) {
                /* full: the rule fired long ago (its count is at most this); drop the oldest */
                for (size_t i = 1; i < w->n; i++)
                        if (w->seen[i].ms < w->seen[oldest].ms)
                                oldest = i;
                w->seen[oldest] = w->seen[--w->n];
        }
        w->seen[w->n].dest = *dest;
        w->seen[w->n].ms = now_ms;
        return ++w->n;
}
