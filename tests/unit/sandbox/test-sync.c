/* The parent/sandbox protocol over one SOCK_SEQPACKET pair: records, fd passing, EOF, errors
 * as data. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox/sync.h"

static int sv[2] = {-EBADF, -EBADF};

static void setup(void)
{
        cr_assert_eq(sync_socketpair(sv), 0);
}

static void teardown(void)
{
        safe_close(sv[0]);
        safe_close(sv[1]);
}

TestSuite(sync, .init = setup, .fini = teardown);

Test(sync, pair_is_cloexec_seqpacket)
{
        int type = 0;
        socklen_t len = sizeof(type);

        for (int i = 0; i < 2; i++) {
                cr_assert(fcntl(sv[i], F_GETFD) & FD_CLOEXEC);
                cr_assert_eq(getsockopt(sv[i], SOL_SOCKET, SO_TYPE, &type, &len), 0);
                cr_assert_eq(type, SOCK_SEQPACKET);
        }
}

Test(sync, message_round_trip)
{
        SyncMessage out = {.point = SYNC_EXITED, .wait_status = 0x0100, .monotonic_ns = 42};
        SyncMessage in;
        int fd = 12345;

        out.rusage.ru_maxrss = 777;
        cr_assert_eq(sync_send(sv[1], &out, -EBADF), 0);
        cr_assert_eq(sync_recv(sv[0], &in, &fd), 0);
        cr_assert_eq(fd, -EBADF, "no fd was sent");
        cr_assert_eq(in.point, SYNC_EXITED);
        cr_assert_eq(in.wait_status, 0x0100);
        cr_assert_eq(in.monotonic_ns, 42);
        cr_assert_eq(in.rusage.ru_maxrss, 777);
}

Test(sync, send_point_stamps_time)
{
        SyncMessage in;
        uint64_t before = monotonic_ns();

        cr_assert_eq(sync_send_point(sv[0], SYNC_MAPS_WRITTEN), 0);
        cr_assert_eq(sync_recv(sv[1], &in, NULL), 0);
        cr_assert_eq(in.point, SYNC_MAPS_WRITTEN);
        cr_assert_geq(in.monotonic_ns, before);
        cr_assert_leq(in.monotonic_ns, monotonic_ns());
}

Test(sync, fd_passing)
{
        SyncMessage out = {.point = SYNC_SCRATCH_READY}, in;
        int p[2], got = -EBADF;
        char buf[8] = {0};

        cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
        cr_assert_eq(sync_send(sv[1], &out, p[1]), 0);
        close(p[1]);
        cr_assert_eq(sync_recv(sv[0], &in, &got), 0);
        cr_assert_eq(in.point, SYNC_SCRATCH_READY);
        cr_assert_geq(got, 0);
        cr_assert(fcntl(got, F_GETFD) & FD_CLOEXEC, "a received fd is O_CLOEXEC from birth");
        /* The same pipe: what goes in the received end comes out of ours. */
        cr_assert_eq(write(got, "hi", 2), 2);
        close(got);
        cr_assert_eq(read(p[0], buf, sizeof(buf)), 2);
        cr_assert_str_eq(buf, "hi");
        close(p[0]);
}

Test(sync, expect_hands_over_fd_and_message)
{
        SyncMessage out = {.point = SYNC_SCRATCH_READY, .monotonic_ns = 9}, got_msg;
        AirlockError err = {0};
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC), got = -EBADF;

        cr_assert_eq(sync_send(sv[1], &out, fd), 0);
        close(fd);
        cr_assert_eq(sync_expect(sv[0], SYNC_SCRATCH_READY, &got, &got_msg, &err), 0);
        cr_assert_geq(got, 0);
        cr_assert_eq(got_msg.monotonic_ns, 9);
        cr_assert_eq(err.kind, AIRLOCK_ERR_NONE);
        close(got);
}

Test(sync, unwanted_fd_is_closed)
{
        SyncMessage out = {.point = SYNC_RUNNING}, in;
        int p[2];
        char c;

        cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
        cr_assert_eq(sync_send(sv[1], &out, p[1]), 0);
        close(p[1]);
        cr_assert_eq(sync_recv(sv[0], &in, NULL), 0);
        /* Had the received write end been kept open somewhere, this read would block. */
        cr_assert_eq(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
        cr_assert_eq(read(p[0], &c, 1), 0, "received fd leaked");
        close(p[0]);
}

Test(sync, eof_is_epipe)
{
        SyncMessage in;
        AirlockError err = {0};
        int fd = 7;

        sv[1] = safe_close(sv[1]);
        cr_assert_eq(sync_recv(sv[0], &in, &fd), -EPIPE);
        cr_assert_eq(fd, 7, "ret_fd written on failure");
        cr_assert_eq(sync_expect(sv[0], SYNC_RUNNING, NULL, NULL, &err), -EPIPE);
}

Test(sync, send_to_closed_peer_fails_without_sigpipe)
{
        SyncMessage out = {.point = SYNC_RUNNING};

        sv[0] = safe_close(sv[0]);
        cr_assert_eq(sync_send(sv[1], &out, -EBADF), -EPIPE);
}

Test(sync, error_travels_as_data)
{
        SyncMessage out = {.point = SYNC_ERROR};
        AirlockError err = {0};
        int p[2], fd = 99;

        airlock_error_set(&out.error, AIRLOCK_ERR_SETUP, EPERM, "pivot_root", "detail %d", 3);
        cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
        cr_assert_eq(sync_send(sv[1], &out, p[1]), 0);
        close(p[1]);
        cr_assert_eq(sync_expect(sv[0], SYNC_RUNNING, &fd, NULL, &err), -ECANCELED);
        cr_assert_eq(err.kind, AIRLOCK_ERR_SETUP);
        cr_assert_eq(err.errnum, EPERM);
        cr_assert_str_eq(err.step, "pivot_root");
        cr_assert_str_eq(err.message, "detail 3");
        cr_assert_eq(fd, 99, "ret_fd written on failure");
        {
                char c;

                cr_assert_eq(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
                cr_assert_eq(read(p[0], &c, 1), 0, "fd attached to an error leaked");
        }
        close(p[0]);
}

Test(sync, first_error_wins)
{
        SyncMessage out = {.point = SYNC_ERROR};
        AirlockError err = {0};

        airlock_error_set(&err, AIRLOCK_ERR_INTERNAL, EIO, "earlier", NULL);
        airlock_error_set(&out.error, AIRLOCK_ERR_SETUP, EPERM, "later", NULL);
        cr_assert_eq(sync_send(sv[1], &out, -EBADF), 0);
        cr_assert_eq(sync_expect(sv[0], SYNC_RUNNING, NULL, NULL, &err), -ECANCELED);
        cr_assert_str_eq(err.step, "earlier");
        /* err may also be NULL. */
        cr_assert_eq(sync_send(sv[1], &out, -EBADF), 0);
        cr_assert_eq(sync_expect(sv[0], SYNC_RUNNING, NULL, NULL, NULL), -ECANCELED);
}

Test(sync, unexpected_point_is_a_protocol_error)
{
        AirlockError err = {0};

        cr_assert_eq(sync_send_point(sv[1], SYNC_EXITED), 0);
        cr_assert_eq(sync_expect(sv[0], SYNC_RUNNING, NULL, NULL, &err), -EPROTO);
        cr_assert_eq(err.kind, AIRLOCK_ERR_INTERNAL);
        cr_assert_str_eq(err.step, "sync");
}

Test(sync, unterminated_strings_are_terminated)
{
        SyncMessage out = {.point = SYNC_ERROR}, in;

        out.error.kind = AIRLOCK_ERR_SETUP;
        memset(out.error.step, 'A', sizeof(out.error.step));
        memset(out.error.message, 'B', sizeof(out.error.message));
        cr_assert_eq(sync_send(sv[1], &out, -EBADF), 0);
        cr_assert_eq(sync_recv(sv[0], &in, NULL), 0);
        cr_assert_eq(strlen(in.error.step), sizeof(in.error.step) - 1);
        cr_assert_eq(strlen(in.error.message), sizeof(in.error.message) - 1);
}

Test(sync, short_and_long_records_refused)
{
        char big[sizeof(SyncMessage) + 16] = {0};
        SyncMessage in;

        cr_assert_eq(send(sv[1], "x", 1, 0), 1);
        cr_assert_eq(sync_recv(sv[0], &in, NULL), -EBADMSG);
        cr_assert_eq(send(sv[1], big, sizeof(big), 0), (ssize_t)sizeof(big));
        cr_assert_eq(sync_recv(sv[0], &in, NULL), -EBADMSG);
        /* The stream is still usable: records do not run into each other. */
        cr_assert_eq(sync_send_point(sv[1], SYNC_RUNNING), 0);
        cr_assert_eq(sync_recv(sv[0], &in, NULL), 0);
        cr_assert_eq(in.point, SYNC_RUNNING);
}
