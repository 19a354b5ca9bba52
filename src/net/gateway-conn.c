/* One proxied connection: read and judge the request head, resolve, connect, then relay bytes
 * both ways within the run's caps. Refusals are answered with a status and a one-line reason;
 * every connection ends as exactly one record, announced to the verdict hook once. */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "gateway-internal.h"

/* Takes up to want bytes of a per-run budget; 0 once it is spent. */
static uint64_t budget_take(_Atomic uint64_t *used, uint64_t cap, uint64_t want)
{
        uint64_t cur = atomic_load(used), grant;

        do {
                if (cur >= cap)
                        return 0;
                grant = MIN(want, cap - cur);
        } while (!atomic_compare_exchange_weak(used, &cur, cur + grant));
        return grant;
}

static void conn_set_origin(Conn *c, int fd)
{
        pthread_mutex_lock(&c->g->lock);
        c->origin_fd = fd;
        pthread_mutex_unlock(&c->g->lock);
}

/* Closes a socket gateway_stop() may be shutting down: forgotten under the lock first, so that
 * stop never touches a number that was closed and reused. */
static void conn_close_fd(Conn *c, int *fdp)
{
        int fd;

        pthread_mutex_lock(&c->g->lock);
        fd = *fdp;
        *fdp = -EBADF;
        pthread_mutex_unlock(&c->g->lock);
        safe_close(fd);
}

/* Tries each address in turn; the connected socket is left in c->origin_fd. */
static int conn_connect(Conn *c, const struct sockaddr_storage *addrs, size_t n)
{
        uint64_t total = now_ms() + CONNECT_TOTAL_MS;
        int r = -EHOSTUNREACH;

        for (size_t i = 0; i < n; i++) {
                const struct sockaddr *sa = (const struct sockaddr *)&addrs[i];
                socklen_t len = sa->sa_family == AF_INET ? sizeof(struct sockaddr_in)
                                                         : sizeof(struct sockaddr_in6);
                int fd, e = 0;
                socklen_t elen = sizeof(e);

                if (stopping(c->g))
                        return -ECANCELED;
                if (ms_left(total) == 0)
                        return -ETIMEDOUT;
                fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
                if (fd < 0)
                        return negative_errno();
                conn_set_origin(c, fd);
                gateway_format_address(sa, c->rec.address, sizeof(c->rec.address));
                if (connect(fd, sa, len) == 0)
                        return 0;
                if (errno != EINPROGRESS) {
                        r = negative_errno();
                } else {
                        r = gateway_wait_fd(c->g, fd, POLLOUT,
                                            MIN(total, now_ms() + CONNECT_TIMEOUT_MS));
                        if (r == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) == 0 &&
                            e == 0)
                                return 0;
                        r = r == 1 ? -(e ? e : ECONNREFUSED) : r == 0 ? -ETIMEDOUT : r;
                }
                conn_close_fd(c, &c->origin_fd);
                if (r == -ECANCELED)
                        return r;
        }
        return r;
}

/* Sends a response and closes gently: the client may still be sending (a body, or more head
 * than the cap), and closing a socket with unread input sends a reset that can destroy the
 * response before it is read. So: our side done, then discard what comes, within bounds. */
static void conn_respond(Conn *c, int status, const char *detail)
{
        uint64_t deadline = now_ms() + LINGER_MS;
        char buf[512];
        size_t n = proxy_http_format_response(status, detail, buf, sizeof(buf)), drained = 0;

        if (gateway_send_all(c->g, c->client_fd, buf, n, now_ms() + SEND_TIMEOUT_MS) < 0)
                return;
        (void)shutdown(c->client_fd, SHUT_WR);
        while (drained < LINGER_BYTES &&
               gateway_wait_fd(c->g, c->client_fd, POLLIN, deadline) > 0) {
                ssize_t r = recv(c->client_fd, buf, sizeof(buf), MSG_DONTWAIT);

                if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
                        break;
                drained += r > 0 ? (size_t)r : 0;
        }
}

/* Reads until the head is complete. 0 with *ret filled, or an error (parse errors included). */
static int conn_read_head(Conn *c, ProxyRequest *ret)
{
        uint64_t deadline = c->start_ms + HEAD_TIMEOUT_MS;

        for (;;) {
                ssize_t n;
                int r;

                r = proxy_http_head_length(c->head, c->head_fill);
                if (r != -EAGAIN)
                        return r < 0 ? r : proxy_http_parse(c->head, c->head_fill, ret);
                r = gateway_wait_fd(c->g, c->client_fd, POLLIN, deadline);
                if (r <= 0)
                        return r == 0 ? -ETIMEDOUT : r;
                n = recv(c->client_fd, c->head + c->head_fill, sizeof(c->head) - c->head_fill,
                         MSG_DONTWAIT);
                if (n == 0)
                        return -ECONNRESET;
                if (n < 0 && errno != EAGAIN && errno != EINTR)
                        return -ECONNRESET;
                if (n > 0)
                        c->head_fill += (size_t)n;
        }
}

/* Fills an empty flow from fd within the run's budget. -EDQUOT: the budget is spent. */
static int flow_read(int fd, Flow *f, _Atomic uint64_t *used, uint64_t cap, uint64_t *count)
{
        uint64_t grant = budget_take(used, cap, sizeof(f->buf));
        ssize_t n;

        if (grant == 0) {
                char b;

                /* Spent: an orderly close still ends as "closed", more data as "byte cap". */
                n = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
                if (n == 0)
                        f->eof = true;
                return n == 0 ? 0 : -EDQUOT;
        }
        n = recv(fd, f->buf, (size_t)grant, MSG_DONTWAIT);
        if (n <= 0) {
                atomic_fetch_sub(used, grant);
                if (n == 0)
                        f->eof = true;
                if (n < 0 && errno != EAGAIN && errno != EINTR)
                        return negative_errno();
                return 0;
        }
        atomic_fetch_sub(used, grant - (uint64_t)n);
        f->off = 0;
        f->len = (size_t)n;
        *count += (uint64_t)n;
        return 0;
}

static int flow_write(int fd, Flow *f)
{
        ssize_t n = send(fd, f->buf + f->off, f->len, MSG_DONTWAIT | MSG_NOSIGNAL);

        if (n < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : negative_errno();
        f->off += (size_t)n;
        f->len -= (size_t)n;
        return 0;
}

static short flow_events(const Flow *in, const Flow *out)
{
        return (short)((in->len == 0 && !in->eof ? POLLIN : 0) | (out->len > 0 ? POLLOUT : 0));
}

/* Relays both ways until the origin closes (and its bytes are delivered), a cap is reached,
 * an error, or gateway_stop(). The client's EOF is passed on as a half-close. */
static const char *conn_relay(Conn *c)
{
        Gateway *g = c->g;
        uint64_t deadline =
            g->policy.max_conn_ms ? c->start_ms + g->policy.max_conn_ms : UINT64_MAX;
        bool up_shut = false;

        for (;;) {
                struct pollfd p[3];
                int r = 0;

                if (c->down.eof && c->down.len == 0)
                        return "closed";
                if (c->up.eof && c->up.len == 0 && !up_shut) {
                        (void)shutdown(c->origin_fd, SHUT_WR);
                        up_shut = true;
                }
                if (ms_left(deadline) == 0)
                        return "lifetime";
                p[0] = (struct pollfd){.fd = c->client_fd, .events = flow_events(&c->up, &c->down)};
                p[1] = (struct pollfd){.fd = c->origin_fd, .events = flow_events(&c->down, &c->up)};
                p[2] = (struct pollfd){.fd = g->stop_fd, .events = POLLIN};
                /* An fd with nothing to wait for must not report POLLHUP over and over. */
                for (int i = 0; i < 2; i++)
                        if (!p[i].events)
                                p[i].fd = -1;
                if (poll(p, 3, ms_left(deadline)) < 0) {
                        if (errno == EINTR)
                                continue;
                        return "poll failed";
                }
                if (p[2].revents)
                        return "stopped";
                if ((p[0].events & POLLIN) && p[0].revents)
                        r = flow_read(c->client_fd, &c->up, &g->bytes_up, g->policy.max_bytes_up,
                                      &c->rec.bytes_up);
                if (r == 0 && (p[1].events & POLLOUT) && p[1].revents)
                        r = flow_write(c->origin_fd, &c->up);
                if (r == 0 && (p[1].events & POLLIN) && p[1].revents)
                        r = flow_read(c->origin_fd, &c->down, &g->bytes_down,
                                      g->policy.max_bytes_down, &c->rec.bytes_down);
                if (r == 0 && (p[0].events & POLLOUT) && p[0].revents)
                        r = flow_write(c->client_fd, &c->down);
                if (r == -EDQUOT)
                        return "byte cap";
                if (r < 0)
                        return "reset";
        }
}

/* Sends what the client sent beyond the head (a body, or a TLS hello sent early) via c->up, and
 * for plain HTTP the rewritten head first. */
static int conn_forward_head(Conn *c, const ProxyRequest *req)
{
        Gateway *g = c->g;
        size_t extra = c->head_fill - req->head_len, len = 0;
        _cleanup_free_ char *out = NULL;
        int r;

        if (!req->connect) {
                out = malloc(PROXY_HTTP_REWRITE_MAX);
                if (!out)
                        return -ENOMEM;
                r = proxy_http_rewrite(c->head, req, out, PROXY_HTTP_REWRITE_MAX, &len);
                if (r < 0)
                        return r;
        }
        if (budget_take(&g->bytes_up, g->policy.max_bytes_up, len + extra) != len + extra)
                return -EDQUOT; /* a partial grant is not returned: the budget is spent anyway */
        c->rec.bytes_up += len + extra;
        if (len > 0) {
                r = gateway_send_all(g, c->origin_fd, out, len, now_ms() + SEND_TIMEOUT_MS);
                if (r < 0)
                        return r;
        }
        memcpy(c->up.buf, c->head + req->head_len, extra);
        c->up.len = extra;
        return 0;
}

/* The verdict is known: the hook hears it once, before the client does (so that a live
 * event comes before whatever the program does next). Later calls do nothing. */
static void conn_announce(Conn *c)
{
        if (c->announced)
                return;
        c->announced = true;
        gateway_announce(c->g, &c->rec);
}

/* Refuses with an HTTP status: the record says why, and so does the body, naming what was
 * asked for (where, may be NULL). */
static void conn_refuse(Conn *c, int status, const char *reason, const char *detail,
                        const char *where)
{
        char body[400];

        set_reason(&c->rec, "%s", reason);
        conn_announce(c);
        snprintf(body, sizeof(body), "%s%s%s", detail, where ? ": " : "", where ? where : "");
        conn_respond(c, status, body);
}

/* The attempt hook, then policy, resolution, connection: the origin socket in c->origin_fd, or
 * a refusal sent. */
static int conn_open_origin(Conn *c, const char *host, uint16_t port)
{
        Gateway *g = c->g;
        struct sockaddr_storage addrs[ADDRS_MAX];
        struct addrinfo *res = NULL;
        char where[300], refusal[sizeof(c->rec.reason)] = "";
        size_t n, total;
        int r;

        snprintf(where, sizeof(where), strchr(host, ':') ? "[%s]:%u" : "%s:%u", host,
                 (unsigned)port);
        /* first: a request the policy refuses is an attempt all the same */
        if (!gateway_ask(g, &c->rec, refusal, sizeof(refusal))) {
                if (!refusal[0])
                        snprintf(refusal, sizeof(refusal), "refused");
                conn_refuse(c, 403, refusal, refusal, where);
                return -EPERM;
        }
        if (!net_policy_host_allowed(&g->policy, host, port)) {
                conn_refuse(c, 403, "host not allowed", "host not allowed", where);
                return -EPERM;
        }
        if (atomic_load(&g->bytes_up) >= g->policy.max_bytes_up ||
            atomic_load(&g->bytes_down) >= g->policy.max_bytes_down) {
                conn_refuse(c, 403, "byte cap", "the run's network byte cap is spent", NULL);
                return -EDQUOT;
        }
        r = gateway_resolve(g, host, AF_UNSPEC, RESOLVE_TIMEOUT_MS, &res);
        if (r == -ECANCELED)
                set_reason(&c->rec, "stopped");
        else if (r == -ETIMEDOUT)
                conn_refuse(c, 504, "resolution timed out", "resolution timed out", where);
        else if (r == -ENOENT)
                conn_refuse(c, 502, "no such host", "no such host", where);
        else if (r < 0)
                conn_refuse(c, 502, "resolution failed", "resolution failed", where);
        if (r < 0)
                return r;
        n = gateway_filter_addresses(&g->policy, res, port, addrs, ADDRS_MAX, &total);
        freeaddrinfo(res);
        if (n == 0) {
                conn_refuse(c, 403, "private address", "host resolves to a private address", where);
                return -EPERM;
        }
        c->rec.allowed = true;
        r = conn_connect(c, addrs, n);
        if (r == 0) {
                set_reason(&c->rec, "connected"); /* until the relay says how it ended */
                conn_announce(c);
        } else if (r == -ECANCELED)
                set_reason(&c->rec, "stopped");
        else if (r == -ETIMEDOUT)
                conn_refuse(c, 504, "connect timed out", "connection timed out", where);
        else {
                char why[sizeof(c->rec.reason)];

                snprintf(why, sizeof(why), "connect failed: %s", strerror(-r));
                conn_refuse(c, 502, why, "cannot connect", NULL);
        }
        return r;
}

static void conn_serve(Conn *c)
{
        static const char established[] = "HTTP/1.1 200 Connection established\r\n\r\n";
        ProxyRequest req;
        char host[256];
        int r;

        r = conn_read_head(c, &req);
        if (r == -ECANCELED || r == -ECONNRESET) {
                set_reason(&c->rec, r == -ECANCELED ? "stopped" : "client closed");
                return;
        }
        if (r == -ETIMEDOUT) {
                conn_refuse(c, 408, "head timeout", "timed out reading the request", NULL);
                return;
        }
        if (r < 0) {
                int status = proxy_http_error_status(r);

                conn_refuse(c, status,
                            status == 405   ? "method not allowed"
                            : status == 431 ? "head too large"
                            : status == 501 ? "scheme not supported"
                                            : "bad request",
                            r == -EPROTONOSUPPORT ? "only http:// here; use CONNECT for https"
                                                  : proxy_http_status_text(status),
                            NULL);
                return;
        }
        c->rec.kind = req.connect ? NET_RECORD_CONNECT : NET_RECORD_HTTP;
        c->rec.port = req.port;
        snprintf(c->rec.host, sizeof(c->rec.host), "%s", req.host);
        if (net_host_normalize(req.host, host, sizeof(host)) < 0) {
                conn_refuse(c, 400, "bad host", "bad host", NULL);
                return;
        }
        snprintf(c->rec.host, sizeof(c->rec.host), "%s", host);
        if (conn_open_origin(c, host, req.port) < 0)
                return;
        if (req.connect) {
                r = gateway_send_all(c->g, c->client_fd, established, sizeof(established) - 1,
                                     now_ms() + SEND_TIMEOUT_MS);
                if (r < 0) {
                        set_reason(&c->rec, "client closed");
                        return;
                }
        }
        r = conn_forward_head(c, &req);
        if (r == -EDQUOT)
                set_reason(&c->rec, "byte cap");
        else if (r < 0)
                set_reason(&c->rec, "forwarding the request failed");
        else
                set_reason(&c->rec, "%s", conn_relay(c));
}

void *gateway_conn_thread(void *arg)
{
        Conn *c = arg;
        Gateway *g = c->g;

        conn_serve(c);
        c->rec.duration_ms = now_ms() - c->start_ms;
        conn_announce(c); /* ended before a verdict: stopped, or the client went away */
        gateway_record(g, &c->rec);
        conn_close_fd(c, &c->origin_fd);
        conn_close_fd(c, &c->client_fd);
        pthread_mutex_lock(&g->lock);
        g->n_active--;
        c->finished = true;
        pthread_mutex_unlock(&g->lock);
        return NULL;
}
