/* Constant folding: the value of an expression built from literals, when the code spells it
 * so that no literal shows it ('sys' + 'tem', chr() joins, [::-1], base64, hex, rot13,
 * bytes([...]), '.'.join(...), os.path.join). Bounded by the shared work budget, FOLD_DEPTH and
 * FOLD_MAX; past a bound the value is unknown, and a decoder met on the way is still noted. */
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"
#include "scan-python-internal.h"

static bool parse_int(const char *p, size_t n, int64_t *ret)
{
        int base = 10;
        int64_t v = 0;
        size_t i = 0;

        if (n > 2 && p[0] == '0' && strchr("xXoObB", p[1])) {
                base = (p[1] | 0x20) == 'x' ? 16 : (p[1] | 0x20) == 'o' ? 8 : 2;
                i = 2;
        }
        if (i >= n)
                return false;
        for (; i < n; i++) {
                int d;

                if (p[i] == '_')
                        continue;
                if (p[i] >= '0' && p[i] <= '9')
                        d = p[i] - '0';
                else if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')
                        d = (p[i] | 0x20) - 'a' + 10;
                else
                        return false;
                if (d >= base || v > (INT64_MAX - d) / base)
                        return false;
                v = v * base + d;
        }
        *ret = v;
        return true;
}

/* A literal list or tuple of ints, or a name bound to one: [105, 109, 112]. */
bool py_fold_int_list(Ctx *c, size_t a, size_t b, int64_t **ret, size_t *ret_n)
{
        int64_t *v = NULL;
        size_t n = 0;

        if (b == a + 1 && tok_type(c, a, PY_TOK_NAME)) {
                Binding *bd = py_lookup(c, c->src + c->tok[a].start, c->tok[a].len);

                if (!bd || bd->kind != B_INTLIST)
                        return false;
                n = bd->val_len / sizeof(int32_t);
                v = malloc(MAX(n, (size_t)1) * sizeof(*v));
                if (!v)
                        return false;
                for (size_t i = 0; i < n; i++) {
                        int32_t x;

                        memcpy(&x, py_binding_value(c, bd) + i * sizeof(x), sizeof(x));
                        v[i] = x;
                }
        } else {
                if (b < a + 2 || !(tok_is(c, a, "[") || tok_is(c, a, "(")) ||
                    close_of(c, a, b) != b - 1)
                        return false;
                if (!spend(c, b - a))
                        return false;
                v = malloc((b - a) * sizeof(*v));
                if (!v)
                        return false;
                /* NUMBER or -NUMBER, each followed by ',' or the closing bracket */
                for (size_t i = a + 1; i < b - 1;) {
                        bool neg = tok_is(c, i, "-");
                        int64_t x;

                        i += neg;
                        if (!tok_type(c, i, PY_TOK_NUMBER) ||
                            !parse_int(c->src + c->tok[i].start, c->tok[i].len, &x) ||
                            !(tok_is(c, i + 1, ",") || i + 1 == b - 1)) {
                                free(v);
                                return false;
                        }
                        v[n++] = neg ? -x : x;
                        i += 2;
                }
        }
        *ret = v;
        *ret_n = n;
        return true;
}

/* chr(x) for x in L, chr(x ^ K) ..., map(chr, L): the characters of an int list. */
static bool fold_chr_list(Ctx *c, size_t a, size_t b, Str *out, unsigned depth)
{
        size_t j, o, var, in_list = 0;
        int64_t *v = NULL, k = 0;
        char op = 0;
        size_t n = 0;
        Ref r;

        if (tok_type(c, a, PY_TOK_NAME) && py_token_is(c->src, &c->tok[a], "map") &&
            tok_is(c, a + 1, "(") && close_of(c, a + 1, b) == b - 1) {
                /* map(chr, L) */
                if (!py_walk_chain(c, a + 2, b, &r, WALK_CALLEE, depth, &j) || !tok_is(c, j, ",") ||
                    strcmp(r.q, "builtins.chr") != 0)
                        return false;
                in_list = j + 1;
        } else {
                /* chr(NAME [op NUMBER]) for NAME in L */
                if (!py_walk_chain(c, a, b, &r, WALK_CALLEE, depth, &o) || !tok_is(c, o, "(") ||
                    strcmp(r.q, "builtins.chr") != 0)
                        return false;
                var = o + 1;
                j = close_of(c, o, b);
                if (!tok_type(c, var, PY_TOK_NAME))
                        return false;
                if (j == var + 3 && tok_type(c, var + 2, PY_TOK_NUMBER) &&
                    c->tok[var + 1].type == PY_TOK_OP && c->tok[var + 1].len == 1 &&
                    strchr("^+-", c->src[c->tok[var + 1].start]) &&
                    parse_int(c->src + c->tok[var + 2].start, c->tok[var + 2].len, &k))
                        op = c->src[c->tok[var + 1].start];
                else if (j != var + 1)
                        return false;
                if (!tok_is(c, j + 1, "for") || !tok_type(c, j + 2, PY_TOK_NAME) ||
                    c->tok[j + 2].len != c->tok[var].len ||
                    memcmp(c->src + c->tok[j + 2].start, c->src + c->tok[var].start,
                           c->tok[var].len) != 0 ||
                    !tok_is(c, j + 3, "in"))
                        return false;
                in_list = j + 4;
        }
        if (!py_fold_int_list(c, in_list, b - (tok_is(c, a, "map") ? 1 : 0), &v, &n))
                return false;
        for (size_t i = 0; i < n; i++) {
                int64_t x = op == '^'   ? v[i] ^ k
                            : op == '+' ? v[i] + k
                            : op == '-' ? v[i] - k
                                        : v[i];

                if (x < 0 || x > 0x10ffff || !py_str_append_cp(out, (uint32_t)x)) {
                        free(v);
                        return false;
                }
        }
        free(v);
        out->flags |= STR_DECODED | STR_JOINED;
        return true;
}

/* sep.join(X): X a literal list or tuple of strings, or chr() of an int list. */
static bool fold_join(Ctx *c, const Str *sep, size_t a, size_t b, Str *out, unsigned depth)
{
        size_t n = 0;

        if ((tok_is(c, a, "[") || tok_is(c, a, "(")) && close_of(c, a, b) == b - 1) {
                size_t i = a + 1;

                if (fold_chr_list(c, a + 1, b - 1, out, depth))
                        goto joined;
                while (i < b - 1) {
                        size_t s = i;
                        Str part = {};
                        bool ok;

                        while (i < b - 1 && !tok_is(c, i, ","))
                                i = skip_group(c, i, b - 1);
                        ok = s < i && py_fold(c, s, i, &part, depth + 1) &&
                             !(part.flags & STR_INT) &&
                             (n == 0 || py_str_append(out, sep->p, sep->len)) &&
                             py_str_append(out, part.p, part.len);
                        out->flags |= part.flags & (STR_DECODED | STR_BYTES);
                        py_str_done(&part);
                        if (!ok)
                                return false;
                        n++;
                        i++;
                }
                if (n == 0 && !py_str_append(out, "", 0))
                        return false;
                goto joined;
        }
        if (!fold_chr_list(c, a, b, out, depth))
                return false;
joined:
        out->flags |= STR_JOINED;
        return true;
}

/* os.path.join(a, b, ...): the parts joined with '/', an absolute part restarting the path. */
static bool fold_path_join(Ctx *c, size_t o, size_t cl, Str *out, unsigned depth)
{
        size_t a, b;
        bool ok = false;

        for (int k = 0; py_call_arg(c, o, cl, k, NULL, &a, &b); k++) {
                Str part = {};

                ok = py_fold(c, a, b, &part, depth + 1) && !(part.flags & STR_INT);
                if (ok && part.len > 0 && part.p[0] == '/')
                        out->len = 0; /* an absolute part restarts the path */
                ok = ok &&
                     (out->len == 0 || out->p[out->len - 1] == '/' || py_str_append(out, "/", 1)) &&
                     py_str_append(out, part.p, part.len);
                out->flags |= part.flags & STR_DECODED;
                py_str_done(&part);
                if (!ok)
                        return false;
        }
        return ok;
}

/* bytes([...]) of an int list: each int's low byte. Takes v. */
static bool fold_bytes(int64_t *v, size_t n, Str *out)
{
        for (size_t i = 0; i < n; i++) {
                char byte = (char)(v[i] & 0xff);

                if (!py_str_append(out, &byte, 1)) {
                        free(v);
                        return false;
                }
        }
        free(v);
        out->flags |= STR_BYTES | STR_DECODED | STR_JOINED;
        return true;
}

/* The value of a call whose callee resolved to r: decoders, chr(), bytes(), path helpers. */
bool py_fold_call(Ctx *c, const Ref *r, size_t o, size_t cl, Str *out, unsigned depth)
{
        size_t a, b;
        Str arg = {}, enc = {};
        bool ok = false;
        int role = r->e ? r->e->role : ROLE_NONE;
        int64_t *v;
        size_t n;

        if (role == ROLE_HOME)
                return py_str_append(out, "~", 1);
        if (role == ROLE_PATH && o + 1 == cl)
                return py_str_append(out, ".", 1);
        if (role == ROLE_JOIN)
                return fold_path_join(c, o, cl, out, depth);
        if (!py_call_arg(c, o, cl, 0, NULL, &a, &b))
                return false;
        if (role == ROLE_BYTES && py_fold_int_list(c, a, b, &v, &n))
                return fold_bytes(v, n, out);
        ok = py_fold(c, a, b, &arg, depth + 1);
        out->flags |= arg.flags & STR_DECODED;
        switch (role) {
        case ROLE_CHR:
                ok = ok && (arg.flags & STR_INT) && arg.i >= 0 && arg.i <= 0x10ffff &&
                     py_str_append_cp(out, (uint32_t)arg.i);
                out->flags |= STR_DECODED | STR_JOINED;
                break;
        case ROLE_B64:
        case ROLE_B64URL:
                ok = ok && !(arg.flags & STR_INT) &&
                     py_str_decode_b64(&arg, out, role == ROLE_B64URL);
                out->flags |= STR_DECODED | STR_BYTES;
                break;
        case ROLE_HEX:
                ok = ok && !(arg.flags & STR_INT) && py_str_decode_hex(&arg, out);
                out->flags |= STR_DECODED | STR_BYTES;
                break;
        case ROLE_CODECS:
                if (py_call_arg(c, o, cl, 1, "encoding", &a, &b) &&
                    py_fold(c, a, b, &enc, depth + 1)) {
                        ok = ok && py_str_apply_codec(&arg, &enc) &&
                             py_str_append(out, arg.p, arg.len);
                        out->flags |= arg.flags & STR_DECODED;
                } else
                        ok = false;
                break;
        case ROLE_OPAQUE:
                out->flags |= STR_DECODED;
                ok = false;
                break;
        case ROLE_IDENTITY:
        case ROLE_PATH:
        case ROLE_BYTES: /* bytes("...", "utf-8") */
                ok = ok && !(arg.flags & STR_INT) && py_str_append(out, arg.p, arg.len);
                out->flags |= arg.flags & (STR_JOINED | STR_BYTES);
                break;
        default:
                ok = false;
        }
        py_str_done(&arg);
        py_str_done(&enc);
        return ok;
}

/* The method m called on v, its arguments in (o, cl): .decode(), .encode(), .lower(), .upper(),
 * .strip(), .replace(a, b), .join(...). False when it cannot be folded. */
static bool fold_method(Ctx *c, const char *m, size_t o, size_t cl, Str *v, unsigned depth)
{
        size_t a0, b0, a1, b1;

        if (strcmp(m, "decode") == 0 || strcmp(m, "encode") == 0) {
                Str enc = {};
                bool ok = true;

                /* Python 2's "...".decode("rot13") / "hex" / "base64" */
                if (py_call_arg(c, o, cl, 0, "encoding", &a0, &b0)) {
                        ok = py_fold(c, a0, b0, &enc, depth + 1) && py_str_apply_codec(v, &enc);
                        v->flags |= enc.flags & STR_DECODED;
                }
                py_str_done(&enc);
                if (!ok)
                        return false;
                v->flags = m[0] == 'd' ? v->flags & ~STR_BYTES : v->flags | STR_BYTES;
        } else if (strcmp(m, "lower") == 0 || strcmp(m, "upper") == 0) {
                for (size_t k = 0; k < v->len; k++)
                        if (((v->p[k] | 0x20) >= 'a' && (v->p[k] | 0x20) <= 'z'))
                                v->p[k] =
                                    m[0] == 'l' ? (char)(v->p[k] | 0x20) : (char)(v->p[k] & ~0x20);
        } else if (strcmp(m, "strip") == 0 && o + 1 == cl) {
                size_t s = 0, e = v->len;

                while (s < e && strchr(" \t\r\n", v->p[s]))
                        s++;
                while (e > s && strchr(" \t\r\n", v->p[e - 1]))
                        e--;
                memmove(v->p, v->p + s, e - s);
                v->len = e - s;
                v->p[v->len] = '\0';
        } else if (strcmp(m, "replace") == 0) {
                Str from = {}, to = {};
                bool ok = py_call_arg(c, o, cl, 0, NULL, &a0, &b0) &&
                          py_call_arg(c, o, cl, 1, NULL, &a1, &b1) &&
                          py_fold(c, a0, b0, &from, depth + 1) &&
                          py_fold(c, a1, b1, &to, depth + 1) && py_str_replace_all(v, &from, &to);

                v->flags |= STR_JOINED | ((from.flags | to.flags) & STR_DECODED);
                py_str_done(&from);
                py_str_done(&to);
                if (!ok)
                        return false;
        } else if (strcmp(m, "join") == 0) {
                Str out = {};

                if (!py_call_arg(c, o, cl, 0, NULL, &a0, &b0) ||
                    !fold_join(c, v, a0, b0, &out, depth + 1)) {
                        v->flags |= out.flags & STR_DECODED;
                        py_str_done(&out);
                        return false;
                }
                out.flags |= v->flags & STR_DECODED;
                free(v->p);
                *v = out;
        } else {
                if (strcmp(m, "translate") == 0) /* str.maketrans tables: rot13 and kin */
                        v->flags |= STR_DECODED;
                return false;
        }
        return true;
}

/* A method called on a folded string: .decode(), .encode(), .lower(), .replace(a, b),
 * .join(...), [::-1]. Returns the index after it, or 0 when it cannot be folded. */
static size_t fold_trailer(Ctx *c, size_t i, size_t b, Str *v, unsigned depth)
{
        size_t o, cl;
        char m[16];

        if (v->flags & STR_INT)
                return 0;
        if (tok_is(c, i, "[")) {
                cl = close_of(c, i, b);
                if (cl >= b || !py_is_reversal(c, i, cl))
                        return 0;
                for (size_t k = 0; k < v->len / 2; k++) {
                        char t = v->p[k];

                        v->p[k] = v->p[v->len - 1 - k];
                        v->p[v->len - 1 - k] = t;
                }
                v->flags |= STR_DECODED;
                return cl + 1;
        }
        if (!tok_is(c, i, ".") || !tok_type(c, i + 1, PY_TOK_NAME) || !tok_is(c, i + 2, "(") ||
            py_name_value(c->src, &c->tok[i + 1], m, sizeof(m), NULL) < 0)
                return 0;
        o = i + 2;
        cl = close_of(c, o, b);
        if (cl >= b)
                return 0;
        if (!fold_method(c, m, o, cl, v, depth))
                return 0;
        return cl + 1;
}

/* One operand of '+': literals, a bound name, a call to a decoder, (...), then trailers. */
static bool fold_operand(Ctx *c, size_t a, size_t b, Str *out, unsigned depth)
{
        const PyToken *t = &c->tok[a];
        size_t i = a;

        if (t->type == PY_TOK_STRING) {
                size_t n = 0;

                for (; i < b && c->tok[i].type == PY_TOK_STRING; i++, n++) {
                        const char *v;
                        size_t len;

                        if (!py_token_value(c, i, &v, &len) || !py_str_append(out, v, len))
                                return false;
                        if (c->tok[i].flags & PY_TOKF_BYTES)
                                out->flags |= STR_BYTES;
                }
                if (n > 1)
                        out->flags |= STR_JOINED;
        } else if (t->type == PY_TOK_NUMBER ||
                   (tok_is(c, a, "-") && tok_type(c, a + 1, PY_TOK_NUMBER))) {
                bool neg = t->type != PY_TOK_NUMBER;

                i += neg;
                if (!parse_int(c->src + c->tok[i].start, c->tok[i].len, &out->i))
                        return false;
                out->i = neg ? -out->i : out->i;
                out->flags |= STR_INT;
                i++;
        } else if (tok_is(c, a, "(")) {
                size_t cl = close_of(c, a, b);

                if (cl >= b || !py_fold(c, a + 1, cl, out, depth + 1))
                        return false;
                i = cl + 1;
        } else if (t->type == PY_TOK_NAME) {
                Binding *bd = py_lookup(c, c->src + t->start, t->len);
                size_t j, cl;
                Ref r;

                if (bd && bd->kind == B_CONST) {
                        if (!py_str_append(out, py_binding_value(c, bd), bd->val_len))
                                return false;
                        out->flags |= bd->flags;
                        i++;
                } else if (bd && bd->kind == B_DECODED) {
                        out->flags |= STR_DECODED;
                        return false;
                } else {
                        if (!py_walk_chain(c, a, b, &r, WALK_CALLEE, depth + 1, &j) ||
                            !tok_is(c, j, "("))
                                return false;
                        cl = close_of(c, j, b);
                        if (cl >= b || !py_fold_call(c, &r, j, cl, out, depth + 1))
                                return false;
                        i = cl + 1;
                }
        } else
                return false;

        while (i < b) {
                size_t next;

                if (!spend(c, 1) || (next = fold_trailer(c, i, b, out, depth)) == 0)
                        return false;
                i = next;
        }
        return true;
}

/* Folds tokens [a, b) to a string (or an int) when they are literals joined by '+' and the
 * calls above. out starts empty and is the caller's to free; out->flags says STR_DECODED even
 * when folding failed, if a decoder was met. */
bool py_fold(Ctx *c, size_t a, size_t b, Str *out, unsigned depth)
{
        size_t i = a, pieces = 0;

        if (a >= b || b > c->n || depth > FOLD_DEPTH || !spend(c, 1))
                return false;
        while (i < b) {
                size_t s = i;
                Str part = {};
                bool ok;

                while (i < b && !tok_is(c, i, "+")) {
                        if (!spend(c, 1))
                                return false;
                        i = skip_group(c, i, b);
                }
                i = MIN(i, b);
                ok = s < i && fold_operand(c, s, i, &part, depth + 1);
                out->flags |= part.flags & STR_DECODED;
                if (ok && pieces == 0) {
                        uint8_t flags = out->flags;

                        free(out->p);
                        *out = part;
                        out->flags |= flags;
                        part = (Str){};
                } else if (ok && (part.flags & STR_INT) && (out->flags & STR_INT))
                        out->i += part.i;
                else if (ok && !((part.flags | out->flags) & STR_INT))
                        ok = py_str_append(out, part.p, part.len);
                else
                        ok = false;
                out->flags |= part.flags & (STR_BYTES | STR_JOINED | STR_DECODED);
                py_str_done(&part);
                if (!ok)
                        return false;
                pieces++;
                if (i < b && ++i == b)
                        return false; /* a trailing '+' */
        }
        if (pieces > 1)
                out->flags |= STR_JOINED;
        if (!(out->flags & STR_INT) && !out->p && !py_str_append(out, "", 0))
                return false;
        return pieces > 0;
}
