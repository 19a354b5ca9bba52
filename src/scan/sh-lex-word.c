/* Words: quoted strings, escapes, expansions and plain bytes up to a blank or an operator,
 * marked when they assign (NAME=...); and ((...)) as a command, one word. */
#include "basic/macros.h"
#include "sh-tokenize-internal.h"

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
                sh_lex_squote(lx, b);
                return;
        case '"':
                sh_lex_dquote(lx, b, list, depth);
                return;
        case '\\':
                if (lx->pos + 1 >= lx->end) {
                        sh_builder_byte(ctx, b, '\\', 0);
                        lx->pos++;
                } else if (d == '\n') {
                        lx->pos += 2; /* line continuation */
                } else {
                        sh_builder_byte(ctx, b, d, SH_PART_ESCAPED);
                        lx->pos += 2;
                }
                return;
        case '$':
                sh_lex_dollar(lx, b, list, depth, false);
                return;
        case '`':
                sh_lex_backtick(lx, b, list, depth, false);
                return;
        case '~':
                if (lx->pos == start) {
                        sh_lex_tilde(lx, b);
                        return;
                }
                break;
        case '*':
        case '?':
        case '[':
                sh_builder_byte(ctx, b, c, SH_PART_GLOB);
                lx->pos++;
                return;
        }
        sh_builder_byte(ctx, b, c, 0);
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
uint32_t sh_lex_word(Lexer *lx, uint32_t list, uint32_t depth)
{
        Ctx *ctx = lx->ctx;
        Builder *b = &ctx->builders[depth];
        size_t start = lx->pos, lists_before = ctx->ts->n_lists;
        uint32_t tok;

        sh_builder_reset(b);
        /* The token first, so that it is placed at the word's start and claims nested lists. */
        tok = sh_lex_add_token(lx, SH_TOK_WORD, list, start, 0);
        if (tok == SH_NONE)
                return SH_NONE;
        while (lx->pos < lx->end && !ctx->stop) {
                char c = lx->s[lx->pos];

                if ((c == '<' || c == '>') && peek(lx, lx->pos + 1) == '(' && lx->pos == start)
                        sh_lex_subst(lx, b, list, depth,
                                     c == '<' ? SH_LIST_PROCSUB_IN : SH_LIST_PROCSUB_OUT);
                else if (is_word_end(c))
                        break;
                else
                        lex_word_step(lx, b, list, depth, start);
        }
        if (ctx->stop)
                return SH_NONE;
        ctx->ts->tokens[tok].length = (uint32_t)(lx->pos - start);
        sh_builder_emit(ctx, b, tok);
        mark_assignment(lx, &ctx->ts->tokens[tok], start);
        sh_lex_claim_lists(ctx->ts, (uint32_t)lists_before, list, tok);
        return ctx->stop ? SH_NONE : tok;
}

/* ((...)) as a command (or after for): one word holding an ARITH part. */
uint32_t sh_lex_arith_cmd(Lexer *lx, uint32_t list, uint32_t depth)
{
        Ctx *ctx = lx->ctx;
        Builder *b = &ctx->builders[depth];
        size_t start = lx->pos, lists_before = ctx->ts->n_lists;
        uint32_t tok;

        sh_builder_reset(b);
        tok = sh_lex_add_token(lx, SH_TOK_WORD, list, start, 0);
        if (tok == SH_NONE)
                return SH_NONE;
        lx->pos += 2;
        sh_lex_arith(lx, list, depth, start);
        sh_builder_part(ctx, b, SH_PART_ARITH, 0, "((...))", 7, 0, 0, SH_NONE);
        if (ctx->stop)
                return SH_NONE;
        ctx->ts->tokens[tok].length = (uint32_t)(lx->pos - start);
        ctx->ts->tokens[tok].flags |= SH_WORD_ARITH_CMD;
        sh_builder_emit(ctx, b, tok);
        sh_lex_claim_lists(ctx->ts, (uint32_t)lists_before, list, tok);
        return tok;
}
