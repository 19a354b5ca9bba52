#include "identity.h"

#include <stdio.h>
#include <sys/random.h>
#include <unistd.h>

#include "basic/macros.h"

/* Enough tries to find a free slot in a busy range without scanning all of it. */
#define IDENTITY_MAX_TRIES 64

/* A taken name is not an error worth reporting; anything else is. */
static int try_create(const CgroupHost *host, const char *name, const CgroupLimits *limits,
                      Cgroup **ret, AirlockError *err)
{
        AirlockError tmp = {0};
        int r = cgroup_create(host, name, limits, ret, &tmp);

        if (r < 0 && r != -EEXIST && err && err->kind == AIRLOCK_ERR_NONE)
                *err = tmp;
        return r;
}

int identity_acquire(const AirlockConfig *c, const CgroupHost *host, const CgroupLimits *limits,
                     SandboxIdentity *ret, AirlockError *err)
{
        uint32_t rnd = 0;
        char name[64];
        int r = -EEXIST;

        (void)!getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK);
        if (geteuid() != 0) {
                for (int i = 0; i < IDENTITY_MAX_TRIES && r == -EEXIST; i++) {
                        snprintf(name, sizeof(name), "run-%d-%08x", (int)getpid(),
                                 rnd + (uint32_t)i);
                        r = try_create(host, name, limits, &ret->cgroup, err);
                }
                if (r < 0)
                        return r;
                ret->host_uid = getuid();
                ret->host_gid = getgid();
                ret->rootless = true;
                return 0;
        }
        for (int i = 0; i < IDENTITY_MAX_TRIES && r == -EEXIST; i++) {
                uint32_t uid = c->uid_base + (rnd + (uint32_t)i) % c->uid_count;

                snprintf(name, sizeof(name), "uid-%u", uid);
                r = try_create(host, name, limits, &ret->cgroup, err);
                if (r >= 0) {
                        ret->host_uid = uid;
                        ret->host_gid = uid;
                        ret->rootless = false;
                }
        }
        if (r == -EEXIST)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, EBUSY, "allocate sandbox uid",
                                         "no free uid in %u..%u", c->uid_base,
                                         c->uid_base + c->uid_count - 1);
        return r;
}
