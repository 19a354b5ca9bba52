/* Build-time tool: compiles each built-in profile with libseccomp and writes the BPF as a C
 * table (seccomp-builtin.c), so that a run only copies it. Usage: seccomp-gen OUTPUT.c */
#include <linux/filter.h>
#include <stdio.h>
#include <string.h>

#include "seccomp-internal.h"

/* seccomp-gen links the compiler, which looks here first: nothing is built in yet. */
const SeccompBuiltinProgram seccomp_builtin_programs[] = {{NULL, NULL, 0}};

static const char *const profiles[] = {"default", "strict"};
/* Each profile once per mode of --audit: off, alerts, alerts with every open, full. */
static const SeccompWatch watches[] = {SECCOMP_WATCH_NONE, SECCOMP_WATCH_ALERTS,
                                       SECCOMP_WATCH_OPENS, SECCOMP_WATCH_FULL};

#define N_PROFILES (sizeof(profiles) / sizeof(profiles[0]))
#define N_WATCHES  (sizeof(watches) / sizeof(watches[0]))

static void c_name(const char *key, char *buf, size_t size)
{
        size_t i;

        for (i = 0; key[i] && i + 1 < size; i++)
                buf[i] = key[i] == '@' ? '_' : key[i];
        buf[i] = '\0';
}

static int emit(FILE *f, const char *key, const SeccompProgram *prog)
{
        char name[64];

        c_name(key, name, sizeof(name));
        fprintf(f, "static const struct sock_filter %s_filter[%u] = {\n", name, prog->len);
        for (unsigned i = 0; i < prog->len; i++) {
                const struct sock_filter *in = &prog->filter[i];

                fprintf(f, "        {0x%04x, %u, %u, 0x%08x},\n", in->code, in->jt, in->jf, in->k);
        }
        return fprintf(f, "};\n\n") < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
        SeccompProgram progs[N_PROFILES * N_WATCHES] = {0};
        char keys[N_PROFILES * N_WATCHES][64];
        FILE *f;

        if (argc != 2) {
                fprintf(stderr, "usage: seccomp-gen OUTPUT.c\n");
                return 2;
        }
        for (size_t i = 0; i < N_PROFILES * N_WATCHES; i++) {
                const char *profile = profiles[i / N_WATCHES];
                SeccompWatch watch = watches[i % N_WATCHES];
                AirlockError err = {0};
                SeccompPolicy *p = NULL;
                char msg[512];

                if (seccomp_builtin_name(profile, watch, keys[i], sizeof(keys[i])) < 0 ||
                    seccomp_policy_load_profile(profile, &p, &err) < 0 ||
                    seccomp_policy_compile_fresh_watched(p, false, watch, &progs[i], &err) < 0) {
                        airlock_error_format(&err, msg, sizeof(msg));
                        fprintf(stderr, "seccomp-gen: %s: %s\n", keys[i], msg);
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
        for (size_t i = 0; i < N_PROFILES * N_WATCHES; i++)
                emit(f, keys[i], &progs[i]);
        fprintf(f, "const SeccompBuiltinProgram seccomp_builtin_programs[] = {\n");
        for (size_t i = 0; i < N_PROFILES * N_WATCHES; i++) {
                char name[64];

                c_name(keys[i], name, sizeof(name));
                fprintf(f, "        {\"%s\", %s_filter, %u},\n", keys[i], name, progs[i].len);
        }
        fprintf(f, "        {NULL, NULL, 0},\n};\n");
        for (size_t i = 0; i < N_PROFILES * N_WATCHES; i++)
                seccomp_program_done(&progs[i]);
        if (fclose(f) != 0) {
                perror(argv[1]);
                return 1;
        }
        return 0;
}
