/* The shell tokenizer and the shell rules on arbitrary bytes. Invariants: tokenizing never
 * fails, every token, part and list points inside what it describes, nesting stays within
 * SH_MAX_DEPTH, lists nest in order, tokenizing twice gives the same tokens, and every finding
 * is a rule of the table at a line of the input. */
#include "fuzz-util.h"
#include "scan/scan.h"
#include "scan/sh-tokenize.h"

static void check_tokens(const ShTokens *ts, uint32_t lines)
{
        FUZZ_ASSERT(ts->n_lists >= 1);
        FUZZ_ASSERT(ts->lists[0].kind == SH_LIST_SCRIPT && ts->lists[0].depth == 0);
        FUZZ_ASSERT(ts->n_tokens <= SH_MAX_TOKENS);
        for (size_t l = 1; l < ts->n_lists; l++) {
                const ShList *list = &ts->lists[l];

                FUZZ_ASSERT(list->parent < l);
                FUZZ_ASSERT(list->depth > ts->lists[list->parent].depth);
                FUZZ_ASSERT(list->depth <= SH_MAX_DEPTH);
                if (list->token != SH_NONE) {
                        FUZZ_ASSERT(list->token < ts->n_tokens);
                        FUZZ_ASSERT(ts->tokens[list->token].list == list->parent);
                }
        }
        for (size_t l = 0, at = 0; l < ts->n_lists; l++) {
                const ShList *list = &ts->lists[l];

                FUZZ_ASSERT(list->first == at);
                for (uint32_t k = 0; k < list->n; k++) {
                        FUZZ_ASSERT(ts->tokens[ts->order[at + k]].list == l);
                        if (k > 0)
                                FUZZ_ASSERT(ts->order[at + k] > ts->order[at + k - 1]);
                }
                at += list->n;
                if (l == ts->n_lists - 1)
                        FUZZ_ASSERT(at == ts->n_tokens);
        }
        for (size_t i = 0; i < ts->n_tokens; i++) {
                const ShToken *t = &ts->tokens[i];
                const ShList *list = &ts->lists[t->list];
                size_t sum = 0;

                FUZZ_ASSERT(t->list < ts->n_lists);
                FUZZ_ASSERT(t->kind <= SH_TOK_HEREDOC);
                FUZZ_ASSERT((size_t)t->offset + t->length <= list->src_len);
                FUZZ_ASSERT(t->line >= 1 && t->line <= lines);
                FUZZ_ASSERT(t->column >= 1);
                if (t->kind == SH_TOK_OP) {
                        FUZZ_ASSERT(t->op > SH_OP_NONE && t->op < _SH_OP_MAX);
                        if (t->heredoc != SH_NONE) {
                                FUZZ_ASSERT(t->heredoc < ts->n_tokens);
                                FUZZ_ASSERT(ts->tokens[t->heredoc].kind == SH_TOK_HEREDOC);
                        }
                }
                if (t->kind != SH_TOK_WORD) {
                        FUZZ_ASSERT(t->n_parts == 0);
                        continue;
                }
                FUZZ_ASSERT((size_t)t->text + t->text_len < ts->text_len);
                FUZZ_ASSERT(ts->text[t->text + t->text_len] == '\0');
                /* NULs are dropped, so the text is a C string of its length. */
                FUZZ_ASSERT(strlen(sh_token_text(ts, t)) == t->text_len);
                FUZZ_ASSERT((size_t)t->first_part + t->n_parts <= ts->n_parts);
                for (uint32_t k = 0; k < t->n_parts; k++) {
                        const ShPart *p = &sh_token_parts(ts, t)[k];

                        FUZZ_ASSERT(p->kind <= SH_PART_TILDE);
                        FUZZ_ASSERT(p->text == t->text + sum); /* parts tile the text */
                        FUZZ_ASSERT(p->name >= p->text &&
                                    p->name + p->name_len <= p->text + p->text_len);
                        if (p->list != SH_NONE) {
                                FUZZ_ASSERT(p->list < ts->n_lists);
                                FUZZ_ASSERT(ts->lists[p->list].parent == t->list);
                                FUZZ_ASSERT(ts->lists[p->list].token == i);
                        }
                        if (p->kind != SH_PART_LITERAL)
                                FUZZ_ASSERT(t->flags & SH_WORD_EXPANDS);
                        sum += p->text_len;
                }
                FUZZ_ASSERT(sum == t->text_len);
        }
}

static void check_same(const ShTokens *a, const ShTokens *b)
{
        FUZZ_ASSERT(a->n_tokens == b->n_tokens && a->n_lists == b->n_lists &&
                    a->n_parts == b->n_parts && a->text_len == b->text_len);
        FUZZ_ASSERT(a->limit_hit == b->limit_hit);
        FUZZ_ASSERT(a->text_len == 0 || memcmp(a->text, b->text, a->text_len) == 0);
        for (size_t i = 0; i < a->n_tokens; i++)
                FUZZ_ASSERT(memcmp(&a->tokens[i], &b->tokens[i], sizeof(ShToken)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *s = (const char *)data;
        ShTokens a, b;
        ScanReport r = {};
        uint32_t lines = 1;

        for (size_t i = 0; i < size; i++)
                lines += data[i] == '\n';
        FUZZ_ASSERT(sh_tokenize(s, size, &a) == 0);
        check_tokens(&a, lines);
        FUZZ_ASSERT(sh_tokenize(s, size, &b) == 0);
        check_same(&a, &b);
        sh_tokens_done(&a);
        sh_tokens_done(&b);

        FUZZ_ASSERT(scan_shell(s, size, &r) == 0);
        FUZZ_ASSERT(r.n_findings <= SCAN_MAX_FINDINGS);
        for (size_t i = 0; i < r.n_findings; i++) {
                const ScanFinding *f = &r.findings[i];

                FUZZ_ASSERT(f->rule >= scan_shell_rules &&
                            f->rule < scan_shell_rules + scan_shell_rules_count);
                FUZZ_ASSERT(f->line >= 1 && f->line <= lines);
                FUZZ_ASSERT(f->column >= 1);
                FUZZ_ASSERT(f->reason[0] != '\0');
        }
        scan_report_done(&r);
        return 0;
}
