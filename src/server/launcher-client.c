#include "launcher-client.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "basic/macros.h"
#include "launcher-proto.h"

/* A memfd sealed against every change: the launcher reads it after we let go, and a front end
 * that kept a writable mapping could otherwise change the bytes under the decoder. */
static int make_sealed_memfd(const uint8_t *buf, size_t len)
{
        _cleanup_close_ int fd = memfd_create("airlock-request", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        size_t done = 0;

        if (fd < 0)
                return -errno;
        while (done < len) {
                ssize_t n = write(fd, buf + done, len - done);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                done += (size_t)n;
        }
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
                return -errno;
        return TAKE_FD(fd);
}

int launcher_submit(int ctl_fd, const ServeRequest *req, int *ret_run_fd)
{
        _cleanup_free_ uint8_t *buf = NULL;
        _cleanup_close_ int memfd = -EBADF;
        int pair[2], r;
        size_t len;
        LauncherMessage msg = {.type = LAUNCHER_MSG_RUN};

        r = serve_request_encode(req, &buf, &len);
        if (r < 0)
                return r;
        memfd = make_sealed_memfd(buf, len);
        if (memfd < 0)
                return memfd;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;
        r = launcher_proto_send(ctl_fd, &msg, (int[]){memfd, pair[1]}, 2);
        close(pair[1]);
        if (r < 0) {
                close(pair[0]);
                return r;
        }
        *ret_run_fd = pair[0];
        return 0;
}
