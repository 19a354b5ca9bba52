/* A command list: blanks, comments, newlines, operators and words in turn, with the state that
 * tells commands from case patterns and [[ ]] expressions, and finds the end of $( ... ). */
#include <string.h>

#include "basic/macros.h"
#include "sh-tokenize-internal.h"

#define CASE_STACK 32 /* nested case statements tracked per list; deeper ones are plain words */

static void skip_blanks(Lexer *lx)
{
        while (lx->pos < lx->end) {
                char c = lx->s[lx->pos];

                if (c == ' ' || c == '\t' || c == '\r' || c == '\0')
                        lx->pos++;
                else if (c == '\\' && peek(lx, lx->pos + 1) == '\n' && lx->pos + 1 < lx->end)
                        lx->pos += 2;
                else
                        break;
        }
}

enum { CASE_SUBJECT, CASE_IN, CASE_PATTERN, CASE_BODY };

/* Per-list state that tells commands from case patterns, [[ ]] and the end of $( ). */
typedef struct ListState {
        bool cmd_pos;        /* the next word would start a command */
        bool target;         /* the next word is a redirection's target */
        bool cond;           /* inside [[ ]] */
        bool arith_ok;       /* after "for": (( is arithmetic */
        uint32_t heredoc_op; /* a << waiting for its delimiter word */
        size_t paren;
        uint8_t cases[CASE_STACK];
        size_t n_cases;
} ListState;

static bool word_is(const ShTokens *ts, const ShToken *t, const char *w)
{
        return !(t->flags & (SH_WORD_QUOTED | SH_WORD_EXPANDS)) &&
               strcmp(sh_token_text(ts, t), w) == 0;
}

static bool starts_command(const ShTokens *ts, const ShToken *t)
{
        static const char *const words[] = {"if",    "then", "else", "elif", "do", "while",
                                            "until", "!",    "{",    "time", NULL};

        for (size_t i = 0; words[i]; i++)
                if (word_is(ts, t, words[i]))
                        return true;
        return false;
}

static void after_word(Lexer *lx, ListState *st, uint32_t tok)
{
        ShTokens *ts = lx->ctx->ts;
        ShToken *t = &ts->tokens[tok];
        uint8_t *top = st->n_cases > 0 ? &st->cases[st->n_cases - 1] : NULL;

        if (st->cond) {
                t->flags |= SH_TOK_COND;
                if (word_is(ts, t, "]]"))
                        st->cond = false;
                return;
        }
        if (st->heredoc_op != SH_NONE) {
                Pending *p;

                if (GROW(lx->ctx, lx->pending, lx->cap_pending, lx->n_pending + 1) < 0)
                        return;
                p = &lx->pending[lx->n_pending++];
                *p = (Pending){
                    .op = st->heredoc_op,
                    .delim = t->text,
                    .delim_len = t->text_len,
                    .strip = ts->tokens[st->heredoc_op].op == SH_OP_DLESSDASH,
                    .quoted = (t->flags & SH_WORD_QUOTED) != 0,
                };
                st->heredoc_op = SH_NONE;
        }
        if (st->target) {
                st->target = false;
                return;
        }
        if (top && *top == CASE_SUBJECT) {
                t->flags |= SH_TOK_CASE_HEAD;
                *top = CASE_IN;
                return;
        }
        if (top && *top == CASE_IN) {
                t->flags |= SH_TOK_CASE_HEAD;
                *top = CASE_PATTERN;
                return;
        }
        if (top && *top == CASE_PATTERN) {
                if (word_is(ts, t, "esac")) {
                        st->n_cases--;
                        st->cmd_pos = false;
                } else
                        t->flags |= SH_TOK_CASE_PATTERN;
                return;
        }
        st->arith_ok = false;
        if (st->cmd_pos && word_is(ts, t, "case") && st->n_cases < CASE_STACK) {
                t->flags |= SH_TOK_CASE_HEAD;
                st->cases[st->n_cases++] = CASE_SUBJECT;
        } else if (st->cmd_pos && top && *top == CASE_BODY && word_is(ts, t, "esac")) {
                st->n_cases--;
                st->cmd_pos = false;
        } else if (st->cmd_pos && word_is(ts, t, "[[")) {
                t->flags |= SH_TOK_COND;
                st->cond = true;
                st->cmd_pos = false;
        } else if (st->cmd_pos && word_is(ts, t, "for")) {
                st->arith_ok = true;
                st->cmd_pos = false;
        } else if (st->cmd_pos && (starts_command(ts, t) || (t->flags & SH_WORD_ASSIGN))) {
                /* stays at command position */
        } else
                st->cmd_pos = false;
}

static void after_op(ListState *st, ShToken *t)
{
        uint8_t *top = st->n_cases > 0 ? &st->cases[st->n_cases - 1] : NULL;
        ShOp op = t->op;

        if (st->cond) {
                t->flags |= SH_TOK_COND;
                return;
        }
        st->heredoc_op = SH_NONE;
        st->arith_ok = false;
        if (sh_op_is_redirection(op)) {
                st->target = true;
                return;
        }
        st->target = false;
        if (top && *top == CASE_PATTERN) {
                t->flags |= SH_TOK_CASE_PATTERN;
                if (op == SH_OP_RPAREN) {
                        *top = CASE_BODY;
                        st->cmd_pos = true;
                }
                return;
        }
        if (top && *top == CASE_BODY &&
            (op == SH_OP_DSEMI || op == SH_OP_SEMI_AMP || op == SH_OP_DSEMI_AMP))
                *top = CASE_PATTERN;
        if (op == SH_OP_LPAREN)
                st->paren++;
        else if (op == SH_OP_RPAREN && st->paren > 0)
                st->paren--;
        st->cmd_pos = op != SH_OP_RPAREN;
}

/* A newline: ends the command, and the here-docs of the line start after it. */
static void lex_newline(Lexer *lx, ListState *st, uint32_t list, uint32_t depth)
{
        uint8_t *top = st->n_cases > 0 ? &st->cases[st->n_cases - 1] : NULL;
        uint32_t tok = sh_lex_add_token(lx, SH_TOK_NEWLINE, list, lx->pos++, 1);

        if (tok == SH_NONE)
                return;
        if (st->cond)
                lx->ctx->ts->tokens[tok].flags |= SH_TOK_COND;
        st->heredoc_op = SH_NONE;
        st->target = false;
        if (!top || *top != CASE_SUBJECT)
                st->cmd_pos = true;
        sh_lex_read_heredocs(lx, list, depth);
}

/* An operator at pos, with the fd number written against it (2>&1, 3<>file); returns false,
 * pos unchanged, when there is none. */
static bool lex_op(Lexer *lx, ListState *st, uint32_t list)
{
        ShTokens *ts = lx->ctx->ts;
        size_t start = lx->pos, k = lx->pos, v = 0, oplen;
        int io = -1;
        uint32_t tok;
        ShOp op;

        while (k < lx->end && lx->s[k] >= '0' && lx->s[k] <= '9' && v <= 32767)
                v = v * 10 + (size_t)(lx->s[k++] - '0');
        if (k > start && v <= 32767 && (peek(lx, k) == '<' || peek(lx, k) == '>') &&
            peek(lx, k + 1) != '(') {
                io = (int)v;
                lx->pos = k;
        }
        op = sh_lex_match_op(lx, &oplen);
        /* <( and >( start a word: process substitution. */
        if (op == SH_OP_NONE ||
            ((op == SH_OP_LESS || op == SH_OP_GREAT) && peek(lx, lx->pos + 1) == '(')) {
                lx->pos = start;
                return false;
        }
        tok = sh_lex_add_token(lx, SH_TOK_OP, list, start, lx->pos + oplen - start);
        lx->pos += oplen;
        if (tok == SH_NONE)
                return true;
        ts->tokens[tok].op = (uint8_t)op;
        ts->tokens[tok].io_number = (int16_t)io;
        after_op(st, &ts->tokens[tok]);
        if ((op == SH_OP_DLESS || op == SH_OP_DLESSDASH) && !st->cond)
                st->heredoc_op = tok;
        return true;
}

void sh_lex_list(Lexer *lx, uint32_t list, uint32_t depth, bool until_paren)
{
        Ctx *ctx = lx->ctx;
        ListState st = {.cmd_pos = true, .heredoc_op = SH_NONE};

        for (;;) {
                bool pattern = st.n_cases > 0 && st.cases[st.n_cases - 1] == CASE_PATTERN;
                uint32_t tok;
                char c;

                skip_blanks(lx);
                if (ctx->stop)
                        return;
                if (lx->pos >= lx->end) {
                        if (until_paren)
                                ctx->ts->lists[list].unterminated = true;
                        return;
                }
                c = lx->s[lx->pos];
                if (c == '\n') {
                        lex_newline(lx, &st, list, depth);
                        continue;
                }
                if (c == '#') {
                        const char *nl = memchr(lx->s + lx->pos, '\n', lx->end - lx->pos);
                        size_t start = lx->pos;

                        lx->pos = nl ? (size_t)(nl - lx->s) : lx->end;
                        sh_lex_add_token(lx, SH_TOK_COMMENT, list, start, lx->pos - start);
                        continue;
                }
                /* The end of $( ... ), unless the ) belongs to a subshell or a case pattern. */
                if (until_paren && c == ')' && st.paren == 0 && !st.cond && !pattern) {
                        lx->pos++;
                        return;
                }
                if (c == '(' && peek(lx, lx->pos + 1) == '(' && (st.cmd_pos || st.arith_ok) &&
                    !st.cond && !pattern) {
                        sh_lex_arith_cmd(lx, list, depth);
                        st.cmd_pos = st.arith_ok = false;
                        continue;
                }
                if (lex_op(lx, &st, list))
                        continue;
                tok = sh_lex_word(lx, list, depth);
                if (tok != SH_NONE)
                        after_word(lx, &st, tok);
        }
}
