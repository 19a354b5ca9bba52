/* The policy file: one rule per line.
 *
 *     # comment
 *     include default            (optional, before any rule: start from a built-in profile)
 *     allow NAME                 [# reason]
 *     deny NAME [ERRNO]          [# reason]   (ERRNO: EPERM by default, a name or 1..4095)
 *
 * Parsed strictly, every error naming the file and line: unknown syscalls and keywords,
 * conflicting rules for one syscall, overlong lines, NUL bytes, control characters, invalid
 * UTF-8, more than SECCOMP_POLICY_RULES_MAX rules or a file over SECCOMP_POLICY_FILE_MAX. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/parse.h"
#include "basic/textfile.h"
#include "seccomp-internal.h"

#define STEP      "seccomp-policy"
#define MAX_WORDS 3

typedef struct Parser {
        const char *path;
        unsigned line;
        unsigned n_rules;
        const SeccompProfile *included;
        SeccompPolicy *policy;
        AirlockError *err;
} Parser;

#define parser_fail(ps, ...) textfile_fail((ps)->err, STEP, (ps)->path, (ps)->line, __VA_ARGS__)

static int parse_errno(const char *s, int *ret)
{
        uint32_t u;

        if (s[0] >= '0' && s[0] <= '9') {
                if (parse_uint32(s, &u) < 0 || u < 1 || u > 4095)
                        return -ERANGE;
                *ret = (int)u;
                return 0;
        }
        /* 4095 is the largest errno seccomp can return (SECCOMP_RET_DATA is wider, but the
         * kernel caps it at MAX_ERRNO) */
        for (int e = 1; e <= 4095; e++) {
                const char *name = strerrorname_np(e);
                if (name && strcmp(name, s) == 0) {
                        *ret = e;
                        return 0;
                }
        }
        return -EINVAL;
}

static const char *rule_describe(const SeccompRule *r, char *buf, size_t size)
{
        if (r->kind == SECCOMP_RULE_DENY) {
                const char *name = strerrorname_np(r->errnum);
                if (name)
                        snprintf(buf, size, "deny %s", name);
                else
                        snprintf(buf, size, "deny %d", r->errnum);
        } else
                snprintf(buf, size, "allow");
        return buf;
}

/* NUL bytes, invalid UTF-8 and control characters (but tab) have no business in a policy. */
static int parser_check_bytes(Parser *ps, const char *line, size_t len)
{
        char buf[64];
        const char *problem = textfile_line_problem(line, len, buf, sizeof(buf));

        return problem ? parser_fail(ps, "%s", problem) : 0;
}

static int parser_include(Parser *ps, char **words, size_t n)
{
        const SeccompProfile *profile;
        int r;

        if (n != 2)
                return parser_fail(ps, "expected: include PROFILE");
        if (ps->n_rules > 0 || ps->included)
                return parser_fail(ps, "include must come first, and only once");
        profile = seccomp_profile_find(words[1]);
        if (!profile)
                return parser_fail(ps, "unknown profile '%.64s' (built in: default, strict)",
                                   words[1]);
        r = seccomp_policy_apply_profile(ps->policy, profile);
        if (r < 0)
                return airlock_error_set(ps->err, AIRLOCK_ERR_SETUP, r, STEP, "%s:%u: include %s",
                                         ps->path, ps->line, profile->name);
        ps->included = profile;
        return 0;
}

/* allow NAME, deny NAME [ERRNO]; reason is the comment after the rule, or NULL. */
static int parser_rule(Parser *ps, char **words, size_t n, const char *reason)
{
        SeccompRule *rule, next = {};
        int nr;

        if (strcmp(words[0], "allow") == 0) {
                if (n != 2)
                        return parser_fail(ps, "expected: allow NAME");
                next.kind = SECCOMP_RULE_ALLOW;
        } else if (strcmp(words[0], "deny") == 0) {
                if (n < 2)
                        return parser_fail(ps, "expected: deny NAME [ERRNO]");
                next.kind = SECCOMP_RULE_DENY;
                next.errnum = SECCOMP_UNLISTED_ERRNO;
                if (n == 3 && parse_errno(words[2], &next.errnum) < 0)
                        return parser_fail(ps, "bad errno '%.64s' (a name like EPERM, or 1..4095)",
                                           words[2]);
        } else
                return parser_fail(ps, "unknown keyword '%.64s' (expected allow, deny or include)",
                                   words[0]);

        nr = seccomp_syscall_nr(words[1]);
        if (nr < 0)
                return parser_fail(ps, "unknown syscall '%.64s'", words[1]);
        if (++ps->n_rules > SECCOMP_POLICY_RULES_MAX)
                return parser_fail(ps, "more than %d rules", SECCOMP_POLICY_RULES_MAX);

        rule = &ps->policy->rules[nr];
        if (rule->line > 0) {
                /* this file named the syscall before: the same rule again is harmless */
                bool both_deny = rule->kind == SECCOMP_RULE_DENY && next.kind == SECCOMP_RULE_DENY;
                bool both_allow = rule->kind != SECCOMP_RULE_DENY && next.kind != SECCOMP_RULE_DENY;
                char was[64];

                if (both_allow || (both_deny && rule->errnum == next.errnum))
                        return 0;
                return parser_fail(ps, "rule for '%s' conflicts with line %u (%s)", words[1],
                                   rule->line, rule_describe(rule, was, sizeof(was)));
        }

        if (next.kind == SECCOMP_RULE_ALLOW) {
                /* allow keeps an argument filter: the included profile's, else the default's.
                 * A file can deny more than the built-in profiles, never let clone make
                 * namespaces or socket open AF_PACKET. */
                next.filter = seccomp_profile_filter(ps->included, words[1]);
                if (!next.filter)
                        next.filter = seccomp_profile_filter(&seccomp_profile_default, words[1]);
                if (next.filter)
                        next.kind = SECCOMP_RULE_FILTER;
        }
        if (reason && reason[0]) {
                next.owned_reason = strdup(reason);
                if (!next.owned_reason)
                        return airlock_error_set(ps->err, AIRLOCK_ERR_SETUP, ENOMEM, STEP, "%s:%u",
                                                 ps->path, ps->line);
                next.reason = next.owned_reason;
        }
        next.line = ps->line;
        free(rule->owned_reason);
        *rule = next;
        return 0;
}

/* One line without its newline (at most SECCOMP_POLICY_LINE_MAX bytes); words split on blanks,
 * the reason after '#'. */
static int parser_line(void *userdata, char *line, size_t len)
{
        Parser *ps = userdata;
        char *words[MAX_WORDS + 1] = {};
        const char *reason = NULL;
        char *hash, *save = NULL;
        size_t n = 0;
        int r;

        r = parser_check_bytes(ps, line, len);
        if (r < 0)
                return r;

        hash = strchr(line, '#');
        if (hash) {
                char *end = line + len;

                *hash = '\0';
                while (end > hash + 1 && (end[-1] == ' ' || end[-1] == '\t'))
                        *--end = '\0';
                reason = hash + 1;
                reason += strspn(reason, " \t");
        }
        for (char *w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                if (n == MAX_WORDS)
                        return parser_fail(ps, "too many words (expected: allow NAME, deny "
                                               "NAME [ERRNO] or include PROFILE)");
                words[n++] = w;
        }
        if (n == 0)
                return 0; /* blank or comment */
        if (strcmp(words[0], "include") == 0)
                return parser_include(ps, words, n);
        return parser_rule(ps, words, n, reason);
}

int seccomp_policy_parse(const char *path, const char *data, size_t size, SeccompPolicy **ret,
                         AirlockError *err)
{
        SeccompPolicy *policy = NULL;
        Parser ps = {.path = path, .err = err};
        int r;

        if (size > SECCOMP_POLICY_FILE_MAX)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, STEP,
                                         "%s: larger than %d bytes", path, SECCOMP_POLICY_FILE_MAX);
        r = seccomp_policy_new(path, &policy);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, STEP, "%s", path);
        ps.policy = policy;

        r = textfile_lines(data, size, SECCOMP_POLICY_LINE_MAX, parser_line, &ps, &ps.line);
        if (r == -E2BIG)
                r = parser_fail(&ps, "line longer than %d bytes", SECCOMP_POLICY_LINE_MAX);
        else if (r == -ENOMEM)
                r = airlock_error_set(err, AIRLOCK_ERR_SETUP, ENOMEM, STEP, "%s", path);
        if (r < 0)
                goto fail;
        if (ps.n_rules == 0 && !ps.included) {
                r = airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, STEP,
                                      "%s: no rules (not even execve could run)", path);
                goto fail;
        }
        *ret = policy;
        return 0;
fail:
        seccomp_policy_free(policy);
        return r;
}

int seccomp_policy_read_file(const char *path, SeccompPolicy **ret, AirlockError *err)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        int r;

        r = textfile_read(path, SECCOMP_POLICY_FILE_MAX, &buf, &size);
        if (r == -ENOENT && !strchr(path, '/'))
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, -r, STEP,
                                         "'%s' is neither a built-in profile (default, "
                                         "strict) nor a file",
                                         path);
        if (r < 0)
                return textfile_explain(r, path, SECCOMP_POLICY_FILE_MAX, STEP, err);
        return seccomp_policy_parse(path, buf, size, ret, err);
}
