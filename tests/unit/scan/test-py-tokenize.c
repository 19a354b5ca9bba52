/* The Python tokenizer: every string form, f-strings and their expressions, numbers, operators,
 * line joining, indentation, positions, string values, names, and malformed input. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"
#include "scan/py-tokenize.h"

#define S(lit) lit, sizeof(lit) - 1

/* All tokens of src. */
static PyToken *tokenize(const char *src, size_t len, size_t *ret_n)
{
        size_t cap = 2 * len + 16, n = 0;
        PyToken *v = calloc(cap, sizeof(*v));
        PyTokenizer t;

        cr_assert_not_null(v);
        py_tokenizer_init(&t, src, len);
        while (py_tokenizer_next(&t, &v[n])) {
                n++;
                cr_assert_lt(n, cap, "more tokens than 2 per byte");
        }
        cr_assert_gt(n, 0);
        cr_assert_eq(v[n - 1].type, PY_TOK_ENDMARKER);
        *ret_n = n;
        return v;
}

/* "TYPE:text TYPE:text ...", leaving out NL, NEWLINE, COMMENT, ENDMARKER unless all. */
static char *render(const char *src, size_t len, bool all)
{
        size_t n, used = 0, cap = 16 * len + 64;
        PyToken *v = tokenize(src, len, &n);
        char *out = calloc(1, cap);

        for (size_t i = 0; i < n; i++) {
                const PyToken *t = &v[i];

                if (!all && (t->type == PY_TOK_NL || t->type == PY_TOK_NEWLINE ||
                             t->type == PY_TOK_COMMENT || t->type == PY_TOK_ENDMARKER))
                        continue;
                used += snprintf(out + used, cap - used, "%s%s", used ? " " : "",
                                 py_token_type_to_string(t->type));
                if (t->len > 0 && t->type != PY_TOK_NEWLINE && t->type != PY_TOK_NL &&
                    t->type != PY_TOK_INDENT)
                        used +=
                            snprintf(out + used, cap - used, ":%.*s", (int)t->len, src + t->start);
        }
        free(v);
        return out;
}

static void expect(const char *src, const char *want)
{
        char *got = render(src, strlen(src), false);

        cr_expect_str_eq(got, want, "for %s\n got  %s\n want %s", src, got, want);
        free(got);
}

static void expect_all(const char *src, const char *want)
{
        char *got = render(src, strlen(src), true);

        cr_expect_str_eq(got, want, "for %s\n got  %s\n want %s", src, got, want);
        free(got);
}

Test(py_tokenize, names_numbers_operators)
{
        expect("x = foo.bar(1, 2.5e-3, 0x1F, 0o17, 0b1010, 1_000, 3j, .5)",
               "NAME:x OP:= NAME:foo OP:. NAME:bar OP:( NUMBER:1 OP:, NUMBER:2.5e-3 OP:, "
               "NUMBER:0x1F OP:, NUMBER:0o17 OP:, NUMBER:0b1010 OP:, NUMBER:1_000 OP:, "
               "NUMBER:3j OP:, NUMBER:.5 OP:)");
        expect("a **= b // c >>= d <<= e ... -> := != == <= >= @ ~",
               "NAME:a OP:**= NAME:b OP:// NAME:c OP:>>= NAME:d OP:<<= NAME:e OP:... OP:-> "
               "OP::= OP:!= OP:== OP:<= OP:>= OP:@ OP:~");
        /* 1if: the number stops where a keyword starts, as in CPython */
        expect("x = 1if y else 2", "NAME:x OP:= NUMBER:1 NAME:if NAME:y NAME:else NUMBER:2");
        expect("caf\xc3\xa9 = \xe5\x90\x8d\xe5\x89\x8d",
               "NAME:caf\xc3\xa9 OP:= NAME:\xe5\x90\x8d\xe5\x89\x8d");
        expect("$ ? `", "ERRORTOKEN:$ ERRORTOKEN:? ERRORTOKEN:`");
}

Test(py_tokenize, every_string_prefix_and_quote)
{
        static const char *const prefixes[] = {"",   "r",  "u",  "R",  "U",  "b",  "B",  "f",  "F",
                                               "rb", "br", "Rb", "bR", "RB", "BR", "rB", "Br", "fr",
                                               "rf", "Fr", "fR", "RF", "FR", "rF", "Rf"};
        static const char *const quotes[] = {"'", "\"", "'''", "\"\"\""};

        for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++)
                for (size_t q = 0; q < sizeof(quotes) / sizeof(quotes[0]); q++) {
                        char src[64], want[128];
                        bool f = strpbrk(prefixes[p], "fF") != NULL;

                        snprintf(src, sizeof(src), "%s%sab%s", prefixes[p], quotes[q], quotes[q]);
                        if (f)
                                snprintf(want, sizeof(want),
                                         "FSTRING_START:%s%s FSTRING_MIDDLE:ab FSTRING_END:%s",
                                         prefixes[p], quotes[q], quotes[q]);
                        else
                                snprintf(want, sizeof(want), "STRING:%s", src);
                        expect(src, want);
                }
        /* Not prefixes: a name, then a string. */
        expect("ub'x'", "NAME:ub STRING:'x'");
        expect("bf'x'", "NAME:bf STRING:'x'");
        expect("rr'x'", "NAME:rr STRING:'x'");
}

Test(py_tokenize, escapes_and_continuations_in_strings)
{
        expect("'it\\'s' \"say \\\"hi\\\"\"", "STRING:'it\\'s' STRING:\"say \\\"hi\\\"\"");
        /* a backslash-newline inside a one-quote string continues it */
        expect("x = 'ab\\\ncd'\ny", "NAME:x OP:= STRING:'ab\\\ncd' NAME:y");
        expect("x = 'ab\\\r\ncd'", "NAME:x OP:= STRING:'ab\\\r\ncd'");
        /* raw strings end at a quote that is not escaped: r"\"" is one string */
        expect("r\"\\\"\" x", "STRING:r\"\\\"\" NAME:x");
        expect("'''a\n'b'\n\"\"c'''", "STRING:'''a\n'b'\n\"\"c'''");
        expect("'''a''''", "STRING:'''a''' STRING:'"); /* the last quote opens a string */
}

Test(py_tokenize, unterminated_strings)
{
        size_t n;
        PyToken *v = tokenize(S("x = 'abc\ny = 1\n"), &n);

        cr_expect_eq(v[2].type, PY_TOK_STRING);
        cr_expect(v[2].flags & PY_TOKF_UNTERMINATED);
        cr_expect_eq(v[2].len, 4); /* cut by the end of the line */
        cr_expect_eq(v[4].type, PY_TOK_NAME);
        cr_expect_eq(v[4].line, 2);
        free(v);

        v = tokenize(S("s = \"\"\"never closed\nos.system('x')\n"), &n);
        cr_expect_eq(v[2].type, PY_TOK_STRING);
        cr_expect(v[2].flags & PY_TOKF_UNTERMINATED);
        cr_expect_eq(v[2].start + v[2].len, strlen("s = \"\"\"never closed\nos.system('x')\n"));
        free(v);

        expect("'", "STRING:'");
        expect("f'{x", "FSTRING_START:f' OP:{ NAME:x FSTRING_END"); /* an empty end */
        expect("f'''", "FSTRING_START:f''' FSTRING_END");
}

Test(py_tokenize, fstrings_expose_expressions)
{
        expect("f\"a{os.system('id')}b\"",
               "FSTRING_START:f\" FSTRING_MIDDLE:a OP:{ NAME:os OP:. NAME:system OP:( "
               "STRING:'id' OP:) OP:} FSTRING_MIDDLE:b FSTRING_END:\"");
        /* conversion, format spec with a nested field, self-documenting '=' */
        expect("f'{x!r:>{width}} {y=} {z:%Y-%m}'",
               "FSTRING_START:f' OP:{ NAME:x OP:! NAME:r OP:: FSTRING_MIDDLE:> OP:{ NAME:width "
               "OP:} OP:} FSTRING_MIDDLE:  OP:{ NAME:y OP:= OP:} FSTRING_MIDDLE:  OP:{ NAME:z OP:: "
               "FSTRING_MIDDLE:%Y-%m OP:} FSTRING_END:'");
        /* doubled braces are text; != is no conversion; a dict and a slice keep their ':' */
        expect("f'{{x}} {a != b} {d[\"k\"]} {s[1:2]} {({1: 2})}'",
               "FSTRING_START:f' FSTRING_MIDDLE:{{x}}  OP:{ NAME:a OP:!= NAME:b OP:} "
               "FSTRING_MIDDLE:  OP:{ NAME:d OP:[ STRING:\"k\" OP:] OP:} FSTRING_MIDDLE:  OP:{ "
               "NAME:s OP:[ NUMBER:1 OP:: NUMBER:2 OP:] OP:} FSTRING_MIDDLE:  OP:{ OP:( OP:{ "
               "NUMBER:1 OP:: NUMBER:2 OP:} OP:) OP:} FSTRING_END:'");
        /* nested f-strings with the other quotes (3.11) */
        expect("f\"{f'{x}'}\"",
               "FSTRING_START:f\" OP:{ FSTRING_START:f' OP:{ NAME:x OP:} FSTRING_END:' OP:} "
               "FSTRING_END:\"");
        /* 3.11 rules: the same quote ends the f-string, the expression so far is kept */
        expect("f\"{x[\"k\"]}\"",
               "FSTRING_START:f\" OP:{ NAME:x OP:[ FSTRING_END:\" NAME:k STRING:\"]}\"");
        /* raw f-string: backslashes are text; \\{ in a plain one is a backslash and a field */
        expect("rf'\\d{n}'", "FSTRING_START:rf' FSTRING_MIDDLE:\\d OP:{ NAME:n OP:} FSTRING_END:'");
        expect("f'\\{n}'", "FSTRING_START:f' FSTRING_MIDDLE:\\ OP:{ NAME:n OP:} FSTRING_END:'");
        expect("f'\\N{DASH}{n}'",
               "FSTRING_START:f' FSTRING_MIDDLE:\\N{DASH} OP:{ NAME:n OP:} FSTRING_END:'");
        /* a comment is not allowed in an expression part */
        expect("f'{x#}'", "FSTRING_START:f' OP:{ NAME:x ERRORTOKEN:# OP:} FSTRING_END:'");
}

Test(py_tokenize, fstring_multiline_positions)
{
        const char *src = "x = f'''a\n{\n  eval(s)\n}'''\ny\n";
        size_t n;
        PyToken *v = tokenize(src, strlen(src), &n);
        bool seen = false;

        for (size_t i = 0; i < n; i++)
                if (v[i].type == PY_TOK_NAME && v[i].len == 4 &&
                    memcmp(src + v[i].start, "eval", 4) == 0) {
                        cr_expect_eq(v[i].line, 3);
                        cr_expect_eq(v[i].col, 3);
                        cr_expect_eq(v[i].fdepth, 1);
                        cr_expect(v[i].flags & PY_TOKF_FSTRING);
                        seen = true;
                }
        cr_expect(seen);
        cr_expect_eq(v[n - 3].type, PY_TOK_NAME); /* y, NEWLINE, ENDMARKER */
        cr_expect_eq(v[n - 3].line, 5);
        free(v);
}

Test(py_tokenize, fstrings_nested_past_the_frames)
{
        /* Format specs nest fields in fields; past PY_TOKENIZE_MAX_FRAMES the rest of the
         * f-string is taken as text, and the f-string still ends where it ends. */
        char src[4096] = "f'";
        size_t n;
        PyToken *v;
        int middles_with_brace = 0, ends = 0;

        for (int i = 0; i < 40; i++)
                strcat(src, "{a:");
        strcat(src, "x");
        for (int i = 0; i < 40; i++)
                strcat(src, "}");
        strcat(src, "' + y");
        v = tokenize(src, strlen(src), &n);
        for (size_t i = 0; i < n; i++) {
                middles_with_brace += v[i].type == PY_TOK_FSTRING_MIDDLE &&
                                      memchr(src + v[i].start, '{', v[i].len) != NULL;
                ends += v[i].type == PY_TOK_FSTRING_END;
        }
        cr_expect_eq(middles_with_brace, 1);
        cr_expect_eq(ends, 1);
        cr_expect_eq(v[n - 3].type, PY_TOK_NAME); /* y, NEWLINE, ENDMARKER */
        free(v);
}

Test(py_tokenize, newline_nl_comments_and_joining)
{
        expect_all("a = (1,\n     2)  # c\n\n# only\nb \\\n  = 3\n",
                   "NAME:a OP:= OP:( NUMBER:1 OP:, NL NUMBER:2 OP:) COMMENT:# c NEWLINE NL "
                   "COMMENT:# only NL NAME:b OP:= NUMBER:3 NEWLINE ENDMARKER");
        /* no final line break: NEWLINE is empty */
        expect_all("x", "NAME:x NEWLINE ENDMARKER");
        /* a lone \r ends a line, as it does for Python reading a file */
        expect_all("a = 1\rb = 2", "NAME:a OP:= NUMBER:1 NEWLINE NAME:b OP:= NUMBER:2 NEWLINE "
                                   "ENDMARKER");
        /* a backslash not before a line break */
        expect("a \\ b", "NAME:a ERRORTOKEN:\\ NAME:b");
}

Test(py_tokenize, indent_and_dedent)
{
        expect_all("if x:\n    y\n    if z:\n\tw\n\n  # c\nv\n",
                   "NAME:if NAME:x OP:: NEWLINE INDENT NAME:y NEWLINE NAME:if NAME:z OP:: "
                   "NEWLINE INDENT NAME:w NEWLINE NL COMMENT:# c NL DEDENT DEDENT NAME:v NEWLINE "
                   "ENDMARKER");
        /* closed at the end of the input */
        expect_all("def f():\n  return 1", "NAME:def NAME:f OP:( OP:) OP:: NEWLINE INDENT "
                                           "NAME:return NUMBER:1 NEWLINE DEDENT ENDMARKER");
        /* a column matching no level (Python's "unindent does not match") */
        expect_all("if a:\n    b\n  c\n", "NAME:if NAME:a OP:: NEWLINE INDENT NAME:b NEWLINE "
                                          "DEDENT NAME:c NEWLINE ENDMARKER");
        /* lines inside brackets do not indent */
        expect_all("x = [\n        1]\n", "NAME:x OP:= OP:[ NL NUMBER:1 OP:] NEWLINE ENDMARKER");
}

Test(py_tokenize, positions)
{
        const char *src = "\xef\xbb\xbfimport os\r\nx = '''a\nb'''; os.system(x)\n";
        size_t n;
        PyToken *v = tokenize(src, strlen(src), &n);
        static const struct {
                const char *text;
                uint32_t line, col;
        } want[] = {
            {"import", 1, 1}, {"os", 1, 8}, {"x", 2, 1}, {"=", 2, 3},       {"'''a\nb'''", 2, 5},
            {";", 3, 5},      {"os", 3, 7}, {".", 3, 9}, {"system", 3, 10}, {"(", 3, 16},
        };
        size_t k = 0;

        for (size_t i = 0; i < n && k < sizeof(want) / sizeof(want[0]); i++) {
                if (v[i].type == PY_TOK_NEWLINE || v[i].type == PY_TOK_NL)
                        continue;
                cr_expect_eq(v[i].len, strlen(want[k].text), "token %zu", k);
                cr_expect(memcmp(src + v[i].start, want[k].text, v[i].len) == 0, "token %zu", k);
                cr_expect_eq(v[i].line, want[k].line, "%s", want[k].text);
                cr_expect_eq(v[i].col, want[k].col, "%s", want[k].text);
                k++;
        }
        cr_expect_eq(k, sizeof(want) / sizeof(want[0]));
        free(v);
}

Test(py_tokenize, string_values)
{
        static const struct {
                const char *src, *value;
                size_t value_len;
        } cases[] = {
            {"'a\\x41\\101\\u00e9\\n'", "aAA\xc3\xa9\n", 6},
            {"b'\\xff\\x00'", "\xff\0", 2},
            {"r'\\x41\\n'", "\\x41\\n", 6},
            {"'/etc/sh\\\nadow'", "/etc/shadow", 11},
            {"'\\N{DASH}'", "\\N{DASH}", 8},
            {"'''tri\nple'''", "tri\nple", 7},
            {"u'\\U0001F600'", "\xf0\x9f\x98\x80", 4},
            {"'\\q'", "\\q", 2},
            {"'unterminated", "unterminated", 12},
            {"b'\\u0041'", "\\u0041", 6},
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                size_t n;
                PyToken *v = tokenize(cases[i].src, strlen(cases[i].src), &n);
                char buf[64];
                size_t len = py_string_value(cases[i].src, &v[0], buf, sizeof(buf));

                cr_expect_eq(v[0].type, PY_TOK_STRING, "%s", cases[i].src);
                cr_expect_eq(len, cases[i].value_len, "%s: %zu", cases[i].src, len);
                cr_expect(memcmp(buf, cases[i].value, MIN(len, sizeof(buf))) == 0, "%s",
                          cases[i].src);
                /* a buffer too small is filled, and the full length returned */
                cr_expect_eq(py_string_value(cases[i].src, &v[0], buf, 1), cases[i].value_len);
                free(v);
        }
}

Test(py_tokenize, fstring_text_values)
{
        const char *src = "f'{{a}}\\x41{b}'";
        size_t n;
        PyToken *v = tokenize(src, strlen(src), &n);
        char buf[32];

        cr_assert_eq(v[1].type, PY_TOK_FSTRING_MIDDLE);
        cr_expect_eq(py_string_value(src, &v[1], buf, sizeof(buf)), 4);
        cr_expect(memcmp(buf, "{a}A", 4) == 0);
        free(v);
}

Test(py_tokenize, look_alike_names_fold_to_ascii)
{
        static const struct {
                const char *src, *name;
                bool folded;
        } cases[] = {
            {"eval", "eval", false},
            {"\xef\xbd\x85\xef\xbd\x96\xef\xbd\x81\xef\xbd\x8c", "eval", true}, /* fullwidth */
            {"\xf0\x9d\x90\x9e\xf0\x9d\x90\xaf\xf0\x9d\x90\x9a\xf0\x9d\x90\xa5", "eval",
             true}, /* mathematical bold */
            {"\xe2\x84\xaf"
             "val",
             "eval", true},                   /* script small e */
            {"\xc5\xbfys", "sys", true},      /* long s */
            {"\xef\xac\x81le", "file", true}, /* fi ligature */
        };
        char buf[32];
        bool folded;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                size_t n;
                PyToken *v = tokenize(cases[i].src, strlen(cases[i].src), &n);

                cr_assert_eq(v[0].type, PY_TOK_NAME);
                cr_expect_eq(py_name_value(cases[i].src, &v[0], buf, sizeof(buf), &folded),
                             (int)strlen(cases[i].name));
                cr_expect_str_eq(buf, cases[i].name);
                cr_expect_eq(folded, cases[i].folded);
                free(v);
        }
        {
                /* other letters stay what they are, and a short buffer is refused */
                size_t n;
                PyToken *v = tokenize(S("caf\xc3\xa9"), &n);

                cr_expect_eq(py_name_value("caf\xc3\xa9", &v[0], buf, sizeof(buf), NULL), -1);
                free(v);
                v = tokenize(S("abcdef"), &n);
                cr_expect_eq(py_name_value("abcdef", &v[0], buf, 6, NULL), -1);
                cr_expect_eq(py_name_value("abcdef", &v[0], buf, 7, NULL), 6);
                free(v);
        }
}

/* The invariants the fuzzer checks too, on one input. */
static void check_invariants(const char *src, size_t len)
{
        size_t n, prev_end = 0;
        PyToken *v = tokenize(src, len, &n);
        long depth = 0, fstrings = 0;

        for (size_t i = 0; i < n; i++) {
                cr_assert_leq((size_t)v[i].start + v[i].len, len);
                cr_assert_geq(v[i].start, i ? v[i - 1].start : 0);
                cr_assert_geq(v[i].line, 1);
                cr_assert_geq(v[i].col, 1);
                depth += v[i].type == PY_TOK_INDENT;
                depth -= v[i].type == PY_TOK_DEDENT;
                fstrings += v[i].type == PY_TOK_FSTRING_START;
                fstrings -= v[i].type == PY_TOK_FSTRING_END;
                cr_assert_geq(depth, 0);
                cr_assert_geq(fstrings, 0);
                prev_end = MAX(prev_end, (size_t)v[i].start + v[i].len);
        }
        cr_assert_eq(depth, 0);
        cr_assert_eq(fstrings, 0);
        free(v);
}

Test(py_tokenize, malformed_input_never_fails)
{
        static const char nuls[] = "x = 1\0\0os.system('\0')\n\0";
        char *big;
        size_t len;

        check_invariants(nuls, sizeof(nuls) - 1);
        check_invariants(S("\xff\xfe\x80 = '\xc3' + \xe2\x82\n\t\xff"));
        check_invariants(S("))]]}}{{[[(("));
        check_invariants(S("f'{'\nf\"{f'{f\"{\"\n"));
        check_invariants(S("\\"));
        check_invariants(S("\\\n\\\n\\"));
        check_invariants(S("'''\\"));
        check_invariants(S("\r\r\n\n\r"));
        check_invariants(S("if x:\n\t\t\t\t y\n z\n\f  w\n"));
        check_invariants(S(""));

        /* deep nesting of brackets */
        len = 1 << 20;
        big = malloc(len);
        memset(big, '(', len / 2);
        memset(big + len / 2, ')', len / 2);
        check_invariants(big, len);
        /* a gigantic line */
        memset(big, 'a', len);
        check_invariants(big, len);
        /* indentation deeper than Python allows */
        {
                size_t used = 0;

                for (int lvl = 0; lvl < 300 && used + 400 < len; lvl++) {
                        memset(big + used, ' ', (size_t)lvl);
                        used += (size_t)lvl;
                        memcpy(big + used, "if x:\n", 6);
                        used += 6;
                }
                check_invariants(big, used);
        }
        /* many unterminated f-strings and strings */
        for (size_t i = 0; i + 3 <= len; i += 3)
                memcpy(big + i, "f'{", 3);
        check_invariants(big, len - len % 3);
        free(big);
}
