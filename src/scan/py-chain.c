/* Chains: o.system, getattr(o, "x"), __import__("os").system, sys.modules["os"], vars(o).
 * A chain is walked name by name to the qualified name it stands for, reporting the rule of
 * each name the table knows, and its calls are handed to what they do (py-calls.c). */
#include <stdio.h>
#include <string.h>

#include "basic/macros.h"
#include "scan-python-internal.h"

/* Reports the rule of the name r now stands for (tokens ta..tb), if any. */
void py_ref_found(Ctx *c, Ref *r, size_t ta, size_t tb, bool main)
{
        r->e = r->known ? py_name_find(r->q) : NULL;
        if (r->e)
                r->role = r->e->role;
        if (main && r->e && r->e->role >= ROLE_B64 && r->e->role <= ROLE_CHR)
                c->decoded_at = ta;
        if (main && r->e && r->e->rule != NO_RULE)
                py_report(c, r->e->rule, ta, tb, "%s %s", tok_is(c, tb + 1, "(") ? "calls" : "uses",
                          r->q);
}

/* r = r[key] */
static void ref_subscript(Ctx *c, Ref *r, const Str *key)
{
        size_t k = strlen(r->q);

        if (strcmp(r->q, "sys.modules") == 0)
                py_ref_set_module(r, key->p, key->len);
        else if (strcmp(r->q, "<globals>") == 0)
                py_resolve_name(c, key->p, key->len, r);
        else if (k > 9 && strcmp(r->q + k - 9, ".__dict__") == 0) {
                r->q[k - 9] = '\0';
                py_ref_append(r, key->p, key->len);
        } else if (r->q[0] == '<')
                r->known = false;
        else
                py_ref_append(r, key->p, key->len); /* __builtins__["eval"] */
        if (memchr(key->p, '\0', key->len) || memchr(key->p, '.', key->len))
                r->known = false;
}

/* The folded string of argument k (or keyword kw); checks what it names when assembled. */
bool py_arg_string(Ctx *c, size_t o, size_t cl, int k, const char *kw, Str *out, unsigned depth)
{
        size_t a, b;

        if (!py_call_arg(c, o, cl, k, kw, &a, &b))
                return false;
        if (!py_fold(c, a, b, out, depth + 1) || (out->flags & STR_INT))
                return false;
        if (out->flags & (STR_JOINED | STR_DECODED))
                py_check_literal(c, out->p, out->len, a, b - 1);
        return true;
}

/* A name decoded, or one identifier glued from pieces ("o" + "s"). A dotted path joined from a
 * package and a module ('.'.join((pkg, mod))) is how plugin loaders name modules. */
static bool is_obfuscated_name(const Str *name)
{
        return (name->flags & STR_DECODED) ||
               ((name->flags & STR_JOINED) && !memchr(name->p, '.', name->len));
}

/* __import__("os"), importlib.import_module("o" + "s"): r becomes the module. */
static void call_import(Ctx *c, Ref *r, size_t head, size_t o, size_t cl, bool main, unsigned depth)
{
        bool whole = r->e->role == ROLE_IMPORT_MODULE;
        size_t a, b;
        Str name = {};

        /* __import__("a.b") is a, unless a fromlist asks for a.b itself. */
        if (!whole && (py_call_arg(c, o, cl, 3, "fromlist", &a, &b)))
                whole = true;
        if (!py_arg_string(c, o, cl, 0, "name", &name, depth) || name.len == 0 ||
            memchr(name.p, '\0', name.len)) {
                if (main)
                        py_report(c, R_DYN_IMPORT, head, cl,
                                  "%s() of a module name computed at run time", r->q);
                r->known = false;
        } else {
                const char *dot = memchr(name.p, '.', name.len);

                if (main && is_obfuscated_name(&name))
                        py_report(c, R_OBF_NAME, head, cl, "%s() of '%.*s', assembled at run time",
                                  r->q, (int)MIN(name.len, 64), name.p);
                py_ref_set_module(r, name.p, whole || !dot ? name.len : (size_t)(dot - name.p));
        }
        py_str_done(&name);
}

/* getattr(x, "name"): r becomes x.name. */
static void call_getattr(Ctx *c, Ref *r, size_t head, size_t o, size_t cl, unsigned flags,
                         unsigned depth)
{
        bool main = flags & WALK_MAIN;
        size_t a, b, e = 0;
        Str attr = {};
        Ref base = {};
        bool have_base = py_call_arg(c, o, cl, 0, "object", &a, &b) &&
                         py_walk_chain(c, a, b, &base, 0, depth + 1, &e) && e == b;
        bool have_attr = py_arg_string(c, o, cl, 1, NULL, &attr, depth) &&
                         !memchr(attr.p, '\0', attr.len) && !memchr(attr.p, '.', attr.len);

        r->known = false;
        if (have_attr && main)
                py_check_dunder(c, attr.p, attr.len, head, cl, false);
        if (have_base && have_attr) {
                *r = base;
                if (strcmp(r->q, "<globals>") == 0 || r->q[0] != '<')
                        py_ref_append(r, attr.p, attr.len);
                else
                        r->known = false;
                if (main && is_obfuscated_name(&attr))
                        py_report(c, R_OBF_NAME, head, cl,
                                  "getattr() of '%.*s', a name assembled at run time",
                                  (int)MIN(attr.len, 64), attr.p);
        } else if (have_base && !have_attr && main && py_is_sensitive_module(base.q))
                py_report(c, R_DYN_IMPORT, head, cl,
                          "getattr() on %s with a name computed at run time", base.q);
        py_str_done(&attr);
}

/* What a call that gives no name does, in the pass that reports: r is the callee. */
static void call_effect(Ctx *c, const Ref *r, int role, size_t head, size_t o, size_t cl,
                        unsigned depth)
{
        Str s = {};

        switch (role) {
        case ROLE_CODE:
                py_on_code(c, r, head, o, cl);
                break;
        case ROLE_LOAD:
                py_on_load(c, head, o, cl);
                break;
        case ROLE_YAML:
                py_on_yaml(c, head, o, cl);
                break;
        case ROLE_DELETE:
                if (py_arg_string(c, o, cl, 0, "path", &s, depth))
                        py_on_path_use(c, s.p, false, head, cl);
                break;
        case ROLE_OPEN:
                if (py_arg_string(c, o, cl, 0, "file", &s, depth))
                        py_on_open(c, s.p, o, cl, 1, head, depth);
                break;
        case ROLE_SETATTR:
                py_on_setattr(c, r, head, o, cl, depth);
                break;
        case ROLE_FORK:
                py_on_fork(c, head, cl);
                break;
        case ROLE_SPAWN:
                py_mark_loops(c, false, MARK_GROW);
                break;
        case ROLE_EXIT:
                py_mark_loops(c, true, MARK_EXIT);
                break;
        case ROLE_THROTTLE:
                py_mark_loops(c, false, MARK_THROTTLE);
                break;
        default:
                if (strncmp(r->q, "<path>.", 7) == 0) {
                        const char *m = r->q + 7;

                        if (!r->has_path)
                                break;
                        if (strcmp(m, "unlink") == 0 || strcmp(m, "rmdir") == 0)
                                py_on_path_use(c, r->path, false, head, cl);
                        else if (strcmp(m, "write_text") == 0 || strcmp(m, "write_bytes") == 0)
                                py_on_path_use(c, r->path, true, head, cl);
                        else if (strcmp(m, "open") == 0)
                                py_on_open(c, r->path, o, cl, 0, head, depth);
                } else if (strncmp(r->q, "builtins.__dict__.", 18) == 0)
                        py_report(c, R_ESC_BUILTINS, head, cl, "changes the builtins through %s",
                                  r->q);
        }
        py_str_done(&s);
}

/* A call: r is the callee. Names that give names (imports, getattr, vars) keep r known; the
 * others act when main (the pass that reports) and leave r unknown. */
static void call(Ctx *c, Ref *r, size_t head, size_t o, size_t cl, unsigned flags, unsigned depth)
{
        bool main = flags & WALK_MAIN;
        int role = r->e ? r->e->role : ROLE_NONE;
        size_t a, b, e;
        Str s = {};

        switch (role) {
        case ROLE_IMPORT:
        case ROLE_IMPORT_MODULE:
                call_import(c, r, head, o, cl, main, depth);
                return;
        case ROLE_GETATTR:
                call_getattr(c, r, head, o, cl, flags, depth);
                return;
        case ROLE_GLOBALS:
                py_ref_set(r, "<globals>", 9);
                return;
        case ROLE_VARS:
                if (o + 1 == cl) {
                        py_ref_set(r, "<globals>", 9);
                        return;
                }
                if (py_call_arg(c, o, cl, 0, NULL, &a, &b) &&
                    py_walk_chain(c, a, b, r, 0, depth + 1, &e) && e == b && r->q[0] != '<')
                        py_ref_append(r, "__dict__", 8);
                else
                        r->known = false;
                return;
        case ROLE_PATH:
        case ROLE_HOME:
                r->has_path = py_fold_call(c, r, o, cl, &s, depth) && !memchr(s.p, '\0', s.len);
                if (r->has_path)
                        snprintf(r->path, sizeof(r->path), "%.*s", (int)MIN(s.len, 255), s.p);
                py_str_done(&s);
                py_ref_set(r, "<path>", 6);
                return;
        }
        r->known = false;
        if (main)
                call_effect(c, r, role, head, o, cl, depth);
}

bool py_walk_chain(Ctx *c, size_t i, size_t end, Ref *r, unsigned flags, unsigned depth,
                   size_t *ret_end)
{
        bool main = flags & WALK_MAIN;
        char buf[QMAX];
        const char *name;
        size_t n, j = i + 1;

        r->known = false;
        r->decoded = false;
        r->role = ROLE_NONE;
        r->e = NULL;
        r->has_path = false;
        *ret_end = j;
        if (depth > FOLD_DEPTH || !tok_type(c, i, PY_TOK_NAME) || !spend(c, 1) ||
            !py_name_of(c, i, buf, sizeof(buf), &name, &n, main))
                return false;
        if (!py_resolve_name(c, name, n, r)) {
                if (main && r->decoded)
                        c->decoded_at = i;
                return false;
        }
        py_ref_found(c, r, i, i, main);
        while (j < end && r->known) {
                if (!spend(c, 1))
                        r->known = false;
                else if (tok_is(c, j, ".") && j + 1 < end && tok_type(c, j + 1, PY_TOK_NAME)) {
                        if (!py_name_of(c, j + 1, buf, sizeof(buf), &name, &n, main) ||
                            !py_ref_append(r, name, n))
                                r->known = false;
                        j += 2;
                        py_ref_found(c, r, i, j - 1, main);
                } else if (tok_is(c, j, "[")) {
                        size_t cl = close_of(c, j, end);
                        Str key = {};

                        if (cl < end && cl - j <= 32 && py_fold(c, j + 1, cl, &key, depth + 1) &&
                            !(key.flags & STR_INT)) {
                                ref_subscript(c, r, &key);
                                j = cl + 1;
                                py_ref_found(c, r, i, j - 1, main);
                        } else
                                r->known = false;
                        py_str_done(&key);
                } else if (tok_is(c, j, "(")) {
                        size_t cl = close_of(c, j, end);
                        int role = r->e ? r->e->role : ROLE_NONE;

                        /* A callee for folding: stop before a call that gives no name. */
                        if ((flags & WALK_CALLEE) &&
                            !(role == ROLE_IMPORT || role == ROLE_IMPORT_MODULE ||
                              role == ROLE_GETATTR || role == ROLE_VARS || role == ROLE_GLOBALS))
                                break;
                        call(c, r, i, j, cl, flags, depth);
                        j = MIN(cl + 1, end);
                        if (r->known)
                                py_ref_found(c, r, i, j - 1, main);
                } else
                        break;
        }
        /* eval itself handed around: whatever calls it, the scanner does not see with what. */
        if (main && r->known && r->e && r->e->role == ROLE_CODE && !tok_is(c, j, "(") &&
            !tok_is(c, j, "="))
                py_report(c, R_DYN_EVAL, i, j - 1, "%s passed around as a value", r->q);
        *ret_end = j;
        return r->known;
}
