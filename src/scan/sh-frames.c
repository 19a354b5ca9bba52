/* Structure, for fork bombs: the functions, groups and loops open around a command (frames),
 * how often a function starts itself and in a pipe or the background, and whether an endless
 * loop starts background processes without waiting. */
#include <string.h>

#include "basic/macros.h"
#include "scan-shell-internal.h"

void sh_frame_push(Walk *wk, Frame f)
{
        if (wk->n_frames < MAX_FRAMES)
                wk->frames[wk->n_frames++] = f;
        else
                wk->overflow++;
}

void sh_frame_finish(Walk *wk, const Frame *f)
{
        Script *sp = wk->sp;

        if (wk->summary)
                return;

        if ((f->kind == F_FUNC_BRACE || f->kind == F_FUNC_PAREN || f->kind == F_SCRIPT) &&
            f->self_calls >= 2 && f->forking_calls >= 1)
                sh_emit(sp, R_FORKBOMB, f->tok, f->tok, "%s starts itself %u times, %u forked",
                        f->name, f->self_calls, f->forking_calls);
        if (f->kind == F_LOOP && f->forever && f->bg > 0 && !f->pause)
                sh_emit(sp, R_FORKLOOP, f->tok, f->tok,
                        "endless loop starts background processes without waiting");
}

/* Closes the innermost frame of one of the kinds (a mask); frames above it close too. */
void sh_frame_pop(Walk *wk, unsigned kinds)
{
        size_t k;

        if (wk->overflow > 0) {
                wk->overflow--;
                return;
        }
        for (k = wk->n_frames; k-- > 0;)
                if ((1u << wk->frames[k].kind) & kinds)
                        break;
        if (k == SIZE_MAX)
                return;
        while (wk->n_frames > k) {
                wk->n_frames--;
                sh_frame_finish(wk, &wk->frames[wk->n_frames]);
                wk->closed_pause |= wk->frames[wk->n_frames].pause;
        }
        wk->closed_group = true;
}

Frame *sh_frame_innermost(Walk *wk, unsigned kinds)
{
        for (size_t k = wk->n_frames; k-- > 0;)
                if ((1u << wk->frames[k].kind) & kinds)
                        return &wk->frames[k];
        return NULL;
}

#define FUNC_KINDS ((1u << F_FUNC_BRACE) | (1u << F_FUNC_PAREN) | (1u << F_SCRIPT))

void sh_frame_track(const Call *c, const Interp *in)
{
        Walk *wk = c->wk;
        const char *self = c->argv[0].s;
        Frame *loop = sh_frame_innermost(wk, 1u << F_LOOP);
        bool forks = c->n_pipe > 1 || c->bg;

        if (sh_is_shell(c->name) && in->how == I_SCRIPT)
                self = c->argv[in->arg].s; /* bash "$0" */
        for (size_t k = wk->n_frames; k-- > 0;) {
                Frame *f = &wk->frames[k];

                if (!((1u << f->kind) & FUNC_KINDS) || !streq(f->name, self))
                        continue;
                if (f->kind == F_SCRIPT && f->self_calls == 0)
                        f->tok = c->cmd->first_tok;
                f->self_calls++;
                f->forking_calls += forks;
                break;
        }
        if (!loop)
                return;
        if (loop->cond && !loop->forever && wk->n_frames > 0 &&
            &wk->frames[wk->n_frames - 1] == loop) {
                bool until =
                    streq(sh_token_text(&wk->sp->ts, &wk->sp->ts.tokens[loop->tok]), "until");

                loop->forever = until ? streq(c->name, "false")
                                      : (streq(c->name, "true") || streq(c->name, ":") ||
                                         ((streq(c->name, "[") || streq(c->name, "test")) &&
                                          streq(sh_arg(c, 1), "1")));
                loop->cond = false; /* only the first command decides */
        }
        if (c->bg)
                loop->bg++;
        if (!c->bg && in_list("|sleep|wait|read|", c->name) && wk->n_frames > 0)
                wk->frames[wk->n_frames - 1].pause = true;
}
