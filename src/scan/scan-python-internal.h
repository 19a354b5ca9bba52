/* What the files of the Python matcher share (scan-python.c and the py-*.c beside it; see
 * scan-python.c for which does what): the rule numbers, the matcher's state, the tables of
 * py-rules.c, and the functions that cross files. Not part of scan.h: nothing outside src/scan
 * includes it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "basic/macros.h"
#include "py-tokenize.h"
#include "scan.h"

/* --- the rules (py-rules.c) -------------------------------------------------------------- */

enum {
        R_EXEC_OS,
        R_EXEC_SUBPROCESS,
        R_EXEC_OTHER,
        R_DYN_EVAL,
        R_DYN_IMPORT,
        R_DYN_CODE,
        R_DYN_PICKLE,
        R_DYN_EMBEDDED,
        R_DYN_YAML,
        R_DYN_LITERAL,
        R_ESC_SUBCLASSES,
        R_ESC_GLOBALS,
        R_ESC_BUILTINS,
        R_ESC_CODE,
        R_ESC_FRAME,
        R_ESC_MODULES,
        R_ESC_PRIV,
        R_NAT_CTYPES,
        R_NAT_MEMORY,
        R_NET_SOCKET,
        R_NET_SERVICE,
        R_NET_HTTP,
        R_NET_URL,
        R_NET_URL_IP,
        R_PATH_CRED,
        R_PATH_METADATA,
        R_PATH_MEMORY,
        R_PATH_ESCAPE,
        R_PATH_DISK,
        R_PATH_ACCOUNTS,
        R_FS_DELETE,
        R_FS_WRITE,
        R_OBF_EXEC,
        R_OBF_NAME,
        R_OBF_CODING,
        R_OBF_UNICODE,
        R_RES_FORK_LOOP,
        R_RES_FORK_BOMB,
        R_RES_GROW,
        _R_MAX,
        NO_RULE = 0xff,
};

/* --- the names the rules watch (py-rules.c) ---------------------------------------------- */

/* What a call does, beyond the rule a reference to the name reports. */
enum {
        ROLE_NONE = 0,
        ROLE_CODE,          /* runs its first argument as code */
        ROLE_LOAD,          /* unpickles or unmarshals its first argument */
        ROLE_YAML,          /* safe only with a safe Loader */
        ROLE_DELETE,        /* deletes the path in its first argument */
        ROLE_OPEN,          /* opens the path in its first argument, mode second */
        ROLE_PATH,          /* a pathlib path of its first argument */
        ROLE_HOME,          /* the home directory as a path */
        ROLE_FORK,          /* a new process running this code */
        ROLE_SPAWN,         /* a thread or process: grows what a loop holds */
        ROLE_EXIT,          /* ends the process: a way out of any loop */
        ROLE_THROTTLE,      /* sleeps or blocks: a loop that waits is no bomb */
        ROLE_IMPORT,        /* __import__: a module by name */
        ROLE_IMPORT_MODULE, /* importlib.import_module: a module by name */
        ROLE_GETATTR,       /* an attribute by name */
        ROLE_SETATTR,       /* setattr, delattr */
        ROLE_VARS,          /* vars(x): x's namespace */
        ROLE_GLOBALS,       /* globals(), locals() */
        ROLE_INFINITE,      /* an iterator with no end: "for" over it never stops */
        /* Decoders, which constant folding applies: */
        ROLE_B64,
        ROLE_B64URL,
        ROLE_HEX,
        ROLE_CODECS, /* codecs.decode(s, "rot13" | "base64" | "hex" | ...) */
        ROLE_OPAQUE, /* zlib, bz2, base32...: decoded, value not computed */
        ROLE_CHR,
        ROLE_BYTES,    /* bytes([...]) */
        ROLE_IDENTITY, /* str(), os.path.expanduser(): the argument's value (for paths) */
        ROLE_JOIN,     /* os.path.join */
};

typedef struct PyName {
        const char *name; /* qualified; "m.*" stands for every name under module m */
        uint8_t rule;     /* reported on any reference to the name */
        uint8_t role;
} PyName;

/* Sorted by strcmp(): looked up by bsearch() (a unit test checks the order). Modules that are
 * other names for one of these (posix, nt, cPickle, dill, ...) are mapped by py_module_alias[]. */
extern const PyName py_names[];
extern const size_t py_names_count;

/* Other names of the same modules: the C modules behind them and drop-in replacements. */
typedef struct PyModuleAlias {
        const char *alias, *module;
} PyModuleAlias;
extern const PyModuleAlias py_module_alias[];
extern const size_t py_module_alias_count;

/* Attribute names that are an escape idiom on any object, whatever it is. */
typedef struct PyDunder {
        const char *name;
        size_t len;
        uint8_t rule;
} PyDunder;
extern const PyDunder py_dunder_attrs[];
extern const size_t py_dunder_attrs_count;

/* Methods that grow a container when called in a loop, and methods that block. */
extern const char *const py_grow_methods[];
extern const size_t py_grow_methods_count;
extern const char *const py_block_methods[];
extern const size_t py_block_methods_count;

/* Rules reported once per file (context, where a finding on every use would be noise). */
extern const uint8_t py_once_per_file[];
extern const size_t py_once_per_file_count;

/* Modules whose attributes, when named at run time (getattr(os, x)), could be anything. */
extern const char *const py_sensitive_modules[];
extern const size_t py_sensitive_modules_count;

/* --- bounds ------------------------------------------------------------------------------ */

#define QMAX          160          /* longest qualified name followed */
#define FOLD_MAX      (64u << 10)  /* longest string folded */
#define FOLD_DEPTH    8            /* nesting of folded expressions and resolved chains */
#define PAYLOAD_DEPTH 3            /* exec("exec('...')"): code in code in code */
#define MAX_BLOCKS    128          /* loops and functions open (Python allows 100 levels) */
#define MAX_STARS     16           /* "from m import *" remembered */
#define ARENA_MAX     (256u << 20) /* names and values bound */
#define SNIPPET_MAX   200
#define PAYLOAD_COST  4096 /* bytes of payload budget one payload costs beyond its own */
#define DECODED_LOOK  512  /* tokens of an argument searched for a decoder */

/* --- strings folded from literals (py-str.c) -------------------------------------------- */

enum {
        STR_BYTES = 1 << 0,   /* a bytes value */
        STR_INT = 1 << 1,     /* an int (in .i), not a string */
        STR_JOINED = 1 << 2,  /* assembled from pieces: +, join, implicit concatenation */
        STR_DECODED = 1 << 3, /* through a decoder, chr(), reversal: hidden in the source */
};

typedef struct Str {
        char *p;
        size_t len, cap;
        int64_t i;
        uint8_t flags;
} Str;

/* --- bindings: what a name stands for, per scope (py-bindings.c) ------------------------- */

/* The scope of the cache of what unbound names resolve to (see py_resolve_name()). */
#define SCOPE_CACHE UINT32_MAX

enum {
        B_QUAL = 1, /* a module or a qualified name: "import os as o", "s = os.system" */
        B_CONST,    /* a folded string (flags say whether decoded) */
        B_DECODED,  /* the result of a decoder whose value is unknown */
        B_INTLIST,  /* a list of ints, as code points: [105, 109, ...] */
        B_LOCAL,    /* anything else: the name shadows builtins and modules */
};

typedef struct Binding {
        uint32_t name, name_len; /* in the arena */
        uint32_t val, val_len;   /* in the arena */
        uint32_t scope;
        uint32_t next; /* in the same hash bucket, or UINT32_MAX */
        uint8_t kind;
        uint8_t flags; /* Str flags of a B_CONST */
} Binding;

typedef struct Bindings {
        Binding *v;
        size_t n, cap;
        uint32_t *bucket;
        size_t n_bucket; /* a power of two, or 0 */
        char *arena;
        size_t arena_len, arena_cap;
} Bindings;

/* --- the matcher's state ----------------------------------------------------------------- */

enum { BLOCK_LOOP = 1, BLOCK_FUNC, BLOCK_TRY };

/* A loop or a function (or class) body, open from its header to the first line indented no
 * deeper than the header. */
typedef struct Block {
        uint8_t kind;
        bool infinite; /* while True, for over itertools.count() */
        bool exits;    /* break, return, raise, exit, yield */
        bool forks;
        bool grows;     /* appends, +=, threads */
        bool throttled; /* sleeps or blocks on input */
        bool recurses;  /* BLOCK_FUNC: calls itself */
        bool in_try;    /* BLOCK_LOOP: inside a try, an exception may end it */
        uint32_t level; /* indentation level of the header */
        uint32_t tok;   /* header's first token */
        uint32_t end;   /* header's last token */
        uint32_t scope; /* BLOCK_FUNC: scope of its body */
        uint32_t name;  /* BLOCK_FUNC: token of its name */
} Block;

/* What all the scans of one file share, payloads included. */
typedef struct Shared {
        ScanReport *report;
        size_t budget;         /* steps of folding and look-ahead left */
        size_t payload_budget; /* bytes of payload left to scan */
        char *scratch;         /* string values of literals */
        size_t scratch_cap;
        int error; /* first error (-ENOMEM) */
        bool reported[_R_MAX];
} Shared;

typedef struct Ctx {
        const char *src;
        size_t len;
        PyToken *tok;   /* without comments and NL */
        uint32_t *pair; /* matching bracket (itself when unmatched) */
        size_t n;
        Shared *sh;
        struct Ctx *parent; /* the code that passed this payload to exec() */
        unsigned payload_depth;
        const PyToken *at; /* payload: the call findings are reported at */
        const char *at_snippet;
        size_t at_snippet_len;
        const char *at_what; /* "exec()" */
        Bindings b;
        uint32_t scope, next_scope;
        uint32_t level;
        Block blocks[MAX_BLOCKS];
        size_t n_blocks;
        char stars[MAX_STARS][QMAX];
        size_t n_stars;
        size_t stmt_a, stmt_b; /* the simple statement being matched */
        /* What matching the statement learned, for binding its value: the last decoder seen
         * (SIZE_MAX: none), and where the chain at the value's start ended and what it named. */
        size_t decoded_at, value_start, value_end;
        bool value_known;
        uint8_t value_role;
        char value_q[QMAX];
        bool docstring;
} Ctx;

typedef struct Ref {
        char q[QMAX]; /* "os.system", "builtins.eval", "<globals>", "<path>" */
        bool known;
        bool decoded; /* a name bound to decoded data */
        uint8_t role; /* role of the last name with one along the chain (the callee) */
        const PyName *e;
        bool has_path;
        char path[256]; /* "<path>": pathlib.Path("/etc") */
} Ref;

/* How a chain is walked: the pass that reports (MAIN), or a callee for folding (CALLEE). */
enum { WALK_MAIN = 1 << 0, WALK_CALLEE = 1 << 1 };

/* What py_mark_loops() marks. */
enum { MARK_EXIT, MARK_FORK, MARK_GROW, MARK_THROTTLE };

/* --- tokens: the primitives every part uses ---------------------------------------------- */

static inline bool tok_is_n(const Ctx *c, size_t i, const char *s, size_t n)
{
        const PyToken *t;

        if (i >= c->n)
                return false;
        t = &c->tok[i];
        return t->len == n && c->src[t->start] == s[0] &&
               (t->type == PY_TOK_NAME || t->type == PY_TOK_OP) &&
               memcmp(c->src + t->start, s, n) == 0;
}

/* Whether token i is the NAME or OP s. Hot: called for most tokens, so the length of a literal
 * s is computed at compile time. */
#define tok_is(c, i, s) tok_is_n((c), (i), (s), __builtin_strlen(s))

static inline bool tok_type(const Ctx *c, size_t i, PyTokenType type)
{
        return i < c->n && c->tok[i].type == type;
}

static inline bool is_opener(const PyToken *t, const char *src)
{
        return t->type == PY_TOK_FSTRING_START ||
               (t->type == PY_TOK_OP && t->len == 1 &&
                (src[t->start] == '(' || src[t->start] == '[' || src[t->start] == '{'));
}

/* Index of the bracket closing the one at i, never past end. */
static inline size_t close_of(const Ctx *c, size_t i, size_t end)
{
        return c->pair[i] > i && c->pair[i] < end ? c->pair[i] : end;
}

/* The next token after the bracketed group or token at i. */
static inline size_t skip_group(const Ctx *c, size_t i, size_t end)
{
        if (is_opener(&c->tok[i], c->src))
                return close_of(c, i, end) + 1;
        return i + 1;
}

/* Takes steps from the work budget the scans of a file share; false once it is spent. */
static inline bool spend(Ctx *c, size_t steps)
{
        if (c->sh->budget < steps) {
                c->sh->budget = 0;
                return false;
        }
        c->sh->budget -= steps;
        return true;
}

/* Keeps the first error of the scan (-ENOMEM): the scan stops at the next logical line. */
static inline void fail(Ctx *c, int r)
{
        if (c->sh->error == 0)
                c->sh->error = r;
}

/* A character that can continue a file or host name. */
static inline bool name_char(char ch)
{
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               ch == '_' || ch == '-' || ch == '.';
}

/* Whether the n bytes at a are b, ignoring case. */
static inline bool ieq(const char *a, size_t n, const char *b)
{
        return n == strlen(b) && strncasecmp(a, b, n) == 0;
}

/* Whether the n bytes at a end with suffix, ignoring case. */
static inline bool ends_with(const char *a, size_t n, const char *suffix)
{
        size_t k = strlen(suffix);

        return n >= k && strncasecmp(a + n - k, suffix, k) == 0;
}

/* --- functions that cross files ------------------------------------------------------------ */

/* scan-python.c: the driver, and the primitives over the token array */
void py_report(Ctx *c, unsigned rule, size_t ta, size_t tb, const char *fmt, ...) _printf_(5, 6);
bool py_token_value(Ctx *c, size_t i, const char **ret, size_t *ret_len);
bool py_call_arg(const Ctx *c, size_t o, size_t cl, int idx, const char *kw, size_t *ra,
                 size_t *rb);
bool py_is_reversal(const Ctx *c, size_t i, size_t cl);
int py_scan_ctx(Ctx *c);
void py_ctx_done(Ctx *c);

/* py-str.c */
void py_str_done(Str *s);
bool py_str_append(Str *s, const char *p, size_t n);
bool py_str_append_cp(Str *s, uint32_t cp);
bool py_str_is(const Str *s, const char *lit);
bool py_str_replace_all(Str *v, const Str *from, const Str *to);
bool py_str_decode_b64(const Str *in, Str *out, bool url);
bool py_str_decode_hex(const Str *in, Str *out);
bool py_str_apply_codec(Str *v, const Str *enc);

/* py-bindings.c */
void py_bindings_done(Bindings *b);
uint32_t py_name_hash(const char *s, size_t n);
Binding *py_bindings_find(const Bindings *b, const char *name, size_t n, uint32_t h,
                          uint32_t scope);
bool py_bindings_set(Bindings *b, const char *name, size_t n, uint32_t scope, uint8_t kind,
                     const char *val, size_t val_len, uint8_t flags);

/* py-literal.c */
void py_check_dunder(Ctx *c, const char *v, size_t n, size_t ta, size_t tb, bool string);
void py_check_literal(Ctx *c, const char *v, size_t n, size_t ta, size_t tb);

/* py-names.c */
const PyName *py_name_find(const char *q);
bool py_module_interesting(const char *m, size_t n);
bool py_ref_set(Ref *r, const char *s, size_t n);
bool py_ref_append(Ref *r, const char *s, size_t n);
bool py_ref_set_module(Ref *r, const char *m, size_t n);
Binding *py_lookup(Ctx *c, const char *name, size_t n);
const char *py_binding_value(Ctx *c, const Binding *bd);
bool py_resolve_name(Ctx *c, const char *name, size_t n, Ref *r);
bool py_is_sensitive_module(const char *q);
bool py_is_keyword(const Ctx *c, size_t i);
bool py_name_of(Ctx *c, size_t i, char *buf, size_t size, const char **ret, size_t *ret_len,
                bool main);
void py_bind(Ctx *c, size_t i, uint8_t kind, const char *val, size_t val_len, uint8_t flags,
             uint32_t scope);
void py_do_import(Ctx *c, size_t a, size_t b);
void py_do_from(Ctx *c, size_t a, size_t b);

/* py-fold.c */
bool py_fold_int_list(Ctx *c, size_t a, size_t b, int64_t **ret, size_t *ret_n);
bool py_fold_call(Ctx *c, const Ref *r, size_t o, size_t cl, Str *out, unsigned depth);
bool py_fold(Ctx *c, size_t a, size_t b, Str *out, unsigned depth);

/* py-chain.c */
void py_ref_found(Ctx *c, Ref *r, size_t ta, size_t tb, bool main);
bool py_arg_string(Ctx *c, size_t o, size_t cl, int k, const char *kw, Str *out, unsigned depth);
bool py_walk_chain(Ctx *c, size_t i, size_t end, Ref *r, unsigned flags, unsigned depth,
                   size_t *ret_end);

/* py-calls.c */
void py_on_path_use(Ctx *c, const char *path, bool write, size_t head, size_t cl);
void py_on_open(Ctx *c, const char *path, size_t o, size_t cl, int mode_arg, size_t head,
                unsigned depth);
void py_on_code(Ctx *c, const Ref *r, size_t head, size_t o, size_t cl);
void py_on_load(Ctx *c, size_t head, size_t o, size_t cl);
void py_on_yaml(Ctx *c, size_t head, size_t o, size_t cl);
void py_on_setattr(Ctx *c, const Ref *r, size_t head, size_t o, size_t cl, unsigned depth);
void py_on_fork(Ctx *c, size_t head, size_t cl);

/* py-blocks.c */
void py_mark_loops(Ctx *c, bool all, int what);
void py_block_push(Ctx *c, uint8_t kind, size_t tok, size_t end, bool infinite, uint32_t scope,
                   size_t name);
void py_block_pop(Ctx *c);
void py_blocks_close(Ctx *c, uint32_t level);
void py_note_self_call(Ctx *c, size_t i);

/* py-stmt.c */
void py_do_line(Ctx *c, size_t a, size_t nl);
