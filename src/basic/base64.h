/* Standard base64 (RFC 4648 section 4: "+/" alphabet, "=" padding, no line breaks), for the
 * exact bytes of output that is not valid UTF-8. */
#pragma once

#include <stddef.h>

/* Length of the encoding of len bytes, without the NUL, or SIZE_MAX when it (plus the NUL)
 * would not fit in a size_t. */
size_t base64_encoded_len(size_t len);

/* Encodes len bytes into a malloc'd, NUL-terminated string. data may be NULL when len is 0.
 * Returns 0, -ENOMEM, or -EOVERFLOW. */
int base64_encode(const void *data, size_t len, char **ret, size_t *ret_len);

/* Decodes standard, padded base64 (the length a multiple of 4, "=" only at the end; no
 * whitespace) into a malloc'd buffer (NUL-terminated for convenience, not counted). Returns 0,
 * -ENOMEM, or -EINVAL with *ret_bad_pos (if given) set to the offset of the first character
 * that is wrong. */
int base64_decode(const char *s, size_t len, unsigned char **ret, size_t *ret_len,
                  size_t *ret_bad_pos);
