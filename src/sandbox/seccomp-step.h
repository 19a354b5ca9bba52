#pragma once

#include "context.h"

/* Installs the seccomp filter the parent compiled (ctx->seccomp): always the last step before
 * exec, after no_new_privs, so every later syscall of the program goes through it. */
int seccomp_step_install(SandboxContext *ctx, AirlockError *err);

/* With a watching filter (--audit), hands its listener to the parent (sync #4b) and closes the
 * worker's copy: right after the filter, right before exec, which the filter already watches. */
int seccomp_step_send_listener(SandboxContext *ctx, AirlockError *err);
