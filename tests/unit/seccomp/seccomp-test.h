/* Helpers shared by the seccomp tests: compile a profile, ask its BPF about one call. */
#pragma once

#include <criterion/criterion.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpf-eval.h"
#include "seccomp/seccomp-internal.h"

#define RET_ALLOW       SECCOMP_RET_ALLOW
#define RET_ERRNO(e)    (SECCOMP_RET_ERRNO | ((uint32_t)(e)&SECCOMP_RET_DATA))
#define RET_KILL        SECCOMP_RET_KILL_PROCESS
#define X32_SYSCALL_BIT 0x40000000

static inline SeccompPolicy *load_profile(const char *name)
{
        AirlockError err = {};
        SeccompPolicy *p = NULL;

        cr_assert_eq(seccomp_policy_load_profile(name, &p, &err), 0, "%s: %s", name, err.message);
        return p;
}

static inline void compile_profile(const char *name, SeccompProgram *prog)
{
        AirlockError err = {};
        SeccompPolicy *p = load_profile(name);

        cr_assert_eq(seccomp_policy_compile(p, false, prog, &err), 0, "%s: %s", name, err.message);
        seccomp_policy_free(p);
}

static inline uint32_t eval_arch(const SeccompProgram *prog, uint32_t arch, int nr, uint64_t a0,
                                 uint64_t a1, uint64_t a2, uint64_t a3)
{
        struct seccomp_data d = {.nr = nr, .arch = arch, .args = {a0, a1, a2, a3, 0, 0}};
        uint32_t ret = 0;

        cr_assert_eq(bpf_eval(prog->filter, prog->len, &d, &ret), 0, "bad program at nr %d", nr);
        return ret;
}

static inline uint32_t eval_args(const SeccompProgram *prog, int nr, const uint64_t args[6])
{
        struct seccomp_data d = {.nr = nr, .arch = AUDIT_ARCH_X86_64};
        uint32_t ret = 0;

        memcpy(d.args, args, sizeof(d.args));
        cr_assert_eq(bpf_eval(prog->filter, prog->len, &d, &ret), 0, "bad program at nr %d", nr);
        return ret;
}

#define eval(prog, nr, ...) eval_n(prog, nr, __VA_ARGS__, 0, 0, 0, 0)
#define eval_n(prog, nr, a0, a1, a2, a3, ...)                                                      \
        eval_arch(prog, AUDIT_ARCH_X86_64, nr, (uint64_t)(a0), (uint64_t)(a1), (uint64_t)(a2),     \
                  (uint64_t)(a3))

/* Syscalls of Linux 6.5 to 6.7 that libseccomp 2.5.4 learnt only in Debian's 2.5.4-1+deb12u1:
 * with an older library they do not resolve, and take the default action (ENOSYS). */
static inline bool newer_than_libseccomp(const char *name)
{
        static const char *const newer[] = {"cachestat",  "fchmodat2",  "map_shadow_stack",
                                            "futex_wake", "futex_wait", "futex_requeue"};

        if (seccomp_syscall_nr(name) >= 0)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(newer); i++)
                if (strcmp(name, newer[i]) == 0) {
                        cr_log_warn("%s: unknown to this libseccomp, so ENOSYS", name);
                        return true;
                }
        return false;
}

static inline int nr_of(const char *name)
{
        int nr = seccomp_syscall_nr(name);

        cr_assert_geq(nr, 0, "%s does not resolve on x86_64", name);
        return nr;
}

/* The verdict of the tables (0 allow, else errno) as the value the BPF should return. */
static inline uint32_t expected_ret(int verdict)
{
        return verdict == 0 ? RET_ALLOW : RET_ERRNO(verdict);
}

/* Values a hostile program would try: each row's own values, with dirty upper halves and a few
 * flag bits, and plain random numbers. */
static inline uint64_t interesting(const SeccompArgFilter *f, unsigned arg)
{
        uint64_t v = ((uint64_t)random() << 33) ^ ((uint64_t)random() << 2) ^ (uint64_t)random();

        switch (random() % 4) {
        case 0:
                return v;
        case 1:
                return v & 0xff;
        default: {
                const SeccompArgRow *row = &f->rows[random() % f->n_rows];
                for (size_t d = 0; d < SECCOMP_ARG_MAX_CONDS && row->conds[d].mask; d++)
                        if (row->conds[d].arg == arg) {
                                uint64_t noise = random() % 2 ? v & ~row->conds[d].mask : 0;
                                if (random() % 8 == 0)
                                        noise ^= UINT64_C(1) << (random() % 64);
                                return row->conds[d].value | noise;
                        }
                return v;
        }
        }
}
