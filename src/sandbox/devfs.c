#include "devfs.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/macros.h"
#include "mount-util.h"

static const char *const device_nodes[] = {"null", "zero", "full", "random", "urandom"};

static const struct {
        const char *name, *target;
} device_links[] = {
    {"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"}, {"ptmx", "pts/ptmx"},
};

int devfs_prepare(void)
{
        char dst[64];

        if (mkdir("dev", 0755) < 0)
                return negative_errno();
        for (size_t i = 0; i < ELEMENTSOF(device_nodes); i++) {
                int fd;

                snprintf(dst, sizeof(dst), "dev/%s", device_nodes[i]);
                fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
                if (fd < 0)
                        return negative_errno();
                close(fd);
        }
        for (size_t i = 0; i < ELEMENTSOF(device_links); i++) {
                snprintf(dst, sizeof(dst), "dev/%s", device_links[i].name);
                if (symlink(device_links[i].target, dst) < 0)
                        return negative_errno();
        }
        if (mkdir("dev/pts", 0755) < 0 || mkdir("dev/shm", 01777) < 0)
                return negative_errno();
        return 0;
}

int devfs_mount(unsigned long long shm_bytes)
{
        char src[64], dst[64];
        int r;

        /* A user namespace cannot mknod; binding the host's own nodes is the only way, and the
         * binds keep their device semantics (the rest of the tree is nodev). */
        for (size_t i = 0; i < ELEMENTSOF(device_nodes); i++) {
                snprintf(src, sizeof(src), "/dev/%s", device_nodes[i]);
                snprintf(dst, sizeof(dst), "dev/%s", device_nodes[i]);
                r = mount_bind(src, dst, MOUNT_BIND_WRITABLE | MOUNT_BIND_DEVICES);
                if (r < 0)
                        return r;
        }
        /* newinstance: the sandbox's ptys are its own, not the host's. */
        if (mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                  "newinstance,ptmxmode=0666,mode=0620") < 0)
                return negative_errno();
        return mount_tmpfs("dev/shm", shm_bytes, "mode=1777");
}
