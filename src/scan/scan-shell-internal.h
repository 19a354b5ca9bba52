/* What the files of the shell matcher share (scan-shell.c and the sh-*.c beside it; see
 * scan-shell.c for which does what): the rule numbers, the state of a scan, of a script and of
 * the walk of one of its lists, a command as the rules see it, and the functions that cross
 * files. Not part of scan.h: nothing outside src/scan includes it. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"
#include "scan.h"
#include "sh-tokenize.h"

/* The rules, in the order of their table (sh-rules.c). */
enum {
        R_RMRF,
        R_RMRF_VAR,
        R_FIND,
        R_FORKBOMB,
        R_FORKLOOP,
        R_REMOTE,
        R_DECODE,
        R_DEVTCP,
        R_REVSHELL,
        R_NETTOOL,
        R_MKFS,
        R_DEVWRITE,
        R_CHMOD,
        R_SETUID,
        R_ETCWRITE,
        R_CRON,
        R_AT,
        R_SERVICE,
        R_RCFILE,
        R_SSHKEY,
        R_HISTORY,
        R_LOGWIPE,
        R_CRED,
        R_METADATA,
        R_KILLALL,
        R_FIREWALL,
        R_KMOD,
        R_MOUNT,
        R_NSENTER,
        R_UNSHARE,
        R_CHATTR,
        R_OBFUSC,
        R_DYNEXEC,
        R_LIMIT,
        _R_MAX,
};

#define SCRIPT_DEPTH 8 /* sh -c inside sh -c ...: each level re-reads its string once */
#define MAX_VARS     128
#define MAX_VALUE    1024 /* longer values are "unknown" */
#define MAX_FETCHED  32
#define MAX_FRAMES   64
#define MAX_UNWRAP   16

/* Word flags (the low two are also list and token summaries). */
enum {
        W_FETCH = 1u << 0,   /* holds a substitution that downloads */
        W_DECODE = 1u << 1,  /* holds a substitution that decodes */
        W_LITERAL = 1u << 2, /* known text: no unknown expansion */
        W_SUBST = 1u << 3,   /* $(...), `...`, <(...) */
        W_PROCSUB = 1u << 4,
        W_UNKNOWN = 1u << 5, /* an expansion whose value is unknown */
        W_GUARDED = 1u << 6, /* ${X:?} */
        W_QUOTED = 1u << 7,
        W_ASSIGN = 1u << 8,
};

typedef struct Var {
        char *name, *value; /* value NULL: unknown */
        unsigned flags;     /* W_FETCH, W_DECODE of what was assigned */
} Var;

typedef struct Scanner {
        ScanReport *report;
        Var vars[MAX_VARS];
        size_t n_vars;
        char *fetched[MAX_FETCHED]; /* files curl -o / wget -O wrote */
        size_t n_fetched;
        uint64_t tcp_fds; /* fds exec opened on /dev/tcp */
        struct Seen {
                unsigned rule;
                uint32_t line, column;
        } * seen;
        size_t n_seen, cap_seen;
        bool limit_reported;
        int err;
} Scanner;

/* One script: the file, or a string scanned inside it. */
typedef struct Script {
        Scanner *sc;
        ShTokens ts;
        uint32_t depth;
        uint32_t line, column; /* where its first byte sits in the file */
        uint32_t last_line;    /* the last line of the words it came from: escapes such as
                                * $'\n' add lines the file does not have */
        uint8_t *list_flags;   /* W_FETCH | W_DECODE per list */
        uint8_t *tok_flags;    /* the same, per word, from the lists it holds */
        struct Frame *frames;  /* MAX_FRAMES, reused by each walk of its lists */
        struct Cmd *pipe;      /* the pipeline being built, reused likewise */
        size_t cap_pipe;
} Script;

typedef struct Word {
        char *s;
        uint32_t tok, last_tok; /* last_tok: for words joined from several (eval a b) */
        unsigned flags;
} Word;

typedef struct Redir {
        ShOp op;
        int fd;
        Word target; /* s NULL when there is none */
        uint32_t heredoc;
} Redir;

typedef struct Cmd {
        Word *w; /* leading assignments, then the words */
        size_t n, cap, n_assign;
        Redir *r;
        size_t n_r, cap_r;
        uint32_t first_tok, last_tok;
        bool any;
        bool unwrapped; /* argv0 is known */
        size_t argv0;   /* index of the command run after unwrapping, SIZE_MAX: none */
} Cmd;

/* Frames: what is open around a command (sh-frames.c). */
enum { F_BRACE, F_PAREN, F_FUNC_BRACE, F_FUNC_PAREN, F_LOOP, F_IF };
enum { F_SCRIPT = F_IF + 1 };

typedef struct Frame {
        int kind;
        const char *name; /* function: its name; the script's own frame: "$0" */
        uint32_t tok;     /* where to report */
        unsigned self_calls, forking_calls;
        bool cond, forever; /* loop: in its condition, endless */
        bool pause;         /* sleeps or waits in the foreground */
        unsigned bg;
} Frame;

/* The walk of one list (sh-walk.c), summary or matching. */
typedef struct Walk {
        Script *sp;
        uint32_t list;
        bool summary;
        uint8_t flags; /* summary: W_FETCH | W_DECODE */
        Cmd *pipe;     /* sp->pipe */
        size_t n_pipe;
        Frame *frames; /* sp->frames */
        size_t n_frames, overflow;
        const char *pending_func;
        uint32_t pending_func_tok;
        bool func_keyword, for_header, array_pending, closed_group;
        bool closed_pause; /* the group just closed waits or sleeps: unless it is put in the
                            * background, so does the frame around it */
        size_t array_depth;
} Walk;

/* One simple command, unwrapped, as the rules see it. */
typedef struct Call {
        Walk *wk;
        Cmd *cmd;
        const Word *argv; /* from the command name on */
        size_t argc;
        const char *name; /* basename of argv[0], NULL when it is not literal */
        size_t index, n_pipe;
        bool bg;
} Call;

/* A growing string; oom once an allocation failed. */
typedef struct Buf {
        char *p;
        size_t n, cap;
        bool oom;
} Buf;

/* How an interpreter gets its program. */
enum { I_NONE, I_STDIN, I_SCRIPT, I_CODE, I_MODULE };

typedef struct Interp {
        int how;
        size_t arg; /* argv index of the script or code */
        bool interactive;
} Interp;

/* What a path names (sh-path.c). */
enum {
        P_ROOT = 1u << 0,
        P_HOME = 1u << 1,
        P_SYSTEM = 1u << 2,
        P_ETC = 1u << 3,
        P_LOG = 1u << 4,
        P_HISTORY = 1u << 5,
        P_VARSLASH = 1u << 6,
        P_DEVICE = 1u << 7,
        P_RCFILE = 1u << 8,
        P_SSHKEY = 1u << 9,
        P_CRON = 1u << 10,
        P_UNIT = 1u << 11,
        P_DEVNET = 1u << 12,
};

/* ---- small helpers ---- */

static inline bool streq(const char *a, const char *b)
{
        return a && b && strcmp(a, b) == 0;
}

static inline bool startswith(const char *s, const char *prefix)
{
        return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* s is one of the "|"-separated names in list ("|a|b|c|"). */
static inline bool in_list(const char *list, const char *s)
{
        size_t n;
        const char *p;

        if (!s || !*s || strchr(s, '|'))
                return false;
        n = strlen(s);
        for (p = strstr(list, s); p; p = strstr(p + 1, s))
                if (p > list && p[-1] == '|' && p[n] == '|')
                        return true;
        return false;
}

static inline bool is_opt(const char *a)
{
        return a && a[0] == '-' && a[1] != '\0';
}

static inline void *xrealloc(Scanner *sc, void *p, size_t n, size_t sz)
{
        void *q = n <= SIZE_MAX / sz ? realloc(p, n * sz) : NULL;

        if (!q)
                sc->err = -ENOMEM;
        return q;
}

/* ---- functions that cross files ---- */

/* scan-shell.c */
void sh_scan_script(Scanner *sc, const char *src, size_t len, uint32_t line, uint32_t column,
                    uint32_t last_line, uint32_t depth);

/* sh-emit.c: findings */
void sh_map_pos(const Script *sp, const ShToken *t, uint32_t *ret_line, uint32_t *ret_col);
uint32_t sh_end_line(const Script *sp, const ShToken *t);
void sh_emit(Script *sp, unsigned rule, uint32_t first, uint32_t last, const char *fmt, ...)
    _printf_(5, 6);
void sh_emit_at(Script *sp, unsigned rule, uint32_t line, uint32_t col, const char *fmt, ...)
    _printf_(5, 6);
void sh_emit_call(const Call *c, unsigned rule, const char *fmt, ...) _printf_(3, 4);

/* sh-expand.c: variables and words */
void sh_var_assign(Scanner *sc, const Word *w);
void sh_var_unset(Scanner *sc, const char *name);
void sh_buf_add(Buf *b, const char *s, size_t n);
void sh_expand_word(Walk *wk, uint32_t tok, Word *ret);

/* sh-command.c: command words */
const char *sh_word_name(const Word *w);
const char *sh_arg(const Call *c, size_t i);
bool sh_has_opt(const Call *c, char letter, const char *lng);
bool sh_has_arg(const Call *c, const char *s);
bool sh_is_shell(const char *n);
bool sh_is_interpreter(const char *n);
bool sh_is_fetcher(const char *n);
bool sh_is_nettool(const char *n);
bool sh_is_decoder(const Call *c);
size_t sh_unwrap(const Cmd *cmd, size_t i);
Interp sh_interp_of(const Call *c);

/* sh-path.c */
unsigned sh_classify_word(const Word *w);
void sh_check_write(const Call *c, const char *path, unsigned wflags, bool truncates,
                    const char *how);

/* sh-nested.c: nested scripts */
void sh_scan_string(const Call *c, const char *s, const ShToken *at, const ShToken *last);
void sh_check_code(const Call *c, const Word *w, const char *what);
bool sh_was_fetched(Scanner *sc, const char *path);
void sh_remember_fetched(Scanner *sc, const char *path);
void sh_check_script_word(const Call *c, const Word *w, const char *what);
void sh_rule_interpreter(const Call *c);
void sh_scan_echoed(const Call *prev, const Call *c);

/* sh-rules-fs.c */
void sh_rule_rm(const Call *c);
void sh_rule_find(const Call *c);
void sh_rule_chmod(const Call *c);
void sh_rule_writers(const Call *c);
void sh_rule_redirections(const Call *c);

/* sh-rules-cmd.c */
void sh_rules_for(const Call *c, Interp *in);

/* sh-frames.c */
void sh_frame_push(Walk *wk, Frame f);
void sh_frame_finish(Walk *wk, const Frame *f);
void sh_frame_pop(Walk *wk, unsigned kinds);
Frame *sh_frame_innermost(Walk *wk, unsigned kinds);
void sh_frame_track(const Call *c, const Interp *in);

/* sh-pipeline.c */
void sh_cmd_clear(Cmd *c);
Cmd *sh_pipeline_cur(Walk *wk);
void sh_pipeline_add_word(Walk *wk, Cmd *c, uint32_t tok, bool assign);
void sh_pipeline_add_redir(Walk *wk, Cmd *c, uint32_t op_tok, uint32_t target);
void sh_pipeline_end_cmd(Walk *wk);
void sh_pipeline_end(Walk *wk, bool bg);

/* sh-walk.c */
void sh_walk(Script *sp, uint32_t list, bool summary);
