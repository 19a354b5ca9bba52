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
