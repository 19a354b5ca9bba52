/* A live gateway on loopback sockets made by the test, with real servers behind it. The policy
 * names 127.0.0.1 with --allow-private wherever a test wants to get through. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/dns-responder.h"
#include "net/gateway.h"

static int count_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        int n = 0;

        cr_assert_not_null(d);
        while (readdir(d))
                n++;
        closedir(d);
        return n;
}

static uint64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A socket bound to 127.0.0.1 on a free port (TCP listening, or UDP). */
static int loopback_socket(int type, uint16_t *ret_port)
{
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof(a);
        int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

        cr_assert_geq(fd, 0);
        cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
        if (type == SOCK_STREAM)
                cr_assert_eq(listen(fd, 16), 0);
        cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
        *ret_port = ntohs(a.sin_port);
        return fd;
}

static int connect_to(uint16_t port)
{
        struct sockaddr_in a = {.sin_family = AF_INET,
                                .sin_port = htons(port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct timeval tv = {.tv_sec = 10};

        cr_assert_geq(fd, 0);
        cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        return fd;
}

static void send_str(int fd, const char *s)
{
        cr_assert_eq(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* Reads up to the end of a response head into buf (NUL-terminated). */
static void read_head(int fd, char *buf, size_t size)
{
        size_t n = 0;

        while (n + 1 < size) {
                ssize_t r = recv(fd, buf + n, 1, 0);

                cr_assert_gt(r, 0, "connection ended in the head after %zu bytes", n);
                n++;
                buf[n] = '\0';
                if (n >= 4 && memcmp(buf + n - 4, "\r\n\r\n", 4) == 0)
                        return;
        }
        cr_assert_fail("head too long");
}

static size_t read_all(int fd, char *buf, size_t size)
{
        size_t n = 0;
        ssize_t r;

        while ((r = recv(fd, buf + n, size - n, 0)) > 0) {
                n += (size_t)r;
                if (n == size)
                        break;
        }
        return n;
}

/* ---- servers behind the gateway ---- */

typedef struct Server {
        int listen_fd;
        uint16_t port;
        pthread_t thread;
        size_t send_bytes; /* 0: echo */
        char request[2048];
} Server;

static void *server_thread(void *arg)
{
        Server *s = arg;
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        char buf[65536];
        ssize_t n;

        if (fd < 0)
                return NULL;
        if (s->send_bytes > 0) {
                memset(buf, 'x', sizeof(buf));
                for (size_t left = s->send_bytes; left > 0;) {
                        n = send(fd, buf, left < sizeof(buf) ? left : sizeof(buf), MSG_NOSIGNAL);
                        if (n <= 0)
                                break;
                        left -= (size_t)n;
                }
        } else {
                size_t got = 0;

                while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
                        if (got + (size_t)n < sizeof(s->request)) {
                                memcpy(s->request + got, buf, (size_t)n);
                                got += (size_t)n;
                        }
                        if (send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
                                break;
                }
        }
        close(fd);
        return NULL;
}

static void server_start(Server *s, size_t send_bytes)
{
        *s = (Server){.send_bytes = send_bytes};
        s->listen_fd = loopback_socket(SOCK_STREAM, &s->port);
        cr_assert_eq(pthread_create(&s->thread, NULL, server_thread, s), 0);
}

static void server_stop(Server *s)
{
        shutdown(s->listen_fd, SHUT_RDWR);
        pthread_join(s->thread, NULL);
        close(s->listen_fd);
}

/* ---- the gateway ---- */

static Gateway *gateway_up_hooked(const char *allow, const char *private, NetPolicy *p,
                                  const GatewayHooks *hooks, uint16_t *ret_proxy, uint16_t *ret_dns)
{
        AirlockError err = {0};
        uint16_t pp, dp;
        Gateway *g = NULL;
        int lfd, dfd;

        if (allow)
                cr_assert_eq(net_policy_add_allow(p, allow, &err), 0, "%s", err.message);
        if (private)
                cr_assert_eq(net_policy_add_private(p, private, &err), 0, "%s", err.message);
        lfd = loopback_socket(SOCK_STREAM, &pp);
        dfd = loopback_socket(SOCK_DGRAM, &dp);
        cr_assert_eq(gateway_start_full(p, lfd, dfd, hooks, &g, &err), 0, "%s", err.message);
        net_policy_done(p);
        if (ret_proxy)
                *ret_proxy = pp;
        if (ret_dns)
                *ret_dns = dp;
        return g;
}

static Gateway *gateway_up(const char *allow, const char *private, NetPolicy *p,
                           uint16_t *ret_proxy, uint16_t *ret_dns)
{
        return gateway_up_hooked(allow, private, p, NULL, ret_proxy, ret_dns);
}

static NetRecord *stop(Gateway *g, size_t *ret_n)
{
        NetRecord *recs = NULL;

        gateway_stop(g, &recs, ret_n);
        return recs;
}

/* Sends CONNECT 127.0.0.1:port and returns the socket with the response head in buf. */
static int proxy_connect(uint16_t proxy, const char *target, char *buf, size_t size)
{
        char req[300];
        int fd = connect_to(proxy);

        snprintf(req, sizeof(req), "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, target);
        send_str(fd, req);
        read_head(fd, buf, size);
        return fd;
}

Test(gateway, connect_relays_and_records)
{
        char target[64], head[1024], echo[16];
        NetPolicy p;
        NetRecord *recs;
        uint16_t proxy;
        Server s;
        size_t n;
        Gateway *g;
        int fd;

        server_start(&s, 0);
        snprintf(target, sizeof(target), "127.0.0.1:%u", s.port);
        net_policy_init(&p);
        g = gateway_up(target, "127.0.0.1/32", &p, &proxy, NULL);
        fd = proxy_connect(proxy, target, head, sizeof(head));
        cr_assert_str_eq(head, "HTTP/1.1 200 Connection established\r\n\r\n");
        send_str(fd, "hello");
        cr_assert_eq(recv(fd, echo, 5, MSG_WAITALL), 5);
        cr_assert_eq(memcmp(echo, "hello", 5), 0);
        shutdown(fd, SHUT_WR);
        cr_assert_eq(recv(fd, echo, sizeof(echo), 0), 0, "the origin's close is passed on");
        close(fd);
        server_stop(&s);

        recs = stop(g, &n);
        cr_assert_eq(n, 1);
        cr_assert_eq(recs[0].kind, NET_RECORD_CONNECT);
        cr_assert_str_eq(recs[0].host, "127.0.0.1");
        cr_assert_eq(recs[0].port, s.port);
        cr_assert_str_eq(recs[0].address, "127.0.0.1");
        cr_assert(recs[0].allowed);
        cr_assert_str_eq(recs[0].reason, "closed");
        cr_assert_eq(recs[0].bytes_up, 5);
        cr_assert_eq(recs[0].bytes_down, 5);
        free(recs);
}

Test(gateway, http_request_rewritten)
{
        char req[256], head[1024], body[2048];
        NetPolicy p;
        NetRecord *recs;
        uint16_t proxy;
        Server s;
        size_t n, got;
        Gateway *g;
        int fd;

        server_start(&s, 0); /* echoes what the gateway sends it */
        net_policy_init(&p);
        snprintf(req, sizeof(req), "localhost:%u", s.port);
        g = gateway_up(req, "127.0.0.0/8", &p, &proxy, NULL);
        fd = connect_to(proxy);
        snprintf(req, sizeof(req),
                 "GET http://LOCALHOST:%u/p?q HTTP/1.1\r\nHost: evil.example\r\n"
                 "Proxy-Connection: keep-alive\r\nAccept: */*\r\n\r\n",
                 s.port);
        send_str(fd, req);
        shutdown(fd, SHUT_WR);
        got = read_all(fd, body, sizeof(body) - 1);
        body[got] = '\0';
        snprintf(head, sizeof(head),
                 "GET /p?q HTTP/1.1\r\nHost: localhost:%u\r\nAccept: */*\r\n"
                 "Connection: close\r\n\r\n",
                 s.port);
        cr_assert_str_eq(body, head);
        close(fd);
        server_stop(&s);
        recs = stop(g, &n);
        cr_assert_eq(n, 1);
        cr_assert_eq(recs[0].kind, NET_RECORD_HTTP);
        cr_assert_str_eq(recs[0].host, "localhost");
        cr_assert_eq(recs[0].bytes_up, strlen(head));
        free(recs);
}

/* No connection reaches the watched listener, whatever the reason for refusing. */
static void assert_refused(const char *allow, const char *private, const char *target,
                           int want_status, const char *want_reason, int watched_fd)
{
        char head[1024], body[256], want[64];
        NetPolicy p;
        NetRecord *recs;
        uint16_t proxy;
        size_t n;
        Gateway *g;
        int fd;

        net_policy_init(&p);
        g = gateway_up(allow, private, &p, &proxy, NULL);
        fd = proxy_connect(proxy, target, head, sizeof(head));
        snprintf(want, sizeof(want), "HTTP/1.1 %d ", want_status);
        cr_assert_eq(strncmp(head, want, strlen(want)), 0, "%s: %s", target, head);
        n = read_all(fd, body, sizeof(body) - 1);
        body[n] = '\0';
        cr_assert_eq(strncmp(body, "airlock: ", 9), 0, "a reason in the body: %s", body);
        cr_assert(strstr(body, target), "the body names %s: %s", target, body);
        close(fd);
        recs = stop(g, &n);
        cr_assert_eq(n, 1);
        cr_assert_not(recs[0].allowed);
        cr_assert_str_eq(recs[0].reason, want_reason);
        cr_assert_str_eq(recs[0].address, "");
        free(recs);
        cr_assert_eq(poll(&(struct pollfd){.fd = watched_fd, .events = POLLIN}, 1, 0), 0,
                     "a connection got through");
}

Test(gateway, refused_hosts_never_connect)
{
        char target[64], allow[64], local[64];
        uint16_t port;
        int watched = loopback_socket(SOCK_STREAM, &port);

        snprintf(target, sizeof(target), "127.0.0.1:%u", port);
        snprintf(local, sizeof(local), "localhost:%u", port);
        snprintf(allow, sizeof(allow), "127.0.0.1:%u,localhost:%u", port, port);
        assert_refused("example.org", "127.0.0.1/32", target, 403, "host not allowed", watched);
        assert_refused("127.0.0.1", "127.0.0.1/32", target, 403, "host not allowed", watched);
        /* Named, but private and not named by --allow-private. */
        assert_refused(allow, NULL, target, 403, "private address", watched);
        assert_refused(allow, NULL, local, 403, "private address", watched);
        assert_refused(allow, "10.0.0.0/8", local, 403, "private address", watched);
        assert_refused(allow, "127.0.0.1/32", "[::1]:80", 403, "host not allowed", watched);
        close(watched);
}

Test(gateway, bad_requests)
{
        const struct {
                const char *req;
                const char *status;
        } t[] = {
            {"garbage\r\n\r\n", "HTTP/1.1 400 "},
            {"TRACE http://a.org/ HTTP/1.1\r\n\r\n", "HTTP/1.1 405 "},
            {"GET https://a.org/ HTTP/1.1\r\n\r\n", "HTTP/1.1 501 "},
            {"GET http://0x7f000001/ HTTP/1.1\r\n\r\n", "HTTP/1.1 400 "},
        };
        NetPolicy p;
        NetRecord *recs;
        uint16_t proxy;
        size_t n;
        Gateway *g;

        net_policy_init(&p);
        g = gateway_up("a.org", NULL, &p, &proxy, NULL);
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
                char head[1024];
                int fd = connect_to(proxy);

                send_str(fd, t[i].req);
                read_head(fd, head, sizeof(head));
                cr_assert_eq(strncmp(head, t[i].status, strlen(t[i].status)), 0, "%s", head);
                close(fd);
        }
        recs = stop(g, &n);
        cr_assert_eq(n, sizeof(t) / sizeof(t[0]));
        for (size_t i = 0; i < n; i++)
                cr_assert_not(recs[i].allowed);
        free(recs);
}

Test(gateway, oversized_head)
{
        char pad[1024], head[1024];
        NetPolicy p;
        uint16_t proxy;
        Gateway *g;
        int fd;

        net_policy_init(&p);
        g = gateway_up("a.org", NULL, &p, &proxy, NULL);
        fd = connect_to(proxy);
        memset(pad, 'a', sizeof(pad));
        send_str(fd, "GET http://a.org/ HTTP/1.1\r\nX: ");
        for (int i = 0; i < 17; i++)
                cr_assert_eq(send(fd, pad, sizeof(pad), MSG_NOSIGNAL), (ssize_t)sizeof(pad));
        read_head(fd, head, sizeof(head));
        cr_assert_eq(strncmp(head, "HTTP/1.1 431 ", 13), 0, "%s", head);
        close(fd);
        gateway_stop(g, NULL, NULL);
}

Test(gateway, byte_cap_cuts_a_download)
{
        static char buf[1 << 20];
        char target[64], head[1024];
        NetPolicy p;
        NetRecord *recs;
        GatewayStats st;
        uint16_t proxy;
        Server s;
        size_t n, got;
        Gateway *g;
        int fd;

        server_start(&s, sizeof(buf));
        snprintf(target, sizeof(target), "127.0.0.1:%u", s.port);
        net_policy_init(&p);
        p.max_bytes_down = 100000;
        g = gateway_up(target, "127.0.0.1/32", &p, &proxy, NULL);
        fd = proxy_connect(proxy, target, head, sizeof(head));
        cr_assert_str_eq(head, "HTTP/1.1 200 Connection established\r\n\r\n");
        got = read_all(fd, buf, sizeof(buf));
        cr_assert_eq(got, 100000, "got %zu bytes", got);
        close(fd);
        server_stop(&s);

        /* Spent: the next connection is refused before it is made. */
        fd = proxy_connect(proxy, target, head, sizeof(head));
        cr_assert_eq(strncmp(head, "HTTP/1.1 403 ", 13), 0, "%s", head);
        close(fd);

        gateway_stop_full(g, &recs, &n, &st);
        cr_assert_eq(n, 2);
        cr_assert_str_eq(recs[0].reason, "byte cap");
        cr_assert_eq(recs[0].bytes_down, 100000);
        cr_assert_str_eq(recs[1].reason, "byte cap");
        cr_assert_eq(st.bytes_down, 100000);
        cr_assert_eq(st.records_dropped, 0);
        free(recs);
}

Test(gateway, connection_cap)
{
        char target[64], head[1024];
        NetPolicy p;
        NetRecord *recs;
        uint16_t proxy;
        Server s;
        size_t n;
        Gateway *g;
        int first, second;

        server_start(&s, 0);
        snprintf(target, sizeof(target), "127.0.0.1:%u", s.port);
        net_policy_init(&p);
        p.max_conns = 1;
        g = gateway_up(target, "127.0.0.1/32", &p, &proxy, NULL);
        first = proxy_connect(proxy, target, head, sizeof(head));
        cr_assert_str_eq(head, "HTTP/1.1 200 Connection established\r\n\r\n");
        second = proxy_connect(proxy, target, head, sizeof(head));
        cr_assert_eq(strncmp(head, "HTTP/1.1 503 ", 13), 0, "%s", head);
        close(second);
        /* The first one's record is kept once the gateway has closed it. */
        shutdown(first, SHUT_WR);
        cr_assert_eq(recv(first, head, sizeof(head), 0), 0);
        close(first);
        server_stop(&s);
        recs = stop(g, &n);
        cr_assert_eq(n, 2);
        cr_assert_str_eq(recs[0].reason, "connection cap");
        cr_assert_not(recs[0].allowed);
        cr_assert_str_eq(recs[1].reason, "closed");
        free(recs);
}

Test(gateway, connection_lifetime)
{
        char target[64], head[1024], b;
        NetPolicy p;
        NetRecord *recs;
        uint16_t proxy;
        Server s;
        size_t n;
        Gateway *g;
        int fd;

        server_start(&s, 0);
        snprintf(target, sizeof(target), "127.0.0.1:%u", s.port);
        net_policy_init(&p);
        p.max_conn_ms = 300;
        g = gateway_up(target, "127.0.0.1/32", &p, &proxy, NULL);
        fd = proxy_connect(proxy, target, head, sizeof(head));
        cr_assert_eq(recv(fd, &b, 1, 0), 0, "ended by the gateway");
        close(fd);
        server_stop(&s);
        recs = stop(g, &n);
        cr_assert_eq(n, 1);
        cr_assert_str_eq(recs[0].reason, "lifetime");
        cr_assert_geq(recs[0].duration_ms, 300);
        free(recs);
}

/* Stopping with live connections in every state is prompt, keeps every record, leaks no fd. */
Test(gateway, stop_with_live_connections)
{
        char target[64], head[1024];
        int before, fds[4];
        NetPolicy p;
        NetRecord *recs;
        uint16_t proxy;
        uint64_t t0;
        Server s;
        size_t n;
        Gateway *g;

        server_start(&s, 0);
        snprintf(target, sizeof(target), "127.0.0.1:%u", s.port);
        before = count_fds();
        net_policy_init(&p);
        g = gateway_up(target, "127.0.0.1/32", &p, &proxy, NULL);
        fds[0] = proxy_connect(proxy, target, head, sizeof(head)); /* relaying */
        cr_assert_str_eq(head, "HTTP/1.1 200 Connection established\r\n\r\n");
        fds[1] = connect_to(proxy); /* half a head */
        send_str(fds[1], "CONNECT 127.0.0.1:");
        fds[2] = connect_to(proxy); /* nothing yet */
        fds[3] = connect_to(proxy); /* perhaps not even accepted */
        usleep(100 * 1000);

        t0 = now_ms();
        recs = stop(g, &n);
        cr_assert_lt(now_ms() - t0, 1000, "stop took %llu ms", (unsigned long long)(now_ms() - t0));
        cr_assert_geq(n, 3);
        for (size_t i = 0; i < n; i++)
                cr_assert_str_eq(recs[i].reason, "stopped", "record %zu: %s", i, recs[i].reason);
        free(recs);
        for (int i = 0; i < 4; i++)
                close(fds[i]);
        server_stop(&s);
        cr_assert_eq(count_fds(), before - 1, "the server's listener is closed too");
}

/* A listener whose accept queue is full drops SYNs: connect() to it hangs. */
static int full_listener(uint16_t *ret_port, int *ret_filler)
{
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof(a);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
        cr_assert_eq(listen(fd, 0), 0);
        cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
        *ret_port = ntohs(a.sin_port);
        *ret_filler = connect_to(*ret_port);
        return fd;
}

Test(gateway, stop_while_connecting)
{
        char target[64];
        int listener, filler, fd;
        NetPolicy p;
        NetRecord *recs;
        uint16_t proxy, port;
        uint64_t t0;
        size_t n;
        Gateway *g;

        listener = full_listener(&port, &filler);
        snprintf(target, sizeof(target), "127.0.0.1:%u", port);
        net_policy_init(&p);
        g = gateway_up(target, "127.0.0.1/32", &p, &proxy, NULL);
        fd = connect_to(proxy);
        send_str(fd, "CONNECT ");
        send_str(fd, target);
        send_str(fd, " HTTP/1.1\r\n\r\n");
        usleep(300 * 1000);
        cr_assert_eq(poll(&(struct pollfd){.fd = fd, .events = POLLIN}, 1, 0), 0,
                     "no answer yet: the gateway is still connecting");
        t0 = now_ms();
        recs = stop(g, &n);
        cr_assert_lt(now_ms() - t0, 1000);
        cr_assert_eq(n, 1);
        cr_assert(recs[0].allowed);
        cr_assert_str_eq(recs[0].address, "127.0.0.1");
        cr_assert_str_eq(recs[0].reason, "stopped");
        free(recs);
        close(fd);
        close(filler);
        close(listener);
}

Test(gateway, head_timeout, .timeout = 30)
{
        char head[1024];
        NetPolicy p;
        NetRecord *recs;
        uint16_t proxy;
        uint64_t t0 = now_ms();
        size_t n;
        Gateway *g;
        int fd;

        net_policy_init(&p);
        g = gateway_up("a.org", NULL, &p, &proxy, NULL);
        fd = connect_to(proxy);
        send_str(fd, "CONNECT a.org:443 HTTP/1.1\r\n"); /* and never the blank line */
        read_head(fd, head, sizeof(head));
        cr_assert_eq(strncmp(head, "HTTP/1.1 408 ", 13), 0, "%s", head);
        cr_assert_geq(now_ms() - t0, 4900);
        close(fd);
        recs = stop(g, &n);
        cr_assert_eq(n, 1);
        cr_assert_str_eq(recs[0].reason, "head timeout");
        free(recs);
}

Test(gateway, stop_null_and_no_sockets)
{
        NetRecord *recs = (NetRecord *)1;
        AirlockError err = {0};
        NetPolicy p;
        size_t n = 7;
        Gateway *g;

        gateway_stop(NULL, &recs, &n);
        cr_assert_null(recs);
        cr_assert_eq(n, 0);
        net_policy_init(&p);
        cr_assert_eq(gateway_start(&p, -1, -1, &g, &err), 0);
        gateway_stop(g, NULL, NULL);
        net_policy_done(&p);
}

/* ---- the verdict hook ---- */

typedef struct Verdicts {
        pthread_mutex_t lock;
        NetRecord recs[16];
        size_t n;
} Verdicts;

static void on_verdict(const NetRecord *rec, void *userdata)
{
        Verdicts *v = userdata;

        pthread_mutex_lock(&v->lock);
        if (v->n < 16)
                v->recs[v->n] = *rec;
        v->n++;
        pthread_mutex_unlock(&v->lock);
}

static size_t verdicts_seen(Verdicts *v)
{
        size_t n;

        pthread_mutex_lock(&v->lock);
        n = v->n;
        pthread_mutex_unlock(&v->lock);
        return n;
}

static size_t dns_ask(int fd, const char *name, uint16_t type, uint8_t *reply, size_t size);

/* Each verdict is announced once, before the client hears it: an open tunnel is already
 * known, with the address it reached; the records at stop say the same, and how each ended. */
Test(gateway, verdicts_are_announced_once_as_they_are_made)
{
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        struct timeval tv = {.tv_sec = 10};
        Verdicts v = {.lock = PTHREAD_MUTEX_INITIALIZER};
        GatewayHooks hooks = {.on_verdict = on_verdict, .userdata = &v};
        char target[64], refused[64], head[1024], echo[8];
        uint16_t proxy, dns;
        NetRecord *recs;
        uint8_t r[512];
        NetPolicy p;
        Server s;
        size_t n;
        Gateway *g;
        int fd, other, dfd;

        server_start(&s, 0);
        snprintf(target, sizeof(target), "127.0.0.1:%u", s.port);
        snprintf(refused, sizeof(refused), "127.0.0.2:%u", s.port);
        net_policy_init(&p);
        g = gateway_up_hooked(target, "127.0.0.1/32", &p, &hooks, &proxy, &dns);

        fd = proxy_connect(proxy, target, head, sizeof(head));
        cr_assert_str_eq(head, "HTTP/1.1 200 Connection established\r\n\r\n");
        cr_assert_eq(verdicts_seen(&v), 1, "the open tunnel is announced before its end");
        cr_assert_eq(v.recs[0].kind, NET_RECORD_CONNECT);
        cr_assert_str_eq(v.recs[0].host, "127.0.0.1");
        cr_assert_eq(v.recs[0].port, s.port);
        cr_assert(v.recs[0].allowed);
        cr_assert_str_eq(v.recs[0].address, "127.0.0.1");
        cr_assert_str_eq(v.recs[0].reason, "connected");

        other = proxy_connect(proxy, refused, head, sizeof(head));
        cr_assert_eq(strncmp(head, "HTTP/1.1 403 ", 13), 0, "%s", head);
        cr_assert_eq(verdicts_seen(&v), 2, "a refusal is announced before it is answered");
        cr_assert_not(v.recs[1].allowed);
        cr_assert_str_eq(v.recs[1].host, "127.0.0.2");
        cr_assert_str_eq(v.recs[1].reason, "host not allowed");
        cr_assert_str_eq(v.recs[1].address, "");
        close(other);

        dfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        a.sin_port = htons(dns);
        cr_assert_eq(connect(dfd, (struct sockaddr *)&a, sizeof(a)), 0);
        setsockopt(dfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        dns_ask(dfd, "example.org", DNS_TYPE_A, r, sizeof(r));
        cr_assert_eq(verdicts_seen(&v), 3, "a query is announced before it is answered");
        cr_assert_eq(v.recs[2].kind, NET_RECORD_DNS);
        cr_assert_str_eq(v.recs[2].host, "example.org");
        cr_assert_not(v.recs[2].allowed);
        close(dfd);

        send_str(fd, "ping");
        cr_assert_eq(recv(fd, echo, 4, MSG_WAITALL), 4);
        shutdown(fd, SHUT_WR);
        cr_assert_eq(recv(fd, echo, sizeof(echo), 0), 0);
        close(fd);
        server_stop(&s);

        recs = stop(g, &n);
        cr_assert_eq(verdicts_seen(&v), 3, "once each, not again when they end");
        cr_assert_eq(n, 3);
        for (size_t i = 0; i < n; i++) {
                bool found = false;

                for (size_t j = 0; j < 3; j++)
                        found |= recs[i].kind == v.recs[j].kind &&
                                 strcmp(recs[i].host, v.recs[j].host) == 0 &&
                                 recs[i].allowed == v.recs[j].allowed;
                cr_assert(found, "record %zu (%s) was announced", i, recs[i].host);
                if (recs[i].kind == NET_RECORD_CONNECT && recs[i].allowed) {
                        cr_assert_str_eq(recs[i].reason, "closed", "how it ended");
                        cr_assert_eq(recs[i].bytes_up, 4);
                }
        }
        free(recs);
}

/* Records that end before any verdict (the client left, or the gateway stopped) are
 * announced too, once: one call per record. */
Test(gateway, every_record_is_announced_once)
{
        Verdicts v = {.lock = PTHREAD_MUTEX_INITIALIZER};
        GatewayHooks hooks = {.on_verdict = on_verdict, .userdata = &v};
        char head[1024];
        NetRecord *recs;
        uint16_t proxy;
        NetPolicy p;
        size_t n;
        Gateway *g;
        int fd, idle;

        net_policy_init(&p);
        g = gateway_up_hooked("a.org", NULL, &p, &hooks, &proxy, NULL);
        fd = connect_to(proxy);
        send_str(fd, "garbage\r\n\r\n");
        read_head(fd, head, sizeof(head));
        close(fd);
        fd = connect_to(proxy);
        close(fd); /* client closed, no head */
        idle = connect_to(proxy);
        for (int i = 0; i < 100 && verdicts_seen(&v) < 2; i++)
                usleep(10 * 1000);
        usleep(50 * 1000);
        recs = stop(g, &n); /* the idle one: stopped, if it was accepted by then */
        cr_assert_geq(n, 2);
        cr_assert_eq(verdicts_seen(&v), n);
        for (size_t i = 0; i < n; i++)
                cr_assert_not(v.recs[i].allowed);
        free(recs);
        close(idle);
}

/* ---- the attempt hook ---- */

typedef struct Asked {
        Verdicts v;
        NetRecord recs[8]; /* what the attempt hook was asked, in order */
        size_t n;
        size_t refuse_from; /* the attempt hook refuses this one (1-based) and the later ones */
} Asked;

static bool asked_attempt(const NetRecord *rec, char *reason, size_t size, void *userdata)
{
        Asked *a = userdata;
        bool ok;

        pthread_mutex_lock(&a->v.lock);
        if (a->n < 8)
                a->recs[a->n] = *rec;
        ok = ++a->n < a->refuse_from;
        pthread_mutex_unlock(&a->v.lock);
        if (!ok)
                snprintf(reason, size, "audit rule test-scan");
        return ok;
}

static void asked_verdict(const NetRecord *rec, void *userdata)
{
        on_verdict(rec, &((Asked *)userdata)->v);
}

/* The hook is asked about every request that names a host, before the policy (a refused one is
 * an attempt too); when it says no, the origin never sees a connection, and the refusal is
 * announced and answered like the policy's, with the hook's reason. */
Test(gateway, the_attempt_hook_is_asked_first_and_can_refuse)
{
        Asked a = {.v.lock = PTHREAD_MUTEX_INITIALIZER, .refuse_from = 3};
        GatewayHooks hooks = {
            .on_attempt = asked_attempt, .on_verdict = asked_verdict, .userdata = &a};
        char target[64], head[1024], body[512];
        uint16_t proxy, port;
        int origin = loopback_socket(SOCK_STREAM, &port), fd, accepted;
        NetRecord *recs;
        NetPolicy p;
        size_t n;
        Gateway *g;

        snprintf(target, sizeof(target), "127.0.0.1:%u", port);
        net_policy_init(&p);
        g = gateway_up_hooked(target, "127.0.0.1/32", &p, &hooks, &proxy, NULL);

        /* 1: allowed by the hook and the policy */
        fd = proxy_connect(proxy, target, head, sizeof(head));
        cr_assert_str_eq(head, "HTTP/1.1 200 Connection established\r\n\r\n");
        accepted = accept4(origin, NULL, NULL, SOCK_CLOEXEC);
        cr_assert_geq(accepted, 0, "the tunnel reached the origin");
        close(accepted);
        close(fd);
        /* 2: plain HTTP, asked about, then refused by the policy */
        fd = connect_to(proxy);
        send_str(fd, "GET http://127.0.0.2/x HTTP/1.1\r\nHost: x\r\n\r\n");
        read_head(fd, head, sizeof(head));
        cr_assert_eq(strncmp(head, "HTTP/1.1 403 ", 13), 0, "%s", head);
        close(fd);
        /* 3: refused by the hook, although the policy allows it */
        fd = proxy_connect(proxy, target, head, sizeof(head));
        cr_assert_eq(strncmp(head, "HTTP/1.1 403 ", 13), 0, "%s", head);
        body[read_all(fd, body, sizeof(body) - 1)] = '\0';
        cr_assert(strstr(body, "audit rule test-scan"), "%s", body);
        close(fd);
        cr_assert_eq(poll(&(struct pollfd){.fd = origin, .events = POLLIN}, 1, 100), 0,
                     "the origin never saw the refused one");

        recs = stop(g, &n);
        cr_assert_eq(a.n, 3);
        cr_assert_eq(a.recs[0].kind, NET_RECORD_CONNECT);
        cr_assert_str_eq(a.recs[0].host, "127.0.0.1");
        cr_assert_eq(a.recs[0].port, port);
        cr_assert_eq(a.recs[1].kind, NET_RECORD_HTTP);
        cr_assert_str_eq(a.recs[1].host, "127.0.0.2");
        cr_assert_eq(a.recs[1].port, 80);
        cr_assert_eq(a.v.n, 3, "every request announced once");
        cr_assert_str_eq(a.v.recs[1].reason, "host not allowed");
        cr_assert_not(a.v.recs[2].allowed);
        cr_assert_str_eq(a.v.recs[2].reason, "audit rule test-scan");
        cr_assert_str_eq(a.v.recs[2].address, "");
        cr_assert_eq(n, 3);
        free(recs);
        close(origin);
}

/* ---- DNS ---- */

static size_t dns_ask(int fd, const char *name, uint16_t type, uint8_t *reply, size_t size)
{
        uint8_t q[300] = {0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
        size_t n = 12;
        ssize_t r;

        while (*name) {
                const char *dot = strchr(name, '.');
                size_t l = dot ? (size_t)(dot - name) : strlen(name);

                q[n++] = (uint8_t)l;
                memcpy(q + n, name, l);
                n += l;
                name += l + (dot ? 1 : 0);
        }
        q[n++] = 0;
        q[n++] = (uint8_t)(type >> 8);
        q[n++] = (uint8_t)type;
        q[n++] = 0;
        q[n++] = 1;
        cr_assert_eq(send(fd, q, n, 0), (ssize_t)n);
        r = recv(fd, reply, size, 0);
        cr_assert_geq(r, 12, "no reply");
        cr_assert_eq(reply[0], 0xab);
        cr_assert_eq(reply[1], 0xcd);
        return (size_t)r;
}

Test(gateway, dns)
{
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        struct timeval tv = {.tv_sec = 10};
        uint8_t r[512];
        NetPolicy p;
        NetRecord *recs;
        uint16_t dns;
        size_t n;
        Gateway *g;
        int fd;

        net_policy_init(&p);
        g = gateway_up("localhost,*.private.test", "127.0.0.0/8", &p, NULL, &dns);
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        a.sin_port = htons(dns);
        cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

        n = dns_ask(fd, "LocalHost", DNS_TYPE_A, r, sizeof(r));
        cr_assert_eq(r[3] & 0xf, DNS_RCODE_NOERROR);
        cr_assert_eq(r[7], 1, "one answer");
        cr_assert_eq(memcmp(r + n - 4, "\x7f\x00\x00\x01", 4), 0, "127.0.0.1");
        cr_assert_eq(memcmp(r + n - 10, "\0\0\0\0", 4), 0, "TTL 0");

        dns_ask(fd, "example.org", DNS_TYPE_A, r, sizeof(r));
        cr_assert_eq(r[3] & 0xf, DNS_RCODE_REFUSED);
        cr_assert_eq(r[7], 0);
        dns_ask(fd, "localhost", 15 /* MX */, r, sizeof(r));
        cr_assert_eq(r[3] & 0xf, DNS_RCODE_NOTIMP);
        dns_ask(fd, "private.test", DNS_TYPE_A, r, sizeof(r));
        cr_assert_eq(r[3] & 0xf, DNS_RCODE_REFUSED, "not the apex of a wildcard");
        close(fd);

        recs = stop(g, &n);
        cr_assert_eq(n, 4);
        cr_assert_eq(recs[0].kind, NET_RECORD_DNS);
        cr_assert_str_eq(recs[0].host, "localhost");
        cr_assert(recs[0].allowed);
        cr_assert_str_eq(recs[0].address, "127.0.0.1");
        cr_assert_str_eq(recs[0].reason, "A: 1 address");
        cr_assert_str_eq(recs[1].host, "example.org");
        cr_assert_not(recs[1].allowed);
        cr_assert_not(recs[2].allowed);
        free(recs);
}

Test(gateway, dns_private_answers_refused)
{
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        struct timeval tv = {.tv_sec = 10};
        uint8_t r[512];
        NetPolicy p;
        NetRecord *recs;
        uint16_t dns;
        size_t n;
        Gateway *g;
        int fd;

        net_policy_init(&p);
        g = gateway_up("localhost", NULL, &p, NULL, &dns);
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        a.sin_port = htons(dns);
        cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        dns_ask(fd, "localhost", DNS_TYPE_A, r, sizeof(r));
        cr_assert_eq(r[3] & 0xf, DNS_RCODE_REFUSED, "127.0.0.1 is not named by --allow-private");
        /* Malformed: FORMERR, and a response is not answered at all. */
        cr_assert_eq(send(fd, "\x12\x34\x01\x00\x00\x02\0\0\0\0\0\0", 12, 0), 12);
        cr_assert_eq(recv(fd, r, sizeof(r), 0), 12);
        cr_assert_eq(r[3] & 0xf, DNS_RCODE_FORMERR);
        close(fd);
        recs = stop(g, &n);
        cr_assert_eq(n, 2);
        cr_assert_str_eq(recs[0].reason, "A: resolves to a private address");
        cr_assert_str_eq(recs[1].reason, "malformed query");
        free(recs);
}
