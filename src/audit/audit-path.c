/* Paths as the program named them, made absolute and folded, so that rules match whatever
 * spelling it chose: "/etc//./shadow", "../../etc/shadow" from /work, "shadow" with /etc as
 * its cwd or directory fd, /proc/self/root/etc/shadow. Lexical only: links are not followed
 * (airlock never touches the sandbox's files for it; docs/EVENTS.md says what that misses). */
#include "audit-rules.h"

#include <errno.h>
#include <string.h>

bool audit_path_under(const char *path, const char *prefix)
{
        size_t n = strlen(prefix);

        if (n == 1 && prefix[0] == '/')
                return path[0] == '/';
        return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Appends the components of src to the absolute path in buf (length *len), folding "." and
 * "..". */
static int append(char *buf, size_t size, size_t *len, const char *src)
{
        while (*src) {
                const char *end;
                size_t n;

                src += strspn(src, "/");
                end = src + strcspn(src, "/");
                n = (size_t)(end - src);
                if (n == 0 || (n == 1 && src[0] == '.')) {
                        /* nothing */
                } else if (n == 2 && src[0] == '.' && src[1] == '.') {
                        while (*len > 0 && buf[*len - 1] != '/')
                                (*len)--;
                        if (*len > 1)
                                (*len)--; /* the slash, unless it is the root's */
                        buf[*len] = '\0';
                } else {
                        if (*len + (*len > 1) + n + 1 > size)
                                return -ENAMETOOLONG;
                        if (*len > 1)
                                buf[(*len)++] = '/';
                        memcpy(buf + *len, src, n);
                        *len += n;
                        buf[*len] = '\0';
                }
                src = end;
        }
        return 0;
}

/* Length of a leading /proc/self/root, /proc/thread-self/root or /proc/DIGITS/root in a
 * folded absolute path, or 0. */
static size_t proc_root_prefix(const char *p)
{
        const char *q;

        if (strncmp(p, "/proc/", 6) != 0)
                return 0;
        q = p + 6;
        if (strncmp(q, "self/", 5) == 0)
                q += 5;
        else if (strncmp(q, "thread-self/", 12) == 0)
                q += 12;
        else {
                size_t d = strspn(q, "0123456789");

                if (d == 0 || q[d] != '/')
                        return 0;
                q += d + 1;
        }
        if (strncmp(q, "root", 4) != 0 || (q[4] != '\0' && q[4] != '/'))
                return 0;
        return (size_t)(q + 4 - p);
}

int audit_path_resolve(const char *base, const char *path, char *buf, size_t size)
{
        size_t len = 1, cut;
        int r;

        if (size < 2)
                return -ENAMETOOLONG;
        buf[0] = '/';
        buf[1] = '\0';
        if (path[0] != '/') {
                if (!base || base[0] != '/')
                        return -EINVAL;
                r = append(buf, size, &len, base);
                if (r < 0)
                        return r;
        }
        r = append(buf, size, &len, path);
        if (r < 0)
                return r;
        /* every process of the sandbox has the same root; a loop because the rest of the
         * path may start with another one */
        while ((cut = proc_root_prefix(buf)) > 0) {
                memmove(buf, buf + cut, len - cut + 1);
                len -= cut;
                if (len == 0) {
                        buf[0] = '/';
                        buf[1] = '\0';
                        len = 1;
                }
        }
        return 0;
}
