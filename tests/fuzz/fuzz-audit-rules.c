/* The --rules parser and the path folding the rules match against. Input: a rules file, NUL, a
 * path as a program would pass it to open(2). */
#include "audit/audit-rules.h"
#include "fuzz-util.h"

static void check_folded(const char *p)
{
        char again[AUDIT_PATH_MAX];

        FUZZ_ASSERT(p[0] == '/');
        FUZZ_ASSERT(!strstr(p, "//"));
        FUZZ_ASSERT(!strstr(p, "/./") && !strstr(p, "/../"));
        FUZZ_ASSERT(strcmp(p, "/") == 0 || p[strlen(p) - 1] != '/');
        FUZZ_ASSERT(strncmp(p, "/proc/self/root/", 16) != 0 && strcmp(p, "/proc/self/root") != 0);
        /* folding is idempotent */
        FUZZ_ASSERT(audit_path_resolve(NULL, p, again, sizeof(again)) == 0);
        FUZZ_ASSERT(strcmp(again, p) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *v[2] = {NULL, NULL}, *buf, resolved[AUDIT_PATH_MAX];
        AuditRuleSet *set = NULL;
        AirlockError err = {0};
        const char *path;
        size_t n;
        int r;

        n = fuzz_split(data, size, v, 2, &buf);
        path = n > 1 ? v[1] : "/etc/shadow";
        r = audit_rules_parse("fuzz.rules", v[0], strlen(v[0]), &set, &err);
        if (r < 0) {
                FUZZ_ASSERT(!set);
                FUZZ_ASSERT(err.kind != AIRLOCK_ERR_NONE);
                FUZZ_ASSERT(memchr(err.message, '\0', sizeof(err.message)));
        } else {
                FUZZ_ASSERT(set && set->n_rules <= AUDIT_RULES_MAX);
                for (size_t i = 0; i < set->n_rules; i++)
                        FUZZ_ASSERT(set->rules[i].id && set->rules[i].id[0]);
        }
        if (audit_path_resolve("/work", path, resolved, sizeof(resolved)) == 0) {
                check_folded(resolved);
                if (set) {
                        (void)audit_rules_match(set, AUDIT_MATCH_OPEN, resolved);
                        (void)audit_rules_match_exec(set, resolved, true);
                        (void)audit_rules_match(set, AUDIT_MATCH_SYSCALL, path);
                        (void)audit_rules_expected(set, resolved);
                        (void)audit_rules_writable(set, resolved);
                }
        }
        audit_rules_free(set);
        free(buf);
        return 0;
}
