#include "seccomp-step.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>

#include "basic/macros.h"
#include "seccomp/seccomp-policy.h"
#include "sync.h"

int seccomp_step_install(SandboxContext *ctx, AirlockError *err)
{
        int r;

        if (!ctx->seccomp)
                return 0; /* --seccomp off, asked for by name */
        r = seccomp_program_install(ctx->seccomp);

        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "seccomp",
                                         "install the filter");
        /* a watching filter (--audit) comes with its listener, for the next step */
        if (ctx->seccomp->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
                ctx->seccomp_listener = r;
        return 0;
}

int seccomp_step_send_listener(SandboxContext *ctx, AirlockError *err)
{
        SyncMessage msg = {.point = SYNC_AUDIT_LISTENER};
        int r;

        if (ctx->seccomp_listener < 0)
                return 0; /* --audit off: nothing watches */
        /* Before exec the worker is not dumpable (its ids changed), and a rootless parent has
         * no capability over the host's user namespace, to which its memory still belongs:
         * it could not read the path of the exec below. Dumpable again, it can. Nothing but
         * our own code runs here, and exec recomputes the flag for the program. */
        if (prctl(PR_SET_DUMPABLE, 1) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "seccomp listener",
                                         "dumpable");
        /* sync #4b: the parent serves the listener from here on; exec itself is notified, so
         * it must have the fd before we get there. Then our copy goes: the program must never
         * hold the fd that answers its own calls. */
        r = sync_send(ctx->sync_fd, &msg, ctx->seccomp_listener);
        ctx->seccomp_listener = safe_close(ctx->seccomp_listener);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "seccomp listener", "send");
        return 0;
}
