#include "mount-util.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <stdint.h>
#include <unistd.h>

#include "basic/macros.h"
#include "config/limits.h"

/* The per-mount flags a user namespace may not clear on remount. */
static unsigned long locked_flags(const char *path)
{
        static const struct {
                unsigned long st, ms;
        } map[] = {
            {ST_NOEXEC, MS_NOEXEC},   {ST_NOSUID, MS_NOSUID},         {ST_NODEV, MS_NODEV},
            {ST_NOATIME, MS_NOATIME}, {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME},
        };
        struct statvfs sv;
        unsigned long flags = 0;

        if (statvfs(path, &sv) < 0)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (sv.f_flag & map[i].st)
                        flags |= map[i].ms;
        return flags;
}

int mount_bind(const char *src, const char *dst, MountBindFlags how)
{
        unsigned long flags = MS_BIND | ((how & MOUNT_BIND_RECURSIVE) ? MS_REC : 0);

        if (mount(src, dst, NULL, flags, NULL) < 0)
                return negative_errno();
        /* A device node's bind keeps the flags of the host's /dev (nosuid, never nodev), and
         * a later recursive mount_setattr covers the rest: no remount needed for either. */
        if ((how & MOUNT_BIND_DEVICES) ||
            ((how & MOUNT_BIND_RO_LATER) && !(how & MOUNT_BIND_WRITABLE)))
                return 0;
        flags = MS_REMOUNT | MS_BIND | MS_NOSUID | locked_flags(dst);
        if (!(how & MOUNT_BIND_WRITABLE))
                flags |= MS_RDONLY;
        if (!(how & MOUNT_BIND_DEVICES))
                flags |= MS_NODEV;
        if (mount(NULL, dst, NULL, flags, NULL) < 0)
                return negative_errno();
        return 0;
}

#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV  0x00000004
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

struct mount_attr_v0 {
        uint64_t attr_set, attr_clr, propagation, userns_fd;
};

bool mount_setattr_available(void)
{
        /* An invalid fd: EBADF if the call exists, ENOSYS if not. */
        return syscall(SYS_mount_setattr, -1, "", 0, NULL, 0) < 0 && errno != ENOSYS;
}

int mount_tree_read_only(const char *path)
{
        struct mount_attr_v0 attr = {
            .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
        };

        if (syscall(SYS_mount_setattr, AT_FDCWD, path, AT_RECURSIVE, &attr, sizeof(attr)) < 0)
                return negative_errno();
        return 0;
}

int mount_tmpfs(const char *dst, unsigned long long size, const char *options)
{
        char opts[256];

        /* Inodes are capped too: a million empty files cost kernel memory but no "size". */
        snprintf(opts, sizeof(opts), "size=%llu,nr_inodes=%u%s%s", size, AIRLOCK_TMPFS_INODES,
                 options ? "," : "", options ? options : "");
        if (mount("tmpfs", dst, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
                return negative_errno();
        return 0;
}

int mkdir_parents(const char *path, unsigned mode)
{
        char buf[PATH_MAX];
        size_t len = strlen(path);

        if (len >= sizeof(buf))
                return -ENAMETOOLONG;
        memcpy(buf, path, len + 1);
        for (char *p = buf + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(buf, mode) < 0 && errno != EEXIST)
                        return negative_errno();
                *p = '/';
        }
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
                return negative_errno();
        return 0;
}

int mount_make_target(const char *src, const char *dst)
{
        struct stat st;
        char parent[PATH_MAX];
        char *slash;
        int fd, r;

        if (stat(src, &st) < 0)
                return negative_errno();
        if (S_ISDIR(st.st_mode))
                return mkdir_parents(dst, 0755);
        snprintf(parent, sizeof(parent), "%s", dst);
        slash = strrchr(parent, '/');
        if (slash && slash != parent) {
                *slash = '\0';
                r = mkdir_parents(parent, 0755);
                if (r < 0)
                        return r;
        }
        fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return negative_errno();
        close(fd);
        return 0;
}
