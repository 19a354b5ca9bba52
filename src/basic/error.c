#include "error.h"

#include <stdarg.h>
#include <string.h>

int airlock_error_set(AirlockError *err, AirlockErrorKind kind, int errnum, const char *step,
                      const char *fmt, ...)
{
        if (errnum < 0)
                errnum = -errnum;
        if (err && err->kind == AIRLOCK_ERR_NONE) {
                va_list ap;

                err->kind = kind;
                err->errnum = errnum;
                snprintf(err->step, sizeof(err->step), "%s", step ? step : "");
                err->message[0] = '\0';
                if (fmt) {
                        va_start(ap, fmt);
                        vsnprintf(err->message, sizeof(err->message), fmt, ap);
                        va_end(ap);
                }
        }
        return errnum > 0 ? -errnum : -EINVAL;
}

void airlock_error_format(const AirlockError *err, char *buf, size_t size)
{
        const char *parts[3] = {err->step, err->message, err->errnum ? strerror(err->errnum) : ""};
        size_t used = 0;

        if (size == 0)
                return;
        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(parts); i++) {
                int n;

                if (!parts[i] || !parts[i][0])
                        continue;
                n = snprintf(buf + used, size - used, "%s%s", used ? ": " : "", parts[i]);
                if (n < 0 || (size_t)n >= size - used)
                        return;
                used += (size_t)n;
        }
}

const char *airlock_error_kind_to_string(AirlockErrorKind kind)
{
        switch (kind) {
        case AIRLOCK_ERR_NONE:
                return "none";
        case AIRLOCK_ERR_USAGE:
                return "usage";
        case AIRLOCK_ERR_SETUP:
                return "setup";
        case AIRLOCK_ERR_INTERNAL:
                return "internal";
        }
        return "unknown";
}
