/* Nested scripts: text a shell or interpreter runs (sh -c, eval, trap, here-docs and
 * here-strings, echo or cat piped into a shell) scanned as a script of its own, or flagged when
 * it was downloaded, decoded or built at run time; and the files a download wrote. */
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"
#include "scan-shell-internal.h"

/* Scans s, the text of tokens at..last, as a script of its own. */
void sh_scan_string(const Call *c, const char *s, const ShToken *at, const ShToken *last)
{
        Script *sp = c->wk->sp;
        uint32_t line, col;

        sh_map_pos(sp, at, &line, &col);
        if (sp->depth + 1 > SCRIPT_DEPTH) {
                if (!sp->sc->limit_reported) {
                        sp->sc->limit_reported = true;
                        sh_emit_call(c, R_LIMIT, "scripts nested deeper than %d levels not scanned",
                                     SCRIPT_DEPTH);
                }
                return;
        }
        sh_scan_script(sp->sc, s, strlen(s), line, col, sh_end_line(sp, last), sp->depth + 1);
}

/* A code string: scanned when known, flagged when it downloads or decodes. */
void sh_check_code(const Call *c, const Word *w, const char *what)
{
        if (w->flags & W_DECODE)
                sh_emit_call(c, R_DECODE, "%s runs decoded text", what);
        else if (w->flags & W_FETCH)
                sh_emit_call(c, R_REMOTE, "%s runs downloaded text", what);
        else if (w->flags & W_LITERAL)
                sh_scan_string(c, w->s, &c->wk->sp->ts.tokens[w->tok],
                               &c->wk->sp->ts.tokens[w->last_tok]);
        else
                sh_emit_call(c, R_DYNEXEC, "%s runs a string built at run time", what);
}

bool sh_was_fetched(Scanner *sc, const char *path)
{
        if (!path)
                return false;
        if (startswith(path, "./"))
                path += 2;
        for (size_t i = 0; i < sc->n_fetched; i++)
                if (streq(sc->fetched[i], path))
                        return true;
        return false;
}

void sh_remember_fetched(Scanner *sc, const char *path)
{
        char *copy;

        if (!path || streq(path, "-") || sc->n_fetched >= MAX_FETCHED || sh_was_fetched(sc, path))
                return;
        if (startswith(path, "./"))
                path += 2;
        copy = strdup(path);
        if (copy)
                sc->fetched[sc->n_fetched++] = copy;
}

/* A script file argument or stdin source that is downloaded or decoded code. */
void sh_check_script_word(const Call *c, const Word *w, const char *what)
{
        if (w->flags & W_DECODE)
                sh_emit_call(c, R_DECODE, "%s runs decoded text", what);
        else if (w->flags & W_FETCH)
                sh_emit_call(c, R_REMOTE, "%s runs a download", what);
        else if ((w->flags & W_LITERAL) && sh_was_fetched(c->wk->sp->sc, w->s))
                sh_emit_call(c, R_REMOTE, "runs the downloaded file %s", w->s);
}

/* The interpreter's program: -c strings, script files, here-docs, here-strings. */
void sh_rule_interpreter(const Call *c)
{
        Interp in = sh_interp_of(c);
        bool shell = sh_is_shell(c->name);
        const Script *sp = c->wk->sp;

        if (in.how == I_CODE && shell)
                sh_check_code(c, &c->argv[in.arg], c->name);
        else if (in.how == I_CODE)
                sh_check_script_word(c, &c->argv[in.arg], c->name);
        else if (in.how == I_SCRIPT)
                sh_check_script_word(c, &c->argv[in.arg], c->name);
        if (in.how != I_STDIN)
                return;
        for (size_t i = 0; i < c->cmd->n_r; i++) {
                const Redir *r = &c->cmd->r[i];

                if (r->fd > 0 || !r->target.s)
                        continue;
                if ((r->op == SH_OP_DLESS || r->op == SH_OP_DLESSDASH) && shell &&
                    r->heredoc != SH_NONE) {
                        const ShToken *h = &sp->ts.tokens[r->heredoc];
                        _cleanup_free_ char *body = strndup(sh_token_raw(&sp->ts, h), h->length);

                        if (body)
                                sh_scan_string(c, body, h, h);
                } else if (r->op == SH_OP_TLESS && shell) {
                        sh_check_code(c, &r->target, c->name);
                } else if (r->op == SH_OP_LESS) {
                        sh_check_script_word(c, &r->target, c->name);
                }
        }
}

/* cat <<EOF | sh: the here-doc cat passes on is the script. */
static void scan_catted(const Call *prev, const Call *c)
{
        const ShTokens *ts = &c->wk->sp->ts;

        if (prev->argc != 1)
                return; /* cat FILE: the file's text is not known */
        for (size_t i = 0; i < prev->cmd->n_r; i++) {
                const Redir *r = &prev->cmd->r[i];
                const ShToken *h;
                _cleanup_free_ char *body = NULL;

                if (r->fd != 0 || r->heredoc == SH_NONE)
                        continue;
                h = &ts->tokens[r->heredoc];
                body = strndup(sh_token_raw(ts, h), h->length);
                if (body)
                        sh_scan_string(c, body, h, h);
        }
}

/* echo 'rm -rf /' | sh: the text a shell reads from echo or printf is a script. */
void sh_scan_echoed(const Call *prev, const Call *c)
{
        Buf b = {};

        if (streq(prev->name, "cat")) {
                scan_catted(prev, c);
                return;
        }

        for (size_t i = 1; i < prev->argc; i++) {
                const Word *w = &prev->argv[i];

                if (!(w->flags & W_LITERAL)) {
                        free(b.p);
                        return;
                }
                if (i == 1 && streq(prev->name, "echo") && is_opt(w->s))
                        continue;
                sh_buf_add(&b, w->s, strlen(w->s));
                sh_buf_add(&b, streq(prev->name, "echo") ? " " : "", streq(prev->name, "echo"));
        }
        if (b.p && !b.oom)
                sh_scan_string(c, b.p, &c->wk->sp->ts.tokens[prev->argv[1].tok],
                               &c->wk->sp->ts.tokens[prev->argv[prev->argc - 1].tok]);
        free(b.p);
}
