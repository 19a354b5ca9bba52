/* The egress gateway's threads: one accepts proxy connections, one answers DNS, one serves each
 * proxied connection (gateway-conn.c), and short-lived detached ones run getaddrinfo()
 * (gateway-resolve.c); DNS is answered in gateway-dns.c.
 *
 * Every wait is a poll() that includes stop_fd, an eventfd gateway_stop() makes readable, so
 * that stopping never waits for a peer, a timeout or the host's resolver. Every thread blocks
 * all signals: signals sent to airlock then reach its main thread, the one that knows what to do
 * with them, and no handler ever runs inside a gateway thread holding a lock. Writes use
 * MSG_NOSIGNAL, so a peer that went away is an error, not a SIGPIPE. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>

#include "config/limits.h"
#include "gateway-internal.h"

void gateway_format_address(const struct sockaddr *sa, char *buf, size_t size)
{
        const void *a = sa->sa_family == AF_INET6
                            ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
                            : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;

        if (!inet_ntop(sa->sa_family, a, buf, (socklen_t)size))
                buf[0] = '\0';
}

/* Keeps a record unless the caps are reached; those are counted instead. */
void gateway_record(Gateway *g, const NetRecord *rec)
{
        bool dns = rec->kind == NET_RECORD_DNS;

        pthread_mutex_lock(&g->lock);
        if (g->n_records >= NET_RECORDS_MAX || (dns && g->n_dns_records >= NET_DNS_RECORDS_MAX)) {
                g->dropped++;
                goto out;
        }
        if (g->n_records == g->records_cap) {
                size_t cap = MIN(MAX(g->records_cap * 2, (size_t)64), (size_t)NET_RECORDS_MAX);
                NetRecord *v = realloc(g->records, cap * sizeof(*v));

                if (!v) {
                        g->dropped++;
                        goto out;
                }
                g->records = v;
                g->records_cap = cap;
        }
        g->records[g->n_records++] = *rec;
        g->n_dns_records += dns;
out:
        pthread_mutex_unlock(&g->lock);
}

void gateway_announce(Gateway *g, const NetRecord *rec)
{
        if (g->hooks.on_verdict)
                g->hooks.on_verdict(rec, g->hooks.userdata);
}

bool gateway_ask(Gateway *g, const NetRecord *rec, char *reason, size_t size)
{
        return !g->hooks.on_attempt || g->hooks.on_attempt(rec, reason, size, g->hooks.userdata);
}

/* Waits for events on fd, or for stop_fd. 1: ready; 0: timed out; -ECANCELED: stopping. */
int gateway_wait_fd(Gateway *g, int fd, short events, uint64_t deadline)
{
        for (;;) {
                struct pollfd p[2] = {{.fd = fd, .events = events},
                                      {.fd = g->stop_fd, .events = POLLIN}};
                int r = poll(p, 2, ms_left(deadline));

                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return negative_errno();
                if (p[1].revents)
                        return -ECANCELED;
                return r > 0 ? 1 : 0;
        }
}

int gateway_send_all(Gateway *g, int fd, const void *buf, size_t len, uint64_t deadline)
{
        const char *p = buf;

        while (len > 0) {
                ssize_t n = send(fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
                int r;

                if (n > 0) {
                        p += n;
                        len -= (size_t)n;
                        continue;
                }
                if (n < 0 && errno != EAGAIN && errno != EINTR)
                        return negative_errno();
                r = gateway_wait_fd(g, fd, POLLOUT, deadline);
                if (r <= 0)
                        return r == 0 ? -ETIMEDOUT : r;
        }
        return 0;
}

/* Joins the connection threads that are done. finished_only=false: all of them (at stop,
 * after the accept thread, the only other creator, has been joined). */
static void gateway_reap(Gateway *g, bool finished_only)
{
        Conn *done = NULL, **pp;

        pthread_mutex_lock(&g->lock);
        for (pp = &g->conns; *pp;) {
                Conn *c = *pp;

                if (finished_only && !c->finished) {
                        pp = &c->next;
                        continue;
                }
                *pp = c->next;
                c->next = done;
                done = c;
        }
        pthread_mutex_unlock(&g->lock);
        while (done) {
                Conn *c = done;

                done = c->next;
                pthread_join(c->thread, NULL);
                free(c);
        }
}

/* Answers a connection that gets no thread (the cap, or no memory): a short 503, without
 * blocking the accept loop, and a record. */
static void gateway_turn_away(Gateway *g, int fd, const char *reason)
{
        NetRecord rec = {.kind = NET_RECORD_CONNECT};
        char buf[512];
        size_t n = proxy_http_format_response(503, reason, buf, sizeof(buf));

        set_reason(&rec, "%s", reason);
        gateway_announce(g, &rec);
        gateway_record(g, &rec);
        (void)send(fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
        safe_close(fd);
}

static void gateway_spawn_conn(Gateway *g, int fd)
{
        pthread_attr_t attr;
        Conn *c;
        int e;

        pthread_mutex_lock(&g->lock);
        if (g->n_active >= g->policy.max_conns) {
                pthread_mutex_unlock(&g->lock);
                gateway_turn_away(g, fd, "connection cap");
                return;
        }
        c = calloc(1, sizeof(*c));
        if (!c) {
                pthread_mutex_unlock(&g->lock);
                gateway_turn_away(g, fd, "out of memory");
                return;
        }
        *c = (Conn){.g = g,
                    .client_fd = fd,
                    .origin_fd = -EBADF,
                    .start_ms = now_ms(),
                    .rec = {.kind = NET_RECORD_CONNECT},
                    .next = g->conns};
        g->conns = c;
        g->n_active++;
        pthread_mutex_unlock(&g->lock);

        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, CONN_STACK);
        e = pthread_create(&c->thread, &attr, gateway_conn_thread, c);
        pthread_attr_destroy(&attr);
        if (e == 0)
                return;
        pthread_mutex_lock(&g->lock);
        g->conns = c->next; /* still first: only this thread adds */
        g->n_active--;
        pthread_mutex_unlock(&g->lock);
        free(c);
        gateway_turn_away(g, fd, "no thread for the connection");
}

static void *accept_thread(void *arg)
{
        Gateway *g = arg;

        while (!stopping(g)) {
                int fd, r;

                r = gateway_wait_fd(g, g->listen_fd, POLLIN, UINT64_MAX);
                if (r < 0)
                        break;
                fd = accept4(g->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
                if (fd < 0) {
                        if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
                                continue;
                        if (errno == EINVAL || errno == EBADF || errno == ENOTSOCK)
                                break; /* shut down */
                        /* Out of fds or memory: wait a little instead of spinning. */
                        if (gateway_wait_fd(g, -1, 0, now_ms() + 100) < 0)
                                break;
                        continue;
                }
                gateway_reap(g, true);
                gateway_spawn_conn(g, fd);
        }
        return NULL;
}

/* ---- start and stop ---- */

/* With every signal blocked: the thread, and every thread it starts, inherits the mask (see
 * the top of the file). */
static int start_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
        sigset_t all, old;
        int e;

        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        e = pthread_create(t, NULL, fn, arg);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return -e;
}

int gateway_start_full(const NetPolicy *p, int proxy_listen_fd, int dns_fd,
                       const GatewayHooks *hooks, Gateway **ret, AirlockError *err)
{
        _cleanup_close_ int lfd = proxy_listen_fd, dfd = dns_fd;
        Gateway *g;
        int r;

        g = calloc(1, sizeof(*g));
        if (!g)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, ENOMEM, "gateway", NULL);
        pthread_mutex_init(&g->lock, NULL);
        if (hooks)
                g->hooks = *hooks;
        g->listen_fd = g->dns_fd = -EBADF;
        g->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        r = g->stop_fd < 0 ? negative_errno() : net_policy_copy(p, &g->policy);
        if (r < 0) {
                gateway_stop(g, NULL, NULL);
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "gateway", NULL);
        }
        if (g->policy.max_conns == 0)
                g->policy.max_conns = AIRLOCK_DEFAULT_NET_CONNS;
        g->policy.max_conns = MIN(g->policy.max_conns, AIRLOCK_MAX_NET_CONNS);
        if (g->policy.max_bytes_up == 0)
                g->policy.max_bytes_up = AIRLOCK_DEFAULT_NET_BYTES;
        if (g->policy.max_bytes_down == 0)
                g->policy.max_bytes_down = AIRLOCK_DEFAULT_NET_BYTES;

        /* They came over a socket: make sure of O_CLOEXEC whatever the sender did. */
        if (lfd >= 0 && (fcntl(lfd, F_SETFD, FD_CLOEXEC) < 0 ||
                         fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK) < 0))
                r = negative_errno();
        if (dfd >= 0 && fcntl(dfd, F_SETFD, FD_CLOEXEC) < 0)
                r = negative_errno();
        g->listen_fd = TAKE_FD(lfd);
        g->dns_fd = TAKE_FD(dfd);
        if (r == 0 && g->listen_fd >= 0) {
                r = start_thread(&g->accept_thread, accept_thread, g);
                g->have_accept = r == 0;
        }
        if (r == 0 && g->dns_fd >= 0) {
                r = start_thread(&g->gateway_dns_thread, gateway_dns_thread, g);
                g->have_dns = r == 0;
        }
        if (r < 0) {
                gateway_stop(g, NULL, NULL);
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "gateway", NULL);
        }
        *ret = g;
        return 0;
}

int gateway_start(const NetPolicy *p, int proxy_listen_fd, int dns_fd, Gateway **ret,
                  AirlockError *err)
{
        return gateway_start_full(p, proxy_listen_fd, dns_fd, NULL, ret, err);
}

void gateway_stop_full(Gateway *g, NetRecord **ret_records, size_t *ret_n, GatewayStats *ret_stats)
{
        if (ret_records)
                *ret_records = NULL;
        if (ret_n)
                *ret_n = 0;
        if (ret_stats)
                *ret_stats = (GatewayStats){0};
        if (!g)
                return;

        atomic_store(&g->stopping, true);
        if (g->stop_fd >= 0)
                (void)eventfd_write(g->stop_fd, 1);
        /* Belt and braces: every thread polls stop_fd, and these wake whatever does not. */
        if (g->listen_fd >= 0)
                (void)shutdown(g->listen_fd, SHUT_RDWR);
        pthread_mutex_lock(&g->lock);
        for (Conn *c = g->conns; c; c = c->next) {
                if (c->client_fd >= 0)
                        (void)shutdown(c->client_fd, SHUT_RDWR);
                if (c->origin_fd >= 0)
                        (void)shutdown(c->origin_fd, SHUT_RDWR);
        }
        pthread_mutex_unlock(&g->lock);
        if (g->have_accept)
                pthread_join(g->accept_thread, NULL);
        if (g->have_dns)
                pthread_join(g->gateway_dns_thread, NULL);
        gateway_reap(g, false);

        safe_close(g->listen_fd);
        safe_close(g->dns_fd);
        safe_close(g->stop_fd);
        if (ret_stats)
                *ret_stats = (GatewayStats){.records_dropped = g->dropped,
                                            .bytes_up = atomic_load(&g->bytes_up),
                                            .bytes_down = atomic_load(&g->bytes_down)};
        if (ret_records && ret_n && g->n_records > 0) {
                *ret_records = TAKE_PTR(g->records);
                *ret_n = g->n_records;
        }
        free(g->records);
        net_policy_done(&g->policy);
        pthread_mutex_destroy(&g->lock);
        free(g);
}

void gateway_stop(Gateway *g, NetRecord **ret_records, size_t *ret_n)
{
        gateway_stop_full(g, ret_records, ret_n, NULL);
}
