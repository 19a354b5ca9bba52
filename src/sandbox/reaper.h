#pragma once

#include <sys/types.h>

#include "context.h"

/* pid 1's last job: reap every process of the sandbox until the program itself ends, then
 * report its wait status and resource usage (sync #5) and exit, which makes the kernel kill
 * whatever the program left behind in the pid namespace. */
_Noreturn void reaper_run(SandboxContext *ctx, pid_t program);
