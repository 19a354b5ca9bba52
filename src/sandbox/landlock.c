#include "landlock.h"

#include <fcntl.h>
#include <linux/landlock.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "basic/macros.h"
#include "canaries.h"
#include "config/limits.h"
#include "net/gateway.h"

/* Debian 12's headers stop at ABI 2; these are the kernel's values for the newer ABIs. */
#define LL_FS_EXECUTE                 (1ULL << 0)
#define LL_FS_WRITE_FILE              (1ULL << 1)
#define LL_FS_READ_FILE               (1ULL << 2)
#define LL_FS_READ_DIR                (1ULL << 3)
#define LL_FS_REMOVE_DIR              (1ULL << 4)
#define LL_FS_REMOVE_FILE             (1ULL << 5)
#define LL_FS_MAKE_CHAR               (1ULL << 6)
#define LL_FS_MAKE_DIR                (1ULL << 7)
#define LL_FS_MAKE_REG                (1ULL << 8)
#define LL_FS_MAKE_SOCK               (1ULL << 9)
#define LL_FS_MAKE_FIFO               (1ULL << 10)
#define LL_FS_MAKE_BLOCK              (1ULL << 11)
#define LL_FS_MAKE_SYM                (1ULL << 12)
#define LL_FS_REFER                   (1ULL << 13) /* ABI 2 */
#define LL_FS_TRUNCATE                (1ULL << 14) /* ABI 3 */
#define LL_FS_IOCTL_DEV               (1ULL << 15) /* ABI 5 */
#define LL_NET_BIND_TCP               (1ULL << 0)  /* ABI 4 */
#define LL_NET_CONNECT_TCP            (1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL               (1ULL << 1)
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif

/* The kernel takes a prefix of this struct sized for the ABI in use. */
struct ll_ruleset_attr {
        uint64_t handled_access_fs;
        uint64_t handled_access_net;
        uint64_t scoped;
};

struct ll_net_port_attr {
        uint64_t allowed_access;
        uint64_t port;
};

struct ll_path_beneath_attr {
        uint64_t allowed_access;
        int32_t parent_fd;
} __attribute__((packed));

#define LL_READ (LL_FS_READ_FILE | LL_FS_READ_DIR)
#define LL_RX   (LL_READ | LL_FS_EXECUTE)
/* Everything but device nodes, which a sandbox has no business making. */
#define LL_RW                                                                                      \
        (LL_RX | LL_FS_WRITE_FILE | LL_FS_REMOVE_DIR | LL_FS_REMOVE_FILE | LL_FS_MAKE_DIR |        \
         LL_FS_MAKE_REG | LL_FS_MAKE_SOCK | LL_FS_MAKE_FIFO | LL_FS_MAKE_SYM | LL_FS_REFER |       \
         LL_FS_TRUNCATE)

/* The sandbox's own layout (docs/SETUP_SEQUENCE.md). Paths that do not exist are skipped. */
static const struct {
        const char *path;
        uint64_t access;
} layout_rules[] = {
    /* Listing directories reveals only the names of what the sandbox was given. */
    {"/", LL_FS_READ_DIR},
    {"/usr", LL_RX},
    {"/bin", LL_RX},
    {"/sbin", LL_RX},
    {"/lib", LL_RX},
    {"/lib32", LL_RX},
    {"/lib64", LL_RX},
    {"/libx32", LL_RX},
    {"/etc", LL_READ},
    /* Programs read their own /proc entries; writes go to their own (/proc/self/...), the
     * kernel-wide parts are hidden or read-only mounts. */
    {"/proc", LL_READ | LL_FS_WRITE_FILE},
    /* null, zero, full, random, urandom and the ptys: read, write, and terminal ioctls. */
    {"/dev", LL_READ | LL_FS_WRITE_FILE | LL_FS_IOCTL_DEV | LL_FS_TRUNCATE},
    {"/dev/shm", LL_RW},
    {"/tmp", LL_RW},
    {AIRLOCK_SCRATCH_DIR, LL_RW},
};

static uint64_t fs_access_for_abi(int abi)
{
        uint64_t all = (LL_FS_MAKE_SYM << 1) - 1;

        if (abi >= 2)
                all |= LL_FS_REFER;
        if (abi >= 3)
                all |= LL_FS_TRUNCATE;
        if (abi >= 5)
                all |= LL_FS_IOCTL_DEV;
        return all;
}

int landlock_probe_abi(void)
{
        long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

        return abi < 0 ? 0 : (int)abi;
}

static int add_rule(int ruleset, const char *path, uint64_t access, uint64_t handled,
                    AirlockError *err)
{
        struct ll_path_beneath_attr rule = {.allowed_access = access & handled};
        _cleanup_close_ int fd = open(path, O_PATH | O_CLOEXEC);

        if (fd < 0) {
                if (errno == ENOENT)
                        return 0;
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "landlock", "open %s",
                                         path);
        }
        rule.parent_fd = fd;
        /* Rights that only make sense on directories are refused on a file: keep the rest. */
        if (access & LL_FS_READ_DIR) {
                struct stat st;

                if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
                        rule.allowed_access &= LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE |
                                               LL_FS_TRUNCATE | LL_FS_IOCTL_DEV;
        }
        if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "landlock", "rule for %s",
                                         path);
        return 0;
}

/* Rights follow the place in the layout, not the mount: a --bind under /work is writable, one
 * under /usr readable, and one anywhere else (say /data) unreachable. Landlock thereby holds
 * the layout even where a bind, by mistake or by design, put more into the mount namespace. */
static int add_rules(int ruleset, uint64_t handled, AirlockError *err)
{
        for (size_t i = 0; i < ELEMENTSOF(layout_rules); i++) {
                int r =
                    add_rule(ruleset, layout_rules[i].path, layout_rules[i].access, handled, err);

                if (r < 0)
                        return r;
        }
        return 0;
}

/* --audit's canaries (canaries.h) sit where the layout grants nothing (/root, /run): each gets
 * the right to be read, and nothing else, or opening it would fail before inotify saw it. */
static int add_canary_rules(const SandboxContext *ctx, int ruleset, uint64_t handled,
                            AirlockError *err)
{
        for (size_t i = 0; i < ctx->n_canaries; i++) {
                struct ll_path_beneath_attr rule = {.allowed_access = LL_FS_READ_FILE & handled};
                _cleanup_close_ int fd = open(ctx->canaries[i].path, O_PATH | O_CLOEXEC);

                if (fd < 0 || !canaries_still_there(fd))
                        continue; /* covered by a --bind: the bind's place decides */
                rule.parent_fd = fd;
                if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) <
                    0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "landlock",
                                                 "rule for canary %s", ctx->canaries[i].path);
        }
        return 0;
}

/* A ruleset that handles everything this ABI knows: with no rules added, it forbids it all. */
static int create_ruleset(int abi, struct ll_ruleset_attr *attr, AirlockError *err)
{
        size_t attr_size = sizeof(attr->handled_access_fs);
        int ruleset;

        *attr = (struct ll_ruleset_attr){.handled_access_fs = fs_access_for_abi(abi)};
        if (abi >= 4) {
                /* No rule grants a port: TCP bind and connect are refused unless a rule for
                 * the gateway's port is added. */
                attr->handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
                attr_size = offsetof(struct ll_ruleset_attr, scoped);
        }
        if (abi >= 6) {
                /* Signals and abstract unix sockets stay within the domain: not even pid 1
                 * (outside the sandbox's domain) can be signalled. */
                attr->scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
                attr_size = sizeof(*attr);
        }
        ruleset = (int)syscall(SYS_landlock_create_ruleset, attr, attr_size, 0);
        if (ruleset < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "landlock",
                                         "create ruleset (ABI %d)", abi);
        return ruleset;
}

int landlock_restrict_all(int abi, AirlockError *err)
{
        struct ll_ruleset_attr attr;
        _cleanup_close_ int ruleset = -EBADF;

        ruleset = create_ruleset(abi, &attr, err);
        if (ruleset < 0)
                return ruleset;
        if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "landlock",
                                         "restrict self");
        return 0;
}

int landlock_apply(SandboxContext *ctx, AirlockError *err)
{
        struct ll_ruleset_attr attr;
        _cleanup_close_ int ruleset = -EBADF;
        int abi = ctx->landlock_abi, r;

        if (abi <= 0)
                return 0; /* the caller asked for --allow-no-landlock; the parent checked */
        ruleset = create_ruleset(abi, &attr, err);
        if (ruleset < 0)
                return ruleset;
        r = add_rules(ruleset, attr.handled_access_fs, err);
        if (r >= 0)
                r = add_canary_rules(ctx, ruleset, attr.handled_access_fs, err);
        if (r < 0)
                return r;
        /* With --allow-net, the one TCP port the program may connect to: the gateway's. */
        if (abi >= 4 && ctx->config->n_allow_net > 0) {
                struct ll_net_port_attr port = {.allowed_access = LL_NET_CONNECT_TCP,
                                                .port = AIRLOCK_PROXY_PORT};

                if (syscall(SYS_landlock_add_rule, ruleset, 2 /* LANDLOCK_RULE_NET_PORT */, &port,
                            0) < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "landlock",
                                                 "rule for the gateway's port");
        }
        if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "landlock",
                                         "restrict self");
        return 0;
}
