#include "privdrop.h"

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "basic/parse.h"
#include "sandbox/landlock.h"

int privdrop_resolve_user(const char *name, PrivdropTarget *ret, AirlockError *err)
{
        struct passwd *pw;
        uint32_t id;

        if (parse_uint32(name, &id) >= 0) {
                *ret = (PrivdropTarget){.uid = id, .gid = id};
                return 0;
        }
        errno = 0;
        pw = getpwnam(name);
        if (!pw)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, errno ? errno : ENOENT, "--user",
                                         "no user '%s'", name);
        *ret = (PrivdropTarget){.uid = pw->pw_uid, .gid = pw->pw_gid};
        return 0;
}

static int drop_identity(const PrivdropTarget *t, AirlockError *err)
{
        pid_t launcher = getppid();

        if (geteuid() != 0)
                return 0; /* rootless: nothing to give up here; the layers below still apply */
        if (t->uid == 0)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "drop privileges",
                                         "the front end must not run as root");
        /* The bounding set first: dropping it needs CAP_SETPCAP, which setresuid takes away. */
        for (int cap = 0; cap <= 63; cap++)
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "drop privileges",
                                                 "capability bounding set");
        if (setgroups(0, NULL) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "drop privileges",
                                         "setgroups");
        if (setresgid(t->gid, t->gid, t->gid) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "drop privileges",
                                         "setresgid %u", (unsigned)t->gid);
        /* Without SECBIT_KEEP_CAPS this also empties the permitted and effective sets. */
        if (setresuid(t->uid, t->uid, t->uid) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "drop privileges",
                                         "setresuid %u", (unsigned)t->uid);
        if (setuid(0) == 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, EPERM, "drop privileges",
                                         "root could be regained");
        /* A change of uid clears the parent-death signal: arm it again, and make sure the
         * launcher did not die in between. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != launcher)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno ? errno : ESRCH,
                                         "drop privileges", "parent-death signal");
        return 0;
}

int privdrop_apply(const PrivdropTarget *t, AirlockError *err)
{
        int abi, r;

        r = drop_identity(t, err);
        if (r < 0)
                return r;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "drop privileges",
                                         "no_new_privs");
        /* Rootless, the launcher and the front end share a uid: not dumpable keeps the front
         * end's memory (and, below, its ptrace) out of reach of each other's mistakes. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "drop privileges",
                                         "dumpable");
        abi = landlock_probe_abi();
        if (abi <= 0 && !t->allow_no_landlock)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, EOPNOTSUPP, "landlock",
                                         "this kernel has none (--allow-no-landlock serves "
                                         "without it)");
        if (abi > 0) {
                r = landlock_restrict_all(abi, err);
                if (r < 0)
                        return r;
        }
        return privdrop_seccomp_install(err);
}
