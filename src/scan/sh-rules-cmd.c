/* Rules on commands, one at a time: credentials read, metadata services, kill -1, network
 * tools, the table of simple rules (a command and the arguments that make it match), history,
 * cron, eval and su -c, command names spelled to dodge a match; and sh_rules_for(), which
 * runs every rule that applies to a command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "basic/macros.h"
#include "scan-shell-internal.h"

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
                        sh_emit_call(c, R_CRED, "reads %s", w->s);
                        return;
                }
        }
        for (size_t i = 0; i < c->cmd->n_r; i++) {
                const Redir *r = &c->cmd->r[i];

                if (r->op == SH_OP_LESS && secret_in(r->target.s)) {
                        sh_emit_call(c, R_CRED, "reads %s", r->target.s);
                        return;
                }
        }
}

static void rule_metadata(const Call *c)
{
        static const char *const hosts[] = {"169.254.169.254", "metadata.google.internal",
                                            "169.254.170.2",   "100.100.100.200",
                                            "fd00:ec2::254",   NULL};

        if (!sh_is_fetcher(c->name) && !sh_is_nettool(c->name))
                return;
        for (size_t i = 1; i < c->argc; i++)
                for (size_t k = 0; hosts[k]; k++)
                        if (strstr(c->argv[i].s, hosts[k])) {
                                sh_emit_call(c, R_METADATA, "queries %s", hosts[k]);
                                return;
                        }
}

static void rule_kill(const Call *c)
{
        size_t i = 1;

        if (streq(c->name, "killall5")) {
                sh_emit_call(c, R_KILLALL, "%s signals every process", c->name);
                return;
        }
        if (in_list("|-s|-n|", sh_arg(c, 1)))
                i = 3;
        else if (is_opt(sh_arg(c, 1)) && !streq(sh_arg(c, 1), "--"))
                i = 2; /* the signal: -9, -KILL */
        for (; i < c->argc; i++)
                if (streq(sh_arg(c, i), "-1")) {
                        sh_emit_call(c, R_KILLALL, "kill -1: every process");
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
                        sh_emit_call(c, R_REVSHELL, "socat joins a program to a connection");
                        return;
                }
        } else if (!in_list("|telnet|nmap|masscan|", n)) {
                for (size_t i = 1; i < c->argc; i++) {
                        const char *a = sh_arg(c, i);

                        if (!a || !is_opt(a))
                                continue;
                        if (startswith(a, "--exec") || startswith(a, "--sh-exec") ||
                            startswith(a, "--lua-exec") || (a[1] != '-' && strpbrk(a + 1, "ec"))) {
                                sh_emit_call(c, R_REVSHELL, "%s runs a program for the connection",
                                             n);
                                return;
                        }
                }
        }
        sh_emit_call(c, R_NETTOOL, "%s opens raw network connections", n);
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
                        const char *a = sh_arg(c, i), *eq = a ? strchr(a, '=') : NULL;
                        char head[64];

                        if (eq && (size_t)(eq - a) < sizeof(head)) {
                                memcpy(head, a, (size_t)(eq - a));
                                head[eq - a] = '\0';
                                a = head; /* --vacuum-time=1s */
                        }
                        hit = in_list(simple_rules[k].args, a);
                }
                if (hit)
                        sh_emit_call(c, simple_rules[k].rule, "%s %s", c->name,
                                     simple_rules[k].why);
        }
}

static void rule_misc(const Call *c)
{
        const char *n = c->name;

        if (streq(n, "mount") && c->argc > 1 &&
            !(c->argc == 2 && in_list("|-l|-h|--help|-V|--version|", sh_arg(c, 1))))
                sh_emit_call(c, R_MOUNT, "%s attaches a file system", n);
        if (streq(n, "crontab")) {
                for (size_t i = 1; i < c->argc; i++) {
                        const char *a = c->argv[i].s;

                        if (streq(a, "-u")) {
                                i++;
                                continue;
                        }
                        if (streq(a, "-e") || streq(a, "-r") || streq(a, "-") || !is_opt(a)) {
                                sh_emit_call(c, R_CRON, "crontab %s installs or edits jobs", a);
                                break;
                        }
                }
        }
        if (streq(n, "history") && sh_has_opt(c, 'c', NULL))
                sh_emit_call(c, R_HISTORY, "%s -c clears the history", n);
        if (streq(n, "set") && sh_has_arg(c, "+o") && sh_has_arg(c, "history"))
                sh_emit_call(c, R_HISTORY, "%s +o history stops recording", n);
        if (in_list("|kill|killall5|", n))
                rule_kill(c);
        if (in_list("|chmod|chown|chgrp|", n))
                sh_rule_chmod(c);
        if (streq(n, "rm") || streq(n, "unlink"))
                sh_rule_rm(c);
        if (streq(n, "find"))
                sh_rule_find(c);
        if (sh_is_nettool(n))
                rule_nettool(c);
        if (in_list("|eval|", n) && c->argc > 1) {
                Word joined = {.tok = c->argv[1].tok,
                               .last_tok = c->argv[c->argc - 1].tok,
                               .flags = W_LITERAL};
                Buf b = {};

                for (size_t i = 1; i < c->argc; i++) {
                        sh_buf_add(&b, c->argv[i].s, strlen(c->argv[i].s));
                        sh_buf_add(&b, " ", 1);
                        joined.flags = (joined.flags & (c->argv[i].flags | ~W_LITERAL)) |
                                       (c->argv[i].flags & (W_FETCH | W_DECODE));
                }
                joined.s = b.p;
                if (joined.s)
                        sh_check_code(c, &joined, n);
                free(b.p);
        }
        if (streq(n, "trap") && c->argc > 2 && !is_opt(sh_arg(c, 1)))
                sh_check_code(c, &c->argv[1], n); /* the handler is code run later */
        if ((streq(n, "source") || streq(n, ".")) && c->argc > 1)
                sh_check_script_word(c, &c->argv[1], n);
        if (streq(n, "su") || streq(n, "runuser"))
                for (size_t i = 1; i + 1 < c->argc; i++)
                        if (in_list("|-c|--command|", sh_arg(c, i)))
                                sh_check_code(c, &c->argv[i + 1], n);
}

/* HISTFILE=/dev/null, HISTSIZE=0, in a prefix, alone, or given to export/declare/... */
static void check_assignment(const Call *c, const Word *w)
{
        if (!(w->flags & W_ASSIGN))
                return;
        if ((startswith(w->s, "HISTFILE=") && (streq(w->s + 9, "/dev/null") || w->s[9] == '\0')) ||
            streq(w->s, "HISTSIZE=0") || streq(w->s, "HISTFILESIZE=0"))
                sh_emit_call(c, R_HISTORY, "%s: history is not saved", w->s);
}

/* The command name itself: spelled to dodge a match, or computed at run time. */
static void rule_name(const Call *c)
{
        const Word *w = &c->argv[0];
        const char *n = c->name;

        if (w->flags & W_DECODE)
                sh_emit_call(c, R_DECODE, "runs the output of a decoder as a command");
        else if (w->flags & W_FETCH)
                sh_emit_call(c, R_REMOTE, "runs downloaded text as a command");
        else if (!(w->flags & W_LITERAL))
                sh_emit_call(c, R_DYNEXEC, "command name %s is computed at run time", w->s);
        else if ((w->flags & W_QUOTED) && n && *n &&
                 !(c->wk->sp->ts.tokens[w->tok].flags & SH_WORD_EXPANDS) &&
                 strspn(w->s, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == strlen(w->s))
                sh_emit_call(c, R_OBFUSC, "command name %s written with quotes or escapes", n);
        else if (sh_was_fetched(c->wk->sp->sc, w->s))
                sh_emit_call(c, R_REMOTE, "runs the downloaded file %s", w->s);
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

void sh_rules_for(const Call *c, Interp *in)
{
        const char *n = c->name;

        for (size_t i = 0; i < c->cmd->n_assign; i++)
                check_assignment(c, &c->cmd->w[i]);
        sh_rule_redirections(c);
        if (c->argc == 0)
                return;
        rule_name(c);
        if (in_list("|export|declare|typeset|local|readonly|", n))
                for (size_t i = 1; i < c->argc; i++) {
                        check_assignment(c, &c->argv[i]);
                        if (c->argv[i].flags & W_ASSIGN)
                                sh_var_assign(c->wk->sp->sc, &c->argv[i]);
                }
        if (streq(n, "unset"))
                for (size_t i = 1; i < c->argc; i++)
                        sh_var_unset(c->wk->sp->sc, c->argv[i].s);
        if (sh_is_interpreter(n)) {
                *in = sh_interp_of(c);
                sh_rule_interpreter(c);
        }
        sh_frame_track(c, in);
        if (!n)
                return;
        rule_credentials(c);
        if (!in_list(rule_names, n) && !startswith(n, "mkfs."))
                return;
        rule_misc(c);
        rule_simple(c);
        sh_rule_writers(c);
        rule_metadata(c);
}
