#include "userns.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "basic/macros.h"
#include "config/limits.h"

static int write_proc_file(pid_t pid, const char *name, const char *content, AirlockError *err)
{
        _cleanup_close_ int fd = -EBADF;
        char path[64];
        size_t len = strlen(content);

        snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "write user namespace maps",
                                         "open %s", path);
        if (write(fd, content, len) != (ssize_t)len)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "write user namespace maps",
                                         "%s", name);
        return 0;
}

int userns_write_maps(pid_t child, uid_t host_uid, gid_t host_gid, bool rootless, AirlockError *err)
{
        char map[64];
        int r;

        if (rootless) {
                r = write_proc_file(child, "setgroups", "deny", err);
                if (r < 0)
                        return r;
        }
        snprintf(map, sizeof(map), "%u %u 1\n", AIRLOCK_SANDBOX_UID, (unsigned)host_uid);
        r = write_proc_file(child, "uid_map", map, err);
        if (r < 0)
                return r;
        snprintf(map, sizeof(map), "%u %u 1\n", AIRLOCK_SANDBOX_GID, (unsigned)host_gid);
        return write_proc_file(child, "gid_map", map, err);
}
