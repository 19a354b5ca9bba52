/* Expansions: $NAME and $1, ${...} with its operand, $(...), <(...) and >(...) (bodies lexed as
 * lists of their own), `...` (lexed from a copy with its escapes removed), $((...)) and ~user.
 * Past SH_MAX_DEPTH a construct is skipped to its end, not lexed. */
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"
#include "sh-tokenize-internal.h"

/* Skips to the matching close without lexing, for input past SH_MAX_DEPTH: iterative, so deep
 * input cannot exhaust the stack; quotes are honoured so that their brackets do not count. */
void sh_lex_skip_balanced(Lexer *lx, char open, char close)
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

/* $( <( >( : the body is a list of its own, lexed now. */
void sh_lex_subst(Lexer *lx, Builder *b, uint32_t list, uint32_t depth, ShListKind kind)
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
                sh_lex_hit_limit(lx, lx->pos);
                sh_lex_skip_balanced(lx, '(', ')');
        } else {
                sub = sh_lex_add_list(lx, kind, list, depth + 1);
                if (sub == SH_NONE)
                        return;
                sh_lex_list(lx, sub, depth + 1, true);
                if (lx->ctx->ts->lists[sub].unterminated && b)
                        b->flags |= SH_TOK_UNTERMINATED;
        }
        sh_builder_part(lx->ctx, b, forms[kind].part, 0, forms[kind].text, 6, 0, 0, sub);
}

/* The body of $((...)) or ((...)), from after the opening parentheses through the closing
 * ones. Substitutions inside are lexed as lists; the expression itself is not kept. */
void sh_lex_arith_body(Lexer *lx, uint32_t list, uint32_t depth)
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
                        sh_lex_squote(lx, NULL);
                } else if (c == '"') {
                        sh_lex_dquote(lx, NULL, list, depth);
                } else if (c == '$') {
                        sh_lex_dollar(lx, NULL, list, depth, true);
                } else if (c == '`') {
                        sh_lex_backtick(lx, NULL, list, depth, true);
                } else
                        lx->pos++;
        }
}

void sh_lex_arith(Lexer *lx, uint32_t list, uint32_t depth, size_t start)
{
        if (depth + 1 > SH_MAX_DEPTH) {
                sh_lex_hit_limit(lx, start);
                sh_lex_skip_balanced(lx, '(', ')');
                sh_lex_skip_balanced(lx, '(', ')');
        } else
                sh_lex_arith_body(lx, list, depth + 1);
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
                        sh_lex_squote(lx, NULL);
                else if (c == '"')
                        sh_lex_dquote(lx, NULL, list, depth + 1);
                else if (c == '$')
                        sh_lex_dollar(lx, NULL, list, depth + 1, true);
                else if (c == '`')
                        sh_lex_backtick(lx, NULL, list, depth + 1, true);
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
                sh_lex_hit_limit(lx, lx->pos);
                lx->pos += 2;
                sh_lex_skip_balanced(lx, '{', '}');
                sh_builder_part(ctx, b, SH_PART_PARAM_EXPR, quoted ? SH_PART_DQUOTED : 0, "${...}",
                                6, 2, 0, SH_NONE);
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
                sh_builder_part(ctx, b, SH_PART_PARAM, quoted ? SH_PART_DQUOTED : 0, form, n + 3, 2,
                                n, SH_NONE);
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
        sh_builder_part(ctx, b, SH_PART_PARAM_EXPR,
                        (quoted ? SH_PART_DQUOTED : 0) | (guarded ? SH_PART_GUARDED : 0), form,
                        pre + n + op_len + 6, 2 + pre, n, SH_NONE);
}

void sh_lex_dollar(Lexer *lx, Builder *b, uint32_t list, uint32_t depth, bool quoted)
{
        Ctx *ctx = lx->ctx;
        char d = peek(lx, lx->pos + 1);
        uint8_t qf = quoted ? SH_PART_DQUOTED : 0;
        size_t start = lx->pos;

        if (d == '\'' && !quoted) {
                sh_lex_ansi(lx, b);
        } else if (d == '"' && !quoted) { /* $"..." (translated): a double-quoted string */
                lx->pos++;
                sh_lex_dquote(lx, b, list, depth);
        } else if (d == '(' && peek(lx, lx->pos + 2) == '(') {
                lx->pos += 3;
                sh_lex_arith(lx, list, depth, start);
                sh_builder_part(ctx, b, SH_PART_ARITH, qf, "$((...))", 8, 0, 0, SH_NONE);
        } else if (d == '(') {
                sh_lex_subst(lx, b, list, depth, SH_LIST_CMDSUB);
        } else if (d == '{') {
                lex_brace(lx, b, list, depth, quoted);
        } else if (is_name_start(d)) {
                lx->pos++;
                while (is_name_char(peek(lx, lx->pos)))
                        lx->pos++;
                sh_builder_part(ctx, b, SH_PART_PARAM, qf, lx->s + start, lx->pos - start, 1,
                                lx->pos - start - 1, SH_NONE);
        } else if (d != '\0' && is_special_param(d)) {
                lx->pos += 2;
                sh_builder_part(ctx, b, SH_PART_PARAM, qf, lx->s + start, 2, 1, 1, SH_NONE);
        } else {
                sh_builder_byte(ctx, b, '$', qf);
                lx->pos++;
        }
}

/* `...`: the body is copied with \` \\ \$ (and \" inside double quotes) unescaped, as the shell
 * does before parsing it, and lexed as a list of its own from the copy. */
void sh_lex_backtick(Lexer *lx, Builder *b, uint32_t list, uint32_t depth, bool quoted)
{
        Ctx *ctx = lx->ctx;
        ShTokens *ts = ctx->ts;
        _cleanup_free_ char *copy = NULL;
        size_t n = 0, cap = 0;
        uint32_t line, col, sub = SH_NONE;
        bool closed = false;

        lx->pos++;
        sh_lex_where(lx, lx->pos, &line, &col);
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
                sh_lex_hit_limit(lx, lx->pos);
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
                sub = sh_lex_add_list(&sublx, SH_LIST_BACKTICK, list, depth + 1);
                copy = NULL; /* owned by ts->copies now */
                if (sub != SH_NONE) {
                        sh_lex_list(&sublx, sub, depth + 1, false);
                        ts->lists[sub].unterminated = !closed;
                }
                free(sublx.pending);
        }
        sh_builder_part(ctx, b, SH_PART_CMDSUB, quoted ? SH_PART_DQUOTED : 0, "`...`", 5, 0, 0,
                        sub);
}

void sh_lex_tilde(Lexer *lx, Builder *b)
{
        size_t start = lx->pos++;

        while (lx->pos < lx->end &&
               (is_name_char(lx->s[lx->pos]) || lx->s[lx->pos] == '.' || lx->s[lx->pos] == '-'))
                lx->pos++;
        sh_builder_part(lx->ctx, b, SH_PART_TILDE, 0, lx->s + start, lx->pos - start, 1,
                        lx->pos - start - 1, SH_NONE);
}
