/* Paths: what a word names on the host, as P_* flags (the root, a home directory, a system
 * directory, /etc, logs, history, devices, startup files, cron, units, /dev/tcp), and what
 * writing there means. */
#include <stdio.h>
#include <string.h>

#include "basic/macros.h"
#include "scan-shell-internal.h"

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

unsigned sh_classify_word(const Word *w)
{
        return w ? classify(w->s, w->flags) : 0;
}

/* A file write: what it means depends on where. */
void sh_check_write(const Call *c, const char *path, unsigned wflags, bool truncates,
                    const char *how)
{
        unsigned f = classify(path, wflags);

        if (f & P_DEVICE)
                sh_emit_call(c, R_DEVWRITE, "writes to the device %s", path);
        if (f & P_CRON)
                sh_emit_call(c, R_CRON, "writes the cron file %s", path);
        else if (f & P_ETC)
                sh_emit_call(c, R_ETCWRITE, "%s %s", how, path);
        if (f & P_RCFILE)
                sh_emit_call(c, R_RCFILE, "writes the startup file %s", path);
        if (f & P_SSHKEY)
                sh_emit_call(c, R_SSHKEY, "writes %s", path);
        if ((f & P_UNIT) && !(f & P_ETC))
                sh_emit_call(c, R_SERVICE, "writes the unit file %s", path);
        if ((f & P_LOG) && truncates)
                sh_emit_call(c, R_LOGWIPE, "overwrites the log %s", path);
        if ((f & P_HISTORY) && truncates)
                sh_emit_call(c, R_HISTORY, "overwrites the history file %s", path);
}
