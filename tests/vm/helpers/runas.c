/* runas UID GID CMD...: drops to an ordinary user and execs CMD (busybox has no setpriv). */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        uid_t uid;
        gid_t gid;

        if (argc < 4) {
                fprintf(stderr, "usage: runas UID GID CMD...\n");
                return 2;
        }
        uid = (uid_t)atol(argv[1]);
        gid = (gid_t)atol(argv[2]);
        if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
            setresuid(uid, uid, uid) < 0) {
                perror("runas");
                return 1;
        }
        execv(argv[3], argv + 3);
        perror("runas: exec");
        return 127;
}
