/* Sandbox slots and the queue in front of them: at most `slots` runs at once, at most
 * `queue_size` requests waiting, first come first served. A waiter blocks in poll() on an
 * eventfd of its own and on its client's socket, so a client that hangs up leaves the queue at
 * once and a freed slot goes straight to the next waiter (no polling interval, no thundering
 * herd). Thread-safe. */
#pragma once

#include <stdint.h>

typedef struct Capacity Capacity;

int capacity_new(uint32_t slots, uint32_t queue_size, Capacity **ret);
Capacity *capacity_free(Capacity *c);

/* Takes a slot. 0 (with *ret_waited_s, seconds spent queued) once it has one; -EAGAIN when the
 * queue is full; -ECONNRESET when client_fd (-1: none) hung up while waiting; other -errno. */
int capacity_acquire(Capacity *c, int client_fd, double *ret_waited_s);
void capacity_release(Capacity *c);

void capacity_stats(Capacity *c, uint64_t *ret_active, uint64_t *ret_queued);
