#include "rlimits.h"

#include <sys/resource.h>

#include "basic/macros.h"

static int set_limit(int resource, rlim_t value, const char *name, AirlockError *err)
{
        struct rlimit cur, lim = {.rlim_cur = value, .rlim_max = value};

        /* Hard limits can only go down without CAP_SYS_RESOURCE: never ask for more than the
         * host already allows (config validation keeps requests sane, this keeps them legal). */
        if (getrlimit(resource, &cur) == 0 && cur.rlim_max != RLIM_INFINITY &&
            lim.rlim_max > cur.rlim_max)
                lim.rlim_max = lim.rlim_cur = cur.rlim_max;
        if (setrlimit(resource, &lim) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "set rlimit", "%s", name);
        return 0;
}

int rlimits_apply(SandboxContext *ctx, AirlockError *err)
{
        const AirlockLimits *l = &ctx->config->limits;
        /* The cgroup enforces the CPU limit for the whole tree; RLIMIT_CPU is the backstop for a
         * single process, one second later so it never pre-empts the precise measurement. */
        rlim_t cpu_s = (rlim_t)((l->cpu_ms + 999) / 1000 + 1);
        int r;

        r = set_limit(RLIMIT_NOFILE, l->nofile, "RLIMIT_NOFILE", err);
        if (r >= 0)
                r = set_limit(RLIMIT_FSIZE, l->fsize_bytes, "RLIMIT_FSIZE", err);
        if (r >= 0)
                r = set_limit(RLIMIT_CORE, 0, "RLIMIT_CORE", err);
        if (r >= 0) {
                struct rlimit cpu = {.rlim_cur = cpu_s, .rlim_max = cpu_s + 1};

                if (setrlimit(RLIMIT_CPU, &cpu) < 0)
                        r = airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "set rlimit",
                                              "RLIMIT_CPU");
        }
        /* RLIMIT_NPROC counts every process of a host uid. Only a uid of the sandbox's own makes
         * that a per-sandbox limit; rootless, it would count the caller's other processes. One
         * above the cgroup's limit, so that the cgroup (which reports the hits) binds first and
         * this stays the backstop. */
        if (r >= 0 && !ctx->rootless)
                r = set_limit(RLIMIT_NPROC, (rlim_t)l->pids + 1, "RLIMIT_NPROC", err);
        return r < 0 ? r : 0;
}
