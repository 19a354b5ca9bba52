/* The policy file: what a good file means, and every error with its line number. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seccomp/seccomp-internal.h"
#include "seccomp/seccomp-tables.h"

static SeccompPolicy *parse_ok(const char *text)
{
        AirlockError err = {};
        SeccompPolicy *p = NULL;

        cr_assert_eq(seccomp_policy_parse("p.txt", text, strlen(text), &p, &err), 0, "%s",
                     err.message);
        cr_assert_not_null(p);
        return p;
}

static void parse_fails_n(const char *text, size_t len, const char *message)
{
        AirlockError err = {};
        SeccompPolicy *p = NULL;

        cr_assert_eq(seccomp_policy_parse("p.txt", text, len, &p, &err), -EINVAL, "%s", message);
        cr_assert_null(p);
        cr_assert_eq(err.kind, AIRLOCK_ERR_USAGE);
        cr_assert_str_eq(err.message, message);
}

static void parse_fails(const char *text, const char *message)
{
        parse_fails_n(text, strlen(text), message);
}

static const SeccompRule *rule(const SeccompPolicy *p, const char *name)
{
        int nr = seccomp_syscall_nr(name);

        cr_assert_geq(nr, 0, "%s", name);
        return &p->rules[nr];
}

Test(policy_file, include_then_override)
{
        SeccompPolicy *p = parse_ok("# a policy for a build farm\n"
                                    "\n"
                                    "include default\n"
                                    "deny socket EAFNOSUPPORT   # no network, not even loopback\n"
                                    "deny ioctl\n"
                                    "\tallow   ptrace\t# gdb in the sandbox\n"
                                    "deny execveat 13\n"
                                    "allow clone\n"
                                    "allow clone   # the same rule twice is harmless\n"
                                    "deny read EPERM\n"
                                    "deny read 1\n");

        cr_assert_str_eq(seccomp_policy_name(p), "p.txt");
        cr_assert_eq(rule(p, "socket")->kind, SECCOMP_RULE_DENY);
        cr_assert_eq(rule(p, "socket")->errnum, EAFNOSUPPORT);
        cr_assert_str_eq(rule(p, "socket")->reason, "no network, not even loopback");
        cr_assert_eq(rule(p, "socket")->line, 4);
        cr_assert_eq(rule(p, "ioctl")->kind, SECCOMP_RULE_DENY);
        cr_assert_eq(rule(p, "ioctl")->errnum, EPERM);
        cr_assert_null(rule(p, "ioctl")->reason);
        cr_assert_eq(rule(p, "ptrace")->kind, SECCOMP_RULE_ALLOW);
        cr_assert_str_eq(rule(p, "ptrace")->reason, "gdb in the sandbox");
        cr_assert_eq(rule(p, "execveat")->errnum, EACCES);
        /* allow keeps the argument filter: no namespaces even when a file allows clone */
        cr_assert_eq(rule(p, "clone")->kind, SECCOMP_RULE_FILTER);
        cr_assert_eq(rule(p, "clone")->filter, &seccomp_filter_clone);
        cr_assert_eq(rule(p, "read")->kind, SECCOMP_RULE_DENY);
        /* untouched rules come from the included profile */
        cr_assert_eq(rule(p, "write")->kind, SECCOMP_RULE_ALLOW);
        cr_assert_eq(rule(p, "write")->line, 0);
        cr_assert_eq(rule(p, "bpf")->kind, SECCOMP_RULE_DENY);
        seccomp_policy_free(p);
}

Test(policy_file, without_include_everything_else_is_denied)
{
        SeccompPolicy *p = parse_ok("allow read\nallow execve\nallow exit_group\nallow socket");

        cr_assert_eq(rule(p, "read")->kind, SECCOMP_RULE_ALLOW);
        cr_assert_eq(rule(p, "write")->kind, SECCOMP_RULE_UNSET);
        cr_assert_eq(rule(p, "bpf")->kind, SECCOMP_RULE_UNSET);
        cr_assert_eq(rule(p, "socket")->filter, &seccomp_filter_socket);
        seccomp_policy_free(p);
}

Test(policy_file, include_strict_keeps_its_filters)
{
        SeccompPolicy *p = parse_ok("include strict\nallow socket\nallow clone\n");

        cr_assert_eq(rule(p, "socket")->filter, &seccomp_filter_strict_socket);
        cr_assert_eq(rule(p, "clone")->filter, &seccomp_filter_strict_clone);
        cr_assert_eq(rule(p, "fork")->kind, SECCOMP_RULE_DENY);
        seccomp_policy_free(p);
}

Test(policy_file, a_file_policy_compiles)
{
        AirlockError err = {};
        SeccompPolicy *p = parse_ok("include default\ndeny socket\ndeny clone3 ENOSYS\n");
        SeccompProgram prog = {};

        cr_assert_eq(seccomp_policy_compile(p, false, &prog, &err), 0, "%s", err.message);
        cr_assert_gt(prog.len, 0);
        seccomp_program_done(&prog);
        seccomp_policy_free(p);
}

Test(policy_file, errors_name_the_line)
{
        parse_fails("allow read\n\n# x\nallow foo\n", "p.txt:4: unknown syscall 'foo'");
        parse_fails("allow socketcall\n", "p.txt:1: unknown syscall 'socketcall'"); /* i386 */
        parse_fails("allow vm86\n", "p.txt:1: unknown syscall 'vm86'");
        parse_fails("allow READ\n", "p.txt:1: unknown syscall 'READ'");
        parse_fails("allow read\ndeny read\n",
                    "p.txt:2: rule for 'read' conflicts with line 1 (allow)");
        parse_fails("deny read EPERM\nallow write\ndeny read EACCES\n",
                    "p.txt:3: rule for 'read' conflicts with line 1 (deny EPERM)");
        parse_fails("allow read\ninclude default\n",
                    "p.txt:2: include must come first, and only once");
        parse_fails("include default\ninclude strict\n",
                    "p.txt:2: include must come first, and only once");
        parse_fails("include nope\n",
                    "p.txt:1: unknown profile 'nope' (built in: default, strict)");
        parse_fails("include\n", "p.txt:1: expected: include PROFILE");
        parse_fails("permit read\n",
                    "p.txt:1: unknown keyword 'permit' (expected allow, deny or include)");
        parse_fails("allow\n", "p.txt:1: expected: allow NAME");
        parse_fails("allow read write\n", "p.txt:1: expected: allow NAME");
        parse_fails("deny\n", "p.txt:1: expected: deny NAME [ERRNO]");
        parse_fails("deny read EPERM extra\n",
                    "p.txt:1: too many words (expected: allow NAME, deny NAME [ERRNO] or include "
                    "PROFILE)");
        parse_fails("deny read EWHAT\n",
                    "p.txt:1: bad errno 'EWHAT' (a name like EPERM, or 1..4095)");
        parse_fails("deny read 0\n", "p.txt:1: bad errno '0' (a name like EPERM, or 1..4095)");
        parse_fails("deny read 4096\n",
                    "p.txt:1: bad errno '4096' (a name like EPERM, or 1..4095)");
        parse_fails("deny read 1x\n", "p.txt:1: bad errno '1x' (a name like EPERM, or 1..4095)");
        parse_fails("deny read eperm\n",
                    "p.txt:1: bad errno 'eperm' (a name like EPERM, or 1..4095)");
        parse_fails("allow read\r\n", "p.txt:1: carriage return (a DOS line ending?)");
        parse_fails("allow\x01read\n", "p.txt:1: control character 0x01");
        parse_fails("allow read\n# caf\xc3\n", "p.txt:2: not valid UTF-8");
        parse_fails("allow read\nallow \xed\xa0\x80\n", "p.txt:2: not valid UTF-8");
        parse_fails_n("allow read\nallow wr\0ite\n", 23, "p.txt:2: NUL byte");
        parse_fails("", "p.txt: no rules (not even execve could run)");
        parse_fails("# only comments\n\n", "p.txt: no rules (not even execve could run)");
}

Test(policy_file, comments_and_utf8_are_fine)
{
        SeccompPolicy *p = parse_ok("# Richtlinie für den Build — ünïcödé\n"
                                    "allow read # lesen ✓ \t \n"
                                    "allow write#no space needed\n");

        cr_assert_str_eq(rule(p, "read")->reason, "lesen ✓");
        cr_assert_str_eq(rule(p, "write")->reason, "no space needed");
        seccomp_policy_free(p);
}

Test(policy_file, line_length_bound)
{
        char *text = malloc(4 * SECCOMP_POLICY_LINE_MAX);
        size_t len;

        cr_assert_not_null(text);

        /* a comment line of exactly the maximum is fine */
        strcpy(text, "allow read\n#");
        len = strlen(text);
        memset(text + len, 'x', SECCOMP_POLICY_LINE_MAX - 1);
        len += SECCOMP_POLICY_LINE_MAX - 1;
        strcpy(text + len, "\nallow write\n");
        seccomp_policy_free(parse_ok(text));

        /* one byte more is not */
        strcpy(text, "allow read\nallow write\n#");
        len = strlen(text);
        memset(text + len, 'x', SECCOMP_POLICY_LINE_MAX);
        text[len + SECCOMP_POLICY_LINE_MAX] = '\0';
        parse_fails(text, "p.txt:3: line longer than 1024 bytes");
        free(text);
}

Test(policy_file, rule_count_bound)
{
        size_t n = SECCOMP_POLICY_RULES_MAX + 1, len = 0;
        char *text = malloc(n * 12 + 1);
        char message[64];

        cr_assert_not_null(text);
        for (size_t i = 0; i < n; i++)
                len += (size_t)sprintf(text + len, "allow read\n");
        snprintf(message, sizeof(message), "p.txt:%zu: more than %d rules", n,
                 SECCOMP_POLICY_RULES_MAX);
        parse_fails(text, message);
        text[len - 11] = '\0'; /* exactly the maximum */
        seccomp_policy_free(parse_ok(text));
        free(text);
}

Test(policy_file, size_bound)
{
        size_t len = SECCOMP_POLICY_FILE_MAX + 1;
        char *text = malloc(len);

        cr_assert_not_null(text);
        memset(text, '\n', len);
        parse_fails_n(text, len, "p.txt: larger than 262144 bytes");
        free(text);
}

static char dir[] = "/tmp/airlock-test-seccomp-XXXXXX";

static void make_dir(void)
{
        cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        cr_assert_eq(system(cmd), 0);
}

static char *write_file(const char *name, const char *data, size_t len)
{
        static char path[256];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "w");
        cr_assert_not_null(f);
        cr_assert_eq(fwrite(data, 1, len, f), len);
        cr_assert_eq(fclose(f), 0);
        return path;
}

static void load_fails(const char *path, int errnum, const char *message)
{
        AirlockError err = {};
        SeccompPolicy *p = NULL;

        cr_assert_lt(seccomp_policy_load_profile(path, &p, &err), 0);
        cr_assert_null(p);
        cr_assert_eq(err.kind, AIRLOCK_ERR_USAGE);
        cr_assert_eq(err.errnum, errnum, "%d", err.errnum);
        cr_assert_str_eq(err.message, message);
}

TestSuite(policy_load, .init = make_dir, .fini = remove_dir);

Test(policy_load, reads_a_file)
{
        const char *text = "include default\ndeny socket\n";
        AirlockError err = {};
        SeccompPolicy *p = NULL;
        char *path = write_file("good.policy", text, strlen(text));

        cr_assert_eq(seccomp_policy_load_profile(path, &p, &err), 0, "%s", err.message);
        cr_assert_str_eq(seccomp_policy_name(p), path);
        cr_assert_eq(rule(p, "socket")->kind, SECCOMP_RULE_DENY);
        seccomp_policy_free(p);
}

Test(policy_load, errors_carry_the_path)
{
        const char *text = "allow read\nallow nosuchcall\n";
        char *path = write_file("bad.policy", text, strlen(text));
        char message[320];

        snprintf(message, sizeof(message), "%s:2: unknown syscall 'nosuchcall'", path);
        load_fails(path, 0, message);
}

Test(policy_load, refuses_what_is_not_a_small_regular_file)
{
        char path[256], message[320];
        char *big = malloc(SECCOMP_POLICY_FILE_MAX + 10);

        cr_assert_not_null(big);

        load_fails("defualt", ENOENT,
                   "'defualt' is neither a built-in profile (default, strict) nor a file");
        load_fails("/nonexistent/policy", ENOENT, "/nonexistent/policy");
        load_fails("", 0, "empty profile name");

        snprintf(message, sizeof(message), "%s: not a regular file", dir);
        load_fails(dir, 0, message);

        snprintf(path, sizeof(path), "%s/fifo", dir);
        cr_assert_eq(mkfifo(path, 0600), 0);
        snprintf(message, sizeof(message), "%s: not a regular file", path);
        load_fails(path, 0, message); /* and does not hang */

        memset(big, '#', SECCOMP_POLICY_FILE_MAX + 10);
        snprintf(path, sizeof(path), "%s", write_file("big", big, SECCOMP_POLICY_FILE_MAX + 10));
        snprintf(message, sizeof(message), "%s: larger than 262144 bytes", path);
        load_fails(path, 0, message);
        free(big);
}
