/* A rule set: the rules in force and the expected tree, and the matchers over them. */
#include "audit-rules.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"

int audit_rules_new(bool include_builtin, AuditRuleSet **ret)
{
        AuditRuleSet *set = calloc(1, sizeof(*set));

        if (!set)
                return -ENOMEM;
        if (include_builtin) {
                memcpy(set->rules, audit_builtin_rules,
                       audit_n_builtin_rules * sizeof(audit_builtin_rules[0]));
                set->n_rules = audit_n_builtin_rules;
        }
        memcpy(set->expected, audit_default_expected,
               audit_n_default_expected * sizeof(audit_default_expected[0]));
        set->n_expected = audit_n_default_expected;
        *ret = set;
        return 0;
}

AuditRuleSet *audit_rules_free(AuditRuleSet *set)
{
        if (!set)
                return NULL;
        for (size_t i = 0; i < set->n_owned; i++)
                free(set->owned[i]);
        free(set->owned);
        free(set);
        return NULL;
}

int audit_rules_expect(AuditRuleSet *set, const char *path, bool writable)
{
        char buf[AUDIT_PATH_MAX];
        void **owned;
        char *copy;
        int r;

        if (!path || path[0] != '/')
                return -EINVAL;
        if (set->n_expected >= AUDIT_EXPECTED_MAX)
                return -E2BIG;
        r = audit_path_resolve(NULL, path, buf, sizeof(buf));
        if (r < 0)
                return r;
        owned = realloc(set->owned, (set->n_owned + 1) * sizeof(*owned));
        if (!owned)
                return -ENOMEM;
        set->owned = owned;
        copy = strdup(buf);
        if (!copy)
                return -ENOMEM;
        set->owned[set->n_owned++] = copy;
        set->expected[set->n_expected++] = (AuditPrefix){.path = copy, .writable = writable};
        return 0;
}

/* Cheap checks before fnmatch, which is slow and runs on every open: the pattern's literal
 * start must begin s, and its first literal run after a '*' must occur in s. */
static bool surely_no_match(const char *pattern, const char *s)
{
        size_t lit, n;
        const char *run;

        /* most patterns start "/x" with a literal x, and most paths differ there */
        if (pattern[0] == '/' && pattern[1] && !strchr("*?[\\", pattern[1]) &&
            (s[0] != '/' || s[1] != pattern[1]))
                return true;
        lit = strcspn(pattern, "*?[\\");
        if (strncmp(pattern, s, lit) != 0)
                return true;
        if (pattern[lit] != '*')
                return false;
        run = pattern + lit + 1;
        n = strcspn(run, "*?[\\");
        return n > 0 && !memmem(s + lit, strlen(s + lit), run, n);
}

static bool rule_matches(const AuditRule *rule, const char *s)
{
        for (const char *const *p = rule->patterns; p && *p; p++) {
                if (rule->match == AUDIT_MATCH_SYSCALL) {
                        if (strcmp(*p, s) == 0)
                                return true;
                } else if (!surely_no_match(*p, s) && fnmatch(*p, s, 0) == 0)
                        return true;
        }
        return false;
}

static const AuditRule *stronger(const AuditRule *a, const AuditRule *b)
{
        if (!a)
                return b;
        return b->action > a->action ? b : a;
}

const AuditRule *audit_rules_match(const AuditRuleSet *set, AuditMatch match, const char *s)
{
        const AuditRule *best = NULL;

        if (!set || !s)
                return NULL;
        for (size_t i = 0; i < set->n_rules; i++)
                if (set->rules[i].match == match && rule_matches(&set->rules[i], s))
                        best = stronger(best, &set->rules[i]);
        return best;
}

const AuditRule *audit_rules_match_exec(const AuditRuleSet *set, const char *path, bool offline)
{
        const AuditRule *a = audit_rules_match(set, AUDIT_MATCH_EXEC, path);
        const AuditRule *b =
            offline ? audit_rules_match(set, AUDIT_MATCH_EXEC_OFFLINE, path) : NULL;

        return b ? stronger(a, b) : a;
}

static const AuditPrefix *find_prefix(const AuditRuleSet *set, const char *path)
{
        const AuditPrefix *best = NULL;

        /* The longest prefix decides: a read-only bind under /tmp is read-only. */
        for (size_t i = 0; i < set->n_expected; i++) {
                const AuditPrefix *p = &set->expected[i];

                if (p->exact ? strcmp(path, p->path) != 0 : !audit_path_under(path, p->path))
                        continue;
                if (!best || strlen(p->path) > strlen(best->path))
                        best = p;
        }
        return best;
}

bool audit_rules_expected(const AuditRuleSet *set, const char *path)
{
        return find_prefix(set, path) != NULL;
}

bool audit_rules_writable(const AuditRuleSet *set, const char *path)
{
        const AuditPrefix *p = find_prefix(set, path);

        return p && p->writable;
}
