#pragma once

#include "context.h"

/* Loads the seccomp filter compiled by the parent: always the last step before exec. The
 * default policy arrives with the defense-in-depth issue (#3). */
int seccomp_load(SandboxContext *ctx, AirlockError *err);
