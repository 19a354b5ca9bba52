/* The watching programs of --audit (seccomp-watch.c): every denial and every watched syscall
 * notifies the supervisor, everything else is exactly the plain program's answer, and the
 * supervisor's own answer (seccomp_policy_answer) agrees with the tables. */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "seccomp-test.h"

#define RET_NOTIFY SECCOMP_RET_USER_NOTIF

static void compile_watched(const char *profile, SeccompWatch watch, SeccompProgram *prog)
{
        AirlockError err = {};
        SeccompPolicy *p = load_profile(profile);

        cr_assert_eq(seccomp_policy_compile_watched(p, false, watch, prog, &err), 0, "%s",
                     err.message);
        seccomp_policy_free(p);
}

Test(seccomp_watch, alerts_notifies_what_the_rules_need)
{
        SeccompProgram prog = {};

        compile_watched("default", SECCOMP_WATCH_ALERTS, &prog);
        cr_assert_eq(prog.flags, SECCOMP_FILTER_FLAG_NEW_LISTENER);
        cr_assert_eq(eval(&prog, nr_of("execve"), 0), RET_NOTIFY);
        cr_assert_eq(eval(&prog, nr_of("execveat"), 0), RET_NOTIFY);
        cr_assert_eq(eval(&prog, nr_of("connect"), 3, 0x1000, 16), RET_NOTIFY);
        /* the hot paths stay in the kernel: opens too (the credential rules use canaries) */
        cr_assert_eq(eval(&prog, nr_of("openat"), AT_FDCWD, 0x1000, O_RDONLY), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr_of("open"), 0x1000, O_RDONLY), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr_of("read"), 0), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr_of("newfstatat"), 0), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr_of("close"), 0), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr_of("socket"), AF_INET, SOCK_STREAM, 0), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr_of("bind"), 3, 0x1000, 16), RET_ALLOW);
        /* every denial is seen, ENOSYS ones too */
        cr_assert_eq(eval(&prog, nr_of("ptrace"), 0), RET_NOTIFY);
        cr_assert_eq(eval(&prog, nr_of("clone3"), 0), RET_NOTIFY);
        cr_assert_eq(eval(&prog, nr_of("socket"), AF_PACKET, SOCK_RAW, 0), RET_NOTIFY);
        cr_assert_eq(eval(&prog, nr_of("ioctl"), 0, TIOCSTI), RET_NOTIFY);
        cr_assert_eq(eval(&prog, nr_of("ioctl"), 0, TCGETS), RET_ALLOW);
        /* numbers libseccomp does not know keep the default; foreign code is still killed */
        cr_assert_eq(eval(&prog, 1000, 0), RET_ERRNO(ENOSYS));
        cr_assert_eq(eval_arch(&prog, AUDIT_ARCH_I386, 0, 0, 0, 0, 0), RET_KILL);
        cr_assert_eq(eval(&prog, X32_SYSCALL_BIT | nr_of("getpid"), 0), RET_KILL);
        seccomp_program_done(&prog);
}

Test(seccomp_watch, opens_adds_the_open_family)
{
        SeccompProgram prog = {};

        compile_watched("default", SECCOMP_WATCH_OPENS, &prog);
        cr_assert_eq(eval(&prog, nr_of("openat"), AT_FDCWD, 0x1000, O_RDONLY), RET_NOTIFY);
        cr_assert_eq(eval(&prog, nr_of("open"), 0x1000, O_RDONLY), RET_NOTIFY);
        cr_assert_eq(eval(&prog, nr_of("openat2"), 0), RET_NOTIFY);
        cr_assert_eq(eval(&prog, nr_of("creat"), 0x1000, 0644), RET_NOTIFY);
        cr_assert_eq(eval(&prog, nr_of("execve"), 0), RET_NOTIFY);
        cr_assert_eq(eval(&prog, nr_of("socket"), AF_INET, SOCK_STREAM, 0), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr_of("read"), 0), RET_ALLOW);
        seccomp_program_done(&prog);
}

Test(seccomp_watch, full_adds_socket_and_bind)
{
        SeccompProgram prog = {};

        compile_watched("default", SECCOMP_WATCH_FULL, &prog);
        cr_assert_eq(eval(&prog, nr_of("socket"), AF_INET, SOCK_STREAM, 0), RET_NOTIFY);
        cr_assert_eq(eval(&prog, nr_of("bind"), 3, 0x1000, 16), RET_NOTIFY);
        cr_assert_eq(eval(&prog, nr_of("read"), 0), RET_ALLOW);
        seccomp_program_done(&prog);
}

/* For every syscall and random arguments: the watching program notifies exactly when the
 * plain program denies or the syscall is watched, and answers ALLOW otherwise; and what the
 * supervisor would answer is what the plain program answers. */
static void compare(const char *profile, SeccompWatch watch)
{
        SeccompPolicy *p = load_profile(profile);
        SeccompProgram plain = {}, watching = {};
        AirlockError err = {};
        unsigned checked = 0;

        cr_assert_eq(seccomp_policy_compile(p, false, &plain, &err), 0);
        cr_assert_eq(seccomp_policy_compile_watched(p, false, watch, &watching, &err), 0);
        srandom(7);
        for (int nr = 0; nr < SECCOMP_POLICY_NR_MAX; nr++) {
                char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
                const SeccompArgFilter *f = p->rules[nr].filter;
                bool watched = seccomp_watch_contains(watch, name);
                int rounds = p->rules[nr].kind == SECCOMP_RULE_FILTER ? 2000 : 3;

                if (!name)
                        continue;
                free(name);
                for (int i = 0; i < rounds; i++) {
                        uint64_t args[6] = {random(), random(), random(), random()};
                        uint32_t a, b;
                        int answer;

                        if (f)
                                for (unsigned k = 0; k < 6; k++)
                                        args[k] = interesting(f, k);
                        a = eval_args(&plain, nr, args);
                        b = eval_args(&watching, nr, args);
                        answer = seccomp_policy_answer(p, nr, args);
                        cr_assert_eq(a, expected_ret(answer), "nr %d: plain %#x, answer %d", nr, a,
                                     answer);
                        cr_assert_eq(b, a == RET_ALLOW && !watched ? RET_ALLOW : RET_NOTIFY,
                                     "nr %d: plain %#x, watching %#x", nr, a, b);
                        checked++;
                }
        }
        cr_log_info("%s@%s: %u calls agree", profile, seccomp_watch_to_string(watch), checked);
        seccomp_program_done(&plain);
        seccomp_program_done(&watching);
        seccomp_policy_free(p);
}

Test(seccomp_watch, default_alerts_agrees_with_plain)
{
        compare("default", SECCOMP_WATCH_ALERTS);
}

Test(seccomp_watch, default_opens_agrees_with_plain)
{
        compare("default", SECCOMP_WATCH_OPENS);
}

Test(seccomp_watch, strict_full_agrees_with_plain)
{
        compare("strict", SECCOMP_WATCH_FULL);
}

Test(seccomp_watch, none_is_the_plain_program)
{
        SeccompPolicy *p = load_profile("default");
        SeccompProgram a = {}, b = {};
        AirlockError err = {};

        cr_assert_eq(seccomp_policy_compile(p, false, &a, &err), 0);
        cr_assert_eq(seccomp_policy_compile_watched(p, false, SECCOMP_WATCH_NONE, &b, &err), 0);
        cr_assert_eq(a.len, b.len);
        cr_assert_eq(memcmp(a.filter, b.filter, a.len * sizeof(*a.filter)), 0);
        cr_assert_eq(b.flags, 0);
        seccomp_program_done(&a);
        seccomp_program_done(&b);
        seccomp_policy_free(p);
}
