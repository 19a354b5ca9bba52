/* String values folded from literals (Str): a growable buffer bounded by FOLD_MAX, and the
 * decoders constant folding applies to them (base64, hex, rot13, codecs.decode). */
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"
#include "scan-python-internal.h"

void py_str_done(Str *s)
{
        free(s->p);
        *s = (Str){};
}

static bool str_reserve(Str *s, size_t more)
{
        size_t want;
        char *p;

        if (more > FOLD_MAX || s->len > FOLD_MAX - more)
                return false;
        want = s->len + more;
        if (want + 1 <= s->cap)
                return true;
        want = MAX(want + 1, MIN(s->cap * 2, (size_t)FOLD_MAX + 1));
        p = realloc(s->p, want);
        if (!p)
                return false;
        s->p = p;
        s->cap = want;
        return true;
}

bool py_str_append(Str *s, const char *p, size_t n)
{
        if (!str_reserve(s, n))
                return false;
        if (n > 0)
                memcpy(s->p + s->len, p, n);
        s->len += n;
        s->p[s->len] = '\0';
        return true;
}

bool py_str_append_cp(Str *s, uint32_t cp)
{
        char b[4];
        size_t n;

        if (cp < 0x80) {
                b[0] = (char)cp;
                n = 1;
        } else if (cp < 0x800) {
                b[0] = (char)(0xc0 | cp >> 6);
                b[1] = (char)(0x80 | (cp & 0x3f));
                n = 2;
        } else if (cp < 0x10000) {
                b[0] = (char)(0xe0 | cp >> 12);
                b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
                b[2] = (char)(0x80 | (cp & 0x3f));
                n = 3;
        } else if (cp <= 0x10ffff) {
                b[0] = (char)(0xf0 | cp >> 18);
                b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
                b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
                b[3] = (char)(0x80 | (cp & 0x3f));
                n = 4;
        } else
                return false;
        return py_str_append(s, b, n);
}

bool py_str_is(const Str *s, const char *lit)
{
        return !(s->flags & STR_INT) && s->len == strlen(lit) && memcmp(s->p, lit, s->len) == 0;
}

bool py_str_replace_all(Str *v, const Str *from, const Str *to)
{
        Str out = {.flags = v->flags};

        if (from->len == 0)
                return false;
        for (size_t i = 0; i < v->len;) {
                if (i + from->len <= v->len && memcmp(v->p + i, from->p, from->len) == 0) {
                        if (!py_str_append(&out, to->p, to->len)) {
                                py_str_done(&out);
                                return false;
                        }
                        i += from->len;
                } else if (!py_str_append(&out, v->p + i++, 1)) {
                        py_str_done(&out);
                        return false;
                }
        }
        if (!out.p && !py_str_append(&out, "", 0))
                return false;
        free(v->p);
        *v = out;
        return true;
}

static int b64_digit(char ch, bool url)
{
        if (ch >= 'A' && ch <= 'Z')
                return ch - 'A';
        if (ch >= 'a' && ch <= 'z')
                return ch - 'a' + 26;
        if (ch >= '0' && ch <= '9')
                return ch - '0' + 52;
        if (ch == (url ? '-' : '+'))
                return 62;
        if (ch == (url ? '_' : '/'))
                return 63;
        return -1;
}

/* As base64.b64decode() without validate: other characters are dropped, '=' ends the data. */
bool py_str_decode_b64(const Str *in, Str *out, bool url)
{
        uint32_t acc = 0;
        int bits = 0;

        for (size_t i = 0; i < in->len && in->p[i] != '='; i++) {
                int d = b64_digit(in->p[i], url);

                if (d < 0)
                        continue;
                acc = acc << 6 | (uint32_t)d;
                bits += 6;
                if (bits >= 8) {
                        char ch = (char)(acc >> (bits - 8));

                        bits -= 8;
                        if (!py_str_append(out, &ch, 1))
                                return false;
                }
        }
        return true;
}

bool py_str_decode_hex(const Str *in, Str *out)
{
        int hi = -1;

        for (size_t i = 0; i < in->len; i++) {
                char ch = in->p[i];
                int d = ch >= '0' && ch <= '9'                     ? ch - '0'
                        : (ch | 0x20) >= 'a' && (ch | 0x20) <= 'f' ? (ch | 0x20) - 'a' + 10
                                                                   : -1;

                if (d < 0) {
                        if (ch == ' ' || ch == '\t' || ch == '\n')
                                continue;
                        return false;
                }
                if (hi < 0)
                        hi = d;
                else {
                        char byte = (char)(hi << 4 | d);

                        hi = -1;
                        if (!py_str_append(out, &byte, 1))
                                return false;
                }
        }
        return hi < 0;
}

static void rot13(Str *s)
{
        for (size_t i = 0; i < s->len; i++) {
                char ch = s->p[i];

                if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
                        char base = ch >= 'a' ? 'a' : 'A';

                        s->p[i] = (char)(base + (ch - base + 13) % 26);
                }
        }
}

/* Applies codec enc to v in place: rot13, base64, hex; text codecs leave it as is. */
bool py_str_apply_codec(Str *v, const Str *enc)
{
        Str out = {};
        bool ok;

        if (py_str_is(enc, "rot13") || py_str_is(enc, "rot_13") || py_str_is(enc, "rot-13")) {
                rot13(v);
                v->flags |= STR_DECODED;
                return true;
        }
        if (py_str_is(enc, "base64") || py_str_is(enc, "base_64") || py_str_is(enc, "b64"))
                ok = py_str_decode_b64(v, &out, false);
        else if (py_str_is(enc, "hex") || py_str_is(enc, "hex_codec"))
                ok = py_str_decode_hex(v, &out);
        else if (enc->len >= 3 &&
                 (strncasecmp(enc->p, "utf", 3) == 0 || strncasecmp(enc->p, "ascii", 5) == 0 ||
                  strncasecmp(enc->p, "latin", 5) == 0))
                return true;
        else {
                v->flags |= STR_DECODED; /* zlib, bz2, uu...: decoded, value unknown */
                return false;
        }
        if (ok) {
                free(v->p);
                v->p = out.p;
                v->len = out.len;
                v->cap = out.cap;
                v->flags |= STR_DECODED;
        } else
                py_str_done(&out);
        return ok;
}
