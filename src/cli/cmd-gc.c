/* airlock gc: remove what a killed airlock left behind (its janitor normally does this). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "commands.h"
#include "sandbox/result.h"

int cmd_gc(int argc, char **argv)
{
        CgroupHost host;
        AirlockError err = {0};
        char line[512];
        int r;

        if (argc > 1) {
                if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                        printf("usage: airlock gc\n\nKills and removes this user's airlock "
                               "cgroups that no running airlock holds.\n");
                        return 0;
                }
                fprintf(stderr, "airlock: gc: unexpected argument '%s'\n", argv[1]);
                return AIRLOCK_EXIT_USAGE;
        }
        r = cgroup_host_open(NULL, CGROUP_VERSION_NONE, geteuid(), &host, &err);
        if (r >= 0) {
                r = cgroup_gc(&host, &err);
                cgroup_host_close(&host);
        }
        if (r < 0) {
                airlock_error_format(&err, line, sizeof(line));
                fprintf(stderr, "airlock: gc: %s\n", line);
                return AIRLOCK_EXIT_SETUP;
        }
        printf("airlock: gc removed %d stale cgroup%s\n", r, r == 1 ? "" : "s");
        return 0;
}
