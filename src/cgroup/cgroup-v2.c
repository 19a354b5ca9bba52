/* cgroup v2 backend: one hierarchy, controllers enabled top-down through cgroup.subtree_control,
 * cgroup.kill for the kill (kernel >= 5.14). */
#include "cgroup-internal.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "basic/macros.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define CPU_PERIOD_USEC 100000ULL

static int v2_open_hierarchies(int root_fd, CgroupHier hier[CGROUP_MAX_HIER], size_t *ret_n,
                               char *why, size_t why_size)
{
        _cleanup_free_ char *controllers = NULL;
        struct statfs sfs;
        char missing[64];
        int fd, r;

        /* A real cgroup2 mount is recognised by its magic; a fake tree in a unit test by the file
         * every cgroup2 directory has. Either way the controllers are what decides. */
        why[0] = '\0';
        if (fstatfs(root_fd, &sfs) < 0)
                return negative_errno();
        if ((unsigned long)sfs.f_type != CGROUP2_SUPER_MAGIC &&
            faccessat(root_fd, "cgroup.controllers", F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
                snprintf(why, why_size, "not a cgroup2 mount");
                return -ENOMEDIUM;
        }
        r = cg_read(root_fd, "cgroup.controllers", &controllers);
        if (r < 0) {
                snprintf(why, why_size, "cannot read cgroup.controllers");
                return r;
        }
        cg_missing_words(controllers, cgroup_required_controllers, missing, sizeof(missing));
        if (missing[0]) {
                snprintf(why, why_size, "controllers not available: %s", missing);
                return -ENOENT;
        }
        fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0) {
                snprintf(why, why_size, "dup: %m");
                return negative_errno();
        }
        hier[0] = (CgroupHier){.fd = fd,
                               .parent_fd = -EBADF,
                               .roles = CG_REQUIRED | CG_CPUACCT | CG_FREEZER,
                               .name = "unified"};
        *ret_n = 1;
        return 0;
}

/* Makes memory, pids and cpu available to the children of dir_fd. Writes only what is missing:
 * re-enabling is harmless, but a caller that may not write the file should not have to. */
static int enable_controllers(int dir_fd)
{
        _cleanup_free_ char *enabled = NULL;
        char missing[64], cmd[80] = "";
        int r;

        r = cg_read(dir_fd, "cgroup.subtree_control", &enabled);
        if (r < 0)
                return r;
        cg_missing_words(enabled, cgroup_required_controllers, missing, sizeof(missing));
        if (!missing[0])
                return 0;
        for (const char *p = missing; *p;) {
                size_t len = strcspn(p, " ");

                snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), "%s+%.*s", cmd[0] ? " " : "",
                         (int)len, p);
                p += len + (p[len] == ' ');
        }
        return cg_write(dir_fd, "cgroup.subtree_control", cmd);
}

/* mkdir + enable_controllers, tolerating a parent that exists already. */
static int make_parent(int dir_fd, const char *name)
{
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = cg_mkdirat(dir_fd, name, 0755, CGROUP_VERSION_V2, "unified");
        if (r < 0 && r != -EEXIST)
                return r;
        fd = cg_open_dir(dir_fd, name);
        if (fd < 0)
                return fd;
        return enable_controllers(fd);
}

/* Whether the caller may make run groups below dir (relative to root_fd). */
static bool writable(int root_fd, const char *dir)
{
        static const char *const files[] = {".", "cgroup.procs", "cgroup.subtree_control"};
        _cleanup_close_ int fd = cg_open_dir(root_fd, dir);

        if (fd < 0)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (faccessat(fd, files[i], W_OK, AT_EACCESS) < 0)
                        return false;
        return true;
}

/* systemd's user delegation (Delegate=yes) hands the caller its own group. The v2 rule "no
 * processes in a group whose controllers are enabled for children" means we cannot stay in it:
 * we move ourselves (all threads) into the leaf "<own>/airlock-self", enable the controllers in
 * <own>, and make run groups below "<own>/airlock". If other processes share <own>, enabling
 * fails with EBUSY and we say so. A second call finds us in airlock-self and reuses the layout. */
static int setup_self_delegation(CgroupHost *host, const char *self, AirlockError *err)
{
        _cleanup_free_ char *base = NULL, *parent = NULL, *controllers = NULL;
        _cleanup_close_ int base_fd = -EBADF;
        char *slash;
        int r;

        base = strdup(self);
        if (!base)
                return -ENOMEM;
        slash = strrchr(base, '/');
        if (slash && strcmp(slash + 1, CGROUP_SELF_LEAF) == 0)
                *slash = '\0';
        if (!base[0] || !writable(host->root_fd, base))
                return -EACCES;
        base_fd = cg_open_dir(host->root_fd, base);
        if (base_fd < 0)
                return base_fd;
        r = cg_read(base_fd, "cgroup.controllers", &controllers);
        if (r < 0)
                return r;
        for (size_t i = 0; cgroup_required_controllers[i]; i++)
                if (!cg_has_word(controllers, cgroup_required_controllers[i]))
                        return -EACCES; /* not delegated with these controllers */

        if (strcmp(base, self) == 0) {
                r = cg_mkdirat(base_fd, CGROUP_SELF_LEAF, 0755, CGROUP_VERSION_V2, "unified");
                if (r < 0 && r != -EEXIST)
                        return r;
                /* "0" is the writing process, with all its threads. */
                r = cg_write(base_fd, CGROUP_SELF_LEAF "/cgroup.procs", "0");
                if (r < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup",
                                                 "cannot move airlock into %s/%s", base,
                                                 CGROUP_SELF_LEAF);
        }
        r = enable_controllers(base_fd);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup",
                                         "cannot enable controllers in %s%s", base,
                                         r == -EBUSY ? " (other processes live in it: run "
                                                       "airlock in a scope of its own)"
                                                     : "");
        r = make_parent(base_fd, CGROUP_PARENT_ROOT);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup",
                                         "cannot prepare %s/" CGROUP_PARENT_ROOT, base);
        if (asprintf(&parent, "%s/" CGROUP_PARENT_ROOT, base) < 0)
                return -ENOMEM;
        host->parent = TAKE_PTR(parent);
        return 0;
}

static int setup_user_parent(CgroupHost *host, uid_t caller, const char *self, AirlockError *err)
{
        _cleanup_free_ char *path = NULL;
        size_t len;
        int r;

        if (asprintf(&path, CGROUP_PARENT_ROOT "/" CGROUP_USER_PREFIX "%u", (unsigned)caller) < 0)
                return -ENOMEM;
        len = strlen(path);
        /* v2 lets a process move another only within the subtree of a cgroup.procs it may
         * write to (both ends' common ancestor): airlock/user-<uid> works only for a caller
         * that root started below it, such as the airlock server. */
        if (self && strncmp(self, path, len) == 0 && self[len] == '/' &&
            writable(host->root_fd, path)) {
                _cleanup_close_ int fd = cg_open_dir(host->root_fd, path);

                r = fd < 0 ? fd : enable_controllers(fd);
                if (r < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup",
                                                 "cannot enable controllers in %s", path);
                host->parent = TAKE_PTR(path);
                return 0;
        }
        r = self ? setup_self_delegation(host, self, err) : -ENOENT;
        if (r >= 0 || (err && err->kind != AIRLOCK_ERR_NONE))
                return r;
        return airlock_error_set(err, AIRLOCK_ERR_SETUP, EACCES, "cgroup",
                                 "no cgroup delegated to uid %u (as root: airlock delegate %u)",
                                 (unsigned)caller, (unsigned)caller);
}

static int v2_choose_parent(CgroupHost *host, uid_t caller, const char *self, AirlockError *err)
{
        int r;

        if (caller != 0)
                return setup_user_parent(host, caller, self, err);
        /* The root group is exempt from the no-internal-processes rule: enabling is allowed. */
        r = enable_controllers(host->root_fd);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup",
                                         "cannot enable memory, pids and cpu at the root");
        r = make_parent(host->root_fd, CGROUP_PARENT_ROOT);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup",
                                         "cannot prepare " CGROUP_PARENT_ROOT);
        host->parent = strdup(CGROUP_PARENT_ROOT);
        return host->parent ? 0
                            : airlock_error_set(err, AIRLOCK_ERR_INTERNAL, ENOMEM, "cgroup", NULL);
}

static int v2_setup_parent(CgroupHost *host, uid_t caller, const char *self, AirlockError *err)
{
        CgroupHier *h = &host->hier[0];
        int r = v2_choose_parent(host, caller, self, err);

        if (r < 0)
                return r;
        h->parent_fd = cg_open_dir(h->fd, host->parent);
        if (h->parent_fd < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, h->parent_fd, "cgroup",
                                         "cannot open %s", host->parent);
        return 0;
}

static int v2_init_group(Cgroup *cg, AirlockError *err)
{
        /* cpu.stat is a core file, present whether or not the cpu controller is enabled. */
        cg->cpu_fd = openat(cg->dirs[0].fd, "cpu.stat", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (cg->cpu_fd < 0 && errno != ENOENT)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "cgroup",
                                         "cannot open %s/cpu.stat", cg->path);
        if (cg->cpu_fd < 0)
                cg->cpu_fd = -EBADF;
        return 0;
}

static int limit_error(AirlockError *err, int r, const Cgroup *cg, const char *file)
{
        return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup", "cannot write %s/%s%s",
                                 cg->path, file,
                                 r == -ENOENT ? " (controller not enabled for the parent)" : "");
}

static int v2_set_limits(Cgroup *cg, const CgroupLimits *l, AirlockError *err)
{
        int fd = cg->dirs[0].fd, r;

        /* 0 means "no limit of that kind": the kernel's default for a new group is "max". */
        if (l->memory_bytes) {
                r = cg_writef(fd, "memory.max", "%llu", (unsigned long long)l->memory_bytes);
                if (r < 0)
                        return limit_error(err, r, cg, "memory.max");
                /* No swap, so memory.max is the whole budget. Absent without swap accounting
                 * (CONFIG_MEMCG_SWAP off, or swapaccount=0): then there is no swap to cap. */
                r = cg_write(fd, "memory.swap.max", "0");
                if (r < 0 && r != -ENOENT)
                        return limit_error(err, r, cg, "memory.swap.max");
        }
        if (l->pids) {
                r = cg_writef(fd, "pids.max", "%u", l->pids);
                if (r < 0)
                        return limit_error(err, r, cg, "pids.max");
        }
        if (l->cpu_milli) {
                r = cg_writef(fd, "cpu.max", "%llu %llu",
                              (unsigned long long)l->cpu_milli * CPU_PERIOD_USEC / 1000,
                              CPU_PERIOD_USEC);
                if (r < 0)
                        return limit_error(err, r, cg, "cpu.max");
        }
        return 0;
}

static int v2_read_usage(Cgroup *cg, CgroupUsage *ret)
{
        CgroupUsage u = {};
        int fd = cg->dirs[0].fd, r;

        r = cg_read_optional(fd, "memory.peak", NULL, &u.memory_peak_bytes); /* kernel >= 5.19 */
        if (r < 0)
                return r;
        u.have_memory_peak = r > 0;
        if (cg->cpu_fd >= 0) {
                char buf[2048];

                r = cg_pread(cg->cpu_fd, buf, sizeof(buf));
                if (r >= 0)
                        r = cg_parse_keyed(buf, "user_usec", &u.cpu_user_usec);
                if (r >= 0)
                        r = cg_parse_keyed(buf, "system_usec", &u.cpu_sys_usec);
                if (r < 0)
                        return r;
                u.have_cpu = true;
        }
        r = cg_read_optional(fd, "memory.events", "oom_kill", &u.oom_kills);
        if (r < 0)
                return r;
        r = cg_read_optional(fd, "pids.events", "max", &u.pids_max_hits);
        if (r < 0)
                return r;
        *ret = u;
        return 0;
}

static int v2_read_cpu_usec(Cgroup *cg, uint64_t *ret)
{
        char buf[2048];
        int r;

        if (cg->cpu_fd < 0)
                return -EOPNOTSUPP;
        r = cg_pread(cg->cpu_fd, buf, sizeof(buf));
        if (r < 0)
                return r;
        return cg_parse_keyed(buf, "usage_usec", ret);
}

static int v2_populated(Cgroup *cg)
{
        uint64_t populated;
        int r;

        if (cg->dirs[0].fd < 0)
                return 0;
        /* cgroup.events counts descendants too, and ignores zombies. */
        r = cg_read_keyed(cg->dirs[0].fd, "cgroup.events", "populated", &populated);
        if (r == -ENOENT) {
                r = cg_procs_empty(cg->dirs[0].fd);
                return r < 0 ? r : !r;
        }
        return r < 0 ? r : populated != 0;
}

/* Before cgroup.kill (kernel < 5.14): freeze so nothing forks or exits (and frees its pid for
 * reuse) between reading cgroup.procs and the kill; SIGKILL still reaches frozen v2 tasks. */
static int v2_kill_by_pid(Cgroup *cg)
{
        int fd = cg->dirs[0].fd, r = 0, frozen;

        frozen = cg_write(fd, "cgroup.freeze", "1") >= 0; /* kernel >= 5.2 */
        for (unsigned round = 0; round < CGROUP_KILL_ROUNDS; round++) {
                size_t seen = 0;

                r = cg_procs_kill(fd, SIGKILL, &seen);
                if (r < 0 || seen == 0)
                        break;
                cg_sleep_ms(cg_poll_ms(round));
                r = -EBUSY;
        }
        if (frozen)
                (void)cg_write(fd, "cgroup.freeze", "0");
        return r;
}

static int v2_kill(Cgroup *cg)
{
        int r;

        if (cg->dirs[0].fd < 0)
                return 0;
        r = cg_write(cg->dirs[0].fd, "cgroup.kill", "1");
        if (r != -ENOENT)
                return r;
        return v2_kill_by_pid(cg);
}

static int v2_delegate_dir(int dir_fd, uid_t uid, gid_t gid, AirlockError *err)
{
        static const char *const files[] = {"cgroup.subtree_control", "cgroup.threads"};
        int r;

        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (fchownat(dir_fd, files[i], uid, gid, AT_SYMLINK_NOFOLLOW) < 0 &&
                    errno != ENOENT) /* cgroup.threads: kernel >= 4.14 */
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "cgroup",
                                                 "cannot chown %s", files[i]);
        r = enable_controllers(dir_fd);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup",
                                         "cannot enable memory, pids and cpu for uid %u",
                                         (unsigned)uid);
        return 0;
}

const CgroupOps cgroup_v2_ops = {
    .version = CGROUP_VERSION_V2,
    .open_hierarchies = v2_open_hierarchies,
    .setup_parent = v2_setup_parent,
    .init_group = v2_init_group,
    .set_limits = v2_set_limits,
    .read_usage = v2_read_usage,
    .read_cpu_usec = v2_read_cpu_usec,
    .kill = v2_kill,
    .populated = v2_populated,
    .delegate_dir = v2_delegate_dir,
};
