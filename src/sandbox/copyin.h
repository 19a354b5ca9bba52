#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "config/config.h"

/* Copies every --copy source into the scratch directory (scratch_fd, the sandbox's tmpfs).
 * Sources are read with the caller's own rights. When as_uid is not (uid_t)-1, files are
 * created with that filesystem identity (root mode: the sandbox's host uid, the only one the
 * sandbox's tmpfs can represent). Directories are copied recursively: files, directories and
 * symlinks (recreated as symlinks, which resolve inside the sandbox only); devices, fifos and
 * sockets are skipped. */
int copyin_all(int scratch_fd, const AirlockConfig *c, uid_t as_uid, gid_t as_gid,
               AirlockError *err);
