/* The control-file parsers: every number checked, keys matched whole. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <string.h>

#include "cgroup/cgroup-internal.h"

Test(cgroup_util, parse_u64)
{
        uint64_t v = 0;

        cr_assert_eq(cg_parse_u64("42\n", &v), 0);
        cr_assert_eq(v, 42);
        cr_assert_eq(cg_parse_u64("18446744073709551615", &v), 0);
        cr_assert_eq(v, UINT64_MAX);
        v = 7;
        static const char *const bad[] = {"",
                                          "\n",
                                          "max\n",
                                          "-1\n",
                                          "1 2\n",
                                          "1\n2\n",
                                          "12k",
                                          "18446744073709551616",
                                          "123456789012345678901234567890123"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                cr_assert_lt(cg_parse_u64(bad[i], &v), 0, "accepted '%s'", bad[i]);
        cr_assert_eq(v, 7, "written on failure");
}

Test(cgroup_util, parse_keyed)
{
        const char *text = "usage_usec 300\nuser_usec 100\nsystem_usec 200\nmax 9\n";
        uint64_t v = 0;

        cr_assert_eq(cg_parse_keyed(text, "user_usec", &v), 0);
        cr_assert_eq(v, 100);
        cr_assert_eq(cg_parse_keyed(text, "system_usec", &v), 0);
        cr_assert_eq(v, 200);
        cr_assert_eq(cg_parse_keyed(text, "max", &v), 0);
        cr_assert_eq(v, 9);
        cr_assert_eq(cg_parse_keyed(text, "usec", &v), -ENOENT, "matched a suffix");
        cr_assert_eq(cg_parse_keyed(text, "user", &v), -ENOENT, "matched a prefix");
        cr_assert_eq(cg_parse_keyed("", "max", &v), -ENOENT);
        cr_assert_eq(cg_parse_keyed("max 1x\n", "max", &v), -EINVAL);
        cr_assert_eq(cg_parse_keyed("max \n", "max", &v), -EINVAL);
        cr_assert_eq(cg_parse_keyed("max", "max", &v), -ENOENT);
        cr_assert_eq(cg_parse_keyed("populated 1", "populated", &v), 0, "no final newline");
        cr_assert_eq(v, 1);
}

Test(cgroup_util, words)
{
        char buf[64];

        cr_assert(cg_has_word("cpuset cpu io memory pids\n", "cpu"));
        cr_assert(cg_has_word("cpuset cpu io memory pids\n", "pids"));
        cr_assert_not(cg_has_word("cpuset io memory\n", "cpu"));
        cr_assert_not(cg_has_word("", "cpu"));
        cr_assert_str_eq(
            cg_missing_words("memory io\n", cgroup_required_controllers, buf, sizeof(buf)),
            "pids cpu");
        cr_assert_str_eq(
            cg_missing_words("cpu memory pids", cgroup_required_controllers, buf, sizeof(buf)), "");
}

Test(cgroup_util, path_contains)
{
        cr_assert(cg_path_contains("airlock", "run", "airlock/run"));
        cr_assert(cg_path_contains("airlock", "run", "airlock/run/x"));
        cr_assert_not(cg_path_contains("airlock", "run", "airlock/run2"));
        cr_assert_not(cg_path_contains("airlock", "run", "airlock2/run"));
        cr_assert_not(cg_path_contains("airlock", "run", "airlock"));
        cr_assert_not(cg_path_contains("airlock", "run", NULL));
}

Test(cgroup_util, self_path)
{
        char *p = NULL;

        /* Every Linux since 4.5 has the v2 line, even on a v1 host ("0::/"). */
        cr_assert_eq(cg_read_self_path(NULL, &p), 0);
        cr_assert_neq(p[0], '/', "leading slash kept: %s", p);
        free(p);
}

Test(cgroup_util, host_close_of_an_unopened_host)
{
        CgroupHost host = {};

        cgroup_host_close(&host); /* must not close fd 0 */
        cr_assert_neq(fcntl(0, F_GETFD), -1);
        cgroup_host_close(NULL);
        cr_assert_eq(cgroup_destroy(NULL), 0);
        cr_assert_str_eq(cgroup_version_to_string(CGROUP_VERSION_V1), "v1");
}
