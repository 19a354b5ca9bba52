/* Small helpers around file descriptors. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Reads until size bytes or end of file, retrying on EINTR. Returns the count or -errno. */
ssize_t fd_read_full(int fd, void *buf, size_t size);
