#include "reaper.h"

#include <errno.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "sync.h"

_Noreturn void reaper_run(int sync_fd, pid_t program)
{
        SyncMessage msg = {.point = SYNC_EXITED};

        /* The reaper holds nothing the program may reach: no stdio of airlock's, no pipes
         * (their EOF must depend on the program alone), no capabilities, and it cannot be
         * ptraced or have its memory read by the program even though they share a uid. */
        if (sync_fd != 3) {
                dup2(sync_fd, 3);
                sync_fd = 3;
        }
        syscall(SYS_close_range, 0, 2, 0);
        syscall(SYS_close_range, 4, ~0U, 0);
        (void)prctl(PR_SET_DUMPABLE, 0);
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
