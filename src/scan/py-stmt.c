/* Statements: a logical line at a time, a compound statement's header or simple statements
 * (assignments, imports, del, break, return), and the matcher proper over every token of an
 * expression (scan_expr()). */
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"
#include "scan-python-internal.h"

static bool is_aug_assign(const Ctx *c, size_t i)
{
        const PyToken *t = &c->tok[i];
        const char *s = c->src + t->start;

        return t->type == PY_TOK_OP && t->len >= 2 && s[t->len - 1] == '=' &&
               !(t->len == 2 && strchr("=!<>", s[0]));
}

/* The matcher proper: every token of an expression. */
static void scan_expr(Ctx *c, size_t a, size_t b)
{
        for (size_t i = a; i < b; i++) {
                const PyToken *t = &c->tok[i];

                if (t->type == PY_TOK_NAME) {
                        Ref r;
                        size_t e;

                        if (i > 0 && tok_is(c, i - 1, "."))
                                continue; /* an attribute: see '.' */
                        if (py_is_keyword(c, i)) {
                                if (py_token_is(c->src, t, "yield")) /* a generator: no bomb */
                                        py_mark_loops(c, false, MARK_EXIT);
                                continue;
                        }
                        /* f(x=...) and x = ...: a name being bound, not used */
                        if (tok_is(c, i + 1, "=") &&
                            (i == a || tok_is(c, i - 1, "(") || tok_is(c, i - 1, ",") ||
                             tok_is(c, i - 1, "="))) {
                                if (py_token_is(c->src, t, "co_code"))
                                        py_report(c, R_ESC_CODE, i, i + 1, "replaces co_code");
                                continue;
                        }
                        if (!py_walk_chain(c, i, b, &r, WALK_MAIN, 0, &e))
                                py_note_self_call(c, i);
                        if (i == c->value_start) {
                                /* what the value of an assignment is: bind_value() uses it */
                                c->value_known = r.known;
                                c->value_role = r.role;
                                c->value_end = e;
                                memcpy(c->value_q, r.q, sizeof(r.q));
                        }
                } else if (t->type == PY_TOK_OP) {
                        char m[24];
                        int mlen;

                        if (is_aug_assign(c, i) && strchr("+*<", c->src[t->start]))
                                py_mark_loops(c, false, MARK_GROW);
                        if (tok_is(c, i, "[") && py_is_reversal(c, i, close_of(c, i, b)))
                                c->decoded_at = i;
                        if (!tok_is(c, i, ".") || !tok_type(c, i + 1, PY_TOK_NAME) ||
                            (mlen = py_name_value(c->src, &c->tok[i + 1], m, sizeof(m), NULL)) < 0)
                                continue;
                        py_check_dunder(c, m, (size_t)mlen, i + 1, i + 1, false);
                        if (strcmp(m, "translate") == 0)
                                c->decoded_at = i;
                        if (!tok_is(c, i + 2, "("))
                                continue;
                        for (size_t k = 0; k < py_grow_methods_count; k++)
                                if (strcmp(m, py_grow_methods[k]) == 0)
                                        py_mark_loops(c, false, MARK_GROW);
                        for (size_t k = 0; k < py_block_methods_count; k++)
                                if (strcmp(m, py_block_methods[k]) == 0)
                                        py_mark_loops(c, false, MARK_THROTTLE);
                } else if ((t->type == PY_TOK_STRING || t->type == PY_TOK_FSTRING_MIDDLE) &&
                           !c->docstring) {
                        const char *v;
                        size_t n;

                        if (!py_token_value(c, i, &v, &n))
                                continue;
                        py_check_literal(c, v, n, i, i);
                        /* x["__builtins__"]: a subscript reaching an escape attribute */
                        if (i > 0 && tok_is(c, i - 1, "[") && tok_is(c, i + 1, "]"))
                                py_check_dunder(c, v, n, i - 1, i + 1, true);
                }
        }
}

/* The next token at bracket depth 0 in [a, b) that is s, or b. */
static size_t find_top(const Ctx *c, size_t a, size_t b, const char *s)
{
        for (size_t i = a; i < b; i = skip_group(c, i, b))
                if (tok_is(c, i, s))
                        return i;
        return b;
}

/* Every bare name in [a, b) (a tuple of targets, loop variables) stops meaning what it did. */
static void bind_locals(Ctx *c, size_t a, size_t b, uint32_t scope)
{
        for (size_t i = a; i < b; i++)
                if (tok_type(c, i, PY_TOK_NAME) && !py_is_keyword(c, i) &&
                    !(i > a && tok_is(c, i - 1, ".")) && !tok_is(c, i + 1, ".") &&
                    !tok_is(c, i + 1, "[") && !tok_is(c, i + 1, "("))
                        py_bind(c, i, B_LOCAL, "", 0, 0, scope);
}

static bool is_fold_role(int role)
{
        return (role >= ROLE_B64 && role <= ROLE_JOIN) || role == ROLE_PATH || role == ROLE_HOME;
}

/* name = value: what the name now stands for. The statement was matched just before: that pass
 * left whether it met a decoder and what the name at the value's start resolved to, so only
 * values that can be folded are folded again. */
static void bind_value(Ctx *c, size_t name, size_t a, size_t b)
{
        bool decoded = c->decoded_at != SIZE_MAX && c->decoded_at >= a && c->decoded_at < b;
        bool head = tok_type(c, a, PY_TOK_NAME), may_fold = !head;
        int64_t *ints = NULL;
        size_t n = 0;
        Str v = {};

        if (head) {
                Binding *bd = py_lookup(c, c->src + c->tok[a].start, c->tok[a].len);

                may_fold = (bd && bd->kind != B_QUAL && bd->kind != B_LOCAL) ||
                           (c->value_start == a && is_fold_role(c->value_role));
        }
        if (a < b && may_fold && py_fold(c, a, b, &v, 0) && !(v.flags & STR_INT)) {
                if (v.flags & (STR_JOINED | STR_DECODED))
                        py_check_literal(c, v.p, v.len, a, b - 1);
                py_bind(c, name, B_CONST, v.p, v.len, v.flags, c->scope);
        } else if (a < b && may_fold && py_fold_int_list(c, a, b, &ints, &n)) {
                int32_t *packed = malloc(MAX(n, (size_t)1) * sizeof(*packed));

                for (size_t k = 0; packed && k < n; k++)
                        packed[k] =
                            (int32_t)MAX(MIN(ints[k], (int64_t)INT32_MAX), (int64_t)INT32_MIN);
                if (packed)
                        py_bind(c, name, B_INTLIST, (const char *)packed, n * sizeof(*packed), 0,
                                c->scope);
                free(packed);
                free(ints);
        } else if (head && c->value_start == a && c->value_known && c->value_end == b)
                py_bind(c, name, B_QUAL, c->value_q, strlen(c->value_q), 0, c->scope);
        else if (decoded || (v.flags & STR_DECODED))
                py_bind(c, name, B_DECODED, "", 0, 0, c->scope);
        else
                py_bind(c, name, B_LOCAL, "", 0, 0, c->scope);
        py_str_done(&v);
}

/* An assignment target or a del: writes to the builtins, sys.modules, __code__. */
static void check_target(Ctx *c, size_t s, size_t e)
{
        size_t last, end;
        Ref base;
        char m[24];

        if (e == s + 1 && tok_is(c, s, "__builtins__")) {
                py_report(c, R_ESC_BUILTINS, s, s, "rebinds __builtins__");
                return;
        }
        if (e < s + 3)
                return;
        if (tok_is(c, e - 1, "]") && c->pair[e - 1] < e - 1 && c->pair[e - 1] > s)
                last = c->pair[e - 1];
        else if (tok_is(c, e - 2, ".") && tok_type(c, e - 1, PY_TOK_NAME))
                last = e - 2;
        else
                return;
        if (tok_is(c, last, ".") && py_name_value(c->src, &c->tok[e - 1], m, sizeof(m), NULL) > 0 &&
            (strcmp(m, "__code__") == 0 || strcmp(m, "co_code") == 0)) {
                py_report(c, R_ESC_CODE, s, e - 1, "assigns %s", m);
                return;
        }
        if (!py_walk_chain(c, s, last, &base, 0, 0, &end) || end != last)
                return;
        if (strcmp(base.q, "builtins") == 0 || strncmp(base.q, "builtins.", 9) == 0)
                py_report(c, R_ESC_BUILTINS, s, e - 1, "changes the builtins");
        else if (strcmp(base.q, "sys.modules") == 0 || strcmp(base.q, "sys.meta_path") == 0 ||
                 strcmp(base.q, "sys.path_hooks") == 0)
                py_report(c, R_ESC_MODULES, s, e - 1, "changes %s", base.q);
        else if (strcmp(base.q, "<globals>") == 0 && tok_is(c, last, "[")) {
                Str key = {};

                if (py_fold(c, last + 1, e - 1, &key, 0) && py_str_is(&key, "__builtins__"))
                        py_report(c, R_ESC_BUILTINS, s, e - 1, "rebinds __builtins__");
                py_str_done(&key);
        }
}

static void do_assign(Ctx *c, size_t a, size_t b)
{
        size_t eqs[16], n_eq = 0, s = a;

        for (size_t i = a; i < b && n_eq < ELEMENTSOF(eqs); i = skip_group(c, i, b))
                if (tok_is(c, i, "="))
                        eqs[n_eq++] = i;
        c->decoded_at = SIZE_MAX;
        c->value_start = n_eq > 0 ? eqs[n_eq - 1] + 1 : SIZE_MAX;
        c->value_known = false;
        c->value_role = ROLE_NONE;
        scan_expr(c, a, b);
        for (size_t k = 0; k < n_eq; k++) {
                size_t e = eqs[k];

                /* x: int = 5 */
                if (tok_type(c, s, PY_TOK_NAME) && tok_is(c, s + 1, ":"))
                        e = s + 1;
                if (find_top(c, s, e, ",") < e)
                        bind_locals(c, s, e, c->scope);
                else if (e == s + 1 && tok_type(c, s, PY_TOK_NAME)) {
                        check_target(c, s, e); /* __builtins__ = {} */
                        bind_value(c, s, eqs[n_eq - 1] + 1, b);
                } else
                        check_target(c, s, e);
                s = eqs[k] + 1;
        }
}

static void do_simple(Ctx *c, size_t a, size_t b)
{
        const PyToken *t = &c->tok[a];
        bool all_strings = true;

        if (a >= b)
                return;
        c->stmt_a = a;
        c->stmt_b = b;
        if (t->type == PY_TOK_NAME) {
                if (tok_is(c, a, "import")) {
                        py_do_import(c, a, b);
                        return;
                }
                if (tok_is(c, a, "from")) {
                        py_do_from(c, a, b);
                        return;
                }
                if (tok_is(c, a, "break")) {
                        /* the innermost loop, through any try around the break */
                        for (size_t k = c->n_blocks; k > 0 && c->blocks[k - 1].kind != BLOCK_FUNC;
                             k--)
                                if (c->blocks[k - 1].kind == BLOCK_LOOP) {
                                        c->blocks[k - 1].exits = true;
                                        break;
                                }
                        return;
                }
                if (tok_is(c, a, "return") || tok_is(c, a, "raise"))
                        py_mark_loops(c, false, MARK_EXIT);
                if (tok_is(c, a, "del")) {
                        for (size_t s = a + 1, e; s < b; s = e + 1) {
                                e = find_top(c, s, b, ",");
                                check_target(c, s, e);
                        }
                }
        }
        /* A string alone is a docstring (or dead code): what it says is not done. */
        for (size_t i = a; i < b && all_strings; i++)
                all_strings = c->tok[i].type == PY_TOK_STRING;
        c->docstring = all_strings;
        if (find_top(c, a, b, "=") < b)
                do_assign(c, a, b);
        else {
                scan_expr(c, a, b);
                for (size_t i = a; i < b; i = skip_group(c, i, b))
                        if (is_aug_assign(c, i) && i == a + 1)
                                py_bind(c, a, B_LOCAL, "", 0, 0, c->scope);
        }
        c->docstring = false;
}

static void do_simple_list(Ctx *c, size_t a, size_t b)
{
        for (size_t s = a, e; s < b; s = e + 1) {
                e = find_top(c, s, b, ";");
                do_simple(c, s, e);
        }
}

/* while True, while 1, while (True), while not False */
static bool cond_true(const Ctx *c, size_t a, size_t b)
{
        while (b > a + 2 && tok_is(c, a, "(") && c->pair[a] == b - 1) {
                a++;
                b--;
        }
        if (b == a + 2 && tok_is(c, a, "not"))
                return tok_is(c, a + 1, "False") || tok_is(c, a + 1, "None") ||
                       (tok_type(c, a + 1, PY_TOK_NUMBER) &&
                        strspn(c->src + c->tok[a + 1].start, "0._") >= c->tok[a + 1].len);
        if (b != a + 1)
                return false;
        if (tok_is(c, a, "True"))
                return true;
        if (tok_type(c, a, PY_TOK_NUMBER))
                return strspn(c->src + c->tok[a].start, "0._") < c->tok[a].len;
        return tok_type(c, a, PY_TOK_STRING) &&
               c->tok[a].len > (c->tok[a].flags & PY_TOKF_TRIPLE ? 6u : 2u);
}

/* for x in itertools.count(), itertools.cycle(...), iter(int, 1): iter(f, sentinel) ends when f
 * returns the sentinel, which a constructor called without arguments never does. */
static bool iter_infinite(Ctx *c, size_t a, size_t b)
{
        size_t j, x, y;
        Ref r;

        if (!py_walk_chain(c, a, b, &r, WALK_CALLEE, 0, &j) || !tok_is(c, j, "(") ||
            close_of(c, j, b) != b - 1)
                return false;
        if (r.e && r.e->role == ROLE_INFINITE)
                return true;
        if (strcmp(r.q, "builtins.iter") != 0 || !py_call_arg(c, j, b - 1, 0, NULL, &x, &y) ||
            y != x + 1 || !py_call_arg(c, j, b - 1, 1, NULL, &x, &y))
                return false;
        x = j + 1;
        return tok_is(c, x, "int") || tok_is(c, x, "float") || tok_is(c, x, "str") ||
               tok_is(c, x, "bool") || tok_is(c, x, "list") || tok_is(c, x, "dict") ||
               tok_is(c, x, "tuple") || tok_is(c, x, "object");
}

/* def name(params): defaults are evaluated here, params are the body's own names. */
static void do_def(Ctx *c, size_t k, size_t colon, size_t line)
{
        uint32_t scope = ++c->next_scope;
        size_t o = k + 2, cl;

        py_bind(c, k + 1, B_LOCAL, "", 0, 0, c->scope);
        if (tok_is(c, o, "(")) {
                cl = close_of(c, o, colon);
                for (size_t s = o + 1, e; s < cl; s = e + 1) {
                        size_t eq;

                        e = find_top(c, s, cl, ",");
                        while (s < e && (tok_is(c, s, "*") || tok_is(c, s, "**")))
                                s++;
                        py_bind(c, s, B_LOCAL, "", 0, 0, scope);
                        eq = find_top(c, s, e, "=");
                        if (eq < e)
                                scan_expr(c, eq + 1, e);
                }
        }
        py_block_push(c, BLOCK_FUNC, line, colon, false, scope, k + 1);
}

/* The ':' ending a compound statement's header. */
static size_t header_colon(const Ctx *c, size_t a, size_t b)
{
        for (size_t i = a; i < b; i = skip_group(c, i, b)) {
                if (tok_is(c, i, "lambda")) /* its ':' is its own */
                        i = find_top(c, i + 1, b, ":");
                else if (tok_is(c, i, ":"))
                        return i;
        }
        return b;
}

/* One logical line: a compound statement's header and its body on the same line, or simple
 * statements. */
void py_do_line(Ctx *c, size_t a, size_t nl)
{
        size_t k = a + tok_is(c, a, "async"), colon, in;
        bool pushed = false;
        static const char *const compound[] = {"class", "def", "elif", "else",  "except", "finally",
                                               "for",   "if",  "try",  "while", "with"};
        const char *kw = NULL;

        for (size_t i = 0; i < ELEMENTSOF(compound) && !kw; i++)
                if (tok_is(c, k, compound[i]))
                        kw = compound[i];
        if (!kw || (colon = header_colon(c, k + 1, nl)) >= nl) {
                do_simple_list(c, a, nl);
                return;
        }
        c->stmt_a = k;
        c->stmt_b = colon;
        if (strcmp(kw, "while") == 0) {
                py_block_push(c, BLOCK_LOOP, a, colon, cond_true(c, k + 1, colon), 0, 0);
                pushed = true;
                scan_expr(c, k + 1, colon); /* evaluated at every iteration */
        } else if (strcmp(kw, "for") == 0) {
                in = find_top(c, k + 1, colon, "in");
                scan_expr(c, MIN(in + 1, colon), colon);
                bind_locals(c, k + 1, in, c->scope);
                py_block_push(c, BLOCK_LOOP, a, colon,
                              in < colon && iter_infinite(c, in + 1, colon), 0, 0);
                pushed = true;
        } else if (strcmp(kw, "def") == 0) {
                do_def(c, k, colon, a);
                pushed = true;
        } else if (strcmp(kw, "class") == 0) {
                py_bind(c, k + 1, B_LOCAL, "", 0, 0, c->scope);
                scan_expr(c, k + 2, colon);
                py_block_push(c, BLOCK_FUNC, a, colon, false, ++c->next_scope, k + 1);
                pushed = true;
        } else if (strcmp(kw, "try") == 0) {
                py_block_push(c, BLOCK_TRY, a, colon, false, 0, 0);
                pushed = true;
        } else {
                scan_expr(c, k + 1, colon);
                /* with open(p) as f, except E as e: f and e are new names */
                for (size_t i = k + 1; i + 1 < colon; i++)
                        if (tok_is(c, i, "as"))
                                bind_locals(c, i + 1, i + 2, c->scope);
        }
        if (colon + 1 < nl) {
                do_simple_list(c, colon + 1, nl);
                if (pushed && c->n_blocks > 0 && c->blocks[c->n_blocks - 1].tok == a)
                        py_block_pop(c); /* the body was the rest of the line */
        }
}
