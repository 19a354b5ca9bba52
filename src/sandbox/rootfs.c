#include "rootfs.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "basic/macros.h"
#include "canaries.h"
#include "config/limits.h"
#include "devfs.h"
#include "etcfs.h"
#include "mount-util.h"
#include "sync.h"

/* The system tree, shown read-only. On merged-/usr systems the top-level ones are symlinks
 * and are recreated as such. */
static const struct {
        const char *name;
        bool required;
} system_dirs[] = {
    {"usr", true},    {"bin", false},   {"sbin", false},   {"lib", false},
    {"lib32", false}, {"lib64", false}, {"libx32", false},
};

/* Parts of /proc that would let the sandbox tune or poke the shared kernel. They are read-only
 * in the sandbox; the defense-in-depth issue (#3) hardens /proc further. */
static const char *const proc_read_only[] = {"proc/sys", "proc/sysrq-trigger", "proc/irq",
                                             "proc/bus", "proc/fs"};

#define FAIL(step, r) airlock_error_set(err, AIRLOCK_ERR_SETUP, -(r), step, NULL)

int rootfs_open_sources(SandboxContext *ctx, AirlockError *err)
{
        const AirlockConfig *c = ctx->config;

        if (c->rootfs) {
                ctx->rootfs_fd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (ctx->rootfs_fd < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "open --rootfs",
                                                 "%s", c->rootfs);
        }
        if (c->n_binds == 0)
                return 0;
        ctx->bind_fds = calloc(c->n_binds, sizeof(int));
        if (!ctx->bind_fds)
                return FAIL("open bind sources", -ENOMEM);
        for (size_t i = 0; i < c->n_binds; i++) {
                ctx->bind_fds[i] = open(c->binds[i].src, O_PATH | O_CLOEXEC);
                if (ctx->bind_fds[i] < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "open bind source",
                                                 "%s", c->binds[i].src);
        }
        return 0;
}

int rootfs_make_private(SandboxContext *ctx, AirlockError *err)
{
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return FAIL("make / private", negative_errno());
        return 0;
}

static int mirror_system_dir(const char *sysroot, const char *name, bool required,
                             MountBindFlags bind_flags, AirlockError *err)
{
        char src[PATH_MAX], target[PATH_MAX], step[96];
        struct stat st;
        ssize_t n;
        int r;

        snprintf(src, sizeof(src), "%s/%s", strcmp(sysroot, "/") ? sysroot : "", name);
        snprintf(step, sizeof(step), "mount /%s read-only", name);
        if (lstat(src, &st) < 0) {
                if (required || errno != ENOENT)
                        return FAIL(step, negative_errno());
                return 0;
        }
        if (S_ISLNK(st.st_mode)) {
                n = readlink(src, target, sizeof(target) - 1);
                if (n < 0)
                        return FAIL(step, negative_errno());
                target[n] = '\0';
                if (symlink(target, name) < 0)
                        return FAIL(step, negative_errno());
                return 0;
        }
        if (!S_ISDIR(st.st_mode))
                return 0;
        if (mkdir(name, 0755) < 0)
                return FAIL(step, negative_errno());
        r = mount_bind(src, name, MOUNT_BIND_RECURSIVE | bind_flags);
        return r < 0 ? FAIL(step, r) : 0;
}

static int mount_proc(AirlockError *err)
{
        int r;

        /* We are pid 1 of the new pid namespace, so this /proc shows the sandbox alone.
         * subset=pid (Linux 5.8) leaves out every kernel-wide file: kcore, kallsyms, sys,
         * sysrq-trigger, meminfo and the like simply do not exist. Older kernels get a plain
         * /proc with the dangerous parts read-only below. */
        if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  "subset=pid,hidepid=invisible") < 0 &&
            mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return FAIL("mount /proc", negative_errno());
        for (size_t i = 0; i < ELEMENTSOF(proc_read_only); i++) {
                char step[64];

                if (access(proc_read_only[i], F_OK) < 0)
                        continue;
                snprintf(step, sizeof(step), "mount /%s read-only", proc_read_only[i]);
                r = mount_bind(proc_read_only[i], proc_read_only[i], MOUNT_BIND_RECURSIVE);
                if (r < 0)
                        return FAIL(step, r);
        }
        return 0;
}

static int mount_scratch(SandboxContext *ctx, AirlockError *err)
{
        const AirlockLimits *l = &ctx->config->limits;
        _cleanup_close_ int scratch_fd = -EBADF;
        SyncMessage msg = {.point = SYNC_SCRATCH_READY};
        char opts[64];
        int r;

        snprintf(opts, sizeof(opts), "mode=0755,uid=%u,gid=%u", AIRLOCK_SANDBOX_UID,
                 AIRLOCK_SANDBOX_GID);
        r = mount_tmpfs("tmp", l->tmp_bytes, "mode=1777");
        if (r < 0)
                return FAIL("mount /tmp", r);
        /* HOME lives on /tmp: caches written there never land among the outputs. */
        if (mkdir("tmp/home", 0700) < 0)
                return FAIL("create " AIRLOCK_HOME_DIR, negative_errno());
        r = mount_tmpfs(AIRLOCK_SCRATCH_NAME, l->scratch_bytes, opts);
        if (r < 0)
                return FAIL("mount " AIRLOCK_SCRATCH_DIR, r);
        scratch_fd = open(AIRLOCK_SCRATCH_NAME, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (scratch_fd < 0)
                return FAIL("open " AIRLOCK_SCRATCH_DIR, negative_errno());
        /* sync #2: the parent copies inputs in now and collects outputs after the run through
         * this fd; it keeps the tmpfs alive after the namespace is gone, and dies with it. */
        r = sync_send(ctx->sync_fd, &msg, scratch_fd);
        return r < 0 ? FAIL("send scratch to parent", r) : 0;
}

static bool in_scratch(const char *dst)
{
        static const char *const writable[] = {"/tmp", AIRLOCK_SCRATCH_DIR};

        for (size_t i = 0; i < ELEMENTSOF(writable); i++) {
                size_t n = strlen(writable[i]);

                if (strncmp(dst, writable[i], n) == 0 && (dst[n] == '/' || dst[n] == '\0'))
                        return true;
        }
        return false;
}

/* Mount points for the caller's binds: those in the read-only skeleton are made before it
 * becomes read-only, those in /tmp or /work after those are mounted. */
static int make_bind_targets(SandboxContext *ctx, bool scratch_phase, AirlockError *err)
{
        const AirlockConfig *c = ctx->config;

        for (size_t i = 0; i < c->n_binds; i++) {
                char src[64], step[PATH_MAX + 32];
                int r;

                if (in_scratch(c->binds[i].dst) != scratch_phase)
                        continue;
                snprintf(src, sizeof(src), "/proc/self/fd/%d", ctx->bind_fds[i]);
                snprintf(step, sizeof(step), "bind %s", c->binds[i].dst);
                r = mount_make_target(src, c->binds[i].dst + 1);
                if (r < 0)
                        return FAIL(step, r);
        }
        return 0;
}

static int mount_user_binds(SandboxContext *ctx, AirlockError *err)
{
        const AirlockConfig *c = ctx->config;

        for (size_t i = 0; i < c->n_binds; i++) {
                const AirlockBind *b = &c->binds[i];
                char step[PATH_MAX + 32], src[64];
                int r;

                snprintf(step, sizeof(step), "bind %s", b->dst);
                snprintf(src, sizeof(src), "/proc/self/fd/%d", ctx->bind_fds[i]);
                r = mount_bind(src, b->dst + 1,
                               MOUNT_BIND_RECURSIVE | (b->writable ? MOUNT_BIND_WRITABLE : 0));
                if (r < 0)
                        return FAIL(step, r);
        }
        return 0;
}

/* The skeleton: everything that lives in the root tmpfs itself, and the read-only binds. */
static int build_skeleton(SandboxContext *ctx, const char *sysroot, MountBindFlags ro_later,
                          AirlockError *err)
{
        int r;

        for (size_t i = 0; i < ELEMENTSOF(system_dirs); i++) {
                r = mirror_system_dir(sysroot, system_dirs[i].name, system_dirs[i].required,
                                      ro_later, err);
                if (r < 0)
                        return r;
        }
        r = etcfs_build(sysroot, ro_later, ctx->config->n_allow_net > 0);
        if (r < 0)
                return FAIL("build /etc", r);
        r = devfs_prepare();
        if (r < 0)
                return FAIL("build /dev", r);
        if (mkdir("proc", 0555) < 0 || mkdir("tmp", 01777) < 0 ||
            mkdir(AIRLOCK_SCRATCH_NAME, 0755) < 0)
                return FAIL("create mount points", negative_errno());
        r = canaries_place(ctx, false, err);
        if (r < 0)
                return r;
        return make_bind_targets(ctx, false, err);
}

int rootfs_build(SandboxContext *ctx, AirlockError *err)
{
        char sysroot_buf[64];
        const char *sysroot = "/";
        /* One recursive mount_setattr instead of a remount per bind, where the kernel has it. */
        MountBindFlags ro_later = mount_setattr_available() ? MOUNT_BIND_RO_LATER : 0;
        int r;

        if (ctx->rootfs_fd >= 0) {
                snprintf(sysroot_buf, sizeof(sysroot_buf), "/proc/self/fd/%d", ctx->rootfs_fd);
                sysroot = sysroot_buf;
        }
        /* The skeleton is tiny: directories, a few /etc files, mount points. */
        if (mount("tmpfs", ctx->staging, "tmpfs", MS_NOSUID | MS_NODEV, "size=8m,mode=0755") < 0)
                return FAIL("mount root tmpfs", negative_errno());
        if (chdir(ctx->staging) < 0)
                return FAIL("enter new root", negative_errno());
        r = build_skeleton(ctx, sysroot, ro_later, err);
        if (r < 0)
                return r;
        /* From here on nothing but /tmp, /dev/shm, /work (and writable binds) is writable. */
        if (ro_later)
                r = mount_tree_read_only(".");
        else if (mount(NULL, ".", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
                       NULL) < 0)
                r = negative_errno();
        if (r < 0)
                return FAIL("remount / read-only", r);
        r = devfs_mount(ctx->config->limits.tmp_bytes);
        if (r < 0)
                return FAIL("mount /dev", r);
        r = mount_proc(err);
        if (r < 0)
                return r;
        r = mount_scratch(ctx, err);
        if (r < 0)
                return r;
        r = canaries_place(ctx, true, err);
        if (r < 0)
                return r;
        r = make_bind_targets(ctx, true, err);
        if (r < 0)
                return r;
        return mount_user_binds(ctx, err);
}

int rootfs_pivot(SandboxContext *ctx, AirlockError *err)
{
        /* pivot_root(".", ".") stacks the old root on top of the new one; detaching it then
         * leaves no path back to the host's tree. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return FAIL("pivot_root", negative_errno());
        if (umount2(".", MNT_DETACH) < 0)
                return FAIL("detach old root", negative_errno());
        if (chdir(AIRLOCK_SCRATCH_DIR) < 0)
                return FAIL("enter " AIRLOCK_SCRATCH_DIR, negative_errno());
        return 0;
}
