/* Rules on files, one command at a time: recursive deletes (rm, find), modes and owners
 * (chmod, chown), commands that write the files they name (tee, cp, sed -i, curl -o, dd), and
 * redirections (writes through >, and /dev/tcp). */
#include <string.h>

#include "basic/macros.h"
#include "scan-shell-internal.h"

void sh_rule_rm(const Call *c)
{
        bool rec = sh_has_opt(c, 'r', "--recursive") || sh_has_opt(c, 'R', NULL);
        bool nopreserve = sh_has_opt(c, 0, "--no-preserve-root");
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
                f = sh_classify_word(w);
                if ((rec && (f & (P_ROOT | P_HOME | P_SYSTEM))) || (rec && nopreserve))
                        sh_emit_call(c, R_RMRF, "rm -r of %s", w->s);
                else if (rec && (f & P_VARSLASH))
                        sh_emit_call(c, R_RMRF_VAR, "rm -r of %s: / when the variable is empty",
                                     w->s);
                if (f & P_ETC)
                        sh_emit_call(c, R_ETCWRITE, "deletes %s", w->s);
                if (f & P_LOG)
                        sh_emit_call(c, R_LOGWIPE, "deletes the log %s", w->s);
                if (f & P_HISTORY)
                        sh_emit_call(c, R_HISTORY, "deletes the history file %s", w->s);
        }
}

void sh_rule_find(const Call *c)
{
        bool deletes = false;
        size_t i;

        for (i = 1; i < c->argc; i++) {
                const char *a = sh_arg(c, i);

                if (streq(a, "-delete"))
                        deletes = true;
                if (in_list("|-exec|-execdir|-ok|-okdir|", a) && i + 1 < c->argc &&
                    in_list("|rm|shred|unlink|", sh_word_name(&c->argv[i + 1])))
                        deletes = true;
        }
        if (!deletes)
                return;
        for (i = 1; i < c->argc; i++) {
                const Word *w = &c->argv[i];
                unsigned f;

                if (w->s[0] == '-' || streq(w->s, "(") || streq(w->s, "!"))
                        break; /* the start points come first */
                f = sh_classify_word(w);
                if (f & (P_ROOT | P_HOME | P_SYSTEM))
                        sh_emit_call(c, R_FIND, "find deletes from %s", w->s);
                if (f & P_LOG)
                        sh_emit_call(c, R_LOGWIPE, "find deletes logs in %s", w->s);
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

void sh_rule_chmod(const Call *c)
{
        bool rec = sh_has_opt(c, 'R', "--recursive"), chmod = streq(c->name, "chmod");
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
                                sh_emit_call(c, R_SETUID, "chmod %s sets the setuid/setgid bit",
                                             mode);
                        continue;
                }
                f = sh_classify_word(w);
                if (rec && (f & (P_ROOT | P_SYSTEM)))
                        sh_emit_call(c, R_CHMOD, "recursive change of %s", w->s);
                else if (chmod && mode && mode_is_world_writable(mode) &&
                         (f & (P_ROOT | P_SYSTEM | P_ETC | P_HOME)))
                        sh_emit_call(c, R_CHMOD, "makes %s world-writable", w->s);
                else if (f & P_ETC)
                        sh_emit_call(c, R_ETCWRITE, "changes the mode or owner of %s", w->s);
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
        const char *a = sh_arg(c, i);

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
        bool truncates = !streq(c->name, "tee") || !sh_has_opt(c, 'a', "--append");

        for (size_t i = 1; i < c->argc; i++) {
                const Word *w = &c->argv[i];

                if ((w->flags & W_LITERAL) && is_opt(w->s)) {
                        if (streq(w->s, "-s") || streq(w->s, "-r") || streq(w->s, "-n"))
                                i++; /* truncate -s SIZE, -r REF; shred -n N */
                        continue;
                }
                sh_check_write(c, w->s, w->flags, truncates,
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
                        sh_check_write(c, strchr(w->s, '=') + 1, w->flags, true, "replaces");
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
                sh_check_write(c, dest->s, dest->flags, true, "replaces");
}

/* sed -i: the files after the script (all plain words when -e or -f gave it). */
static void writes_in_place(const Call *c)
{
        bool script_given = sh_has_opt(c, 'e', "--expression") || sh_has_opt(c, 'f', "--file");

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
                sh_check_write(c, w->s, w->flags, false, "edits in place");
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
                sh_check_write(c, out->s, out->flags, true, "downloads into");
                if (out->flags & W_LITERAL)
                        sh_remember_fetched(c->wk->sp->sc, out->s);
        }
}

/* Commands that write the files their arguments name. */
void sh_rule_writers(const Call *c)
{
        const char *n = c->name;

        if (in_list("|tee|truncate|shred|", n))
                writes_arguments(c);
        else if (in_list("|cp|mv|install|ln|rsync|", n))
                writes_destination(c);
        else if (streq(n, "sed") && sh_has_opt(c, 'i', "--in-place"))
                writes_in_place(c);
        else if (streq(n, "curl") || streq(n, "wget"))
                writes_download(c);
        else if (streq(n, "dd"))
                for (size_t i = 1; i < c->argc; i++)
                        if (startswith(c->argv[i].s, "of="))
                                sh_check_write(c, c->argv[i].s + 3, c->argv[i].flags, true,
                                               "dd writes");
}

/* /dev/tcp redirections, and writes through > >> >| &> <>. */
void sh_rule_redirections(const Call *c)
{
        Scanner *sc = c->wk->sp->sc;
        bool shell = c->name && (sh_is_shell(c->name) || sh_is_interpreter(c->name));

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
                                sh_emit_call(c, R_REVSHELL, "%s reads or writes a /dev/tcp fd",
                                             c->name);
                        continue;
                }
                f = sh_classify_word(&r->target);
                if (f & P_DEVNET) {
                        if (shell)
                                sh_emit_call(c, R_REVSHELL, "%s wired to %s", c->name, t);
                        else
                                sh_emit_call(c, R_DEVTCP, "connects to %s", t);
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
                        sh_check_write(c, t, r->target.flags, truncates, "writes");
        }
}
