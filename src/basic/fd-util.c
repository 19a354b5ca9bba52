#include "fd-util.h"

#include <errno.h>
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
