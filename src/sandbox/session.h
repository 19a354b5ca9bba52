#pragma once

#include "context.h"

/* A new session with no controlling terminal, the program's stdio in place, default signal
 * dispositions, and the OOM killer told to take the program before pid 1. */
int session_setup(SandboxContext *ctx, AirlockError *err);

/* Closes every fd but 0, 1, 2 and the sync socket (which is O_CLOEXEC, so exec closes it). */
int session_close_fds(SandboxContext *ctx, AirlockError *err);
