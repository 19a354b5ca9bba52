/* The values of Python tokens (py-tokenize.h): a NAME or OP compared with a word, a string
 * literal with its escapes decoded, a name folded the way Python folds identifiers (NFKC), so
 * that the rules see what the interpreter will see. */
#include <stdint.h>
#include <string.h>

#include "basic/macros.h"
#include "basic/utf8.h"
#include "py-tokenize.h"

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

bool py_token_is(const char *data, const PyToken *tok, const char *s)
{
        /* The first byte first: this runs for most tokens, against most words. */
        if ((tok->type != PY_TOK_NAME && tok->type != PY_TOK_OP) || tok->len == 0 ||
            data[tok->start] != s[0])
                return false;
        return strlen(s) == tok->len && memcmp(data + tok->start, s, tok->len) == 0;
}

/* Appends one byte to the value, counting what does not fit. */
static void put(char *buf, size_t size, size_t *n, char c)
{
        if (*n < size)
                buf[*n] = c;
        (*n)++;
}

static void put_utf8(char *buf, size_t size, size_t *n, uint32_t cp)
{
        if (cp < 0x80)
                put(buf, size, n, (char)cp);
        else if (cp < 0x800) {
                put(buf, size, n, (char)(0xc0 | cp >> 6));
                put(buf, size, n, (char)(0x80 | (cp & 0x3f)));
        } else if (cp < 0x10000) {
                put(buf, size, n, (char)(0xe0 | cp >> 12));
                put(buf, size, n, (char)(0x80 | ((cp >> 6) & 0x3f)));
                put(buf, size, n, (char)(0x80 | (cp & 0x3f)));
        } else {
                put(buf, size, n, (char)(0xf0 | cp >> 18));
                put(buf, size, n, (char)(0x80 | ((cp >> 12) & 0x3f)));
                put(buf, size, n, (char)(0x80 | ((cp >> 6) & 0x3f)));
                put(buf, size, n, (char)(0x80 | (cp & 0x3f)));
        }
}

static int hex_value(char c)
{
        if (is_digit(c))
                return c - '0';
        if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
                return (c | 0x20) - 'a' + 10;
        return -1;
}

/* Reads exactly n hex digits at p (p + n <= end), or returns -1. */
static int64_t read_hex(const char *p, const char *end, int n)
{
        int64_t v = 0;

        if (end - p < n)
                return -1;
        for (int i = 0; i < n; i++) {
                int h = hex_value(p[i]);

                if (h < 0)
                        return -1;
                v = v << 4 | h;
        }
        return v;
}

/* One escape sequence after a backslash at *pp (which points past the backslash). */
static void unescape(const char **pp, const char *end, bool bytes, char *buf, size_t size,
                     size_t *n)
{
        static const char simple_in[] = "\\'\"abfnrtv";
        static const char simple_out[] = "\\'\"\a\b\f\n\r\t\v";
        const char *p = *pp, *s;
        int64_t v;
        int digits;

        if (p >= end) {
                put(buf, size, n, '\\');
                return;
        }
        if (*p == '\n' || *p == '\r') { /* line continuation inside the string */
                p += *p == '\r' && p + 1 < end && p[1] == '\n' ? 2 : 1;
        } else if (*p && (s = strchr(simple_in, *p))) {
                put(buf, size, n, simple_out[s - simple_in]);
                p++;
        } else if (*p >= '0' && *p <= '7') {
                for (v = 0, digits = 0; digits < 3 && p < end && *p >= '0' && *p <= '7'; digits++)
                        v = v * 8 + (*p++ - '0');
                if (bytes)
                        put(buf, size, n, (char)(v & 0xff));
                else
                        put_utf8(buf, size, n, (uint32_t)v);
        } else if (*p == 'x' && (v = read_hex(p + 1, end, 2)) >= 0) {
                if (bytes)
                        put(buf, size, n, (char)v);
                else
                        put_utf8(buf, size, n, (uint32_t)v);
                p += 3;
        } else if (!bytes && (*p == 'u' || *p == 'U') &&
                   (v = read_hex(p + 1, end, *p == 'u' ? 4 : 8)) >= 0 && v <= 0x10ffff) {
                put_utf8(buf, size, n, (uint32_t)v);
                p += *p == 'u' ? 5 : 9;
        } else {
                /* Unknown escapes and \N{...} stay as written. */
                put(buf, size, n, '\\');
        }
        *pp = p;
}

size_t py_string_value(const char *data, const PyToken *tok, char *buf, size_t size)
{
        const char *p = data + tok->start, *end = p + tok->len;
        bool raw = tok->flags & PY_TOKF_RAW, bytes = tok->flags & PY_TOKF_BYTES;
        bool fstring_text = tok->type == PY_TOK_FSTRING_MIDDLE;
        size_t n = 0;

        if (tok->type == PY_TOK_STRING) {
                size_t q;

                while (p < end && *p != '\'' && *p != '"')
                        p++; /* prefix */
                q = tok->flags & PY_TOKF_TRIPLE ? 3 : 1;
                p += MIN(q, (size_t)(end - p));
                if (!(tok->flags & PY_TOKF_UNTERMINATED))
                        end -= MIN(q, (size_t)(end - p));
        } else if (!fstring_text)
                return 0;

        while (p < end) {
                char c = *p++;

                if (c == '\\' && !raw)
                        unescape(&p, end, bytes, buf, size, &n);
                else if (fstring_text && (c == '{' || c == '}') && p < end && *p == c) {
                        put(buf, size, &n, c);
                        p++;
                } else
                        put(buf, size, &n, c);
        }
        return n;
}

/* NFKC of the characters that fold to ASCII letters, digits or "_" (see py_name_value()). */
static const char *fold_code_point(uint32_t cp, char one[2])
{
        /* Letterlike symbols: the letters the mathematical alphanumerics leave out, and more. */
        static const struct {
                uint16_t cp;
                char c;
        } letterlike[] = {
            {0x2102, 'C'}, {0x210a, 'g'}, {0x210b, 'H'}, {0x210c, 'H'}, {0x210d, 'H'},
            {0x210e, 'h'}, {0x2110, 'I'}, {0x2111, 'I'}, {0x2112, 'L'}, {0x2113, 'l'},
            {0x2115, 'N'}, {0x2119, 'P'}, {0x211a, 'Q'}, {0x211b, 'R'}, {0x211c, 'R'},
            {0x211d, 'R'}, {0x2124, 'Z'}, {0x2128, 'Z'}, {0x212c, 'B'}, {0x212d, 'C'},
            {0x212f, 'e'}, {0x2130, 'E'}, {0x2131, 'F'}, {0x2133, 'M'}, {0x2134, 'o'},
            {0x2139, 'i'}, {0x00aa, 'a'}, {0x00ba, 'o'}, {0x017f, 's'},
        };
        static const char *const ligatures[] = {"ff", "fi", "fl", "ffi", "ffl", "st", "st"};
        int c = -1;

        if (cp >= 0xff10 && cp <= 0xff19)
                c = '0' + (int)(cp - 0xff10);
        else if (cp >= 0xff21 && cp <= 0xff3a)
                c = 'A' + (int)(cp - 0xff21);
        else if (cp >= 0xff41 && cp <= 0xff5a)
                c = 'a' + (int)(cp - 0xff41);
        else if (cp == 0xff3f)
                c = '_';
        else if (cp >= 0x1d400 && cp <= 0x1d6a3) {
                /* Thirteen alphabets of 52 letters (bold, italic, script, fraktur, ...). */
                int k = (int)((cp - 0x1d400) % 52);

                c = k < 26 ? 'A' + k : 'a' + k - 26;
        } else if (cp >= 0x1d7ce && cp <= 0x1d7ff)
                c = '0' + (int)((cp - 0x1d7ce) % 10);
        else if (cp >= 0xfb00 && cp <= 0xfb06)
                return ligatures[cp - 0xfb00];
        else
                for (size_t i = 0; i < sizeof(letterlike) / sizeof(letterlike[0]); i++)
                        if (letterlike[i].cp == cp)
                                c = letterlike[i].c;
        if (c < 0)
                return NULL;
        one[0] = (char)c;
        one[1] = '\0';
        return one;
}

int py_name_value(const char *data, const PyToken *tok, char *buf, size_t size, bool *ret_folded)
{
        const char *p = data + tok->start, *end = p + tok->len;
        bool folded = false;
        size_t n = 0;

        while (p < end) {
                char one[2];
                const char *s;
                uint32_t cp;
                size_t k;
                int r;

                if ((unsigned char)*p < 0x80) {
                        if (n + 1 >= size)
                                return -1;
                        buf[n++] = *p++;
                        continue;
                }
                r = utf8_decode(p, (size_t)(end - p), &cp);
                if (r < 0 || !(s = fold_code_point(cp, one)))
                        return -1;
                p += r;
                folded = true;
                k = strlen(s);
                if (n + k >= size)
                        return -1;
                memcpy(buf + n, s, k);
                n += k;
        }
        if (n >= size)
                return -1;
        buf[n] = '\0';
        if (ret_folded)
                *ret_folded = folded;
        return (int)n;
}
