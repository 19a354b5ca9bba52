/* The gateway's allow-list: --allow-net host rules, --allow-private CIDRs, and the table of
 * address ranges that are never reached unless a CIDR names them. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "basic/parse.h"
#include "config/limits.h"
#include "gateway.h"

#define NET_PRIVATE_MAX 64

/* Address ranges that are not the public Internet: the host itself, its LANs, the cloud
 * metadata service (169.254.169.254), multicast and reserved space. 255.255.255.255 lies
 * inside 240.0.0.0/4. */
static const NetCidr special_v4[] = {
    {AF_INET, {0, 0, 0, 0}, 8},       /* "this network": 0.0.0.0 reaches the host */
    {AF_INET, {10, 0, 0, 0}, 8},      /* RFC 1918 private */
    {AF_INET, {100, 64, 0, 0}, 10},   /* carrier-grade NAT, often the host's provider */
    {AF_INET, {127, 0, 0, 0}, 8},     /* loopback: airlock's own host */
    {AF_INET, {169, 254, 0, 0}, 16},  /* link-local: cloud metadata services */
    {AF_INET, {172, 16, 0, 0}, 12},   /* RFC 1918 private */
    {AF_INET, {192, 0, 0, 0}, 24},    /* IETF protocol assignments */
    {AF_INET, {192, 0, 2, 0}, 24},    /* TEST-NET-1 */
    {AF_INET, {192, 168, 0, 0}, 16},  /* RFC 1918 private */
    {AF_INET, {198, 18, 0, 0}, 15},   /* benchmarking */
    {AF_INET, {198, 51, 100, 0}, 24}, /* TEST-NET-2 */
    {AF_INET, {203, 0, 113, 0}, 24},  /* TEST-NET-3 */
    {AF_INET, {224, 0, 0, 0}, 4},     /* multicast */
    {AF_INET, {240, 0, 0, 0}, 4},     /* reserved, and the limited broadcast address */
};

static const NetCidr special_v6[] = {
    /* ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d, which some stacks still route
     * to the embedded IPv4 address */
    {AF_INET6, {0}, 96},
    {AF_INET6, {0xfc}, 7},                          /* unique local */
    {AF_INET6, {0xfe, 0x80}, 10},                   /* link-local */
    {AF_INET6, {0xfe, 0xc0}, 10},                   /* site-local (deprecated) */
    {AF_INET6, {0xff}, 8},                          /* multicast */
    {AF_INET6, {0x20, 0x01, 0x0d, 0xb8}, 32},       /* documentation */
    {AF_INET6, {0x00, 0x64, 0xff, 0x9b, 0, 1}, 48}, /* local-use NAT64: a site's own */
};

/* ::ffff:0:0/96 (v4-mapped) and 64:ff9b::/96 (NAT64) carry an IPv4 address that is what the
 * connection really reaches: they are judged by it. */
static const NetCidr embeds_v4[] = {
    {AF_INET6, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96},
    {AF_INET6, {0x00, 0x64, 0xff, 0x9b}, 96},
};

const char *net_record_kind_to_string(NetRecordKind kind)
{
        switch (kind) {
        case NET_RECORD_CONNECT:
                return "connect";
        case NET_RECORD_HTTP:
                return "http";
        case NET_RECORD_DNS:
                return "dns";
        }
        return "unknown";
}

void net_policy_init(NetPolicy *p)
{
        *p = (NetPolicy){
            .max_conns = AIRLOCK_DEFAULT_NET_CONNS,
            .max_bytes_up = AIRLOCK_DEFAULT_NET_BYTES,
            .max_bytes_down = AIRLOCK_DEFAULT_NET_BYTES,
        };
}

void net_policy_done(NetPolicy *p)
{
        if (!p)
                return;
        for (size_t i = 0; i < p->n_rules; i++)
                free(p->rules[i].host);
        free(p->rules);
        free(p->private_ok);
        net_policy_init(p);
}

int net_policy_copy(const NetPolicy *src, NetPolicy *ret)
{
        NetPolicy c = *src;

        c.rules = calloc(src->n_rules ? src->n_rules : 1, sizeof(NetAllowRule));
        c.private_ok = calloc(src->n_private_ok ? src->n_private_ok : 1, sizeof(NetCidr));
        c.n_rules = 0;
        if (!c.rules || !c.private_ok) {
                net_policy_done(&c);
                return -ENOMEM;
        }
        if (src->n_private_ok)
                memcpy(c.private_ok, src->private_ok, src->n_private_ok * sizeof(NetCidr));
        for (size_t i = 0; i < src->n_rules; i++) {
                c.rules[i].host = strdup(src->rules[i].host);
                if (!c.rules[i].host) {
                        net_policy_done(&c);
                        return -ENOMEM;
                }
                c.rules[i].port = src->rules[i].port;
                c.n_rules++;
        }
        *ret = c;
        return 0;
}

static bool is_name_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* A DNS name, already lower case and without a trailing dot: labels of 1-63 name characters,
 * and a last label that is not all digits (no top-level domain is; "1.2.3" is an address to
 * inet_aton(), which getaddrinfo() uses). */
static bool name_valid(const char *s)
{
        size_t label = 0, total = strlen(s);
        bool digits_only = true;
        struct in_addr a;

        if (total == 0 || total > 253)
                return false;
        for (const char *c = s; *c; c++) {
                if (*c == '.') {
                        if (label == 0)
                                return false;
                        label = 0;
                        digits_only = true;
                        continue;
                }
                if (!is_name_char(*c) || ++label > 63)
                        return false;
                if (*c < '0' || *c > '9')
                        digits_only = false;
        }
        if (label == 0 || digits_only)
                return false;
        /* "0x7f000001" and friends: anything else the C library would take for an address. */
        return inet_aton(s, &a) == 0;
}

int net_host_normalize(const char *host, char *buf, size_t size)
{
        char tmp[256];
        size_t n;
        union {
                struct in_addr v4;
                struct in6_addr v6;
        } a;

        if (!host)
                return -EINVAL;
        n = strlen(host);
        if (n == 0 || n >= sizeof(tmp))
                return -EINVAL;
        if (host[0] == '[') {
                if (n < 3 || host[n - 1] != ']')
                        return -EINVAL;
                memcpy(tmp, host + 1, n - 2);
                tmp[n - 2] = '\0';
                if (inet_pton(AF_INET6, tmp, &a.v6) != 1)
                        return -EINVAL;
        } else if (strchr(host, ':')) {
                if (inet_pton(AF_INET6, host, &a.v6) != 1)
                        return -EINVAL;
        } else {
                /* One trailing dot is the fully qualified spelling of the same name. */
                if (host[n - 1] == '.')
                        n--;
                for (size_t i = 0; i < n; i++)
                        tmp[i] =
                            (host[i] >= 'A' && host[i] <= 'Z') ? (char)(host[i] + 32) : host[i];
                tmp[n] = '\0';
                if (inet_pton(AF_INET, tmp, &a.v4) == 1) {
                        if (!inet_ntop(AF_INET, &a.v4, tmp, sizeof(tmp)))
                                return -EINVAL;
                } else if (!name_valid(tmp))
                        return -EINVAL;
                goto done;
        }
        if (!inet_ntop(AF_INET6, &a.v6, tmp, sizeof(tmp)))
                return -EINVAL;
done:
        if (strlen(tmp) >= size)
                return -ENAMETOOLONG;
        strcpy(buf, tmp);
        return 0;
}

static bool is_ip_literal(const char *s)
{
        uint8_t a[16];

        return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/* One "HOST[:PORT]" of a spec, into a rule (host allocated). */
static int parse_rule(const char *part, size_t len, NetAllowRule *ret, AirlockError *err)
{
        char buf[256], norm[256], host[260];
        const char *port = NULL, *h = buf;
        uint32_t v = 0;
        bool wildcard = false;

        if (len == 0)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "--allow-net",
                                         "empty host");
        if (len >= sizeof(buf))
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "--allow-net",
                                         "host too long");
        memcpy(buf, part, len);
        buf[len] = '\0';
        if (buf[0] == '[') {
                char *close = strchr(buf, ']');

                if (!close)
                        return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "--allow-net",
                                                 "'%s': no closing ']'", buf);
                if (close[1] == ':')
                        port = close + 2;
                else if (close[1] != '\0')
                        return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "--allow-net",
                                                 "'%s': junk after ']'", buf);
                close[1] = '\0';
                /* net_host_normalize() checks that the brackets hold an IPv6 address. */
        } else {
                char *colon = strchr(buf, ':');

                if (colon && strchr(colon + 1, ':'))
                        return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "--allow-net",
                                                 "'%s': IPv6 addresses go in brackets", buf);
                if (colon) {
                        *colon = '\0';
                        port = colon + 1;
                }
                if (strncmp(buf, "*.", 2) == 0) {
                        wildcard = true;
                        h = buf + 2;
                }
                if (strchr(h, '*'))
                        return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "--allow-net",
                                                 "'%s': '*' only as a whole first label", buf);
        }
        if (net_host_normalize(h, norm, sizeof(norm)) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "--allow-net",
                                         "'%s': not a host name or address", buf);
        if (wildcard && is_ip_literal(norm))
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "--allow-net",
                                         "'%s': a wildcard needs a domain", buf);
        if (port && (parse_uint32(port, &v) < 0 || v == 0 || v > 65535))
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "--allow-net",
                                         "'%s': bad port '%s'", buf, port);
        /* A normalised name has at most 253 characters: "*." fits. */
        snprintf(host, sizeof(host), "%s%s", wildcard ? "*." : "", norm);
        ret->host = strdup(host);
        if (!ret->host)
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, ENOMEM, "--allow-net", NULL);
        ret->port = (uint16_t)v;
        return 0;
}

int net_policy_add_allow(NetPolicy *p, const char *spec, AirlockError *err)
{
        NetAllowRule *rules;
        size_t n_new, first = p->n_rules;
        const char *s;

        if (!spec || !*spec)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "--allow-net",
                                         "empty spec");
        n_new = 1;
        for (s = spec; *s; s++)
                n_new += *s == ',';
        if (n_new > AIRLOCK_MAX_NET_SPECS || p->n_rules + n_new > AIRLOCK_MAX_NET_SPECS)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, E2BIG, "--allow-net",
                                         "more than %d hosts", AIRLOCK_MAX_NET_SPECS);
        rules = realloc(p->rules, (p->n_rules + n_new) * sizeof(*rules));
        if (!rules)
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, ENOMEM, "--allow-net", NULL);
        p->rules = rules;
        /* All parts or none: a bad spec leaves the policy as it was. */
        s = spec;
        for (size_t i = 0; i < n_new; i++) {
                const char *end = strchr(s, ',');
                size_t len = end ? (size_t)(end - s) : strlen(s);
                int r = parse_rule(s, len, &p->rules[p->n_rules], err);

                if (r < 0) {
                        while (p->n_rules > first)
                                free(p->rules[--p->n_rules].host);
                        return r;
                }
                p->n_rules++;
                s = end ? end + 1 : s + len;
        }
        return 0;
}

static void cidr_mask(NetCidr *c)
{
        size_t bytes = c->family == AF_INET ? 4 : 16;

        for (size_t i = 0; i < bytes; i++) {
                unsigned keep = c->prefix >= 8 * (i + 1) ? 8
                                : c->prefix > 8 * i      ? c->prefix - 8 * i
                                                         : 0;

                c->addr[i] &= (uint8_t)(0xff00u >> keep);
        }
}

int net_policy_add_private(NetPolicy *p, const char *cidr, AirlockError *err)
{
        char buf[64], *slash, *a = buf;
        NetCidr c = {0};
        NetCidr *v;
        uint32_t prefix;
        size_t n;

        if (!cidr || !*cidr || strlen(cidr) >= sizeof(buf))
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "--allow-private",
                                         "'%s': not a CIDR", cidr ? cidr : "");
        if (p->n_private_ok >= NET_PRIVATE_MAX)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, E2BIG, "--allow-private",
                                         "more than %d ranges", NET_PRIVATE_MAX);
        strcpy(buf, cidr);
        slash = strchr(buf, '/');
        if (slash)
                *slash = '\0';
        /* "[fd00::]/8" is accepted too: the brackets of --allow-net. */
        n = strlen(a);
        if (n >= 2 && a[0] == '[' && a[n - 1] == ']') {
                a[n - 1] = '\0';
                a++;
        }
        if (inet_pton(AF_INET, a, c.addr) == 1)
                c.family = AF_INET;
        else if (inet_pton(AF_INET6, a, c.addr) == 1)
                c.family = AF_INET6;
        else
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "--allow-private",
                                         "'%s': not an address", cidr);
        prefix = c.family == AF_INET ? 32 : 128;
        if (slash) {
                uint32_t max = prefix;

                if (parse_uint32(slash + 1, &prefix) < 0 || prefix > max)
                        return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "--allow-private",
                                                 "'%s': bad prefix length", cidr);
        }
        c.prefix = (uint8_t)prefix;
        cidr_mask(&c);
        v = realloc(p->private_ok, (p->n_private_ok + 1) * sizeof(*v));
        if (!v)
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, ENOMEM, "--allow-private",
                                         NULL);
        p->private_ok = v;
        p->private_ok[p->n_private_ok++] = c;
        return 0;
}

static bool port_matches(uint16_t rule, uint16_t port)
{
        return rule == 0 ? (port == 80 || port == 443) : rule == port;
}

/* host is normalised. */
static bool rule_matches_host(const NetAllowRule *r, const char *host)
{
        if (strncmp(r->host, "*.", 2) == 0) {
                size_t hl = strlen(host), sl = strlen(r->host + 1); /* ".example.org" */

                /* Not the apex, and never an address (a normalised name is not one). */
                return hl > sl && strcmp(host + hl - sl, r->host + 1) == 0 && !is_ip_literal(host);
        }
        return strcmp(r->host, host) == 0;
}

bool net_policy_host_allowed(const NetPolicy *p, const char *host, uint16_t port)
{
        char norm[256];

        if (port == 0 || net_host_normalize(host, norm, sizeof(norm)) < 0)
                return false;
        for (size_t i = 0; i < p->n_rules; i++)
                if (port_matches(p->rules[i].port, port) && rule_matches_host(&p->rules[i], norm))
                        return true;
        return false;
}

bool net_policy_name_allowed(const NetPolicy *p, const char *host)
{
        char norm[256];

        if (net_host_normalize(host, norm, sizeof(norm)) < 0)
                return false;
        for (size_t i = 0; i < p->n_rules; i++)
                if (rule_matches_host(&p->rules[i], norm))
                        return true;
        return false;
}

static bool cidr_contains(const NetCidr *c, int family, const uint8_t *addr)
{
        size_t full = c->prefix / 8;
        unsigned rest = c->prefix % 8;

        if (c->family != family)
                return false;
        if (memcmp(c->addr, addr, full) != 0)
                return false;
        if (rest == 0)
                return true;
        return ((c->addr[full] ^ addr[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

static bool in_table(const NetCidr *t, size_t n, int family, const uint8_t *addr)
{
        for (size_t i = 0; i < n; i++)
                if (cidr_contains(&t[i], family, addr))
                        return true;
        return false;
}

bool net_policy_address_allowed(const NetPolicy *p, const struct sockaddr *sa)
{
        uint8_t addr[16];
        int family;

        if (!sa)
                return false;
        if (sa->sa_family == AF_INET) {
                family = AF_INET;
                memcpy(addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        } else if (sa->sa_family == AF_INET6) {
                family = AF_INET6;
                memcpy(addr, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
        } else
                return false;

        /* An --allow-private range may name either spelling of an embedded IPv4 address. */
        if (in_table(p->private_ok, p->n_private_ok, family, addr))
                return true;
        if (family == AF_INET6 && in_table(embeds_v4, ELEMENTSOF(embeds_v4), family, addr)) {
                memmove(addr, addr + 12, 4);
                family = AF_INET;
                if (in_table(p->private_ok, p->n_private_ok, family, addr))
                        return true;
        }
        if (family == AF_INET)
                return !in_table(special_v4, ELEMENTSOF(special_v4), family, addr);
        return !in_table(special_v6, ELEMENTSOF(special_v6), family, addr);
}
