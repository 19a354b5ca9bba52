/* The one clock airlock measures runs with. */
#pragma once

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_monotonic_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
