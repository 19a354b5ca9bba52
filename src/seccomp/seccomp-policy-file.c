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
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/parse.h"
#include "basic/utf8.h"
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

static int parser_fail(Parser *ps, const char *fmt, ...) _printf_(2, 3);

static int parser_fail(Parser *ps, const char *fmt, ...)
{
        char what[256];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        return airlock_error_set(ps->err, AIRLOCK_ERR_USAGE, 0, STEP, "%s:%u: %s", ps->path,
                                 ps->line, what);
}

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
        if (memchr(line, '\0', len))
                return parser_fail(ps, "NUL byte");
        if (!utf8_is_valid(line, len))
                return parser_fail(ps, "not valid UTF-8");
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)line[i];
                if (c == '\r')
                        return parser_fail(ps, "carriage return (a DOS line ending?)");
                if ((c < 0x20 && c != '\t') || c == 0x7f)
                        return parser_fail(ps, "control character 0x%02x", c);
        }
        return 0;
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

/* One line without its newline (at most SECCOMP_POLICY_LINE_MAX bytes, in a buffer one byte
 * longer); words split on blanks, the reason after '#'. */
static int parser_line(Parser *ps, char *line, size_t len)
{
        char *words[MAX_WORDS + 1] = {};
        const char *reason = NULL;
        char *hash, *save = NULL;
        size_t n = 0;
        int r;

        r = parser_check_bytes(ps, line, len);
        if (r < 0)
                return r;
        line[len] = '\0';

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
        char line[SECCOMP_POLICY_LINE_MAX + 1];
        int r;

        if (size > SECCOMP_POLICY_FILE_MAX)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, STEP,
                                         "%s: larger than %d bytes", path, SECCOMP_POLICY_FILE_MAX);
        r = seccomp_policy_new(path, &policy);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, STEP, "%s", path);
        ps.policy = policy;

        for (size_t pos = 0; pos < size;) {
                const char *nl = memchr(data + pos, '\n', size - pos);
                size_t len = nl ? (size_t)(nl - (data + pos)) : size - pos;

                ps.line++;
                if (len > SECCOMP_POLICY_LINE_MAX) {
                        r = parser_fail(&ps, "line longer than %d bytes", SECCOMP_POLICY_LINE_MAX);
                        goto fail;
                }
                memcpy(line, data + pos, len);
                r = parser_line(&ps, line, len);
                if (r < 0)
                        goto fail;
                pos += len + (nl ? 1 : 0);
        }
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
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        struct stat st;

        /* O_NONBLOCK: a FIFO must not hang us before fstat can turn it down */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                int r = errno;
                if (r == ENOENT && !strchr(path, '/'))
                        return airlock_error_set(err, AIRLOCK_ERR_USAGE, r, STEP,
                                                 "'%s' is neither a built-in profile (default, "
                                                 "strict) nor a file",
                                                 path);
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, r, STEP, "%s", path);
        }
        if (fstat(fd, &st) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, errno, STEP, "%s", path);
        if (!S_ISREG(st.st_mode))
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, STEP, "%s: not a regular file",
                                         path);
        if (st.st_size > SECCOMP_POLICY_FILE_MAX)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, STEP,
                                         "%s: larger than %d bytes", path, SECCOMP_POLICY_FILE_MAX);

        /* one byte more than the cap, to notice a file that grew after fstat */
        buf = malloc(SECCOMP_POLICY_FILE_MAX + 1);
        if (!buf)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, ENOMEM, STEP, "%s", path);
        while (size <= SECCOMP_POLICY_FILE_MAX) {
                ssize_t n = read(fd, buf + size, SECCOMP_POLICY_FILE_MAX + 1 - size);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_USAGE, errno, STEP, "%s", path);
                if (n == 0)
                        break;
                size += (size_t)n;
        }
        return seccomp_policy_parse(path, buf, size, ret, err);
}
