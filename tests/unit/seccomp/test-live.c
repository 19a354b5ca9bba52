/* The compiled programs loaded for real, in a forked child (the test process itself stays
 * unfiltered): a few calls that must fail, and the ones the runtimes need that must work. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp/seccomp-policy.h"

static int report_fd = -1;
static int failures;

static void fail(const char *fmt, ...)
{
        char buf[256];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        n = n > (int)sizeof(buf) - 2 ? (int)sizeof(buf) - 2 : n;
        buf[n++] = '\n';
        if (write(report_fd, buf, (size_t)n) < 0)
                _exit(120);
        failures++;
}

/* r is a syscall's return: -1 with errno, or a result */
#define EXPECT_ERRNO(expr, e)                                                                      \
        do {                                                                                       \
                errno = 0;                                                                         \
                long _r = (long)(expr);                                                            \
                if (_r != -1 || errno != (e))                                                      \
                        fail("%s: %ld, errno %d (%s), want errno %d", #expr, _r, errno,            \
                             strerrorname_np(errno) ?: "?", (e));                                  \
        } while (0)

#define EXPECT_OK(expr)                                                                            \
        ({                                                                                         \
                errno = 0;                                                                         \
                long _r = (long)(expr);                                                            \
                if (_r < 0)                                                                        \
                        fail("%s: %ld, errno %d (%s)", #expr, _r, errno,                           \
                             strerrorname_np(errno) ?: "?");                                       \
                _r;                                                                                \
        })

static void *thread_main(void *arg)
{
        return arg;
}

static void check_threads(void)
{
        pthread_t t;
        void *ret = NULL;

        /* glibc tries clone3 (ENOSYS by the filter) and falls back to clone */
        if (pthread_create(&t, NULL, thread_main, (void *)0x2a) != 0) {
                fail("pthread_create failed");
                return;
        }
        pthread_join(t, &ret);
        if (ret != (void *)0x2a)
                fail("thread returned %p", ret);
}

static void check_default(const char *tmp)
{
        char path[256];
        char c = 'x';
        pid_t pid;
        int fd, status;

        if (EXPECT_OK(getpid()) != EXPECT_OK(syscall(SYS_getpid)))
                fail("getpid disagrees with itself");
        EXPECT_ERRNO(unshare(CLONE_NEWUSER), EPERM);
        EXPECT_ERRNO(syscall(SYS_io_uring_setup, 1, NULL), EPERM);
        EXPECT_ERRNO(syscall(SYS_ptrace, 0, 0, 0, 0), EPERM);
        EXPECT_ERRNO(syscall(SYS_bpf, 0, NULL, 0), EPERM);
        EXPECT_ERRNO(syscall(SYS_clone3, NULL, 0), ENOSYS);
        EXPECT_ERRNO(syscall(1000), ENOSYS);
        EXPECT_ERRNO(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0), EPERM);
        EXPECT_ERRNO(socket(AF_PACKET, SOCK_RAW, 0), EAFNOSUPPORT);
        EXPECT_ERRNO(socket(AF_INET, SOCK_RAW, 1), EPERM);
        EXPECT_ERRNO(ioctl(0, TIOCSTI, &c), EPERM);
        EXPECT_ERRNO(syscall(SYS_ioctl, 0, 0xffffffff00000000UL | TIOCSTI, &c), EPERM);
        EXPECT_ERRNO(personality(READ_IMPLIES_EXEC), EPERM);
        EXPECT_OK(personality(0xffffffff));

        fd = (int)EXPECT_OK(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        close(fd);
        fd = (int)EXPECT_OK(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        close(fd);

        snprintf(path, sizeof(path), "%s/fifo", tmp);
        EXPECT_OK(mknod(path, S_IFIFO | 0600, 0));
        snprintf(path, sizeof(path), "%s/null", tmp);
        EXPECT_ERRNO(mknod(path, S_IFCHR | 0600, makedev(1, 3)), EPERM);

        check_threads();
        pid = (pid_t)EXPECT_OK(fork());
        if (pid == 0)
                _exit(7);
        if (pid > 0 &&
            (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 7))
                fail("fork: child did not exit 7");
}

static void check_strict(const char *tmp)
{
        EXPECT_ERRNO(fork(), EPERM);
        EXPECT_ERRNO(socket(AF_INET, SOCK_STREAM, 0), EAFNOSUPPORT);
        EXPECT_ERRNO(unshare(CLONE_NEWUSER), EPERM);
        close((int)EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0)));
        check_threads();
}

/* Loads profile in a child, runs check there, and returns what went wrong (empty: nothing). */
static void run_filtered(const char *profile, void (*check)(const char *tmp))
{
        AirlockError err = {};
        SeccompPolicy *p = NULL;
        SeccompProgram prog = {};
        char tmp[] = "/tmp/airlock-test-seccomp-live-XXXXXX";
        char out[4096] = "";
        size_t len = 0;
        int pipefd[2], status;
        pid_t pid;
        ssize_t n;

        cr_assert_eq(seccomp_policy_load_profile(profile, &p, &err), 0, "%s", err.message);
        cr_assert_eq(seccomp_policy_compile(p, false, &prog, &err), 0, "%s", err.message);
        cr_assert_not_null(mkdtemp(tmp));
        cr_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);

        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                int r;

                close(pipefd[0]);
                report_fd = pipefd[1];
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(100);
                r = seccomp_program_install(&prog);
                if (r < 0) {
                        fail("seccomp_program_install: %s", strerror(-r));
                        _exit(101);
                }
                check(tmp);
                _exit(failures ? 1 : 0);
        }
        close(pipefd[1]);
        while (len < sizeof(out) - 1 && (n = read(pipefd[0], out + len, sizeof(out) - 1 - len)) > 0)
                len += (size_t)n;
        out[len] = '\0';
        close(pipefd[0]);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFEXITED(status), "the filtered child died: status %#x\n%s", status, out);
        cr_assert_eq(WEXITSTATUS(status), 0, "%s:\n%s", profile, out);

        snprintf(out, sizeof(out), "rm -rf '%s'", tmp);
        cr_assert_eq(system(out), 0);
        seccomp_program_done(&prog);
        seccomp_policy_free(p);
}

Test(live, default_profile)
{
        run_filtered("default", check_default);
}

Test(live, strict_profile)
{
        run_filtered("strict", check_strict);
}

Test(live, install_requires_no_new_privs)
{
        AirlockError err = {};
        SeccompPolicy *p = NULL;
        SeccompProgram prog = {};
        int status;
        pid_t pid;

        cr_assert_eq(seccomp_program_install(NULL), -EINVAL);
        cr_assert_eq(seccomp_program_install(&prog), -EINVAL);
        cr_assert_eq(seccomp_policy_load_profile("default", &p, &err), 0);
        cr_assert_eq(seccomp_policy_compile(p, true, &prog, &err), 0);

        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                /* even as root (CAP_SYS_ADMIN), no filter without no_new_privs */
                if (seccomp_program_install(&prog) != -EPERM)
                        _exit(1);
                if (prctl(PR_GET_SECCOMP) != 0)
                        _exit(2);
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(3);
                /* with SECCOMP_FILTER_FLAG_LOG */
                if (seccomp_program_install(&prog) != 0)
                        _exit(4);
                if (prctl(PR_GET_SECCOMP) != 2)
                        _exit(5);
                _exit(0);
        }
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFEXITED(status), "status %#x", status);
        cr_assert_eq(WEXITSTATUS(status), 0);
        seccomp_program_done(&prog);
        seccomp_policy_free(p);
}
