/* Expansion: a word as the shell would see it, quotes removed, $'...' decoded, and $NAME
 * replaced when the script gave NAME a literal value earlier (c=rm; $c). What cannot be known
 * (run-time values, substitutions) leaves the word not literal, with flags saying why. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"
#include "scan-shell-internal.h"

static Var *var_find(Scanner *sc, const char *name, size_t n)
{
        for (size_t i = 0; i < sc->n_vars; i++)
                if (strlen(sc->vars[i].name) == n && memcmp(sc->vars[i].name, name, n) == 0)
                        return &sc->vars[i];
        return NULL;
}

/* NAME=VALUE from a word: VALUE kept when literal, "unknown" otherwise. */
void sh_var_assign(Scanner *sc, const Word *w)
{
        const char *eq = strchr(w->s, '=');
        size_t n;
        Var *v;

        if (!eq)
                return;
        n = (size_t)(eq - w->s);
        if (n > 0 && w->s[n - 1] == '+')
                n--; /* NAME+=: appending makes the value unknown below */
        v = var_find(sc, w->s, n);
        if (!v) {
                if (sc->n_vars >= MAX_VARS)
                        return;
                v = &sc->vars[sc->n_vars];
                v->name = strndup(w->s, n);
                if (!v->name) {
                        sc->err = -ENOMEM;
                        return;
                }
                v->value = NULL;
                sc->n_vars++;
        }
        free(v->value);
        v->value = NULL;
        v->flags = w->flags & (W_FETCH | W_DECODE);
        if ((w->flags & W_LITERAL) && eq[-1] != '+' && strlen(eq + 1) <= MAX_VALUE)
                v->value = strdup(eq + 1);
}

void sh_var_unset(Scanner *sc, const char *name)
{
        Var *v = var_find(sc, name, strlen(name));

        if (v) {
                free(v->value);
                v->value = NULL;
                v->flags = 0;
        }
}

void sh_buf_add(Buf *b, const char *s, size_t n)
{
        if (b->oom)
                return;
        if (b->n + n + 1 > b->cap) {
                size_t cap = MAX(b->cap * 2, b->n + n + 64);
                char *p = realloc(b->p, cap);

                if (!p) {
                        b->oom = true;
                        return;
                }
                b->p = p;
                b->cap = cap;
        }
        memcpy(b->p + b->n, s, n);
        b->n += n;
        b->p[b->n] = '\0';
}

void sh_expand_word(Walk *wk, uint32_t tok, Word *ret)
{
        Script *sp = wk->sp;
        const ShTokens *ts = &sp->ts;
        const ShToken *t = &ts->tokens[tok];
        const ShPart *parts = sh_token_parts(ts, t);
        unsigned flags = W_LITERAL | sp->tok_flags[tok];
        Buf b = {};

        sh_buf_add(&b, "", 0);
        for (size_t i = 0; i < t->n_parts; i++) {
                const ShPart *p = &parts[i];
                const char *text = sh_part_text(ts, p);
                Var *v;

                switch (p->kind) {
                case SH_PART_LITERAL:
                case SH_PART_TILDE:
                        sh_buf_add(&b, text, p->text_len);
                        break;
                case SH_PART_PARAM:
                        v = var_find(sp->sc, sh_part_name(ts, p), p->name_len);
                        if (v && v->value) {
                                sh_buf_add(&b, v->value, strlen(v->value));
                                break;
                        }
                        sh_buf_add(&b, "$", 1);
                        sh_buf_add(&b, sh_part_name(ts, p), p->name_len);
                        flags = (flags & ~W_LITERAL) | W_UNKNOWN | (v ? v->flags : 0);
                        break;
                case SH_PART_PARAM_EXPR:
                case SH_PART_ARITH:
                        sh_buf_add(&b, text, p->text_len);
                        flags = (flags & ~W_LITERAL) | W_UNKNOWN;
                        if (p->flags & SH_PART_GUARDED)
                                flags |= W_GUARDED;
                        break;
                default: /* substitutions */
                        sh_buf_add(&b, text, p->text_len);
                        flags = (flags & ~W_LITERAL) | W_SUBST;
                        if (p->kind != SH_PART_CMDSUB)
                                flags |= W_PROCSUB;
                }
        }
        if (b.oom) {
                sp->sc->err = -ENOMEM;
                free(b.p);
                b.p = strdup("");
                flags &= ~W_LITERAL;
        }
        if (t->flags & SH_WORD_QUOTED)
                flags |= W_QUOTED;
        if (t->flags & SH_WORD_ASSIGN)
                flags |= W_ASSIGN;
        *ret = (Word){.s = b.p ? b.p : strdup(""), .tok = tok, .last_tok = tok, .flags = flags};
        if (!ret->s) {
                sp->sc->err = -ENOMEM;
                ret->flags &= ~W_LITERAL;
        }
}
