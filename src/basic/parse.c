#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <stdbool.h>

#include "macros.h"

/* Splits "12.345" into integer and fraction (scaled to 10^-9), rejecting anything else. The
 * fraction is kept in nanos so that callers can scale without floating point rounding. */
static int parse_decimal(const char *s, const char **ret_end, uint64_t *ret_int,
                         uint64_t *ret_frac_nanos)
{
        uint64_t ip = 0, frac = 0, scale = 100000000;
        const char *p = s;
        bool any = false;

        while (isdigit((unsigned char)*p)) {
                unsigned d = (unsigned)(*p - '0');

                if (ip > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                ip = ip * 10 + d;
                p++;
                any = true;
        }
        if (*p == '.') {
                p++;
                if (!isdigit((unsigned char)*p))
                        return -EINVAL;
                while (isdigit((unsigned char)*p)) {
                        frac += (uint64_t)(*p - '0') * scale;
                        scale /= 10;
                        p++;
                        any = true;
                }
        }
        if (!any)
                return -EINVAL;
        *ret_end = p;
        *ret_int = ip;
        *ret_frac_nanos = frac;
        return 0;
}

/* ip.frac × unit, rounded up, with overflow checks. */
static int scale_up(uint64_t ip, uint64_t frac_nanos, uint64_t unit, uint64_t *ret)
{
        uint64_t whole, part;

        if (unit && ip > UINT64_MAX / unit)
                return -ERANGE;
        whole = ip * unit;
        /* frac_nanos < 1e9 and unit < 2^42: the product needs more than 64 bits. */
        part = (uint64_t)(((unsigned __int128)frac_nanos * unit + 999999999) / 1000000000);
        if (part && whole > UINT64_MAX - part)
                return -ERANGE;
        *ret = whole + part;
        return 0;
}

int parse_size(const char *s, uint64_t *ret_bytes)
{
        static const struct {
                char suffix;
                uint64_t unit;
        } units[] = {
            {'K', 1ULL << 10},
            {'M', 1ULL << 20},
            {'G', 1ULL << 30},
            {'T', 1ULL << 40},
        };
        uint64_t ip, frac, unit = 1, v;
        const char *end;
        int r;

        if (!s)
                return -EINVAL;
        r = parse_decimal(s, &end, &ip, &frac);
        if (r < 0)
                return r;
        if (*end) {
                char c = (char)toupper((unsigned char)*end);

                unit = 0;
                for (size_t i = 0; i < ELEMENTSOF(units); i++)
                        if (units[i].suffix == c)
                                unit = units[i].unit;
                if (c == 'B' && end[1] == '\0')
                        unit = 1;
                else if (unit == 0)
                        return -EINVAL;
                else {
                        end++;
                        if (*end == 'i')
                                end++;
                        if (*end == 'B' || *end == 'b')
                                end++;
                }
                if (unit != 1 && *end)
                        return -EINVAL;
        }
        if (unit == 1 && frac)
                return -EINVAL; /* a fraction of a byte means nothing */
        r = scale_up(ip, frac, unit, &v);
        if (r < 0)
                return r;
        *ret_bytes = v;
        return 0;
}

int parse_duration_ms(const char *s, uint64_t *ret_ms)
{
        static const struct {
                const char *suffix;
                uint64_t micros;
        } units[] = {
            {"", 1000000},   {"s", 1000000},    {"ms", 1000},         {"us", 1},
            {"m", 60000000}, {"min", 60000000}, {"h", 3600000000ULL},
        };
        uint64_t ip, frac, us;
        const char *end;
        int r;

        if (!s)
                return -EINVAL;
        r = parse_decimal(s, &end, &ip, &frac);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                if (strcmp(end, units[i].suffix) != 0)
                        continue;
                r = scale_up(ip, frac, units[i].micros, &us);
                if (r < 0)
                        return r;
                *ret_ms = us / 1000 + (us % 1000 != 0);
                return 0;
        }
        return -EINVAL;
}

int parse_cpus_milli(const char *s, uint32_t *ret_milli)
{
        uint64_t ip, frac, v;
        const char *end;
        int r;

        if (!s)
                return -EINVAL;
        r = parse_decimal(s, &end, &ip, &frac);
        if (r < 0)
                return r;
        if (*end)
                return -EINVAL;
        r = scale_up(ip, frac, 1000, &v);
        if (r < 0)
                return r;
        if (v > UINT32_MAX)
                return -ERANGE;
        *ret_milli = (uint32_t)v;
        return 0;
}

int parse_uint64(const char *s, uint64_t *ret)
{
        uint64_t v = 0;

        if (!s || !*s)
                return -EINVAL;
        for (const char *p = s; *p; p++) {
                unsigned d;

                if (!isdigit((unsigned char)*p))
                        return -EINVAL;
                d = (unsigned)(*p - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        *ret = v;
        return 0;
}

int parse_uint32(const char *s, uint32_t *ret)
{
        uint64_t v;
        int r = parse_uint64(s, &v);

        if (r < 0)
                return r;
        if (v > UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t)v;
        return 0;
}
