/* Small text files (basic/textfile.c) and reading fds whole (basic/fd-util.c). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/fd-util.h"
#include "basic/textfile.h"

static char path[] = "/tmp/airlock-textfile-XXXXXX";

static void write_file(const char *text)
{
        int fd = mkstemp(path);

        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        close(fd);
}

Test(textfile, reads_a_bounded_regular_file)
{
        char *buf = NULL;
        size_t size = 0;

        write_file("hello\n");
        cr_assert_eq(textfile_read(path, 6, &buf, &size), 0);
        cr_assert_eq(size, 6);
        cr_assert_eq(memcmp(buf, "hello\n", 6), 0);
        free(buf);
        cr_assert_eq(textfile_read(path, 5, &buf, &size), -EFBIG);
        cr_assert_eq(textfile_read("/tmp", 5, &buf, &size), -EINVAL);
        cr_assert_eq(textfile_read("/nonexistent/x", 5, &buf, &size), -ENOENT);
        unlink(path);
}

Test(textfile, explains_failures)
{
        AirlockError err = {0};

        cr_assert_eq(textfile_explain(-EFBIG, "f", 10, "step", &err), -EFBIG);
        cr_assert_str_eq(err.message, "f: larger than 10 bytes");
        cr_assert_eq(err.kind, AIRLOCK_ERR_USAGE);
        err = (AirlockError){0};
        textfile_explain(-ENOMEM, "f", 10, "step", &err);
        cr_assert_eq(err.kind, AIRLOCK_ERR_SETUP);
        err = (AirlockError){0};
        cr_assert_eq(textfile_fail(&err, "step", "f", 3, "bad %s", "x"), -EINVAL);
        cr_assert_str_eq(err.message, "f:3: bad x");
}

Test(textfile, line_problems)
{
        char buf[64];

        cr_assert_null(textfile_line_problem("fine\ttab", 8, buf, sizeof(buf)));
        cr_assert_str_eq(textfile_line_problem("a\0b", 3, buf, sizeof(buf)), "NUL byte");
        cr_assert_str_eq(textfile_line_problem("a\r", 2, buf, sizeof(buf)),
                         "carriage return (a DOS line ending?)");
        cr_assert_str_eq(textfile_line_problem("\x7f", 1, buf, sizeof(buf)),
                         "control character 0x7f");
        cr_assert_str_eq(textfile_line_problem("\xc3", 1, buf, sizeof(buf)), "not valid UTF-8");
}

typedef struct Lines {
        unsigned n;
        char last[16];
} Lines;

static int count_line(void *userdata, char *line, size_t len)
{
        Lines *l = userdata;

        cr_assert_eq(strlen(line), len);
        snprintf(l->last, sizeof(l->last), "%s", line);
        return ++l->n == 3 ? -EXDEV : 0;
}

Test(textfile, lines_numbered_and_bounded)
{
        Lines l = {0};
        unsigned no = 0;

        cr_assert_eq(textfile_lines("a\nbb\n", 5, 8, count_line, &l, &no), 0);
        cr_assert_eq(l.n, 2);
        cr_assert_eq(no, 2);
        cr_assert_str_eq(l.last, "bb");
        l = (Lines){0};
        cr_assert_eq(textfile_lines("a\nb\nc\nd", 7, 8, count_line, &l, &no), -EXDEV);
        cr_assert_eq(no, 3, "stops at the first failure");
        l = (Lines){0};
        cr_assert_eq(textfile_lines("ok\ntoo long\n", 12, 4, count_line, &l, &no), -E2BIG);
        cr_assert_eq(no, 2);
        cr_assert_eq(l.n, 1);
        cr_assert_eq(textfile_lines("last", 4, 8, count_line, &(Lines){0}, &no), 0);
}

Test(fd_util, reads_until_the_end)
{
        int p[2];
        char buf[16];

        cr_assert_eq(pipe(p), 0);
        cr_assert_eq(write(p[1], "abc", 3), 3);
        close(p[1]);
        cr_assert_eq(fd_read_full(p[0], buf, sizeof(buf)), 3);
        cr_assert_eq(fd_read_full(p[0], buf, sizeof(buf)), 0);
        close(p[0]);
        cr_assert_eq(fd_read_full(-1, buf, 1), -EBADF);
}
