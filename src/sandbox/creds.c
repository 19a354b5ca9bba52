#include "creds.h"

#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sched.h>
#include <sys/fsuid.h>
#include <unistd.h>

#include "config/limits.h"

int creds_join_cgroup(SandboxContext *ctx, AirlockError *err)
{
        for (size_t i = 0; i < ctx->n_cgroup_join; i++) {
                if (write(ctx->cgroup_join_fds[i], "0", 1) != 1)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "join cgroup",
                                                 NULL);
                close(ctx->cgroup_join_fds[i]);
        }
        return 0;
}

int creds_enter_cgroup_namespace(SandboxContext *ctx, AirlockError *err)
{
        if (unshare(CLONE_NEWCGROUP) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "cgroup namespace", NULL);
        return 0;
}

void creds_rearm_parent_death(SandboxContext *ctx)
{
        struct pollfd p = {.fd = ctx->sync_fd, .events = POLLRDHUP};

        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                _exit(1);
        if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLRDHUP | POLLERR)))
                _exit(1);
}

int creds_become_setup_user(SandboxContext *ctx, AirlockError *err)
{
        /* setfsuid() reports nothing useful; a second call reads back what the first set. */
        (void)setfsgid(AIRLOCK_SANDBOX_GID);
        (void)setfsuid(AIRLOCK_SANDBOX_UID);
        if ((uid_t)setfsuid((uid_t)-1) != AIRLOCK_SANDBOX_UID ||
            (gid_t)setfsgid((gid_t)-1) != AIRLOCK_SANDBOX_GID)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, EPERM, "setup identity",
                                         "cannot act as uid %u", AIRLOCK_SANDBOX_UID);
        creds_rearm_parent_death(ctx);
        return 0;
}

int creds_drop_to_sandbox_user(SandboxContext *ctx, AirlockError *err)
{
        uid_t ruid, euid, suid;
        gid_t rgid, egid, sgid;

        if (setresgid(AIRLOCK_SANDBOX_GID, AIRLOCK_SANDBOX_GID, AIRLOCK_SANDBOX_GID) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "setresgid", NULL);
        /* Rootless, the kernel forbids setgroups() in the namespace (setgroups is "deny"), and
         * the caller's own supplementary groups stay, unmapped, as the kernel requires. */
        if (!ctx->rootless && setgroups(0, NULL) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "setgroups", NULL);
        if (setresuid(AIRLOCK_SANDBOX_UID, AIRLOCK_SANDBOX_UID, AIRLOCK_SANDBOX_UID) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "setresuid", NULL);
        if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0 ||
            ruid != AIRLOCK_SANDBOX_UID || euid != ruid || suid != ruid ||
            rgid != AIRLOCK_SANDBOX_GID || egid != rgid || sgid != rgid)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, EPERM, "credentials",
                                         "ids did not change");
        return 0;
}
