#pragma once

#include "context.h"

/* Per-process limits, a second layer under the cgroup: open files, file size, CPU seconds, no
 * core dumps, and (with a host uid of its own) the process count. */
int rlimits_apply(SandboxContext *ctx, AirlockError *err);
