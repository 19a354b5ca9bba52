#pragma once

#include "context.h"

/* Installs the seccomp filter the parent compiled (ctx->seccomp): always the last step before
 * exec, after no_new_privs, so every later syscall of the program goes through it. */
int seccomp_step_install(SandboxContext *ctx, AirlockError *err);
