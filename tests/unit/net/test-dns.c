/* DNS query parsing and reply building. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "net/dns-responder.h"

/* A query for name (dotted) of type, id 0x1234, RD set. Returns its length. */
static size_t make_query(const char *name, uint16_t type, uint8_t *buf)
{
        static const uint8_t header[12] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
        size_t n = 12;

        memcpy(buf, header, 12);
        while (*name) {
                const char *dot = strchr(name, '.');
                size_t l = dot ? (size_t)(dot - name) : strlen(name);

                buf[n++] = (uint8_t)l;
                memcpy(buf + n, name, l);
                n += l;
                name += l + (dot ? 1 : 0);
        }
        buf[n++] = 0;
        buf[n++] = (uint8_t)(type >> 8);
        buf[n++] = (uint8_t)type;
        buf[n++] = 0;
        buf[n++] = 1;
        return n;
}

Test(dns, parse_query)
{
        uint8_t buf[512];
        size_t n = make_query("WWW.Example.org", DNS_TYPE_AAAA, buf);
        DnsQuery q;

        cr_assert_eq(dns_parse_query(buf, n, &q), 0);
        cr_assert_eq(q.id, 0x1234);
        cr_assert_str_eq(q.name, "www.example.org");
        cr_assert(q.name_ok);
        cr_assert_eq(q.qtype, DNS_TYPE_AAAA);
        cr_assert_eq(q.qclass, DNS_CLASS_IN);
        cr_assert_eq(q.question_end, n);

        n = make_query("", DNS_TYPE_A, buf);
        cr_assert_eq(dns_parse_query(buf, n, &q), 0);
        cr_assert_str_eq(q.name, "", "the root");

        n = make_query("a b.org", DNS_TYPE_A, buf);
        cr_assert_eq(dns_parse_query(buf, n, &q), 0);
        cr_assert_not(q.name_ok);
        cr_assert_str_eq(q.name, "");
        /* A dot inside a label must not turn into a name that matches a rule. */
        n = make_query("xexample.org", DNS_TYPE_A, buf);
        buf[13] = '.';
        cr_assert_eq(dns_parse_query(buf, n, &q), 0);
        cr_assert_not(q.name_ok);
}

Test(dns, parse_rejects)
{
        uint8_t buf[600], tmp[600];
        char a63[65], name[300];
        size_t n = make_query("a.org", DNS_TYPE_A, buf);
        DnsQuery q;

        cr_assert_eq(dns_parse_query(buf, 11, &q), -ENOMSG, "shorter than a header");
        memcpy(tmp, buf, n);
        tmp[2] |= 0x80;
        cr_assert_eq(dns_parse_query(tmp, n, &q), -ENOMSG, "a response");
        memcpy(tmp, buf, n);
        tmp[2] |= 0x10; /* opcode 2: STATUS */
        cr_assert_eq(dns_parse_query(tmp, n, &q), -EOPNOTSUPP);
        memcpy(tmp, buf, n);
        tmp[5] = 2;
        cr_assert_eq(dns_parse_query(tmp, n, &q), -EBADMSG, "two questions");
        memcpy(tmp, buf, n);
        tmp[5] = 0;
        cr_assert_eq(dns_parse_query(tmp, n, &q), -EBADMSG, "no question");
        memcpy(tmp, buf, n);
        tmp[7] = 1;
        cr_assert_eq(dns_parse_query(tmp, n, &q), -EBADMSG, "an answer");
        for (size_t k = 12; k < n; k++)
                cr_assert_eq(dns_parse_query(buf, k, &q), -EBADMSG, "truncated at %zu", k);
        memcpy(tmp, buf, n);
        tmp[12] = 0xc0; /* a compression pointer in the question */
        tmp[13] = 12;
        cr_assert_eq(dns_parse_query(tmp, n, &q), -EBADMSG);
        tmp[12] = 0x40; /* an extended label type */
        cr_assert_eq(dns_parse_query(tmp, n, &q), -EBADMSG);

        /* Labels of 64, and names over 255 bytes. */
        memset(a63, 'a', 64);
        a63[64] = '\0';
        n = make_query(a63, DNS_TYPE_A, buf);
        cr_assert_eq(dns_parse_query(buf, n, &q), -EBADMSG, "64-byte label");
        a63[63] = '\0';
        snprintf(name, sizeof(name), "%s.%s.%s.%.61s", a63, a63, a63, a63);
        n = make_query(name, DNS_TYPE_A, buf);
        cr_assert_eq(dns_parse_query(buf, n, &q), 0, "253 characters, 255 bytes");
        cr_assert_eq(strlen(q.name), 253);
        snprintf(name, sizeof(name), "%s.%s.%s.%.62s", a63, a63, a63, a63);
        n = make_query(name, DNS_TYPE_A, buf);
        cr_assert_eq(dns_parse_query(buf, n, &q), -EBADMSG, "256 bytes");
}

Test(dns, reply)
{
        const uint8_t addrs[2][16] = {{93, 184, 216, 34}, {1, 2, 3, 4}};
        uint8_t buf[512], out[512];
        size_t n = make_query("a.org", DNS_TYPE_A, buf), len;
        DnsQuery q;

        cr_assert_eq(dns_parse_query(buf, n, &q), 0);
        cr_assert_eq(
            dns_build_reply(buf, &q, DNS_RCODE_NOERROR, AF_INET, addrs, 2, out, sizeof(out), &len),
            0);
        cr_assert_eq(len, n + 2 * 16);
        cr_assert_eq(out[0], 0x12);
        cr_assert_eq(out[1], 0x34);
        cr_assert_eq(out[2], 0x81, "QR and RD");
        cr_assert_eq(out[3], 0x80, "RA, NOERROR");
        cr_assert_eq(out[7], 2, "two answers");
        cr_assert_eq(memcmp(out + 12, buf + 12, n - 12), 0, "the question echoed");
        cr_assert_eq(out[n], 0xc0);
        cr_assert_eq(out[n + 1], 12);
        cr_assert_eq(out[n + 3], DNS_TYPE_A);
        cr_assert_eq(out[n + 6] | out[n + 7] | out[n + 8] | out[n + 9], 0, "TTL 0");
        cr_assert_eq(out[n + 11], 4);
        cr_assert_eq(memcmp(out + n + 12, addrs[0], 4), 0);

        cr_assert_eq(
            dns_build_reply(buf, &q, DNS_RCODE_REFUSED, AF_INET, addrs, 2, out, sizeof(out), &len),
            0);
        cr_assert_eq(len, n, "no answers with an error");
        cr_assert_eq(out[3] & 0xf, DNS_RCODE_REFUSED);
        cr_assert_eq(out[7], 0);

        /* Never more than fits in 512 bytes, or in out. */
        cr_assert_eq(
            dns_build_reply(buf, &q, DNS_RCODE_NOERROR, AF_INET6, addrs, 2, out, n + 30, &len), 0);
        cr_assert_eq(len, n + 28);
        cr_assert_eq(out[7], 1);
        cr_assert_eq(dns_build_reply(buf, &q, DNS_RCODE_NOERROR, AF_INET6, addrs, 2, out, 10, &len),
                     -ENOBUFS);

        cr_assert_eq(dns_build_error(buf, n, DNS_RCODE_FORMERR, out, sizeof(out), &len), 0);
        cr_assert_eq(len, 12);
        cr_assert_eq(out[3] & 0xf, DNS_RCODE_FORMERR);
        cr_assert_eq(out[5], 0, "no question");
        cr_assert_eq(dns_build_error(buf, 11, DNS_RCODE_FORMERR, out, sizeof(out), &len), -EINVAL);
}
