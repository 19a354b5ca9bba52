#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/utf8.h"

#define S(lit) lit, sizeof(lit) - 1

Test(utf8, decodes_boundaries)
{
        static const struct {
                const char *s;
                size_t len;
                uint32_t cp;
        } ok[] = {
            {S("\x00"), 0x0},
            {S("\x7f"), 0x7f},
            {S("\xc2\x80"), 0x80},
            {S("\xdf\xbf"), 0x7ff},
            {S("\xe0\xa0\x80"), 0x800},
            {S("\xed\x9f\xbf"), 0xd7ff},
            {S("\xee\x80\x80"), 0xe000},
            {S("\xef\xbf\xbd"), 0xfffd},
            {S("\xef\xbf\xbf"), 0xffff},
            {S("\xf0\x90\x80\x80"), 0x10000},
            {S("\xf4\x8f\xbf\xbf"), 0x10ffff},
        };

        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
                uint32_t cp = 0xdeadbeef;

                cr_assert_eq(utf8_decode(ok[i].s, ok[i].len, &cp), (int)ok[i].len, "row %zu", i);
                cr_assert_eq(cp, ok[i].cp, "row %zu: U+%04X", i, cp);
                cr_assert(utf8_is_valid(ok[i].s, ok[i].len), "row %zu", i);
        }
}

Test(utf8, rejects_what_rfc3629_forbids)
{
        static const struct {
                const char *s;
                size_t len;
                const char *why;
        } bad[] = {
            {S("\x80"), "lone continuation"},
            {S("\xbf"), "lone continuation"},
            {S("\xc0\x80"), "overlong NUL"},
            {S("\xc1\xbf"), "overlong 2-byte"},
            {S("\xe0\x80\x80"), "overlong 3-byte"},
            {S("\xe0\x9f\xbf"), "overlong 3-byte, top"},
            {S("\xf0\x80\x80\x80"), "overlong 4-byte"},
            {S("\xf0\x8f\xbf\xbf"), "overlong 4-byte, top"},
            {S("\xed\xa0\x80"), "surrogate D800"},
            {S("\xed\xbf\xbf"), "surrogate DFFF"},
            {S("\xf4\x90\x80\x80"), "U+110000"},
            {S("\xf5\x80\x80\x80"), "F5 lead"},
            {S("\xf8\x88\x80\x80\x80"), "5-byte form"},
            {S("\xfc\x84\x80\x80\x80\x80"), "6-byte form"},
            {S("\xfe"), "FE"},
            {S("\xff"), "FF"},
            {S("\xe2\x82"), "cut 3-byte"},
            {S("\xf0\x9f\x98"), "cut 4-byte"},
            {S("\xe2\x28\xa1"), "bad second byte"},
            {S("\xe2\x82\x28"), "bad third byte"},
            {S("\xc3"), "cut 2-byte"},
        };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                uint32_t cp = 42;

                cr_assert_eq(utf8_decode(bad[i].s, bad[i].len, &cp), -EILSEQ, "%s", bad[i].why);
                cr_assert_eq(cp, 42, "%s: written on failure", bad[i].why);
                cr_assert_not(utf8_is_valid(bad[i].s, bad[i].len), "%s", bad[i].why);
        }
}

Test(utf8, respects_len)
{
        uint32_t cp;

        /* A valid euro sign, but only two of its bytes are ours to read. */
        cr_assert_eq(utf8_decode("\xe2\x82\xac", 2, &cp), -EILSEQ);
        cr_assert_eq(utf8_decode("", 0, &cp), -EINVAL);
        cr_assert(utf8_is_valid("", 0));
        cr_assert(utf8_is_valid(NULL, 0));
        cr_assert(utf8_is_valid("ok\xff", 2));
}

Test(utf8, nul_is_valid)
{
        cr_assert(utf8_is_valid(S("a\0b\0")));
        cr_assert(utf8_is_valid(S("h\xc3\xa9llo w\xc3\xb6rld \xe2\x82\xac \xf0\x9f\x98\x80")));
}

static void check_lossy(const char *in, size_t len, const char *want, size_t want_len)
{
        char *out = NULL;
        size_t out_len = 0;

        cr_assert_eq(utf8_make_valid(in, len, &out, &out_len), 0);
        cr_assert_eq(out_len, want_len, "length %zu, wanted %zu", out_len, want_len);
        cr_assert_eq(memcmp(out, want, want_len), 0);
        cr_assert_eq(out[out_len], '\0');
        cr_assert(utf8_is_valid(out, out_len));
        free(out);
}

Test(utf8, make_valid_replaces_each_invalid_byte)
{
        check_lossy(S("plain"), S("plain"));
        check_lossy(S("a\xff"
                      "b"),
                    S("a" UTF8_REPLACEMENT "b"));
        /* A cut sequence is two invalid bytes, then a good one. */
        check_lossy(S("\xe2\x82"
                      "A"),
                    S(UTF8_REPLACEMENT UTF8_REPLACEMENT "A"));
        /* An overlong NUL does not become a NUL. */
        check_lossy(S("\xc0\x80"), S(UTF8_REPLACEMENT UTF8_REPLACEMENT));
        /* Surrogates: three bytes, three replacements. */
        check_lossy(S("\xed\xa0\x80"), S(UTF8_REPLACEMENT UTF8_REPLACEMENT UTF8_REPLACEMENT));
        /* Valid parts, NULs included, are kept as they are. */
        check_lossy(S("\0\xc3\xa9\xfe\0"), S("\0\xc3\xa9" UTF8_REPLACEMENT "\0"));
        check_lossy("", 0, "", 0);
}
