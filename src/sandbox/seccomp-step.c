#include "seccomp-step.h"

#include "seccomp/seccomp-policy.h"

int seccomp_step_install(SandboxContext *ctx, AirlockError *err)
{
        int r;

        if (!ctx->seccomp)
                return 0; /* --seccomp off, asked for by name */
        r = seccomp_program_install(ctx->seccomp);

        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "seccomp",
                                         "install the filter");
        return 0;
}
