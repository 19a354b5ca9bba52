/* The child's setup is one documented list (STYLE.md rule 7): the order is the guarantee. */
#include <criterion/criterion.h>
#include <string.h>

#include "sandbox/sandbox.h"
#include "sandbox/context.h"

/* "open host paths" (e8184ce): bind sources are opened while the caller's identity can still
 * read them, before "setup identity" switches to the sandbox user. */
/* "join cgroup": on cgroup v1 pid 1 moves itself into the run's cgroup (cheap for a thread
 * moving itself); the cgroup namespace must be rooted there, so it comes right after. */
static const char *const want_init[] = {
    "wait for parent", "join cgroup",    "cgroup namespace", "open host paths",
    "setup identity",  "make / private", "build rootfs",     "pivot_root",
    "hostname",        "loopback",       "gateway sockets",  "wait for inputs",
};

static const char *const want_worker[] = {
    "session",      "rlimits",  "close fds", "credentials",      "capabilities",
    "no_new_privs", "landlock", "seccomp",   "seccomp listener",
};

static void assert_order(const SandboxStep *steps, size_t n, const char *const *want, size_t n_want,
                         const char *list)
{
        cr_assert_not_null(steps);
        cr_assert_eq(n, n_want, "%s: %zu steps, documented %zu", list, n, n_want);
        for (size_t i = 0; i < n; i++) {
                cr_assert_not_null(steps[i].name, "%s step %zu has no name", list, i);
                cr_assert_not_null(steps[i].run, "%s step '%s' has no function", list,
                                   steps[i].name);
                cr_assert_str_eq(steps[i].name, want[i], "%s step %zu", list, i);
        }
}

static size_t index_of(const SandboxStep *steps, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(steps[i].name, name) == 0)
                        return i;
        cr_assert_fail("no step '%s'", name);
        return n;
}

Test(steps, init_order_is_documented)
{
        size_t n = 0;
        const SandboxStep *s = sandbox_init_steps(&n);

        assert_order(s, n, want_init, ELEMENTSOF(want_init), "init");
}

Test(steps, worker_order_is_documented)
{
        size_t n = 0;
        const SandboxStep *s = sandbox_worker_steps(&n);

        assert_order(s, n, want_worker, ELEMENTSOF(want_worker), "worker");
}

/* The load-bearing relations on their own, so that a reordering that also edits the table
 * above still has to get past these. */
Test(steps, seccomp_last_landlock_before_it_no_new_privs_before_both)
{
        size_t n = 0;
        const SandboxStep *s = sandbox_worker_steps(&n);
        size_t seccomp = index_of(s, n, "seccomp"), landlock = index_of(s, n, "landlock"),
               nnp = index_of(s, n, "no_new_privs"), caps = index_of(s, n, "capabilities"),
               creds = index_of(s, n, "credentials"), fds = index_of(s, n, "close fds"),
               listener = index_of(s, n, "seccomp listener");

        /* The listener (--audit) is handed over after the filter that makes it and before the
         * exec the filter already watches: nothing else may come between seccomp and exec. */
        cr_assert_eq(listener, n - 1, "the seccomp listener goes out right before exec");
        cr_assert_eq(seccomp, n - 2, "seccomp must be the last hardening step before exec");
        cr_assert_eq(landlock, seccomp - 1, "landlock must come right before seccomp");
        cr_assert_lt(nnp, landlock, "no_new_privs must come before landlock");
        cr_assert_lt(caps, nnp);
        cr_assert_lt(creds, caps, "ids change before capabilities go");
        cr_assert_lt(fds, creds, "fds are closed while we can still see them all");
}

Test(steps, rootfs_before_pivot_and_parent_first)
{
        size_t n = 0;
        const SandboxStep *s = sandbox_init_steps(&n);

        cr_assert_eq(index_of(s, n, "wait for parent"), 0);
        cr_assert_lt(index_of(s, n, "open host paths"), index_of(s, n, "setup identity"));
        cr_assert_lt(index_of(s, n, "make / private"), index_of(s, n, "build rootfs"));
        cr_assert_lt(index_of(s, n, "build rootfs"), index_of(s, n, "pivot_root"));
        cr_assert_lt(index_of(s, n, "pivot_root"), index_of(s, n, "hostname"));
        cr_assert_lt(index_of(s, n, "join cgroup"), index_of(s, n, "cgroup namespace"));
        cr_assert_eq(index_of(s, n, "wait for inputs"), n - 1);
}

Test(steps, names_unique_across_both_lists)
{
        size_t ni = 0, nw = 0;
        const SandboxStep *init = sandbox_init_steps(&ni), *worker = sandbox_worker_steps(&nw);

        for (size_t i = 0; i < ni + nw; i++)
                for (size_t j = i + 1; j < ni + nw; j++) {
                        const char *a = i < ni ? init[i].name : worker[i - ni].name;
                        const char *b = j < ni ? init[j].name : worker[j - ni].name;

                        cr_assert_str_neq(a, b, "step name '%s' used twice", a);
                }
}
