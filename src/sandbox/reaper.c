#include "reaper.h"

#include <errno.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "creds.h"
#include "sync.h"

_Noreturn void reaper_run(SandboxContext *ctx, pid_t program)
{
        SyncMessage msg = {.point = SYNC_EXITED};
        int sync_fd = ctx->sync_fd;

        /* The reaper holds nothing the program may reach: no stdio of airlock's, no pipes
         * (their EOF must depend on the program alone), no host identity but the sandbox's
         * (as root, pid 1 would otherwise still be host uid 0), no capabilities, and it
         * cannot be ptraced or have its memory read by the program, with which it shares the
         * sandbox's uid. */
        if (sync_fd != 3) {
                dup2(sync_fd, 3);
                sync_fd = 3;
        }
        syscall(SYS_close_range, 0, 2, 0);
        syscall(SYS_close_range, 4, ~0U, 0);
        (void)prctl(PR_SET_DUMPABLE, 0);
        if (creds_drop_to_sandbox_user(ctx, NULL) < 0)
                _exit(1); /* the parent sees pid 1 die without a report: a failed run */
        ctx->sync_fd = sync_fd;
        creds_rearm_parent_death(ctx);
        (void)caps_drop_all(NULL, NULL);

        for (;;) {
                int status;
                struct rusage ru;
                pid_t pid = wait4(-1, &status, 0, &ru);

                if (pid < 0) {
                        if (errno == EINTR)
                                continue;
                        _exit(1); /* ECHILD: cannot happen while the program lives */
                }
                if (pid != program)
                        continue;
                msg.wait_status = status;
                msg.rusage = ru;
                msg.monotonic_ns = monotonic_ns();
                /* sync #5: the program ended. */
                (void)sync_send(sync_fd, &msg, -EBADF);
                _exit(0);
        }
}
