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

int sync_send(int sock, const SyncMessage *msg, int fd)
{
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } control = {0};
        struct iovec iov = {.iov_base = (void *)msg, .iov_len = sizeof(*msg)};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        ssize_t n;

        if (fd >= 0) {
                struct cmsghdr *cm;

                mh.msg_control = control.buf;
                mh.msg_controllen = sizeof(control.buf);
                cm = CMSG_FIRSTHDR(&mh);
                cm->cmsg_level = SOL_SOCKET;
                cm->cmsg_type = SCM_RIGHTS;
                cm->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(cm), &fd, sizeof(int));
        }
        do
                n = sendmsg(sock, &mh, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return negative_errno();
        return n == sizeof(*msg) ? 0 : -EIO;
}

int sync_send_point(int sock, SyncPoint point)
{
        SyncMessage msg = {.point = point, .monotonic_ns = monotonic_ns()};

        return sync_send(sock, &msg, -EBADF);
}

int sync_recv(int sock, SyncMessage *msg, int *ret_fd)
{
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } control;
        struct iovec iov = {.iov_base = msg, .iov_len = sizeof(*msg)};
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = control.buf,
                .msg_controllen = sizeof(control.buf),
        };
        int fd = -EBADF;
        ssize_t n;

        do
                n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return negative_errno();
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
                if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
                        memcpy(&fd, CMSG_DATA(cm), sizeof(int));
        if (n == 0) {
                safe_close(fd);
                return -EPIPE;
        }
        if (n != sizeof(*msg) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
                safe_close(fd);
                return -EBADMSG;
        }
        /* Strings in an error from the sandbox side are ours, but terminate them anyway. */
        msg->error.step[sizeof(msg->error.step) - 1] = '\0';
        msg->error.message[sizeof(msg->error.message) - 1] = '\0';
        if (ret_fd)
                *ret_fd = fd;
        else
                safe_close(fd);
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
