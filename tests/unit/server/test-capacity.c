#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/capacity.h"

typedef struct Waiter {
        Capacity *c;
        int client_fd;
        int r;
} Waiter;

static void *wait_thread(void *p)
{
        Waiter *w = p;
        double waited;

        w->r = capacity_acquire(w->c, w->client_fd, &waited);
        return NULL;
}

static void stats(Capacity *c, uint64_t want_active, uint64_t want_queued)
{
        uint64_t active, queued;

        capacity_stats(c, &active, &queued);
        cr_assert_eq(active, want_active);
        cr_assert_eq(queued, want_queued);
}

static void wait_queued(Capacity *c, uint64_t n)
{
        for (int i = 0; i < 1000; i++) {
                uint64_t active, queued;

                capacity_stats(c, &active, &queued);
                if (queued == n)
                        return;
                usleep(1000);
        }
        cr_assert_fail("queue never reached %llu", (unsigned long long)n);
}

Test(capacity, slots_queue_and_handover)
{
        Capacity *c = NULL;
        double waited;
        Waiter w = {.client_fd = -1};
        pthread_t t;

        cr_assert_eq(capacity_new(1, 1, &c), 0);
        w.c = c;
        cr_assert_eq(capacity_acquire(c, -1, &waited), 0);
        cr_assert_eq(waited, 0);
        stats(c, 1, 0);
        pthread_create(&t, NULL, wait_thread, &w);
        wait_queued(c, 1);
        /* The queue is full now. */
        cr_assert_eq(capacity_acquire(c, -1, &waited), -EAGAIN);
        /* The slot goes straight to the waiter. */
        capacity_release(c);
        pthread_join(t, NULL);
        cr_assert_eq(w.r, 0);
        stats(c, 1, 0);
        capacity_release(c);
        stats(c, 0, 0);
        capacity_free(c);
}

Test(capacity, a_waiter_that_hangs_up_leaves_the_queue)
{
        Capacity *c = NULL;
        double waited;
        int sv[2];
        Waiter w = {0};
        pthread_t t;

        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        cr_assert_eq(capacity_new(1, 4, &c), 0);
        w = (Waiter){.c = c, .client_fd = sv[0]};
        cr_assert_eq(capacity_acquire(c, -1, &waited), 0);
        pthread_create(&t, NULL, wait_thread, &w);
        wait_queued(c, 1);
        close(sv[1]); /* the client hangs up */
        pthread_join(t, NULL);
        cr_assert_eq(w.r, -ECONNRESET);
        stats(c, 1, 0);
        capacity_release(c);
        stats(c, 0, 0);
        close(sv[0]);
        capacity_free(c);
}

Test(capacity, no_queue)
{
        Capacity *c = NULL;
        double waited;

        cr_assert_eq(capacity_new(2, 0, &c), 0);
        cr_assert_eq(capacity_acquire(c, -1, &waited), 0);
        cr_assert_eq(capacity_acquire(c, -1, &waited), 0);
        cr_assert_eq(capacity_acquire(c, -1, &waited), -EAGAIN);
        capacity_release(c);
        capacity_release(c);
        stats(c, 0, 0);
        capacity_free(c);
}
