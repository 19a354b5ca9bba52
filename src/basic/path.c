#include "path.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "macros.h"

int path_normalize_relative(const char *path, const char *scratch_prefix, char **ret)
{
        _cleanup_free_ char *out = NULL;
        size_t plen, used = 0, len;
        const char *p;

        if (!path || !*path)
                return -EINVAL;
        len = strlen(path);
        if (len >= PATH_MAX)
                return -ENAMETOOLONG;
        if (path[0] == '/') {
                if (!scratch_prefix)
                        return -EINVAL;
                plen = strlen(scratch_prefix);
                if (strncmp(path, scratch_prefix, plen) != 0 || (path[plen] != '/' && path[plen]))
                        return -EINVAL;
                path += plen;
        }
        out = malloc(len + 1);
        if (!out)
                return -ENOMEM;
        for (p = path; *p;) {
                size_t n = strcspn(p, "/");

                if (n == 2 && p[0] == '.' && p[1] == '.')
                        return -EINVAL;
                if (n > 0 && !(n == 1 && p[0] == '.')) {
                        if (used)
                                out[used++] = '/';
                        memcpy(out + used, p, n);
                        used += n;
                }
                p += n;
                while (*p == '/')
                        p++;
        }
        if (used == 0)
                return -EINVAL;
        out[used] = '\0';
        *ret = TAKE_PTR(out);
        return 0;
}

bool path_is_plain_component(const char *name)
{
        return name && *name && !strchr(name, '/') && strcmp(name, ".") != 0 &&
               strcmp(name, "..") != 0;
}

char *path_basename(const char *path)
{
        size_t end, start;

        if (!path)
                return NULL;
        end = strlen(path);
        while (end > 0 && path[end - 1] == '/')
                end--;
        if (end == 0)
                return NULL;
        start = end;
        while (start > 0 && path[start - 1] != '/')
                start--;
        return strndup(path + start, end - start);
}
