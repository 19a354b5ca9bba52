/* Here-documents: after the newline that ends their line, each body up to its delimiter; an
 * unquoted body is scanned for the substitutions it runs. */
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"
#include "sh-tokenize-internal.h"

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
                        sh_lex_dollar(lx, NULL, list, depth, true);
                else if (c == '`')
                        sh_lex_backtick(lx, NULL, list, depth, true);
                else
                        lx->pos++;
        }
        lx->end = saved_end;
}

/* After a newline: the bodies of the here-docs started on the line just ended. */
void sh_lex_read_heredocs(Lexer *lx, uint32_t list, uint32_t depth)
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
                tok = sh_lex_add_token(lx, SH_TOK_HEREDOC, list, start, body_end - start);
                if (tok == SH_NONE)
                        return;
                ts->tokens[tok].flags |= (found ? 0 : SH_TOK_UNTERMINATED) |
                                         (p->quoted ? SH_HEREDOC_QUOTED : 0) |
                                         (p->strip ? SH_HEREDOC_STRIP : 0);
                ts->tokens[p->op].heredoc = tok;
                if (!p->quoted)
                        lex_heredoc_body(lx, list, depth, start, body_end);
                sh_lex_claim_lists(ts, (uint32_t)lists_before, list, tok);
                lx->pos = next;
        }
}
