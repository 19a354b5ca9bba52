/* collect_glob_matches decides which of the sandbox's files leave it. Input: glob, NUL, path. */
#include <stdio.h>

#include "fuzz-util.h"
#include "sandbox/collect.h"

static size_t globstars(const char *g)
{
        size_t k = 0;

        while (strncmp(g, "**/", 3) == 0) {
                g += 3;
                k++;
        }
        return k;
}

static bool is_literal(const char *g)
{
        return !strpbrk(g, "*?[\\");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *v[2] = {NULL, NULL}, *buf;
        size_t n;
        const char *glob, *path;
        bool m;

        if (size > 1024)
                return 0;
        n = fuzz_split(data, size, v, 2, &buf);
        glob = v[0];
        path = n > 1 ? v[1] : "";
        m = collect_glob_matches(glob, path);

        /* A name without wildcards matches only itself. */
        if (is_literal(glob))
                FUZZ_ASSERT(m == (strcmp(glob, path) == 0));
        /* "**" + "/" + literal matches that name at the top and in any directory. */
        if (globstars(glob) == 1 && is_literal(glob + 3) && glob[3] && glob[3] != '/' &&
            strlen(path) + strlen(glob) < 512) {
                char deeper[1024];

                FUZZ_ASSERT(collect_glob_matches(glob, glob + 3));
                snprintf(deeper, sizeof(deeper), "a/b/%s", glob + 3);
                FUZZ_ASSERT(collect_glob_matches(glob, deeper));
        }
        /* '*' never crosses a '/' and never matches a leading dot. */
        if (strcmp(glob, "*") == 0)
                FUZZ_ASSERT(m == (!strchr(path, '/') && path[0] != '.'));
        free(buf);
        return 0;
}
