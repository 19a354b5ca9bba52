/* The DNS messages of the gateway's resolver on 127.0.0.1:53 inside the sandbox: parsing one
 * query and building its reply. Pure functions on buffers; the gateway decides what to answer
 * (policy, getaddrinfo on the host) and does the I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_MESSAGE_MAX 512 /* plain UDP (no EDNS): every reply fits */
#define DNS_ANSWERS_MAX 8

enum {
        DNS_RCODE_NOERROR = 0,
        DNS_RCODE_FORMERR = 1,
        DNS_RCODE_SERVFAIL = 2,
        DNS_RCODE_NXDOMAIN = 3,
        DNS_RCODE_NOTIMP = 4,
        DNS_RCODE_REFUSED = 5,
};

enum {
        DNS_TYPE_A = 1,
        DNS_TYPE_AAAA = 28,
        DNS_CLASS_IN = 1,
};

typedef struct DnsQuery {
        uint16_t id;
        uint16_t flags;
        uint16_t qtype, qclass;
        char name[256];      /* lower case, dotted, no trailing dot; "" for the root */
        bool name_ok;        /* every label is letters, digits, '-' or '_' (else name is "") */
        size_t question_end; /* the header and the question, echoed in the reply */
} DnsQuery;

/* One standard query with one question. -ENOMSG: not worth a reply (shorter than a header, or a
 * response: answering those could loop two resolvers); -EOPNOTSUPP: an opcode other than QUERY
 * (reply NOTIMP with dns_build_error()); -EBADMSG: anything else malformed: a count other than
 * one question and no answers, a label over 63 bytes, a name over 255, a compression pointer in
 * the question, a truncated question (reply FORMERR). ret is written only on success. */
int dns_parse_query(const uint8_t *buf, size_t len, DnsQuery *ret);

/* The reply to a parsed query: the question echoed, and for NOERROR one A or AAAA record per
 * address (family AF_INET: 4 bytes of each addrs[i] used; AF_INET6: 16), TTL 0, at most
 * DNS_ANSWERS_MAX. query is the buffer q was parsed from. */
int dns_build_reply(const uint8_t *query, const DnsQuery *q, int rcode, int family,
                    const uint8_t (*addrs)[16], size_t n_addrs, uint8_t *out, size_t size,
                    size_t *ret_len);

/* A bare header (no question) with the query's id, opcode and RD bit, for FORMERR and NOTIMP
 * when the query could not be parsed. len must be at least 12. */
int dns_build_error(const uint8_t *query, size_t len, int rcode, uint8_t *out, size_t size,
                    size_t *ret_len);
