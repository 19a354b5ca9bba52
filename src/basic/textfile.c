#include "textfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "macros.h"
#include "utf8.h"

int textfile_read(const char *path, size_t max, char **ret, size_t *ret_size)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        ssize_t size;

        /* O_NONBLOCK: a FIFO must not hang us before fstat can turn it down */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0 || fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if ((uint64_t)st.st_size > max)
                return -EFBIG;

        /* one byte more than the cap, to notice a file that grew after fstat */
        buf = malloc(max + 1);
        if (!buf)
                return -ENOMEM;
        size = fd_read_full(fd, buf, max + 1);
        if (size < 0)
                return (int)size;
        if ((size_t)size > max)
                return -EFBIG;
        *ret = TAKE_PTR(buf);
        *ret_size = (size_t)size;
        return 0;
}

const char *textfile_line_problem(const char *line, size_t len, char *buf, size_t size)
{
        if (memchr(line, '\0', len))
                return "NUL byte";
        if (!utf8_is_valid(line, len))
                return "not valid UTF-8";
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)line[i];

                if (c == '\r')
                        return "carriage return (a DOS line ending?)";
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                        snprintf(buf, size, "control character 0x%02x", c);
                        return buf;
                }
        }
        return NULL;
}

int textfile_explain(int r, const char *path, size_t max, const char *step, AirlockError *err)
{
        if (r == -EINVAL)
                airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, step, "%s: not a regular file", path);
        else if (r == -EFBIG)
                airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, step, "%s: larger than %zu bytes",
                                  path, max);
        else
                airlock_error_set(err, r == -ENOMEM ? AIRLOCK_ERR_SETUP : AIRLOCK_ERR_USAGE, -r,
                                  step, "%s", path);
        return r;
}

int textfile_lines(const char *data, size_t size, size_t line_max,
                   int (*fn)(void *userdata, char *line, size_t len), void *userdata,
                   unsigned *ret_line_no)
{
        _cleanup_free_ char *line = malloc(line_max + 1);
        unsigned no = 0;

        if (!line)
                return -ENOMEM;
        for (size_t pos = 0; pos < size;) {
                const char *nl = memchr(data + pos, '\n', size - pos);
                size_t len = nl ? (size_t)(nl - (data + pos)) : size - pos;
                int r;

                *ret_line_no = ++no;
                if (len > line_max)
                        return -E2BIG;
                memcpy(line, data + pos, len);
                line[len] = '\0';
                r = fn(userdata, line, len);
                if (r < 0)
                        return r;
                pos += len + (nl ? 1 : 0);
        }
        return 0;
}

int textfile_fail(AirlockError *err, const char *step, const char *path, unsigned line,
                  const char *fmt, ...)
{
        char what[256];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, step, "%s:%u: %s", path, line, what);
}
