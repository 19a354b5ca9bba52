#include "session.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "basic/macros.h"

/* Puts fd at target, even if target is currently another of the three stdio fds. */
static int move_fd(int fd, int target)
{
        if (fd == target)
                return fcntl(fd, F_SETFD, 0) < 0 ? negative_errno() : 0;
        if (dup2(fd, target) < 0)
                return negative_errno();
        return 0;
}

static int reset_signals(void)
{
        sigset_t all;

        /* airlock ignores SIGPIPE; an ignored signal survives exec, so undo it here. */
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void)signal(sig, SIG_DFL);
        sigemptyset(&all);
        if (sigprocmask(SIG_SETMASK, &all, NULL) < 0)
                return negative_errno();
        return 0;
}

int session_setup(SandboxContext *ctx, AirlockError *err)
{
        int fds[3] = {ctx->stdin_fd, ctx->stdout_fd, ctx->stderr_fd};
        int fd, r;

        if (setsid() < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "setsid", NULL);
        /* Lift the pipes above 2 first so that dup2 into 0..2 cannot clobber one of them. */
        for (int i = 0; i < 3; i++) {
                fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
                if (fds[i] < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "stdio", NULL);
        }
        for (int i = 0; i < 3; i++) {
                r = move_fd(fds[i], i);
                if (r < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "stdio", NULL);
        }
        r = reset_signals();
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "reset signals", NULL);
        /* Raising our own score needs no privilege; it keeps pid 1 alive under memory pressure
         * so that the run ends with a report rather than a torn-down namespace. */
        fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
                (void)!write(fd, "1000", 4);
                close(fd);
        }
        return 0;
}

int session_close_fds(SandboxContext *ctx, AirlockError *err)
{
        int sync_fd = ctx->sync_fd;

        if (sync_fd != 3) {
                if (dup3(sync_fd, 3, O_CLOEXEC) < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "close fds", NULL);
                ctx->sync_fd = 3;
        }
        if (syscall(SYS_close_range, 4, ~0U, 0) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "close fds", NULL);
        return 0;
}
