#include "etcfs.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/macros.h"
#include "config/limits.h"
#include "fs-util.h"
#include "mount-util.h"
#include "net/node-proxy.h"

#define STR_(x) #x
#define STR(x)  STR_(x)

static const struct {
        const char *name;
        const char *content;
} synthetic_files[] = {
    {"passwd",
     "root:x:0:0:root:/root:/usr/sbin/nologin\n" AIRLOCK_SANDBOX_USER ":x:" STR(1000) ":" STR(
         1000) ":airlock sandbox:" AIRLOCK_HOME_DIR
               ":/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"},
    {"group", "root:x:0:\n" AIRLOCK_SANDBOX_USER ":x:" STR(1000) ":\nnogroup:x:65534:\n"},
    {"hosts", "127.0.0.1\tlocalhost " AIRLOCK_HOSTNAME "\n::1\tlocalhost ip6-localhost "
              "ip6-loopback\n"},
    {"hostname", AIRLOCK_HOSTNAME "\n"},
};

/* No network by default: only /etc/hosts, and an empty resolver config, so lookups fail fast.
 * With --allow-net, the gateway's DNS responder on the sandbox's loopback. */
static const struct {
        const char *nsswitch, *resolv;
} resolver_files[2] = {
    {"passwd: files\ngroup: files\nshadow: files\nhosts: files\nnetworks: files\n"
     "protocols: files\nservices: files\n",
     ""},
    {"passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\n"
     "protocols: files\nservices: files\n",
     "nameserver 127.0.0.1\noptions timeout:2 attempts:1\n"},
};

/* Host /etc entries shown read-only, looked up by exact name (no directory scan: this runs on
 * every start). Each is needed by a runtime the sandbox offers; everything else in the host's
 * /etc stays invisible. */
static const char *const host_entries[] = {
    "alternatives", /* /usr/bin/cc, awk, editor... are links through here */
    "ld.so.cache",  /* the dynamic loader's library index */
    "ld.so.conf",
    "ld.so.conf.d",
    "ssl", /* CA certificates for TLS clients */
    "ca-certificates",
    "ca-certificates.conf",
    "fonts",   /* fontconfig, for matplotlib and friends */
    "python3", /* sitecustomize and friends, for each interpreter Debian ships */
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.14",
    "matplotlibrc", /* Debian's matplotlib reads its defaults here */
    "localtime",
    "timezone",
    "mime.types",
    "protocols",
    "services",
    "gai.conf",
    "os-release",
    "debian_version",
    "bash.bashrc",
    "profile",
    "inputrc",
    "magic",
    "magic.mime",
};

static int write_file(int dirfd, const char *name, const char *content)
{
        _cleanup_close_ int fd = -EBADF;
        size_t len = strlen(content);

        fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return negative_errno();
        if (len && write(fd, content, len) != (ssize_t)len)
                return -EIO;
        return 0;
}

/* With --allow-net, the Node preload shim that NODE_OPTIONS names (environ.c): Node ignores the
 * proxy variables, and the gateway is the only way out. */
static int write_node_proxy(int etc_fd)
{
        _cleanup_close_ int dir_fd = -EBADF;

        if (mkdirat(etc_fd, NODE_PROXY_DIR, 0755) < 0)
                return negative_errno();
        dir_fd = openat(etc_fd, NODE_PROXY_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dir_fd < 0)
                return negative_errno();
        return write_file(dir_fd, NODE_PROXY_NAME, node_proxy_js);
}

/* Regular files are copied rather than bound: a copy costs a few cheap syscalls, a bind takes
 * the mount lock twice; the root is remounted read-only afterwards either way. */
static int copy_file(const char *src, const char *dst)
{
        _cleanup_close_ int in = -EBADF, out = -EBADF;

        in = open(src, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (in < 0)
                return errno == EACCES ? 0 : negative_errno(); /* not for us to see */
        out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (out < 0)
                return negative_errno();
        return fs_copy_data(in, out, UINT64_MAX, NULL);
}

/* Mirrors one host entry: a symlink is recreated as the same symlink, a file is copied, a
 * directory is bound read-only. */
static int mirror_entry(const char *host_etc, const char *name, MountBindFlags bind_flags)
{
        char src[PATH_MAX], dst[PATH_MAX], target[PATH_MAX];
        struct stat st;
        ssize_t n;
        int r;

        if (snprintf(src, sizeof(src), "%s/%s", host_etc, name) >= (int)sizeof(src) ||
            snprintf(dst, sizeof(dst), "etc/%s", name) >= (int)sizeof(dst))
                return -ENAMETOOLONG;
        if (lstat(src, &st) < 0)
                return 0;
        if (S_ISLNK(st.st_mode)) {
                n = readlink(src, target, sizeof(target) - 1);
                if (n < 0)
                        return negative_errno();
                target[n] = '\0';
                return symlink(target, dst) < 0 ? negative_errno() : 0;
        }
        if (S_ISREG(st.st_mode))
                return copy_file(src, dst);
        if (!S_ISDIR(st.st_mode))
                return 0;
        r = mount_make_target(src, dst);
        if (r < 0)
                return r;
        return mount_bind(src, dst, MOUNT_BIND_RECURSIVE | bind_flags);
}

int etcfs_build(const char *sysroot, MountBindFlags bind_flags, bool network)
{
        _cleanup_close_ int etc_fd = -EBADF;
        char host_etc[PATH_MAX];
        int r;

        if (mkdir("etc", 0755) < 0)
                return negative_errno();
        etc_fd = open("etc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (etc_fd < 0)
                return negative_errno();
        for (size_t i = 0; i < ELEMENTSOF(synthetic_files); i++) {
                r = write_file(etc_fd, synthetic_files[i].name, synthetic_files[i].content);
                if (r < 0)
                        return r;
        }
        r = write_file(etc_fd, "nsswitch.conf", resolver_files[network].nsswitch);
        if (r >= 0)
                r = write_file(etc_fd, "resolv.conf", resolver_files[network].resolv);
        if (r >= 0 && network)
                r = write_node_proxy(etc_fd);
        if (r < 0)
                return r;
        snprintf(host_etc, sizeof(host_etc), "%s/etc", strcmp(sysroot, "/") ? sysroot : "");
        /* A --rootfs without /etc, or without some entry, just gets less. */
        for (size_t i = 0; i < ELEMENTSOF(host_entries); i++) {
                r = mirror_entry(host_etc, host_entries[i], bind_flags);
                if (r < 0)
                        return r;
        }
        return 0;
}
