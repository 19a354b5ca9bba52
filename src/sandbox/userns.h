#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "basic/error.h"

/* Maps the sandbox user (uid/gid 1000 inside) to host_uid/host_gid for the child's user
 * namespace; nothing else is mapped, not even root. Rootless, setgroups is denied first, as
 * the kernel requires of an unprivileged writer. */
int userns_write_maps(pid_t child, uid_t host_uid, gid_t host_gid, bool rootless,
                      AirlockError *err);
