#include "api-error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int api_error_set(ApiError *err, int status, const char *code, const char *fmt, ...)
{
        va_list ap;

        if (!err || err->status != 0)
                return -EINVAL;
        err->status = status;
        snprintf(err->code, sizeof(err->code), "%s", code);
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
        return -EINVAL;
}

const char *api_quote(const char *s, size_t len, char *buf, size_t max)
{
        size_t n = MIN(len, max), i;

        for (i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];

                /* Anything but printable ASCII (including '"' and '\\', which would only
                 * confuse the quoting) becomes '?'; the message is for people. */
                buf[i] = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? (char)c : '?';
        }
        if (len > max) {
                memcpy(buf + i, "...", 3);
                i += 3;
        }
        buf[i] = '\0';
        return buf;
}
