/* path_normalize_relative decides what may name a file inside the sandbox's scratch area: its
 * result must never be able to leave it. Input: one selector byte (scratch prefix or none),
 * then the path. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "basic/path.h"
#include "fuzz-util.h"

static void check_normalized(const char *in, const char *out)
{
        size_t len = strlen(out);
        char *again = NULL;

        FUZZ_ASSERT(len > 0);
        FUZZ_ASSERT(len <= strlen(in));
        FUZZ_ASSERT(out[0] != '/');
        FUZZ_ASSERT(out[len - 1] != '/');
        FUZZ_ASSERT(!strstr(out, "//"));
        /* No ".." and no "." component anywhere. */
        for (const char *p = out; *p;) {
                size_t n = strcspn(p, "/");

                FUZZ_ASSERT(!(n == 2 && p[0] == '.' && p[1] == '.'));
                FUZZ_ASSERT(!(n == 1 && p[0] == '.'));
                FUZZ_ASSERT(n > 0);
                p += n;
                if (*p == '/')
                        p++;
        }
        /* Normal form is a fixed point, with or without a scratch prefix. */
        FUZZ_ASSERT(path_normalize_relative(out, NULL, &again) == 0);
        FUZZ_ASSERT(strcmp(out, again) == 0);
        free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *prefix;
        char *path, *out = NULL, *base;
        int r;

        if (size < 1)
                return 0;
        prefix = data[0] & 1 ? "/work" : NULL;
        path = fuzz_strndup(data + 1, size - 1);

        r = path_normalize_relative(path, prefix, &out);
        if (r == 0) {
                check_normalized(path, out);
                /* Absolute input is accepted only below the prefix. */
                if (path[0] == '/') {
                        FUZZ_ASSERT(prefix);
                        FUZZ_ASSERT(strncmp(path, "/work/", 6) == 0);
                }
                free(out);
        } else {
                FUZZ_ASSERT(r == -EINVAL || r == -ENAMETOOLONG || r == -ENOMEM);
                FUZZ_ASSERT(out == NULL); /* ret written only on success */
        }

        base = path_basename(path);
        if (base) {
                FUZZ_ASSERT(*base);
                FUZZ_ASSERT(!strchr(base, '/'));
                FUZZ_ASSERT(strstr(path, base));
                FUZZ_ASSERT(path_is_plain_component(base) ==
                            (strcmp(base, ".") != 0 && strcmp(base, "..") != 0));
                free(base);
        } else {
                FUZZ_ASSERT(strspn(path, "/") == strlen(path));
        }
        free(path);
        return 0;
}
