#include "capacity.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>

#include "basic/macros.h"

typedef struct Waiter {
        int efd;
        bool granted;
        struct Waiter *next;
} Waiter;

struct Capacity {
        pthread_mutex_t lock;
        uint32_t slots, queue_size;
        uint32_t active; /* slots taken */
        uint32_t queued;
        Waiter *head, *tail;
};

int capacity_new(uint32_t slots, uint32_t queue_size, Capacity **ret)
{
        Capacity *c = calloc(1, sizeof(Capacity));

        if (!c)
                return -ENOMEM;
        pthread_mutex_init(&c->lock, NULL);
        c->slots = slots;
        c->queue_size = queue_size;
        *ret = c;
        return 0;
}

Capacity *capacity_free(Capacity *c)
{
        if (!c)
                return NULL;
        pthread_mutex_destroy(&c->lock);
        free(c);
        return NULL;
}

static double now_s(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void unlink_waiter(Capacity *c, Waiter *w)
{
        Waiter **pp = &c->head, *prev = NULL;

        while (*pp && *pp != w) {
                prev = *pp;
                pp = &(*pp)->next;
        }
        if (!*pp)
                return;
        *pp = w->next;
        if (c->tail == w)
                c->tail = prev;
        c->queued--;
}

/* Blocks until w is granted a slot or the client hangs up. Called unlocked. */
static int wait_for_slot(Capacity *c, Waiter *w, int client_fd)
{
        for (;;) {
                struct pollfd p[2] = {
                    {.fd = w->efd, .events = POLLIN},
                    /* Only hang-ups: a pipelined next request would make POLLIN spin. */
                    {.fd = client_fd, .events = POLLRDHUP},
                };
                bool gone;

                if (poll(p, client_fd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
                        return negative_errno();
                gone = client_fd >= 0 && (p[1].revents & (POLLRDHUP | POLLHUP | POLLERR));

                pthread_mutex_lock(&c->lock);
                if (w->granted) {
                        /* The slot is ours even if the client just left: the caller notices
                         * that next and releases it. */
                        pthread_mutex_unlock(&c->lock);
                        return 0;
                }
                if (gone) {
                        unlink_waiter(c, w);
                        pthread_mutex_unlock(&c->lock);
                        return -ECONNRESET;
                }
                pthread_mutex_unlock(&c->lock);
        }
}

int capacity_acquire(Capacity *c, int client_fd, double *ret_waited_s)
{
        Waiter w = {.efd = -EBADF};
        double start;
        int r;

        pthread_mutex_lock(&c->lock);
        if (c->active < c->slots && !c->head) {
                c->active++;
                pthread_mutex_unlock(&c->lock);
                *ret_waited_s = 0;
                return 0;
        }
        if (c->queued >= c->queue_size) {
                pthread_mutex_unlock(&c->lock);
                return -EAGAIN;
        }
        w.efd = eventfd(0, EFD_CLOEXEC);
        if (w.efd < 0) {
                r = negative_errno();
                pthread_mutex_unlock(&c->lock);
                return r;
        }
        if (c->tail)
                c->tail->next = &w;
        else
                c->head = &w;
        c->tail = &w;
        c->queued++;
        pthread_mutex_unlock(&c->lock);

        start = now_s();
        r = wait_for_slot(c, &w, client_fd);
        if (r < 0 && r != -ECONNRESET) {
                /* poll() itself failed: leave the queue, or give back a slot granted
                 * meanwhile. */
                pthread_mutex_lock(&c->lock);
                bool granted = w.granted;

                if (!granted)
                        unlink_waiter(c, &w);
                pthread_mutex_unlock(&c->lock);
                if (granted)
                        capacity_release(c);
        }
        safe_close(w.efd);
        if (r == 0)
                *ret_waited_s = now_s() - start;
        return r;
}

void capacity_release(Capacity *c)
{
        static const uint64_t one = 1;
        Waiter *w;

        pthread_mutex_lock(&c->lock);
        w = c->head;
        if (w) {
                /* Hand the slot over as it is: active stays the same. */
                c->head = w->next;
                if (!c->head)
                        c->tail = NULL;
                c->queued--;
                w->granted = true;
                /* An eventfd write of 1 cannot block or fail short of a counter overflow. */
                (void)!write(w->efd, &one, sizeof(one));
        } else if (c->active > 0)
                c->active--;
        pthread_mutex_unlock(&c->lock);
}

void capacity_stats(Capacity *c, uint64_t *ret_active, uint64_t *ret_queued)
{
        pthread_mutex_lock(&c->lock);
        *ret_active = c->active;
        *ret_queued = c->queued;
        pthread_mutex_unlock(&c->lock);
}
