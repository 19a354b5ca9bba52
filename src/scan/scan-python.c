/* Python rules: a table of rules, a table of the names they watch, and a matcher over the
 * tokens of py-tokenize.c.
 *
 * The matcher follows names, not text. Imports and simple assignments bind names to what they
 * stand for ("import os as o", "from subprocess import Popen as P", "s = os.system"), a chain
 * such as o.system, getattr(o, "sys" + "tem"), __import__("os").system or
 * sys.modules["os"].system resolves to the qualified name os.system, and the table says what
 * that is. Strings built from literals ('sys' + 'tem', chr() joins, [::-1], base64, hex, rot13,
 * bytes([...])) are folded to their value first; code that reaches exec() as such a value is
 * scanned in turn. A method called eval on some object (model.eval(), df.eval()) or re.compile
 * is another name than builtins.eval or builtins.compile, and docstrings and comments are no
 * code.
 *
 * Everything is bounded: a work budget proportional to the input for folding and look-ahead, a
 * depth for nesting, a budget for the payloads scanned, 64 KiB per folded string. Past a bound,
 * the matcher knows less (an expression it cannot see), never crashes nor loops.
 *
 * One concern per file; scan-python-internal.h declares what crosses files:
 *   py-rules.c     the rule table, and the names, modules and attributes it watches (data)
 *   py-names.c     names: table look-ups, imports and aliases, what a bare name resolves to
 *   py-bindings.c  the table of what each name is bound to, per scope
 *   py-chain.c     chains (o.system, getattr(o, "x"), __import__("os").system) and calls
 *   py-calls.c     what calls do: code run, payloads loaded, paths written, processes forked
 *   py-fold.c      constant folding of string expressions
 *   py-str.c       the folded strings, and the decoders folding applies
 *   py-literal.c   what a string names: credential and host paths, URLs, escape attributes
 *   py-blocks.c    loops and functions, for fork bombs and endless loops
 *   py-stmt.c      statements and expressions, a logical line at a time
 *   scan-python.c  this file: the driver, and the primitives over the token array */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"
#include "scan-python-internal.h"

/* Reports rule at tokens [ta, tb]; in a payload, at the call that runs it. */
void py_report(Ctx *c, unsigned rule, size_t ta, size_t tb, const char *fmt, ...)
{
        char reason[200];
        const char *snippet;
        size_t snippet_len;
        uint32_t line, col;
        va_list ap;
        int r;

        for (size_t i = 0; i < py_once_per_file_count; i++)
                if (py_once_per_file[i] == rule && c->sh->reported[rule])
                        return;
        c->sh->reported[rule] = true;
        va_start(ap, fmt);
        vsnprintf(reason, sizeof(reason), fmt, ap);
        va_end(ap);
        if (c->at) {
                line = c->at->line;
                col = c->at->col;
                snippet = c->at_snippet;
                snippet_len = c->at_snippet_len;
                r = scan_report_add(c->sh->report, &scan_python_rules[rule], line, col, snippet,
                                    snippet_len, "in the code %s runs: %s", c->at_what, reason);
        } else {
                const PyToken *a = &c->tok[MIN(ta, c->n - 1)];
                const PyToken *b = &c->tok[MIN(MAX(ta, tb), c->n - 1)];
                size_t end = MAX((size_t)a->start, (size_t)b->start + b->len);

                snippet = c->src + a->start;
                snippet_len = MIN(end - a->start, (size_t)SNIPPET_MAX);
                r = scan_report_add(c->sh->report, &scan_python_rules[rule], a->line, a->col,
                                    snippet, snippet_len, "%s", reason);
        }
        if (r < 0)
                fail(c, r);
}

/* The value of a STRING or FSTRING_MIDDLE token, in the shared scratch buffer. */
bool py_token_value(Ctx *c, size_t i, const char **ret, size_t *ret_len)
{
        const PyToken *t = &c->tok[i];
        size_t need = (size_t)t->len + 1;

        if (need > c->sh->scratch_cap) {
                char *p = realloc(c->sh->scratch, need);

                if (!p) {
                        fail(c, -ENOMEM);
                        return false;
                }
                c->sh->scratch = p;
                c->sh->scratch_cap = need;
        }
        /* A value is never longer than its literal. */
        *ret_len =
            MIN(py_string_value(c->src, t, c->sh->scratch, c->sh->scratch_cap), c->sh->scratch_cap);
        *ret = c->sh->scratch;
        return true;
}

/* Span of positional argument idx, or of keyword argument kw, of the call whose '(' is at o. */
bool py_call_arg(const Ctx *c, size_t o, size_t cl, int idx, const char *kw, size_t *ra, size_t *rb)
{
        int k = 0;

        for (size_t i = o + 1; i < cl; i++) {
                size_t s = i;

                while (i < cl && !tok_is(c, i, ","))
                        i = skip_group(c, i, cl);
                i = MIN(i, cl);
                if (s >= i)
                        continue;
                if (tok_type(c, s, PY_TOK_NAME) && tok_is(c, s + 1, "=") && s + 1 < i) {
                        if (kw && py_token_is(c->src, &c->tok[s], kw)) {
                                *ra = s + 2;
                                *rb = i;
                                return *ra < *rb;
                        }
                } else if (tok_is(c, s, "*") || tok_is(c, s, "**")) {
                        k = INT32_MIN / 2; /* unpacked: the positions after it are unknown */
                } else if (k++ == idx) {
                        *ra = s;
                        *rb = i;
                        return true;
                }
        }
        return false;
}

/* value[::-1] */
bool py_is_reversal(const Ctx *c, size_t i, size_t cl)
{
        return cl == i + 5 && tok_is(c, i + 1, ":") && tok_is(c, i + 2, ":") &&
               tok_is(c, i + 3, "-") && tok_type(c, i + 4, PY_TOK_NUMBER) &&
               c->tok[i + 4].len == 1 && c->src[c->tok[i + 4].start] == '1';
}

/* Python reads a "coding" comment on line 1 or 2 and decodes the file with it. What it decodes
 * with anything but these is not the text scanned. */
static void check_coding(Ctx *c, const PyToken *t)
{
        static const char *const ok[] = {"utf-8",   "utf8",   "ascii",       "us-ascii",
                                         "latin-1", "latin1", "iso-8859-",   "iso8859-",
                                         "l1",      "cp1252", "windows-1252"};
        const char *p = c->src + t->start, *end = p + t->len, *s;
        char name[32];
        size_t n = 0;

        s = memmem(p, t->len, "coding", 6);
        if (!s || s + 6 >= end || (s[6] != ':' && s[6] != '='))
                return;
        for (s += 7; s < end && (*s == ' ' || *s == '\t'); s++)
                ;
        for (; s < end && n + 1 < sizeof(name) && (name_char(*s)); s++)
                name[n++] = *s == '_' ? '-' : (char)(*s | ((*s >= 'A' && *s <= 'Z') ? 0x20 : 0));
        name[n] = '\0';
        if (n == 0)
                return;
        for (size_t i = 0; i < ELEMENTSOF(ok); i++)
                if (strncmp(name, ok[i], strlen(ok[i])) == 0 &&
                    (ok[i][strlen(ok[i]) - 1] == '-' || name[strlen(ok[i])] == '\0' ||
                     strcmp(name + strlen(ok[i]), "-sig") == 0))
                        return;
        scan_report_add(c->sh->report, &scan_python_rules[R_OBF_CODING], t->line, t->col, p, t->len,
                        "source encoding %s: Python decodes the file, the scanner reads it "
                        "as it is",
                        name);
}

static bool is_closer(const PyToken *t, const char *src)
{
        return t->type == PY_TOK_FSTRING_END ||
               (t->type == PY_TOK_OP && t->len == 1 &&
                (src[t->start] == ')' || src[t->start] == ']' || src[t->start] == '}'));
}

/* pair[i]: for a bracket, its partner; for an opener never closed, the last token; else i.
 * The open brackets are a stack threaded through pair[] itself. */
static void pair_brackets(Ctx *c)
{
        uint32_t top = UINT32_MAX;

        for (size_t i = 0; i < c->n; i++) {
                const PyToken *t = &c->tok[i];

                c->pair[i] = (uint32_t)i;
                if (is_opener(t, c->src)) {
                        c->pair[i] = top;
                        top = (uint32_t)i;
                } else if (t->type == PY_TOK_FSTRING_END) {
                        /* closes its f-string and whatever was left open inside */
                        while (top != UINT32_MAX) {
                                uint32_t o = top;

                                top = c->pair[o];
                                c->pair[o] = (uint32_t)i;
                                if (c->tok[o].type == PY_TOK_FSTRING_START) {
                                        c->pair[i] = o;
                                        break;
                                }
                        }
                } else if (is_closer(t, c->src) && top != UINT32_MAX &&
                           c->tok[top].type != PY_TOK_FSTRING_START) {
                        uint32_t o = top;

                        top = c->pair[o];
                        c->pair[o] = (uint32_t)i;
                        c->pair[i] = o;
                }
        }
        while (top != UINT32_MAX) {
                uint32_t o = top;

                top = c->pair[o];
                c->pair[o] = (uint32_t)(c->n - 1);
        }
}

static int tokenize_all(Ctx *c)
{
        PyTokenizer tz;
        PyToken t;
        /* Real code has a token per 3 to 5 bytes; pages of the array never written cost nothing. */
        size_t cap = c->len / 2 + 64;
        bool code_on_line1 = false;

        c->tok = malloc(cap * sizeof(*c->tok));
        if (!c->tok)
                return -ENOMEM;
        py_tokenizer_init(&tz, c->src, c->len);
        while (py_tokenizer_next(&tz, &t)) {
                if (t.type == PY_TOK_COMMENT) {
                        if (t.line == 1 || (t.line == 2 && !code_on_line1))
                                check_coding(c, &t);
                        continue;
                }
                if (t.type == PY_TOK_NL)
                        continue;
                if (t.line == 1)
                        code_on_line1 = true;
                if (c->n == cap) {
                        PyToken *p = reallocarray(c->tok, cap * 2, sizeof(*p));

                        if (!p)
                                return -ENOMEM;
                        c->tok = p;
                        cap *= 2;
                }
                c->tok[c->n++] = t;
        }
        c->pair = malloc(MAX(c->n, (size_t)1) * sizeof(*c->pair));
        if (!c->pair)
                return -ENOMEM;
        pair_brackets(c);
        return 0;
}

int py_scan_ctx(Ctx *c)
{
        int r = tokenize_all(c);

        c->decoded_at = c->value_start = SIZE_MAX;

        if (r < 0)
                return r;
        for (size_t i = 0; i < c->n && c->sh->error == 0;) {
                const PyToken *t = &c->tok[i];
                size_t nl = i;

                if (t->type == PY_TOK_INDENT || t->type == PY_TOK_DEDENT) {
                        if (t->type == PY_TOK_INDENT)
                                c->level++;
                        else if (c->level > 0)
                                c->level--;
                        i++;
                        continue;
                }
                if (t->type == PY_TOK_NEWLINE || t->type == PY_TOK_ENDMARKER) {
                        i++;
                        continue;
                }
                while (nl < c->n && c->tok[nl].type != PY_TOK_NEWLINE &&
                       c->tok[nl].type != PY_TOK_ENDMARKER)
                        nl++;
                py_blocks_close(c, c->level);
                py_do_line(c, i, nl);
                i = nl + 1;
        }
        while (c->n_blocks > 0)
                py_block_pop(c);
        return c->sh->error;
}

void py_ctx_done(Ctx *c)
{
        free(c->tok);
        free(c->pair);
        py_bindings_done(&c->b);
}

int scan_python(const char *data, size_t len, ScanReport *report)
{
        /* Ordinary code spends a tenth of a step per byte folding and looking ahead; hostile
         * nesting (exec(exec(...)), getattr(getattr(...))) stops at four. Payloads scanned add up
         * to the input's size plus 1 MiB. */
        Shared sh = {
            .report = report,
            .budget = 4 * (size_t)len + (256u << 10),
            .payload_budget = len + (1u << 20),
        };
        Ctx *c;
        int r;

        if (!report || (!data && len > 0))
                return -EINVAL;
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->src = data ? data : "";
        c->len = MIN(len, (size_t)PY_TOKENIZE_MAX_INPUT);
        c->sh = &sh;
        r = py_scan_ctx(c);
        py_ctx_done(c);
        free(c);
        free(sh.scratch);
        return r < 0 ? r : sh.error;
}

/* For the unit tests (not part of scan.h): the index of the first entry of the names table that
 * is out of order or not found by py_name_find(), or -1 when the table is sound. bsearch() on a
 * table out of order misses names silently; this is what catches it. */
int scan_python_check_names(void);
int scan_python_check_names(void)
{
        for (size_t i = 0; i < py_names_count; i++) {
                if (i > 0 && strcmp(py_names[i - 1].name, py_names[i].name) >= 0)
                        return (int)i;
                if (py_name_find(py_names[i].name) != &py_names[i])
                        return (int)i;
        }
        return -1;
}
