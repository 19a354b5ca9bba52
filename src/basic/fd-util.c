#include "fd-util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "macros.h"

ssize_t fd_read_full(int fd, void *buf, size_t size)
{
        size_t done = 0;

        while (done < size) {
                ssize_t n = read(fd, (char *)buf + done, size - done);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        break;
                done += (size_t)n;
        }
        return (ssize_t)done;
}

int fd_write_full(int fd, const void *buf, size_t size)
{
        const char *p = buf;

        while (size > 0) {
                ssize_t n = write(fd, p, size);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                p += n;
                size -= (size_t)n;
        }
        return 0;
}

int memfd_new_with(const char *name, const void *data, size_t size, bool seal)
{
        _cleanup_close_ int fd = memfd_create(name, MFD_CLOEXEC | (seal ? MFD_ALLOW_SEALING : 0));
        int r;

        if (fd < 0)
                return negative_errno();
        r = fd_write_full(fd, data, size);
        if (r < 0)
                return r;
        if (seal &&
            fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
                return negative_errno();
        return TAKE_FD(fd);
}
