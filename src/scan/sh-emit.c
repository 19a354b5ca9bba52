/* Findings: a match of a rule, placed at its file position (a nested script's tokens are
 * mapped back to where its text sits) and reported once per rule and position. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "basic/macros.h"
#include "scan-shell-internal.h"

void sh_map_pos(const Script *sp, const ShToken *t, uint32_t *ret_line, uint32_t *ret_col)
{
        *ret_line = MIN(sp->line + t->line - 1, sp->last_line);
        *ret_col = t->line == 1 ? sp->column + t->column - 1 : t->column;
}

/* The file line a token ends on. */
uint32_t sh_end_line(const Script *sp, const ShToken *t)
{
        const char *raw = sh_token_raw(&sp->ts, t);
        uint32_t line, col;

        sh_map_pos(sp, t, &line, &col);
        for (uint32_t i = 0; i < t->length; i++)
                line += raw[i] == '\n';
        return MIN(line, sp->last_line);
}

/* Adds a finding at a file position (already mapped), once per rule and position. */
static _printf_(6, 0) void vemit(Script *sp, unsigned rule, uint32_t line, uint32_t col,
                                 const char *snip, const char *fmt, size_t snip_len, va_list ap)
{
        Scanner *sc = sp->sc;
        char reason[200];
        int r;

        /* Past the report's cap it only counts what it drops: no need to look for twins. */
        if (sc->n_seen >= SCAN_MAX_FINDINGS) {
                r = scan_report_add(sc->report, &scan_shell_rules[rule], line, col, snip, snip_len,
                                    "%s", "");
                if (r < 0 && sc->err == 0)
                        sc->err = r;
                return;
        }
        /* The same match seen twice (a here-doc body walked as a list and as a script). */
        for (size_t i = 0; i < sc->n_seen; i++)
                if (sc->seen[i].rule == rule && sc->seen[i].line == line &&
                    sc->seen[i].column == col)
                        return;
        if (sc->n_seen == sc->cap_seen) {
                size_t cap = MAX(sc->cap_seen * 2, (size_t)16);
                struct Seen *s = xrealloc(sc, sc->seen, cap, sizeof(*s));

                if (!s)
                        return;
                sc->seen = s;
                sc->cap_seen = cap;
        }
        sc->seen[sc->n_seen++] = (struct Seen){rule, line, col};
        vsnprintf(reason, sizeof(reason), fmt, ap);
        r = scan_report_add(sc->report, &scan_shell_rules[rule], line, col, snip, snip_len, "%s",
                            reason);
        if (r < 0 && sc->err == 0)
                sc->err = r;
}

/* A finding over tokens first..last of one list: the snippet is their source. */
_printf_(5, 6) void sh_emit(Script *sp, unsigned rule, uint32_t first, uint32_t last,
                            const char *fmt, ...)
{
        const ShToken *a = &sp->ts.tokens[first], *b = &sp->ts.tokens[last];
        const ShList *l = &sp->ts.lists[a->list];
        uint32_t line, col;
        size_t snip_len;
        va_list ap;

        sh_map_pos(sp, a, &line, &col);
        snip_len = b->list == a->list && b->offset + b->length >= a->offset
                       ? b->offset + b->length - a->offset
                       : a->length;
        snip_len = MIN(snip_len, l->src_len - a->offset);
        va_start(ap, fmt);
        vemit(sp, rule, line, col, l->src + a->offset, fmt, snip_len, ap);
        va_end(ap);
}

_printf_(5, 6) void sh_emit_at(Script *sp, unsigned rule, uint32_t line, uint32_t col,
                               const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vemit(sp, rule, line, col, "", fmt, 0, ap);
        va_end(ap);
}

_printf_(3, 4) void sh_emit_call(const Call *c, unsigned rule, const char *fmt, ...)
{
        Script *sp = c->wk->sp;
        const ShToken *a = &sp->ts.tokens[c->cmd->first_tok], *b = &sp->ts.tokens[c->cmd->last_tok];
        const ShList *l = &sp->ts.lists[a->list];
        uint32_t line, col;
        size_t snip_len;
        va_list ap;

        sh_map_pos(sp, a, &line, &col);
        snip_len =
            b->offset + b->length >= a->offset ? b->offset + b->length - a->offset : a->length;
        snip_len = MIN(snip_len, l->src_len - a->offset);
        va_start(ap, fmt);
        vemit(sp, rule, line, col, l->src + a->offset, fmt, snip_len, ap);
        va_end(ap);
}
