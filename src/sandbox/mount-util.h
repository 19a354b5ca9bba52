#pragma once

#include <stdbool.h>

/* Bind src onto dst (which must exist), then remount it read-only (unless writable) with
 * nosuid and nodev, keeping the flags the kernel locks for a mount made in a user namespace
 * (noexec, atime flags), since a remount that drops them is refused. */
typedef enum MountBindFlags {
        MOUNT_BIND_WRITABLE = 1 << 0,
        MOUNT_BIND_RECURSIVE = 1 << 1,
        MOUNT_BIND_DEVICES = 1 << 2,  /* keep device nodes usable (only for /dev's own nodes) */
        MOUNT_BIND_RO_LATER = 1 << 3, /* mount_tree_read_only() will cover it: skip the remount */
} MountBindFlags;

/* Whether the kernel has mount_setattr(2) (Linux 5.12), which makes a whole tree read-only in
 * one call instead of one remount per bind. */
bool mount_setattr_available(void);

/* Read-only, nosuid and nodev on path's mount and every mount below it. */
int mount_tree_read_only(const char *path);

int mount_bind(const char *src, const char *dst, MountBindFlags flags);

/* tmpfs at dst with a size cap; options is the rest of the option string (may be NULL). */
int mount_tmpfs(const char *dst, unsigned long long size, const char *options);

/* Creates an empty file or directory to mount over, matching what src is. */
int mount_make_target(const char *src, const char *dst);

/* mkdir -p for absolute or relative paths; existing directories are fine. */
int mkdir_parents(const char *path, unsigned mode);
