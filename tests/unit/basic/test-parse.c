#include <criterion/criterion.h>
#include <errno.h>

#include "basic/parse.h"

Test(parse_size, units)
{
        uint64_t v;

        cr_assert_eq(parse_size("4096", &v), 0);
        cr_assert_eq(v, 4096);
        cr_assert_eq(parse_size("64K", &v), 0);
        cr_assert_eq(v, 64 * 1024);
        cr_assert_eq(parse_size("512M", &v), 0);
        cr_assert_eq(v, 512ULL << 20);
        cr_assert_eq(parse_size("1G", &v), 0);
        cr_assert_eq(v, 1ULL << 30);
        cr_assert_eq(parse_size("1.5G", &v), 0);
        cr_assert_eq(v, 3ULL << 29);
        cr_assert_eq(parse_size("2MiB", &v), 0);
        cr_assert_eq(v, 2ULL << 20);
        cr_assert_eq(parse_size("2mb", &v), 0);
        cr_assert_eq(v, 2ULL << 20);
        cr_assert_eq(parse_size("7B", &v), 0);
        cr_assert_eq(v, 7);
        cr_assert_eq(parse_size("0.0000009T", &v), 0);
        cr_assert_eq(v, 989561, "rounded up, not dropped");
}

Test(parse_size, rejects)
{
        uint64_t v = 42;
        const char *bad[] = {"",
                             "-5",
                             "+5",
                             "5X",
                             "M",
                             "1.5",
                             "1..5K",
                             "5K5",
                             " 5",
                             "5 ",
                             "0x10",
                             "1.K",
                             "18446744073709551616",
                             "99999999999T"};

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                cr_assert_lt(parse_size(bad[i], &v), 0, "accepted '%s'", bad[i]);
        cr_assert_eq(v, 42, "output written on failure");
        cr_assert_lt(parse_size(NULL, &v), 0);
}

Test(parse_duration, units)
{
        uint64_t v;

        cr_assert_eq(parse_duration_ms("2.5s", &v), 0);
        cr_assert_eq(v, 2500);
        cr_assert_eq(parse_duration_ms("3", &v), 0);
        cr_assert_eq(v, 3000);
        cr_assert_eq(parse_duration_ms("500ms", &v), 0);
        cr_assert_eq(v, 500);
        cr_assert_eq(parse_duration_ms("1m", &v), 0);
        cr_assert_eq(v, 60000);
        cr_assert_eq(parse_duration_ms("1h", &v), 0);
        cr_assert_eq(v, 3600000);
        cr_assert_eq(parse_duration_ms("1500us", &v), 0);
        cr_assert_eq(v, 2, "rounded up");
        cr_assert_eq(parse_duration_ms("0.0001", &v), 0);
        cr_assert_eq(v, 1, "rounded up");
        cr_assert_eq(parse_duration_ms("0.0000004h", &v), 0);
        cr_assert_eq(v, 2, "1.44 ms rounds up, even past the sixth digit");
}

Test(parse_duration, rejects)
{
        uint64_t v;
        const char *bad[] = {"", "-1s", "1x", "s", "1 s", "1.s", "1e3", "99999999999999999999h"};

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                cr_assert_lt(parse_duration_ms(bad[i], &v), 0, "accepted '%s'", bad[i]);
}

Test(parse_cpus, values)
{
        uint32_t v;

        cr_assert_eq(parse_cpus_milli("0.5", &v), 0);
        cr_assert_eq(v, 500);
        cr_assert_eq(parse_cpus_milli("2", &v), 0);
        cr_assert_eq(v, 2000);
        cr_assert_eq(parse_cpus_milli("1.25", &v), 0);
        cr_assert_eq(v, 1250);
        cr_assert_lt(parse_cpus_milli("-1", &v), 0);
        cr_assert_lt(parse_cpus_milli("1c", &v), 0);
        cr_assert_lt(parse_cpus_milli("99999999999", &v), 0);
}

Test(parse_uint, values)
{
        uint32_t v;
        uint64_t w;

        cr_assert_eq(parse_uint32("32", &v), 0);
        cr_assert_eq(v, 32);
        cr_assert_eq(parse_uint32("4294967296", &v), -ERANGE);
        cr_assert_eq(parse_uint64("18446744073709551615", &w), 0);
        cr_assert_eq(w, UINT64_MAX);
        cr_assert_eq(parse_uint64("18446744073709551616", &w), -ERANGE);
        cr_assert_lt(parse_uint32("", &v), 0);
        cr_assert_lt(parse_uint32("-1", &v), 0);
        cr_assert_lt(parse_uint32("1 ", &v), 0);
}
