/* airlock delegate UID[:GID]: as root, give an ordinary user a cgroup subtree of its own so that
 * it can run airlock with enforced limits (what systemd's Delegate= does on cgroup v2 hosts). */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "basic/parse.h"
#include "cgroup/cgroup.h"
#include "commands.h"
#include "sandbox/result.h"

static int parse_ids(const char *arg, uid_t *uid, gid_t *gid)
{
        char buf[32];
        const char *colon = strchr(arg, ':');
        uint32_t u, g;

        if (strlen(arg) >= sizeof(buf))
                return -EINVAL;
        snprintf(buf, sizeof(buf), "%.*s", colon ? (int)(colon - arg) : (int)strlen(arg), arg);
        if (parse_uint32(buf, &u) < 0)
                return -EINVAL;
        if (colon) {
                if (parse_uint32(colon + 1, &g) < 0)
                        return -EINVAL;
        } else {
                struct passwd *pw = getpwuid(u);

                g = pw ? pw->pw_gid : u;
        }
        *uid = u;
        *gid = g;
        return 0;
}

int cmd_delegate(int argc, char **argv)
{
        CgroupHost host;
        AirlockError err = {0};
        char line[512];
        uid_t uid;
        gid_t gid;
        int r;

        if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                printf("usage: airlock delegate UID[:GID]\n\nAs root: creates the cgroup "
                       "subtree airlock/user-UID owned by UID, so that\nthis user can run "
                       "sandboxes with cgroup limits without being root.\n");
                return 0;
        }
        if (argc != 2 || parse_ids(argv[1], &uid, &gid) < 0) {
                fprintf(stderr,
                        "airlock: delegate: expected UID[:GID] (see airlock delegate --help)\n");
                return AIRLOCK_EXIT_USAGE;
        }
        if (geteuid() != 0) {
                fprintf(stderr, "airlock: delegate: only root can delegate cgroups\n");
                return AIRLOCK_EXIT_USAGE;
        }
        r = cgroup_host_open(NULL, CGROUP_VERSION_NONE, 0, &host, &err);
        if (r >= 0) {
                r = cgroup_delegate(&host, uid, gid, &err);
                cgroup_host_close(&host);
        }
        if (r < 0) {
                airlock_error_format(&err, line, sizeof(line));
                fprintf(stderr, "airlock: delegate: %s\n", line);
                return AIRLOCK_EXIT_SETUP;
        }
        printf("airlock: uid %u may now run sandboxes with cgroup limits\n", (unsigned)uid);
        return 0;
}
