/* airlock: run untrusted code in a fresh, ephemeral sandbox. This file only dispatches. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "sandbox/result.h"

static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *summary;
} commands[] = {
    {"run", cmd_run, "run one command in a fresh sandbox and report what happened"},
    {"check", cmd_check, "show what this host's kernel offers and whether airlock can run"},
    {"policy", cmd_policy, "show or check a seccomp policy"},
    {"serve", cmd_serve, "run the HTTP/JSON execution service"},
    {"scan", cmd_scan, "look for dangerous patterns in Python or shell code before it runs"},
    {"gc", cmd_gc, "remove cgroups a killed airlock left behind"},
    {"delegate", cmd_delegate, "(root) let an ordinary user run airlock with cgroup limits"},
};

static void usage(FILE *f)
{
        fprintf(f, "usage: airlock COMMAND [OPTIONS]\n\ncommands:\n");
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
        fprintf(f, "\n'airlock COMMAND --help' describes each command.\n");
}

int main(int argc, char **argv)
{
        if (argc < 2) {
                usage(stderr);
                return AIRLOCK_EXIT_USAGE;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
            strcmp(argv[1], "help") == 0) {
                usage(stdout);
                return 0;
        }
        if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
                printf("airlock %s\n", AIRLOCK_VERSION);
                return 0;
        }
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (strcmp(argv[1], commands[i].name) == 0)
                        return commands[i].run(argc - 1, argv + 1);
        fprintf(stderr, "airlock: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return AIRLOCK_EXIT_USAGE;
}
