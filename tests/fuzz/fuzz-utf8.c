/* What goes into a JSON result: the strict UTF-8 check, its lossy repair, and base64 for the
 * exact bytes. Invariants: make_valid's output is valid, keeps valid input as is, and base64
 * decodes back to the input. */
#include <errno.h>
#include <stdio.h>

#include "basic/base64.h"
#include "basic/utf8.h"
#include "fuzz-util.h"

static int b64_value(char c)
{
        static const char alphabet[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const char *p = c ? strchr(alphabet, c) : NULL;

        return p ? (int)(p - alphabet) : -1;
}

/* An independent decoder: checks the alphabet, the padding and the bytes. */
static void check_base64(const uint8_t *data, size_t size, const char *enc, size_t enc_len)
{
        size_t pad = 0, out = 0;

        FUZZ_ASSERT(enc_len % 4 == 0);
        FUZZ_ASSERT(enc_len == (size + 2) / 3 * 4);
        FUZZ_ASSERT(strlen(enc) == enc_len);
        if (enc_len >= 1 && enc[enc_len - 1] == '=')
                pad++;
        if (enc_len >= 2 && enc[enc_len - 2] == '=')
                pad++;
        FUZZ_ASSERT(pad == (3 - size % 3) % 3);
        for (size_t i = 0; i < enc_len; i += 4) {
                uint32_t v = 0;

                for (size_t j = 0; j < 4; j++) {
                        int d = b64_value(enc[i + j]);

                        if (i + j >= enc_len - pad) {
                                FUZZ_ASSERT(enc[i + j] == '=');
                                d = 0;
                        }
                        FUZZ_ASSERT(d >= 0);
                        v = v << 6 | (uint32_t)d;
                }
                for (int k = 2; k >= 0 && out < size; k--, out++)
                        FUZZ_ASSERT(data[out] == (uint8_t)(v >> (8 * k)));
        }
        FUZZ_ASSERT(out == size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *s = (const char *)data;
        bool valid = utf8_is_valid(s, size);
        char *fixed = NULL, *enc = NULL;
        size_t fixed_len = 0, enc_len = 0;
        uint32_t cp;
        int n;

        n = utf8_decode(s, size, &cp);
        if (size == 0)
                FUZZ_ASSERT(n == -EINVAL);
        else if (n > 0) {
                FUZZ_ASSERT(n <= 4 && (size_t)n <= size);
                FUZZ_ASSERT(cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff));
                FUZZ_ASSERT(utf8_is_valid(s, (size_t)n));
        } else
                FUZZ_ASSERT(n == -EILSEQ);

        FUZZ_ASSERT(utf8_make_valid(s, size, &fixed, &fixed_len) == 0);
        FUZZ_ASSERT(fixed[fixed_len] == '\0');
        FUZZ_ASSERT(fixed_len <= size * UTF8_REPLACEMENT_LEN);
        FUZZ_ASSERT(utf8_is_valid(fixed, fixed_len));
        if (valid)
                FUZZ_ASSERT(fixed_len == size && memcmp(fixed, s, size) == 0);
        else
                FUZZ_ASSERT(memmem(fixed, fixed_len, UTF8_REPLACEMENT, UTF8_REPLACEMENT_LEN));
        /* Repair is idempotent. */
        {
                char *again = NULL;
                size_t again_len = 0;

                FUZZ_ASSERT(utf8_make_valid(fixed, fixed_len, &again, &again_len) == 0);
                FUZZ_ASSERT(again_len == fixed_len && memcmp(again, fixed, fixed_len) == 0);
                free(again);
        }
        free(fixed);

        FUZZ_ASSERT(base64_encode(size ? data : NULL, size, &enc, &enc_len) == 0);
        FUZZ_ASSERT(enc_len == base64_encoded_len(size));
        check_base64(data, size, enc, enc_len);
        free(enc);
        return 0;
}
