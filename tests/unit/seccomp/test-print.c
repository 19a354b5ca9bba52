/* `airlock policy show`: every syscall on a line of its own, with action and reason. */
#include <criterion/criterion.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp/seccomp-internal.h"

static char *show(SeccompPolicy *p)
{
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        cr_assert_not_null(f);
        cr_assert_eq(seccomp_policy_print(p, f), 0);
        cr_assert_eq(fclose(f), 0);
        return text;
}

static SeccompPolicy *load(const char *name)
{
        AirlockError err = {};
        SeccompPolicy *p = NULL;

        cr_assert_eq(seccomp_policy_load_profile(name, &p, &err), 0, "%s", err.message);
        return p;
}

static const char *line_of(const char *text, const char *name)
{
        char needle[64];
        const char *at;

        snprintf(needle, sizeof(needle), " %s ", name);
        at = strstr(text, needle);
        cr_assert_not_null(at, "no line for %s", name);
        return at;
}

static bool line_has(const char *at, const char *what)
{
        const char *eol = strchr(at, '\n');
        const char *hit = strstr(at, what);

        return hit && (!eol || hit < eol);
}

Test(print, default_lists_every_syscall)
{
        SeccompPolicy *p = load("default");
        char *text = show(p);
        unsigned lines = 0, known = 0;

        for (const char *s = text; (s = strchr(s, '\n')); s++)
                if (s[1] == ' ' && s[2] == ' ' && (s[5] >= '0' && s[5] <= '9'))
                        lines++;
        for (int nr = 0; nr < SECCOMP_POLICY_NR_MAX; nr++) {
                char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
                if (name) {
                        known++;
                        line_of(text, name);
                        free(name);
                }
        }
        cr_assert_eq(lines, known, "%u lines for %u syscalls", lines, known);

        cr_assert(line_has(line_of(text, "ptrace"), "EPERM"));
        cr_assert(line_has(line_of(text, "ptrace"), "other processes"));
        cr_assert(line_has(line_of(text, "clone3"), "ENOSYS"));
        cr_assert(line_has(line_of(text, "read"), "allow"));
        cr_assert(line_has(line_of(text, "socket"), "by argument"));
        cr_assert(strstr(text, "domain=AF_INET type=SOCK_STREAM protocol=IPPROTO_TCP"));
        cr_assert(strstr(text, "EAFNOSUPPORT    any other domain"));
        cr_assert(strstr(text, "request=TIOCSTI"));
        cr_assert(strstr(text, "allow           any other request"));
        cr_assert(strstr(text, "flags=no CLONE_NEW* flag"));
        free(text);
        seccomp_policy_free(p);
}

Test(print, file_rules_show_their_line)
{
        AirlockError err = {};
        SeccompPolicy *p = NULL;
        const char *src = "include strict\ndeny getcwd   # nobody needs to know\ndeny uname\n";
        char *text;

        cr_assert_eq(seccomp_policy_parse("x.policy", src, strlen(src), &p, &err), 0);
        text = show(p);
        cr_assert(line_has(line_of(text, "getcwd"), "nobody needs to know (x.policy:2)"));
        cr_assert(line_has(line_of(text, "uname"), "EPERM"));
        cr_assert(line_has(line_of(text, "uname"), "x.policy:3"));
        cr_assert(line_has(line_of(text, "fork"), "strict"));
        free(text);
        seccomp_policy_free(p);
}

Test(print, unlisted_syscalls_say_so)
{
        AirlockError err = {};
        SeccompPolicy *p = NULL;
        const char *src = "allow read\n";
        char *text;

        cr_assert_eq(seccomp_policy_parse("y.policy", src, strlen(src), &p, &err), 0);
        text = show(p);
        cr_assert(line_has(line_of(text, "write"), "in no table"));
        free(text);
        seccomp_policy_free(p);
}
