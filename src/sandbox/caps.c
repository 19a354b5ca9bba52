#include "caps.h"

#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int caps_drop_all(SandboxContext *ctx, AirlockError *err)
{
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct data[2] = {0};

        /* Lock securebits first: it needs CAP_SETPCAP, which is about to go. Without root in
         * the namespace this is belt and braces, since uid 0 is not even mapped. */
        (void)prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_SETUID_FIXUP |
                                           SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_NOROOT |
                                           SECBIT_NOROOT_LOCKED);
        /* EINVAL marks the first capability this kernel does not know: the end of the set. */
        for (unsigned long cap = 0; cap <= 63; cap++)
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
                        if (errno == EINVAL && cap > 0)
                                break;
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno,
                                                 "drop bounding capabilities", "cap %lu", cap);
                }
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno,
                                         "clear ambient capabilities", NULL);
        if (syscall(SYS_capset, &hdr, data) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "drop capabilities", NULL);
        return 0;
}

int caps_set_no_new_privs(SandboxContext *ctx, AirlockError *err)
{
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "set no_new_privs", NULL);
        return 0;
}
