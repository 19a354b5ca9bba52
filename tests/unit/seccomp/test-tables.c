/* The tables themselves: every name exists on x86_64, no syscall is in two tables, every known
 * syscall is classified, every row has its reason. */
#include <criterion/criterion.h>
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp-test.h"
#include "seccomp/seccomp-tables.h"

static const SeccompArgFilter *const all_filters[] = {
    &seccomp_filter_clone,   &seccomp_filter_socket,       &seccomp_filter_socketpair,
    &seccomp_filter_ioctl,   &seccomp_filter_personality,  &seccomp_filter_mknod,
    &seccomp_filter_mknodat, &seccomp_filter_strict_clone, &seccomp_filter_strict_socket,
};

Test(tables, every_name_resolves_on_x86_64)
{
        for (size_t i = 0; i < seccomp_default_n_allow; i++)
                if (!newer_than_libseccomp(seccomp_default_allow[i].name))
                        cr_expect_geq(seccomp_syscall_nr(seccomp_default_allow[i].name), 0, "%s",
                                      seccomp_default_allow[i].name);
        for (size_t i = 0; i < seccomp_default_n_deny; i++)
                if (!newer_than_libseccomp(seccomp_default_deny[i].name))
                        cr_expect_geq(seccomp_syscall_nr(seccomp_default_deny[i].name), 0, "%s",
                                      seccomp_default_deny[i].name);
        for (size_t i = 0; i < ELEMENTSOF(all_filters); i++)
                cr_expect_geq(seccomp_syscall_nr(all_filters[i]->syscall), 0, "%s",
                              all_filters[i]->syscall);
}

Test(tables, no_syscall_in_two_default_tables)
{
        const char *seen[SECCOMP_POLICY_NR_MAX] = {};

        for (size_t i = 0; i < seccomp_default_n_allow + seccomp_default_n_deny +
                                   seccomp_profile_default.n_filters;
             i++) {
                const char *name =
                    i < seccomp_default_n_allow ? seccomp_default_allow[i].name
                    : i < seccomp_default_n_allow + seccomp_default_n_deny
                        ? seccomp_default_deny[i - seccomp_default_n_allow].name
                        : seccomp_profile_default
                              .filters[i - seccomp_default_n_allow - seccomp_default_n_deny]
                              ->syscall;
                int nr = seccomp_syscall_nr(name);

                if (newer_than_libseccomp(name))
                        continue;
                cr_assert_geq(nr, 0, "%s", name);
                cr_expect_null(seen[nr], "%s is listed twice", name);
                seen[nr] = name;
        }
}

Test(tables, every_known_syscall_is_classified)
{
        AirlockError err = {};
        SeccompPolicy *p = NULL;

        cr_assert_eq(seccomp_policy_load_profile("default", &p, &err), 0);
        for (int nr = 0; nr < SECCOMP_POLICY_NR_MAX; nr++) {
                char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);

                if (!name)
                        continue;
                if (nr <= SECCOMP_POLICY_REVIEWED_NR)
                        cr_expect_neq(p->rules[nr].kind, SECCOMP_RULE_UNSET,
                                      "%s (%d) is in no table", name, nr);
                else if (p->rules[nr].kind == SECCOMP_RULE_UNSET)
                        cr_log_warn("%s (%d) is newer than the tables: EPERM until reviewed", name,
                                    nr);
                free(name);
        }
        seccomp_policy_free(p);
}

Test(tables, every_row_says_why)
{
        for (size_t i = 0; i < seccomp_default_n_allow; i++)
                cr_expect(seccomp_default_allow[i].reason && seccomp_default_allow[i].reason[0],
                          "%s", seccomp_default_allow[i].name);
        for (size_t i = 0; i < seccomp_default_n_deny; i++) {
                const SeccompDenyRow *row = &seccomp_default_deny[i];
                cr_expect(row->reason && row->reason[0], "%s", row->name);
                cr_expect(row->errnum >= 1 && row->errnum <= 4095, "%s", row->name);
        }
        for (size_t i = 0; i < ELEMENTSOF(all_filters); i++) {
                const SeccompArgFilter *f = all_filters[i];

                cr_expect(f->reason && f->reason[0], "%s", f->syscall);
                for (size_t r = 0; r < f->n_rows; r++) {
                        cr_expect(f->rows[r].reason && f->rows[r].reason[0], "%s row %zu",
                                  f->syscall, r);
                        for (size_t d = 0; d < SECCOMP_ARG_MAX_CONDS && f->rows[r].conds[d].mask;
                             d++) {
                                unsigned arg = f->rows[r].conds[d].arg;
                                cr_expect_not_null(f->rows[r].conds[d].label);
                                cr_expect_not_null(f->arg_names[arg], "%s arg %u", f->syscall, arg);
                                cr_expect_not_null(f->otherwise[arg].reason,
                                                   "%s: no 'otherwise' for arg %u", f->syscall,
                                                   arg);
                        }
                }
        }
}

Test(tables, profiles)
{
        cr_assert_eq(seccomp_profile_find("default"), &seccomp_profile_default);
        cr_assert_eq(seccomp_profile_find("strict"), &seccomp_profile_strict);
        cr_assert_null(seccomp_profile_find("Default"));
        cr_assert_eq(seccomp_profile_filter(&seccomp_profile_strict, "socket"),
                     &seccomp_filter_strict_socket);
        cr_assert_eq(seccomp_profile_filter(&seccomp_profile_strict, "ioctl"),
                     &seccomp_filter_ioctl); /* from its base */
        cr_assert_null(seccomp_profile_filter(&seccomp_profile_default, "read"));
}

/* A malformed filter fails to compile, with the syscall named, instead of producing a program
 * whose answers depend on libseccomp's rule order. */
static const SeccompArgRow overlapping_rows[] = {
    {{{.arg = 0, .mask = 0xff, .value = 1, .label = "1"}}, 0, "one"},
    {{{.arg = 0, .mask = 0x0f, .value = 1, .label = "x1"}}, EPERM, "overlaps one"},
};
static const SeccompArgFilter overlapping = {
    .syscall = "personality",
    .arg_names = {"persona"},
    .rows = overlapping_rows,
    .n_rows = ELEMENTSOF(overlapping_rows),
    .otherwise = {{EPERM, "no"}},
    .reason = "broken",
};

static const SeccompArgRow prefix_rows[] = {
    {{{.arg = 0, .mask = 0xff, .value = 1, .label = "1"}}, 0, "leaf"},
    {{{.arg = 0, .mask = 0xff, .value = 1, .label = "1"},
      {.arg = 1, .mask = 0xff, .value = 2, .label = "2"}},
     EPERM,
     "extends the leaf"},
};
static const SeccompArgFilter prefix = {
    .syscall = "personality",
    .arg_names = {"a", "b"},
    .rows = prefix_rows,
    .n_rows = ELEMENTSOF(prefix_rows),
    .otherwise = {{EPERM, "no"}, {EPERM, "no"}},
    .reason = "broken",
};

static void expect_compile_failure(const SeccompArgFilter *f)
{
        AirlockError err = {};
        SeccompPolicy *p = NULL;
        SeccompProgram prog = {};

        cr_assert_eq(seccomp_policy_new("broken", &p), 0);
        cr_assert_eq(seccomp_policy_apply_profile(p, &seccomp_profile_default), 0);
        p->rules[seccomp_syscall_nr(f->syscall)].filter = f;
        cr_assert_eq(seccomp_policy_compile(p, false, &prog, &err), -EINVAL);
        cr_assert_eq(err.kind, AIRLOCK_ERR_SETUP);
        cr_assert(strstr(err.message, "personality"), "%s", err.message);
        cr_assert_null(prog.filter);
        seccomp_policy_free(p);
}

Test(tables, overlapping_rows_do_not_compile)
{
        expect_compile_failure(&overlapping);
}

Test(tables, a_row_extending_a_leaf_does_not_compile)
{
        expect_compile_failure(&prefix);
}
