/* Quoting: '...' (literal), "..." (expansions inside, a few escapes) and $'...' (escapes
 * decoded as bash does, so $'\x72\x6d' is the literal word rm). */
#include <string.h>

#include "basic/macros.h"
#include "sh-tokenize-internal.h"

void sh_lex_squote(Lexer *lx, Builder *b)
{
        const char *q;

        lx->pos++;
        q = memchr(lx->s + lx->pos, '\'', lx->end - lx->pos);
        if (!q) {
                sh_builder_lit(lx->ctx, b, lx->s + lx->pos, lx->end - lx->pos, SH_PART_SQUOTED);
                if (b)
                        b->flags |= SH_TOK_UNTERMINATED | SH_WORD_QUOTED;
                lx->pos = lx->end;
                return;
        }
        sh_builder_lit(lx->ctx, b, lx->s + lx->pos, (size_t)(q - (lx->s + lx->pos)),
                       SH_PART_SQUOTED);
        if (b)
                b->flags |= SH_WORD_QUOTED;
        lx->pos = (size_t)(q - lx->s) + 1;
}

void sh_lex_dquote(Lexer *lx, Builder *b, uint32_t list, uint32_t depth)
{
        if (b)
                b->flags |= SH_WORD_QUOTED;
        lx->pos++;
        while (lx->pos < lx->end && !lx->ctx->stop) {
                char c = lx->s[lx->pos], d = peek(lx, lx->pos + 1);
                size_t run;

                if (c == '"') {
                        lx->pos++;
                        return;
                }
                if (c == '\\') {
                        if (d == '\n') { /* line continuation */
                                lx->pos += 2;
                        } else if (d == '$' || d == '`' || d == '"' || d == '\\') {
                                sh_builder_byte(lx->ctx, b, d, SH_PART_DQUOTED);
                                lx->pos += 2;
                        } else {
                                sh_builder_byte(lx->ctx, b, '\\', SH_PART_DQUOTED);
                                lx->pos++;
                        }
                } else if (c == '$') {
                        sh_lex_dollar(lx, b, list, depth, true);
                } else if (c == '`') {
                        sh_lex_backtick(lx, b, list, depth, true);
                } else {
                        for (run = 1; lx->pos + run < lx->end; run++) {
                                char e = lx->s[lx->pos + run];

                                if (e == '"' || e == '\\' || e == '$' || e == '`')
                                        break;
                        }
                        sh_builder_lit(lx->ctx, b, lx->s + lx->pos, run, SH_PART_DQUOTED);
                        lx->pos += run;
                }
        }
        if (b)
                b->flags |= SH_TOK_UNTERMINATED;
}

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Encodes a code point as UTF-8 into out; returns its length. */
static size_t utf8_encode(uint32_t cp, char out[static 4])
{
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                cp = 0xfffd;
        if (cp < 0x80) {
                out[0] = (char)cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char)(0xc0 | cp >> 6);
                out[1] = (char)(0x80 | (cp & 0x3f));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char)(0xe0 | cp >> 12);
                out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
                out[2] = (char)(0x80 | (cp & 0x3f));
                return 3;
        }
        out[0] = (char)(0xf0 | cp >> 18);
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[3] = (char)(0x80 | (cp & 0x3f));
        return 4;
}

/* Reads up to max digits of the given base at pos; returns how many. */
static size_t read_digits(Lexer *lx, int base, size_t max, uint32_t *ret)
{
        size_t n = 0;
        uint32_t v = 0;

        while (n < max && lx->pos < lx->end) {
                int d = hexval(lx->s[lx->pos]);

                if (d < 0 || d >= base)
                        break;
                v = v * (uint32_t)base + (uint32_t)d;
                lx->pos++;
                n++;
        }
        *ret = v;
        return n;
}

/* The escape after a backslash in $'...', decoded into out; returns its length, 0 for an
 * encoded NUL (where bash ends the string). */
static size_t ansi_escape(Lexer *lx, char out[static 4])
{
        /* Pairs: the letter, what it stands for. */
        static const char simple[] = "n\nt\tr\ra\ab\bf\fv\ve\033E\033\\\\''\"\"??";
        char d = lx->s[lx->pos++];
        uint32_t v;

        for (size_t i = 0; simple[i]; i += 2)
                if (simple[i] == d) {
                        out[0] = simple[i + 1];
                        return 1;
                }
        switch (d) {
        case 'c': /* control character: \cA is 0x01 */
                out[0] = (char)(peek(lx, lx->pos) & 0x1f);
                lx->pos = MIN(lx->pos + 1, lx->end);
                return out[0] ? 1 : 0;
        case 'x':
        case 'u':
        case 'U':
                if (read_digits(lx, 16, d == 'x' ? 2 : d == 'u' ? 4 : 8, &v) == 0)
                        break; /* no digits: kept as written */
                if (d == 'x') {
                        out[0] = (char)v;
                        return v ? 1 : 0;
                }
                return v ? utf8_encode(v, out) : 0;
        default:
                if (d >= '0' && d <= '7') {
                        lx->pos--;
                        read_digits(lx, 8, 3, &v);
                        out[0] = (char)v;
                        return out[0] ? 1 : 0;
                }
        }
        out[0] = '\\';
        out[1] = d;
        return 2;
}

/* $'...': escapes decoded as bash does, so $'\x72\x6d' is the literal word rm. */
void sh_lex_ansi(Lexer *lx, Builder *b)
{
        bool cut = false; /* after an encoded NUL: bash drops the rest */

        lx->pos += 2;
        while (lx->pos < lx->end && !lx->ctx->stop) {
                char c = lx->s[lx->pos++], out[4];
                size_t n = 1;

                if (c == '\'') {
                        if (b)
                                b->flags |= SH_WORD_QUOTED;
                        return;
                }
                if (c == '\\' && lx->pos < lx->end) {
                        n = ansi_escape(lx, out);
                        cut |= n == 0;
                } else
                        out[0] = c;
                if (!cut)
                        sh_builder_lit(lx->ctx, b, out, n, SH_PART_ANSI);
        }
        lx->pos = MIN(lx->pos, lx->end);
        if (b)
                b->flags |= SH_TOK_UNTERMINATED | SH_WORD_QUOTED;
}
