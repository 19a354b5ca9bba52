#pragma once

#include "context.h"

/* Landlock ruleset over the sandbox's filesystem: its place in the step table is fixed here;
 * the ruleset itself arrives with the defense-in-depth issue (#3). */
int landlock_apply(SandboxContext *ctx, AirlockError *err);
