/* RFC 1035 queries and replies, as little of them as a stub resolver needs. */
#include "dns-responder.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#define DNS_HEADER      12
#define DNS_FLAG_QR     0x8000
#define DNS_OPCODE_MASK 0x7800
#define DNS_FLAG_RD     0x0100
#define DNS_FLAG_RA     0x0080

static uint16_t get16(const uint8_t *p)
{
        return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
}

static bool is_name_byte(uint8_t c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
}

int dns_parse_query(const uint8_t *buf, size_t len, DnsQuery *ret)
{
        DnsQuery q = {.name_ok = true};
        size_t off = DNS_HEADER, name_len = 0, wire = 0;

        if (len < DNS_HEADER)
                return -ENOMSG;
        q.id = get16(buf);
        q.flags = get16(buf + 2);
        if (q.flags & DNS_FLAG_QR)
                return -ENOMSG;
        if (q.flags & DNS_OPCODE_MASK)
                return -EOPNOTSUPP;
        /* One question, no answers or authority; the additional section (EDNS) is ignored. */
        if (get16(buf + 4) != 1 || get16(buf + 6) != 0 || get16(buf + 8) != 0)
                return -EBADMSG;

        for (;;) {
                uint8_t l;

                if (off >= len)
                        return -EBADMSG;
                l = buf[off++];
                wire++;
                if (l == 0)
                        break;
                /* 0xc0: a compression pointer, 0x40/0x80: extended label types. None of them
                 * belongs in a question. */
                if (l > 63)
                        return -EBADMSG;
                wire += l;
                if (wire > 254 || l > len - off) /* 255 with the root's zero */
                        return -EBADMSG;
                if (name_len > 0)
                        q.name[name_len++] = '.';
                for (size_t i = 0; i < l; i++) {
                        uint8_t c = buf[off + i];

                        if (!is_name_byte(c))
                                q.name_ok = false;
                        q.name[name_len++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : (char)c;
                }
                off += l;
        }
        /* wire <= 255 bounds name_len at 253: labels plus dots. */
        q.name[name_len] = '\0';
        if (!q.name_ok)
                q.name[0] = '\0';
        if (len - off < 4)
                return -EBADMSG;
        q.qtype = get16(buf + off);
        q.qclass = get16(buf + off + 2);
        q.question_end = off + 4;
        *ret = q;
        return 0;
}

static uint16_t reply_flags(uint16_t query_flags, int rcode)
{
        return (uint16_t)(DNS_FLAG_QR | (query_flags & (DNS_OPCODE_MASK | DNS_FLAG_RD)) |
                          DNS_FLAG_RA | (rcode & 0xf));
}

int dns_build_reply(const uint8_t *query, const DnsQuery *q, int rcode, int family,
                    const uint8_t (*addrs)[16], size_t n_addrs, uint8_t *out, size_t size,
                    size_t *ret_len)
{
        size_t alen = family == AF_INET6 ? 16 : 4, rr = 12 + alen, pos;
        uint16_t type = family == AF_INET6 ? DNS_TYPE_AAAA : DNS_TYPE_A;

        if (rcode != DNS_RCODE_NOERROR || !addrs)
                n_addrs = 0;
        if (n_addrs > DNS_ANSWERS_MAX)
                n_addrs = DNS_ANSWERS_MAX;
        if (size > DNS_MESSAGE_MAX)
                size = DNS_MESSAGE_MAX;
        if (q->question_end > size)
                return -ENOBUFS;
        while (n_addrs > 0 && q->question_end + n_addrs * rr > size)
                n_addrs--;

        memcpy(out, query, q->question_end);
        put16(out + 2, reply_flags(q->flags, rcode));
        put16(out + 4, 1);
        put16(out + 6, (uint16_t)n_addrs);
        put16(out + 8, 0);
        put16(out + 10, 0);
        pos = q->question_end;
        for (size_t i = 0; i < n_addrs; i++) {
                put16(out + pos, 0xc000 | DNS_HEADER); /* the name: a pointer to the question's */
                put16(out + pos + 2, type);
                put16(out + pos + 4, DNS_CLASS_IN);
                memset(out + pos + 6, 0, 4); /* TTL 0: every lookup comes back to the policy */
                put16(out + pos + 10, (uint16_t)alen);
                memcpy(out + pos + 12, addrs[i], alen);
                pos += rr;
        }
        *ret_len = pos;
        return 0;
}

int dns_build_error(const uint8_t *query, size_t len, int rcode, uint8_t *out, size_t size,
                    size_t *ret_len)
{
        if (len < DNS_HEADER)
                return -EINVAL;
        if (size < DNS_HEADER)
                return -ENOBUFS;
        memset(out, 0, DNS_HEADER);
        memcpy(out, query, 2);
        put16(out + 2, reply_flags(get16(query + 2), rcode));
        *ret_len = DNS_HEADER;
        return 0;
}
