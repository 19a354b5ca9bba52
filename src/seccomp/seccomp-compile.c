/* From a loaded policy to classic BPF, in the parent, with libseccomp.
 *
 * Every syscall libseccomp knows on x86_64 gets an explicit rule: allowed, denied with its
 * errno, denied with EPERM because no table names it, or a set of argument rules. The filter's
 * default action, ENOSYS, is thereby left to numbers libseccomp does not know: syscalls newer
 * than the library, which libc probes and falls back from. A foreign architecture, i386 through
 * int 0x80 included, and x32 numbers (libseccomp's x86_64 filter checks __X32_SYSCALL_BIT and
 * sends it to the bad-architecture action) kill the process.
 *
 * libseccomp 2.5 can only write BPF to a file descriptor, so it goes through a memfd. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seccomp-internal.h"

#define STEP "seccomp-compile"

/* Bounds for one argument filter: rows at one point of its tree, and the pieces of their
 * complement (a set of k 32-bit points needs at most 32 * k). */
#define ROWS_MAX       64
#define COMPLEMENT_MAX 512

/* What is being compiled: the libseccomp context, and which syscalls notify the supervisor. */
typedef struct Target {
        scmp_filter_ctx ctx;
        SeccompWatch watch;
        bool watched; /* the syscall at hand is one of watch's */
} Target;

static int add_rule(const Target *t, int nr, int errnum, const struct scmp_arg_cmp *cmps,
                    unsigned n)
{
        uint32_t action;

        if (t->watch != SECCOMP_WATCH_NONE) {
                /* Every denial notifies, so that the supervisor sees it (an ERRNO here would
                 * be answered by the kernel alone); the supervisor answers with the same errno
                 * (seccomp_policy_answer). Of the allowed calls, only the watched ones. */
                if (errnum != 0 || t->watched)
                        return seccomp_rule_add_exact_array(t->ctx, SCMP_ACT_NOTIFY, nr, n, cmps);
                return seccomp_rule_add_exact_array(t->ctx, SCMP_ACT_ALLOW, nr, n, cmps);
        }
        /* The filter's default already answers ENOSYS, and libseccomp refuses (EACCES) a rule
         * that repeats the default action: leaving it out gives the same answer. */
        if (errnum == SECCOMP_UNKNOWN_ERRNO)
                return 0;
        action = errnum == 0 ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO((uint32_t)errnum);
        return seccomp_rule_add_exact_array(t->ctx, action, nr, n, cmps);
}

static struct scmp_arg_cmp cmp_from_cube(unsigned arg, uint64_t mask, uint64_t value)
{
        return (struct scmp_arg_cmp){
            .arg = arg, .op = SCMP_CMP_MASKED_EQ, .datum_a = mask, .datum_b = value};
}

static bool cond_same(const SeccompArgCond *a, const SeccompArgCond *b)
{
        return a->arg == b->arg && a->mask == b->mask && a->value == b->value;
}

static size_t row_depth(const SeccompArgRow *row)
{
        size_t n = 0;

        while (n < SECCOMP_ARG_MAX_CONDS && row->conds[n].mask != 0)
                n++;
        return n;
}

static bool row_has_prefix(const SeccompArgRow *row, const SeccompArgRow *prefix, size_t depth)
{
        for (size_t d = 0; d < depth; d++)
                if (!cond_same(&row->conds[d], &prefix->conds[d]))
                        return false;
        return true;
}

/* The point of f's tree below the first `depth` conditions of prefix (all rows when depth is
 * 0): its rows' next conditions as rules, recursively, then their complement as rules with the
 * "otherwise" answer of the argument they test. Returns -EINVAL for a malformed table. */
static int compile_node(const Target *t, int nr, const SeccompArgFilter *f,
                        const SeccompArgRow *prefix, size_t depth)
{
        const SeccompArgRow *reps[ROWS_MAX], *leaf = NULL;
        SeccompCube cubes[ROWS_MAX], complement[COMPLEMENT_MAX];
        struct scmp_arg_cmp cmps[SECCOMP_ARG_MAX_CONDS];
        size_t n_cubes = 0, n_here = 0;
        int arg = -1, n, r;

        for (size_t d = 0; d < depth; d++)
                cmps[d] = cmp_from_cube(prefix->conds[d].arg, prefix->conds[d].mask,
                                        prefix->conds[d].value);

        for (size_t i = 0; i < f->n_rows; i++)
                if (row_has_prefix(&f->rows[i], prefix, depth)) {
                        n_here++;
                        if (row_depth(&f->rows[i]) == depth)
                                leaf = &f->rows[i];
                }
        if (leaf) {
                /* a leaf stands alone: no other row may extend it, and a row needs a condition */
                if (n_here != 1 || depth == 0)
                        return -EINVAL;
                return add_rule(t, nr, leaf->errnum, cmps, (unsigned)depth);
        }

        for (size_t i = 0; i < f->n_rows; i++) {
                const SeccompArgCond *c = &f->rows[i].conds[depth];
                bool known = false;

                if (!row_has_prefix(&f->rows[i], prefix, depth))
                        continue;
                if (c->arg > 5 || (c->value & ~c->mask) || (arg >= 0 && c->arg != arg))
                        return -EINVAL;
                arg = c->arg;
                for (size_t k = 0; k < n_cubes && !known; k++)
                        known = cubes[k].mask == c->mask && cubes[k].value == c->value;
                if (known)
                        continue;
                /* rows at one point must not overlap, or their order would matter */
                for (size_t k = 0; k < n_cubes; k++)
                        if (((cubes[k].value ^ c->value) & cubes[k].mask & c->mask) == 0)
                                return -EINVAL;
                if (n_cubes == ROWS_MAX)
                        return -E2BIG;
                cubes[n_cubes] = (SeccompCube){c->mask, c->value};
                reps[n_cubes++] = &f->rows[i];
        }
        if (arg < 0)
                return -EINVAL;

        for (size_t k = 0; k < n_cubes; k++) {
                r = compile_node(t, nr, f, reps[k], depth + 1);
                if (r < 0)
                        return r;
        }

        n = seccomp_cube_complement(cubes, n_cubes, complement, ELEMENTSOF(complement));
        if (n < 0)
                return n;
        if ((size_t)n > ELEMENTSOF(complement))
                return -E2BIG;
        for (int k = 0; k < n; k++) {
                cmps[depth] = cmp_from_cube((unsigned)arg, complement[k].mask, complement[k].value);
                r = add_rule(t, nr, f->otherwise[arg].errnum, cmps, (unsigned)depth + 1);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int compile_rules(scmp_filter_ctx ctx, SeccompWatch watch, const SeccompPolicy *p,
                         int *ret_failed_nr)
{
        for (int nr = 0; nr < SECCOMP_POLICY_NR_MAX; nr++) {
                const SeccompRule *rule = &p->rules[nr];
                char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
                Target t = {.ctx = ctx, .watch = watch};
                int r = 0;

                if (!name)
                        continue; /* unknown to libseccomp: the default action, ENOSYS */
                t.watched = seccomp_watch_contains(watch, name);
                free(name);

                switch (rule->kind) {
                case SECCOMP_RULE_UNSET:
                        r = add_rule(&t, nr, SECCOMP_UNLISTED_ERRNO, NULL, 0);
                        break;
                case SECCOMP_RULE_ALLOW:
                        r = add_rule(&t, nr, 0, NULL, 0);
                        break;
                case SECCOMP_RULE_DENY:
                        r = add_rule(&t, nr, rule->errnum, NULL, 0);
                        break;
                case SECCOMP_RULE_FILTER:
                        if (rule->filter->n_rows == 0 || rule->filter->n_rows > ROWS_MAX)
                                r = -EINVAL;
                        else
                                r = compile_node(&t, nr, rule->filter, NULL, 0);
                        break;
                }
                if (r < 0) {
                        *ret_failed_nr = nr;
                        return r;
                }
        }
        return 0;
}

static int export_bpf(scmp_filter_ctx ctx, SeccompProgram *ret)
{
        _cleanup_close_ int fd = -EBADF;
        struct sock_filter *insns;
        struct stat st;
        size_t size, done = 0;
        int r;

        fd = memfd_create("airlock-seccomp-bpf", MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return r;
        if (fstat(fd, &st) < 0)
                return -errno;
        size = (size_t)st.st_size;
        if (size == 0 || size % sizeof(struct sock_filter) != 0)
                return -EBADMSG;
        if (size / sizeof(struct sock_filter) > BPF_MAXINSNS)
                return -E2BIG; /* the kernel would refuse it */

        insns = malloc(size);
        if (!insns)
                return -ENOMEM;
        while (done < size) {
                ssize_t n = pread(fd, (char *)insns + done, size - done, (off_t)done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        r = n < 0 ? -errno : -EIO;
                        free(insns);
                        return r;
                }
                done += (size_t)n;
        }
        ret->filter = insns;
        ret->len = (unsigned short)(size / sizeof(struct sock_filter));
        return 0;
}

static unsigned load_flags(bool log_denials, SeccompWatch watch)
{
        /* Logging is a flag of the load, not part of the program: with it, the kernel audits
         * every action but ALLOW (kernel.seccomp.actions_logged permitting). Without it, only
         * the kills are logged. A watching program asks for the listener fd the same way. */
        return (log_denials ? SECCOMP_FILTER_FLAG_LOG : 0) |
               (watch != SECCOMP_WATCH_NONE ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0);
}

int seccomp_builtin_name(const char *profile, SeccompWatch watch, char *buf, size_t size)
{
        int n = watch == SECCOMP_WATCH_NONE
                    ? snprintf(buf, size, "%s", profile)
                    : snprintf(buf, size, "%s@%s", profile, seccomp_watch_to_string(watch));

        return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* A copy of the build-time program, so that the caller owns what it gets either way. */
static int compile_builtin(const SeccompPolicy *p, bool log_denials, SeccompWatch watch,
                           SeccompProgram *ret)
{
        char key[64];

        if (seccomp_builtin_name(p->name, watch, key, sizeof(key)) < 0)
                return -ENOENT;
        for (const SeccompBuiltinProgram *b = seccomp_builtin_programs; b->name; b++) {
                struct sock_filter *insns;

                if (strcmp(b->name, key) != 0)
                        continue;
                insns = malloc(b->len * sizeof(*insns));
                if (!insns)
                        return -ENOMEM;
                memcpy(insns, b->filter, b->len * sizeof(*insns));
                *ret = (SeccompProgram){
                    .filter = insns,
                    .len = b->len,
                    .flags = load_flags(log_denials, watch),
                };
                return 0;
        }
        return -ENOENT;
}

int seccomp_policy_compile(const SeccompPolicy *p, bool log_denials, SeccompProgram *ret,
                           AirlockError *err)
{
        return seccomp_policy_compile_watched(p, log_denials, SECCOMP_WATCH_NONE, ret, err);
}

int seccomp_policy_compile_watched(const SeccompPolicy *p, bool log_denials, SeccompWatch watch,
                                   SeccompProgram *ret, AirlockError *err)
{
        if (p->builtin) {
                int r = compile_builtin(p, log_denials, watch, ret);

                if (r != -ENOENT)
                        return r < 0 ? airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, STEP,
                                                         "built-in profile '%s'", p->name)
                                     : 0;
        }
        return seccomp_policy_compile_fresh_watched(p, log_denials, watch, ret, err);
}

int seccomp_policy_compile_fresh(const SeccompPolicy *p, bool log_denials, SeccompProgram *ret,
                                 AirlockError *err)
{
        return seccomp_policy_compile_fresh_watched(p, log_denials, SECCOMP_WATCH_NONE, ret, err);
}

int seccomp_policy_compile_fresh_watched(const SeccompPolicy *p, bool log_denials,
                                         SeccompWatch watch, SeccompProgram *ret, AirlockError *err)
{
        SeccompProgram prog = {};
        scmp_filter_ctx ctx;
        int r, failed_nr = -1;

        ctx = seccomp_init(SCMP_ACT_ERRNO(SECCOMP_UNKNOWN_ERRNO));
        if (!ctx)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, ENOMEM, STEP, "seccomp_init");

        /* seccomp_init put in the native architecture only; the policy names x86_64 numbers */
        if (seccomp_arch_exist(ctx, SCMP_ARCH_X86_64) != 0) {
                r = airlock_error_set(err, AIRLOCK_ERR_SETUP, EAFNOSUPPORT, STEP,
                                      "the seccomp policy is for x86_64 only");
                goto out;
        }
        /* anything else, i386 by int 0x80 and x32 included, is an attack: kill it */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        /* no_new_privs is the sandbox's own step, before Landlock; the filter only describes */
        if (r >= 0)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        /* a binary tree of syscall numbers instead of a 360-long chain of comparisons */
        if (r >= 0)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        if (r < 0) {
                r = airlock_error_set(err, AIRLOCK_ERR_SETUP, r, STEP, "seccomp_attr_set");
                goto out;
        }

        r = compile_rules(ctx, watch, p, &failed_nr);
        if (r < 0) {
                char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, failed_nr);
                r = airlock_error_set(err, AIRLOCK_ERR_SETUP, r, STEP, "policy '%s': rule for %s",
                                      p->name, name ? name : "?");
                free(name);
                goto out;
        }

        r = export_bpf(ctx, &prog);
        if (r < 0) {
                r = airlock_error_set(err, AIRLOCK_ERR_SETUP, r, STEP, "exporting BPF of '%s'",
                                      p->name);
                goto out;
        }
        prog.flags = load_flags(log_denials, watch);
        *ret = prog;
        r = 0;
out:
        seccomp_release(ctx);
        return r;
}

void seccomp_program_done(SeccompProgram *p)
{
        if (!p)
                return;
        free(p->filter);
        *p = (SeccompProgram){};
}
