#include "base64.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

static const char alphabet[64] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t base64_encoded_len(size_t len)
{
        size_t groups = len / 3 + (len % 3 != 0);

        if (groups > (SIZE_MAX - 1) / 4)
                return SIZE_MAX;
        return groups * 4;
}

int base64_encode(const void *data, size_t len, char **ret, size_t *ret_len)
{
        const unsigned char *p = data;
        size_t out_len = base64_encoded_len(len), i = 0;
        char *buf, *q;

        if (out_len == SIZE_MAX)
                return -EOVERFLOW;
        buf = malloc(out_len + 1);
        if (!buf)
                return -ENOMEM;

        q = buf;
        for (; len - i >= 3; i += 3) {
                uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

                *q++ = alphabet[v >> 18 & 0x3f];
                *q++ = alphabet[v >> 12 & 0x3f];
                *q++ = alphabet[v >> 6 & 0x3f];
                *q++ = alphabet[v & 0x3f];
        }
        if (len - i > 0) {
                uint32_t v = (uint32_t)p[i] << 16;

                if (len - i == 2)
                        v |= (uint32_t)p[i + 1] << 8;
                *q++ = alphabet[v >> 18 & 0x3f];
                *q++ = alphabet[v >> 12 & 0x3f];
                *q++ = len - i == 2 ? alphabet[v >> 6 & 0x3f] : '=';
                *q++ = '=';
        }
        *q = '\0';

        *ret = buf;
        *ret_len = out_len;
        return 0;
}

/* The value of one alphabet character, or -1. */
static int decode_char(unsigned char c)
{
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+')
                return 62;
        if (c == '/')
                return 63;
        return -1;
}

static int bad_at(size_t pos, size_t *ret_bad_pos)
{
        if (ret_bad_pos)
                *ret_bad_pos = pos;
        return -EINVAL;
}

int base64_decode(const char *s, size_t len, unsigned char **ret, size_t *ret_len,
                  size_t *ret_bad_pos)
{
        unsigned char *buf, *q;
        size_t pad = 0;

        if (len > 0 && s[len - 1] == '=')
                pad = len > 1 && s[len - 2] == '=' ? 2 : 1;
        /* Check everything first so that a bad string costs no allocation; a wrong character
         * is a better answer than a wrong length. */
        for (size_t i = 0; i < len - pad; i++)
                if (decode_char((unsigned char)s[i]) < 0)
                        return bad_at(i, ret_bad_pos);
        if (len % 4 != 0)
                return bad_at(len, ret_bad_pos);

        buf = malloc(len / 4 * 3 + 1);
        if (!buf)
                return -ENOMEM;
        q = buf;
        for (size_t i = 0; i < len; i += 4) {
                uint32_t v = 0;
                size_t n = i + 4 == len ? 4 - pad : 4;

                for (size_t k = 0; k < 4; k++)
                        v = v << 6 | (k < n ? (uint32_t)decode_char((unsigned char)s[i + k]) : 0);
                *q++ = (unsigned char)(v >> 16);
                if (n > 2)
                        *q++ = (unsigned char)(v >> 8);
                if (n > 3)
                        *q++ = (unsigned char)v;
        }
        *q = '\0';
        *ret = buf;
        *ret_len = (size_t)(q - buf);
        return 0;
}
