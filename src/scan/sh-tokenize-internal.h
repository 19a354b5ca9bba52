/* What the files of the shell tokenizer share (sh-tokenize.c and the sh-lex-*.c beside it; see
 * sh-tokenize.c for which does what): the lexer's state, the word builder, and the functions
 * that cross files. Not part of sh-tokenize.h: nothing outside src/scan includes it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sh-tokenize.h"

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

/* Grows *p (of elements of size sz) to hold at least need; -ENOMEM sets ctx->err and stops
 * the lexer. */
int sh_lex_grow(Ctx *ctx, void **p, size_t *cap, size_t need, size_t sz);

/* Through a void * of its own: writing a char ** as a void ** would break aliasing rules. */
#define GROW(ctx, arr, cap, need)                                                                  \
        ({                                                                                         \
                void *_p = (arr);                                                                  \
                int _r = sh_lex_grow(ctx, &_p, &(cap), (need), sizeof(*(arr)));                    \
                (arr) = _p;                                                                        \
                _r;                                                                                \
        })

/* ---- scanning helpers ---- */

static inline bool is_name_start(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static inline bool is_name_char(char c)
{
        return is_name_start(c) || (c >= '0' && c <= '9');
}

static inline bool is_special_param(char c)
{
        return c == '@' || c == '*' || c == '#' || c == '?' || c == '$' || c == '!' || c == '-' ||
               (c >= '0' && c <= '9');
}

static inline char peek(const Lexer *lx, size_t at)
{
        return at < lx->end ? lx->s[at] : '\0';
}

/* ---- functions that cross files ---- */

/* sh-tokenize.c: positions, lists and tokens */
void sh_lex_where(Lexer *lx, size_t off, uint32_t *ret_line, uint32_t *ret_col);
void sh_lex_hit_limit(Lexer *lx, size_t off);
uint32_t sh_lex_add_list(Lexer *lx, ShListKind kind, uint32_t parent, uint32_t depth);
uint32_t sh_lex_add_token(Lexer *lx, ShTokenKind kind, uint32_t list, size_t off, size_t len);
void sh_lex_claim_lists(ShTokens *ts, uint32_t first, uint32_t list, uint32_t tok);

/* sh-builder.c: building a word */
void sh_builder_reset(Builder *b);
void sh_builder_lit(Ctx *ctx, Builder *b, const char *p, size_t n, uint8_t flags);
void sh_builder_byte(Ctx *ctx, Builder *b, char c, uint8_t flags);
void sh_builder_part(Ctx *ctx, Builder *b, ShPartKind kind, uint8_t flags, const char *text,
                     size_t text_len, size_t name_off, size_t name_len, uint32_t list);
void sh_builder_emit(Ctx *ctx, Builder *b, uint32_t tok);

/* sh-lex-list.c */
void sh_lex_list(Lexer *lx, uint32_t list, uint32_t depth, bool until_paren);

/* sh-lex-word.c */
uint32_t sh_lex_word(Lexer *lx, uint32_t list, uint32_t depth);
uint32_t sh_lex_arith_cmd(Lexer *lx, uint32_t list, uint32_t depth);

/* sh-lex-quote.c */
void sh_lex_squote(Lexer *lx, Builder *b);
void sh_lex_dquote(Lexer *lx, Builder *b, uint32_t list, uint32_t depth);
void sh_lex_ansi(Lexer *lx, Builder *b);

/* sh-lex-expand.c */
void sh_lex_skip_balanced(Lexer *lx, char open, char close);
void sh_lex_subst(Lexer *lx, Builder *b, uint32_t list, uint32_t depth, ShListKind kind);
void sh_lex_arith_body(Lexer *lx, uint32_t list, uint32_t depth);
/* The body one level below depth, or, past SH_MAX_DEPTH, skipped whole with the limit noted
 * at start (the "$((" or "((" it belongs to). */
void sh_lex_arith(Lexer *lx, uint32_t list, uint32_t depth, size_t start);
void sh_lex_dollar(Lexer *lx, Builder *b, uint32_t list, uint32_t depth, bool quoted);
void sh_lex_backtick(Lexer *lx, Builder *b, uint32_t list, uint32_t depth, bool quoted);
void sh_lex_tilde(Lexer *lx, Builder *b);

/* sh-lex-heredoc.c */
void sh_lex_read_heredocs(Lexer *lx, uint32_t list, uint32_t depth);

/* sh-lex-op.c */
ShOp sh_lex_match_op(const Lexer *lx, size_t *ret_len);
