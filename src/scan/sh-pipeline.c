/* Commands and pipelines: the words and redirections of each simple command gathered as the
 * walk meets them, then each pipeline's commands unwrapped and handed to the rules, with what
 * flows between them (a download or decoded text piped into a shell). */
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"
#include "scan-shell-internal.h"

void sh_cmd_clear(Cmd *c)
{
        for (size_t i = 0; i < c->n; i++)
                free(c->w[i].s);
        for (size_t i = 0; i < c->n_r; i++)
                free(c->r[i].target.s);
        c->n = c->n_r = c->n_assign = 0;
        c->any = c->unwrapped = false;
}

Cmd *sh_pipeline_cur(Walk *wk)
{
        Script *sp = wk->sp;

        if (wk->n_pipe >= sp->cap_pipe) {
                size_t cap = MAX(sp->cap_pipe * 2, (size_t)4);
                Cmd *p = xrealloc(sp->sc, sp->pipe, cap, sizeof(Cmd));

                if (!p)
                        return NULL;
                memset(p + sp->cap_pipe, 0, (cap - sp->cap_pipe) * sizeof(Cmd));
                sp->pipe = wk->pipe = p;
                sp->cap_pipe = cap;
        }
        return &wk->pipe[wk->n_pipe];
}

static void touch(Cmd *c, uint32_t tok)
{
        if (!c->any)
                c->first_tok = tok;
        c->last_tok = tok;
        c->any = true;
}

void sh_pipeline_add_word(Walk *wk, Cmd *c, uint32_t tok, bool assign)
{
        if (c->n >= c->cap) {
                size_t cap = MAX(c->cap * 2, (size_t)8);
                Word *w = xrealloc(wk->sp->sc, c->w, cap, sizeof(Word));

                if (!w)
                        return;
                c->w = w;
                c->cap = cap;
        }
        sh_expand_word(wk, tok, &c->w[c->n++]);
        if (assign)
                c->n_assign++;
        touch(c, tok);
}

void sh_pipeline_add_redir(Walk *wk, Cmd *c, uint32_t op_tok, uint32_t target)
{
        const ShToken *op = &wk->sp->ts.tokens[op_tok];
        Redir *r;

        if (c->n_r >= c->cap_r) {
                size_t cap = MAX(c->cap_r * 2, (size_t)4);
                Redir *p = xrealloc(wk->sp->sc, c->r, cap, sizeof(Redir));

                if (!p)
                        return;
                c->r = p;
                c->cap_r = cap;
        }
        r = &c->r[c->n_r++];
        *r = (Redir){.op = op->op, .fd = op->io_number, .heredoc = op->heredoc};
        if (r->fd < 0)
                r->fd = op->op == SH_OP_LESS || op->op == SH_OP_LESSAND ||
                                op->op == SH_OP_LESSGREAT || op->op == SH_OP_DLESS ||
                                op->op == SH_OP_DLESSDASH || op->op == SH_OP_TLESS
                            ? 0
                            : 1;
        touch(c, op_tok);
        if (target != SH_NONE) {
                sh_expand_word(wk, target, &r->target);
                touch(c, target);
        }
}

static bool make_call(Walk *wk, Cmd *cmd, size_t index, bool bg, Call *c)
{
        size_t i;

        if (!cmd->unwrapped) {
                cmd->argv0 = sh_unwrap(cmd, cmd->n_assign);
                cmd->unwrapped = true;
        }
        i = cmd->argv0;

        *c = (Call){.wk = wk, .cmd = cmd, .index = index, .n_pipe = wk->n_pipe, .bg = bg};
        if (i == SIZE_MAX)
                return false; /* command -v x: looks x up, runs nothing */
        if (i < cmd->n) {
                c->argv = &cmd->w[i];
                c->argc = cmd->n - i;
                c->name = sh_word_name(c->argv);
        }
        return true;
}

static bool stdin_redirected(const Cmd *cmd)
{
        for (size_t i = 0; i < cmd->n_r; i++)
                if (cmd->r[i].fd == 0)
                        return true;
        return false;
}

static void process(Walk *wk, bool bg)
{
        Script *sp = wk->sp;
        bool net = false, fetch = false, decode = false;
        uint32_t first = wk->pipe[0].first_tok, last = wk->pipe[wk->n_pipe - 1].last_tok;
        Call prev = {};

        for (size_t i = 0; i < wk->n_pipe; i++) {
                Call c;

                if (make_call(wk, &wk->pipe[i], i, bg, &c) && c.name)
                        net |= sh_is_nettool(c.name) ||
                               (streq(c.name, "openssl") && sh_has_arg(&c, "s_client"));
        }
        for (size_t i = 0; i < wk->n_pipe; i++) {
                Cmd *cmd = &wk->pipe[i];
                Interp in = {.how = I_NONE};
                unsigned wflags = 0;
                Call c;

                if (!make_call(wk, cmd, i, bg, &c))
                        continue;
                for (size_t k = 0; k < cmd->n; k++)
                        wflags |= cmd->w[k].flags & (W_FETCH | W_DECODE);
                if (wk->summary) {
                        wk->flags |= wflags;
                        if (c.name && sh_is_fetcher(c.name))
                                wk->flags |= W_FETCH;
                        if (sh_is_decoder(&c))
                                wk->flags |= W_DECODE;
                        continue;
                }
                sh_rules_for(&c, &in);
                if (in.how == I_STDIN && !stdin_redirected(cmd)) {
                        if (i > 0 && decode)
                                sh_emit(sp, R_DECODE, first, last, "%s reads decoded text", c.name);
                        else if (i > 0 && fetch)
                                sh_emit(sp, R_REMOTE, first, last, "%s reads a download", c.name);
                        else if (i > 0 && sh_is_shell(c.name) &&
                                 (((streq(prev.name, "echo") || streq(prev.name, "printf")) &&
                                   prev.argc > 1) ||
                                  streq(prev.name, "cat")))
                                sh_scan_echoed(&prev, &c);
                        if (net && sh_is_shell(c.name))
                                sh_emit(sp, R_REVSHELL, first, last,
                                        "%s reads from or writes to a network tool", c.name);
                }
                if (c.name) {
                        fetch |= sh_is_fetcher(c.name);
                        decode |= sh_is_decoder(&c);
                }
                fetch |= wflags & W_FETCH;
                decode |= wflags & W_DECODE;
                prev = c;
        }
        if (wk->summary)
                return;
        /* Assignments alone on their line set variables for what follows. */
        for (size_t i = 0; i < wk->n_pipe; i++) {
                Cmd *cmd = &wk->pipe[i];

                if (cmd->n == cmd->n_assign)
                        for (size_t k = 0; k < cmd->n_assign; k++)
                                sh_var_assign(sp->sc, &cmd->w[k]);
        }
}

void sh_pipeline_end_cmd(Walk *wk)
{
        Cmd *c = sh_pipeline_cur(wk);

        if (c && c->any)
                wk->n_pipe++;
}

void sh_pipeline_end(Walk *wk, bool bg)
{
        sh_pipeline_end_cmd(wk);
        if (wk->n_pipe > 0)
                process(wk, bg);
        for (size_t i = 0; i < wk->n_pipe; i++)
                sh_cmd_clear(&wk->pipe[i]);
        wk->n_pipe = 0;
}
