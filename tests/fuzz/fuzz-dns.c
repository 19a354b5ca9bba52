/* The gateway's DNS responder parses datagrams from hostile programs. Input: one datagram.
 * Beyond "no crash": accepted names are within DNS's bounds, and every reply is well formed
 * and never larger than 512 bytes. */
#include <errno.h>
#include <sys/socket.h>

#include "fuzz-util.h"
#include "net/dns-responder.h"
#include "net/gateway.h"

static const uint8_t addrs[DNS_ANSWERS_MAX + 2][16] = {{93, 184, 216, 34}, {1, 1, 1, 1}};

static void check_reply(const uint8_t *q, const uint8_t *out, size_t len)
{
        FUZZ_ASSERT(len >= 12 && len <= DNS_MESSAGE_MAX);
        FUZZ_ASSERT(out[0] == q[0] && out[1] == q[1]);
        FUZZ_ASSERT(out[2] & 0x80); /* a response: our own parser would not answer it */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint8_t out[DNS_MESSAGE_MAX + 64];
        DnsQuery q;
        size_t len;
        int r;

        r = dns_parse_query(data, size, &q);
        if (r == -ENOMSG)
                return 0;
        if (r < 0) {
                FUZZ_ASSERT(r == -EBADMSG || r == -EOPNOTSUPP);
                FUZZ_ASSERT(
                    dns_build_error(data, size, DNS_RCODE_FORMERR, out, sizeof(out), &len) == 0);
                check_reply(data, out, len);
                return 0;
        }
        FUZZ_ASSERT(strlen(q.name) <= 253);
        FUZZ_ASSERT(q.question_end <= size && q.question_end >= 12 + 1 + 4);
        if (q.name_ok && q.name[0]) {
                char norm[256];

                /* A valid name (per the parser) either normalises to itself or is refused. */
                if (net_host_normalize(q.name, norm, sizeof(norm)) == 0)
                        FUZZ_ASSERT(strcmp(norm, q.name) == 0);
        } else if (!q.name_ok)
                FUZZ_ASSERT(q.name[0] == '\0');
        for (size_t n = 0; n <= DNS_ANSWERS_MAX + 2; n += 3) {
                int family = n % 2 ? AF_INET6 : AF_INET;

                r = dns_build_reply(data, &q, DNS_RCODE_NOERROR, family, addrs, n, out, sizeof(out),
                                    &len);
                if (q.question_end > DNS_MESSAGE_MAX) {
                        FUZZ_ASSERT(r == -ENOBUFS);
                        continue;
                }
                FUZZ_ASSERT(r == 0);
                check_reply(data, out, len);
                FUZZ_ASSERT(out[7] <= DNS_ANSWERS_MAX && out[6] == 0);
        }
        return 0;
}
