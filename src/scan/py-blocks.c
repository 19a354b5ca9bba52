/* Blocks: loops and function bodies, open from their header to the first line indented no
 * deeper. What happens in them (forks, growth, a way out, a pause) decides, when they close,
 * whether a loop is a fork bomb or grows without end. */
#include <string.h>

#include "basic/macros.h"
#include "scan-python-internal.h"

/* Marks the loops of the current function (all loops when all) with what happens in them. */
void py_mark_loops(Ctx *c, bool all, int what)
{
        for (size_t k = c->n_blocks; k > 0; k--) {
                Block *bk = &c->blocks[k - 1];

                if (bk->kind == BLOCK_FUNC) {
                        if (what == MARK_FORK)
                                bk->forks = true;
                        if (!all)
                                break;
                        continue;
                }
                if (bk->kind != BLOCK_LOOP)
                        continue;
                switch (what) {
                case MARK_EXIT:
                        bk->exits = true;
                        break;
                case MARK_FORK:
                        bk->forks = true;
                        break;
                case MARK_GROW:
                        bk->grows = true;
                        break;
                case MARK_THROTTLE:
                        bk->throttled = true;
                        break;
                }
        }
}

void py_block_push(Ctx *c, uint8_t kind, size_t tok, size_t end, bool infinite, uint32_t scope,
                   size_t name)
{
        /* Deeper than Python allows: the block is not followed, its body counts as the
         * enclosing one's. */
        bool in_try = false;

        if (c->n_blocks >= MAX_BLOCKS)
                return;
        for (size_t k = c->n_blocks; k > 0 && c->blocks[k - 1].kind != BLOCK_FUNC; k--)
                in_try = in_try || c->blocks[k - 1].kind == BLOCK_TRY;
        c->blocks[c->n_blocks++] = (Block){
            .kind = kind,
            .infinite = infinite,
            .in_try = in_try,
            .level = c->level,
            .tok = (uint32_t)tok,
            .end = (uint32_t)end,
            .scope = scope,
            .name = (uint32_t)name,
        };
        if (kind == BLOCK_FUNC)
                c->scope = scope;
}

void py_block_pop(Ctx *c)
{
        Block bk = c->blocks[--c->n_blocks];

        if (bk.kind == BLOCK_LOOP && bk.infinite && !bk.exits) {
                if (bk.forks)
                        py_report(c, R_RES_FORK_BOMB, bk.tok, bk.end,
                                  "a loop with no way out that forks: a fork bomb");
                else if (bk.grows && !bk.throttled && !bk.in_try)
                        py_report(c, R_RES_GROW, bk.tok, bk.end,
                                  "a loop with no way out that grows memory or threads");
        }
        if (bk.kind == BLOCK_FUNC) {
                if (bk.forks && bk.recurses)
                        py_report(c, R_RES_FORK_BOMB, bk.tok, bk.end,
                                  "a function that forks and calls itself: a fork bomb");
                c->scope = 0;
                for (size_t k = c->n_blocks; k > 0; k--)
                        if (c->blocks[k - 1].kind == BLOCK_FUNC) {
                                c->scope = c->blocks[k - 1].scope;
                                break;
                        }
        }
}

/* Closes the blocks a line at this indentation level is no longer inside of. */
void py_blocks_close(Ctx *c, uint32_t level)
{
        while (c->n_blocks > 0 && c->blocks[c->n_blocks - 1].level >= level)
                py_block_pop(c);
}

/* A call to the function being defined, by its bare name. */
void py_note_self_call(Ctx *c, size_t i)
{
        for (size_t k = c->n_blocks; k > 0; k--) {
                Block *bk = &c->blocks[k - 1];
                const PyToken *t = &c->tok[i], *name = &c->tok[bk->name];

                if (bk->kind != BLOCK_FUNC)
                        continue;
                if (tok_is(c, i + 1, "(") && t->len == name->len &&
                    memcmp(c->src + t->start, c->src + name->start, t->len) == 0)
                        bk->recurses = true;
                return;
        }
}
