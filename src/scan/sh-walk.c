/* The walk of one list of tokens: words and operators become simple commands and pipelines,
 * reserved words open and close frames (functions, groups, loops), and what is not a command
 * (case patterns, [[ ]] and array elements) is passed over. */
#include <string.h>

#include "basic/macros.h"
#include "scan-shell-internal.h"

/* The next token of the walked list, or NULL. */
static const ShToken *next_tok(const Walk *wk, size_t k, uint32_t *ret_index)
{
        const ShList *l = &wk->sp->ts.lists[wk->list];

        if (k + 1 >= l->n)
                return NULL;
        *ret_index = wk->sp->ts.order[l->first + k + 1];
        return &wk->sp->ts.tokens[*ret_index];
}

/* An operator; returns how many following tokens it consumed. */
static size_t walk_op(Walk *wk, size_t k, uint32_t ti)
{
        const ShToken *t = &wk->sp->ts.tokens[ti], *nt;
        uint32_t ni = SH_NONE;
        Cmd *c = sh_pipeline_cur(wk);

        if (!c)
                return 0;
        nt = next_tok(wk, k, &ni);
        if (sh_op_is_redirection(t->op)) {
                bool has_target = nt && nt->kind == SH_TOK_WORD;

                sh_pipeline_add_redir(wk, c, ti, has_target ? ni : SH_NONE);
                return has_target;
        }
        switch (t->op) {
        case SH_OP_PIPE:
        case SH_OP_PIPE_AMP:
                sh_pipeline_end_cmd(wk);
                break;
        case SH_OP_AMP:
                if (wk->n_pipe == 0 && !c->any && wk->closed_group) {
                        Frame *loop = sh_frame_innermost(wk, 1u << F_LOOP);

                        if (loop)
                                loop->bg++;       /* ( ... ) & or { ...; } & */
                        wk->closed_pause = false; /* its sleep runs in the background */
                }
                sh_pipeline_end(wk, true);
                break;
        case SH_OP_LPAREN:
                if (nt && nt->kind == SH_TOK_OP && nt->op == SH_OP_RPAREN &&
                    ((c->n == 1 && c->n_assign == 0 && c->n_r == 0) ||
                     (c->n == 0 && wk->pending_func))) {
                        if (c->n == 1) { /* name() */
                                wk->pending_func =
                                    sh_token_text(&wk->sp->ts, &wk->sp->ts.tokens[c->w[0].tok]);
                                wk->pending_func_tok = c->w[0].tok;
                                sh_cmd_clear(c);
                        }
                        return 1;
                }
                sh_pipeline_end(wk, false);
                sh_frame_push(wk, (Frame){.kind = wk->pending_func ? F_FUNC_PAREN : F_PAREN,
                                          .name = wk->pending_func,
                                          .tok = wk->pending_func_tok});
                wk->pending_func = NULL;
                break;
        case SH_OP_RPAREN:
                sh_pipeline_end(wk, false);
                sh_frame_pop(wk, (1u << F_PAREN) | (1u << F_FUNC_PAREN));
                break;
        default:
                sh_pipeline_end(wk, false);
        }
        return 0;
}

/* Words between for (or select) and do: the loop's list, not a command. */
static void walk_for_header(Walk *wk, const ShToken *t, const char *kw)
{
        Frame *loop = sh_frame_innermost(wk, 1u << F_LOOP);

        if (streq(kw, "do")) {
                wk->for_header = false;
        } else if ((t->flags & SH_WORD_ARITH_CMD) && loop) {
                /* for ((;;)): nothing between the semicolons */
                const char *raw = sh_token_raw(&wk->sp->ts, t);
                size_t i = 0;

                while (i < t->length && raw[i] != '\0' && strchr("(); \t", raw[i]))
                        i++;
                loop->forever = i == t->length;
        }
}

/* A reserved word where a command would start; returns false for any other word. */
static bool walk_keyword(Walk *wk, const char *kw, uint32_t ti)
{
        Frame *loop;

        if (streq(kw, "{")) {
                sh_pipeline_end(wk, false);
                sh_frame_push(wk, (Frame){.kind = wk->pending_func ? F_FUNC_BRACE : F_BRACE,
                                          .name = wk->pending_func,
                                          .tok = wk->pending_func_tok});
                wk->pending_func = NULL;
        } else if (streq(kw, "}") || streq(kw, "fi") || streq(kw, "done")) {
                sh_pipeline_end(wk, false);
                sh_frame_pop(wk, streq(kw, "}")    ? (1u << F_BRACE) | (1u << F_FUNC_BRACE)
                                 : streq(kw, "fi") ? 1u << F_IF
                                                   : 1u << F_LOOP);
        } else if (streq(kw, "if")) {
                sh_frame_push(wk, (Frame){.kind = F_IF});
        } else if (in_list("|while|until|for|select|", kw)) {
                sh_frame_push(
                    wk, (Frame){.kind = F_LOOP, .tok = ti, .cond = kw[0] == 'w' || kw[0] == 'u'});
                wk->for_header = kw[0] == 'f' || kw[0] == 's';
        } else if (streq(kw, "do")) {
                loop = sh_frame_innermost(wk, 1u << F_LOOP);
                if (loop)
                        loop->cond = false;
        } else if (streq(kw, "function")) {
                wk->func_keyword = true;
        } else
                return in_list("|then|else|elif|!|time|in|esac|", kw);
        return true;
}

static void walk_word(Walk *wk, uint32_t ti)
{
        const ShTokens *ts = &wk->sp->ts;
        const ShToken *t = &ts->tokens[ti];
        const char *kw =
            (t->flags & (SH_WORD_QUOTED | SH_WORD_EXPANDS)) ? NULL : sh_token_text(ts, t);
        Cmd *c = sh_pipeline_cur(wk);

        if (!c)
                return;
        if (wk->for_header) {
                walk_for_header(wk, t, kw);
                return;
        }
        if (c->n == 0 && kw && walk_keyword(wk, kw, ti))
                return;
        if (c->n == 0 && wk->func_keyword) { /* function NAME */
                wk->func_keyword = false;
                wk->pending_func = sh_token_text(ts, t);
                wk->pending_func_tok = ti;
                return;
        }
        if (t->flags & SH_WORD_ARITH_CMD)
                return;
        wk->pending_func = NULL;
        wk->closed_group = false;
        if (c->n == c->n_assign && (t->flags & SH_WORD_ASSIGN)) {
                sh_pipeline_add_word(wk, c, ti, true);
                wk->array_pending = (t->flags & SH_WORD_ARRAY) != 0;
                return;
        }
        sh_pipeline_add_word(wk, c, ti, false);
}

void sh_walk(Script *sp, uint32_t list, bool summary)
{
        const ShTokens *ts = &sp->ts;
        const ShList *l = &ts->lists[list];
        Walk walk_state = {.sp = sp,
                           .list = list,
                           .summary = summary,
                           .pipe = sp->pipe,
                           .frames = sp->frames},
             *wk = &walk_state;

        if (!summary && list == 0 && sp->depth == 0)
                sh_frame_push(wk, (Frame){.kind = F_SCRIPT, .name = "$0"});
        for (size_t k = 0; k < l->n && sp->sc->err == 0; k++) {
                uint32_t ti = ts->order[l->first + k];
                const ShToken *t = &ts->tokens[ti];

                if (t->flags & (SH_TOK_CASE_HEAD | SH_TOK_CASE_PATTERN | SH_TOK_COND))
                        continue;
                if (wk->closed_pause && !(t->kind == SH_TOK_OP && t->op == SH_OP_AMP)) {
                        wk->closed_pause = false;
                        if (wk->n_frames > 0)
                                wk->frames[wk->n_frames - 1].pause = true;
                }
                if (wk->array_pending) {
                        wk->array_pending = false;
                        if (t->kind == SH_TOK_OP && t->op == SH_OP_LPAREN) {
                                wk->array_depth = 1;
                                continue;
                        }
                }
                if (wk->array_depth > 0) { /* NAME=( ... ): words, not commands */
                        if (t->kind == SH_TOK_OP && t->op == SH_OP_LPAREN)
                                wk->array_depth++;
                        else if (t->kind == SH_TOK_OP && t->op == SH_OP_RPAREN)
                                wk->array_depth--;
                        continue;
                }
                switch (t->kind) {
                case SH_TOK_WORD:
                        walk_word(wk, ti);
                        break;
                case SH_TOK_OP:
                        if (!wk->for_header)
                                k += walk_op(wk, k, ti);
                        break;
                case SH_TOK_NEWLINE: {
                        Cmd *c = sh_pipeline_cur(wk);

                        /* a | b may break its line after the |: the pipeline goes on */
                        if (!wk->for_header && !(wk->n_pipe > 0 && c && !c->any))
                                sh_pipeline_end(wk, false);
                        break;
                }
                default: /* comments, here-doc bodies (their command holds them) */
                        break;
                }
        }
        sh_pipeline_end(wk, false);
        while (wk->n_frames > 0) {
                wk->n_frames--;
                sh_frame_finish(wk, &wk->frames[wk->n_frames]);
        }
        if (summary)
                sp->list_flags[list] = wk->flags;
}
