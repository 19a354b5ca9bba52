/* The gateway's DNS responder: A and AAAA for allowed names, answered with what the host's
 * resolver says, TTL 0, and only addresses the policy accepts. Everything else is refused or not
 * implemented, and every query is recorded. */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "dns-responder.h"
#include "gateway-internal.h"

static const char *dns_type_name(uint16_t type)
{
        return type == DNS_TYPE_A ? "A" : type == DNS_TYPE_AAAA ? "AAAA" : "type";
}

/* The answer to an allowed A or AAAA question. */
static int dns_resolve_answer(Gateway *g, const uint8_t *in, const DnsQuery *q, NetRecord *rec,
                              uint8_t *out, size_t size, size_t *ret_len)
{
        int family = q->qtype == DNS_TYPE_A ? AF_INET : AF_INET6;
        const char *t = dns_type_name(q->qtype);
        struct sockaddr_storage addrs[ADDRS_MAX];
        uint8_t raw[DNS_ANSWERS_MAX][16];
        struct addrinfo *res = NULL;
        size_t n = 0, total = 0;
        int r, rcode = DNS_RCODE_NOERROR;

        r = gateway_resolve(g, q->name, family, DNS_RESOLVE_TIMEOUT_MS, &res);
        if (r == -ECANCELED) {
                set_reason(rec, "%s: stopped", t);
                return r;
        }
        if (r == -ENOENT) {
                /* NODATA rather than NXDOMAIN: the other family may well exist. */
                set_reason(rec, "%s: no address", t);
        } else if (r < 0) {
                rcode = DNS_RCODE_SERVFAIL;
                set_reason(rec, "%s: %s", t, r == -ETIMEDOUT ? "timed out" : "resolution failed");
        } else {
                n = gateway_filter_addresses(&g->policy, res, 0, addrs, DNS_ANSWERS_MAX, &total);
                freeaddrinfo(res);
                if (n == 0 && total > 0) {
                        rcode = DNS_RCODE_REFUSED;
                        rec->allowed = false;
                        set_reason(rec, "%s: resolves to a private address", t);
                } else
                        set_reason(rec, "%s: %zu address%s", t, n, n == 1 ? "" : "es");
        }
        for (size_t i = 0; i < n; i++) {
                const struct sockaddr *sa = (const struct sockaddr *)&addrs[i];

                if (family == AF_INET)
                        memcpy(raw[i], &((const struct sockaddr_in *)sa)->sin_addr, 4);
                else
                        memcpy(raw[i], &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
        }
        if (n > 0)
                gateway_format_address((const struct sockaddr *)&addrs[0], rec->address,
                                       sizeof(rec->address));
        return dns_build_reply(in, q, rcode, family, (const uint8_t(*)[16])raw, n, out, size,
                               ret_len);
}

/* Builds the reply to one datagram (*ret_len 0: none) and fills its record. */
static void dns_handle(Gateway *g, const uint8_t *in, size_t len, uint8_t *out, size_t size,
                       size_t *ret_len, NetRecord *rec)
{
        DnsQuery q;
        int r;

        *ret_len = 0;
        r = dns_parse_query(in, len, &q);
        if (r == -ENOMSG) {
                set_reason(rec, "not a query");
                return;
        }
        if (r < 0) {
                set_reason(rec, r == -EOPNOTSUPP ? "opcode not implemented" : "malformed query");
                (void)dns_build_error(in, len,
                                      r == -EOPNOTSUPP ? DNS_RCODE_NOTIMP : DNS_RCODE_FORMERR, out,
                                      size, ret_len);
                return;
        }
        snprintf(rec->host, sizeof(rec->host), "%s", q.name);
        if (q.qclass != DNS_CLASS_IN || (q.qtype != DNS_TYPE_A && q.qtype != DNS_TYPE_AAAA)) {
                set_reason(rec, "type %u class %u not implemented", q.qtype, q.qclass);
                (void)dns_build_reply(in, &q, DNS_RCODE_NOTIMP, AF_INET, NULL, 0, out, size,
                                      ret_len);
                return;
        }
        if (!q.name_ok || !net_policy_name_allowed(&g->policy, q.name)) {
                set_reason(rec, "%s: name not allowed", dns_type_name(q.qtype));
                (void)dns_build_reply(in, &q, DNS_RCODE_REFUSED, AF_INET, NULL, 0, out, size,
                                      ret_len);
                return;
        }
        rec->allowed = true;
        if (dns_resolve_answer(g, in, &q, rec, out, size, ret_len) < 0)
                *ret_len = 0;
}

void *gateway_dns_thread(void *arg)
{
        Gateway *g = arg;
        uint8_t in[4096], out[DNS_MESSAGE_MAX];

        while (!stopping(g)) {
                struct sockaddr_storage from;
                socklen_t flen = sizeof(from);
                NetRecord rec = {.kind = NET_RECORD_DNS};
                uint64_t t0;
                size_t olen;
                ssize_t n;

                if (gateway_wait_fd(g, g->dns_fd, POLLIN, UINT64_MAX) < 0)
                        break;
                n = recvfrom(g->dns_fd, in, sizeof(in), MSG_DONTWAIT, (struct sockaddr *)&from,
                             &flen);
                if (n < 0) {
                        if (errno == EAGAIN || errno == EINTR || errno == ECONNREFUSED)
                                continue;
                        if (gateway_wait_fd(g, -1, 0, now_ms() + 100) < 0)
                                break;
                        continue;
                }
                t0 = now_ms();
                dns_handle(g, in, (size_t)n, out, sizeof(out), &olen, &rec);
                rec.duration_ms = now_ms() - t0;
                /* Announced and kept before the answer goes out: what the program does next
                 * comes after this query, in the events and in the records alike. */
                gateway_announce(g, &rec);
                gateway_record(g, &rec);
                if (olen > 0)
                        (void)sendto(g->dns_fd, out, olen, MSG_DONTWAIT | MSG_NOSIGNAL,
                                     (struct sockaddr *)&from, flen);
        }
        return NULL;
}
