/* `airlock policy show`: every syscall libseccomp knows on x86_64, in number order, with its
 * action and the reason, then the argument rows of the filtered ones. */
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp-internal.h"

static const char *errno_text(int errnum, char *buf, size_t size)
{
        const char *name;

        if (errnum == 0)
                return "allow";
        name = strerrorname_np(errnum);
        if (name)
                snprintf(buf, size, "%s", name);
        else
                snprintf(buf, size, "errno %d", errnum);
        return buf;
}

static void print_filter(const SeccompArgFilter *f, FILE *out)
{
        bool used[6] = {};
        char e[32];

        for (size_t i = 0; i < f->n_rows; i++) {
                const SeccompArgRow *row = &f->rows[i];
                char conds[160] = "";
                size_t len = 0;

                for (size_t d = 0; d < SECCOMP_ARG_MAX_CONDS && row->conds[d].mask; d++) {
                        const SeccompArgCond *c = &row->conds[d];
                        const char *arg = f->arg_names[c->arg];
                        int n;

                        used[c->arg] = true;
                        n = snprintf(conds + len, sizeof(conds) - len, "%s%s=%s", d ? " " : "",
                                     arg ? arg : "arg", c->label ? c->label : "?");
                        if (n < 0 || (size_t)n >= sizeof(conds) - len)
                                break;
                        len += (size_t)n;
                }
                fprintf(out, "      %-15s %-44s %s\n", errno_text(row->errnum, e, sizeof(e)), conds,
                        row->reason ? row->reason : "");
        }
        for (int a = 0; a < 6; a++) {
                char what[64];

                if (!used[a])
                        continue;
                snprintf(what, sizeof(what), "any other %s",
                         f->arg_names[a] ? f->arg_names[a] : "value");
                fprintf(out, "      %-15s %-44s %s\n",
                        errno_text(f->otherwise[a].errnum, e, sizeof(e)), what,
                        f->otherwise[a].reason ? f->otherwise[a].reason : "");
        }
}

int seccomp_policy_print(const SeccompPolicy *p, FILE *out)
{
        const SeccompProfile *profile = seccomp_profile_find(p->name);
        char e[32];

        fprintf(out, "# seccomp policy '%s'%s%s\n", p->name, profile ? ": " : "",
                profile ? profile->summary : "");
        fprintf(out, "# x86_64 only: other architectures (i386 through int 0x80, x32) kill the "
                     "process.\n");
        fprintf(out, "# Syscall numbers this libseccomp does not know get ENOSYS.\n");
        fprintf(out, "# %3s %-24s %-15s %s\n", "nr", "syscall", "action", "reason");

        for (int nr = 0; nr < SECCOMP_POLICY_NR_MAX; nr++) {
                const SeccompRule *r = &p->rules[nr];
                char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
                char where[64] = "";
                const char *action, *reason = r->reason;

                if (!name)
                        continue;
                switch (r->kind) {
                case SECCOMP_RULE_UNSET:
                        action = errno_text(SECCOMP_UNLISTED_ERRNO, e, sizeof(e));
                        reason = "in no table: denied";
                        break;
                case SECCOMP_RULE_ALLOW:
                        action = "allow";
                        break;
                case SECCOMP_RULE_DENY:
                        action = errno_text(r->errnum, e, sizeof(e));
                        break;
                case SECCOMP_RULE_FILTER:
                default:
                        action = "by argument";
                        break;
                }
                if (r->line > 0)
                        snprintf(where, sizeof(where), "%s:%u", p->name, r->line);
                if (!reason) /* a file rule without a comment */
                        fprintf(out, "  %3d %-24s %-15s %s\n", nr, name, action, where);
                else if (r->line > 0)
                        fprintf(out, "  %3d %-24s %-15s %s (%s)\n", nr, name, action, reason,
                                where);
                else
                        fprintf(out, "  %3d %-24s %-15s %s\n", nr, name, action, reason);
                free(name);
                if (r->kind == SECCOMP_RULE_FILTER)
                        print_filter(r->filter, out);
        }
        return ferror(out) ? -EIO : 0;
}
