/* Host probing for `airlock check`. Every probe tries the real thing in the cheapest harmless way
 * (a call that fails on argument checks only after the kernel has shown it knows the syscall, or
 * a short-lived child for namespaces), because headers and kernel versions lie: a seccomp
 * profile in a container, a sysctl or an LSM can take away what the kernel version promises. */
#include "probe.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdarg.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "basic/error.h"
#include "basic/macros.h"
#include "basic/parse.h"

/* Debian 12's headers stop at Landlock ABI 2; the numbers of syscalls added since 5.x are the
 * same on every architecture airlock supports. */
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* Exactly the namespaces a sandbox gets, so the answer holds for a real run. */
#define PROBE_USERNS_FLAGS                                                                         \
        (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | \
         CLONE_NEWCGROUP)

static const char *const controller_names[_PROBE_CG_COUNT] = {
    "cpu", "cpuacct", "cpuset", "io", "memory", "hugetlb", "pids", "rdma", "misc", "freezer",
};

const char *probe_controller_to_string(unsigned bit)
{
        for (size_t i = 0; i < ELEMENTSOF(controller_names); i++)
                if (bit == 1u << i)
                        return controller_names[i];
        return NULL;
}

static unsigned controllers_from_list(const char *list, const char *separators)
{
        unsigned mask = 0;

        while (*list) {
                size_t len = strcspn(list, separators);

                for (size_t i = 0; i < ELEMENTSOF(controller_names); i++)
                        if (strlen(controller_names[i]) == len &&
                            strncmp(list, controller_names[i], len) == 0)
                                mask |= 1u << i;
                list += len;
                list += strspn(list, separators);
        }
        return mask;
}

unsigned probe_parse_controllers(const char *list)
{
        return controllers_from_list(list, " \t\n");
}

/* mountinfo escapes space, tab, newline and backslash in paths as \ooo. */
static char *mountinfo_unescape(const char *s)
{
        char *out = malloc(strlen(s) + 1), *o = out;

        if (!out)
                return NULL;
        for (; *s; s++) {
                if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
                    s[3] >= '0' && s[3] <= '7') {
                        *o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
                        s += 3;
                } else
                        *o++ = *s;
        }
        *o = '\0';
        return out;
}

/* "36 25 0:31 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory": the
 * mount point is field 5; after the optional fields and "-" come fstype, source, superblock
 * options. Modifies line. */
static int mountinfo_split(char *line, char **ret_mount_point, char **ret_fstype,
                           char **ret_super_options)
{
        char *save = NULL, *mount_point = NULL, *fstype = NULL, *super = NULL;
        int field = 0, after_dash = -1;

        for (char *tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
                if (field == 4)
                        mount_point = tok;
                else if (field > 5 && after_dash < 0 && strcmp(tok, "-") == 0)
                        after_dash = 0;
                else if (after_dash == 1)
                        fstype = tok;
                else if (after_dash == 3)
                        super = tok;
                if (after_dash >= 0)
                        after_dash++;
                field++;
        }
        if (!mount_point || !fstype || !super)
                return -EINVAL;
        *ret_mount_point = mount_point;
        *ret_fstype = fstype;
        *ret_super_options = super;
        return 0;
}

int probe_parse_mountinfo(FILE *f, unsigned *ret_v1, char **ret_v2_mount)
{
        _cleanup_free_ char *line = NULL, *v2 = NULL;
        size_t cap = 0;
        unsigned v1 = 0;

        errno = 0;
        while (getline(&line, &cap, f) > 0) {
                char *mount_point, *fstype, *super;

                if (mountinfo_split(line, &mount_point, &fstype, &super) < 0)
                        continue;
                if (strcmp(fstype, "cgroup") == 0)
                        v1 |= controllers_from_list(super, ",") & PROBE_CG_V1_REPORTED;
                else if (strcmp(fstype, "cgroup2") == 0 && !v2) {
                        v2 = mountinfo_unescape(mount_point);
                        if (!v2)
                                return -ENOMEM;
                }
        }
        if (ferror(f))
                return errno > 0 ? -errno : -EIO;
        *ret_v1 = v1;
        *ret_v2_mount = TAKE_PTR(v2);
        return 0;
}

static void note_add(char (*notes)[PROBE_DETAIL_MAX], size_t *n, const char *fmt, ...)
    _printf_(3, 4);
static void note_add(char (*notes)[PROBE_DETAIL_MAX], size_t *n, const char *fmt, ...)
{
        va_list ap;

        if (*n >= PROBE_NOTES_MAX)
                return;
        va_start(ap, fmt);
        vsnprintf(notes[*n], PROBE_DETAIL_MAX, fmt, ap);
        va_end(ap);
        (*n)++;
}

/* Details are short on purpose: a long path is cut, not an error. (A plain snprintf here would
 * trip -Wformat-truncation on PATH_MAX-sized arguments.) */
static void detail_set(char *detail, size_t size, const char *fmt, ...) _printf_(3, 4);
static void detail_set(char *detail, size_t size, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(detail, size, fmt, ap);
        va_end(ap);
}

/* Reads a small text file relative to dirfd into buf, NUL-terminated, trailing newline cut. */
static int read_small_file_at(int dirfd, const char *path, char *buf, size_t size)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        ssize_t n;

        if (fd < 0)
                return negative_errno();
        do
                n = read(fd, buf, size - 1);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return negative_errno();
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        return 0;
}

/* A sysctl holding one non-negative number; -ENOENT when this kernel has no such knob. */
static int read_sysctl(const char *path, long *ret)
{
        char buf[32];
        uint64_t v;
        int r;

        r = read_small_file_at(AT_FDCWD, path, buf, sizeof(buf));
        if (r < 0)
                return r;
        r = parse_uint64(buf, &v);
        if (r < 0)
                return r;
        if (v > LONG_MAX)
                return -ERANGE;
        *ret = (long)v;
        return 0;
}

/* A sysctl's value, or -1 when it is absent or unreadable: the knobs below exist only on some
 * distributions' kernels. Values fit an int (they are 0/1 or a namespace count). */
static long sysctl_or_absent(const char *path)
{
        long v;

        return read_sysctl(path, &v) < 0 || v > INT_MAX ? -1 : v;
}

/* Forks a child that unshares the namespaces and reports its errno: the only way to know, since
 * sysctls, LSMs (AppArmor) and container seccomp profiles can each refuse. Returns 0 or -errno;
 * *ret_step names the call that failed. */
static int userns_try_unshare(const char **ret_step)
{
        int fds[2], result = 0;
        ssize_t n;
        pid_t pid;

        *ret_step = "pipe";
        if (pipe2(fds, O_CLOEXEC) < 0)
                return negative_errno();
        *ret_step = "fork";
        pid = fork();
        if (pid < 0) {
                int r = negative_errno();

                safe_close(fds[0]);
                safe_close(fds[1]);
                return r;
        }
        if (pid == 0) {
                /* Child: touch nothing shared, report, leave without atexit handlers. */
                if (unshare(PROBE_USERNS_FLAGS) < 0)
                        result = errno;
                if (write(fds[1], &result, sizeof(result)) != sizeof(result))
                        _exit(1);
                _exit(0);
        }
        safe_close(fds[1]);
        do
                n = read(fds[0], &result, sizeof(result));
        while (n < 0 && errno == EINTR);
        safe_close(fds[0]);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        if (n != sizeof(result)) {
                *ret_step = "probe child died"; /* before it could answer: killed by a filter? */
                return -EIO;
        }
        *ret_step = "unshare";
        return -result;
}

static void probe_userns(HostFeatures *f)
{
        char hint[96] = "";
        const char *step;
        int r;

        f->max_user_namespaces = sysctl_or_absent("/proc/sys/user/max_user_namespaces");
        f->unprivileged_userns_clone =
            (int)sysctl_or_absent("/proc/sys/kernel/unprivileged_userns_clone");
        f->apparmor_restrict_userns =
            (int)sysctl_or_absent("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");

        /* The knobs that explain a refusal, most likely culprit first. */
        if (f->max_user_namespaces == 0)
                snprintf(hint, sizeof(hint), " (user.max_user_namespaces=0)");
        else if (f->unprivileged_userns_clone == 0 && f->euid != 0)
                snprintf(hint, sizeof(hint), " (kernel.unprivileged_userns_clone=0)");
        else if (f->apparmor_restrict_userns == 1 && f->euid != 0)
                snprintf(hint, sizeof(hint), " (kernel.apparmor_restrict_unprivileged_userns=1)");

        r = userns_try_unshare(&step);
        f->userns = r >= 0;
        if (r < 0)
                snprintf(f->userns_detail, sizeof(f->userns_detail), "%s: %s%s", step, strerror(-r),
                         hint);
        else if (f->max_user_namespaces >= 0)
                snprintf(f->userns_detail, sizeof(f->userns_detail), "max_user_namespaces=%ld",
                         f->max_user_namespaces);
}

/* The hierarchy the cgroup module would pick when opening it fails: its documented rule. */
static CgroupVersion cgroup_version_guess(const HostFeatures *f)
{
        if ((f->cgroup_v2_controllers & PROBE_CG_REQUIRED) == PROBE_CG_REQUIRED)
                return CGROUP_VERSION_V2;
        if ((f->cgroup_v1_controllers & PROBE_CG_REQUIRED) == PROBE_CG_REQUIRED)
                return CGROUP_VERSION_V1;
        return CGROUP_VERSION_NONE;
}

/* Can this user create groups below host->parent? v1 needs it in each required controller's
 * tree, v2 once, with the required controllers available there. Root may create a missing
 * parent itself, so for root its would-be container must be writable instead. */
static int cgroup_check_writable(const CgroupHost *host, uid_t euid, char *detail, size_t size)
{
        static const char *const v1_dirs[] = {"memory", "pids", "cpu"};
        static const char *const v2_dirs[] = {"."};
        bool v1 = host->version == CGROUP_VERSION_V1;
        const char *const *dirs = v1 ? v1_dirs : v2_dirs;
        size_t n_dirs = v1 ? ELEMENTSOF(v1_dirs) : ELEMENTSOF(v2_dirs);
        const char *parent = host->parent ? host->parent : ".";
        char path[PATH_MAX], file[PATH_MAX + 32], buf[256];
        unsigned missing;

        for (size_t i = 0; i < n_dirs; i++) {
                snprintf(path, sizeof(path), "%s/%s", dirs[i], parent);
                if (euid == 0 && faccessat(host->root_fd, path, F_OK, 0) < 0 && errno == ENOENT)
                        snprintf(path, sizeof(path), "%s", dirs[i]);
                if (faccessat(host->root_fd, path, W_OK, AT_EACCESS) < 0) {
                        int r = negative_errno();

                        detail_set(detail, size, "%s: %s", path, strerror(-r));
                        return r;
                }
        }
        if (v1)
                return 0;

        /* v2: path is the parent (or, for root, the root when the parent is still missing). */
        snprintf(file, sizeof(file), "%s/cgroup.controllers", path);
        if (read_small_file_at(host->root_fd, file, buf, sizeof(buf)) < 0)
                buf[0] = '\0';
        missing = PROBE_CG_REQUIRED & ~probe_parse_controllers(buf);
        if (missing) {
                detail_set(detail, size, "%s lacks%s%s%s", file,
                           missing & PROBE_CG_MEMORY ? " memory" : "",
                           missing & PROBE_CG_PIDS ? " pids" : "",
                           missing & PROBE_CG_CPU ? " cpu" : "");
                return -EOPNOTSUPP;
        }
        return 0;
}

static int probe_cgroup(HostFeatures *f)
{
        _cleanup_fclose_ FILE *mountinfo = fopen("/proc/self/mountinfo", "re");
        _cleanup_free_ char *v2_mount = NULL;
        CgroupHost host = {.root_fd = -EBADF};
        AirlockError err = {};
        char buf[256];
        int r;

        if (mountinfo) {
                r = probe_parse_mountinfo(mountinfo, &f->cgroup_v1_controllers, &v2_mount);
                if (r == -ENOMEM)
                        return r;
        }
        if (v2_mount) {
                _cleanup_close_ int fd =
                    open(v2_mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

                f->cgroup_v2_mounted = true;
                if (fd >= 0 && read_small_file_at(fd, "cgroup.controllers", buf, sizeof(buf)) >= 0)
                        f->cgroup_v2_controllers = probe_parse_controllers(buf);
        }

        r = cgroup_host_open(NULL, CGROUP_VERSION_NONE, f->euid, &host, &err);
        if (r < 0) {
                f->cgroup_version = cgroup_version_guess(f);
                airlock_error_format(&err, f->cgroup_detail, sizeof(f->cgroup_detail));
                return 0;
        }
        f->cgroup_version = host.version;
        r = cgroup_check_writable(&host, f->euid, f->cgroup_detail, sizeof(f->cgroup_detail));
        f->cgroup_usable = r >= 0;
        if (r >= 0)
                snprintf(f->cgroup_detail, sizeof(f->cgroup_detail), "groups under %s",
                         host.parent ? host.parent : "the root");
        cgroup_host_close(&host);
        return 0;
}

static void probe_seccomp(HostFeatures *f)
{
        const struct scmp_version *v = seccomp_version();
        struct seccomp_notif_sizes sizes;
        uint32_t action;

        if (v)
                snprintf(f->libseccomp, sizeof(f->libseccomp), "%u.%u.%u", v->major, v->minor,
                         v->micro);

        /* EINVAL: a kernel without CONFIG_SECCOMP. (In strict mode we would not be here.) */
        if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0) {
                snprintf(f->seccomp_detail, sizeof(f->seccomp_detail), "prctl(PR_GET_SECCOMP): %s",
                         strerror(errno));
                return;
        }
        /* Filter mode with the action that ends a process which steps outside the policy. */
        action = SECCOMP_RET_KILL_PROCESS;
        if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) < 0) {
                snprintf(f->seccomp_detail, sizeof(f->seccomp_detail),
                         "seccomp(GET_ACTION_AVAIL, KILL_PROCESS): %s", strerror(errno));
                return;
        }
        f->seccomp = true;

        action = SECCOMP_RET_LOG;
        f->seccomp_log = syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
        f->seccomp_user_notif = syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0;
        snprintf(f->seccomp_detail, sizeof(f->seccomp_detail), "user notification: %s, log: %s",
                 f->seccomp_user_notif ? "yes" : "no", f->seccomp_log ? "yes" : "no");
}

static void probe_landlock(HostFeatures *f)
{
        long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

        if (abi >= 1) {
                f->landlock_abi = abi > INT_MAX ? INT_MAX : (int)abi;
                snprintf(f->landlock_detail, sizeof(f->landlock_detail), "ABI %d", f->landlock_abi);
                return;
        }
        f->landlock_abi = 0;
        if (errno == ENOSYS)
                snprintf(f->landlock_detail, sizeof(f->landlock_detail),
                         "ENOSYS: not in this kernel, or blocked by seccomp");
        else if (errno == EOPNOTSUPP)
                snprintf(f->landlock_detail, sizeof(f->landlock_detail),
                         "EOPNOTSUPP: disabled at boot, add landlock to lsm=");
        else
                snprintf(f->landlock_detail, sizeof(f->landlock_detail), "%s", strerror(errno));
}

/* Each call below either succeeds harmlessly or fails on its arguments, which proves the
 * kernel (and any seccomp profile around us) lets it through; ENOSYS/EPERM mean it does not. */
static void probe_syscalls(HostFeatures *f)
{
        struct open_how how = {
            .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
            .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS,
        };
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        long fd;

        /* RESOLVE_BENEATH refuses absolute paths, so resolve "/" as "." beneath an fd of "/". */
        if (root >= 0) {
                fd = syscall(SYS_openat2, root, ".", &how, sizeof(how));
                f->openat2 = fd >= 0;
                safe_close((int)fd);
        }

        fd = syscall(SYS_pidfd_open, getpid(), 0);
        f->pidfd = fd >= 0;
        safe_close((int)fd);

        /* A size below CLONE_ARGS_SIZE_VER0 is EINVAL before anything is cloned. */
        if (syscall(SYS_clone3, NULL, 0) == 0)
                _exit(0); /* cannot happen; never let a stray child run on */
        f->clone3 = errno == EINVAL;

        /* Closes fd 4294967295, which nobody has: 0 when the syscall exists. */
        f->close_range = syscall(SYS_close_range, ~0U, ~0U, 0) == 0;
}

void probe_host_decide(HostFeatures *f)
{
        f->n_reasons = f->n_warnings = 0;

        if (!f->userns)
                note_add(f->reasons, &f->n_reasons, "user namespaces unavailable: %s",
                         f->userns_detail);
        if (!f->cgroup_usable)
                note_add(f->reasons, &f->n_reasons, "no usable cgroup (%s): %s%s",
                         cgroup_version_to_string(f->cgroup_version), f->cgroup_detail,
                         f->rootless && f->cgroup_version != CGROUP_VERSION_NONE &&
                                 !strstr(f->cgroup_detail, "airlock delegate")
                             ? " (root can set one up with 'airlock delegate')"
                             : "");
        if (!f->seccomp)
                note_add(f->reasons, &f->n_reasons, "seccomp unavailable: %s", f->seccomp_detail);
        if (!f->openat2)
                note_add(f->reasons, &f->n_reasons,
                         "openat2 unavailable (needs Linux 5.6, not blocked by seccomp)");
        f->can_run = f->n_reasons == 0;

        if (f->landlock_abi == 0)
                note_add(f->warnings, &f->n_warnings,
                         "Landlock unavailable (%s); only mounts confine file access",
                         f->landlock_detail);
        if (!f->pidfd)
                note_add(f->warnings, &f->n_warnings,
                         "pidfd_open unavailable (needs Linux 5.3, not blocked by seccomp)");
        if (!f->clone3)
                note_add(f->warnings, &f->n_warnings,
                         "clone3 unavailable (needs Linux 5.3, not blocked by seccomp)");
        if (!f->close_range)
                note_add(f->warnings, &f->n_warnings,
                         "close_range unavailable (needs Linux 5.9, not blocked by seccomp)");
}

int probe_host(HostFeatures *ret)
{
        HostFeatures f = {};
        struct utsname u;
        int r;

        if (uname(&u) == 0)
                snprintf(f.kernel, sizeof(f.kernel), "%s", u.release);
        f.euid = geteuid();
        f.rootless = f.euid != 0;

        probe_userns(&f);
        r = probe_cgroup(&f);
        if (r < 0)
                return r;
        probe_seccomp(&f);
        probe_landlock(&f);
        probe_syscalls(&f);
        probe_host_decide(&f);

        *ret = f;
        return 0;
}
