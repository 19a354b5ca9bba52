/* Small helpers shared by the fuzz targets: fuzzed bytes into C strings. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A NUL-terminated copy of data (which may hold NULs of its own: the string ends at the first). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);

        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = '\0';
        return s;
}

/* Splits a NUL-terminated copy of data on NUL into at most max strings (the last one takes the
 * rest). Returns the count; the strings point into *ret_buf, which the caller frees. */
static inline size_t fuzz_split(const uint8_t *data, size_t size, char **v, size_t max,
                                char **ret_buf)
{
        char *buf = fuzz_strndup(data, size), *p = buf, *end = buf + size;
        size_t n = 0;

        while (n < max && p <= end) {
                v[n++] = p;
                p += strlen(p) + 1;
        }
        *ret_buf = buf;
        return n;
}

/* abort() with a message: libFuzzer reports it as a crash with the input. */
#define FUZZ_ASSERT(cond)                                                                          \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__,       \
                                #cond);                                                            \
                        abort();                                                                   \
                }                                                                                  \
        } while (0)
