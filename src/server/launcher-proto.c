#include "launcher-proto.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int launcher_proto_send(int fd, const LauncherMessage *msg, const int *fds, size_t n_fds)
{
        union {
                char buf[CMSG_SPACE(sizeof(int) * LAUNCHER_MAX_FDS)];
                struct cmsghdr align;
        } control = {0};
        struct iovec iov = {.iov_base = (void *)msg, .iov_len = sizeof(*msg)};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        ssize_t n;

        if (n_fds > LAUNCHER_MAX_FDS)
                return -EINVAL;
        if (n_fds > 0) {
                struct cmsghdr *c;

                mh.msg_control = control.buf;
                mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
        }
        do
                n = sendmsg(fd, &mh, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        return n == (ssize_t)sizeof(*msg) ? 0 : -EIO;
}

static void close_all(int *fds, size_t n)
{
        for (size_t i = 0; i < n; i++)
                close(fds[i]);
}

int launcher_proto_recv(int fd, LauncherMessage *msg, int *fds, size_t *n_fds)
{
        union {
                char buf[CMSG_SPACE(sizeof(int) * LAUNCHER_MAX_FDS)];
                struct cmsghdr align;
        } control;
        LauncherMessage m;
        struct iovec iov = {.iov_base = &m, .iov_len = sizeof(m)};
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = control.buf,
                            .msg_controllen = sizeof(control.buf)};
        size_t got = 0;
        ssize_t n;

        do
                n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                size_t k;

                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                /* MSG_CTRUNC below catches more than fit; this only keeps count. */
                memcpy(fds + got, CMSG_DATA(c),
                       sizeof(int) * (k < LAUNCHER_MAX_FDS - got ? k : LAUNCHER_MAX_FDS - got));
                got += (k < LAUNCHER_MAX_FDS - got ? k : LAUNCHER_MAX_FDS - got);
        }
        if (n == 0 && got == 0)
                return 0;
        if (n != (ssize_t)sizeof(m) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
            m.reserved != 0) {
                close_all(fds, got);
                return -EPROTO;
        }
        *msg = m;
        *n_fds = got;
        return 1;
}
