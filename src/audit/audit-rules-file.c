/* The rules file of --rules: one directive per line (docs/EVENTS.md).
 *
 *     # comment
 *     include default                        (optional, first: start from the built-in rules)
 *     rule ID SEVERITY ACTION open PATTERN...
 *     rule ID SEVERITY ACTION exec PATTERN...
 *     rule ID SEVERITY ACTION exec-offline PATTERN...
 *     rule ID SEVERITY ACTION syscall NAME...
 *     rule ID SEVERITY ACTION scan COUNT WINDOW
 *     disable ID                             (a rule defined before, built-in ones included)
 *     action ID log|alert|kill               (change the action of a rule defined before)
 *     expect PATH [rw]                       (add to the expected tree)
 *
 * Parsed strictly: every error names the file and the line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "audit-rules.h"
#include "basic/parse.h"
#include "basic/textfile.h"
#include "seccomp/seccomp-policy.h"

#define STEP      "audit-rules"
#define MAX_WORDS (5 + AUDIT_RULE_PATTERNS_MAX + 1) /* one more, to say "more than N patterns" */

typedef struct Parser {
        const char *path;
        unsigned line;
        bool seen_directive;
        AuditRuleSet *set;
        AirlockError *err;
} Parser;

static const char *const match_names[_AUDIT_MATCH_MAX] = {
    [AUDIT_MATCH_OPEN] = "open",
    [AUDIT_MATCH_EXEC] = "exec",
    [AUDIT_MATCH_EXEC_OFFLINE] = "exec-offline",
    [AUDIT_MATCH_SYSCALL] = "syscall",
    [AUDIT_MATCH_SCAN] = "scan",
};

#define parser_fail(ps, ...) textfile_fail((ps)->err, STEP, (ps)->path, (ps)->line, __VA_ARGS__)

static int parser_oom(Parser *ps)
{
        return airlock_error_set(ps->err, AIRLOCK_ERR_SETUP, ENOMEM, STEP, "%s:%u", ps->path,
                                 ps->line);
}

/* Keeps p until the set is freed; frees it and returns NULL when that fails. */
static void *own(AuditRuleSet *set, void *p)
{
        void **owned;

        if (!p)
                return NULL;
        owned = realloc(set->owned, (set->n_owned + 1) * sizeof(*owned));
        if (!owned) {
                free(p);
                return NULL;
        }
        set->owned = owned;
        set->owned[set->n_owned++] = p;
        return p;
}

static bool valid_id(const char *id)
{
        size_t n = strlen(id);

        if (n == 0 || n > AUDIT_RULE_ID_MAX)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = id[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                          (i > 0 && (c == '-' || c == '_' || c == '.'));

                if (!ok)
                        return false;
        }
        return true;
}

static AuditRule *find_rule(AuditRuleSet *set, const char *id)
{
        for (size_t i = 0; i < set->n_rules; i++)
                if (strcmp(set->rules[i].id, id) == 0)
                        return &set->rules[i];
        return NULL;
}

static int parser_include(Parser *ps, char **words, size_t n)
{
        if (n != 2 || strcmp(words[1], "default") != 0)
                return parser_fail(ps, "expected: include default");
        if (ps->seen_directive)
                return parser_fail(ps, "include must come first, and only once");
        memcpy(ps->set->rules, audit_builtin_rules,
               audit_n_builtin_rules * sizeof(audit_builtin_rules[0]));
        ps->set->n_rules = audit_n_builtin_rules;
        return 0;
}

static int parser_disable(Parser *ps, char **words, size_t n)
{
        AuditRule *rule;

        if (n != 2)
                return parser_fail(ps, "expected: disable ID");
        rule = find_rule(ps->set, words[1]);
        if (!rule)
                return parser_fail(ps, "no rule '%.64s' to disable", words[1]);
        memmove(rule, rule + 1,
                (size_t)(ps->set->rules + ps->set->n_rules - (rule + 1)) * sizeof(*rule));
        ps->set->n_rules--;
        return 0;
}

static int parser_action(Parser *ps, char **words, size_t n)
{
        AuditRule *rule;
        AuditAction a;

        if (n != 3)
                return parser_fail(ps, "expected: action ID log|alert|kill");
        rule = find_rule(ps->set, words[1]);
        if (!rule)
                return parser_fail(ps, "no rule '%.64s'", words[1]);
        if (audit_action_from_string(words[2], &a) < 0)
                return parser_fail(ps, "unknown action '%.64s' (log, alert or kill)", words[2]);
        rule->action = a;
        return 0;
}

static int parser_expect(Parser *ps, char **words, size_t n)
{
        bool rw = n == 3 && strcmp(words[2], "rw") == 0;
        int r;

        if (n < 2 || n > 3 || (n == 3 && !rw))
                return parser_fail(ps, "expected: expect PATH [rw]");
        if (words[1][0] != '/')
                return parser_fail(ps, "'%.64s' is not an absolute path", words[1]);
        r = audit_rules_expect(ps->set, words[1], rw);
        if (r == -ENOMEM)
                return parser_oom(ps);
        if (r == -E2BIG)
                return parser_fail(ps, "more than %d expected paths", AUDIT_EXPECTED_MAX);
        return r < 0 ? parser_fail(ps, "bad path '%.64s'", words[1]) : 0;
}

static int parse_match(const char *s, AuditMatch *ret)
{
        for (unsigned i = 0; i < _AUDIT_MATCH_MAX; i++)
                if (strcmp(s, match_names[i]) == 0) {
                        *ret = (AuditMatch)i;
                        return 0;
                }
        return -EINVAL;
}

static int parser_scan_args(Parser *ps, AuditRule *rule, char **args, size_t n)
{
        uint64_t window;
        uint32_t count;

        if (n != 2)
                return parser_fail(ps, "expected: scan COUNT WINDOW");
        if (parse_uint32(args[0], &count) < 0 || count < 2 || count > AUDIT_SCAN_COUNT_MAX)
                return parser_fail(ps, "scan count '%.64s': expected 2..%d", args[0],
                                   AUDIT_SCAN_COUNT_MAX);
        if (parse_duration_ms(args[1], &window) < 0 || window == 0 ||
            window > AUDIT_SCAN_WINDOW_MAX_MS)
                return parser_fail(ps, "scan window '%.64s': expected a duration up to 1h",
                                   args[1]);
        rule->scan_count = count;
        rule->scan_window_ms = (uint32_t)window;
        return 0;
}

static int parser_check_pattern(Parser *ps, AuditMatch match, const char *p)
{
        if (match == AUDIT_MATCH_SYSCALL)
                return seccomp_syscall_nr(p) < 0 ? parser_fail(ps, "unknown syscall '%.64s'", p)
                                                 : 0;
        /* a path pattern names absolute paths (audit_path_resolve makes them so) */
        if (p[0] != '/' && p[0] != '*')
                return parser_fail(ps, "pattern '%.64s' must start with / or *", p);
        if (strlen(p) >= AUDIT_PATH_MAX)
                return parser_fail(ps, "pattern longer than %d bytes", AUDIT_PATH_MAX - 1);
        return 0;
}

/* rule ID SEVERITY ACTION MATCH ARGS... */
static int parser_rule(Parser *ps, char **words, size_t n, const char *reason)
{
        AuditRule rule = {0};
        const char **patterns;
        int r;

        if (n < 6)
                return parser_fail(ps, "expected: rule ID SEVERITY ACTION MATCH ARGS...");
        if (!valid_id(words[1]))
                return parser_fail(ps,
                                   "bad rule id '%.64s' (a-z, 0-9, then also - _ .; at "
                                   "most %d)",
                                   words[1], AUDIT_RULE_ID_MAX);
        if (find_rule(ps->set, words[1]))
                return parser_fail(ps, "rule '%s' is already defined", words[1]);
        if (ps->set->n_rules >= AUDIT_RULES_MAX)
                return parser_fail(ps, "more than %d rules", AUDIT_RULES_MAX);
        if (audit_severity_from_string(words[2], &rule.severity) < 0)
                return parser_fail(ps,
                                   "unknown severity '%.64s' (info, low, medium, high or "
                                   "critical)",
                                   words[2]);
        if (audit_action_from_string(words[3], &rule.action) < 0)
                return parser_fail(ps, "unknown action '%.64s' (log, alert or kill)", words[3]);
        if (parse_match(words[4], &rule.match) < 0)
                return parser_fail(ps,
                                   "unknown match '%.64s' (open, exec, exec-offline, "
                                   "syscall or scan)",
                                   words[4]);
        if (rule.match == AUDIT_MATCH_SCAN) {
                r = parser_scan_args(ps, &rule, words + 5, n - 5);
                if (r < 0)
                        return r;
        } else {
                if (n - 5 > AUDIT_RULE_PATTERNS_MAX)
                        return parser_fail(ps, "more than %d patterns", AUDIT_RULE_PATTERNS_MAX);
                patterns = own(ps->set, calloc(n - 5 + 1, sizeof(*patterns)));
                if (!patterns)
                        return parser_oom(ps);
                for (size_t i = 5; i < n; i++) {
                        r = parser_check_pattern(ps, rule.match, words[i]);
                        if (r < 0)
                                return r;
                        patterns[i - 5] = own(ps->set, strdup(words[i]));
                        if (!patterns[i - 5])
                                return parser_oom(ps);
                }
                rule.patterns = patterns;
                rule.watch_opens = rule.match == AUDIT_MATCH_OPEN;
        }
        rule.id = own(ps->set, strdup(words[1]));
        rule.reason = reason && reason[0] ? own(ps->set, strdup(reason)) : NULL;
        if (!rule.id || (reason && reason[0] && !rule.reason))
                return parser_oom(ps);
        ps->set->rules[ps->set->n_rules++] = rule;
        return 0;
}

/* One line without its newline (at most AUDIT_RULES_LINE_MAX bytes); words split on blanks,
 * the reason after '#'. */
static int parser_line(void *userdata, char *line, size_t len)
{
        Parser *ps = userdata;
        char *words[MAX_WORDS] = {0}, *hash, *save = NULL, buf[64];
        const char *problem = textfile_line_problem(line, len, buf, sizeof(buf));
        const char *reason = NULL;
        size_t n = 0;
        int r;

        if (problem)
                return parser_fail(ps, "%s", problem);
        hash = strchr(line, '#');
        if (hash) {
                *hash = '\0';
                reason = hash + 1 + strspn(hash + 1, " \t");
        }
        for (char *w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                if (n == MAX_WORDS)
                        return parser_fail(ps, "too many words");
                words[n++] = w;
        }
        if (n == 0)
                return 0; /* blank or comment */
        if (strcmp(words[0], "include") == 0)
                r = parser_include(ps, words, n);
        else if (strcmp(words[0], "rule") == 0)
                r = parser_rule(ps, words, n, reason);
        else if (strcmp(words[0], "disable") == 0)
                r = parser_disable(ps, words, n);
        else if (strcmp(words[0], "action") == 0)
                r = parser_action(ps, words, n);
        else if (strcmp(words[0], "expect") == 0)
                r = parser_expect(ps, words, n);
        else
                r = parser_fail(ps,
                                "unknown directive '%.64s' (include, rule, disable, action "
                                "or expect)",
                                words[0]);
        ps->seen_directive = true;
        return r;
}

int audit_rules_parse(const char *path, const char *data, size_t size, AuditRuleSet **ret,
                      AirlockError *err)
{
        Parser ps = {.path = path, .err = err};
        int r;

        if (size > AUDIT_RULES_FILE_MAX)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, STEP,
                                         "%s: larger than %d bytes", path, AUDIT_RULES_FILE_MAX);
        r = audit_rules_new(false, &ps.set);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, STEP, "%s", path);
        r = textfile_lines(data, size, AUDIT_RULES_LINE_MAX, parser_line, &ps, &ps.line);
        if (r == -E2BIG)
                r = parser_fail(&ps, "line longer than %d bytes", AUDIT_RULES_LINE_MAX);
        else if (r == -ENOMEM)
                r = parser_oom(&ps);
        if (r < 0) {
                audit_rules_free(ps.set);
                return r;
        }
        *ret = ps.set;
        return 0;
}

int audit_rules_load_file(const char *path, AuditRuleSet **ret, AirlockError *err)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        int r;

        r = textfile_read(path, AUDIT_RULES_FILE_MAX, &buf, &size);
        if (r < 0)
                return textfile_explain(r, path, AUDIT_RULES_FILE_MAX, STEP, err);
        return audit_rules_parse(path, buf, size, ret, err);
}
