#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/run-frame.h"

Test(run_frame, round_trip_then_eof)
{
        int sv[2];
        RunFrame f;

        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        cr_assert_eq(run_frame_write(sv[0], RUN_FRAME_STDOUT, "hello", 5), 0);
        cr_assert_eq(run_frame_write(sv[0], RUN_FRAME_STARTED, NULL, 0), 0);
        close(sv[0]);
        cr_assert_eq(run_frame_read(sv[1], &f), 1);
        cr_assert_eq(f.type, RUN_FRAME_STDOUT);
        cr_assert_eq(f.len, 5);
        cr_assert_str_eq((char *)f.payload, "hello");
        run_frame_done(&f);
        cr_assert_eq(run_frame_read(sv[1], &f), 1);
        cr_assert_eq(f.type, RUN_FRAME_STARTED);
        run_frame_done(&f);
        cr_assert_eq(run_frame_read(sv[1], &f), 0);
        close(sv[1]);
}

Test(run_frame, malformed_and_cut_frames_are_errors)
{
        uint8_t bad_type[8] = {42, 0, 0, 0, 0, 0, 0, 0};
        uint8_t cut[10] = {RUN_FRAME_STDOUT, 0, 0, 0, 5, 0, 0, 0, 'a', 'b'};
        int sv[2];
        RunFrame f;

        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        cr_assert_eq(write(sv[0], bad_type, sizeof(bad_type)), sizeof(bad_type));
        cr_assert_eq(run_frame_read(sv[1], &f), -EPROTO);
        close(sv[0]);
        close(sv[1]);
        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        cr_assert_eq(write(sv[0], cut, sizeof(cut)), sizeof(cut));
        close(sv[0]);
        cr_assert_eq(run_frame_read(sv[1], &f), -EPROTO);
        close(sv[1]);
}
