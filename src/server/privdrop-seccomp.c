/* The front end's seccomp filter. The front end is an HTTP server and nothing else: it never
 * executes a program, changes identity, makes namespaces, mounts, loads anything into the
 * kernel, or opens sockets of its own (the launcher made the listening ones). A deny list
 * rather than an allow list, because libmicrohttpd's and glibc's needs move between versions;
 * Landlock (no filesystem, no TCP) and the lost uid stand beside it. */
#include <errno.h>
#include <seccomp.h>
#include <sched.h>
#include <unistd.h>

#include "basic/macros.h"
#include "privdrop.h"

static const int denied[] = {
    /* running anything */
    SCMP_SYS(execve),
    SCMP_SYS(execveat),
    /* other processes' memory */
    SCMP_SYS(ptrace),
    SCMP_SYS(process_vm_readv),
    SCMP_SYS(process_vm_writev),
    SCMP_SYS(pidfd_getfd),
    SCMP_SYS(kcmp),
    /* identity: what was dropped stays dropped */
    SCMP_SYS(setuid),
    SCMP_SYS(setgid),
    SCMP_SYS(setreuid),
    SCMP_SYS(setregid),
    SCMP_SYS(setresuid),
    SCMP_SYS(setresgid),
    SCMP_SYS(setgroups),
    SCMP_SYS(setfsuid),
    SCMP_SYS(setfsgid),
    SCMP_SYS(capset),
    /* namespaces and the mount table */
    SCMP_SYS(unshare),
    SCMP_SYS(setns),
    SCMP_SYS(mount),
    SCMP_SYS(umount2),
    SCMP_SYS(pivot_root),
    SCMP_SYS(chroot),
    SCMP_SYS(open_tree),
    SCMP_SYS(move_mount),
    SCMP_SYS(fsopen),
    SCMP_SYS(fsmount),
    SCMP_SYS(fsconfig),
    SCMP_SYS(fspick),
    SCMP_SYS(mount_setattr),
    /* the kernel's own attack surface */
    SCMP_SYS(bpf),
    SCMP_SYS(perf_event_open),
    SCMP_SYS(userfaultfd),
    SCMP_SYS(keyctl),
    SCMP_SYS(add_key),
    SCMP_SYS(request_key),
    SCMP_SYS(io_uring_setup),
    SCMP_SYS(io_uring_enter),
    SCMP_SYS(io_uring_register),
    SCMP_SYS(init_module),
    SCMP_SYS(finit_module),
    SCMP_SYS(delete_module),
    SCMP_SYS(kexec_load),
    SCMP_SYS(kexec_file_load),
    SCMP_SYS(reboot),
    SCMP_SYS(swapon),
    SCMP_SYS(swapoff),
    SCMP_SYS(open_by_handle_at),
    SCMP_SYS(name_to_handle_at),
    SCMP_SYS(personality),
    SCMP_SYS(acct),
    SCMP_SYS(quotactl),
    SCMP_SYS(syslog),
    SCMP_SYS(vhangup),
    SCMP_SYS(lookup_dcookie),
    SCMP_SYS(uselib),
    /* new sockets: the listening ones were made for it, socketpair() stays */
    SCMP_SYS(socket),
    /* seccomp itself: no filter of its own to hide behind */
    SCMP_SYS(seccomp),
};

/* Threads only: clone with any namespace flag is refused; clone3 cannot be inspected (its flags
 * are behind a pointer), so it answers ENOSYS and glibc falls back to clone. */
static int restrict_clone(scmp_filter_ctx ctx)
{
        static const uint64_t ns_flags[] = {CLONE_NEWNS,     CLONE_NEWUSER, CLONE_NEWPID,
                                            CLONE_NEWNET,    CLONE_NEWIPC,  CLONE_NEWUTS,
                                            CLONE_NEWCGROUP, CLONE_NEWTIME};

        /* One rule a flag: libseccomp compares (arg & mask) == value, so "any of them set"
         * is each of them, set. */
        for (size_t i = 0; i < ELEMENTSOF(ns_flags); i++) {
                int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                         SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));

                if (r < 0)
                        return r;
        }
        return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
}

/* Signals only to itself: a front end taken over must not signal the launcher (rootless, they
 * share a uid). Landlock's signal scope says the same from ABI 6 on. */
static int restrict_signals(scmp_filter_ctx ctx)
{
        pid_t self = getpid();
        int r;

        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(kill), 1,
                             SCMP_A0(SCMP_CMP_NE, (uint64_t)self));
        if (r >= 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(tgkill), 1,
                                     SCMP_A0(SCMP_CMP_NE, (uint64_t)self));
        if (r >= 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(tkill), 0);
        if (r >= 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(rt_sigqueueinfo), 0);
        if (r >= 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(rt_tgsigqueueinfo), 0);
        if (r >= 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(pidfd_send_signal), 0);
        return r;
}

int privdrop_seccomp_install(AirlockError *err)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        int r = ctx ? 0 : -ENOMEM;

        /* Any other architecture's syscall table is a way around the list: kill. */
        if (r >= 0)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(denied); i++)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), denied[i], 0);
        if (r >= 0)
                r = restrict_clone(ctx);
        if (r >= 0)
                r = restrict_signals(ctx);
        if (r >= 0)
                r = seccomp_load(ctx);
        seccomp_release(ctx);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "front end seccomp", NULL);
        return 0;
}
