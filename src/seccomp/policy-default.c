/* The default seccomp profile, as data: what python3 (numpy, pandas, matplotlib), sh/bash with
 * coreutils, node, gcc with cc1/as/ld and the programs they build need, running unprivileged in
 * their own user, pid, mount, net, ipc, uts and cgroup namespaces on x86_64.
 *
 * Three tables: syscalls allowed outright, syscalls denied with an errno and a reason, and
 * syscalls allowed only for some arguments. Every syscall libseccomp knows on x86_64 is in
 * exactly one of them (a unit test checks). A syscall in none gets EPERM; a number libseccomp
 * does not know gets ENOSYS, so that libc falls back to an older call. docs/SECCOMP.md says the
 * same in prose. */
#include <errno.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "basic/macros.h"
#include "seccomp-internal.h"
#include "seccomp-tables.h"

/* The tables are aligned by hand for reading; clang-format would undo it. */
/* clang-format off */

#define R_FILE   "files: open, read, write, stat and close descriptors"
#define R_XFER   "copying between descriptors inside the kernel"
#define R_DIR    "directories and names in the sandbox's own tmpfs (the binds are read-only)"
#define R_ATTR   "modes, owners, times, xattrs: the kernel allows them on the user's own files only"
#define R_MEM    "memory: mappings and advice on the process's own address space"
#define R_NUMA   "NUMA policy for the process's own memory"
#define R_MLOCK  "locking pages, bounded by RLIMIT_MEMLOCK and the memory cgroup"
#define R_PROC   "processes: exec, wait, exit, process groups (pid namespace, pids cgroup)"
#define R_SIG    "signals, which reach only processes of the sandbox's pid namespace"
#define R_THREAD "threads and the C runtime: TLS, robust futexes, rseq, futexes"
#define R_ID     "identity: reading ids; changing them needs capabilities the process no longer has"
#define R_SCHED  "scheduling of the sandbox's own threads (the cpu cgroup bounds the total)"
#define R_LIMIT  "resource limits and usage; raising a hard limit needs a capability"
#define R_TIME   "clocks (read-only), sleeps and timers"
#define R_POLL   "waiting on descriptors; pipes, eventfds and inotify"
#define R_NET    "socket operations: which sockets may exist is decided by socket()"
#define R_IPC    "System V and POSIX IPC, private to the sandbox's IPC namespace"
#define R_SELF   "self-restriction: filters and rulesets only ever narrow what the process may do"

const SeccompAllowRow seccomp_default_allow[] = {
        {"read", R_FILE},
        {"write", R_FILE},
        {"open", R_FILE},
        {"openat", R_FILE},
        {"openat2", R_FILE},
        {"creat", R_FILE},
        {"close", R_FILE},
        {"close_range", R_FILE},
        {"stat", R_FILE},
        {"fstat", R_FILE},
        {"lstat", R_FILE},
        {"newfstatat", R_FILE},
        {"statx", R_FILE},
        {"statfs", R_FILE},
        {"fstatfs", R_FILE},
        {"access", R_FILE},
        {"faccessat", R_FILE},
        {"faccessat2", R_FILE},
        {"readlink", R_FILE},
        {"readlinkat", R_FILE},
        {"lseek", R_FILE},
        {"pread64", R_FILE},
        {"pwrite64", R_FILE},
        {"readv", R_FILE},
        {"writev", R_FILE},
        {"preadv", R_FILE},
        {"pwritev", R_FILE},
        {"preadv2", R_FILE},
        {"pwritev2", R_FILE},
        {"getdents", R_FILE},
        {"getdents64", R_FILE},
        {"fcntl", R_FILE},
        {"flock", R_FILE},
        {"dup", R_FILE},
        {"dup2", R_FILE},
        {"dup3", R_FILE},
        {"truncate", R_FILE},
        {"ftruncate", R_FILE},
        {"fallocate", R_FILE},
        {"fadvise64", R_FILE},
        {"readahead", R_FILE},
        {"fsync", R_FILE},
        {"fdatasync", R_FILE},
        {"syncfs", R_FILE},
        {"sync_file_range", R_FILE},
        {"sendfile", R_XFER},
        {"copy_file_range", R_XFER},
        {"splice", R_XFER},
        {"tee", R_XFER},
        {"vmsplice", R_XFER},
        {"getcwd", R_DIR},
        {"chdir", R_DIR},
        {"fchdir", R_DIR},
        {"mkdir", R_DIR},
        {"mkdirat", R_DIR},
        {"rmdir", R_DIR},
        {"rename", R_DIR},
        {"renameat", R_DIR},
        {"renameat2", R_DIR},
        {"link", R_DIR},
        {"linkat", R_DIR},
        {"unlink", R_DIR},
        {"unlinkat", R_DIR},
        {"symlink", R_DIR},
        {"symlinkat", R_DIR},
        {"umask", R_DIR},
        {"chmod", R_ATTR},
        {"fchmod", R_ATTR},
        {"fchmodat", R_ATTR},
        {"fchmodat2", R_ATTR},
        {"chown", R_ATTR},
        {"fchown", R_ATTR},
        {"lchown", R_ATTR},
        {"fchownat", R_ATTR},
        {"utime", R_ATTR},
        {"utimes", R_ATTR},
        {"futimesat", R_ATTR},
        {"utimensat", R_ATTR},
        {"setxattr", R_ATTR},
        {"lsetxattr", R_ATTR},
        {"fsetxattr", R_ATTR},
        {"getxattr", R_ATTR},
        {"lgetxattr", R_ATTR},
        {"fgetxattr", R_ATTR},
        {"listxattr", R_ATTR},
        {"llistxattr", R_ATTR},
        {"flistxattr", R_ATTR},
        {"removexattr", R_ATTR},
        {"lremovexattr", R_ATTR},
        {"fremovexattr", R_ATTR},
        {"brk", R_MEM},
        {"mmap", R_MEM},
        {"munmap", R_MEM},
        {"mremap", R_MEM},
        {"mprotect", R_MEM},
        {"msync", R_MEM},
        {"mincore", R_MEM},
        {"madvise", R_MEM},
        {"membarrier", R_MEM},
        {"memfd_create", R_MEM},
        {"pkey_mprotect", R_MEM},
        {"pkey_alloc", R_MEM},
        {"pkey_free", R_MEM},
        {"map_shadow_stack", R_MEM},
        {"mbind", R_NUMA},
        {"set_mempolicy", R_NUMA},
        {"get_mempolicy", R_NUMA},
        {"set_mempolicy_home_node", R_NUMA},
        {"mlock", R_MLOCK},
        {"mlock2", R_MLOCK},
        {"munlock", R_MLOCK},
        {"mlockall", R_MLOCK},
        {"munlockall", R_MLOCK},
        {"fork", R_PROC},
        {"vfork", R_PROC},
        {"execve", R_PROC},
        {"execveat", R_PROC},
        {"exit", R_PROC},
        {"exit_group", R_PROC},
        {"wait4", R_PROC},
        {"waitid", R_PROC},
        {"getpid", R_PROC},
        {"getppid", R_PROC},
        {"gettid", R_PROC},
        {"getpgrp", R_PROC},
        {"getpgid", R_PROC},
        {"setpgid", R_PROC},
        {"getsid", R_PROC},
        {"setsid", R_PROC},
        {"kill", R_SIG},
        {"tkill", R_SIG},
        {"tgkill", R_SIG},
        {"pidfd_open", R_SIG},
        {"pidfd_send_signal", R_SIG},
        {"rt_sigaction", R_SIG},
        {"rt_sigprocmask", R_SIG},
        {"rt_sigreturn", R_SIG},
        {"rt_sigpending", R_SIG},
        {"rt_sigtimedwait", R_SIG},
        {"rt_sigqueueinfo", R_SIG},
        {"rt_tgsigqueueinfo", R_SIG},
        {"rt_sigsuspend", R_SIG},
        {"sigaltstack", R_SIG},
        {"signalfd", R_SIG},
        {"signalfd4", R_SIG},
        {"pause", R_SIG},
        {"restart_syscall", R_SIG},
        {"arch_prctl", R_THREAD},
        {"set_tid_address", R_THREAD},
        {"set_robust_list", R_THREAD},
        {"rseq", R_THREAD},
        {"futex", R_THREAD},
        {"futex_waitv", R_THREAD},
        {"futex_wake", R_THREAD},
        {"futex_wait", R_THREAD},
        {"futex_requeue", R_THREAD},
        {"getuid", R_ID},
        {"geteuid", R_ID},
        {"getgid", R_ID},
        {"getegid", R_ID},
        {"getgroups", R_ID},
        {"getresuid", R_ID},
        {"getresgid", R_ID},
        {"setuid", R_ID},
        {"setgid", R_ID},
        {"setreuid", R_ID},
        {"setregid", R_ID},
        {"setresuid", R_ID},
        {"setresgid", R_ID},
        {"setfsuid", R_ID},
        {"setfsgid", R_ID},
        {"setgroups", R_ID},
        {"capget", R_ID},
        {"capset", R_ID},
        {"sched_yield", R_SCHED},
        {"sched_setparam", R_SCHED},
        {"sched_getparam", R_SCHED},
        {"sched_setscheduler", R_SCHED},
        {"sched_getscheduler", R_SCHED},
        {"sched_get_priority_max", R_SCHED},
        {"sched_get_priority_min", R_SCHED},
        {"sched_rr_get_interval", R_SCHED},
        {"sched_setaffinity", R_SCHED},
        {"sched_getaffinity", R_SCHED},
        {"sched_setattr", R_SCHED},
        {"sched_getattr", R_SCHED},
        {"getpriority", R_SCHED},
        {"setpriority", R_SCHED},
        {"ioprio_get", R_SCHED},
        {"ioprio_set", R_SCHED},
        {"getcpu", R_SCHED},
        {"getrlimit", R_LIMIT},
        {"setrlimit", R_LIMIT},
        {"prlimit64", R_LIMIT},
        {"getrusage", R_LIMIT},
        {"times", R_LIMIT},
        {"sysinfo", R_LIMIT},
        {"uname", R_LIMIT},
        {"getrandom", R_LIMIT},
        {"time", R_TIME},
        {"gettimeofday", R_TIME},
        {"clock_gettime", R_TIME},
        {"clock_getres", R_TIME},
        {"clock_nanosleep", R_TIME},
        {"nanosleep", R_TIME},
        {"alarm", R_TIME},
        {"getitimer", R_TIME},
        {"setitimer", R_TIME},
        {"timer_create", R_TIME},
        {"timer_settime", R_TIME},
        {"timer_gettime", R_TIME},
        {"timer_getoverrun", R_TIME},
        {"timer_delete", R_TIME},
        {"timerfd_create", R_TIME},
        {"timerfd_settime", R_TIME},
        {"timerfd_gettime", R_TIME},
        {"poll", R_POLL},
        {"ppoll", R_POLL},
        {"select", R_POLL},
        {"pselect6", R_POLL},
        {"epoll_create", R_POLL},
        {"epoll_create1", R_POLL},
        {"epoll_ctl", R_POLL},
        {"epoll_wait", R_POLL},
        {"epoll_pwait", R_POLL},
        {"epoll_pwait2", R_POLL},
        {"eventfd", R_POLL},
        {"eventfd2", R_POLL},
        {"pipe", R_POLL},
        {"pipe2", R_POLL},
        {"inotify_init", R_POLL},
        {"inotify_init1", R_POLL},
        {"inotify_add_watch", R_POLL},
        {"inotify_rm_watch", R_POLL},
        {"connect", R_NET},
        {"accept", R_NET},
        {"accept4", R_NET},
        {"bind", R_NET},
        {"listen", R_NET},
        {"shutdown", R_NET},
        {"getsockname", R_NET},
        {"getpeername", R_NET},
        {"setsockopt", R_NET},
        {"getsockopt", R_NET},
        {"sendto", R_NET},
        {"recvfrom", R_NET},
        {"sendmsg", R_NET},
        {"recvmsg", R_NET},
        {"sendmmsg", R_NET},
        {"recvmmsg", R_NET},
        {"shmget", R_IPC},
        {"shmat", R_IPC},
        {"shmdt", R_IPC},
        {"shmctl", R_IPC},
        {"semget", R_IPC},
        {"semop", R_IPC},
        {"semtimedop", R_IPC},
        {"semctl", R_IPC},
        {"msgget", R_IPC},
        {"msgsnd", R_IPC},
        {"msgrcv", R_IPC},
        {"msgctl", R_IPC},
        {"mq_open", R_IPC},
        {"mq_unlink", R_IPC},
        {"mq_timedsend", R_IPC},
        {"mq_timedreceive", R_IPC},
        {"mq_notify", R_IPC},
        {"mq_getsetattr", R_IPC},
        /* prctl: every dangerous option (PR_SET_MM, PR_SET_IO_FLUSHER, PR_CAP_AMBIENT_RAISE)
         * checks a capability the process no longer has; PR_SET_SECCOMP and
         * PR_SET_NO_NEW_PRIVS only add restrictions. */
        {"prctl", R_SELF},
        /* seccomp: a new filter stacks on ours (the kernel runs both, the strictest wins) and
         * needs no_new_privs, which is set; a user-notification listener can only supervise
         * the program's own children. */
        {"seccomp", R_SELF},
        {"landlock_create_ruleset", R_SELF},
        {"landlock_add_rule", R_SELF},
        {"landlock_restrict_self", R_SELF},
};
const size_t seccomp_default_n_allow = ELEMENTSOF(seccomp_default_allow);

#define MOUNT_WHY "the mount tree is airlock's; the mount API is kernel surface reserved for root"
#define GONE      "never implemented, or removed from Linux: ENOSYS as the kernel says"

const SeccompDenyRow seccomp_default_deny[] = {
        /* other processes */
        {"ptrace", EPERM, "debugging: reads and writes other processes' memory and registers"},
        {"process_vm_readv", EPERM, "reads another process's memory"},
        {"process_vm_writev", EPERM, "writes another process's memory"},
        {"process_madvise", EPERM, "advises on another process's memory (ptrace access)"},
        {"process_mrelease", EPERM, "reaps a dying process's memory: for OOM killers only"},
        {"pidfd_getfd", EPERM, "copies a descriptor out of another process (ptrace access)"},
        {"kcmp", EPERM, "compares other processes' kernel objects: kernel pointer ordering"},
        {"get_robust_list", EPERM, "reads another thread's robust-list head: debuggers only"},
        {"migrate_pages", EPERM, "moves another process's pages between NUMA nodes"},
        {"move_pages", EPERM, "moves pages of any process named by pid; no runtime needs it"},
        /* namespaces and mounts */
        {"unshare", EPERM, "new namespaces: a user namespace opens root-only kernel code"},
        {"setns", EPERM, "joining namespaces: the sandbox has nothing to join"},
        {"clone3", ENOSYS, "flags live in memory seccomp cannot read: glibc falls back to clone"},
        {"mount", EPERM, MOUNT_WHY},
        {"umount2", EPERM, MOUNT_WHY},
        {"pivot_root", EPERM, MOUNT_WHY},
        {"chroot", EPERM, MOUNT_WHY},
        {"move_mount", EPERM, MOUNT_WHY},
        {"open_tree", EPERM, MOUNT_WHY},
        {"fsopen", EPERM, MOUNT_WHY},
        {"fsconfig", EPERM, MOUNT_WHY},
        {"fsmount", EPERM, MOUNT_WHY},
        {"fspick", EPERM, MOUNT_WHY},
        {"mount_setattr", EPERM, MOUNT_WHY},
        {"open_by_handle_at", EPERM, "opens files by handle, past the mount tree (shocker escape)"},
        {"name_to_handle_at", EPERM, "makes handles for open_by_handle_at; no runtime needs it"},
        /* kernel attack surface */
        {"keyctl", EPERM, "keyrings are not namespaced"},
        {"add_key", EPERM, "keyrings are not namespaced"},
        {"request_key", EPERM, "keyrings are not namespaced, and this can call a host helper"},
        {"bpf", EPERM, "eBPF programs and maps: verifier bugs are a classic root exploit"},
        {"perf_event_open", EPERM, "performance counters: side channels and a long CVE history"},
        {"userfaultfd", EPERM, "makes kernel races easy to win: a standard exploit primitive"},
        {"io_uring_setup", EPERM, "io_uring runs syscalls seccomp never sees; libuv falls back"},
        {"io_uring_enter", EPERM, "io_uring runs syscalls seccomp never sees"},
        {"io_uring_register", EPERM, "io_uring runs syscalls seccomp never sees"},
        {"io_setup", EPERM, "kernel AIO: no runtime uses it (glibc's POSIX AIO is threads)"},
        {"io_destroy", EPERM, "kernel AIO: no runtime uses it"},
        {"io_getevents", EPERM, "kernel AIO: no runtime uses it"},
        {"io_pgetevents", EPERM, "kernel AIO: no runtime uses it"},
        {"io_submit", EPERM, "kernel AIO: no runtime uses it"},
        {"io_cancel", EPERM, "kernel AIO: no runtime uses it"},
        {"modify_ldt", EPERM, "16-bit segments for Wine and DOSEMU: a history of kernel bugs"},
        {"set_thread_area", EPERM, "i386 TLS descriptors; i386 syscalls kill the process anyway"},
        {"get_thread_area", EPERM, "i386 TLS descriptors; i386 syscalls kill the process anyway"},
        {"fanotify_init", EPERM, "filesystem-wide monitoring; its unprivileged mode is new code"},
        {"fanotify_mark", EPERM, "only useful after fanotify_init"},
        {"memfd_secret", EPERM, "takes pages out of the kernel's direct map; no runtime uses it"},
        {"cachestat", EPERM, "page-cache residency of shared files: a cross-sandbox side channel"},
        {"remap_file_pages", EPERM, "deprecated and emulated by the kernel; no runtime uses it"},
        /* the host */
        {"kexec_load", EPERM, "replaces the running kernel"},
        {"kexec_file_load", EPERM, "replaces the running kernel"},
        {"init_module", EPERM, "loads kernel code"},
        {"finit_module", EPERM, "loads kernel code"},
        {"delete_module", EPERM, "unloads kernel code"},
        {"reboot", EPERM, "reboots the host (or, in a pid namespace, kills the sandbox's init)"},
        {"swapon", EPERM, "host swap configuration"},
        {"swapoff", EPERM, "host swap configuration"},
        {"acct", EPERM, "host process accounting"},
        {"quotactl", EPERM, "host disk quotas"},
        {"quotactl_fd", EPERM, "host disk quotas"},
        {"settimeofday", EPERM, "sets the host's clock"},
        {"clock_settime", EPERM, "sets the host's clock"},
        {"clock_adjtime", EPERM, "adjusts the host's clock"},
        {"adjtimex", EPERM, "adjusts the host's clock"},
        {"syslog", EPERM, "the kernel log: kernel addresses and other sandboxes' records"},
        {"ioperm", EPERM, "direct access to hardware I/O ports"},
        {"iopl", EPERM, "direct access to hardware I/O ports"},
        {"vhangup", EPERM, "hangs up the terminal"},
        {"sethostname", EPERM, "the hostname is airlock's to set"},
        {"setdomainname", EPERM, "the domain name is airlock's to set"},
        /* sync(2) returns void, so no caller can even see the EPERM */
        {"sync", EPERM, "flushes every filesystem of the host: an I/O denial of service"},
        {"uselib", EPERM, "a.out shared libraries: obsolete, with a CVE history"},
        {"ustat", EPERM, "obsolete statistics of any filesystem by device number"},
        {"sysfs", EPERM, "obsolete filesystem-type query"},
        /* gone from Linux */
        {"_sysctl", ENOSYS, GONE},
        {"lookup_dcookie", ENOSYS, GONE},
        {"nfsservctl", ENOSYS, GONE},
        {"create_module", ENOSYS, GONE},
        {"get_kernel_syms", ENOSYS, GONE},
        {"query_module", ENOSYS, GONE},
        {"getpmsg", ENOSYS, GONE},
        {"putpmsg", ENOSYS, GONE},
        {"afs_syscall", ENOSYS, GONE},
        {"tuxcall", ENOSYS, GONE},
        {"security", ENOSYS, GONE},
        {"vserver", ENOSYS, GONE},
        {"epoll_ctl_old", ENOSYS, GONE},
        {"epoll_wait_old", ENOSYS, GONE},
        /* vm86 and vm86old exist only on i386, whose syscalls kill the process. */
};
const size_t seccomp_default_n_deny = ELEMENTSOF(seccomp_default_deny);

/* Conditions. INT: the kernel reads the argument as a 32-bit int, so only the low half counts
 * (a program can put anything in the upper half of the register). */
#define COND(a, m, v, l)  {.arg = (a), .mask = (m), .value = (v), .label = (l)}
#define INT_EQ(a, v)      COND(a, 0xffffffffULL, (uint32_t)(v), #v)
/* The kernel's SOCK_TYPE_MASK: SOCK_NONBLOCK, SOCK_CLOEXEC (and bits the kernel rejects) are
 * left out of the comparison. */
#define SOCK_TYPE_BITS    0xfULL
#define SOCK_TYPE_EQ(v)   COND(1, SOCK_TYPE_BITS, v, #v)
#define ALLOW             .errnum = 0

/* clone's flags, low 32 bits (the kernel ignores the upper half). CLONE_NEWTIME is absent: in
 * clone() its bit is part of CSIGNAL, the exit signal, so it cannot ask for a time namespace;
 * only clone3 and unshare can, and both are denied. */
#define CLONE_NS_FLAGS                                                                             \
        (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |             \
         CLONE_NEWPID | CLONE_NEWNET)

static const SeccompArgRow clone_rows[] = {
        {{COND(0, CLONE_NS_FLAGS, 0, "no CLONE_NEW* flag")}, ALLOW,
         "threads, fork and posix_spawn (CLONE_VM|CLONE_VFORK)"},
};

const SeccompArgFilter seccomp_filter_clone = {
        .syscall = "clone",
        .arg_names = {"flags"},
        .rows = clone_rows,
        .n_rows = ELEMENTSOF(clone_rows),
        .otherwise = {{EPERM, "a CLONE_NEW* flag: a user namespace opens root-only kernel code"}},
        .reason = "processes and threads, never new namespaces",
};

static const SeccompArgRow socket_rows[] = {
        {{INT_EQ(0, AF_UNIX)}, ALLOW, "local IPC: multiprocessing, asyncio, node's child channels"},
        {{INT_EQ(0, AF_INET), SOCK_TYPE_EQ(SOCK_STREAM), INT_EQ(2, 0)}, ALLOW, "TCP on loopback"},
        {{INT_EQ(0, AF_INET), SOCK_TYPE_EQ(SOCK_STREAM), INT_EQ(2, IPPROTO_TCP)}, ALLOW, "TCP"},
        {{INT_EQ(0, AF_INET), SOCK_TYPE_EQ(SOCK_DGRAM), INT_EQ(2, 0)}, ALLOW, "UDP on loopback"},
        {{INT_EQ(0, AF_INET), SOCK_TYPE_EQ(SOCK_DGRAM), INT_EQ(2, IPPROTO_UDP)}, ALLOW, "UDP"},
        {{INT_EQ(0, AF_INET6), SOCK_TYPE_EQ(SOCK_STREAM), INT_EQ(2, 0)}, ALLOW, "TCP over IPv6"},
        {{INT_EQ(0, AF_INET6), SOCK_TYPE_EQ(SOCK_STREAM), INT_EQ(2, IPPROTO_TCP)}, ALLOW, "TCP"},
        {{INT_EQ(0, AF_INET6), SOCK_TYPE_EQ(SOCK_DGRAM), INT_EQ(2, 0)}, ALLOW, "UDP over IPv6"},
        {{INT_EQ(0, AF_INET6), SOCK_TYPE_EQ(SOCK_DGRAM), INT_EQ(2, IPPROTO_UDP)}, ALLOW, "UDP"},
        /* any type: netlink treats SOCK_RAW and SOCK_DGRAM alike */
        {{INT_EQ(0, AF_NETLINK), INT_EQ(2, NETLINK_ROUTE)}, ALLOW,
         "getaddrinfo and getifaddrs read addresses (changing them needs CAP_NET_ADMIN)"},
};

const SeccompArgFilter seccomp_filter_socket = {
        .syscall = "socket",
        .arg_names = {"domain", "type", "protocol"},
        .rows = socket_rows,
        .n_rows = ELEMENTSOF(socket_rows),
        .otherwise =
                {
                        {EAFNOSUPPORT, "AF_PACKET, AF_VSOCK, AF_ALG, AF_KEY, AF_BLUETOOTH, AF_RDS, "
                                       "AF_TIPC...: kernel surface and module autoloading"},
                        {EPERM, "SOCK_RAW (needs CAP_NET_RAW), SOCK_SEQPACKET (SCTP), SOCK_DCCP, "
                                "SOCK_PACKET"},
                        {EPROTONOSUPPORT, "SCTP, L2TP, ICMP..., netlink other than "
                                          "NETLINK_ROUTE (nf_tables): modules the kernel would "
                                          "autoload"},
                },
        .reason = "Unix, TCP, UDP and route netlink sockets only",
};

static const SeccompArgRow socketpair_rows[] = {
        {{INT_EQ(0, AF_UNIX)}, ALLOW, "pipes between processes"},
};

const SeccompArgFilter seccomp_filter_socketpair = {
        .syscall = "socketpair",
        .arg_names = {"domain"},
        .rows = socketpair_rows,
        .n_rows = ELEMENTSOF(socketpair_rows),
        .otherwise = {{EAFNOSUPPORT, "only AF_UNIX makes pairs; others would autoload (AF_TIPC)"}},
        .reason = "AF_UNIX pairs only",
};

static const SeccompArgRow ioctl_rows[] = {
        {{INT_EQ(1, TIOCSTI)}, EPERM, "pushes keystrokes into a terminal's input queue"},
        {{INT_EQ(1, TIOCLINUX)}, EPERM, "virtual-console tricks, input injection among them"},
        {{INT_EQ(1, TIOCSETD)}, EPERM, "a new line discipline autoloads its module (n_hdlc)"},
};

const SeccompArgFilter seccomp_filter_ioctl = {
        .syscall = "ioctl",
        .arg_names = {"fd", "request"},
        .rows = ioctl_rows,
        .n_rows = ELEMENTSOF(ioctl_rows),
        .otherwise = {{0, NULL},
                      {0, "every other request: the driver checks it; the sandbox holds only its "
                          "pty, pipes, sockets and a few host devices"}},
        .reason = "all requests but terminal input injection and line disciplines",
};

static const SeccompArgRow personality_rows[] = {
        {{INT_EQ(0, PER_LINUX)}, ALLOW, "the normal persona"},
        {{COND(0, 0xffffffffULL, 0xffffffffULL, "0xffffffff (query)")}, ALLOW, "reads the persona"},
        /* ASLR protects a program from its input; this program is hostile already, and the
         * flag reaches only its own later execs inside the sandbox, never the kernel's KASLR. */
        {{INT_EQ(0, ADDR_NO_RANDOMIZE)}, ALLOW, "setarch -R, gdb: no ASLR for its own execs"},
};

const SeccompArgFilter seccomp_filter_personality = {
        .syscall = "personality",
        .arg_names = {"persona"},
        .rows = personality_rows,
        .n_rows = ELEMENTSOF(personality_rows),
        .otherwise = {{EPERM, "READ_IMPLIES_EXEC, MMAP_PAGE_ZERO, PER_LINUX32, UNAME26...: legacy "
                              "behaviours, some of them exploit aids"}},
        .reason = "PER_LINUX, the query and ADDR_NO_RANDOMIZE only",
};

/* mode is a umode_t: only S_IFMT's bits are compared. A type of 0 means a regular file. */
#define MKNOD_ROWS(a)                                                                              \
        {{COND(a, S_IFMT, 0, "0 (regular)")}, ALLOW, "a regular file"},                            \
        {{COND(a, S_IFMT, S_IFREG, "S_IFREG")}, ALLOW, "a regular file"},                          \
        {{COND(a, S_IFMT, S_IFIFO, "S_IFIFO")}, ALLOW, "a named pipe (mkfifo)"},                   \
        {{COND(a, S_IFMT, S_IFSOCK, "S_IFSOCK")}, ALLOW, "a socket node"}
#define MKNOD_OTHERWISE "device nodes: /dev is airlock's (and the kernel wants CAP_MKNOD)"

static const SeccompArgRow mknod_rows[] = {MKNOD_ROWS(1)};
static const SeccompArgRow mknodat_rows[] = {MKNOD_ROWS(2)};

const SeccompArgFilter seccomp_filter_mknod = {
        .syscall = "mknod",
        .arg_names = {"path", "mode"},
        .rows = mknod_rows,
        .n_rows = ELEMENTSOF(mknod_rows),
        .otherwise = {{0, NULL}, {EPERM, MKNOD_OTHERWISE}},
        .reason = "files, pipes and sockets; no devices",
};

const SeccompArgFilter seccomp_filter_mknodat = {
        .syscall = "mknodat",
        .arg_names = {"dirfd", "path", "mode"},
        .rows = mknodat_rows,
        .n_rows = ELEMENTSOF(mknodat_rows),
        .otherwise = {{0, NULL}, {0, NULL}, {EPERM, MKNOD_OTHERWISE}},
        .reason = "files, pipes and sockets; no devices",
};

static const SeccompArgFilter *const default_filters[] = {
        &seccomp_filter_clone,      &seccomp_filter_socket, &seccomp_filter_socketpair,
        &seccomp_filter_ioctl,      &seccomp_filter_personality, &seccomp_filter_mknod,
        &seccomp_filter_mknodat,
};

const SeccompProfile seccomp_profile_default = {
        .name = "default",
        .allow = seccomp_default_allow,
        .n_allow = ELEMENTSOF(seccomp_default_allow),
        .deny = seccomp_default_deny,
        .n_deny = ELEMENTSOF(seccomp_default_deny),
        .filters = default_filters,
        .n_filters = ELEMENTSOF(default_filters),
        .summary = "interpreters, shells, compilers and what they build; loopback networking",
};
/* clang-format on */
