/* The egress gateway: the only way out of a sandbox that was given --allow-net. It runs in
 * airlock (outside the sandbox) on sockets that pid 1 created inside the sandbox's network
 * namespace (a TCP listener on 127.0.0.1:AIRLOCK_PROXY_PORT, a UDP socket on 127.0.0.1:53) and
 * handed over the sync socket: no veth, no host firewall rules, so it works rootless.
 *
 * - an HTTP proxy: CONNECT host:port for TLS, absolute-URI requests for plain HTTP;
 * - a DNS responder that answers only for allowed names and refuses the rest;
 * - it resolves names itself, connects only to the addresses it resolved, and refuses private,
 *   loopback, link-local (169.254.169.254...), multicast and other non-public ranges unless an
 *   --allow-private CIDR names them (which also defeats DNS rebinding);
 * - caps per run: concurrent connections, bytes each way, connection lifetime;
 * - every attempt, allowed or refused, is recorded. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "basic/error.h"

#define AIRLOCK_PROXY_PORT 3128
#define AIRLOCK_DNS_PORT   53

typedef struct NetAllowRule {
        char *host;    /* lower-case; "*.example.org" matches any subdomain, not the apex */
        uint16_t port; /* 0: 80 and 443 */
} NetAllowRule;

typedef struct NetCidr {
        int family; /* AF_INET or AF_INET6 */
        uint8_t addr[16];
        uint8_t prefix;
} NetCidr;

typedef struct NetPolicy {
        NetAllowRule *rules;
        size_t n_rules;
        NetCidr *private_ok;
        size_t n_private_ok;
        uint32_t max_conns;    /* concurrent connections */
        uint64_t max_bytes_up; /* per run, sandbox -> world */
        uint64_t max_bytes_down;
        uint64_t max_conn_ms; /* lifetime of one connection */
} NetPolicy;

typedef enum NetRecordKind {
        NET_RECORD_CONNECT, /* CONNECT host:port */
        NET_RECORD_HTTP,    /* GET http://host/... */
        NET_RECORD_DNS,     /* a query */
} NetRecordKind;

typedef struct NetRecord {
        NetRecordKind kind;
        char host[256];
        uint16_t port;
        char address[64]; /* the address connected to, "" if none */
        bool allowed;
        char reason[128]; /* why refused, or how it ended ("closed", "byte cap", "lifetime") */
        uint64_t bytes_up, bytes_down;
        uint64_t duration_ms;
} NetRecord;

void net_policy_init(NetPolicy *p);
void net_policy_done(NetPolicy *p);

/* "--allow-net HOST[:PORT][,HOST[:PORT]...]": names (wildcards "*.x.y" allowed), IPv4, [IPv6].
 * Rejects empty parts, bad ports, '*' in the middle of a name, and more than 64 rules. */
int net_policy_add_allow(NetPolicy *p, const char *spec, AirlockError *err);

/* "--allow-private CIDR": 10.0.0.0/8, 127.0.0.1/32, fd00::/8; a bare address means /32 or /128. */
int net_policy_add_private(NetPolicy *p, const char *cidr, AirlockError *err);

bool net_policy_host_allowed(const NetPolicy *p, const char *host, uint16_t port);

/* Public addresses are always fine; private and special ones only when a CIDR names them. */
bool net_policy_address_allowed(const NetPolicy *p, const struct sockaddr *sa);

typedef struct Gateway Gateway;

/* Takes ownership of both fds (either may be -1). Runs its own threads until gateway_stop(). */
int gateway_start(const NetPolicy *p, int proxy_listen_fd, int dns_fd, Gateway **ret,
                  AirlockError *err);

/* Stops accepting, closes every connection, joins the threads, frees the gateway, and hands
 * the records (malloc'd array) to the caller. NULL is fine. */
void gateway_stop(Gateway *g, NetRecord **ret_records, size_t *ret_n);

/* ---- Additions (the gateway's own module, issue #4) ---- */

/* Records kept per run, the rest only counted; of those, at most NET_DNS_RECORDS_MAX DNS
 * queries, so that a query flood cannot crowd out the connections. */
#define NET_RECORDS_MAX     4096
#define NET_DNS_RECORDS_MAX 2048

/* net_policy_init() sets the caps to config/limits.h's defaults. gateway_start() reads a cap of
 * 0 as that default for max_conns and the byte caps, and as "no lifetime cap" for max_conn_ms
 * (the run's own wall clock still ends every connection); max_conns is clamped to
 * AIRLOCK_MAX_NET_CONNS. */

const char *net_record_kind_to_string(NetRecordKind kind); /* "connect", "http", "dns" */

/* A host as a request names it ("Example.ORG.", "[::1]", "::1", "10.0.0.1") into the form rules
 * are stored in: lower case, no trailing dot, IP literals canonical and without brackets.
 * -EINVAL for anything else: characters outside [a-z0-9._-], empty or long labels, and numbers
 * that are not a dotted quad ("1.2.3", "0x7f000001"), which the C library would read as an
 * address. */
int net_host_normalize(const char *host, char *buf, size_t size);

/* Whether any rule names this host, on any port: the DNS responder's question. */
bool net_policy_name_allowed(const NetPolicy *p, const char *host);

/* A deep copy (the gateway keeps its own). */
int net_policy_copy(const NetPolicy *src, NetPolicy *ret);

typedef struct GatewayStats {
        uint64_t records_dropped;      /* beyond NET_RECORDS_MAX / NET_DNS_RECORDS_MAX */
        uint64_t bytes_up, bytes_down; /* per run, all connections */
} GatewayStats;

/* gateway_stop() that also reports how many records did not fit and the byte totals.
 * ret_stats may be NULL. */
void gateway_stop_full(Gateway *g, NetRecord **ret_records, size_t *ret_n, GatewayStats *ret_stats);

/* Told of each attempt once, as soon as its verdict is known and before the sandbox hears it
 * (--audit's live events, docs/EVENTS.md): a refusal with its reason; an allowed connection
 * once the origin is connected ("connected", with the address) or the connect failed (why);
 * a DNS query with its answer. What happens after (bytes, duration, how a connection ended)
 * is only in the records gateway_stop() hands over. Every record gets exactly one call, the
 * ones beyond NET_RECORDS_MAX too. Called from the gateway's threads, several at once: it must
 * be thread-safe, quick, and must not call into the gateway. */
typedef void (*GatewayVerdictFn)(const NetRecord *rec, void *userdata);

/* Asked once for each proxy request (CONNECT or plain HTTP) whose host was read, before the
 * policy judges it: rec has the kind, the host (normalised) and the port. Returns true to let
 * the policy decide, false to refuse it (403) with the reason written to reason: --audit's scan
 * rules count the request, and refuse the one that completes a scan (docs/EVENTS.md). The
 * refusal is announced to on_verdict like any other. Same threads and constraints as
 * GatewayVerdictFn. */
typedef bool (*GatewayAttemptFn)(const NetRecord *rec, char *reason, size_t size, void *userdata);

typedef struct GatewayHooks {
        GatewayAttemptFn on_attempt; /* may be NULL */
        GatewayVerdictFn on_verdict; /* may be NULL */
        void *userdata;              /* passed to both */
} GatewayHooks;

/* gateway_start() with hooks (NULL: none); the gateway keeps a copy of *hooks. */
int gateway_start_full(const NetPolicy *p, int proxy_listen_fd, int dns_fd,
                       const GatewayHooks *hooks, Gateway **ret, AirlockError *err);
