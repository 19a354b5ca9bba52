#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "server/serve-request.h"

static void fill(ServeRequest *r)
{
        serve_request_init(r);
        cr_assert_eq(serve_request_add_argv(r, "python3"), 0);
        cr_assert_eq(serve_request_add_argv(r, "main.py"), 0);
        cr_assert_eq(serve_request_add_env(r, "A=1"), 0);
        cr_assert_eq(serve_request_add_collect(r, "*.png"), 0);
        cr_assert_eq(serve_request_add_allow_net(r, "example.org"), 0);
        cr_assert_eq(
            serve_request_add_file(r, "data/in.csv", (const uint8_t *)"a,b\n\0x", 6, false), 0);
        cr_assert_eq(serve_request_add_file(r, "run.sh", (const uint8_t *)"", 0, true), 0);
        r->stdin_data = (uint8_t *)strdup("input");
        r->stdin_len = 5;
        r->has_stdin = true;
        r->limits.memory_bytes = 1ULL << 33;
        r->limits.pids = 7;
        r->limits_set = SERVE_LIMIT_MEMORY | SERVE_LIMIT_PIDS;
        r->stream = true;
}

static void encode(const ServeRequest *r, uint8_t **buf, size_t *len)
{
        cr_assert_eq(serve_request_encode(r, buf, len), 0);
}

Test(serve_request, round_trip)
{
        ServeRequest a, b;
        AirlockError err = {0};
        uint8_t *buf;
        size_t len;

        fill(&a);
        encode(&a, &buf, &len);
        cr_assert_eq(serve_request_decode(buf, len, &b, &err), 0, "%s", err.message);
        cr_assert_eq(b.n_argv, 2);
        cr_assert_str_eq(b.argv[1], "main.py");
        cr_assert_null(b.argv[2]);
        cr_assert_str_eq(b.env[0], "A=1");
        cr_assert_str_eq(b.collect[0], "*.png");
        cr_assert_str_eq(b.allow_net[0], "example.org");
        cr_assert_eq(b.n_files, 2);
        cr_assert_str_eq(b.files[0].path, "data/in.csv");
        cr_assert_eq(b.files[0].len, 6);
        cr_assert_eq(memcmp(b.files[0].data, "a,b\n\0x", 6), 0);
        cr_assert(!b.files[0].executable);
        cr_assert(b.files[1].executable);
        cr_assert_eq(b.files[1].len, 0);
        cr_assert(b.has_stdin);
        cr_assert_eq(b.stdin_len, 5);
        cr_assert_eq(b.limits.memory_bytes, 1ULL << 33);
        cr_assert_eq(b.limits.pids, 7);
        cr_assert_eq(b.limits_set, SERVE_LIMIT_MEMORY | SERVE_LIMIT_PIDS);
        cr_assert(b.stream);
        free(buf);
        serve_request_done(&a);
        serve_request_done(&b);
}

Test(serve_request, every_truncation_is_refused)
{
        ServeRequest a, b;
        AirlockError err = {0};
        uint8_t *buf;
        size_t len;

        fill(&a);
        encode(&a, &buf, &len);
        /* Cutting inside a field must fail; cutting exactly between fields is a shorter but
         * well-formed request, which must still decode cleanly. */
        for (size_t cut = 0; cut < len; cut++) {
                int r = serve_request_decode(buf, cut, &b, &err);

                if (r == 0)
                        serve_request_done(&b);
        }
        free(buf);
        serve_request_done(&a);
}

Test(serve_request, needs_exactly_one_of_command_and_language)
{
        ServeRequest a, b;
        AirlockError err = {0};
        uint8_t *buf;
        size_t len;

        serve_request_init(&a);
        encode(&a, &buf, &len);
        cr_assert_lt(serve_request_decode(buf, len, &b, &err), 0);
        free(buf);
        a.language = strdup("python");
        serve_request_add_argv(&a, "x");
        encode(&a, &buf, &len);
        cr_assert_lt(serve_request_decode(buf, len, &b, &err), 0);
        free(buf);
        serve_request_done(&a);
}

Test(serve_request, refuses_nul_in_strings_and_unknown_tags)
{
        /* magic, version, then TAG_ARGV with "a\0b" */
        uint8_t nul[] = {'A', 'L', 'R', 'Q', 1, 0, 0, 0, 1, 0, 3, 0, 0, 0, 'a', 0, 'b'};
        uint8_t unknown[] = {'A', 'L', 'R', 'Q', 1, 0, 0, 0, 99, 0, 0, 0, 0, 0};
        uint8_t huge[] = {'A', 'L', 'R', 'Q', 1, 0, 0, 0, 1, 0, 0xff, 0xff, 0xff, 0x7f, 'a'};
        ServeRequest b;
        AirlockError err = {0};

        cr_assert_lt(serve_request_decode(nul, sizeof(nul), &b, &err), 0);
        cr_assert_lt(serve_request_decode(unknown, sizeof(unknown), &b, &err), 0);
        cr_assert_lt(serve_request_decode(huge, sizeof(huge), &b, &err), 0);
}

Test(serve_request, a_limit_set_twice_or_too_wide_is_refused)
{
        /* TAG_LIMIT (9), 12 bytes: bit 3 (pids, 32-bit) = 2^32 */
        uint8_t wide[] = {'A', 'L', 'R', 'Q', 1, 0, 0, 0, 9, 0, 12, 0, 0, 0, 3, 0,  0,
                          0,   0,   0,   0,   0, 1, 0, 0, 0, 1, 0,  1, 0, 0, 0, 'x'};
        ServeRequest b;
        AirlockError err = {0};

        cr_assert_lt(serve_request_decode(wide, sizeof(wide), &b, &err), 0);
}
