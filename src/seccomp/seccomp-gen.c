/* Build-time tool: compiles each built-in profile with libseccomp and writes the BPF as a C
 * table (seccomp-builtin.c), so that a run only copies it. Usage: seccomp-gen OUTPUT.c */
#include <linux/filter.h>
#include <stdio.h>
#include <string.h>

#include "seccomp-internal.h"

/* seccomp-gen links the compiler, which looks here first: nothing is built in yet. */
const SeccompBuiltinProgram seccomp_builtin_programs[] = {{NULL, NULL, 0}};

static const char *const profiles[] = {"default", "strict"};

static int emit(FILE *f, const char *name, const SeccompProgram *prog)
{
        fprintf(f, "static const struct sock_filter %s_filter[%u] = {\n", name, prog->len);
        for (unsigned i = 0; i < prog->len; i++) {
                const struct sock_filter *in = &prog->filter[i];

                fprintf(f, "        {0x%04x, %u, %u, 0x%08x},\n", in->code, in->jt, in->jf, in->k);
        }
        return fprintf(f, "};\n\n") < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
        SeccompProgram progs[sizeof(profiles) / sizeof(profiles[0])] = {0};
        FILE *f;

        if (argc != 2) {
                fprintf(stderr, "usage: seccomp-gen OUTPUT.c\n");
                return 2;
        }
        for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
                AirlockError err = {0};
                SeccompPolicy *p = NULL;
                char msg[512];

                if (seccomp_policy_load_profile(profiles[i], &p, &err) < 0 ||
                    seccomp_policy_compile_fresh(p, false, &progs[i], &err) < 0) {
                        airlock_error_format(&err, msg, sizeof(msg));
                        fprintf(stderr, "seccomp-gen: %s: %s\n", profiles[i], msg);
                        return 1;
                }
                seccomp_policy_free(p);
        }
        f = fopen(argv[1], "we");
        if (!f) {
                perror(argv[1]);
                return 1;
        }
        fprintf(f, "/* Generated at build time by seccomp-gen from policy-*.c: do not edit. */\n"
                   "#include <linux/filter.h>\n\n#include \"seccomp/seccomp-internal.h\"\n\n");
        for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
                emit(f, profiles[i], &progs[i]);
        fprintf(f, "const SeccompBuiltinProgram seccomp_builtin_programs[] = {\n");
        for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
                fprintf(f, "        {\"%s\", %s_filter, %u},\n", profiles[i], profiles[i],
                        progs[i].len);
        fprintf(f, "        {NULL, NULL, 0},\n};\n");
        for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
                seccomp_program_done(&progs[i]);
        if (fclose(f) != 0) {
                perror(argv[1]);
                return 1;
        }
        return 0;
}
