/* What the gateway's files share: its state, the connection's, and small helpers. Not an
 * interface: gateway.h is. */
#pragma once

#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "basic/macros.h"
#include "gateway.h"
#include "proxy-http.h"

#define HEAD_TIMEOUT_MS        5000  /* the whole request head, from accept */
#define RESOLVE_TIMEOUT_MS     5000  /* getaddrinfo() for a proxied connection */
#define DNS_RESOLVE_TIMEOUT_MS 3000  /* below a stub resolver's own 5 s */
#define CONNECT_TIMEOUT_MS     5000  /* each address */
#define CONNECT_TOTAL_MS       10000 /* all addresses of one host */
#define SEND_TIMEOUT_MS        5000  /* a response or a request head */
#define LINGER_MS              1000  /* draining a refused client, see conn_respond() */
#define LINGER_BYTES           65536
#define RELAY_BUF              16384
#define ADDRS_MAX              16
#define CONN_STACK             (512 * 1024)

typedef struct Flow {
        char buf[RELAY_BUF];
        size_t off, len;
        bool eof;
} Flow;

typedef struct Conn Conn;
struct Conn {
        Gateway *g;
        Conn *next;
        pthread_t thread;
        int client_fd; /* these three under g->lock: gateway_stop() shuts the sockets down */
        int origin_fd;
        bool finished;
        bool announced; /* the verdict hook has seen rec (gateway_announce) */
        uint64_t start_ms;
        NetRecord rec;
        size_t head_fill;
        char head[PROXY_HTTP_HEAD_MAX];
        Flow up, down;
};

struct Gateway {
        NetPolicy policy;
        GatewayHooks hooks; /* set before the threads start, never changed */
        int listen_fd, dns_fd, stop_fd;
        pthread_t accept_thread, gateway_dns_thread;
        bool have_accept, have_dns;
        atomic_bool stopping;
        pthread_mutex_t lock;
        Conn *conns;       /* every connection thread not yet joined */
        uint32_t n_active; /* connections counted against max_conns */
        NetRecord *records;
        size_t n_records, n_dns_records, records_cap;
        uint64_t dropped;
        _Atomic uint64_t bytes_up, bytes_down;
};

static inline uint64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static inline int ms_left(uint64_t deadline)
{
        uint64_t now = now_ms();

        if (deadline == UINT64_MAX)
                return -1;
        return now >= deadline ? 0 : (int)MIN(deadline - now, (uint64_t)INT32_MAX);
}

static inline bool stopping(Gateway *g)
{
        return atomic_load(&g->stopping);
}

static inline void set_reason(NetRecord *rec, const char *fmt, ...) _printf_(2, 3);
static inline void set_reason(NetRecord *rec, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(rec->reason, sizeof(rec->reason), fmt, ap);
        va_end(ap);
}

/* gateway.c */
void gateway_record(Gateway *g, const NetRecord *rec);
void gateway_announce(Gateway *g, const NetRecord *rec); /* the verdict hook, if any */
/* the attempt hook, if any: false refuses the request, with the reason in reason */
bool gateway_ask(Gateway *g, const NetRecord *rec, char *reason, size_t size);
void gateway_format_address(const struct sockaddr *sa, char *buf, size_t size);
int gateway_wait_fd(Gateway *g, int fd, short events, uint64_t deadline);
int gateway_send_all(Gateway *g, int fd, const void *buf, size_t len, uint64_t deadline);

/* gateway-resolve.c */
int gateway_resolve(Gateway *g, const char *host, int family, uint64_t timeout_ms,
                    struct addrinfo **ret);
size_t gateway_filter_addresses(const NetPolicy *p, const struct addrinfo *res, uint16_t port,
                                struct sockaddr_storage *out, size_t max, size_t *ret_total);

/* gateway-conn.c: one proxied connection, from its accepted socket to its record. */
void *gateway_conn_thread(void *conn);

/* gateway-dns.c: answers queries on g->dns_fd until gateway_stop(). */
void *gateway_dns_thread(void *gateway);
