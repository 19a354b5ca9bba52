/* Building a word: its text after quote removal and its parts (literal runs, parameters,
 * substitutions), in a builder reused word to word, then moved into the token arrays. */
#include <errno.h>
#include <string.h>

#include "basic/macros.h"
#include "sh-tokenize-internal.h"

void sh_builder_reset(Builder *b)
{
        if (!b)
                return;
        b->n = b->n_parts = 0;
        b->flags = 0;
}

static int b_text(Ctx *ctx, Builder *b, const char *p, size_t n)
{
        if (GROW(ctx, b->text, b->cap, b->n + n + 1) < 0)
                return -ENOMEM;
        memcpy(b->text + b->n, p, n);
        b->n += n;
        return 0;
}

/* Literal bytes, NULs dropped (bash drops them from its input, so "r\0m" runs rm). */
void sh_builder_lit(Ctx *ctx, Builder *b, const char *p, size_t n, uint8_t flags)
{
        ShPart *last;
        size_t before;

        if (!b)
                return;
        if (flags & (SH_PART_SQUOTED | SH_PART_DQUOTED | SH_PART_ANSI | SH_PART_ESCAPED))
                b->flags |= SH_WORD_QUOTED;
        last = b->n_parts > 0 ? &b->parts[b->n_parts - 1] : NULL;
        if (!last || last->kind != SH_PART_LITERAL) {
                if (GROW(ctx, b->parts, b->cap_parts, b->n_parts + 1) < 0)
                        return;
                last = &b->parts[b->n_parts++];
                *last = (ShPart){
                    .kind = SH_PART_LITERAL,
                    .text = (uint32_t)b->n,
                    .name = (uint32_t)b->n, /* no name: empty, inside the part */
                    .list = SH_NONE,
                };
        }
        last->flags |= flags;
        before = b->n;
        if (GROW(ctx, b->text, b->cap, b->n + n + 1) < 0)
                return;
        for (size_t i = 0; i < n; i++)
                if (p[i] != '\0')
                        b->text[b->n++] = p[i];
        last->text_len += (uint32_t)(b->n - before);
}

void sh_builder_byte(Ctx *ctx, Builder *b, char c, uint8_t flags)
{
        sh_builder_lit(ctx, b, &c, 1, flags);
}

/* A part that is not literal: its short form text, the name inside it at name_off. */
void sh_builder_part(Ctx *ctx, Builder *b, ShPartKind kind, uint8_t flags, const char *text,
                     size_t text_len, size_t name_off, size_t name_len, uint32_t list)
{
        ShPart *part;
        size_t at;

        if (!b)
                return;
        if (flags & SH_PART_DQUOTED)
                b->flags |= SH_WORD_QUOTED;
        b->flags |= SH_WORD_EXPANDS;
        if (GROW(ctx, b->parts, b->cap_parts, b->n_parts + 1) < 0)
                return;
        at = b->n;
        if (b_text(ctx, b, text, text_len) < 0)
                return;
        part = &b->parts[b->n_parts++];
        *part = (ShPart){
            .kind = (uint8_t)kind,
            .flags = flags,
            .text = (uint32_t)at,
            .text_len = (uint32_t)text_len,
            .name = (uint32_t)(at + name_off),
            .name_len = (uint32_t)name_len,
            .list = list,
        };
}

/* Moves the builder into the token arrays as token tok's text and parts. */
void sh_builder_emit(Ctx *ctx, Builder *b, uint32_t tok)
{
        ShTokens *ts = ctx->ts;
        ShToken *t = &ts->tokens[tok];
        size_t base = ts->text_len;

        if (GROW(ctx, ts->text, ctx->cap_text, ts->text_len + b->n + 1) < 0 ||
            GROW(ctx, ts->parts, ctx->cap_parts, ts->n_parts + b->n_parts) < 0)
                return;
        if (b->n > 0)
                memcpy(ts->text + base, b->text, b->n);
        ts->text[base + b->n] = '\0';
        ts->text_len += b->n + 1;
        t->text = (uint32_t)base;
        t->text_len = (uint32_t)b->n;
        t->first_part = (uint32_t)ts->n_parts;
        t->n_parts = (uint32_t)b->n_parts;
        for (size_t i = 0; i < b->n_parts; i++) {
                ShPart p = b->parts[i];

                p.text += (uint32_t)base;
                p.name += (uint32_t)base;
                ts->parts[ts->n_parts++] = p;
        }
        t->flags |= b->flags;
}
