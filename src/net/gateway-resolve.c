/* Name resolution for the gateway, on the host's resolver. getaddrinfo() cannot be interrupted,
 * so each lookup runs in its own detached thread and the caller waits only as long as it wants
 * to (a timeout, or gateway_stop()). A slow or hostile name server then delays one answer, never
 * the end of a run. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "gateway-internal.h"

#define RESOLVERS_MAX 64 /* getaddrinfo() threads alive at once, all gateways together */

/* A getaddrinfo() that the caller can stop waiting for: it runs in its own detached thread, and
 * whichever of the two lets go last frees it. */
typedef struct Resolve {
        pthread_mutex_t lock;
        pthread_cond_t cond;
        int refs;
        bool done;
        char host[256];
        int family;
        struct addrinfo *res;
        int rc;
} Resolve;

static atomic_int resolvers_running;

static void resolve_unref(Resolve *r)
{
        bool last;

        pthread_mutex_lock(&r->lock);
        last = --r->refs == 0;
        pthread_mutex_unlock(&r->lock);
        if (!last)
                return;
        if (r->res)
                freeaddrinfo(r->res);
        pthread_cond_destroy(&r->cond);
        pthread_mutex_destroy(&r->lock);
        free(r);
}

static void *resolve_thread(void *arg)
{
        Resolve *r = arg;
        struct addrinfo hints = {.ai_family = r->family, .ai_socktype = SOCK_STREAM};
        struct addrinfo *res = NULL;
        int rc;

        rc = getaddrinfo(r->host, NULL, &hints, &res);
        pthread_mutex_lock(&r->lock);
        r->rc = rc;
        r->res = rc == 0 ? res : NULL;
        r->done = true;
        pthread_cond_signal(&r->cond);
        pthread_mutex_unlock(&r->lock);
        resolve_unref(r);
        atomic_fetch_sub(&resolvers_running, 1);
        return NULL;
}

static int resolve_spawn(const char *host, int family, Resolve **ret)
{
        pthread_condattr_t ca;
        pthread_attr_t attr;
        pthread_t t;
        Resolve *r;
        int e;

        if (atomic_fetch_add(&resolvers_running, 1) >= RESOLVERS_MAX) {
                atomic_fetch_sub(&resolvers_running, 1);
                return -EAGAIN;
        }
        r = calloc(1, sizeof(*r));
        if (!r) {
                atomic_fetch_sub(&resolvers_running, 1);
                return -ENOMEM;
        }
        pthread_mutex_init(&r->lock, NULL);
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&r->cond, &ca);
        pthread_condattr_destroy(&ca);
        snprintf(r->host, sizeof(r->host), "%s", host);
        r->family = family;
        r->refs = 2;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        e = pthread_create(&t, &attr, resolve_thread, r);
        pthread_attr_destroy(&attr);
        if (e != 0) {
                r->refs = 1;
                resolve_unref(r);
                atomic_fetch_sub(&resolvers_running, 1);
                return -e;
        }
        *ret = r;
        return 0;
}

/* getaddrinfo() for host (normalised), waiting at most timeout_ms and never past
 * gateway_stop(). -ENOENT: no such name or no address of that family; -ETIMEDOUT; -ECANCELED:
 * the gateway is stopping; -EAGAIN: too many lookups already running; -EIO: anything else. */
int gateway_resolve(Gateway *g, const char *host, int family, uint64_t timeout_ms,
                    struct addrinfo **ret)
{
        struct addrinfo hints = {.ai_family = family, .ai_socktype = SOCK_STREAM};
        uint64_t deadline = now_ms() + timeout_ms;
        struct addrinfo *res = NULL;
        Resolve *r = NULL;
        bool finished;
        int rc, e;
        uint8_t probe[16];

        /* Addresses need no lookup, and must never be taken for names. */
        if (inet_pton(AF_INET, host, probe) == 1 || inet_pton(AF_INET6, host, probe) == 1) {
                hints.ai_flags = AI_NUMERICHOST;
                rc = getaddrinfo(host, NULL, &hints, &res);
                goto done;
        }
        e = resolve_spawn(host, family, &r);
        if (e < 0)
                return e;
        pthread_mutex_lock(&r->lock);
        while (!r->done && !stopping(g) && now_ms() < deadline) {
                /* Short slices: gateway_stop() cannot reach this condition variable. */
                uint64_t until = MIN(deadline, now_ms() + 100);
                struct timespec ts = {.tv_sec = (time_t)(until / 1000),
                                      .tv_nsec = (long)(until % 1000) * 1000000};

                pthread_cond_timedwait(&r->cond, &r->lock, &ts);
        }
        finished = r->done;
        rc = r->rc;
        res = TAKE_PTR(r->res);
        pthread_mutex_unlock(&r->lock);
        resolve_unref(r);
        if (!finished)
                return stopping(g) ? -ECANCELED : -ETIMEDOUT;
done:
        if (rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_ADDRFAMILY || (rc == 0 && !res))
                return -ENOENT;
        if (rc != 0)
                return -EIO;
        *ret = res;
        return 0;
}

/* The distinct addresses of res that the policy accepts, with the port set. Returns how many;
 * *ret_total is how many distinct addresses there were before the policy. */
size_t gateway_filter_addresses(const NetPolicy *p, const struct addrinfo *res, uint16_t port,
                                struct sockaddr_storage *out, size_t max, size_t *ret_total)
{
        struct sockaddr_storage seen[ADDRS_MAX];
        size_t n = 0, total = 0;

        for (const struct addrinfo *ai = res; ai && total < ADDRS_MAX; ai = ai->ai_next) {
                bool dup = false;

                if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
                    ai->ai_addrlen > sizeof(seen[0]))
                        continue;
                for (size_t i = 0; i < total && !dup; i++)
                        dup = memcmp(&seen[i], ai->ai_addr, ai->ai_addrlen) == 0;
                if (dup)
                        continue;
                memset(&seen[total], 0, sizeof(seen[total]));
                memcpy(&seen[total++], ai->ai_addr, ai->ai_addrlen);
                if (n >= max || !net_policy_address_allowed(p, ai->ai_addr))
                        continue;
                out[n] = seen[total - 1];
                if (ai->ai_family == AF_INET)
                        ((struct sockaddr_in *)&out[n])->sin_port = htons(port);
                else
                        ((struct sockaddr_in6 *)&out[n])->sin6_port = htons(port);
                n++;
        }
        *ret_total = total;
        return n;
}
