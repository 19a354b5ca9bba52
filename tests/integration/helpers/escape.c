/* Escape attempts run inside the sandbox by test_hardening.py. Each attempt makes one real
 * system call the way an attacker would and prints "NAME ok" or "NAME errno=ENAME". The tests
 * check the errno, and the host side wherever there is one. Built by the test suite with the
 * host's gcc; not part of airlock. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

static long sys_ptrace_sibling(void)
{
        pid_t child = fork();
        long r;

        if (child == 0) {
                pause();
                _exit(0);
        }
        r = ptrace(PTRACE_ATTACH, child, 0, 0);
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        return r;
}

static long sys_ptrace_init(void)
{
        return ptrace(PTRACE_ATTACH, 1, 0, 0);
}

static long sys_process_vm_readv(void)
{
        char buf[8];
        struct iovec local = {buf, sizeof(buf)}, remote = {(void *)0x400000, sizeof(buf)};

        return process_vm_readv(1, &local, 1, &remote, 1, 0);
}

static long sys_unshare_user(void)
{
        return unshare(CLONE_NEWUSER);
}

static long sys_unshare_mount(void)
{
        return unshare(CLONE_NEWNS);
}

static long sys_clone_newuser(void)
{
        long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);

        if (pid == 0)
                _exit(0);
        if (pid > 0)
                waitpid((pid_t)pid, NULL, 0);
        return pid < 0 ? -1 : 0;
}

static long sys_clone3(void)
{
        struct {
                unsigned long long flags, pidfd, child_tid, parent_tid, exit_signal, stack,
                    stack_size, tls;
        } args = {.exit_signal = SIGCHLD};
        long pid = syscall(SYS_clone3, &args, sizeof(args));

        if (pid == 0)
                _exit(0);
        if (pid > 0)
                waitpid((pid_t)pid, NULL, 0);
        return pid < 0 ? -1 : 0;
}

static long sys_setns(void)
{
        int fd = open("/proc/self/ns/net", O_RDONLY);

        return fd < 0 ? -1 : setns(fd, 0);
}

static long sys_mount_tmpfs(void)
{
        return mount("tmpfs", "/tmp", "tmpfs", 0, NULL);
}

static long sys_umount(void)
{
        return umount2("/proc", MNT_DETACH);
}

static long sys_pivot_root(void)
{
        return syscall(SYS_pivot_root, "/tmp", "/tmp");
}

static long sys_open_tree(void)
{
        return syscall(428 /* open_tree */, AT_FDCWD, "/usr", 1 /* OPEN_TREE_CLONE */);
}

static long sys_fsopen(void)
{
        return syscall(430 /* fsopen */, "tmpfs", 0);
}

static long sys_keyctl(void)
{
        return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 1);
}

static long sys_add_key(void)
{
        return syscall(SYS_add_key, "user", "airlock", "x", 1, -3);
}

static long sys_bpf(void)
{
        union bpf_attr attr;

        memset(&attr, 0, sizeof(attr));
        attr.map_type = BPF_MAP_TYPE_ARRAY;
        attr.key_size = 4;
        attr.value_size = 4;
        attr.max_entries = 1;
        return syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
}

static long sys_perf_event_open(void)
{
        struct perf_event_attr attr = {.type = PERF_TYPE_SOFTWARE,
                                       .size = sizeof(attr),
                                       .config = PERF_COUNT_SW_CPU_CLOCK,
                                       .exclude_kernel = 1};

        return syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
}

static long sys_userfaultfd(void)
{
        return syscall(SYS_userfaultfd, O_CLOEXEC);
}

static long sys_io_uring_setup(void)
{
        char params[120] = {0};

        return syscall(425 /* io_uring_setup */, 4, params);
}

static long sys_kexec_load(void)
{
        return syscall(SYS_kexec_load, 0, 0, NULL, 0);
}

static long sys_init_module(void)
{
        return syscall(SYS_init_module, "", 0, "");
}

static long sys_finit_module(void)
{
        return syscall(SYS_finit_module, 0, "", 0);
}

static long sys_delete_module(void)
{
        return syscall(SYS_delete_module, "airlock_none", 0);
}

static long sys_reboot(void)
{
        return syscall(SYS_reboot, 0xfee1dead, 672274793, 0x4321fedc /* POWER_OFF */, NULL);
}

static long sys_swapon(void)
{
        return syscall(SYS_swapon, "/work/swap", 0);
}

static long sys_acct(void)
{
        return syscall(SYS_acct, "/work/acct");
}

static long sys_settimeofday(void)
{
        struct timeval tv = {0, 0};

        return syscall(SYS_settimeofday, &tv, NULL);
}

static long sys_clock_settime(void)
{
        struct timespec ts = {0, 0};

        return syscall(SYS_clock_settime, CLOCK_REALTIME, &ts);
}

static long sys_syslog(void)
{
        char buf[64];

        return syscall(SYS_syslog, 3 /* READ_ALL */, buf, sizeof(buf));
}

static long sys_iopl(void)
{
        return syscall(SYS_iopl, 3);
}

static long sys_ioperm(void)
{
        return syscall(SYS_ioperm, 0x80, 1, 1);
}

static long sys_open_by_handle_at(void)
{
        /* The classic "shocker" escape: a handle for inode 2 (a root directory) of the
         * filesystem of a fd we hold, here /usr's. */
        struct {
                unsigned int handle_bytes;
                int handle_type;
                unsigned char f_handle[8];
        } h = {8, 1, {2, 0, 0, 0, 0, 0, 0, 0}};
        int mount_fd = open("/usr", O_RDONLY);

        return syscall(SYS_open_by_handle_at, mount_fd, &h, O_RDONLY);
}

static long sys_name_to_handle_at(void)
{
        struct {
                unsigned int handle_bytes;
                int handle_type;
                unsigned char f_handle[128];
        } h = {128, 0, {0}};
        int mount_id;

        return syscall(SYS_name_to_handle_at, AT_FDCWD, "/usr", &h, &mount_id, 0);
}

static long sys_personality(void)
{
        return personality(READ_IMPLIES_EXEC) == -1 ? -1 : 0;
}

static long sys_mknod_disk(void)
{
        return mknod("/work/sda", S_IFBLK | 0600, makedev(8, 0));
}

static long sys_mknod_fifo(void)
{
        return mknod("/work/fifo", S_IFIFO | 0600, 0);
}

static long sys_socket_packet(void)
{
        return socket(AF_PACKET, SOCK_RAW, 0);
}

static long sys_socket_raw(void)
{
        return socket(AF_INET, SOCK_RAW, 1 /* ICMP */);
}

static long sys_socket_vsock(void)
{
        return socket(AF_VSOCK, SOCK_STREAM, 0);
}

static long sys_socket_netlink_audit(void)
{
        return socket(AF_NETLINK, SOCK_RAW, 9 /* NETLINK_AUDIT */);
}

static long sys_socket_inet(void)
{
        return socket(AF_INET, SOCK_STREAM, 0);
}

static long sys_chroot(void)
{
        return chroot("/tmp");
}

static long sys_tiocsti(void)
{
        /* A terminal of our own (the sandbox has none): push a byte into its input queue. */
        char c = 'x';
        int master = posix_openpt(O_RDWR | O_NOCTTY), slave;

        if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
                return -1;
        slave = open(ptsname(master), O_RDWR | O_NOCTTY);
        if (slave < 0)
                return -1;
        return ioctl(slave, TIOCSTI, &c);
}

static long sys_core_pattern(void)
{
        int fd = open("/proc/sys/kernel/core_pattern", O_WRONLY);

        return fd < 0 ? -1 : write(fd, "|/work/pwn", 10);
}

static long sys_sysrq(void)
{
        int fd = open("/proc/sysrq-trigger", O_WRONLY);

        return fd < 0 ? -1 : write(fd, "h", 1);
}

static long sys_int80_getpid(void)
{
        /* The i386 entry point: a filter that only knows x86_64 numbers would read this as
         * another call entirely. The policy must kill the process. */
        long r;

        __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L /* i386 getpid */) : "memory");
        return r;
}

static long sys_x32_getpid(void)
{
        /* The x32 ABI: x86_64's entry with bit 30 set in the number. */
        return syscall(0x40000000L | 39 /* getpid */);
}

static const struct {
        const char *name;
        long (*fn)(void);
} attempts[] = {
    {"int80_getpid", sys_int80_getpid},
    {"x32_getpid", sys_x32_getpid},
    {"ptrace_sibling", sys_ptrace_sibling},
    {"ptrace_init", sys_ptrace_init},
    {"process_vm_readv", sys_process_vm_readv},
    {"unshare_user", sys_unshare_user},
    {"unshare_mount", sys_unshare_mount},
    {"clone_newuser", sys_clone_newuser},
    {"clone3", sys_clone3},
    {"setns", sys_setns},
    {"mount", sys_mount_tmpfs},
    {"umount", sys_umount},
    {"pivot_root", sys_pivot_root},
    {"open_tree", sys_open_tree},
    {"fsopen", sys_fsopen},
    {"keyctl", sys_keyctl},
    {"add_key", sys_add_key},
    {"bpf", sys_bpf},
    {"perf_event_open", sys_perf_event_open},
    {"userfaultfd", sys_userfaultfd},
    {"io_uring_setup", sys_io_uring_setup},
    {"kexec_load", sys_kexec_load},
    {"init_module", sys_init_module},
    {"finit_module", sys_finit_module},
    {"delete_module", sys_delete_module},
    {"reboot", sys_reboot},
    {"swapon", sys_swapon},
    {"acct", sys_acct},
    {"settimeofday", sys_settimeofday},
    {"clock_settime", sys_clock_settime},
    {"syslog", sys_syslog},
    {"iopl", sys_iopl},
    {"ioperm", sys_ioperm},
    {"open_by_handle_at", sys_open_by_handle_at},
    {"name_to_handle_at", sys_name_to_handle_at},
    {"personality", sys_personality},
    {"mknod_disk", sys_mknod_disk},
    {"mknod_fifo", sys_mknod_fifo},
    {"socket_packet", sys_socket_packet},
    {"socket_raw", sys_socket_raw},
    {"socket_vsock", sys_socket_vsock},
    {"socket_netlink_audit", sys_socket_netlink_audit},
    {"socket_inet", sys_socket_inet},
    {"chroot", sys_chroot},
    {"tiocsti", sys_tiocsti},
    {"core_pattern", sys_core_pattern},
    {"sysrq", sys_sysrq},
};

int main(int argc, char **argv)
{
        for (size_t i = 0; i < sizeof(attempts) / sizeof(attempts[0]); i++) {
                long r;

                (void)r;
                if (argc > 1) {
                        int wanted = 0;

                        for (int a = 1; a < argc; a++)
                                wanted |= strcmp(argv[a], attempts[i].name) == 0;
                        if (!wanted)
                                continue;
                }
                /* Each attempt in a fresh process: one that succeeds (a new user namespace, say)
                 * must not change what the next one can do. */
                pid_t pid = fork();

                if (pid == 0) {
                        errno = 0;
                        r = attempts[i].fn();
                        if (r < 0)
                                printf("%s errno=%s\n", attempts[i].name, strerrorname_np(errno));
                        else
                                printf("%s ok\n", attempts[i].name);
                        fflush(stdout);
                        _exit(0);
                }
                if (pid > 0) {
                        int status;

                        if (waitpid(pid, &status, 0) == pid && WIFSIGNALED(status)) {
                                printf("%s killed=%s\n", attempts[i].name,
                                       sigabbrev_np(WTERMSIG(status)));
                                fflush(stdout);
                        }
                }
        }
        return 0;
}
