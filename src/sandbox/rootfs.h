#pragma once

#include "context.h"

/* Opens --rootfs and the --bind sources (see SandboxContext.rootfs_fd). */
int rootfs_open_sources(SandboxContext *ctx, AirlockError *err);

/* Stops mount events from flowing between the host and the sandbox, either way. */
int rootfs_make_private(SandboxContext *ctx, AirlockError *err);

/* Assembles the new root in ctx->staging: a tmpfs holding read-only binds of the system tree,
 * a synthetic /etc, a minimal /dev, a fresh /proc, size-capped /tmp and scratch, and the binds
 * the caller asked for. Sends the scratch directory to the parent (sync #2). */
int rootfs_build(SandboxContext *ctx, AirlockError *err);

/* Makes the staged root the root, detaches the host's, and enters the scratch directory. */
int rootfs_pivot(SandboxContext *ctx, AirlockError *err);
