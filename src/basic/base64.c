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
