/* Strict UTF-8 (RFC 3629): what may go into a JSON string as is, and a lossy copy for what may
 * not. Strict means no overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF,
 * no 5- or 6-byte forms. NUL is a valid code point: callers pass lengths, not C strings. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The replacement character U+FFFD, encoded. */
#define UTF8_REPLACEMENT     "\xef\xbf\xbd"
#define UTF8_REPLACEMENT_LEN 3

/* Decodes the one sequence at the start of s. Returns its length (1..4) and writes the code
 * point, or -EILSEQ when the first byte does not start a valid sequence (then nothing is
 * written), or -EINVAL when len is 0. */
int utf8_decode(const char *s, size_t len, uint32_t *ret_cp);

bool utf8_is_valid(const char *s, size_t len);

/* A copy of s where every byte that is not part of a valid sequence becomes U+FFFD: one
 * replacement per invalid byte, so a cut 3-byte sequence gives two. The copy is NUL-terminated
 * (and may hold NULs of its own). Returns 0, -ENOMEM, or -EOVERFLOW for absurd lengths. */
int utf8_make_valid(const char *s, size_t len, char **ret, size_t *ret_len);
