/* The canaries of the credential rules (audit-canary.c): which files the sandbox gets, in which
 * order, and when --audit alerts must watch every open instead. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "audit/audit-rules.h"

static AuditRuleSet *builtin(void)
{
        AuditRuleSet *set;

        cr_assert_eq(audit_rules_new(true, &set), 0);
        return set;
}

Test(audit_canary, the_builtin_rules_need_no_open_watched)
{
        AuditRuleSet *set = builtin();
        AuditRuleSet *file = NULL;
        AirlockError err = {0};
        const char *text = "include default\nrule mine high kill open /work/secret*\n";

        cr_assert_not(audit_rules_need_opens(set));
        cr_assert_eq(audit_rules_parse("r", text, strlen(text), &file, &err), 0, "%s", err.message);
        cr_assert(audit_rules_need_opens(file), "a rules file's path rule has no canaries");
        audit_rules_free(file);
        audit_rules_free(set);
}

Test(audit_canary, builtin_canaries_are_where_their_rule_matches)
{
        AuditRuleSet *set = builtin();
        AuditCanary *c;
        size_t n, late = 0;

        cr_assert_eq(audit_canaries_collect(set, "/tmp/home", &c, &n), 0);
        cr_assert_eq(n, 24);
        for (size_t i = 0; i < n; i++) {
                const AuditRule *by_pattern = audit_rules_match(set, AUDIT_MATCH_OPEN, c[i].path);

                cr_assert_eq(c[i].path[0], '/', "%s", c[i].path);
                /* full (patterns) and alerts (canaries) give the same verdict */
                cr_assert_eq(by_pattern, c[i].rule, "%s", c[i].path);
                cr_assert(audit_rules_expected(set, c[i].path), "%s", c[i].path);
                cr_assert_not(audit_rules_writable(set, c[i].path) && !c[i].late, "%s", c[i].path);
                cr_assert_eq(c[i].late, strncmp(c[i].path, "/tmp/", 5) == 0, "%s", c[i].path);
                /* the root's own come first: their watches are numbered before /tmp exists */
                if (c[i].late)
                        late++;
                else
                        cr_assert_eq(late, 0, "%s after a late one", c[i].path);
        }
        cr_assert_eq(late, 3, "HOME has the SSH keys and nothing else");
        audit_canaries_free(c, n);
        audit_rules_free(set);
}

static const char *const bad_relative[] = {"etc/x", NULL};
static const char *const bad_dotdot[] = {"/etc/../x", NULL};
static const char *const bad_proc[] = {"/proc/1/environ", NULL};
static const char *const dup_a[] = {"/etc/x", "/root/y", NULL};
static const char *const dup_b[] = {"/etc/x", NULL};

static int collect_one(const char *const *canaries, AuditAction action, size_t *ret_n,
                       AuditAction *ret_first)
{
        AuditRuleSet *set;
        AuditCanary *c = NULL;
        int r;

        cr_assert_eq(audit_rules_new(false, &set), 0);
        set->rules[set->n_rules++] = (AuditRule){
            .id = "a", .action = AUDIT_ACTION_ALERT, .match = AUDIT_MATCH_OPEN, .canaries = dup_a};
        set->rules[set->n_rules++] = (AuditRule){
            .id = "b", .action = action, .match = AUDIT_MATCH_OPEN, .canaries = canaries};
        r = audit_canaries_collect(set, "/tmp/home", &c, ret_n);
        if (r == 0) {
                *ret_first = c[0].rule->action;
                audit_canaries_free(c, *ret_n);
        }
        audit_rules_free(set);
        return r;
}

Test(audit_canary, bad_paths_are_refused_and_shared_ones_go_to_the_stronger_rule)
{
        size_t n = 0;
        AuditAction first;

        cr_assert_eq(collect_one(bad_relative, AUDIT_ACTION_KILL, &n, &first), -EINVAL);
        cr_assert_eq(collect_one(bad_dotdot, AUDIT_ACTION_KILL, &n, &first), -EINVAL);
        cr_assert_eq(collect_one(bad_proc, AUDIT_ACTION_KILL, &n, &first), -EINVAL);
        cr_assert_eq(collect_one(dup_b, AUDIT_ACTION_KILL, &n, &first), 0);
        cr_assert_eq(n, 2, "/etc/x once");
        cr_assert_eq(first, AUDIT_ACTION_KILL);
        cr_assert_eq(collect_one(dup_b, AUDIT_ACTION_LOG, &n, &first), 0);
        cr_assert_eq(first, AUDIT_ACTION_ALERT);
}
