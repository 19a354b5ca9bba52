/* The canary files of --audit (audit-rules.h, docs/EVENTS.md): empty, readable files where
 * credentials would be, each watched for IN_OPEN on the inotify instance the parent made before
 * clone and shares with the child. The parent reads the events; a watch's number tells it which
 * canary was opened, so the child checks that the numbers come out 1, 2, 3... in list order. */
#pragma once

#include "context.h"

/* During rootfs_build, the current directory the new root: the canaries of the root's own
 * tmpfs (late false, before it is made read-only), or those on /tmp (late true, once it is
 * mounted). The late pass closes the child's copy of the inotify fd. */
int canaries_place(SandboxContext *ctx, bool late, AirlockError *err);

/* In the worker, for Landlock: whether path, opened as fd, is still the canary placed there
 * (an empty regular file: a --bind over it is not, and gets no rights from being named). */
bool canaries_still_there(int fd);
