/* Names: what a name stands for. The table of watched names (py-rules.c), looked up exactly or
 * module-wide; imports and aliases ("import os as o", "from subprocess import Popen as P")
 * bound per scope; and what a bare name resolves to: a binding, a star import, a builtin or a
 * module the table knows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"
#include "scan-python-internal.h"

static int py_name_cmp(const void *key, const void *elem)
{
        return strcmp(key, ((const PyName *)elem)->name);
}

/* The entry of a qualified name: exact, or "m.*" (module-wide) for its top-level module m. */
const PyName *py_name_find(const char *q)
{
        char buf[QMAX + 3];
        const PyName *e;
        size_t n = strlen(q), top;

        if (n == 0 || q[0] == '<' || n >= QMAX)
                return NULL;
        e = bsearch(q, py_names, py_names_count, sizeof(py_names[0]), py_name_cmp);
        if (e)
                return e;
        top = strcspn(q, ".");
        memcpy(buf, q, top);
        memcpy(buf + top, ".*", 3);
        return bsearch(buf, py_names, py_names_count, sizeof(py_names[0]), py_name_cmp);
}

/* Whether the table has any name under module m (its first n bytes). "m.x" sort right after
 * "m" and before any "m<c>" (identifier characters come after '.'), so the first name not
 * below m tells. */
bool py_module_interesting(const char *m, size_t n)
{
        size_t lo = 0, hi = py_names_count;

        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                const char *name = py_names[mid].name;
                int k = strncmp(name, m, n);

                if (k < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo < py_names_count && strncmp(py_names[lo].name, m, n) == 0 &&
               (py_names[lo].name[n] == '\0' || py_names[lo].name[n] == '.');
}

bool py_ref_set(Ref *r, const char *s, size_t n)
{
        if (n >= QMAX) {
                r->known = false;
                return false;
        }
        memcpy(r->q, s, n);
        r->q[n] = '\0';
        r->known = true;
        r->e = NULL;
        return true;
}

bool py_ref_append(Ref *r, const char *s, size_t n)
{
        size_t k = strlen(r->q);

        if (k + 1 + n >= QMAX) {
                r->known = false;
                return false;
        }
        r->q[k] = '.';
        memcpy(r->q + k + 1, s, n);
        r->q[k + 1 + n] = '\0';
        r->e = NULL;
        return true;
}

/* Sets r to module m (dotted), its first component mapped through py_module_alias[]. */
bool py_ref_set_module(Ref *r, const char *m, size_t n)
{
        const char *dot = memchr(m, '.', n);
        size_t top = dot ? (size_t)(dot - m) : n;

        for (size_t i = 0; i < py_module_alias_count; i++)
                if (ieq(m, top, py_module_alias[i].alias) &&
                    memcmp(m, py_module_alias[i].alias, top) == 0) {
                        if (!py_ref_set(r, py_module_alias[i].module,
                                        strlen(py_module_alias[i].module)))
                                return false;
                        return top == n || py_ref_append(r, m + top + 1, n - top - 1);
                }
        return py_ref_set(r, m, n);
}

Binding *py_lookup(Ctx *c, const char *name, size_t n)
{
        uint32_t h = py_name_hash(name, n);

        for (Ctx *x = c; x; x = x->parent) {
                Binding *bd = py_bindings_find(&x->b, name, n, h, x->scope);

                if (!bd && x->scope != 0)
                        bd = py_bindings_find(&x->b, name, n, h, 0);
                if (bd)
                        return bd;
        }
        return NULL;
}

const char *py_binding_value(Ctx *c, const Binding *bd)
{
        /* The binding may live in a parent's table: find whose arena holds it. */
        for (Ctx *x = c; x; x = x->parent)
                if (x->b.v && bd >= x->b.v && bd < x->b.v + x->b.n)
                        return x->b.arena + bd->val;
        return "";
}

static bool resolve_unbound(Ctx *c, const char *name, size_t n, Ref *r);

/* What a bare name stands for: a binding, a name from "from m import *", a builtin the table
 * knows, or a module the table knows even without its import (imported in a way this matcher
 * does not follow: defense in depth). What unbound names resolve to is cached, per number of
 * star imports seen. */
bool py_resolve_name(Ctx *c, const char *name, size_t n, Ref *r)
{
        Binding *bd = py_lookup(c, name, n);

        r->known = false;
        if (bd) {
                const char *v = py_binding_value(c, bd);

                r->decoded =
                    bd->kind == B_DECODED || (bd->kind == B_CONST && (bd->flags & STR_DECODED));
                /* only watched modules are bound B_QUAL (see qual_kind()) */
                return bd->kind == B_QUAL && py_ref_set(r, v, bd->val_len);
        }
        if (n + 10 >= QMAX)
                return false;
        bd = py_bindings_find(&c->b, name, n, py_name_hash(name, n), SCOPE_CACHE);
        if (bd && bd->flags == c->n_stars)
                return bd->kind == B_QUAL && py_ref_set(r, py_binding_value(c, bd), bd->val_len);
        resolve_unbound(c, name, n, r);
        (void)py_bindings_set(&c->b, name, n, SCOPE_CACHE, r->known ? B_QUAL : B_LOCAL,
                              r->known ? r->q : "", r->known ? strlen(r->q) : 0,
                              (uint8_t)c->n_stars);
        return r->known;
}

/* A name bound nowhere: from "from m import *", a builtin, or a module by its name. */
static bool resolve_unbound(Ctx *c, const char *name, size_t n, Ref *r)
{
        char q[QMAX];

        for (size_t i = 0; i < c->n_stars; i++) {
                snprintf(q, sizeof(q), "%s.%.*s", c->stars[i], (int)n, name);
                if (py_name_find(q))
                        return py_ref_set(r, q, strlen(q));
        }
        memcpy(q, "builtins.", 9);
        memcpy(q + 9, name, n);
        q[9 + n] = '\0';
        if (bsearch(q, py_names, py_names_count, sizeof(py_names[0]), py_name_cmp))
                return py_ref_set(r, q, 9 + n);
        if (!py_ref_set_module(r, name, n))
                return false;
        r->known = py_module_interesting(r->q, strlen(r->q));
        return r->known;
}

bool py_is_sensitive_module(const char *q)
{
        for (size_t i = 0; i < py_sensitive_modules_count; i++)
                if (strcmp(q, py_sensitive_modules[i]) == 0)
                        return true;
        return false;
}

static const char *const keywords[] = {
    "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
    "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
    "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
    "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield",
};

bool py_is_keyword(const Ctx *c, size_t i)
{
        const PyToken *t = &c->tok[i];
        char c0 = c->src[t->start];

        /* Keywords are 2 to 8 letters and start with one of these. */
        if (t->type != PY_TOK_NAME || t->len > 8 || t->len < 2 || !strchr("FNTacbdefgilnprwy", c0))
                return false;
        for (size_t k = 0; k < ELEMENTSOF(keywords); k++)
                if (keywords[k][0] == c0 && tok_is(c, i, keywords[k]))
                        return true;
        return false;
}

/* A NAME token's name as Python sees it (see py_name_value()): the source bytes when ASCII,
 * else folded into buf; look-alike letters are reported when main. */
bool py_name_of(Ctx *c, size_t i, char *buf, size_t size, const char **ret, size_t *ret_len,
                bool main)
{
        const PyToken *t = &c->tok[i];
        const char *p = c->src + t->start;
        bool folded = false;
        int n;

        for (size_t k = 0; k < t->len; k++)
                if ((unsigned char)p[k] >= 0x80)
                        goto fold;
        *ret = p;
        *ret_len = t->len;
        return true;
fold:
        n = py_name_value(c->src, t, buf, size, &folded);
        if (n < 0)
                return false;
        if (folded && main)
                py_report(c, R_OBF_UNICODE, i, i, "'%s' is spelled in look-alike letters", buf);
        *ret = buf;
        *ret_len = (size_t)n;
        return true;
}

/* A qualified name under a module no rule watches (numpy, pandas) is as good as a local. */
static uint8_t qual_kind(const char *q, size_t n)
{
        const char *dot = memchr(q, '.', n);

        return q[0] == '<' || py_module_interesting(q, dot ? (size_t)(dot - q) : n) ? B_QUAL
                                                                                    : B_LOCAL;
}

void py_bind(Ctx *c, size_t i, uint8_t kind, const char *val, size_t val_len, uint8_t flags,
             uint32_t scope)
{
        char buf[QMAX];
        const char *name;
        size_t n;

        if (kind == B_QUAL && qual_kind(val, val_len) == B_LOCAL)
                kind = B_LOCAL, val_len = 0;
        if (tok_type(c, i, PY_TOK_NAME) && py_name_of(c, i, buf, sizeof(buf), &name, &n, false))
                (void)py_bindings_set(&c->b, name, n, scope, kind, val, val_len, flags);
}

/* "import a.b.c as d, e" */
void py_do_import(Ctx *c, size_t a, size_t b)
{
        for (size_t i = a + 1; i < b;) {
                char m[QMAX] = "";
                size_t s = i, mlen = 0;
                Ref r = {};

                for (; tok_type(c, i, PY_TOK_NAME) && i < b; i += 2) {
                        char buf[QMAX];
                        const char *name;
                        size_t n;

                        if (!py_name_of(c, i, buf, sizeof(buf), &name, &n, false) ||
                            mlen + n + 2 >= QMAX)
                                return;
                        if (mlen > 0)
                                m[mlen++] = '.';
                        memcpy(m + mlen, name, n);
                        m[mlen += n] = '\0';
                        if (!tok_is(c, i + 1, "."))
                                break;
                }
                if (mlen == 0 || !py_ref_set_module(&r, m, mlen))
                        return;
                i++;
                py_ref_found(c, &r, s, i - 1, true);
                if (tok_is(c, i, "as") && tok_type(c, i + 1, PY_TOK_NAME)) {
                        py_bind(c, i + 1, B_QUAL, r.q, strlen(r.q), 0, c->scope);
                        i += 2;
                } else {
                        const char *dot = memchr(m, '.', mlen);
                        size_t top = dot ? (size_t)(dot - m) : mlen;

                        if (py_ref_set_module(&r, m, top))
                                (void)py_bindings_set(&c->b, m, top, c->scope,
                                                      qual_kind(r.q, strlen(r.q)), r.q, strlen(r.q),
                                                      0);
                }
                if (!tok_is(c, i, ","))
                        return;
                i++;
        }
}

/* "from m import a as b, c", "from m import *", "from . import x" */
void py_do_from(Ctx *c, size_t a, size_t b)
{
        char m[QMAX] = "";
        size_t i = a + 1, mlen = 0;
        bool relative = false;
        Ref r = {};

        for (; i < b && (tok_is(c, i, ".") || tok_is(c, i, "...")); i++)
                relative = true;
        for (; i < b && tok_type(c, i, PY_TOK_NAME) && !tok_is(c, i, "import"); i++) {
                char buf[QMAX];
                const char *name;
                size_t n;

                if (!py_name_of(c, i, buf, sizeof(buf), &name, &n, false) || mlen + n + 2 >= QMAX)
                        return;
                if (mlen > 0)
                        m[mlen++] = '.';
                memcpy(m + mlen, name, n);
                m[mlen += n] = '\0';
                if (tok_is(c, i + 1, "."))
                        i++;
        }
        if (!tok_is(c, i, "import"))
                return;
        i++;
        if (tok_is(c, i, "*")) {
                if (!relative && mlen > 0 && c->n_stars < MAX_STARS &&
                    py_ref_set_module(&r, m, mlen))
                        memcpy(c->stars[c->n_stars++], r.q, sizeof(r.q));
                return;
        }
        for (; i < b; i++) {
                size_t name = i, alias = i;

                if (!tok_type(c, i, PY_TOK_NAME))
                        continue; /* '(' ',' ')' */
                if (tok_is(c, i + 1, "as") && tok_type(c, i + 2, PY_TOK_NAME))
                        alias = i += 2;
                if (relative || mlen == 0 || !py_ref_set_module(&r, m, mlen)) {
                        py_bind(c, alias, B_LOCAL, "", 0, 0, c->scope);
                        continue;
                }
                {
                        char buf[QMAX];
                        const char *s;
                        size_t n;

                        if (!py_name_of(c, name, buf, sizeof(buf), &s, &n, false) ||
                            !py_ref_append(&r, s, n)) {
                                py_bind(c, alias, B_LOCAL, "", 0, 0, c->scope);
                                continue;
                        }
                }
                py_ref_found(c, &r, name, name, true);
                py_bind(c, alias, B_QUAL, r.q, strlen(r.q), 0, c->scope);
        }
}
