/* The sliding window of a scan rule: how many distinct destinations within the last T ms. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "audit-rules.h"

void audit_scan_init(AuditScanWindow *w, uint32_t window_ms)
{
        memset(w, 0, sizeof(*w));
        w->window_ms = window_ms;
}

static bool same_dest(const AuditScanDest *a, const AuditScanDest *b)
{
        if (a->family != b->family || a->port != b->port)
                return false;
        if (a->family == AUDIT_SCAN_NAME)
                return strcmp(a->name, b->name) == 0;
        return memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

size_t audit_scan_add(AuditScanWindow *w, const AuditScanDest *dest, uint64_t now_ms)
{
        size_t kept = 0, oldest = 0;

        /* forget what left the window, keeping the order of arrival */
        for (size_t i = 0; i < w->n; i++)
                if (now_ms < w->seen[i].ms || now_ms - w->seen[i].ms <= w->window_ms) {
                        if (kept != i) /* an entry holds a name: copy only what moves */
                                w->seen[kept] = w->seen[i];
                        kept++;
                }
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

int audit_scan_dest_host(const char *host, uint16_t port, AuditScanDest *ret)
{
        AuditScanDest d = {.port = htons(port)};
        char literal[INET6_ADDRSTRLEN];
        size_t len = strlen(host);

        if (len > 0 && host[len - 1] == '.')
                len--; /* "example.org." is "example.org" */
        if (len == 0 || len >= sizeof(d.name))
                return -EINVAL;
        literal[0] = '\0';
        /* "[::1]": the brackets of an authority are no part of the address */
        if (host[0] == '[' && host[len - 1] == ']' && len - 2 < sizeof(literal))
                snprintf(literal, sizeof(literal), "%.*s", (int)(len - 2), host + 1);
        else if (len < sizeof(literal))
                snprintf(literal, sizeof(literal), "%.*s", (int)len, host);
        if (inet_pton(AF_INET, literal, d.addr) == 1)
                d.family = AF_INET;
        else if (inet_pton(AF_INET6, literal, d.addr) == 1)
                d.family = AF_INET6;
        else {
                d.family = AUDIT_SCAN_NAME;
                for (size_t i = 0; i < len; i++)
                        d.name[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] - 'A' + 'a'
                                                                            : host[i]);
        }
        *ret = d;
        return 0;
}

void audit_scan_evidence(char *buf, size_t size, size_t count, uint32_t window_ms, const char *host,
                         unsigned port)
{
        snprintf(buf, size, "%zu distinct destinations within %u ms, the last %s:%u", count,
                 window_ms, host, port);
}
