/* Command words: the name a word runs, options and arguments, what kind of command it is
 * (shell, interpreter, downloader, decoder, network tool), the command a wrapper runs (sudo env
 * nohup exec command xargs timeout ...), and where an interpreter takes its program from. */
#include <string.h>

#include "basic/macros.h"
#include "scan-shell-internal.h"

/* The command name a word stands for: its last path component, when the word is known. */
const char *sh_word_name(const Word *w)
{
        const char *slash;

        if (!w || !w->s || !(w->flags & W_LITERAL))
                return NULL;
        slash = strrchr(w->s, '/');
        return slash ? slash + 1 : w->s;
}

const char *sh_arg(const Call *c, size_t i)
{
        return i < c->argc && (c->argv[i].flags & W_LITERAL) ? c->argv[i].s : NULL;
}

/* A short option letter alone or in a cluster (-rf), or the long option (with or without
 * "=value"), before "--". */
bool sh_has_opt(const Call *c, char letter, const char *lng)
{
        for (size_t i = 1; i < c->argc; i++) {
                const char *a = sh_arg(c, i);

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

bool sh_has_arg(const Call *c, const char *s)
{
        for (size_t i = 1; i < c->argc; i++)
                if (streq(sh_arg(c, i), s))
                        return true;
        return false;
}

bool sh_is_shell(const char *n)
{
        return in_list("|sh|bash|dash|zsh|ksh|ash|mksh|yash|posh|", n);
}

bool sh_is_interpreter(const char *n)
{
        size_t i;

        if (!n)
                return false;
        if (sh_is_shell(n) || in_list("|perl|ruby|node|nodejs|php|lua|tclsh|", n))
                return true;
        if (!startswith(n, "python"))
                return false;
        for (i = 6; n[i] && ((n[i] >= '0' && n[i] <= '9') || n[i] == '.'); i++)
                ;
        return n[i] == '\0';
}

bool sh_is_fetcher(const char *n)
{
        return in_list("|curl|wget|fetch|aria2c|http|https|lwp-download|lwp-request|", n);
}

bool sh_is_nettool(const char *n)
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

bool sh_is_decoder(const Call *c)
{
        const char *n = c->name;

        if (!n)
                return false;
        if (in_list("|base64|base32|basenc|gbase64|", n))
                return sh_has_opt(c, 'd', "--decode") || sh_has_opt(c, 'D', NULL);
        if (streq(n, "xxd"))
                return sh_has_opt(c, 'r', "--revert");
        if (streq(n, "openssl") || streq(n, "gpg"))
                return sh_has_arg(c, "-d") || sh_has_arg(c, "--decrypt") ||
                       sh_has_arg(c, "-decrypt");
        if (in_list("|uudecode|rev|tr|zcat|gunzip|bunzip2|unxz|xzcat|zstdcat|", n))
                return true;
        if (in_list("|gzip|bzip2|xz|zstd|", n))
                return sh_has_opt(c, 'd', "--decompress");
        if (streq(n, "printf"))
                return has_escapes(c);
        if (streq(n, "echo"))
                return sh_has_opt(c, 'e', NULL) && has_escapes(c);
        return false;
}

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
size_t sh_unwrap(const Cmd *cmd, size_t i)
{
        for (size_t round = 0; round < MAX_UNWRAP && i < cmd->n; round++) {
                const char *name = sh_word_name(&cmd->w[i]);
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

Interp sh_interp_of(const Call *c)
{
        bool shell = sh_is_shell(c->name), py = startswith(c->name, "python");
        const char *code = shell ? "c" : py ? "c" : streq(c->name, "php") ? "r" : "eEp";
        const char *with_arg = shell ? "oO" : py ? "WXQ" : "IM";
        Interp in = {.how = I_STDIN};
        bool is_code = false;

        for (size_t i = 1; i < c->argc; i++) {
                const char *a = sh_arg(c, i);

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
