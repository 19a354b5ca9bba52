/* Small helpers around file descriptors. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Reads until size bytes or end of file, retrying on EINTR. Returns the count or -errno. */
ssize_t fd_read_full(int fd, void *buf, size_t size);

/* Writes all size bytes, retrying on EINTR and short writes. 0 or -errno. */
int fd_write_full(int fd, const void *buf, size_t size);

/* A new memfd (MFD_CLOEXEC) holding a copy of data; with seal, sealed against every change
 * (writes, growing, shrinking, further seals), so whoever reads it later reads these bytes.
 * The fd, or -errno. */
int memfd_new_with(const char *name, const void *data, size_t size, bool seal);
