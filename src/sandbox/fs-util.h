#pragma once

#include <stdint.h>
#include <sys/types.h>

/* Opens (creating as needed) the directory "a/b" of "a/b/name" below dirfd, never following a
 * symlink and never leaving dirfd; *ret_name points at "name" inside path. */
int fs_open_parent_beneath(int dirfd, const char *path, int create_mode, int *ret_fd,
                           const char **ret_name);

/* openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV. */
int fs_open_beneath(int dirfd, const char *path, int flags, mode_t mode);

/* Copies everything from in to out (copy_file_range, falling back to read/write); at most max
 * bytes, -EFBIG beyond. */
int fs_copy_data(int in, int out, uint64_t max, uint64_t *ret_copied);
