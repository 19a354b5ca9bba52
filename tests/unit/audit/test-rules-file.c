/* The rules file of --rules: what a good file means, and every error with its line number. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit-rules.h"

static AuditRuleSet *parse_ok(const char *text)
{
        AirlockError err = {0};
        AuditRuleSet *set = NULL;

        cr_assert_eq(audit_rules_parse("r.txt", text, strlen(text), &set, &err), 0, "%s",
                     err.message);
        cr_assert_not_null(set);
        return set;
}

static void parse_fails_n(const char *text, size_t len, const char *message)
{
        AirlockError err = {0};
        AuditRuleSet *set = NULL;

        cr_assert_lt(audit_rules_parse("r.txt", text, len, &set, &err), 0, "%s", message);
        cr_assert_null(set);
        cr_assert_eq(err.kind, AIRLOCK_ERR_USAGE);
        cr_assert_str_eq(err.message, message);
}

static void parse_fails(const char *text, const char *message)
{
        parse_fails_n(text, strlen(text), message);
}

static const AuditRule *find(const AuditRuleSet *set, const char *id)
{
        for (size_t i = 0; i < set->n_rules; i++)
                if (strcmp(set->rules[i].id, id) == 0)
                        return &set->rules[i];
        return NULL;
}

Test(audit_rules_file, rules_of_every_kind)
{
        AuditRuleSet *set =
            parse_ok("# my rules\n"
                     "\n"
                     "rule data-read high kill open /data/* /srv/**  # data\n"
                     "rule no-gcc low alert exec */gcc */cc1\n"
                     "rule offline-git medium log exec-offline */git\n"
                     "rule no-ptrace critical kill syscall ptrace process_vm_readv\n"
                     "rule slow-scan high alert scan 4 1m\n"
                     "expect /data\n"
                     "expect /out rw\n");
        const AuditRule *r;

        cr_assert_eq(set->n_rules, 5, "no include: no built-in rules");
        r = find(set, "data-read");
        cr_assert_eq(r->severity, AUDIT_SEVERITY_HIGH);
        cr_assert_eq(r->action, AUDIT_ACTION_KILL);
        cr_assert_eq(r->match, AUDIT_MATCH_OPEN);
        cr_assert_str_eq(r->reason, "data");
        cr_assert_str_eq(audit_rules_match(set, AUDIT_MATCH_OPEN, "/data/x")->id, "data-read");
        cr_assert_str_eq(audit_rules_match(set, AUDIT_MATCH_OPEN, "/srv/a/b")->id, "data-read");
        cr_assert_str_eq(
            audit_rules_match_exec(set, "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", false)->id,
            "no-gcc");
        cr_assert_null(audit_rules_match_exec(set, "/usr/bin/git", false));
        cr_assert_str_eq(audit_rules_match_exec(set, "/usr/bin/git", true)->id, "offline-git");
        cr_assert_str_eq(audit_rules_match(set, AUDIT_MATCH_SYSCALL, "process_vm_readv")->id,
                         "no-ptrace");
        r = find(set, "slow-scan");
        cr_assert_eq(r->scan_count, 4);
        cr_assert_eq(r->scan_window_ms, 60000);
        cr_assert(audit_rules_expected(set, "/data/x"));
        cr_assert_not(audit_rules_writable(set, "/data/x"));
        cr_assert(audit_rules_writable(set, "/out/x"));
        cr_assert_null(audit_rules_match(set, AUDIT_MATCH_OPEN, "/etc/shadow"));
        audit_rules_free(set);
}

Test(audit_rules_file, include_disable_and_action)
{
        AuditRuleSet *set = parse_ok("include default\n"
                                     "disable net-tool-offline\n"
                                     "action escape-ptrace kill\n"
                                     "action net-scan alert\n"
                                     "rule extra info log open /opt/*\n");

        cr_assert_eq(set->n_rules, audit_n_builtin_rules - 1 + 1);
        cr_assert_null(find(set, "net-tool-offline"));
        cr_assert_eq(find(set, "escape-ptrace")->action, AUDIT_ACTION_KILL);
        cr_assert_eq(find(set, "net-scan")->action, AUDIT_ACTION_ALERT);
        cr_assert_not_null(audit_rules_match(set, AUDIT_MATCH_OPEN, "/etc/shadow"));
        cr_assert_null(audit_rules_match_exec(set, "/usr/bin/curl", true));
        /* the built-in table itself is untouched */
        for (size_t i = 0; i < audit_n_builtin_rules; i++)
                if (strcmp(audit_builtin_rules[i].id, "escape-ptrace") == 0)
                        cr_assert_eq(audit_builtin_rules[i].action, AUDIT_ACTION_ALERT);
        audit_rules_free(set);
}

Test(audit_rules_file, an_empty_file_means_no_rules)
{
        AuditRuleSet *set = parse_ok("");

        cr_assert_eq(set->n_rules, 0);
        cr_assert_gt(set->n_expected, 0, "the layout is the layout, rules or not");
        audit_rules_free(set);
}

Test(audit_rules_file, errors_name_the_line)
{
        parse_fails("rule a high kill open\n", "r.txt:1: expected: rule ID SEVERITY ACTION "
                                               "MATCH ARGS...");
        parse_fails("\n\nbogus x\n", "r.txt:3: unknown directive 'bogus' (include, rule, "
                                     "disable, action or expect)");
        parse_fails("rule Bad high kill open /x\n",
                    "r.txt:1: bad rule id 'Bad' (a-z, 0-9, then also - _ .; at most 48)");
        parse_fails("rule -a high kill open /x\n",
                    "r.txt:1: bad rule id '-a' (a-z, 0-9, then also - _ .; at most 48)");
        parse_fails("rule a severe kill open /x\n", "r.txt:1: unknown severity 'severe' (info, "
                                                    "low, medium, high or critical)");
        parse_fails("rule a high stop open /x\n",
                    "r.txt:1: unknown action 'stop' (log, alert or kill)");
        parse_fails("rule a high kill read /x\n", "r.txt:1: unknown match 'read' (open, exec, "
                                                  "exec-offline, syscall or scan)");
        parse_fails("rule a high kill open etc/shadow\n",
                    "r.txt:1: pattern 'etc/shadow' must start with / or *");
        parse_fails("rule a high kill syscall ptrace frobnicate\n",
                    "r.txt:1: unknown syscall 'frobnicate'");
        parse_fails("rule a high kill scan 1 10s\n", "r.txt:1: scan count '1': expected 2..256");
        parse_fails("rule a high kill scan 5 2h\n",
                    "r.txt:1: scan window '2h': expected a duration up to 1h");
        parse_fails("rule a high kill scan 5\n", "r.txt:1: expected: scan COUNT WINDOW");
        parse_fails("rule a high kill open /x\nrule a low log open /y\n",
                    "r.txt:2: rule 'a' is already defined");
        parse_fails("include default\nrule cred-shadow low log open /y\n",
                    "r.txt:2: rule 'cred-shadow' is already defined");
        parse_fails("rule a high kill open /x\ninclude default\n",
                    "r.txt:2: include must come first, and only once");
        parse_fails("include strict\n", "r.txt:1: expected: include default");
        parse_fails("disable cred-shadow\n", "r.txt:1: no rule 'cred-shadow' to disable");
        parse_fails("include default\naction cred-shadow maybe\n",
                    "r.txt:2: unknown action 'maybe' (log, alert or kill)");
        parse_fails("action nope kill\n", "r.txt:1: no rule 'nope'");
        parse_fails("expect data\n", "r.txt:1: 'data' is not an absolute path");
        parse_fails("expect /data ro\n", "r.txt:1: expected: expect PATH [rw]");
        parse_fails("rule a high kill open /x\r\n", "r.txt:1: carriage return (a DOS line "
                                                    "ending?)");
        parse_fails("# \x01\n", "r.txt:1: control character 0x01");
        parse_fails("# \xff\n", "r.txt:1: not valid UTF-8");
        parse_fails_n("rule a\0 high", 12, "r.txt:1: NUL byte");
}

Test(audit_rules_file, bounds)
{
        char line[AUDIT_RULES_LINE_MAX + 2];
        char *big;
        size_t len = 0;

        memset(line, '#', sizeof(line) - 1);
        line[sizeof(line) - 1] = '\0';
        parse_fails(line, "r.txt:1: line longer than 1024 bytes");

        /* one rule too many */
        big = malloc(AUDIT_RULES_FILE_MAX);
        cr_assert_not_null(big);
        for (int i = 0; i <= AUDIT_RULES_MAX; i++)
                len += (size_t)sprintf(big + len, "rule r%d low log open /x\n", i);
        parse_fails_n(big, len, "r.txt:257: more than 256 rules");
        free(big);

        /* 33 patterns */
        len = (size_t)sprintf(line, "rule a low log open");
        for (int i = 0; i <= AUDIT_RULE_PATTERNS_MAX; i++)
                len += (size_t)sprintf(line + len, " /p%d", i);
        parse_fails(line, "r.txt:1: more than 32 patterns");
}

Test(audit_rules_file, load_refuses_what_is_no_regular_file)
{
        AirlockError err = {0};
        AuditRuleSet *set = NULL;
        char path[] = "/tmp/airlock-rules-XXXXXX";
        int fd = mkstemp(path);

        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, "include default\n", 16), 16);
        close(fd);
        cr_assert_eq(audit_rules_load_file(path, &set, &err), 0, "%s", err.message);
        cr_assert_eq(set->n_rules, audit_n_builtin_rules);
        audit_rules_free(set);
        unlink(path);

        cr_assert_lt(audit_rules_load_file("/nonexistent/rules", &set, &err), 0);
        cr_assert_eq(err.kind, AIRLOCK_ERR_USAGE);
        err = (AirlockError){0};
        cr_assert_lt(audit_rules_load_file("/tmp", &set, &err), 0);
        cr_assert_str_eq(err.message, "/tmp: not a regular file");
}
