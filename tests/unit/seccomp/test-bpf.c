/* The compiled default and strict programs, run through a BPF interpreter (nothing is loaded
 * into this process): every table row, every argument filter, the architecture checks, and a
 * randomised comparison of the BPF against the tables' own answers. */
#include <errno.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include "seccomp-test.h"
#include "seccomp/seccomp-tables.h"

static SeccompProgram prog;

static void setup_default(void)
{
        compile_profile("default", &prog);
}

static void setup_strict(void)
{
        compile_profile("strict", &prog);
}

static void teardown(void)
{
        seccomp_program_done(&prog);
}

TestSuite(bpf, .init = setup_default, .fini = teardown);
TestSuite(bpf_strict, .init = setup_strict, .fini = teardown);

Test(bpf, fits_the_kernel)
{
        cr_assert_gt(prog.len, 0);
        cr_assert_leq(prog.len, BPF_MAXINSNS);
        cr_assert_eq(prog.flags, 0);
        cr_log_info("default program: %u instructions", prog.len);
}

Test(bpf, deny_table_answers_its_errno)
{
        for (size_t i = 0; i < seccomp_default_n_deny; i++) {
                const SeccompDenyRow *row = &seccomp_default_deny[i];
                uint32_t ret;

                if (newer_than_libseccomp(row->name))
                        continue;
                ret = eval(&prog, nr_of(row->name), 0);

                cr_expect_eq(ret, RET_ERRNO(row->errnum), "%s: %#x, want errno %d", row->name, ret,
                             row->errnum);
        }
}

Test(bpf, allow_table_allows)
{
        for (size_t i = 0; i < seccomp_default_n_allow; i++) {
                const SeccompAllowRow *row = &seccomp_default_allow[i];
                uint32_t ret;

                if (newer_than_libseccomp(row->name))
                        continue;
                ret = eval(&prog, nr_of(row->name), 0x41, 0x4242, 0x434343);

                cr_expect_eq(ret, RET_ALLOW, "%s: %#x", row->name, ret);
        }
}

Test(bpf, named_denials)
{
        static const char *const names[] = {
            "ptrace",
            "process_vm_readv",
            "process_vm_writev",
            "mount",
            "umount2",
            "pivot_root",
            "move_mount",
            "open_tree",
            "fsopen",
            "fsmount",
            "fspick",
            "mount_setattr",
            "unshare",
            "setns",
            "keyctl",
            "add_key",
            "request_key",
            "bpf",
            "perf_event_open",
            "userfaultfd",
            "io_uring_setup",
            "io_uring_enter",
            "io_uring_register",
            "kexec_load",
            "kexec_file_load",
            "init_module",
            "finit_module",
            "delete_module",
            "reboot",
            "swapon",
            "swapoff",
            "acct",
            "quotactl",
            "quotactl_fd",
            "settimeofday",
            "clock_settime",
            "clock_adjtime",
            "adjtimex",
            "syslog",
            "ioperm",
            "iopl",
            "open_by_handle_at",
            "name_to_handle_at",
            "chroot",
            "vhangup",
            "pidfd_getfd",
            "kcmp",
            "uselib",
            "ustat",
            "sysfs",
            "fanotify_init",
            "process_madvise",
            "io_setup",
            "modify_ldt",
        };

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                uint32_t ret = eval(&prog, nr_of(names[i]), 0);
                cr_expect_eq(ret & SECCOMP_RET_ACTION_FULL, SECCOMP_RET_ERRNO, "%s: %#x", names[i],
                             ret);
        }
        cr_assert_eq(eval(&prog, nr_of("ptrace"), 0), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr_of("create_module"), 0), RET_ERRNO(ENOSYS));
}

Test(bpf, every_known_syscall_matches_the_tables)
{
        AirlockError err = {};
        SeccompPolicy *p = NULL;
        unsigned known = 0;

        cr_assert_eq(seccomp_policy_load_profile("default", &p, &err), 0);
        for (int nr = 0; nr < SECCOMP_POLICY_NR_MAX; nr++) {
                static const uint64_t zero[6] = {};
                uint32_t want = expected_ret(seccomp_policy_verdict(p, nr, zero));
                uint32_t got = eval_args(&prog, nr, zero);

                cr_expect_eq(got, want, "nr %d: BPF %#x, tables %#x", nr, got, want);
                known += p->rules[nr].kind != SECCOMP_RULE_UNSET;
        }
        cr_log_info("%u syscalls classified", known);
        seccomp_policy_free(p);
}

Test(bpf, clone_flags)
{
        const int nr = nr_of("clone");
        const uint64_t thread = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                                CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
                                CLONE_CHILD_CLEARTID;
        const uint64_t fork_flags = CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD;
        static const uint64_t ns[] = {CLONE_NEWNS,   CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
                                      CLONE_NEWUSER, CLONE_NEWPID,    CLONE_NEWNET};

        cr_assert_eq(eval(&prog, nr, thread), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr, fork_flags), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr, CLONE_VM | CLONE_VFORK | SIGCHLD), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr, SIGCHLD), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr, CLONE_NEWUSER), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr, CLONE_NEWUSER | SIGCHLD), RET_ERRNO(EPERM));
        for (size_t i = 0; i < ELEMENTSOF(ns); i++) {
                cr_assert_eq(eval(&prog, nr, ns[i] | fork_flags), RET_ERRNO(EPERM), "%#lx",
                             (unsigned long)ns[i]);
                /* the kernel ignores the upper half of the register; so do we */
                cr_assert_eq(eval(&prog, nr, ns[i] | 0xffffffff00000000ULL), RET_ERRNO(EPERM));
        }
        cr_assert_eq(eval(&prog, nr, thread | 0xabcd000000000000ULL), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr, 0xffffffffULL), RET_ERRNO(EPERM));
}

Test(bpf, clone3_falls_back)
{
        cr_assert_eq(eval(&prog, nr_of("clone3"), 0, 88), RET_ERRNO(ENOSYS));
}

Test(bpf, socket_families)
{
        const int nr = nr_of("socket");
        static const int denied[] = {AF_PACKET,    AF_VSOCK, AF_ALG,   AF_KEY, AF_BLUETOOTH,
                                     AF_RDS,       AF_TIPC,  AF_CAN,   AF_XDP, AF_UNSPEC,
                                     AF_APPLETALK, AF_X25,   AF_PPPOX, AF_MAX, 255};

        cr_assert_eq(eval(&prog, nr, AF_UNIX, SOCK_STREAM, 0), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr, AF_UNIX, SOCK_SEQPACKET, 0), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr, AF_INET, SOCK_STREAM, 0), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr, AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0),
                     RET_ALLOW);
        cr_assert_eq(eval(&prog, nr, AF_INET, SOCK_STREAM, IPPROTO_TCP), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr, AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE),
                     RET_ALLOW);
        cr_assert_eq(eval(&prog, nr, AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE), RET_ALLOW);

        for (size_t i = 0; i < ELEMENTSOF(denied); i++)
                cr_assert_eq(eval(&prog, nr, denied[i], SOCK_STREAM, 0), RET_ERRNO(EAFNOSUPPORT),
                             "family %d", denied[i]);
        cr_assert_eq(eval(&prog, nr, AF_PACKET, SOCK_RAW, htons(3)), RET_ERRNO(EAFNOSUPPORT));
        cr_assert_eq(eval(&prog, nr, AF_INET, SOCK_RAW, IPPROTO_ICMP), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr, AF_INET6, SOCK_RAW | SOCK_NONBLOCK, 0), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr, AF_INET, SOCK_PACKET, 0), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr, AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr, AF_INET, SOCK_DCCP, 0), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr, AF_INET, SOCK_STREAM, IPPROTO_SCTP),
                     RET_ERRNO(EPROTONOSUPPORT));
        cr_assert_eq(eval(&prog, nr, AF_INET, SOCK_DGRAM, IPPROTO_ICMP),
                     RET_ERRNO(EPROTONOSUPPORT));
        cr_assert_eq(eval(&prog, nr, AF_INET, SOCK_DGRAM, 115 /* IPPROTO_L2TP */),
                     RET_ERRNO(EPROTONOSUPPORT));
        cr_assert_eq(eval(&prog, nr, AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER),
                     RET_ERRNO(EPROTONOSUPPORT));
        cr_assert_eq(eval(&prog, nr, AF_NETLINK, SOCK_RAW, NETLINK_AUDIT),
                     RET_ERRNO(EPROTONOSUPPORT));
        cr_assert_eq(eval(&prog, nr, AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT),
                     RET_ERRNO(EPROTONOSUPPORT));
        /* the kernel reads ints: a dirty upper half changes nothing */
        cr_assert_eq(eval(&prog, nr, 0x500000000ULL | AF_INET, SOCK_RAW, 0), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr, 0x500000000ULL | AF_PACKET, SOCK_RAW, 0),
                     RET_ERRNO(EAFNOSUPPORT));
        cr_assert_eq(
            eval(&prog, nr, 0x500000000ULL | AF_INET, 0x700000000ULL | SOCK_STREAM, 0x900000000ULL),
            RET_ALLOW);
}

Test(bpf, socketpair_is_unix_only)
{
        const int nr = nr_of("socketpair");

        cr_assert_eq(eval(&prog, nr, AF_UNIX, SOCK_STREAM, 0), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr, AF_TIPC, SOCK_STREAM, 0), RET_ERRNO(EAFNOSUPPORT));
        cr_assert_eq(eval(&prog, nr, AF_INET, SOCK_STREAM, 0), RET_ERRNO(EAFNOSUPPORT));
}

Test(bpf, ioctl_requests)
{
        const int nr = nr_of("ioctl");
        static const uint64_t allowed[] = {
            TCGETS,  TCSETS,    TIOCGWINSZ, TIOCSWINSZ, FIONREAD,  FIONBIO,
            FIOCLEX, TIOCGPGRP, TIOCSCTTY,  0,          0x5413,    0x541b,
            0x5422,  0x5424,    0x80086601, 0xc0045401, 0xffffffff};

        cr_assert_eq(eval(&prog, nr, 0, TIOCSTI, 0), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr, 0, TIOCLINUX, 0), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr, 0, TIOCSETD, 0), RET_ERRNO(EPERM));
        /* the kernel reads the request as an unsigned int: high bits must not smuggle it past */
        cr_assert_eq(eval(&prog, nr, 0, 0xffffffff00000000ULL | TIOCSTI, 0), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr, 0, 0x0000000100000000ULL | TIOCSTI, 0), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr, 0, 0x8000000000000000ULL | TIOCLINUX, 0), RET_ERRNO(EPERM));
        for (size_t i = 0; i < ELEMENTSOF(allowed); i++) {
                cr_assert_eq(eval(&prog, nr, 1, allowed[i], 0), RET_ALLOW, "%#lx",
                             (unsigned long)allowed[i]);
                cr_assert_eq(eval(&prog, nr, 1, allowed[i] | 0xdead000000000000ULL, 0), RET_ALLOW,
                             "%#lx with high bits", (unsigned long)allowed[i]);
        }
}

Test(bpf, personality_values)
{
        const int nr = nr_of("personality");

        cr_assert_eq(eval(&prog, nr, PER_LINUX), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr, 0xffffffffULL), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr, 0xffffffffffffffffULL), RET_ALLOW); /* (unsigned)-1 */
        cr_assert_eq(eval(&prog, nr, ADDR_NO_RANDOMIZE), RET_ALLOW);
        cr_assert_eq(eval(&prog, nr, READ_IMPLIES_EXEC), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr, MMAP_PAGE_ZERO), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr, PER_LINUX32), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr, UNAME26), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr, ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr, 0xfffffffeULL), RET_ERRNO(EPERM));
}

Test(bpf, mknod_types)
{
        const int mknod = nr_of("mknod"), mknodat = nr_of("mknodat");

        cr_assert_eq(eval(&prog, mknod, 0x1000, S_IFIFO | 0644, 0), RET_ALLOW);
        cr_assert_eq(eval(&prog, mknod, 0x1000, S_IFREG | 0600, 0), RET_ALLOW);
        cr_assert_eq(eval(&prog, mknod, 0x1000, S_IFSOCK | 0600, 0), RET_ALLOW);
        cr_assert_eq(eval(&prog, mknod, 0x1000, 0644, 0), RET_ALLOW);
        cr_assert_eq(eval(&prog, mknod, 0x1000, S_IFCHR | 0666, makedev(1, 3)), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, mknod, 0x1000, S_IFBLK | 0666, makedev(8, 0)), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, mknod, 0x1000, S_IFDIR | 0755, 0), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, mknodat, AT_FDCWD, 0x1000, S_IFCHR | 0666), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, mknodat, AT_FDCWD, 0x1000, S_IFIFO | 0600), RET_ALLOW);
        /* the mode travels in the third argument of mknodat: a FIFO in the second means nothing */
        cr_assert_eq(eval(&prog, mknodat, AT_FDCWD, S_IFIFO, S_IFBLK), RET_ERRNO(EPERM));
}

Test(bpf, unknown_numbers_get_enosys)
{
        static const int nrs[] = {1000, 1023, 1024, 4096, 0x3fffffff};

        for (size_t i = 0; i < ELEMENTSOF(nrs); i++)
                cr_assert_eq(eval(&prog, nrs[i], 0), RET_ERRNO(ENOSYS), "nr %d", nrs[i]);
        /* a number libseccomp cannot name, between known ones, if there is any */
        for (int nr = 0; nr < 1000; nr++) {
                char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
                if (!name) {
                        cr_assert_eq(eval(&prog, nr, 0), RET_ERRNO(ENOSYS), "nr %d", nr);
                        continue;
                }
                free(name);
        }
}

Test(bpf, foreign_architectures_are_killed)
{
        static const uint32_t arches[] = {AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM,
                                          AUDIT_ARCH_PPC64LE, 0};

        for (size_t i = 0; i < ELEMENTSOF(arches); i++) {
                /* 20 is getpid on i386 but writev on x86_64; 39 is getpid on x86_64 */
                cr_assert_eq(eval_arch(&prog, arches[i], 20, 0, 0, 0, 0), RET_KILL, "%#x",
                             arches[i]);
                cr_assert_eq(eval_arch(&prog, arches[i], 39, 0, 0, 0, 0), RET_KILL, "%#x",
                             arches[i]);
        }
}

Test(bpf, x32_numbers_are_not_allowed)
{
        const int getpid = nr_of("getpid");
        uint32_t ret;

        ret = eval(&prog, X32_SYSCALL_BIT | getpid, 0);
        cr_assert_neq(ret, RET_ALLOW);
        /* libseccomp sends them to the bad-architecture action */
        cr_assert_eq(ret, RET_KILL, "%#x", ret);
        cr_assert_eq(eval(&prog, X32_SYSCALL_BIT | 0, 0), RET_KILL);
        cr_assert_eq(eval(&prog, X32_SYSCALL_BIT | 512, 0), RET_KILL); /* x32 rt_sigaction */
}

static void compare_with_tables(const char *profile)
{
        SeccompPolicy *p = load_profile(profile);
        unsigned checked = 0;

        srandom(1);
        for (int nr = 0; nr < SECCOMP_POLICY_NR_MAX; nr++) {
                const SeccompArgFilter *f = p->rules[nr].filter;

                if (p->rules[nr].kind != SECCOMP_RULE_FILTER)
                        continue;
                for (int i = 0; i < 20000; i++) {
                        uint64_t args[6];
                        uint32_t want, got;

                        for (unsigned a = 0; a < 6; a++)
                                args[a] = interesting(f, a);
                        want = expected_ret(seccomp_arg_filter_verdict(f, args));
                        got = eval_args(&prog, nr, args);
                        cr_assert_eq(got, want, "%s(%#lx, %#lx, %#lx): BPF %#x, tables %#x",
                                     f->syscall, (unsigned long)args[0], (unsigned long)args[1],
                                     (unsigned long)args[2], got, want);
                        checked++;
                }
        }
        cr_log_info("%s: %u random filtered calls agree", profile, checked);
        seccomp_policy_free(p);
}

Test(bpf, random_arguments_agree_with_tables)
{
        compare_with_tables("default");
}

Test(bpf, logging_is_a_load_flag)
{
        AirlockError err = {};
        SeccompPolicy *p = load_profile("default");
        SeccompProgram logged = {};

        cr_assert_eq(seccomp_policy_compile(p, true, &logged, &err), 0, "%s", err.message);
        cr_assert_eq(logged.flags, SECCOMP_FILTER_FLAG_LOG);
        cr_assert_eq(logged.len, prog.len);
        cr_assert_eq(memcmp(logged.filter, prog.filter, prog.len * sizeof(*prog.filter)), 0);
        seccomp_program_done(&logged);
        cr_assert_null(logged.filter);
        seccomp_program_done(&logged); /* twice is harmless */
        seccomp_policy_free(p);
}

Test(bpf_strict, threads_only)
{
        const int clone = nr_of("clone");
        const uint64_t thread = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                                CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
                                CLONE_CHILD_CLEARTID;

        cr_assert_eq(eval(&prog, clone, thread), RET_ALLOW);
        cr_assert_eq(eval(&prog, clone, CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD),
                     RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, clone, CLONE_VM | CLONE_VFORK | SIGCHLD), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, clone, thread | CLONE_NEWUSER), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr_of("fork"), 0), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr_of("vfork"), 0), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr_of("clone3"), 0), RET_ERRNO(ENOSYS));
        cr_assert_eq(eval(&prog, nr_of("execve"), 0), RET_ALLOW);
}

Test(bpf_strict, unix_sockets_only)
{
        const int socket = nr_of("socket");

        cr_assert_eq(eval(&prog, socket, AF_UNIX, SOCK_STREAM, 0), RET_ALLOW);
        cr_assert_eq(eval(&prog, socket, AF_INET, SOCK_STREAM, 0), RET_ERRNO(EAFNOSUPPORT));
        cr_assert_eq(eval(&prog, socket, AF_INET6, SOCK_DGRAM, 0), RET_ERRNO(EAFNOSUPPORT));
        cr_assert_eq(eval(&prog, socket, AF_NETLINK, SOCK_RAW, 0), RET_ERRNO(EAFNOSUPPORT));
        /* the rest is the default */
        cr_assert_eq(eval(&prog, nr_of("ptrace"), 0), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr_of("ioctl"), 0, TIOCSTI), RET_ERRNO(EPERM));
        cr_assert_eq(eval(&prog, nr_of("read"), 0), RET_ALLOW);
}

Test(bpf_strict, random_arguments_agree_with_tables)
{
        compare_with_tables("strict");
}
