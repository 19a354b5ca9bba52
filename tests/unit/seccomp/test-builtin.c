/* The built-in profiles' BPF is compiled at build time (seccomp-gen): it must be exactly what
 * libseccomp makes of the tables now, or a table edit would not reach the sandbox. */
#include <criterion/criterion.h>
#include <linux/filter.h>
#include <string.h>

#include "seccomp/seccomp-internal.h"

static void assert_current_watched(const char *name, SeccompWatch watch)
{
        AirlockError err = {0};
        SeccompPolicy *p = NULL;
        SeccompProgram built = {0}, fresh = {0};

        cr_assert_eq(seccomp_policy_load_profile(name, &p, &err), 0, "%s", err.message);
        cr_assert_eq(seccomp_policy_compile_watched(p, true, watch, &built, &err), 0, "%s",
                     err.message);
        cr_assert_eq(seccomp_policy_compile_fresh_watched(p, true, watch, &fresh, &err), 0, "%s",
                     err.message);
        cr_assert_eq(built.len, fresh.len, "%s: %u vs %u instructions", name, built.len, fresh.len);
        cr_assert_eq(memcmp(built.filter, fresh.filter, built.len * sizeof(*built.filter)), 0,
                     "%s: build-time BPF differs from the tables", name);
        cr_assert_eq(built.flags, fresh.flags);
        seccomp_program_done(&built);
        seccomp_program_done(&fresh);
        seccomp_policy_free(p);
}

static void assert_current(const char *name)
{
        assert_current_watched(name, SECCOMP_WATCH_NONE);
}

Test(seccomp_builtin, default_is_current)
{
        assert_current("default");
}

/* The --audit variants come from build time too (compiling at run time costs 14-18 ms). */
Test(seccomp_builtin, watching_variants_are_current)
{
        assert_current_watched("default", SECCOMP_WATCH_ALERTS);
        assert_current_watched("default", SECCOMP_WATCH_OPENS);
        assert_current_watched("default", SECCOMP_WATCH_FULL);
        assert_current_watched("strict", SECCOMP_WATCH_ALERTS);
        assert_current_watched("strict", SECCOMP_WATCH_OPENS);
        assert_current_watched("strict", SECCOMP_WATCH_FULL);
}

Test(seccomp_builtin, strict_is_current)
{
        assert_current("strict");
}

Test(seccomp_builtin, every_builtin_profile_has_a_program)
{
        size_t n = 0;

        for (const SeccompBuiltinProgram *b = seccomp_builtin_programs; b->name; b++, n++)
                cr_assert_gt(b->len, 0);
        cr_assert_eq(
            n, 8, "default and strict, each with --audit off, alerts, alerts with opens and full");
}
