#include "seccomp-load.h"

int seccomp_load(SandboxContext *ctx, AirlockError *err)
{
        /* Issue #3 compiles the policy in the parent and loads it here. */
        return 0;
}
