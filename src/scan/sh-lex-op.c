/* Control and redirection operators: their names, and the longest one at a position. */
#include "basic/macros.h"
#include "sh-tokenize-internal.h"

static const char *const op_names[_SH_OP_MAX] = {
    [SH_OP_NONE] = "",      [SH_OP_PIPE] = "|",        [SH_OP_PIPE_AMP] = "|&",
    [SH_OP_OR] = "||",      [SH_OP_AND] = "&&",        [SH_OP_SEMI] = ";",
    [SH_OP_DSEMI] = ";;",   [SH_OP_SEMI_AMP] = ";&",   [SH_OP_DSEMI_AMP] = ";;&",
    [SH_OP_AMP] = "&",      [SH_OP_LPAREN] = "(",      [SH_OP_RPAREN] = ")",
    [SH_OP_GREAT] = ">",    [SH_OP_DGREAT] = ">>",     [SH_OP_CLOBBER] = ">|",
    [SH_OP_LESS] = "<",     [SH_OP_LESSGREAT] = "<>",  [SH_OP_GREATAND] = ">&",
    [SH_OP_LESSAND] = "<&", [SH_OP_AMP_GREAT] = "&>",  [SH_OP_AMP_DGREAT] = "&>>",
    [SH_OP_DLESS] = "<<",   [SH_OP_DLESSDASH] = "<<-", [SH_OP_TLESS] = "<<<",
};

const char *sh_op_to_string(ShOp op)
{
        return op < _SH_OP_MAX ? op_names[op] : "?";
}

bool sh_op_is_redirection(ShOp op)
{
        return op >= SH_OP_GREAT && op <= SH_OP_TLESS;
}

ShOp sh_lex_match_op(const Lexer *lx, size_t *ret_len)
{
        char c = peek(lx, lx->pos), c1 = peek(lx, lx->pos + 1), c2 = peek(lx, lx->pos + 2);
        ShOp op = SH_OP_NONE;
        size_t n = 1;

        switch (c) {
        case '|':
                op = c1 == '|' ? SH_OP_OR : c1 == '&' ? SH_OP_PIPE_AMP : SH_OP_PIPE;
                n = op == SH_OP_PIPE ? 1 : 2;
                break;
        case '&':
                if (c1 == '&')
                        op = SH_OP_AND, n = 2;
                else if (c1 == '>')
                        op = c2 == '>' ? SH_OP_AMP_DGREAT : SH_OP_AMP_GREAT, n = c2 == '>' ? 3 : 2;
                else
                        op = SH_OP_AMP;
                break;
        case ';':
                if (c1 == ';')
                        op = c2 == '&' ? SH_OP_DSEMI_AMP : SH_OP_DSEMI, n = c2 == '&' ? 3 : 2;
                else if (c1 == '&')
                        op = SH_OP_SEMI_AMP, n = 2;
                else
                        op = SH_OP_SEMI;
                break;
        case '(':
                op = SH_OP_LPAREN;
                break;
        case ')':
                op = SH_OP_RPAREN;
                break;
        case '<':
                if (c1 == '<')
                        op = c2 == '<'   ? SH_OP_TLESS
                             : c2 == '-' ? SH_OP_DLESSDASH
                                         : SH_OP_DLESS,
                        n = (c2 == '<' || c2 == '-') ? 3 : 2;
                else if (c1 == '>')
                        op = SH_OP_LESSGREAT, n = 2;
                else if (c1 == '&')
                        op = SH_OP_LESSAND, n = 2;
                else
                        op = SH_OP_LESS;
                break;
        case '>':
                if (c1 == '>')
                        op = SH_OP_DGREAT, n = 2;
                else if (c1 == '&')
                        op = SH_OP_GREATAND, n = 2;
                else if (c1 == '|')
                        op = SH_OP_CLOBBER, n = 2;
                else
                        op = SH_OP_GREAT;
                break;
        }
        *ret_len = n;
        return op;
}
