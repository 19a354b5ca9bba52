/* The shell tokenizer: every quoting form, substitutions nested, here-docs, positions, and
 * input that is malformed, binary, deep or large. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"
#include "scan/sh-tokenize.h"

#define S(lit) lit, sizeof(lit) - 1

/* The tokens of one list as text: W[word] OP[>] NL C[# comment] H[body]. */
static char *render(const ShTokens *ts, uint32_t list)
{
        const ShList *l = &ts->lists[list];
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        cr_assert_not_null(f);
        for (uint32_t k = 0; k < l->n; k++) {
                const ShToken *t = &ts->tokens[ts->order[l->first + k]];

                if (k > 0)
                        fputc(' ', f);
                switch (t->kind) {
                case SH_TOK_WORD:
                        fprintf(f, "W[%s]", sh_token_text(ts, t));
                        break;
                case SH_TOK_OP:
                        if (t->io_number >= 0)
                                fprintf(f, "%d", t->io_number);
                        fprintf(f, "OP[%s]", sh_op_to_string(t->op));
                        break;
                case SH_TOK_NEWLINE:
                        fputs("NL", f);
                        break;
                case SH_TOK_COMMENT:
                        fprintf(f, "C[%.*s]", (int)t->length, sh_token_raw(ts, t));
                        break;
                case SH_TOK_HEREDOC:
                        fprintf(f, "H[%.*s]", (int)t->length, sh_token_raw(ts, t));
                        break;
                }
        }
        fclose(f);
        return buf;
}

static ShTokens lex(const char *src, size_t len)
{
        ShTokens ts;

        cr_assert_eq(sh_tokenize(src, len, &ts), 0);
        return ts;
}

static void expect_list(const char *src, size_t len, uint32_t list, const char *want)
{
        ShTokens ts = lex(src, len);
        char *got;

        cr_assert_lt(list, ts.n_lists, "%s: no list %u", src, list);
        got = render(&ts, list);
        cr_expect_str_eq(got, want, "input: %s", src);
        free(got);
        sh_tokens_done(&ts);
}

#define EXPECT(src, want) expect_list(S(src), 0, want)

/* The first token of list 0 that is a word. */
static const ShToken *first_word(const ShTokens *ts)
{
        for (size_t i = 0; i < ts->n_tokens; i++)
                if (ts->tokens[i].kind == SH_TOK_WORD && ts->tokens[i].list == 0)
                        return &ts->tokens[i];
        cr_assert_fail("no word");
        return NULL;
}

Test(sh_tokenize, words_and_control_operators)
{
        EXPECT("a|b||c&&d;e&f;;g|&h", "W[a] OP[|] W[b] OP[||] W[c] OP[&&] W[d] OP[;] W[e] OP[&] "
                                      "W[f] OP[;;] W[g] OP[|&] W[h]");
        EXPECT("  echo\thello   world  ", "W[echo] W[hello] W[world]");
        EXPECT("(a) ; { b; }", "OP[(] W[a] OP[)] OP[;] W[{] W[b] OP[;] W[}]");
        EXPECT("", "");
        EXPECT(" \t \r ", "");
}

Test(sh_tokenize, redirection_operators_and_fd_numbers)
{
        EXPECT("c <in >out 2>&1 >>log <>rw >|cl &>both &>>app 3<&0 <<<str 10>x",
               "W[c] OP[<] W[in] OP[>] W[out] 2OP[>&] W[1] OP[>>] W[log] OP[<>] W[rw] OP[>|] "
               "W[cl] OP[&>] W[both] OP[&>>] W[app] 3OP[<&] W[0] OP[<<<] W[str] 10OP[>] W[x]");
        /* Digits not touching the operator are a word. */
        EXPECT("echo 2 >x", "W[echo] W[2] OP[>] W[x]");
        cr_assert(sh_op_is_redirection(SH_OP_TLESS));
        cr_assert(!sh_op_is_redirection(SH_OP_PIPE));
}

Test(sh_tokenize, single_and_double_quotes)
{
        ShTokens ts = lex(S("'a b'\"c d\"e"));
        const ShToken *t = first_word(&ts);
        const ShPart *p = sh_token_parts(&ts, t);

        cr_assert_str_eq(sh_token_text(&ts, t), "a bc de");
        cr_assert(t->flags & SH_WORD_QUOTED);
        cr_assert(!(t->flags & SH_WORD_EXPANDS));
        cr_assert_eq(t->n_parts, 1, "literal runs merge into one part");
        cr_assert_eq(p->kind, SH_PART_LITERAL);
        cr_assert(p->flags & SH_PART_SQUOTED);
        cr_assert(p->flags & SH_PART_DQUOTED);
        sh_tokens_done(&ts);

        /* Inside "...", backslash escapes only $ ` " \ and newline. */
        EXPECT("\"a\\\"b\\$c\\\\d\\e\"", "W[a\"b$c\\d\\e]");
        /* Inside '...', nothing is special. */
        EXPECT("'$(rm) `x` \\'", "W[$(rm) `x` \\]");
        EXPECT("'' \"\"", "W[] W[]");
}

Test(sh_tokenize, ansi_c_quotes)
{
        ShTokens ts = lex(S("$'\\x72\\x6d' $'a\\n\\t\\101\\u00e9\\cA\\'' $'x\\0yz' $'\\q'"));
        const char *want[] = {"rm", "a\n\tA\xc3\xa9\x01'", "x", "\\q"};
        size_t w = 0;

        for (size_t i = 0; i < ts.n_tokens; i++) {
                const ShToken *t = &ts.tokens[i];

                cr_assert_eq(t->kind, SH_TOK_WORD);
                cr_assert_str_eq(sh_token_text(&ts, t), want[w], "word %zu", w);
                cr_assert(sh_token_parts(&ts, t)->flags & SH_PART_ANSI);
                w++;
        }
        cr_assert_eq(w, 4);
        sh_tokens_done(&ts);
        /* $'...' inside double quotes is not ANSI-C quoting. */
        EXPECT("\"$'x'\"", "W[$'x']");
        EXPECT("$\"hello $x\"", "W[hello $x]");
}

Test(sh_tokenize, backslashes_and_line_continuations)
{
        EXPECT("r\\m -rf", "W[rm] W[-rf]");
        EXPECT("a\\ b c", "W[a b] W[c]");
        EXPECT("ec\\\nho hi", "W[echo] W[hi]");
        EXPECT("echo a \\\n b", "W[echo] W[a] W[b]");
        EXPECT("\"a\\\nb\"", "W[ab]");
        EXPECT("x\\", "W[x\\]");
}

Test(sh_tokenize, comments)
{
        EXPECT("echo a#b # c\n#d", "W[echo] W[a#b] C[# c] NL C[#d]");
        EXPECT("echo $# ${#x} x;#y", "W[echo] W[$#] W[${#x...}] W[x] OP[;] C[#y]");
        EXPECT("echo '# not' \"# not\"", "W[echo] W[# not] W[# not]");
}

Test(sh_tokenize, parameters_and_tilde)
{
        ShTokens ts = lex(S("$HOME ${HOME} ${x:-d} ${y:?} ~root/x $1 $@ \"$v\"x"));
        static const struct {
                ShPartKind kind;
                const char *name;
                bool guarded;
        } want[] = {
            {SH_PART_PARAM, "HOME", false},   {SH_PART_PARAM, "HOME", false},
            {SH_PART_PARAM_EXPR, "x", false}, {SH_PART_PARAM_EXPR, "y", true},
            {SH_PART_TILDE, "root", false},   {SH_PART_PARAM, "1", false},
            {SH_PART_PARAM, "@", false},      {SH_PART_PARAM, "v", false},
        };

        cr_assert_eq(ts.n_tokens, ELEMENTSOF(want));
        for (size_t i = 0; i < ts.n_tokens; i++) {
                const ShToken *t = &ts.tokens[i];
                const ShPart *p = sh_token_parts(&ts, t);

                cr_assert(t->flags & SH_WORD_EXPANDS, "word %zu", i);
                cr_assert_eq(p->kind, want[i].kind, "word %zu", i);
                cr_assert_eq(p->name_len, strlen(want[i].name), "word %zu", i);
                cr_assert(memcmp(sh_part_name(&ts, p), want[i].name, p->name_len) == 0);
                cr_assert_eq(!!(p->flags & SH_PART_GUARDED), want[i].guarded, "word %zu", i);
        }
        cr_assert(sh_token_parts(&ts, &ts.tokens[7])->flags & SH_PART_DQUOTED);
        cr_assert_eq(ts.tokens[7].n_parts, 2);
        sh_tokens_done(&ts);
        /* A lone $ and a $ before a non-name are literal. */
        EXPECT("$ a$ $%", "W[$] W[a$] W[$%]");
}

Test(sh_tokenize, command_substitutions_nest)
{
        ShTokens ts = lex(S("echo \"a $(ls $(pwd) | wc)\" b"));
        char *s;

        cr_assert_eq(ts.n_lists, 3);
        s = render(&ts, 0);
        cr_expect_str_eq(s, "W[echo] W[a $(...)] W[b]");
        free(s);
        s = render(&ts, 1);
        cr_expect_str_eq(s, "W[ls] W[$(...)] OP[|] W[wc]");
        free(s);
        s = render(&ts, 2);
        cr_expect_str_eq(s, "W[pwd]");
        free(s);
        cr_assert_eq(ts.lists[1].kind, SH_LIST_CMDSUB);
        cr_assert_eq(ts.lists[1].parent, 0);
        cr_assert_eq(ts.lists[1].depth, 1);
        cr_assert_eq(ts.lists[2].parent, 1);
        cr_assert_eq(ts.lists[2].depth, 2);
        /* Each body belongs to the word holding it. */
        cr_assert_str_eq(sh_token_text(&ts, &ts.tokens[ts.lists[1].token]), "a $(...)");
        cr_assert_str_eq(sh_token_text(&ts, &ts.tokens[ts.lists[2].token]), "$(...)");
        cr_assert_eq(ts.tokens[ts.lists[2].token].list, 1);
        sh_tokens_done(&ts);

        /* A ')' in a case pattern or a subshell does not end the substitution. */
        expect_list(S("x=$(case $y in a) echo A;; (b|c) (echo B);; esac) z"), 0,
                    "W[x=$(...)] W[z]");
        expect_list(S("$( (a) )"), 1, "OP[(] W[a] OP[)]");
        /* Quotes inside keep their parentheses. */
        expect_list(S("$(echo ')' \")\")"), 1, "W[echo] W[)] W[)]");
}

Test(sh_tokenize, backticks_and_escaped_nesting)
{
        ShTokens ts = lex(S("echo `echo \\`id\\`` \"`a \\\"b\\\"`\""));
        char *s;

        cr_assert_eq(ts.n_lists, 4);
        cr_assert_eq(ts.lists[1].kind, SH_LIST_BACKTICK);
        s = render(&ts, 1);
        cr_expect_str_eq(s, "W[echo] W[`...`]");
        free(s);
        s = render(&ts, 2);
        cr_expect_str_eq(s, "W[id]");
        free(s);
        cr_assert_eq(ts.lists[2].depth, 2);
        /* In double quotes, \" inside backticks is a quote of the inner command. */
        s = render(&ts, 3);
        cr_expect_str_eq(s, "W[a] W[b]");
        free(s);
        sh_tokens_done(&ts);
}

Test(sh_tokenize, parameter_expansion_and_arithmetic_bodies)
{
        ShTokens ts = lex(S("${x:-$(id)} $(( 1 + $(date +%s) )) ${y#\"}\"}"));
        char *s;

        cr_assert_eq(ts.n_lists, 3);
        s = render(&ts, 0);
        cr_expect_str_eq(s, "W[${x:-...}] W[$((...))] W[${y#...}]");
        free(s);
        s = render(&ts, 1);
        cr_expect_str_eq(s, "W[id]");
        free(s);
        s = render(&ts, 2);
        cr_expect_str_eq(s, "W[date] W[+%s]");
        free(s);
        cr_assert_eq(ts.lists[1].token, 0);
        cr_assert_eq(sh_token_parts(&ts, &ts.tokens[ts.lists[2].token])->kind, SH_PART_ARITH);
        sh_tokens_done(&ts);
}

Test(sh_tokenize, process_substitutions)
{
        ShTokens ts = lex(S("diff <(sort a) >(tee b) x<(c)"));
        char *s = render(&ts, 0);

        cr_expect_str_eq(s, "W[diff] W[<(...)] W[>(...)] W[x] W[<(...)]");
        free(s);
        cr_assert_eq(ts.lists[1].kind, SH_LIST_PROCSUB_IN);
        cr_assert_eq(ts.lists[2].kind, SH_LIST_PROCSUB_OUT);
        cr_assert_eq(sh_token_parts(&ts, &ts.tokens[ts.lists[1].token])->kind, SH_PART_PROCSUB_IN);
        sh_tokens_done(&ts);
}

Test(sh_tokenize, here_documents)
{
        ShTokens ts = lex(S("cat <<EOF >o; cat <<'Q'\nhi $(id)\nEOF\n$(no)\nQ\necho after\n"));
        const ShToken *op = NULL;
        char *s = render(&ts, 0);

        cr_expect_str_eq(s, "W[cat] OP[<<] W[EOF] OP[>] W[o] OP[;] W[cat] OP[<<] W[Q] NL "
                            "H[hi $(id)\n] H[$(no)\n] W[echo] W[after] NL");
        free(s);
        /* The unquoted body's substitution is a list; the quoted one's is text. */
        cr_assert_eq(ts.n_lists, 2);
        cr_assert_eq(ts.tokens[ts.lists[1].token].kind, SH_TOK_HEREDOC);
        for (size_t i = 0; i < ts.n_tokens; i++)
                if (ts.tokens[i].kind == SH_TOK_OP && ts.tokens[i].op == SH_OP_DLESS) {
                        op = &ts.tokens[i];
                        break;
                }
        cr_assert_not_null(op);
        cr_assert_neq(op->heredoc, SH_NONE);
        cr_assert_eq(ts.tokens[op->heredoc].kind, SH_TOK_HEREDOC);
        cr_assert(!(ts.tokens[op->heredoc].flags & SH_HEREDOC_QUOTED));
        cr_assert_eq(ts.tokens[op->heredoc].line, 2);
        sh_tokens_done(&ts);

        /* <<- strips tabs before the delimiter; quoted forms of the delimiter. */
        EXPECT("cat <<-\"E\"\n\tbody\n\tE\nx", "W[cat] OP[<<-] W[E] NL H[\tbody\n] W[x]");
        EXPECT("cat <<E\\N\nb\nEN\nx", "W[cat] OP[<<] W[EN] NL H[b\n] W[x]");
        /* Unterminated: the body runs to the end. */
        ts = lex(S("cat <<EOF\nno end"));
        cr_assert_eq(ts.tokens[ts.n_tokens - 1].kind, SH_TOK_HEREDOC);
        cr_assert(ts.tokens[ts.n_tokens - 1].flags & SH_TOK_UNTERMINATED);
        sh_tokens_done(&ts);
        /* A here-doc inside a substitution. */
        expect_list(S("x=$(cat <<E\n)\nE\n)\ny"), 1, "W[cat] OP[<<] W[E] NL H[)\n]");
}

Test(sh_tokenize, case_conditionals_and_arithmetic_commands)
{
        ShTokens ts = lex(S("case $x in a|b) rm x;; (c) y;; esac\n[[ $a < b ]] && c\n"
                            "((x<<2)); echo hi\nfor ((i=0;;)); do :; done"));
        const char *pattern[] = {"a", "b", "c"};
        size_t np = 0, heredocs = 0;

        for (size_t i = 0; i < ts.n_tokens; i++) {
                const ShToken *t = &ts.tokens[i];
                const char *text = t->kind == SH_TOK_WORD ? sh_token_text(&ts, t) : "";

                if (t->kind == SH_TOK_WORD && (t->flags & SH_TOK_CASE_PATTERN))
                        cr_assert_str_eq(text, pattern[np++]);
                if (t->kind == SH_TOK_OP && t->op == SH_OP_DLESS)
                        heredocs++;
                if (strcmp(text, "rm") == 0 || strcmp(text, "y") == 0 || strcmp(text, "esac") == 0)
                        cr_assert_eq(t->flags & (SH_TOK_CASE_PATTERN | SH_TOK_CASE_HEAD), 0);
                if (strcmp(text, "case") == 0 || strcmp(text, "in") == 0)
                        cr_assert(t->flags & SH_TOK_CASE_HEAD);
                if (strcmp(text, "[[") == 0 || strcmp(text, "]]") == 0 ||
                    (t->kind == SH_TOK_OP && t->op == SH_OP_LESS))
                        cr_assert(t->flags & SH_TOK_COND);
                if (t->kind == SH_TOK_OP && t->op == SH_OP_AND)
                        cr_assert(!(t->flags & SH_TOK_COND));
                if (strcmp(text, "((...))") == 0)
                        cr_assert(t->flags & SH_WORD_ARITH_CMD);
                if (strcmp(text, "hi") == 0)
                        cr_assert_eq(t->line, 3);
        }
        cr_assert_eq(np, 3);
        cr_assert_eq(heredocs, 0, "x<<2 in (( )) is a shift, not a here-doc");
        sh_tokens_done(&ts);
}

Test(sh_tokenize, assignments_and_arrays)
{
        ShTokens ts = lex(S("a=1 b+=2 c=(x y) 'd'=1 e"));

        cr_assert(ts.tokens[0].flags & SH_WORD_ASSIGN);
        cr_assert(ts.tokens[1].flags & SH_WORD_ASSIGN);
        cr_assert(ts.tokens[2].flags & SH_WORD_ARRAY);
        for (size_t i = 0; i < ts.n_tokens; i++)
                if (ts.tokens[i].kind == SH_TOK_WORD &&
                    strcmp(sh_token_text(&ts, &ts.tokens[i]), "d=1") == 0)
                        cr_assert(!(ts.tokens[i].flags & SH_WORD_ASSIGN), "quoted name");
        sh_tokens_done(&ts);
}

Test(sh_tokenize, positions)
{
        ShTokens ts = lex(S("a b\n\tc  $(d\n e)\n`f\ng`"));
        static const struct {
                const char *text;
                uint32_t line, column;
        } want[] = {{"a", 1, 1}, {"b", 1, 3},     {"c", 2, 2}, {"$(...)", 2, 5}, {"d", 2, 7},
                    {"e", 3, 2}, {"`...`", 4, 1}, {"f", 4, 2}, {"g", 5, 1}};

        for (size_t w = 0; w < ELEMENTSOF(want); w++) {
                bool found = false;

                for (size_t i = 0; i < ts.n_tokens && !found; i++) {
                        const ShToken *t = &ts.tokens[i];

                        if (t->kind != SH_TOK_WORD || strcmp(sh_token_text(&ts, t), want[w].text))
                                continue;
                        found = true;
                        cr_expect_eq(t->line, want[w].line, "%s", want[w].text);
                        cr_expect_eq(t->column, want[w].column, "%s", want[w].text);
                }
                cr_assert(found, "%s", want[w].text);
        }
        sh_tokens_done(&ts);
}

Test(sh_tokenize, malformed_input_is_flagged_not_fatal)
{
        static const char *const inputs[] = {
            "echo 'unterminated",
            "echo \"unterminated $(x",
            "echo $(unbalanced",
            "echo ${unbalanced",
            "echo `unbalanced",
            "echo $'unterminated\\",
            ") ) ) ;; esac fi }",
            "$((1 + (2",
            "cat <<",
            "cat <<EOF",
            "x=(",
            "\"$(\"$(\"",
            "\\",
            "$",
            "${",
            "${#",
            "$((",
            "<(",
            "case",
            "case x in",
            "[[ a",
            "((",
        };

        for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
                ShTokens ts;

                cr_assert_eq(sh_tokenize(inputs[i], strlen(inputs[i]), &ts), 0, "%s", inputs[i]);
                sh_tokens_done(&ts);
        }

        ShTokens ts = lex(S("echo 'abc"));
        cr_assert(ts.tokens[1].flags & SH_TOK_UNTERMINATED);
        cr_assert_str_eq(sh_token_text(&ts, &ts.tokens[1]), "abc");
        sh_tokens_done(&ts);
        ts = lex(S("echo $(ls"));
        cr_assert(ts.lists[1].unterminated);
        sh_tokens_done(&ts);
}

Test(sh_tokenize, nuls_and_bytes_that_are_not_utf8)
{
        /* bash drops NULs from its input: r<NUL>m runs rm. */
        EXPECT("r\0m -rf\0 /", "W[rm] W[-rf] W[/]");
        EXPECT("\xff\xfe \xe2\x82 'a\xa0' \xc3", "W[\xff\xfe] W[\xe2\x82] W[a\xa0] W[\xc3]");
        ShTokens ts = lex(S("\0\0\0"));
        cr_assert_eq(ts.n_tokens, 0);
        sh_tokens_done(&ts);
        cr_assert_eq(sh_tokenize(NULL, 0, &ts), 0);
        cr_assert_eq(ts.n_lists, 1);
        sh_tokens_done(&ts);
        sh_tokens_done(NULL);
}

static char *repeat(const char *unit, size_t times, const char *tail)
{
        size_t u = strlen(unit), t = strlen(tail);
        char *s = malloc(u * times + t + 1);

        cr_assert_not_null(s);
        for (size_t i = 0; i < times; i++)
                memcpy(s + i * u, unit, u);
        memcpy(s + u * times, tail, t + 1);
        return s;
}

Test(sh_tokenize, nesting_past_the_limit_stops_without_a_crash)
{
        static const char *const units[] = {"$(", "${x:-", "\"$(", "$((", "<(", "`"};

        for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
                char *s = repeat(units[u], 10000, "echo hi");
                ShTokens ts;

                cr_assert_eq(sh_tokenize(s, strlen(s), &ts), 0, "%s", units[u]);
                for (size_t l = 0; l < ts.n_lists; l++)
                        cr_assert_leq(ts.lists[l].depth, SH_MAX_DEPTH);
                if (units[u][0] != '`') /* nested backticks need escapes to nest */
                        cr_assert(ts.limit_hit, "%s", units[u]);
                sh_tokens_done(&ts);
                free(s);
        }
}

Test(sh_tokenize, too_many_tokens_stops_at_the_cap)
{
        char *s = repeat("; ", SH_MAX_TOKENS + 10, "");
        ShTokens ts;

        cr_assert_eq(sh_tokenize(s, strlen(s), &ts), 0);
        cr_assert(ts.limit_hit);
        cr_assert_leq(ts.n_tokens, SH_MAX_TOKENS);
        sh_tokens_done(&ts);
        free(s);
}

/* Shapes that a quadratic tokenizer would take minutes over: 1 MiB each finishes at once. */
Test(sh_tokenize, large_inputs_are_linear, .timeout = 60)
{
        static const char *const units[] = {
            "echo \"$(ls -l \"$x\")\" 'q' `id` ${a:-b} $((1+2)) <(c) # comment\n",
            "cat <<EOF\nline $(x)\n",
            "$(",
            "\"",
            "'a'\\\n",
            "x=$'\\x41' a|b&&c||d;",
        };

        for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
                char *s = repeat(units[u], (1u << 20) / strlen(units[u]), "");
                ShTokens ts;

                cr_assert_eq(sh_tokenize(s, strlen(s), &ts), 0);
                sh_tokens_done(&ts);
                free(s);
        }
}
