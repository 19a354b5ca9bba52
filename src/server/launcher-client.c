#include "launcher-client.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "basic/fd-util.h"
#include "basic/macros.h"
#include "launcher-proto.h"

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
        /* Sealed: the launcher reads it after we let go, and a front end that kept a writable
         * mapping could otherwise change the bytes under the decoder. */
        memfd = memfd_new_with("airlock-request", buf, len, true);
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
