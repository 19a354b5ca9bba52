#include "sync.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "basic/macros.h"

int sync_socketpair(int ret_fds[2])
{
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ret_fds) < 0)
                return negative_errno();
        return 0;
}

int sync_send_fds(int sock, const SyncMessage *msg, const int *fds, size_t n_fds)
{
        union {
                char buf[CMSG_SPACE(sizeof(int) * SYNC_MAX_FDS)];
                struct cmsghdr align;
        } control = {0};
        struct iovec iov = {.iov_base = (void *)msg, .iov_len = sizeof(*msg)};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        ssize_t n;

        if (n_fds > SYNC_MAX_FDS)
                return -EINVAL;
        if (n_fds > 0) {
                struct cmsghdr *cm;

                mh.msg_control = control.buf;
                mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
                cm = CMSG_FIRSTHDR(&mh);
                cm->cmsg_level = SOL_SOCKET;
                cm->cmsg_type = SCM_RIGHTS;
                cm->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
                memcpy(CMSG_DATA(cm), fds, sizeof(int) * n_fds);
        }
        do
                n = sendmsg(sock, &mh, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return negative_errno();
        return n == sizeof(*msg) ? 0 : -EIO;
}

int sync_send(int sock, const SyncMessage *msg, int fd)
{
        return sync_send_fds(sock, msg, &fd, fd >= 0 ? 1 : 0);
}

int sync_send_point(int sock, SyncPoint point)
{
        SyncMessage msg = {.point = point, .monotonic_ns = monotonic_ns()};

        return sync_send(sock, &msg, -EBADF);
}

int sync_recv_fds(int sock, SyncMessage *msg, int ret_fds[SYNC_MAX_FDS])
{
        union {
                char buf[CMSG_SPACE(sizeof(int) * SYNC_MAX_FDS)];
                struct cmsghdr align;
        } control;
        struct iovec iov = {.iov_base = msg, .iov_len = sizeof(*msg)};
        struct msghdr mh = {
            .msg_iov = &iov,
            .msg_iovlen = 1,
            .msg_control = control.buf,
            .msg_controllen = sizeof(control.buf),
        };
        int fds[SYNC_MAX_FDS] = {-EBADF, -EBADF};
        size_t n_fds = 0;
        ssize_t n;

        do
                n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return negative_errno();
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
                if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
                        size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

                        for (size_t i = 0; i < k; i++) {
                                int fd;

                                memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
                                if (n_fds < SYNC_MAX_FDS)
                                        fds[n_fds++] = fd;
                                else
                                        safe_close(fd);
                        }
                }
        if (n == 0 || n != sizeof(*msg) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
                for (size_t i = 0; i < n_fds; i++)
                        safe_close(fds[i]);
                return n == 0 ? -EPIPE : -EBADMSG;
        }
        /* Strings in an error from the sandbox side are ours, but terminate them anyway. */
        msg->error.step[sizeof(msg->error.step) - 1] = '\0';
        msg->error.message[sizeof(msg->error.message) - 1] = '\0';
        memcpy(ret_fds, fds, sizeof(fds));
        return 0;
}

int sync_recv(int sock, SyncMessage *msg, int *ret_fd)
{
        int fds[SYNC_MAX_FDS];
        int r = sync_recv_fds(sock, msg, fds);

        if (r < 0)
                return r;
        safe_close(fds[1]);
        if (ret_fd)
                *ret_fd = fds[0];
        else
                safe_close(fds[0]);
        return 0;
}

int sync_expect(int sock, SyncPoint point, int *ret_fd, SyncMessage *ret_msg, AirlockError *err)
{
        SyncMessage msg;
        int fd = -EBADF, r;

        r = sync_recv(sock, &msg, &fd);
        if (r < 0)
                return r;
        if (msg.point == SYNC_ERROR) {
                safe_close(fd);
                if (err && err->kind == AIRLOCK_ERR_NONE)
                        *err = msg.error;
                return -ECANCELED;
        }
        if (msg.point != point) {
                safe_close(fd);
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, EPROTO, "sync",
                                         "expected sync point #%d, got #%u", point, msg.point);
        }
        if (ret_fd)
                *ret_fd = fd;
        else
                safe_close(fd);
        if (ret_msg)
                *ret_msg = msg;
        return 0;
}

uint64_t monotonic_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
