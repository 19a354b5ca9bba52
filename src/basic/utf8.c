#include "utf8.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool is_continuation(unsigned char c)
{
        return (c & 0xc0) == 0x80;
}

int utf8_decode(const char *s, size_t len, uint32_t *ret_cp)
{
        const unsigned char *p = (const unsigned char *)s;
        uint32_t cp, min;
        size_t n;

        if (len == 0)
                return -EINVAL;

        if (p[0] < 0x80) {
                *ret_cp = p[0];
                return 1;
        }
        /* 0x80..0xbf are continuation bytes; 0xc0, 0xc1 could only start overlong 2-byte forms;
         * 0xf5..0xff would encode beyond U+10FFFF or are 5/6-byte forms RFC 3629 removed. */
        if (p[0] >= 0xc2 && p[0] <= 0xdf) {
                n = 2;
                cp = p[0] & 0x1f;
                min = 0x80;
        } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
                n = 3;
                cp = p[0] & 0x0f;
                min = 0x800;
        } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
                n = 4;
                cp = p[0] & 0x07;
                min = 0x10000;
        } else
                return -EILSEQ;

        if (len < n)
                return -EILSEQ;
        for (size_t i = 1; i < n; i++) {
                if (!is_continuation(p[i]))
                        return -EILSEQ;
                cp = (cp << 6) | (p[i] & 0x3f);
        }
        if (cp < min)
                return -EILSEQ; /* overlong: a shorter form exists */
        if (cp >= 0xd800 && cp <= 0xdfff)
                return -EILSEQ; /* UTF-16 surrogates are not characters */
        if (cp > 0x10ffff)
                return -EILSEQ;

        *ret_cp = cp;
        return (int)n;
}

bool utf8_is_valid(const char *s, size_t len)
{
        size_t i = 0;

        while (i < len) {
                uint32_t cp;
                int n;

                /* ASCII runs are the common case in program output. */
                if ((unsigned char)s[i] < 0x80) {
                        i++;
                        continue;
                }
                n = utf8_decode(s + i, len - i, &cp);
                if (n < 0)
                        return false;
                i += (size_t)n;
        }
        return true;
}

int utf8_make_valid(const char *s, size_t len, char **ret, size_t *ret_len)
{
        char *buf, *q;
        size_t i = 0;

        /* Worst case every byte becomes 3, plus the NUL. */
        if (len > (SIZE_MAX - 1) / UTF8_REPLACEMENT_LEN)
                return -EOVERFLOW;
        buf = malloc(len * UTF8_REPLACEMENT_LEN + 1);
        if (!buf)
                return -ENOMEM;

        q = buf;
        while (i < len) {
                uint32_t cp;
                int n = utf8_decode(s + i, len - i, &cp);

                if (n < 0) {
                        memcpy(q, UTF8_REPLACEMENT, UTF8_REPLACEMENT_LEN);
                        q += UTF8_REPLACEMENT_LEN;
                        i++;
                        continue;
                }
                memcpy(q, s + i, (size_t)n);
                q += n;
                i += (size_t)n;
        }
        *q = '\0';

        *ret = buf;
        *ret_len = (size_t)(q - buf);
        return 0;
}
