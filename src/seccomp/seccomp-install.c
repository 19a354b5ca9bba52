/* Installing a compiled program: in the sandbox child, the last step before exec.
 *
 * One raw seccomp(2) call on memory the parent prepared: nothing is allocated, no lock is taken,
 * so it is safe in a child cloned from a multithreaded parent. glibc has no wrapper for
 * seccomp(2), and prctl(PR_SET_SECCOMP) cannot pass flags such as SECCOMP_FILTER_FLAG_LOG. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp-policy.h"

int seccomp_program_install(const SeccompProgram *p)
{
        struct sock_fprog fprog;
        int r;

        if (!p || !p->filter || p->len == 0)
                return -EINVAL;

        /* With CAP_SYS_ADMIN the kernel would take the filter without no_new_privs; we never
         * want that, since a setuid exec would then run filtered with new privileges. */
        r = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
        if (r < 0)
                return -errno;
        if (r != 1)
                return -EPERM;

        /* No SECCOMP_FILTER_FLAG_SPEC_ALLOW: the kernel also forces the speculative store
         * bypass mitigation on the sandboxed program. No TSYNC: the child has one thread. */
        fprog = (struct sock_fprog){.len = p->len, .filter = p->filter};
        r = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &fprog);
        if (r < 0)
                return errno > 0 ? -errno : -EIO;
        /* With SECCOMP_FILTER_FLAG_NEW_LISTENER the kernel returns the listener, O_CLOEXEC. */
        return (p->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) ? r : 0;
}
