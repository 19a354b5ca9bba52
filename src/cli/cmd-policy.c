/* airlock policy show [PROFILE] | check FILE: the seccomp policy, readable and checkable. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "sandbox/result.h"
#include "seccomp/seccomp-policy.h"

static void usage(FILE *f)
{
        fputs("usage: airlock policy show [PROFILE]\n"
              "       airlock policy check FILE\n\n"
              "show prints every system call of the seccomp policy with its action and why\n"
              "(PROFILE: default, strict or a policy file; default: default).\n"
              "check validates a policy file and names the first bad line.\n"
              "See docs/SECCOMP.md for the file format.\n",
              f);
}

static int load(const char *name, SeccompPolicy **ret)
{
        AirlockError err = {0};
        char line[512];

        if (seccomp_policy_load_profile(name, ret, &err) >= 0)
                return 0;
        airlock_error_format(&err, line, sizeof(line));
        fprintf(stderr, "airlock: %s\n", line);
        return err.kind == AIRLOCK_ERR_USAGE ? AIRLOCK_EXIT_USAGE : AIRLOCK_EXIT_SETUP;
}

int cmd_policy(int argc, char **argv)
{
        _cleanup_seccomp_policy_ SeccompPolicy *p = NULL;
        int r;

        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                usage(stdout);
                return 0;
        }
        if (argc >= 2 && argc <= 3 && strcmp(argv[1], "show") == 0) {
                r = load(argc == 3 ? argv[2] : "default", &p);
                if (r != 0)
                        return r;
                return seccomp_policy_print(p, stdout) < 0 ? AIRLOCK_EXIT_INTERNAL : 0;
        }
        if (argc == 3 && strcmp(argv[1], "check") == 0) {
                r = load(argv[2], &p);
                if (r != 0)
                        return r;
                printf("airlock: %s: a valid seccomp policy\n", argv[2]);
                return 0;
        }
        usage(stderr);
        return AIRLOCK_EXIT_USAGE;
}
