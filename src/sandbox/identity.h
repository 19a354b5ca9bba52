#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup/cgroup.h"
#include "config/config.h"

/* Who the sandbox is on the host, and the cgroup that goes with it. As root, each concurrent
 * run takes a host uid/gid of its own from the configured range: the run's cgroup is named
 * after it, so creating the cgroup is what reserves the uid (mkdir is atomic). Rootless, the
 * sandbox can only be the caller. */
typedef struct SandboxIdentity {
        uid_t host_uid;
        gid_t host_gid;
        bool rootless;
        Cgroup *cgroup;
} SandboxIdentity;

int identity_acquire(const AirlockConfig *c, const CgroupHost *host, const CgroupLimits *limits,
                     SandboxIdentity *ret, AirlockError *err);
