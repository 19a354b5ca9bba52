/* A loaded policy: one rule per x86_64 syscall number, filled from a built-in profile or a
 * policy file, and the reference answer to "what happens to this call" that the unit tests hold
 * the compiled BPF to. */
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp-internal.h"

static const SeccompProfile *const builtin_profiles[] = {
    &seccomp_profile_default,
    &seccomp_profile_strict,
};

const SeccompProfile *seccomp_profile_find(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(builtin_profiles); i++)
                if (strcmp(builtin_profiles[i]->name, name) == 0)
                        return builtin_profiles[i];
        return NULL;
}

const SeccompArgFilter *seccomp_profile_filter(const SeccompProfile *profile, const char *syscall)
{
        for (; profile; profile = profile->base)
                for (size_t i = 0; i < profile->n_filters; i++)
                        if (strcmp(profile->filters[i]->syscall, syscall) == 0)
                                return profile->filters[i];
        return NULL;
}

int seccomp_syscall_nr(const char *name)
{
        int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name);

        /* negative: unknown (__NR_SCMP_ERROR) or a pseudo-number for a syscall x86_64 lacks */
        if (nr < 0 || nr >= SECCOMP_POLICY_NR_MAX)
                return -ENOENT;
        return nr;
}

int seccomp_policy_new(const char *name, SeccompPolicy **ret)
{
        SeccompPolicy *p = calloc(1, sizeof(*p));

        if (!p)
                return -ENOMEM;
        p->name = strdup(name);
        if (!p->name) {
                free(p);
                return -ENOMEM;
        }
        *ret = p;
        return 0;
}

SeccompPolicy *seccomp_policy_free(SeccompPolicy *p)
{
        if (!p)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(p->rules); i++)
                free(p->rules[i].owned_reason);
        free(p->name);
        free(p);
        return NULL;
}

const char *seccomp_policy_name(const SeccompPolicy *p)
{
        return p->name;
}

static void rule_set(SeccompRule *r, SeccompRuleKind kind, int errnum,
                     const SeccompArgFilter *filter, const char *reason)
{
        free(r->owned_reason);
        *r = (SeccompRule){.kind = kind, .errnum = errnum, .filter = filter, .reason = reason};
}

int seccomp_policy_apply_profile(SeccompPolicy *p, const SeccompProfile *profile)
{
        int nr;

        if (profile->base) {
                int r = seccomp_policy_apply_profile(p, profile->base);
                if (r < 0)
                        return r;
        }
        /* A name this libseccomp does not know is left out: the syscall then takes the default
         * action (ENOSYS), which denies it. The unit tests insist every name resolves here. */
        for (size_t i = 0; i < profile->n_allow; i++)
                if ((nr = seccomp_syscall_nr(profile->allow[i].name)) >= 0)
                        rule_set(&p->rules[nr], SECCOMP_RULE_ALLOW, 0, NULL,
                                 profile->allow[i].reason);
        for (size_t i = 0; i < profile->n_deny; i++)
                if ((nr = seccomp_syscall_nr(profile->deny[i].name)) >= 0)
                        rule_set(&p->rules[nr], SECCOMP_RULE_DENY, profile->deny[i].errnum, NULL,
                                 profile->deny[i].reason);
        for (size_t i = 0; i < profile->n_filters; i++)
                if ((nr = seccomp_syscall_nr(profile->filters[i]->syscall)) >= 0)
                        rule_set(&p->rules[nr], SECCOMP_RULE_FILTER, 0, profile->filters[i],
                                 profile->filters[i]->reason);
        return 0;
}

static bool cond_matches(const SeccompArgCond *c, const uint64_t args[6])
{
        return c->arg < 6 && (args[c->arg] & c->mask) == c->value;
}

static bool cond_equal(const SeccompArgCond *a, const SeccompArgCond *b)
{
        return a->arg == b->arg && a->mask == b->mask && a->value == b->value;
}

static size_t row_len(const SeccompArgRow *row)
{
        size_t n = 0;

        while (n < SECCOMP_ARG_MAX_CONDS && row->conds[n].mask != 0)
                n++;
        return n;
}

int seccomp_arg_filter_verdict(const SeccompArgFilter *f, const uint64_t args[6])
{
        const SeccompArgRow *prefix = NULL; /* a row whose first `depth` conditions hold */

        /* Walk the tree the rows describe: at each depth, keep to the rows that share the
         * conditions matched so far, and take the first whose next condition holds. Rows at
         * one point are disjoint (the compiler checks), so "first" is "only". */
        for (size_t depth = 0; depth <= SECCOMP_ARG_MAX_CONDS; depth++) {
                const SeccompArgRow *next = NULL;
                int arg = -1;

                for (size_t i = 0; i < f->n_rows; i++) {
                        const SeccompArgRow *row = &f->rows[i];
                        bool same_prefix = true;

                        for (size_t d = 0; d < depth && same_prefix; d++)
                                same_prefix = cond_equal(&row->conds[d], &prefix->conds[d]);
                        if (!same_prefix)
                                continue;
                        if (row_len(row) == depth)
                                return row->errnum;
                        arg = row->conds[depth].arg;
                        if (!next && cond_matches(&row->conds[depth], args))
                                next = row;
                }
                if (arg < 0)
                        break; /* no rows at all */
                if (!next)
                        return f->otherwise[arg].errnum;
                prefix = next;
        }
        return SECCOMP_UNKNOWN_ERRNO;
}

int seccomp_policy_verdict(const SeccompPolicy *p, int nr, const uint64_t args[6])
{
        char *name;

        if (nr < 0 || nr >= SECCOMP_POLICY_NR_MAX)
                return SECCOMP_UNKNOWN_ERRNO;
        name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
        if (!name)
                return SECCOMP_UNKNOWN_ERRNO;
        free(name);
        /* known to libseccomp: the rule decides (seccomp-watch.c) */
        return seccomp_policy_answer(p, nr, args);
}

int seccomp_policy_load_profile(const char *name_or_path, SeccompPolicy **ret, AirlockError *err)
{
        const SeccompProfile *profile;
        SeccompPolicy *p = NULL;
        int r;

        if (!name_or_path || !name_or_path[0])
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "seccomp-policy",
                                         "empty profile name");
        profile = seccomp_profile_find(name_or_path);
        if (!profile)
                return seccomp_policy_read_file(name_or_path, ret, err);

        r = seccomp_policy_new(profile->name, &p);
        if (r >= 0)
                r = seccomp_policy_apply_profile(p, profile);
        if (r >= 0)
                p->builtin = true;
        if (r < 0) {
                seccomp_policy_free(p);
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "seccomp-policy",
                                         "loading profile '%s'", profile->name);
        }
        *ret = p;
        return 0;
}
