/* The shapes of the policy tables and of a loaded policy, shared by the tables, the loader, the
 * compiler, the printer and the unit tests. Not for other modules: they use seccomp-policy.h. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "seccomp-policy.h"

/* The highest syscall number whose classification was reviewed against this libseccomp; the
 * unit tests insist that every known syscall up to it sits in a table. */
#define SECCOMP_POLICY_REVIEWED_NR 456

/* Conditions of an argument filter are masked equalities, (arg & mask) == value, the only
 * comparison that ignores the upper half of a register the kernel reads as an int: every mask
 * here stays within the bits the kernel looks at. */
#define SECCOMP_ARG_MAX_CONDS 3

typedef struct SeccompArgCond {
        uint8_t arg;       /* 0..5 */
        uint64_t mask;     /* 0 marks an unused slot */
        uint64_t value;    /* value & ~mask == 0 */
        const char *label; /* "AF_INET", for `policy show` */
} SeccompArgCond;

/* One leaf of an argument filter: when every condition holds, errnum (0 allows). Rows that share
 * their first k conditions must use the same argument for condition k + 1; a row is never a
 * prefix of another. */
typedef struct SeccompArgRow {
        SeccompArgCond conds[SECCOMP_ARG_MAX_CONDS];
        int errnum;
        const char *reason;
} SeccompArgRow;

/* What happens to a value of argument i that no row covers at that point of the tree. The
 * compiler writes these "otherwise" cases as explicit rules (the complement of the rows' values,
 * as masked equalities), so that no two rules of different actions ever overlap and libseccomp's
 * ordering of overlapping rules never matters. */
typedef struct SeccompArgOtherwise {
        int errnum; /* 0 allows */
        const char *reason;
} SeccompArgOtherwise;

typedef struct SeccompArgFilter {
        const char *syscall;
        const char *arg_names[6];
        const SeccompArgRow *rows;
        size_t n_rows;
        SeccompArgOtherwise otherwise[6];
        const char *reason;
} SeccompArgFilter;

typedef struct SeccompAllowRow {
        const char *name;
        const char *reason;
} SeccompAllowRow;

typedef struct SeccompDenyRow {
        const char *name;
        int errnum;
        const char *reason;
} SeccompDenyRow;

/* A built-in profile: its base's rules, then its own allow, deny and filter rows on top. */
typedef struct SeccompProfile {
        const char *name;
        const struct SeccompProfile *base;
        const SeccompAllowRow *allow;
        size_t n_allow;
        const SeccompDenyRow *deny;
        size_t n_deny;
        const SeccompArgFilter *const *filters;
        size_t n_filters;
        const char *summary;
} SeccompProfile;

extern const SeccompProfile seccomp_profile_default;
extern const SeccompProfile seccomp_profile_strict;

const SeccompProfile *seccomp_profile_find(const char *name);

/* The filter a profile (or its bases) puts on a syscall, or NULL. */
const SeccompArgFilter *seccomp_profile_filter(const SeccompProfile *profile, const char *syscall);

typedef enum SeccompRuleKind {
        SECCOMP_RULE_UNSET = 0, /* in no table: EPERM */
        SECCOMP_RULE_ALLOW,
        SECCOMP_RULE_DENY,
        SECCOMP_RULE_FILTER,
} SeccompRuleKind;

typedef struct SeccompRule {
        SeccompRuleKind kind;
        int errnum;                     /* SECCOMP_RULE_DENY */
        const SeccompArgFilter *filter; /* SECCOMP_RULE_FILTER */
        const char *reason;             /* static, or owned_reason */
        char *owned_reason;             /* a policy file's trailing comment */
        unsigned line;                  /* the policy file's line, 0 when built in */
} SeccompRule;

struct SeccompPolicy {
        char *name;
        bool builtin; /* exactly a built-in profile: its BPF was compiled at build time */
        SeccompRule rules[SECCOMP_POLICY_NR_MAX];
};

/* The errno a syscall gets when no table names it. */
#define SECCOMP_UNLISTED_ERRNO EPERM
/* The filter's default action: numbers libseccomp does not know (future syscalls), so that
 * libc falls back to older calls. */
#define SECCOMP_UNKNOWN_ERRNO ENOSYS

/* An empty policy named name (every syscall unset). */
int seccomp_policy_new(const char *name, SeccompPolicy **ret);

/* Applies a built-in profile (its bases first) to p. */
int seccomp_policy_apply_profile(SeccompPolicy *p, const SeccompProfile *profile);

/* Reads a policy file (bounded, regular files only) and parses it. */
int seccomp_policy_read_file(const char *path, SeccompPolicy **ret, AirlockError *err);

/* Parses a policy file's contents (the caller read it); errors name path and line. */
int seccomp_policy_parse(const char *path, const char *data, size_t size, SeccompPolicy **ret,
                         AirlockError *err);

/* What the policy answers for one call, by reading the tables (not the BPF): the reference the
 * unit tests hold the compiled program to. Returns 0 (allow) or a positive errno. */
int seccomp_policy_verdict(const SeccompPolicy *p, int nr, const uint64_t args[6]);

/* The same for one argument filter. */
int seccomp_arg_filter_verdict(const SeccompArgFilter *f, const uint64_t args[6]);

/* The complement of a set of masked-equality cubes over 64-bit values, as cubes: writes up to
 * max of them into ret and returns how many there are (which may exceed max: call again with
 * more room), or -EINVAL for a cube whose value has bits outside its mask. Bits outside every
 * set cube's mask are free in the result. */
typedef struct SeccompCube {
        uint64_t mask;
        uint64_t value;
} SeccompCube;

int seccomp_cube_complement(const SeccompCube *set, size_t n, SeccompCube *ret, size_t max);

/* BPF of the built-in profiles, compiled at build time by seccomp-gen (compiling the default
 * profile with libseccomp takes 15 ms, more than the rest of a sandbox's start). */
typedef struct SeccompBuiltinProgram {
        const char *name;
        const struct sock_filter *filter;
        unsigned short len;
} SeccompBuiltinProgram;

/* NULL-terminated; generated into seccomp-builtin.c: each profile in each SeccompWatch mode. */
extern const SeccompBuiltinProgram seccomp_builtin_programs[];

/* Compiles with libseccomp, never from the build-time table: for seccomp-gen and the test
 * that the table is current. */
int seccomp_policy_compile_fresh(const SeccompPolicy *p, bool log_denials, SeccompProgram *ret,
                                 AirlockError *err);
int seccomp_policy_compile_fresh_watched(const SeccompPolicy *p, bool log_denials,
                                         SeccompWatch watch, SeccompProgram *ret,
                                         AirlockError *err);

/* The name of a built-in program: the profile's, and "@alerts" / "@full" for the watching
 * variants ("default@alerts"). */
int seccomp_builtin_name(const char *profile, SeccompWatch watch, char *buf, size_t size);
