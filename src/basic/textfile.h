/* Small text files a user hands us (a seccomp policy, audit rules): read whole and bounded, and
 * checked line by line for bytes that have no business in them. */
#pragma once

#include <stddef.h>

#include "error.h"

/* Reads the regular file at path, of at most max bytes, into a malloc'd buffer (not
 * NUL-terminated). A FIFO or device is never waited on. Returns 0, -EINVAL when path is not a
 * regular file, -EFBIG when it is larger than max, or the errno of open/read. */
int textfile_read(const char *path, size_t max, char **ret, size_t *ret_size);

/* What is wrong with one line (without its newline), in words for an error message, or NULL
 * when nothing is: NUL bytes, invalid UTF-8, carriage returns, control characters but tab. buf
 * holds the text when it needs a number in it. */
const char *textfile_line_problem(const char *line, size_t len, char *buf, size_t size);

/* Explains a failure r of textfile_read() in err (AIRLOCK_ERR_USAGE with step, naming path:
 * "not a regular file", "larger than N bytes", or the errno) and returns r. */
int textfile_explain(int r, const char *path, size_t max, const char *step, AirlockError *err);

/* Calls fn on each line of data: without its newline, copied into a NUL-terminated buffer
 * (fn may write into it), with its 1-based number, which also goes to *ret_line_no. Stops at
 * fn's first negative return and returns it; a line longer than line_max returns -E2BIG before
 * fn sees it. */
int textfile_lines(const char *data, size_t size, size_t line_max,
                   int (*fn)(void *userdata, char *line, size_t len), void *userdata,
                   unsigned *ret_line_no);

/* An error at one line of a file: AIRLOCK_ERR_USAGE, step, "path:line: what". Returns
 * -EINVAL. */
int textfile_fail(AirlockError *err, const char *step, const char *path, unsigned line,
                  const char *fmt, ...) _printf_(5, 6);
