/* What calls do: run code (exec, eval, compile: a constant is scanned as code in turn), load
 * pickles and marshalled code, open, write and delete paths, change attributes, fork. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"
#include "scan-python-internal.h"

static const char *first_component(const char *p, const char *end, size_t *ret_len)
{
        const char *s = p;

        while (p < end && *p != '/')
                p++;
        *ret_len = (size_t)(p - s);
        return s;
}

/* Files and folders of a home directory that run code at login or hold keys: writing them is
 * persistence, deleting them is damage. Other dotfiles are an application's own data. */
static const char *const home_sensitive[] = {
    ".bash_login",  ".bash_logout",     ".bash_profile", ".bashrc", ".config/autostart",
    ".config/fish", ".config/systemd",  ".gitconfig",    ".gnupg",  ".kube",
    ".aws",         ".pam_environment", ".profile",      ".ssh",    ".xinitrc",
    ".xprofile",    ".zlogin",          ".zprofile",     ".zshenv", ".zshrc",
};

/* Whether rest (what follows a home directory: "/.bashrc") is the home directory itself or
 * one of home_sensitive[]. */
static const char *home_path(const char *rest)
{
        if (*rest == '\0' || strcmp(rest, "/") == 0 || strcmp(rest, "/*") == 0)
                return "the home directory";
        if (rest[0] != '/')
                return NULL;
        rest++;
        for (size_t i = 0; i < ELEMENTSOF(home_sensitive); i++) {
                size_t k = strlen(home_sensitive[i]);

                if (strncmp(rest, home_sensitive[i], k) == 0 && (rest[k] == '\0' || rest[k] == '/'))
                        return "a login script or key store of a home directory";
        }
        return NULL;
}

/* Why deleting (or writing, when write) path hurts the host, or NULL when it does not. */
static const char *system_path(const char *path, bool write)
{
        static const char *const system_dirs[] = {"bin",   "boot",  "etc",    "lib",
                                                  "lib32", "lib64", "libx32", "proc",
                                                  "root",  "sbin",  "sys",    "usr"};
        /* harmless to write, and to delete entries of */
        static const char *const dev_ok[] = {"fd",     "full",   "null", "shm",
                                             "stderr", "stdout", "tty",  "zero"};
        /* what the system keeps under /var: deleting it breaks the host, writing it is
         * tampering (crontabs in spool, package state in lib); an application writing its log
         * or cache there is ordinary */
        static const char *const var_dirs[] = {"backups", "lib", "mail", "run", "spool"};
        static const char *const var_delete_only[] = {"cache", "log", "www"};
        static const char *const top_dirs[] = {"home", "media", "mnt", "opt", "snap", "srv", "var"};
        const char *comp[3] = {}, *p, *end = path + strlen(path);
        size_t len[3] = {}, depth = 0;

        if (path[0] == '~' || strncmp(path, "$HOME", 5) == 0 || strncmp(path, "${HOME}", 7) == 0) {
                const char *rest = path[0] == '~' ? path + 1 : path[1] == '{' ? path + 7 : path + 5;

                /* "~user/..." is another user's home: the same files */
                if (path[0] == '~')
                        while (*rest && *rest != '/')
                                rest++;
                return home_path(rest);
        }
        if (path[0] != '/')
                return NULL;
        for (p = path; p < end && depth < 3;) {
                while (p < end && *p == '/')
                        p++;
                if (p >= end)
                        break;
                comp[depth] = first_component(p, end, &len[depth]);
                p += len[depth];
                if (len[depth] == 1 && comp[depth][0] == '.')
                        continue;
                depth++;
        }
        if (depth == 0 || (depth == 1 && len[0] == 1 && comp[0][0] == '*'))
                return "the root directory";
        for (size_t i = 0; i < ELEMENTSOF(system_dirs); i++)
                if (ieq(comp[0], len[0], system_dirs[i]))
                        return "a system directory";
        if (ieq(comp[0], len[0], "dev")) {
                for (size_t i = 0; depth > 1 && i < ELEMENTSOF(dev_ok); i++)
                        if (ieq(comp[1], len[1], dev_ok[i]))
                                return NULL;
                return "a device";
        }
        if (ieq(comp[0], len[0], "var") && depth > 1) {
                for (size_t i = 0; i < ELEMENTSOF(var_dirs); i++)
                        if (ieq(comp[1], len[1], var_dirs[i]))
                                return "a system directory";
                for (size_t i = 0; !write && i < ELEMENTSOF(var_delete_only); i++)
                        if (ieq(comp[1], len[1], var_delete_only[i]))
                                return "a system directory";
        }
        if (ieq(comp[0], len[0], "home") && depth == 3)
                return home_path(comp[2] - 1); /* /home/<user>/.bashrc */
        for (size_t i = 0; i < ELEMENTSOF(top_dirs); i++)
                if (ieq(comp[0], len[0], top_dirs[i]) &&
                    (depth == 1 || (depth == 2 && ieq(comp[0], len[0], "home"))))
                        return "a whole top-level directory";
        return NULL;
}

void py_on_path_use(Ctx *c, const char *path, bool write, size_t head, size_t cl)
{
        const char *why = system_path(path, write);

        if (why)
                py_report(c, write ? R_FS_WRITE : R_FS_DELETE, head, cl, "%s %.*s: %s",
                          write ? "writes" : "deletes", (int)MIN(strlen(path), (size_t)80), path,
                          why);
}

void py_on_open(Ctx *c, const char *path, size_t o, size_t cl, int mode_arg, size_t head,
                unsigned depth)
{
        Str mode = {};

        if (py_arg_string(c, o, cl, mode_arg, "mode", &mode, depth) &&
            strpbrk(mode.p, "wax+") != NULL)
                py_on_path_use(c, path, true, head, cl);
        py_str_done(&mode);
}

/* Whether tokens [a, b) hold a decoder, chr(), a reversal or a name bound to decoded data. */
static bool expr_decoded(Ctx *c, size_t a, size_t b)
{
        b = MIN(b, a + DECODED_LOOK);
        for (size_t i = a; i < b; i++) {
                const PyToken *t = &c->tok[i];

                if (!spend(c, 1))
                        return false;
                if (t->type == PY_TOK_NAME && !(i > a && tok_is(c, i - 1, "."))) {
                        Binding *bd = py_lookup(c, c->src + t->start, t->len);
                        Ref r;
                        size_t e;

                        if (bd && (bd->kind == B_DECODED ||
                                   (bd->kind == B_CONST && (bd->flags & STR_DECODED))))
                                return true;
                        if (py_walk_chain(c, i, b, &r, WALK_CALLEE, 1, &e) && r.e &&
                            r.e->role >= ROLE_B64 && r.e->role <= ROLE_CHR)
                                return true;
                } else if (tok_is(c, i, "[") && py_is_reversal(c, i, close_of(c, i, b)))
                        return true;
                else if (tok_is(c, i, ".") && tok_is(c, i + 1, "translate"))
                        return true;
        }
        return false;
}

/* Scans code that exec(), eval() or compile() is given as a constant, reporting at the call. */
static void scan_payload(Ctx *c, const Str *v, size_t head, size_t cl, const char *what)
{
        Ctx *sub;
        int r;

        /* Each payload costs its bytes and a page for its state. */
        if (c->payload_depth + 1 >= PAYLOAD_DEPTH || v->len == 0 ||
            v->len + PAYLOAD_COST > c->sh->payload_budget)
                return;
        c->sh->payload_budget -= v->len + PAYLOAD_COST;
        sub = calloc(1, sizeof(*sub));
        if (!sub) {
                fail(c, -ENOMEM);
                return;
        }
        sub->src = v->p;
        sub->len = v->len;
        sub->sh = c->sh;
        sub->parent = c;
        sub->payload_depth = c->payload_depth + 1;
        sub->at_what = what;
        if (c->at) {
                sub->at = c->at;
                sub->at_snippet = c->at_snippet;
                sub->at_snippet_len = c->at_snippet_len;
        } else {
                const PyToken *a = &c->tok[head], *b = &c->tok[MAX(head, MIN(cl, c->n - 1))];

                sub->at = a;
                sub->at_snippet = c->src + a->start;
                sub->at_snippet_len =
                    MIN((size_t)(b->start + b->len - a->start), (size_t)SNIPPET_MAX);
        }
        r = py_scan_ctx(sub);
        if (r < 0)
                fail(c, r);
        py_ctx_done(sub);
        free(sub);
}

/* eval(compile("...", ...)): the compile() call is reported, with what it compiles. */
static bool is_compile_of_literal(Ctx *c, size_t a, size_t b)
{
        size_t j, x, y;
        Str v = {};
        Ref r;
        bool ok = py_walk_chain(c, a, b, &r, WALK_CALLEE, 1, &j) &&
                  strcmp(r.q, "builtins.compile") == 0 && tok_is(c, j, "(") &&
                  close_of(c, j, b) == b - 1 && py_call_arg(c, j, b - 1, 0, "source", &x, &y) &&
                  py_fold(c, x, y, &v, 1) && !(v.flags & (STR_INT | STR_DECODED));

        py_str_done(&v);
        return ok;
}

void py_on_code(Ctx *c, const Ref *r, size_t head, size_t o, size_t cl)
{
        static const struct {
                const char *q, *what;
        } whats[] = {
            {"builtins.compile", "compile()"},
            {"builtins.eval", "eval()"},
            {"builtins.exec", "exec()"},
        };
        const char *what = "exec()";
        size_t a, b;
        Str v = {};
        bool ok, decoded;

        for (size_t i = 0; i < ELEMENTSOF(whats); i++)
                if (strcmp(r->q, whats[i].q) == 0)
                        what = whats[i].what;
        if (strcmp(r->q, "builtins.execfile") == 0 || !py_call_arg(c, o, cl, 0, "source", &a, &b)) {
                if (o + 1 < cl)
                        py_report(c, R_DYN_EVAL, head, cl, "%s of code the scanner cannot see",
                                  r->q);
                return;
        }
        ok = py_fold(c, a, b, &v, 1) && !(v.flags & STR_INT);
        decoded = (v.flags & STR_DECODED) || (!ok && expr_decoded(c, a, b));
        if (decoded)
                py_report(c, R_OBF_EXEC, head, cl, "%s of code decoded at run time%s", what,
                          ok ? " (scanned too)" : "");
        else if (ok)
                py_report(c, R_DYN_LITERAL, head, cl, "%s of a string literal (scanned too)", what);
        else if (!is_compile_of_literal(c, a, b))
                py_report(c, R_DYN_EVAL, head, cl, "%s of an expression the scanner cannot see",
                          what);
        if (ok)
                scan_payload(c, &v, head, cl, what);
        py_str_done(&v);
}

void py_on_load(Ctx *c, size_t head, size_t o, size_t cl)
{
        size_t a, b;
        Str v = {};
        bool ok;

        if (!py_call_arg(c, o, cl, 0, NULL, &a, &b))
                return;
        ok = py_fold(c, a, b, &v, 1) && !(v.flags & STR_INT);
        if ((v.flags & STR_DECODED) || (!ok && expr_decoded(c, a, b)))
                py_report(c, R_OBF_EXEC, head, cl, "loads code or objects decoded at run time");
        else if (ok)
                py_report(c, R_DYN_EMBEDDED, head, cl, "loads a payload written into the source");
        py_str_done(&v);
}

void py_on_yaml(Ctx *c, size_t head, size_t o, size_t cl)
{
        size_t a, b;

        if (py_call_arg(c, o, cl, 1, "Loader", &a, &b)) {
                /* The loader's last name: yaml.SafeLoader, CSafeLoader, BaseLoader. */
                const PyToken *t = &c->tok[b - 1];
                const char *s = c->src + t->start;

                if (t->type == PY_TOK_NAME &&
                    (ends_with(s, t->len, "SafeLoader") || ends_with(s, t->len, "BaseLoader")))
                        return;
        }
        py_report(c, R_DYN_YAML, head, cl, "yaml.load without a safe Loader");
}

void py_on_setattr(Ctx *c, const Ref *r, size_t head, size_t o, size_t cl, unsigned depth)
{
        size_t a, b, e;
        Ref base;
        Str attr = {};
        bool have_base = py_call_arg(c, o, cl, 0, NULL, &a, &b) &&
                         py_walk_chain(c, a, b, &base, 0, depth + 1, &e) && e == b;

        if (have_base && (strcmp(base.q, "builtins") == 0 || strncmp(base.q, "builtins.", 9) == 0))
                py_report(c, R_ESC_BUILTINS, head, cl, "%s on the builtins", r->q + 9);
        if (have_base && strcmp(base.q, "sys.modules") == 0)
                py_report(c, R_ESC_MODULES, head, cl, "%s on sys.modules", r->q + 9);
        if (py_arg_string(c, o, cl, 1, "name", &attr, depth)) {
                if (py_str_is(&attr, "__code__") || py_str_is(&attr, "co_code"))
                        py_report(c, R_ESC_CODE, head, cl, "replaces a function's code");
                py_check_dunder(c, attr.p, attr.len, head, cl, false);
        }
        py_str_done(&attr);
}

void py_on_fork(Ctx *c, size_t head, size_t cl)
{
        bool in_loop = false;

        for (size_t k = c->n_blocks; k > 0 && c->blocks[k - 1].kind != BLOCK_FUNC; k--)
                in_loop = in_loop || c->blocks[k - 1].kind == BLOCK_LOOP;
        for (size_t k = cl; !in_loop && k < c->stmt_b; k++)
                in_loop = tok_is(c, k, "for"); /* [os.fork() for _ in range(99)] */
        if (in_loop)
                py_report(c, R_RES_FORK_LOOP, head, cl, "forks in a loop");
        py_mark_loops(c, false, MARK_FORK);
}
