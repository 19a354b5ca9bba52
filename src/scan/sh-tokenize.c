/* Shell tokenizer: one pass over the bytes, nested bodies lexed in place. See sh-tokenize.h. */
#include <errno.h>
#include <string.h>

#include "basic/macros.h"
#include "sh-tokenize.h"

#define CASE_STACK 32 /* nested case statements tracked per list; deeper ones are plain words */

typedef struct Builder {
        char *text; /* the word's text so far; parts point into it until the word is emitted */
        size_t n, cap;
        ShPart *parts;
        size_t n_parts, cap_parts;
        uint32_t flags; /* SH_TOK_* and SH_WORD_* for the token */
} Builder;

typedef struct Pending {
        uint32_t op;    /* the << token */
        uint32_t delim; /* offset in ts->text */
        uint32_t delim_len;
        bool strip, quoted;
} Pending;

/* What every buffer of one sh_tokenize() call shares. */
typedef struct Ctx {
        ShTokens *ts;
        size_t cap_tokens, cap_parts, cap_lists, cap_text, cap_copies;
        Builder builders[SH_MAX_DEPTH + 1]; /* one per nesting depth, reused word to word */
        int err;
        bool stop; /* out of memory or SH_MAX_TOKENS: unwind */
} Ctx;

/* One buffer: the script, or a backtick body with its escapes removed. */
typedef struct Lexer {
        Ctx *ctx;
        const char *s;
        size_t len; /* of the buffer */
        size_t end; /* where lexing stops: len, or the end of a here-doc body */
        size_t pos;
        bool mapped; /* a copy: positions are moved to where it sits in the parent */
        uint32_t base_line, base_col;
        size_t cur_off, cur_line_start; /* position cursor, moving forward */
        uint32_t cur_line;
        Pending *pending;
        size_t n_pending, cap_pending;
} Lexer;

static const char *const op_names[_SH_OP_MAX] = {
    [SH_OP_NONE] = "",      [SH_OP_PIPE] = "|",        [SH_OP_PIPE_AMP] = "|&",
    [SH_OP_OR] = "||",      [SH_OP_AND] = "&&",        [SH_OP_SEMI] = ";",
    [SH_OP_DSEMI] = ";;",   [SH_OP_SEMI_AMP] = ";&",   [SH_OP_DSEMI_AMP] = ";;&",
    [SH_OP_AMP] = "&",      [SH_OP_LPAREN] = "(",      [SH_OP_RPAREN] = ")",
    [SH_OP_GREAT] = ">",    [SH_OP_DGREAT] = ">>",     [SH_OP_CLOBBER] = ">|",
    [SH_OP_LESS] = "<",     [SH_OP_LESSGREAT] = "<>",  [SH_OP_GREATAND] = ">&",
    [SH_OP_LESSAND] = "<&", [SH_OP_AMP_GREAT] = "&>",  [SH_OP_AMP_DGREAT] = "&>>",
    [SH_OP_DLESS] = "<<",   [SH_OP_DLESSDASH] = "<<-", [SH_OP_TLESS] = "<<<",
};

const char *sh_op_to_string(ShOp op)
{
        return op < _SH_OP_MAX ? op_names[op] : "?";
}

bool sh_op_is_redirection(ShOp op)
{
        return op >= SH_OP_GREAT && op <= SH_OP_TLESS;
}

/* Grows *p (of elements of size sz) to hold at least need. */
static int grow(Ctx *ctx, void **p, size_t *cap, size_t need, size_t sz)
{
        size_t n;
        void *q;

        if (need <= *cap)
                return 0;
        n = MAX(*cap * 2, MAX(need, (size_t)16));
        if (n > SIZE_MAX / sz || !(q = realloc(*p, n * sz))) {
                ctx->err = -ENOMEM;
                ctx->stop = true;
                return -ENOMEM;
        }
        *p = q;
        *cap = n;
        return 0;
}

/* Through a void * of its own: writing a char ** as a void ** would break aliasing rules. */
#define GROW(ctx, arr, cap, need)                                                                  \
        ({                                                                                         \
                void *_p = (arr);                                                                  \
                int _r = grow(ctx, &_p, &(cap), (need), sizeof(*(arr)));                           \
                (arr) = _p;                                                                        \
                _r;                                                                                \
        })

static void where(Lexer *lx, size_t off, uint32_t *ret_line, uint32_t *ret_col)
{
        uint32_t line, col;

        if (off > lx->len)
                off = lx->len;
        if (off < lx->cur_off) { /* never expected: tokens start in order; stay correct anyway */
                lx->cur_off = lx->cur_line_start = 0;
                lx->cur_line = 1;
        }
        while (lx->cur_off < off) {
                const char *nl = memchr(lx->s + lx->cur_off, '\n', off - lx->cur_off);

                if (!nl) {
                        lx->cur_off = off;
                        break;
                }
                lx->cur_line++;
                lx->cur_off = lx->cur_line_start = (size_t)(nl - lx->s) + 1;
        }
        line = lx->cur_line;
        col = (uint32_t)(off - lx->cur_line_start) + 1;
        if (lx->mapped) {
                if (line == 1)
                        col += lx->base_col - 1;
                line += lx->base_line - 1;
        }
        *ret_line = line;
        *ret_col = col;
}

static void hit_limit(Lexer *lx, size_t off)
{
        ShTokens *ts = lx->ctx->ts;

        if (ts->limit_hit)
                return;
        ts->limit_hit = true;
        where(lx, off, &ts->limit_line, &ts->limit_column);
}

static uint32_t add_list(Lexer *lx, ShListKind kind, uint32_t parent, uint32_t depth)
{
        Ctx *ctx = lx->ctx;
        ShTokens *ts = ctx->ts;

        if (GROW(ctx, ts->lists, ctx->cap_lists, ts->n_lists + 1) < 0)
                return SH_NONE;
        ts->lists[ts->n_lists] = (ShList){
            .kind = kind,
            .parent = parent,
            .token = SH_NONE,
            .depth = depth,
            .src = lx->s,
            .src_len = lx->len,
        };
        return (uint32_t)ts->n_lists++;
}

/* Appends a token starting at off; returns its index or SH_NONE (and stops) when full. */
static uint32_t add_token(Lexer *lx, ShTokenKind kind, uint32_t list, size_t off, size_t len)
{
        Ctx *ctx = lx->ctx;
        ShTokens *ts = ctx->ts;
        ShToken *t;

        if (ts->n_tokens >= SH_MAX_TOKENS) {
                hit_limit(lx, off);
                ctx->stop = true;
                return SH_NONE;
        }
        if (GROW(ctx, ts->tokens, ctx->cap_tokens, ts->n_tokens + 1) < 0)
                return SH_NONE;
        t = &ts->tokens[ts->n_tokens];
        *t = (ShToken){
            .kind = (uint8_t)kind,
            .io_number = -1,
            .list = list,
            .offset = (uint32_t)off,
            .length = (uint32_t)len,
            .heredoc = SH_NONE,
        };
        where(lx, off, &t->line, &t->column);
        return (uint32_t)ts->n_tokens++;
}

/* Lists created since first that nobody claimed belong to token tok (a word, a here-doc). */
static void claim_lists(ShTokens *ts, uint32_t first, uint32_t list, uint32_t tok)
{
        for (size_t i = first; i < ts->n_lists; i++)
                if (ts->lists[i].parent == list && ts->lists[i].token == SH_NONE)
                        ts->lists[i].token = tok;
}

/* ---- building a word ---- */

static void b_reset(Builder *b)
{
        if (!b)
                return;
        b->n = b->n_parts = 0;
        b->flags = 0;
}

static int b_text(Ctx *ctx, Builder *b, const char *p, size_t n)
{
        if (GROW(ctx, b->text, b->cap, b->n + n + 1) < 0)
                return -ENOMEM;
        memcpy(b->text + b->n, p, n);
        b->n += n;
        return 0;
}

/* Literal bytes, NULs dropped (bash drops them from its input, so "r\0m" runs rm). */
static void b_lit(Ctx *ctx, Builder *b, const char *p, size_t n, uint8_t flags)
{
        ShPart *last;
        size_t before;

        if (!b)
                return;
        if (flags & (SH_PART_SQUOTED | SH_PART_DQUOTED | SH_PART_ANSI | SH_PART_ESCAPED))
                b->flags |= SH_WORD_QUOTED;
        last = b->n_parts > 0 ? &b->parts[b->n_parts - 1] : NULL;
        if (!last || last->kind != SH_PART_LITERAL) {
                if (GROW(ctx, b->parts, b->cap_parts, b->n_parts + 1) < 0)
                        return;
                last = &b->parts[b->n_parts++];
                *last = (ShPart){
                    .kind = SH_PART_LITERAL,
                    .text = (uint32_t)b->n,
                    .name = (uint32_t)b->n, /* no name: empty, inside the part */
                    .list = SH_NONE,
                };
        }
        last->flags |= flags;
        before = b->n;
        if (GROW(ctx, b->text, b->cap, b->n + n + 1) < 0)
                return;
        for (size_t i = 0; i < n; i++)
                if (p[i] != '\0')
                        b->text[b->n++] = p[i];
        last->text_len += (uint32_t)(b->n - before);
}

static void b_byte(Ctx *ctx, Builder *b, char c, uint8_t flags)
{
        b_lit(ctx, b, &c, 1, flags);
}

/* A part that is not literal: its short form text, the name inside it at name_off. */
static void b_part(Ctx *ctx, Builder *b, ShPartKind kind, uint8_t flags, const char *text,
                   size_t text_len, size_t name_off, size_t name_len, uint32_t list)
{
        ShPart *part;
        size_t at;

        if (!b)
                return;
        if (flags & SH_PART_DQUOTED)
                b->flags |= SH_WORD_QUOTED;
        b->flags |= SH_WORD_EXPANDS;
        if (GROW(ctx, b->parts, b->cap_parts, b->n_parts + 1) < 0)
                return;
        at = b->n;
        if (b_text(ctx, b, text, text_len) < 0)
                return;
        part = &b->parts[b->n_parts++];
        *part = (ShPart){
            .kind = (uint8_t)kind,
            .flags = flags,
            .text = (uint32_t)at,
            .text_len = (uint32_t)text_len,
            .name = (uint32_t)(at + name_off),
            .name_len = (uint32_t)name_len,
            .list = list,
        };
}

/* Moves the builder into the token arrays as token tok's text and parts. */
static void b_emit(Ctx *ctx, Builder *b, uint32_t tok)
{
        ShTokens *ts = ctx->ts;
        ShToken *t = &ts->tokens[tok];
        size_t base = ts->text_len;

        if (GROW(ctx, ts->text, ctx->cap_text, ts->text_len + b->n + 1) < 0 ||
            GROW(ctx, ts->parts, ctx->cap_parts, ts->n_parts + b->n_parts) < 0)
                return;
        if (b->n > 0)
                memcpy(ts->text + base, b->text, b->n);
        ts->text[base + b->n] = '\0';
        ts->text_len += b->n + 1;
        t->text = (uint32_t)base;
        t->text_len = (uint32_t)b->n;
        t->first_part = (uint32_t)ts->n_parts;
        t->n_parts = (uint32_t)b->n_parts;
        for (size_t i = 0; i < b->n_parts; i++) {
                ShPart p = b->parts[i];

                p.text += (uint32_t)base;
                p.name += (uint32_t)base;
                ts->parts[ts->n_parts++] = p;
        }
        t->flags |= b->flags;
}

/* ---- scanning helpers ---- */

static bool is_name_start(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
        return is_name_start(c) || (c >= '0' && c <= '9');
}

static bool is_special_param(char c)
{
        return c == '@' || c == '*' || c == '#' || c == '?' || c == '$' || c == '!' || c == '-' ||
               (c >= '0' && c <= '9');
}

static char peek(const Lexer *lx, size_t at)
{
        return at < lx->end ? lx->s[at] : '\0';
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

/* Skips to the matching close without lexing, for input past SH_MAX_DEPTH: iterative, so deep
 * input cannot exhaust the stack; quotes are honoured so that their brackets do not count. */
static void skip_balanced(Lexer *lx, char open, char close)
{
        size_t level = 0;

        while (lx->pos < lx->end) {
                char c = lx->s[lx->pos];

                if (c == '\\') {
                        lx->pos += 2;
                } else if (c == '\'' || c == '"') {
                        lx->pos++;
                        while (lx->pos < lx->end && lx->s[lx->pos] != c) {
                                if (c == '"' && lx->s[lx->pos] == '\\')
                                        lx->pos++;
                                lx->pos++;
                        }
                        lx->pos++;
                } else if (c == open) {
                        level++;
                        lx->pos++;
                } else if (c == close) {
                        lx->pos++;
                        if (level-- == 0)
                                return;
                } else
                        lx->pos++;
        }
        lx->pos = MIN(lx->pos, lx->end);
}

static void lex_list(Lexer *lx, uint32_t list, uint32_t depth, bool until_paren);
static void lex_dollar(Lexer *lx, Builder *b, uint32_t list, uint32_t depth, bool quoted);
static void lex_backtick(Lexer *lx, Builder *b, uint32_t list, uint32_t depth, bool quoted);

static void lex_squote(Lexer *lx, Builder *b)
{
        const char *q;

        lx->pos++;
        q = memchr(lx->s + lx->pos, '\'', lx->end - lx->pos);
        if (!q) {
                b_lit(lx->ctx, b, lx->s + lx->pos, lx->end - lx->pos, SH_PART_SQUOTED);
                if (b)
                        b->flags |= SH_TOK_UNTERMINATED | SH_WORD_QUOTED;
                lx->pos = lx->end;
                return;
        }
        b_lit(lx->ctx, b, lx->s + lx->pos, (size_t)(q - (lx->s + lx->pos)), SH_PART_SQUOTED);
        if (b)
                b->flags |= SH_WORD_QUOTED;
        lx->pos = (size_t)(q - lx->s) + 1;
}

static void lex_dquote(Lexer *lx, Builder *b, uint32_t list, uint32_t depth)
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
                                b_byte(lx->ctx, b, d, SH_PART_DQUOTED);
                                lx->pos += 2;
                        } else {
                                b_byte(lx->ctx, b, '\\', SH_PART_DQUOTED);
                                lx->pos++;
                        }
                } else if (c == '$') {
                        lex_dollar(lx, b, list, depth, true);
                } else if (c == '`') {
                        lex_backtick(lx, b, list, depth, true);
                } else {
                        for (run = 1; lx->pos + run < lx->end; run++) {
                                char e = lx->s[lx->pos + run];

                                if (e == '"' || e == '\\' || e == '$' || e == '`')
                                        break;
                        }
                        b_lit(lx->ctx, b, lx->s + lx->pos, run, SH_PART_DQUOTED);
                        lx->pos += run;
                }
        }
        if (b)
                b->flags |= SH_TOK_UNTERMINATED;
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
static void lex_ansi(Lexer *lx, Builder *b)
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
                        b_lit(lx->ctx, b, out, n, SH_PART_ANSI);
        }
        lx->pos = MIN(lx->pos, lx->end);
        if (b)
                b->flags |= SH_TOK_UNTERMINATED | SH_WORD_QUOTED;
}

/* $( <( >( : the body is a list of its own, lexed now. */
static void lex_subst(Lexer *lx, Builder *b, uint32_t list, uint32_t depth, ShListKind kind)
{
        static const struct {
                ShPartKind part;
                const char *text;
        } forms[] = {
            [SH_LIST_CMDSUB] = {SH_PART_CMDSUB, "$(...)"},
            [SH_LIST_PROCSUB_IN] = {SH_PART_PROCSUB_IN, "<(...)"},
            [SH_LIST_PROCSUB_OUT] = {SH_PART_PROCSUB_OUT, ">(...)"},
        };
        uint32_t sub = SH_NONE;

        lx->pos += 2;
        if (depth + 1 > SH_MAX_DEPTH) {
                hit_limit(lx, lx->pos);
                skip_balanced(lx, '(', ')');
        } else {
                sub = add_list(lx, kind, list, depth + 1);
                if (sub == SH_NONE)
                        return;
                lex_list(lx, sub, depth + 1, true);
                if (lx->ctx->ts->lists[sub].unterminated && b)
                        b->flags |= SH_TOK_UNTERMINATED;
        }
        b_part(lx->ctx, b, forms[kind].part, 0, forms[kind].text, 6, 0, 0, sub);
}

/* The body of $((...)) or ((...)), from after the opening parentheses through the closing
 * ones. Substitutions inside are lexed as lists; the expression itself is not kept. */
static void lex_arith_body(Lexer *lx, uint32_t list, uint32_t depth)
{
        size_t level = 0;

        while (lx->pos < lx->end && !lx->ctx->stop) {
                char c = lx->s[lx->pos];

                if (c == '(') {
                        level++;
                        lx->pos++;
                } else if (c == ')') {
                        lx->pos++;
                        if (level == 0) {
                                if (peek(lx, lx->pos) == ')')
                                        lx->pos++;
                                return;
                        }
                        level--;
                } else if (c == '\\') {
                        lx->pos = MIN(lx->pos + 2, lx->end);
                } else if (c == '\'') {
                        lex_squote(lx, NULL);
                } else if (c == '"') {
                        lex_dquote(lx, NULL, list, depth);
                } else if (c == '$') {
                        lex_dollar(lx, NULL, list, depth, true);
                } else if (c == '`') {
                        lex_backtick(lx, NULL, list, depth, true);
                } else
                        lx->pos++;
        }
}

/* The operand of ${NAME<op>...}, through the closing brace; what is nested in it is lexed
 * (its substitutions run), the text itself is not kept. */
static void lex_brace_operand(Lexer *lx, Builder *b, uint32_t list, uint32_t depth, bool quoted)
{
        for (;;) {
                char c = peek(lx, lx->pos);

                if (lx->pos >= lx->end || lx->ctx->stop) {
                        if (b)
                                b->flags |= SH_TOK_UNTERMINATED;
                        return;
                }
                if (c == '}') {
                        lx->pos++;
                        return;
                }
                if (c == '\\')
                        lx->pos = MIN(lx->pos + 2, lx->end);
                else if (c == '\'' && !quoted)
                        lex_squote(lx, NULL);
                else if (c == '"')
                        lex_dquote(lx, NULL, list, depth + 1);
                else if (c == '$')
                        lex_dollar(lx, NULL, list, depth + 1, true);
                else if (c == '`')
                        lex_backtick(lx, NULL, list, depth + 1, true);
                else
                        lx->pos++;
        }
}

/* ${...}. A bare ${NAME} is a PARAM; anything else a PARAM_EXPR whose short form keeps the
 * name and the operator ("${DIR:?...}"), enough to tell a guarded expansion. */
static void lex_brace(Lexer *lx, Builder *b, uint32_t list, uint32_t depth, bool quoted)
{
        Ctx *ctx = lx->ctx;
        size_t name_start, name_end, op_len = 0, pre = 0;
        bool expr = false, guarded = false;
        char form[96];
        size_t n;

        if (depth + 1 > SH_MAX_DEPTH) {
                hit_limit(lx, lx->pos);
                lx->pos += 2;
                skip_balanced(lx, '{', '}');
                b_part(ctx, b, SH_PART_PARAM_EXPR, quoted ? SH_PART_DQUOTED : 0, "${...}", 6, 2, 0,
                       SH_NONE);
                return;
        }
        lx->pos += 2;
        if ((peek(lx, lx->pos) == '#' || peek(lx, lx->pos) == '!') &&
            peek(lx, lx->pos + 1) != '}') {
                expr = true;
                pre = 1; /* ${#NAME} length, ${!NAME} indirection */
                lx->pos++;
        }
        name_start = lx->pos;
        if (is_name_start(peek(lx, lx->pos)))
                while (is_name_char(peek(lx, lx->pos)))
                        lx->pos++;
        else if (peek(lx, lx->pos) >= '0' && peek(lx, lx->pos) <= '9')
                while (peek(lx, lx->pos) >= '0' && peek(lx, lx->pos) <= '9')
                        lx->pos++;
        else if (is_special_param(peek(lx, lx->pos)))
                lx->pos++;
        name_end = lx->pos;
        if (peek(lx, lx->pos) == '}' && !expr && name_end > name_start) {
                lx->pos++;
                n = MIN(name_end - name_start, sizeof(form) - 4);
                form[0] = '$';
                form[1] = '{';
                memcpy(form + 2, lx->s + name_start, n);
                form[2 + n] = '}';
                b_part(ctx, b, SH_PART_PARAM, quoted ? SH_PART_DQUOTED : 0, form, n + 3, 2, n,
                       SH_NONE);
                return;
        }
        while (op_len < 2 && strchr(":-=?+#%/^,@", peek(lx, name_end + op_len)) &&
               peek(lx, name_end + op_len) != '\0')
                op_len++;
        guarded = peek(lx, name_end) == '?' ||
                  (peek(lx, name_end) == ':' && peek(lx, name_end + 1) == '?');
        lex_brace_operand(lx, b, list, depth, quoted);
        n = MIN(name_end - name_start, sizeof(form) - 11);
        memcpy(form, "${", 2);
        memcpy(form + 2, lx->s + name_start - pre, pre);
        memcpy(form + 2 + pre, lx->s + name_start, n);
        memcpy(form + 2 + pre + n, lx->s + name_end, op_len);
        memcpy(form + 2 + pre + n + op_len, "...}", 4);
        b_part(ctx, b, SH_PART_PARAM_EXPR,
               (quoted ? SH_PART_DQUOTED : 0) | (guarded ? SH_PART_GUARDED : 0), form,
               pre + n + op_len + 6, 2 + pre, n, SH_NONE);
}

static void lex_dollar(Lexer *lx, Builder *b, uint32_t list, uint32_t depth, bool quoted)
{
        Ctx *ctx = lx->ctx;
        char d = peek(lx, lx->pos + 1);
        uint8_t qf = quoted ? SH_PART_DQUOTED : 0;
        size_t start = lx->pos;

        if (d == '\'' && !quoted) {
                lex_ansi(lx, b);
        } else if (d == '"' && !quoted) { /* $"..." (translated): a double-quoted string */
                lx->pos++;
                lex_dquote(lx, b, list, depth);
        } else if (d == '(' && peek(lx, lx->pos + 2) == '(') {
                lx->pos += 3;
                if (depth + 1 > SH_MAX_DEPTH) {
                        hit_limit(lx, start);
                        skip_balanced(lx, '(', ')');
                        skip_balanced(lx, '(', ')');
                } else
                        lex_arith_body(lx, list, depth + 1);
                b_part(ctx, b, SH_PART_ARITH, qf, "$((...))", 8, 0, 0, SH_NONE);
        } else if (d == '(') {
                lex_subst(lx, b, list, depth, SH_LIST_CMDSUB);
        } else if (d == '{') {
                lex_brace(lx, b, list, depth, quoted);
        } else if (is_name_start(d)) {
                lx->pos++;
                while (is_name_char(peek(lx, lx->pos)))
                        lx->pos++;
                b_part(ctx, b, SH_PART_PARAM, qf, lx->s + start, lx->pos - start, 1,
                       lx->pos - start - 1, SH_NONE);
        } else if (d != '\0' && is_special_param(d)) {
                lx->pos += 2;
                b_part(ctx, b, SH_PART_PARAM, qf, lx->s + start, 2, 1, 1, SH_NONE);
        } else {
                b_byte(ctx, b, '$', qf);
                lx->pos++;
        }
}

/* `...`: the body is copied with \` \\ \$ (and \" inside double quotes) unescaped, as the shell
 * does before parsing it, and lexed as a list of its own from the copy. */
static void lex_backtick(Lexer *lx, Builder *b, uint32_t list, uint32_t depth, bool quoted)
{
        Ctx *ctx = lx->ctx;
        ShTokens *ts = ctx->ts;
        _cleanup_free_ char *copy = NULL;
        size_t n = 0, cap = 0;
        uint32_t line, col, sub = SH_NONE;
        bool closed = false;

        lx->pos++;
        where(lx, lx->pos, &line, &col);
        if (GROW(ctx, copy, cap, 16) < 0)
                return;
        while (lx->pos < lx->end) {
                char c = lx->s[lx->pos], d = peek(lx, lx->pos + 1);

                if (c == '`') {
                        lx->pos++;
                        closed = true;
                        break;
                }
                if (GROW(ctx, copy, cap, n + 2) < 0)
                        return;
                if (c == '\\' && (d == '`' || d == '\\' || d == '$' || (quoted && d == '"'))) {
                        copy[n++] = d;
                        lx->pos += 2;
                } else {
                        copy[n++] = c;
                        lx->pos++;
                }
        }
        copy[n] = '\0';
        if (!closed && b)
                b->flags |= SH_TOK_UNTERMINATED;
        if (depth + 1 > SH_MAX_DEPTH) {
                hit_limit(lx, lx->pos);
        } else {
                Lexer sublx = {
                    .ctx = ctx,
                    .s = copy,
                    .len = n,
                    .end = n,
                    .mapped = true,
                    .base_line = line,
                    .base_col = col,
                    .cur_line = 1,
                };

                if (GROW(ctx, ts->copies, ctx->cap_copies, ts->n_copies + 1) < 0)
                        return;
                ts->copies[ts->n_copies++] = copy;
                sub = add_list(&sublx, SH_LIST_BACKTICK, list, depth + 1);
                copy = NULL; /* owned by ts->copies now */
                if (sub != SH_NONE) {
                        lex_list(&sublx, sub, depth + 1, false);
                        ts->lists[sub].unterminated = !closed;
                }
                free(sublx.pending);
        }
        b_part(ctx, b, SH_PART_CMDSUB, quoted ? SH_PART_DQUOTED : 0, "`...`", 5, 0, 0, sub);
}

static void lex_tilde(Lexer *lx, Builder *b)
{
        size_t start = lx->pos++;

        while (lx->pos < lx->end &&
               (is_name_char(lx->s[lx->pos]) || lx->s[lx->pos] == '.' || lx->s[lx->pos] == '-'))
                lx->pos++;
        b_part(lx->ctx, b, SH_PART_TILDE, 0, lx->s + start, lx->pos - start, 1, lx->pos - start - 1,
               SH_NONE);
}

static bool is_word_end(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '|' || c == '&' ||
               c == ';' || c == '(' || c == ')' || c == '<' || c == '>';
}

/* One step of a word: a quoted string, an escape, an expansion or a plain byte. */
static void lex_word_step(Lexer *lx, Builder *b, uint32_t list, uint32_t depth, size_t start)
{
        Ctx *ctx = lx->ctx;
        char c = lx->s[lx->pos], d = peek(lx, lx->pos + 1);

        switch (c) {
        case '\'':
                lex_squote(lx, b);
                return;
        case '"':
                lex_dquote(lx, b, list, depth);
                return;
        case '\\':
                if (lx->pos + 1 >= lx->end) {
                        b_byte(ctx, b, '\\', 0);
                        lx->pos++;
                } else if (d == '\n') {
                        lx->pos += 2; /* line continuation */
                } else {
                        b_byte(ctx, b, d, SH_PART_ESCAPED);
                        lx->pos += 2;
                }
                return;
        case '$':
                lex_dollar(lx, b, list, depth, false);
                return;
        case '`':
                lex_backtick(lx, b, list, depth, false);
                return;
        case '~':
                if (lx->pos == start) {
                        lex_tilde(lx, b);
                        return;
                }
                break;
        case '*':
        case '?':
        case '[':
                b_byte(ctx, b, c, SH_PART_GLOB);
                lx->pos++;
                return;
        }
        b_byte(ctx, b, c, 0);
        lx->pos++;
}

/* NAME= or NAME+=, the name unquoted: an assignment (and NAME=( an array). */
static void mark_assignment(const Lexer *lx, ShToken *t, size_t start)
{
        size_t i = start;

        while (i < lx->pos && is_name_char(lx->s[i]))
                i++;
        if (i == start || !is_name_start(lx->s[start]) || i >= lx->pos)
                return;
        if (lx->s[i] == '=' || (lx->s[i] == '+' && i + 1 < lx->pos && lx->s[i + 1] == '=')) {
                t->flags |= SH_WORD_ASSIGN;
                if (lx->s[lx->pos - 1] == '=' && peek(lx, lx->pos) == '(')
                        t->flags |= SH_WORD_ARRAY;
        }
}

/* One word, from pos; returns its token or SH_NONE when stopping. */
static uint32_t lex_word(Lexer *lx, uint32_t list, uint32_t depth)
{
        Ctx *ctx = lx->ctx;
        Builder *b = &ctx->builders[depth];
        size_t start = lx->pos, lists_before = ctx->ts->n_lists;
        uint32_t tok;

        b_reset(b);
        /* The token first, so that it is placed at the word's start and claims nested lists. */
        tok = add_token(lx, SH_TOK_WORD, list, start, 0);
        if (tok == SH_NONE)
                return SH_NONE;
        while (lx->pos < lx->end && !ctx->stop) {
                char c = lx->s[lx->pos];

                if ((c == '<' || c == '>') && peek(lx, lx->pos + 1) == '(' && lx->pos == start)
                        lex_subst(lx, b, list, depth,
                                  c == '<' ? SH_LIST_PROCSUB_IN : SH_LIST_PROCSUB_OUT);
                else if (is_word_end(c))
                        break;
                else
                        lex_word_step(lx, b, list, depth, start);
        }
        if (ctx->stop)
                return SH_NONE;
        ctx->ts->tokens[tok].length = (uint32_t)(lx->pos - start);
        b_emit(ctx, b, tok);
        mark_assignment(lx, &ctx->ts->tokens[tok], start);
        claim_lists(ctx->ts, (uint32_t)lists_before, list, tok);
        return ctx->stop ? SH_NONE : tok;
}

/* ((...)) as a command (or after for): one word holding an ARITH part. */
static uint32_t lex_arith_cmd(Lexer *lx, uint32_t list, uint32_t depth)
{
        Ctx *ctx = lx->ctx;
        Builder *b = &ctx->builders[depth];
        size_t start = lx->pos, lists_before = ctx->ts->n_lists;
        uint32_t tok;

        b_reset(b);
        tok = add_token(lx, SH_TOK_WORD, list, start, 0);
        if (tok == SH_NONE)
                return SH_NONE;
        lx->pos += 2;
        if (depth + 1 > SH_MAX_DEPTH) {
                hit_limit(lx, start);
                skip_balanced(lx, '(', ')');
                skip_balanced(lx, '(', ')');
        } else
                lex_arith_body(lx, list, depth + 1);
        b_part(ctx, b, SH_PART_ARITH, 0, "((...))", 7, 0, 0, SH_NONE);
        if (ctx->stop)
                return SH_NONE;
        ctx->ts->tokens[tok].length = (uint32_t)(lx->pos - start);
        ctx->ts->tokens[tok].flags |= SH_WORD_ARITH_CMD;
        b_emit(ctx, b, tok);
        claim_lists(ctx->ts, (uint32_t)lists_before, list, tok);
        return tok;
}

/* Scans an unquoted here-doc body for the substitutions it runs. */
static void lex_heredoc_body(Lexer *lx, uint32_t list, uint32_t depth, size_t start, size_t end)
{
        size_t saved_end = lx->end;

        lx->end = end;
        lx->pos = start;
        while (lx->pos < lx->end && !lx->ctx->stop) {
                char c = lx->s[lx->pos];

                if (c == '\\')
                        lx->pos = MIN(lx->pos + 2, lx->end);
                else if (c == '$')
                        lex_dollar(lx, NULL, list, depth, true);
                else if (c == '`')
                        lex_backtick(lx, NULL, list, depth, true);
                else
                        lx->pos++;
        }
        lx->end = saved_end;
}

/* After a newline: the bodies of the here-docs started on the line just ended. */
static void read_heredocs(Lexer *lx, uint32_t list, uint32_t depth)
{
        Ctx *ctx = lx->ctx;
        ShTokens *ts = ctx->ts;
        _cleanup_free_ Pending *todo = NULL;
        size_t n = lx->n_pending;

        if (n == 0)
                return;
        /* Taken out first: a body's own substitutions may queue here-docs of their own. */
        todo = TAKE_PTR(lx->pending);
        lx->n_pending = lx->cap_pending = 0;
        for (size_t i = 0; i < n && !ctx->stop; i++) {
                const Pending *p = &todo[i];
                const char *delim = ts->text + p->delim;
                size_t start = lx->pos, at = start, body_end = lx->end, next = lx->end;
                size_t lists_before = ts->n_lists;
                bool found = false;
                uint32_t tok;

                while (at < lx->end) {
                        const char *nl = memchr(lx->s + at, '\n', lx->end - at);
                        size_t eol = nl ? (size_t)(nl - lx->s) : lx->end, q = at;

                        if (p->strip)
                                while (q < eol && lx->s[q] == '\t')
                                        q++;
                        if (eol - q == p->delim_len &&
                            memcmp(lx->s + q, delim, p->delim_len) == 0) {
                                found = true;
                                body_end = at;
                                next = nl ? eol + 1 : eol;
                                break;
                        }
                        at = nl ? eol + 1 : eol;
                }
                tok = add_token(lx, SH_TOK_HEREDOC, list, start, body_end - start);
                if (tok == SH_NONE)
                        return;
                ts->tokens[tok].flags |= (found ? 0 : SH_TOK_UNTERMINATED) |
                                         (p->quoted ? SH_HEREDOC_QUOTED : 0) |
                                         (p->strip ? SH_HEREDOC_STRIP : 0);
                ts->tokens[p->op].heredoc = tok;
                if (!p->quoted)
                        lex_heredoc_body(lx, list, depth, start, body_end);
                claim_lists(ts, (uint32_t)lists_before, list, tok);
                lx->pos = next;
        }
}

static ShOp match_op(const Lexer *lx, size_t *ret_len)
{
        char c = peek(lx, lx->pos), c1 = peek(lx, lx->pos + 1), c2 = peek(lx, lx->pos + 2);
        ShOp op = SH_OP_NONE;
        size_t n = 1;

        switch (c) {
        case '|':
                op = c1 == '|' ? SH_OP_OR : c1 == '&' ? SH_OP_PIPE_AMP : SH_OP_PIPE;
                n = op == SH_OP_PIPE ? 1 : 2;
                break;
        case '&':
                if (c1 == '&')
                        op = SH_OP_AND, n = 2;
                else if (c1 == '>')
                        op = c2 == '>' ? SH_OP_AMP_DGREAT : SH_OP_AMP_GREAT, n = c2 == '>' ? 3 : 2;
                else
                        op = SH_OP_AMP;
                break;
        case ';':
                if (c1 == ';')
                        op = c2 == '&' ? SH_OP_DSEMI_AMP : SH_OP_DSEMI, n = c2 == '&' ? 3 : 2;
                else if (c1 == '&')
                        op = SH_OP_SEMI_AMP, n = 2;
                else
                        op = SH_OP_SEMI;
                break;
        case '(':
                op = SH_OP_LPAREN;
                break;
        case ')':
                op = SH_OP_RPAREN;
                break;
        case '<':
                if (c1 == '<')
                        op = c2 == '<'   ? SH_OP_TLESS
                             : c2 == '-' ? SH_OP_DLESSDASH
                                         : SH_OP_DLESS,
                        n = (c2 == '<' || c2 == '-') ? 3 : 2;
                else if (c1 == '>')
                        op = SH_OP_LESSGREAT, n = 2;
                else if (c1 == '&')
                        op = SH_OP_LESSAND, n = 2;
                else
                        op = SH_OP_LESS;
                break;
        case '>':
                if (c1 == '>')
                        op = SH_OP_DGREAT, n = 2;
                else if (c1 == '&')
                        op = SH_OP_GREATAND, n = 2;
                else if (c1 == '|')
                        op = SH_OP_CLOBBER, n = 2;
                else
                        op = SH_OP_GREAT;
                break;
        }
        *ret_len = n;
        return op;
}

static void skip_blanks(Lexer *lx)
{
        while (lx->pos < lx->end) {
                char c = lx->s[lx->pos];

                if (c == ' ' || c == '\t' || c == '\r' || c == '\0')
                        lx->pos++;
                else if (c == '\\' && peek(lx, lx->pos + 1) == '\n' && lx->pos + 1 < lx->end)
                        lx->pos += 2;
                else
                        break;
        }
}

enum { CASE_SUBJECT, CASE_IN, CASE_PATTERN, CASE_BODY };

/* Per-list state that tells commands from case patterns, [[ ]] and the end of $( ). */
typedef struct ListState {
        bool cmd_pos;        /* the next word would start a command */
        bool target;         /* the next word is a redirection's target */
        bool cond;           /* inside [[ ]] */
        bool arith_ok;       /* after "for": (( is arithmetic */
        uint32_t heredoc_op; /* a << waiting for its delimiter word */
        size_t paren;
        uint8_t cases[CASE_STACK];
        size_t n_cases;
} ListState;

static bool word_is(const ShTokens *ts, const ShToken *t, const char *w)
{
        return !(t->flags & (SH_WORD_QUOTED | SH_WORD_EXPANDS)) &&
               strcmp(sh_token_text(ts, t), w) == 0;
}

static bool starts_command(const ShTokens *ts, const ShToken *t)
{
        static const char *const words[] = {"if",    "then", "else", "elif", "do", "while",
                                            "until", "!",    "{",    "time", NULL};

        for (size_t i = 0; words[i]; i++)
                if (word_is(ts, t, words[i]))
                        return true;
        return false;
}

static void after_word(Lexer *lx, ListState *st, uint32_t tok)
{
        ShTokens *ts = lx->ctx->ts;
        ShToken *t = &ts->tokens[tok];
        uint8_t *top = st->n_cases > 0 ? &st->cases[st->n_cases - 1] : NULL;

        if (st->cond) {
                t->flags |= SH_TOK_COND;
                if (word_is(ts, t, "]]"))
                        st->cond = false;
                return;
        }
        if (st->heredoc_op != SH_NONE) {
                Pending *p;

                if (GROW(lx->ctx, lx->pending, lx->cap_pending, lx->n_pending + 1) < 0)
                        return;
                p = &lx->pending[lx->n_pending++];
                *p = (Pending){
                    .op = st->heredoc_op,
                    .delim = t->text,
                    .delim_len = t->text_len,
                    .strip = ts->tokens[st->heredoc_op].op == SH_OP_DLESSDASH,
                    .quoted = (t->flags & SH_WORD_QUOTED) != 0,
                };
                st->heredoc_op = SH_NONE;
        }
        if (st->target) {
                st->target = false;
                return;
        }
        if (top && *top == CASE_SUBJECT) {
                t->flags |= SH_TOK_CASE_HEAD;
                *top = CASE_IN;
                return;
        }
        if (top && *top == CASE_IN) {
                t->flags |= SH_TOK_CASE_HEAD;
                *top = CASE_PATTERN;
                return;
        }
        if (top && *top == CASE_PATTERN) {
                if (word_is(ts, t, "esac")) {
                        st->n_cases--;
                        st->cmd_pos = false;
                } else
                        t->flags |= SH_TOK_CASE_PATTERN;
                return;
        }
        st->arith_ok = false;
        if (st->cmd_pos && word_is(ts, t, "case") && st->n_cases < CASE_STACK) {
                t->flags |= SH_TOK_CASE_HEAD;
                st->cases[st->n_cases++] = CASE_SUBJECT;
        } else if (st->cmd_pos && top && *top == CASE_BODY && word_is(ts, t, "esac")) {
                st->n_cases--;
                st->cmd_pos = false;
        } else if (st->cmd_pos && word_is(ts, t, "[[")) {
                t->flags |= SH_TOK_COND;
                st->cond = true;
                st->cmd_pos = false;
        } else if (st->cmd_pos && word_is(ts, t, "for")) {
                st->arith_ok = true;
                st->cmd_pos = false;
        } else if (st->cmd_pos && (starts_command(ts, t) || (t->flags & SH_WORD_ASSIGN))) {
                /* stays at command position */
        } else
                st->cmd_pos = false;
}

static void after_op(ListState *st, ShToken *t)
{
        uint8_t *top = st->n_cases > 0 ? &st->cases[st->n_cases - 1] : NULL;
        ShOp op = t->op;

        if (st->cond) {
                t->flags |= SH_TOK_COND;
                return;
        }
        st->heredoc_op = SH_NONE;
        st->arith_ok = false;
        if (sh_op_is_redirection(op)) {
                st->target = true;
                return;
        }
        st->target = false;
        if (top && *top == CASE_PATTERN) {
                t->flags |= SH_TOK_CASE_PATTERN;
                if (op == SH_OP_RPAREN) {
                        *top = CASE_BODY;
                        st->cmd_pos = true;
                }
                return;
        }
        if (top && *top == CASE_BODY &&
            (op == SH_OP_DSEMI || op == SH_OP_SEMI_AMP || op == SH_OP_DSEMI_AMP))
                *top = CASE_PATTERN;
        if (op == SH_OP_LPAREN)
                st->paren++;
        else if (op == SH_OP_RPAREN && st->paren > 0)
                st->paren--;
        st->cmd_pos = op != SH_OP_RPAREN;
}

/* A newline: ends the command, and the here-docs of the line start after it. */
static void lex_newline(Lexer *lx, ListState *st, uint32_t list, uint32_t depth)
{
        uint8_t *top = st->n_cases > 0 ? &st->cases[st->n_cases - 1] : NULL;
        uint32_t tok = add_token(lx, SH_TOK_NEWLINE, list, lx->pos++, 1);

        if (tok == SH_NONE)
                return;
        if (st->cond)
                lx->ctx->ts->tokens[tok].flags |= SH_TOK_COND;
        st->heredoc_op = SH_NONE;
        st->target = false;
        if (!top || *top != CASE_SUBJECT)
                st->cmd_pos = true;
        read_heredocs(lx, list, depth);
}

/* An operator at pos, with the fd number written against it (2>&1, 3<>file); returns false,
 * pos unchanged, when there is none. */
static bool lex_op(Lexer *lx, ListState *st, uint32_t list)
{
        ShTokens *ts = lx->ctx->ts;
        size_t start = lx->pos, k = lx->pos, v = 0, oplen;
        int io = -1;
        uint32_t tok;
        ShOp op;

        while (k < lx->end && lx->s[k] >= '0' && lx->s[k] <= '9' && v <= 32767)
                v = v * 10 + (size_t)(lx->s[k++] - '0');
        if (k > start && v <= 32767 && (peek(lx, k) == '<' || peek(lx, k) == '>') &&
            peek(lx, k + 1) != '(') {
                io = (int)v;
                lx->pos = k;
        }
        op = match_op(lx, &oplen);
        /* <( and >( start a word: process substitution. */
        if (op == SH_OP_NONE ||
            ((op == SH_OP_LESS || op == SH_OP_GREAT) && peek(lx, lx->pos + 1) == '(')) {
                lx->pos = start;
                return false;
        }
        tok = add_token(lx, SH_TOK_OP, list, start, lx->pos + oplen - start);
        lx->pos += oplen;
        if (tok == SH_NONE)
                return true;
        ts->tokens[tok].op = (uint8_t)op;
        ts->tokens[tok].io_number = (int16_t)io;
        after_op(st, &ts->tokens[tok]);
        if ((op == SH_OP_DLESS || op == SH_OP_DLESSDASH) && !st->cond)
                st->heredoc_op = tok;
        return true;
}

static void lex_list(Lexer *lx, uint32_t list, uint32_t depth, bool until_paren)
{
        Ctx *ctx = lx->ctx;
        ListState st = {.cmd_pos = true, .heredoc_op = SH_NONE};

        for (;;) {
                bool pattern = st.n_cases > 0 && st.cases[st.n_cases - 1] == CASE_PATTERN;
                uint32_t tok;
                char c;

                skip_blanks(lx);
                if (ctx->stop)
                        return;
                if (lx->pos >= lx->end) {
                        if (until_paren)
                                ctx->ts->lists[list].unterminated = true;
                        return;
                }
                c = lx->s[lx->pos];
                if (c == '\n') {
                        lex_newline(lx, &st, list, depth);
                        continue;
                }
                if (c == '#') {
                        const char *nl = memchr(lx->s + lx->pos, '\n', lx->end - lx->pos);
                        size_t start = lx->pos;

                        lx->pos = nl ? (size_t)(nl - lx->s) : lx->end;
                        add_token(lx, SH_TOK_COMMENT, list, start, lx->pos - start);
                        continue;
                }
                /* The end of $( ... ), unless the ) belongs to a subshell or a case pattern. */
                if (until_paren && c == ')' && st.paren == 0 && !st.cond && !pattern) {
                        lx->pos++;
                        return;
                }
                if (c == '(' && peek(lx, lx->pos + 1) == '(' && (st.cmd_pos || st.arith_ok) &&
                    !st.cond && !pattern) {
                        lex_arith_cmd(lx, list, depth);
                        st.cmd_pos = st.arith_ok = false;
                        continue;
                }
                if (lex_op(lx, &st, list))
                        continue;
                tok = lex_word(lx, list, depth);
                if (tok != SH_NONE)
                        after_word(lx, &st, tok);
        }
}

static int build_order(Ctx *ctx)
{
        ShTokens *ts = ctx->ts;
        _cleanup_free_ uint32_t *next = calloc(ts->n_lists + 1, sizeof(uint32_t));

        ts->order = malloc(MAX(ts->n_tokens, (size_t)1) * sizeof(uint32_t));
        if (!next || !ts->order)
                return -ENOMEM;
        for (size_t i = 0; i < ts->n_tokens; i++)
                ts->lists[ts->tokens[i].list].n++;
        for (size_t l = 0, at = 0; l < ts->n_lists; l++) {
                ts->lists[l].first = (uint32_t)at;
                next[l] = (uint32_t)at;
                at += ts->lists[l].n;
        }
        for (size_t i = 0; i < ts->n_tokens; i++)
                ts->order[next[ts->tokens[i].list]++] = (uint32_t)i;
        return 0;
}

int sh_tokenize(const char *src, size_t len, ShTokens *ret)
{
        ShTokens ts = {};
        Ctx ctx = {.ts = &ts};
        Lexer lx = {
            .ctx = &ctx,
            .s = src ? src : "",
            .len = src ? len : 0,
            .end = src ? len : 0,
            .cur_line = 1,
        };
        int r = 0;

        if (len > UINT32_MAX / 2)
                return -E2BIG;
        if (add_list(&lx, SH_LIST_SCRIPT, 0, 0) == SH_NONE)
                r = -ENOMEM;
        else {
                lex_list(&lx, 0, 0, false);
                r = ctx.err < 0 ? ctx.err : build_order(&ctx);
        }
        for (size_t i = 0; i < ELEMENTSOF(ctx.builders); i++) {
                free(ctx.builders[i].text);
                free(ctx.builders[i].parts);
        }
        free(lx.pending);
        if (r < 0) {
                sh_tokens_done(&ts);
                return r;
        }
        *ret = ts;
        return 0;
}

void sh_tokens_done(ShTokens *ts)
{
        if (!ts)
                return;
        free(ts->tokens);
        free(ts->parts);
        free(ts->lists);
        free(ts->text);
        free(ts->order);
        for (size_t i = 0; i < ts->n_copies; i++)
                free(ts->copies[i]);
        free(ts->copies);
        *ts = (ShTokens){};
}
