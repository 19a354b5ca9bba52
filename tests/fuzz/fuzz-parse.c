/* The number parsers behind every limit option: no crash, no read past the string, and the
 * results agree with each other where they must. */
#include <errno.h>
#include <stdio.h>

#include "basic/parse.h"
#include "fuzz-util.h"

/* Whole-number sizes ("12K") are exact multiples of their unit. */
static uint64_t size_unit(const char *s)
{
        const char *p = s;

        while (*p >= '0' && *p <= '9')
                p++;
        if (*p == '.')
                return 0; /* fractions round: no exact claim */
        switch (*p) {
        case '\0':
        case 'b':
        case 'B':
                return 1;
        case 'k':
        case 'K':
                return 1ULL << 10;
        case 'm':
        case 'M':
                return 1ULL << 20;
        case 'g':
        case 'G':
                return 1ULL << 30;
        case 't':
        case 'T':
                return 1ULL << 40;
        }
        return 0;
}

static bool all_digits(const char *s)
{
        if (!*s)
                return false;
        for (; *s; s++)
                if (*s < '0' || *s > '9')
                        return false;
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s;
        uint64_t u64 = 0, size_v = 0, ms = 0;
        uint32_t u32 = 0, milli = 0;
        int r64, r32, rs, rd, rc;

        if (size > 64) /* numbers a person types; longer only repeats digits */
                return 0;
        s = fuzz_strndup(data, size);

        r64 = parse_uint64(s, &u64);
        r32 = parse_uint32(s, &u32);
        rs = parse_size(s, &size_v);
        rd = parse_duration_ms(s, &ms);
        rc = parse_cpus_milli(s, &milli);

        FUZZ_ASSERT(r64 == 0 || r64 == -EINVAL || r64 == -ERANGE);
        FUZZ_ASSERT(rs == 0 || rs == -EINVAL || rs == -ERANGE);
        FUZZ_ASSERT(rd == 0 || rd == -EINVAL || rd == -ERANGE);
        FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -ERANGE);

        /* Plain integers: uint64 and strtoull agree, uint32 is uint64 bounded. */
        if (r64 == 0) {
                FUZZ_ASSERT(all_digits(s));
                char back[32];

                FUZZ_ASSERT(strtoull(s, NULL, 10) == u64);
                snprintf(back, sizeof(back), "%llu", (unsigned long long)u64);
                FUZZ_ASSERT(strlen(back) <= strlen(s));
                FUZZ_ASSERT(r32 == (u64 > UINT32_MAX ? -ERANGE : 0));
                if (r32 == 0)
                        FUZZ_ASSERT(u32 == u64);
                /* A bare number is bytes, seconds and cores. */
                FUZZ_ASSERT(rs == 0 && size_v == u64);
        } else if (all_digits(s))
                FUZZ_ASSERT(r64 == -ERANGE);

        if (rs == 0) {
                uint64_t unit = size_unit(s);

                FUZZ_ASSERT((s[0] >= '0' && s[0] <= '9') || s[0] == '.');
                if (unit)
                        FUZZ_ASSERT(size_v % unit == 0);
        }

        /* Cores and seconds share the decimal: N cores in thousandths is N seconds in ms. */
        if (rc == 0 && rd == 0)
                FUZZ_ASSERT(milli == ms);
        if (rc == 0)
                FUZZ_ASSERT(rd == 0);

        free(s);
        return 0;
}
