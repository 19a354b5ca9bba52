/* The canary files of a run's open rules (audit-rules.h), as the sandbox places them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit-rules.h"

bool audit_rules_need_opens(const AuditRuleSet *set)
{
        for (size_t i = 0; set && i < set->n_rules; i++) {
                const AuditRule *r = &set->rules[i];

                if (r->match == AUDIT_MATCH_OPEN && r->watch_opens)
                        return true;
        }
        return false;
}

/* /tmp (HOME lives there) is mounted after the root's tmpfs is made read-only. A canary in
 * /proc cannot be made at all. */
static bool placed_late(const char *path)
{
        return audit_path_under(path, "/tmp");
}

static int expand(const char *canary, const char *home, char **ret)
{
        int n = strncmp(canary, "~/", 2) == 0 ? asprintf(ret, "%s/%s", home, canary + 2)
                                              : asprintf(ret, "%s", canary);

        if (n < 0)
                return -ENOMEM;
        /* exact, normalised and absolute: the sandbox creates what it says, nothing more */
        if ((*ret)[0] != '/' || strstr(*ret, "/../") || strstr(*ret, "/./") || strstr(*ret, "//") ||
            audit_path_under(*ret, "/proc")) {
                free(*ret);
                *ret = NULL;
                return -EINVAL;
        }
        return 0;
}

static AuditCanary *find(AuditCanary *list, size_t n, const char *path)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(list[i].path, path) == 0)
                        return &list[i];
        return NULL;
}

static int add_rule(const AuditRule *rule, const char *home, AuditCanary *list, size_t *n)
{
        for (const char *const *c = rule->canaries; c && *c; c++) {
                AuditCanary *seen;
                char *path;
                int r = expand(*c, home, &path);

                if (r < 0)
                        return r;
                seen = find(list, *n, path);
                if (seen) {
                        if (rule->action > seen->rule->action)
                                seen->rule = rule;
                        free(path);
                        continue;
                }
                if (*n >= AUDIT_CANARIES_MAX) {
                        free(path);
                        return -E2BIG;
                }
                list[(*n)++] = (AuditCanary){.path = path, .rule = rule, .late = placed_late(path)};
        }
        return 0;
}

static int by_phase(const void *a, const void *b)
{
        const AuditCanary *x = a, *y = b;

        return (int)x->late - (int)y->late;
}

int audit_canaries_collect(const AuditRuleSet *set, const char *home, AuditCanary **ret,
                           size_t *ret_n)
{
        AuditCanary *list = calloc(AUDIT_CANARIES_MAX, sizeof(*list));
        size_t n = 0;

        if (!list)
                return -ENOMEM;
        for (size_t i = 0; set && i < set->n_rules; i++) {
                int r;

                if (set->rules[i].match != AUDIT_MATCH_OPEN)
                        continue;
                r = add_rule(&set->rules[i], home, list, &n);
                if (r < 0) {
                        audit_canaries_free(list, n);
                        return r;
                }
        }
        /* qsort is not stable, but the order within a phase only has to be the same for the
         * parent and the child, and both read this one list */
        qsort(list, n, sizeof(*list), by_phase);
        *ret = list;
        *ret_n = n;
        return 0;
}

void audit_canaries_free(AuditCanary *c, size_t n)
{
        for (size_t i = 0; c && i < n; i++)
                free(c[i].path);
        free(c);
}
