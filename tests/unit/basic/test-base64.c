#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basic/base64.h"

static void check(const void *in, size_t len, const char *want)
{
        char *out = NULL;
        size_t out_len = 0;

        cr_assert_eq(base64_encode(in, len, &out, &out_len), 0);
        cr_assert_str_eq(out, want);
        cr_assert_eq(out_len, strlen(want));
        cr_assert_eq(base64_encoded_len(len), strlen(want));
        free(out);
}

/* RFC 4648, section 10. */
Test(base64, rfc4648_vectors)
{
        check("", 0, "");
        check("f", 1, "Zg==");
        check("fo", 2, "Zm8=");
        check("foo", 3, "Zm9v");
        check("foob", 4, "Zm9vYg==");
        check("fooba", 5, "Zm9vYmE=");
        check("foobar", 6, "Zm9vYmFy");
}

Test(base64, binary_and_whole_alphabet)
{
        unsigned char all[256];

        check("\x00\xff\xfe", 3, "AP/+");
        check("\xfb\xff", 2, "+/8=");
        check("\0", 1, "AA==");
        check(NULL, 0, "");

        for (size_t i = 0; i < sizeof(all); i++)
                all[i] = (unsigned char)i;
        check(all, 48, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v");
        check(all + 192, 64,
              "wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/"
              "P3+/w==");
}

Test(base64, overflow_is_refused)
{
        char *out = (char *)"untouched";
        size_t out_len = 7;

        cr_assert_eq(base64_encoded_len(SIZE_MAX), SIZE_MAX);
        cr_assert_eq(base64_encoded_len(SIZE_MAX / 4 * 3 + 3), SIZE_MAX);
        cr_assert_eq(base64_encoded_len(SIZE_MAX / 4 * 3), SIZE_MAX - 3);
        cr_assert_eq(base64_encode("x", SIZE_MAX, &out, &out_len), -EOVERFLOW);
        cr_assert_str_eq(out, "untouched");
        cr_assert_eq(out_len, 7);
}

static void check_decode(const char *in, const void *want, size_t want_len)
{
        unsigned char *out = NULL;
        size_t out_len = 0;

        cr_assert_eq(base64_decode(in, strlen(in), &out, &out_len, NULL), 0, "%s", in);
        cr_assert_eq(out_len, want_len, "%s", in);
        cr_assert(memcmp(out, want, want_len) == 0, "%s", in);
        cr_assert_eq(out[out_len], '\0');
        free(out);
}

static void check_bad(const char *in, size_t want_pos)
{
        unsigned char *out = NULL;
        size_t out_len = 0, pos = 12345;

        cr_assert_eq(base64_decode(in, strlen(in), &out, &out_len, &pos), -EINVAL, "%s", in);
        cr_assert_eq(pos, want_pos, "%s: %zu", in, pos);
        cr_assert_null(out);
}

Test(base64, decode_rfc4648_vectors)
{
        check_decode("", "", 0);
        check_decode("Zg==", "f", 1);
        check_decode("Zm8=", "fo", 2);
        check_decode("Zm9v", "foo", 3);
        check_decode("Zm9vYg==", "foob", 4);
        check_decode("Zm9vYmE=", "fooba", 5);
        check_decode("Zm9vYmFy", "foobar", 6);
        check_decode("AP8A", "\0\377\0", 3);
}

Test(base64, decode_round_trip)
{
        unsigned char in[256], *back = NULL;
        char *enc = NULL;
        size_t enc_len, back_len;

        for (size_t i = 0; i < sizeof(in); i++)
                in[i] = (unsigned char)(i * 7);
        for (size_t len = 0; len <= sizeof(in); len += 17) {
                cr_assert_eq(base64_encode(in, len, &enc, &enc_len), 0);
                cr_assert_eq(base64_decode(enc, enc_len, &back, &back_len, NULL), 0);
                cr_assert_eq(back_len, len);
                cr_assert(memcmp(in, back, len) == 0);
                free(enc);
                free(back);
        }
}

Test(base64, decode_rejects)
{
        check_bad("Zg=", 3); /* not a multiple of 4 */
        check_bad("Zg", 2);
        check_bad("Z===", 1);       /* three pads */
        check_bad("Zg=a", 2);       /* pad in the middle */
        check_bad("Zm9v\nYg==", 4); /* a line break */
        check_bad("Zm 9", 2);       /* whitespace */
        check_bad("Zm-9", 2);       /* the URL-safe alphabet is not ours */
        check_bad("====", 0);
}
