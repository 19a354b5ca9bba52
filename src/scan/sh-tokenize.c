/* Shell tokenizer: one pass over the bytes, nested bodies lexed in place. See sh-tokenize.h.
 *
 * This file holds the entry point and the token arrays; the lexer is split by lexical concern
 * (sh-tokenize-internal.h declares what crosses files):
 *   sh-lex-list.c     a command list: blanks, comments, newlines, operators, case and [[ ]]
 *   sh-lex-word.c     words, and ((...)) commands
 *   sh-lex-quote.c    '...', "..." and $'...' with its escapes decoded
 *   sh-lex-expand.c   $NAME, ${...}, $(...), `...`, <(...), $((...)), ~user
 *   sh-lex-heredoc.c  here-document bodies
 *   sh-lex-op.c       control and redirection operators
 *   sh-builder.c      a word's text and parts, built as it is lexed */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"
#include "sh-tokenize-internal.h"

/* Grows *p (of elements of size sz) to hold at least need. */
int sh_lex_grow(Ctx *ctx, void **p, size_t *cap, size_t need, size_t sz)
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

/* Line and column of offset off, in the file: a backtick body's copy maps back to where the
 * body sits. The cursor only moves forward, so placing tokens in order costs O(n) in all. */
void sh_lex_where(Lexer *lx, size_t off, uint32_t *ret_line, uint32_t *ret_col)
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

void sh_lex_hit_limit(Lexer *lx, size_t off)
{
        ShTokens *ts = lx->ctx->ts;

        if (ts->limit_hit)
                return;
        ts->limit_hit = true;
        sh_lex_where(lx, off, &ts->limit_line, &ts->limit_column);
}

uint32_t sh_lex_add_list(Lexer *lx, ShListKind kind, uint32_t parent, uint32_t depth)
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
uint32_t sh_lex_add_token(Lexer *lx, ShTokenKind kind, uint32_t list, size_t off, size_t len)
{
        Ctx *ctx = lx->ctx;
        ShTokens *ts = ctx->ts;
        ShToken *t;

        if (ts->n_tokens >= SH_MAX_TOKENS) {
                sh_lex_hit_limit(lx, off);
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
        sh_lex_where(lx, off, &t->line, &t->column);
        return (uint32_t)ts->n_tokens++;
}

/* Lists created since first that nobody claimed belong to token tok (a word, a here-doc). */
void sh_lex_claim_lists(ShTokens *ts, uint32_t first, uint32_t list, uint32_t tok)
{
        for (size_t i = first; i < ts->n_lists; i++)
                if (ts->lists[i].parent == list && ts->lists[i].token == SH_NONE)
                        ts->lists[i].token = tok;
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
        if (sh_lex_add_list(&lx, SH_LIST_SCRIPT, 0, 0) == SH_NONE)
                r = -ENOMEM;
        else {
                sh_lex_list(&lx, 0, 0, false);
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
