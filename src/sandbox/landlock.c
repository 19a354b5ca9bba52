#include "landlock.h"

int landlock_apply(SandboxContext *ctx, AirlockError *err)
{
        /* Issue #3 fills this in; until then the mount namespace and dropped privileges are the
         * filesystem boundary. */
        return 0;
}
