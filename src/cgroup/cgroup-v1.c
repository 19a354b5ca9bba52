/* cgroup v1 backend: one hierarchy per controller mount under the root directory ("memory",
 * "pids", "cpu", and optionally "cpuacct"), the group made in each.
 *
 * No freezer. It used to make the kill race-free: frozen tasks can neither fork nor exit while
 * their pids are read and signalled. airlock's groups do not need it:
 *  - fork: everything in a run's group lives in the sandbox's pid namespace, whose pid 1 joins
 *    the group before it forks anything. The kill round that reaches pid 1 ends the namespace:
 *    the kernel SIGKILLs every process in it and refuses new pids there, so what forked during
 *    the round dies all the same. This holds for gc too, which is what ends a sandbox whose
 *    airlock and janitor were both SIGKILLed (tested live with a fork loop).
 *  - exit and pid reuse: cg_procs_kill() signals through pidfds checked against a second read
 *    of cgroup.procs, so a pid an outsider got meanwhile is never signalled.
 * What the freezer cost every run: a fifth mkdir, open and rmdir (~55 us of kernel time on the
 * host of docs/BENCHMARKS.md) and a fifth tasks fd for pid 1 to write. It is still used where it is
 * the only safe kill: without pidfds (kernel < 5.3) new groups get a freezer directory as before.
 * And the hierarchy is still opened (gc_only) so that gc thaws and removes groups an older airlock
 * made there; one it left FROZEN would otherwise hold SIGKILLed processes forever. */
#include "cgroup-internal.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/macros.h"

#define CPU_PERIOD_USEC   100000ULL
#define FREEZE_TIMEOUT_MS 100

typedef enum Use {
        USE_REQUIRED, /* no usable v1 host without it */
        USE_OPTIONAL, /* part of new groups when mounted */
        USE_LEGACY,   /* gc only: see the top of the file */
} Use;

static const struct {
        const char *name;
        unsigned role;
        Use use;
} controllers[] = {
    /* memory first: its directory carries the group's flock (see cgroup.c). */
    {"memory", CG_MEMORY, USE_REQUIRED},
    {"pids", CG_PIDS, USE_REQUIRED},
    {"cpu", CG_CPU, USE_REQUIRED},
    {"cpuacct", CG_CPUACCT, USE_OPTIONAL}, /* CPU usage; without it no CPU-time limit */
    {"freezer", CG_FREEZER, USE_LEGACY},
};

/* Opens a controller's mount and identifies its hierarchy. It may be a symlink ("cpu" ->
 * "cpu,cpuacct" on most distros): the layout of the root is the admin's, not something the
 * sandbox can influence, so it is followed. A directory without cgroup.procs is an unmounted
 * mount point. Co-mounted controllers show the same cgroup.procs (device and inode). */
static int open_controller(int root_fd, const char *name, struct stat *ret_st)
{
        _cleanup_close_ int fd = openat(root_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return negative_errno();
        if (fstatat(fd, "cgroup.procs", ret_st, AT_SYMLINK_NOFOLLOW) < 0)
                return -ENOENT;
        return TAKE_FD(fd);
}

static int v1_open_hierarchies(int root_fd, CgroupHier hier[CGROUP_MAX_HIER], size_t *ret_n,
                               char *why, size_t why_size)
{
        struct stat seen[CGROUP_MAX_HIER];
        size_t n = 0, used = 0;
        bool freezer_in_groups = !cg_have_pidfd();
        int ret = 0;

        why[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(controllers); i++) {
                Use use = controllers[i].use;
                int fd = open_controller(root_fd, controllers[i].name, &seen[n]);
                size_t j;

                if (fd < 0) {
                        int len;

                        if (use != USE_REQUIRED)
                                continue;
                        ret = -ENOENT;
                        len = snprintf(why + used, why_size - used, "%s%s",
                                       used ? " " : "not mounted: ", controllers[i].name);
                        if (len > 0 && (size_t)len < why_size - used)
                                used += (size_t)len;
                        continue;
                }
                if (use == USE_LEGACY && freezer_in_groups)
                        use = USE_OPTIONAL;
                /* Co-mounted controllers ("cpu,cpuacct") share one hierarchy: one directory. */
                for (j = 0; j < n; j++)
                        if (seen[j].st_dev == seen[n].st_dev && seen[j].st_ino == seen[n].st_ino)
                                break;
                if (j < n) {
                        hier[j].roles |= controllers[i].role;
                        hier[j].gc_only = hier[j].gc_only && use == USE_LEGACY;
                        safe_close(fd);
                        continue;
                }
                hier[n++] = (CgroupHier){.fd = fd,
                                         .parent_fd = -EBADF,
                                         .roles = controllers[i].role,
                                         .gc_only = use == USE_LEGACY,
                                         .name = controllers[i].name};
        }
        if (ret < 0) {
                cgroup_hier_close(hier, n);
                return ret;
        }
        *ret_n = n;
        return 0;
}

/* Opens "<hierarchy>/<parent>", making it first where it is missing (as root). */
static int open_or_make(const CgroupHier *h, const char *parent, bool make)
{
        int fd = cg_open_dir(h->fd, parent), r;

        if (fd != -ENOENT || !make)
                return fd;
        r = cg_mkdirat(h->fd, parent, 0755, CGROUP_VERSION_V1, h->name);
        if (r < 0 && r != -EEXIST) /* EEXIST: another airlock made it meanwhile */
                return r;
        return cg_open_dir(h->fd, parent);
}

static int v1_setup_parent(CgroupHost *host, uid_t caller, const char *self, AirlockError *err)
{
        _cleanup_free_ char *parent = NULL;
        int r;

        if (caller == 0)
                r = (parent = strdup(CGROUP_PARENT_ROOT)) ? 0 : -1;
        else
                r = asprintf(&parent, CGROUP_PARENT_ROOT "/" CGROUP_USER_PREFIX "%u",
                             (unsigned)caller);
        if (r < 0) {
                parent = NULL;
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, ENOMEM, "cgroup", NULL);
        }
        for (size_t i = 0; i < host->n_hier; i++) {
                CgroupHier *h = &host->hier[i];

                h->parent_fd = open_or_make(h, parent, caller == 0 && !h->gc_only);
                if (h->gc_only) {
                        /* Nothing to clean there unless an older airlock made the parent. */
                        if (h->parent_fd < 0)
                                h->parent_fd = -EBADF;
                        continue;
                }
                if (h->parent_fd < 0 && caller == 0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, h->parent_fd, "cgroup",
                                                 "cannot create %s in the %s hierarchy", parent,
                                                 h->name);
                /* Delegated by cgroup_delegate(): the directory to make groups in, cgroup.procs
                 * to move processes (v1 checks only the destination's permissions). */
                if (caller != 0 &&
                    (h->parent_fd < 0 || faccessat(h->parent_fd, ".", W_OK, AT_EACCESS) < 0 ||
                     faccessat(h->parent_fd, "cgroup.procs", W_OK, AT_EACCESS) < 0))
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, EACCES, "cgroup",
                                                 "no cgroup delegated to uid %u (as root: airlock "
                                                 "delegate %u)",
                                                 (unsigned)caller, (unsigned)caller);
        }
        host->parent = TAKE_PTR(parent);
        return 0;
}

/* The group's directory in the hierarchy serving role, or -EBADF. */
static int dir_for(const Cgroup *cg, unsigned role)
{
        for (size_t i = 0; i < cg->n_dirs; i++)
                if ((cg->dirs[i].roles & role) && cg->dirs[i].fd >= 0)
                        return cg->dirs[i].fd;
        return -EBADF;
}

static int v1_init_group(Cgroup *cg, AirlockError *err)
{
        int fd = dir_for(cg, CG_CPUACCT);

        if (fd < 0)
                return 0;
        /* The total (user + system) in one file: a single pread per CPU-limit sample. */
        cg->cpu_fd = openat(fd, "cpuacct.usage", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (cg->cpu_fd < 0 && errno != ENOENT)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "cgroup",
                                         "cannot open %s/cpuacct.usage", cg->path);
        if (cg->cpu_fd < 0)
                cg->cpu_fd = -EBADF;
        return 0;
}

static int limit_error(AirlockError *err, int r, const Cgroup *cg, const char *file)
{
        return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup", "cannot write %s/%s",
                                 cg->path, file);
}

static int v1_set_limits(Cgroup *cg, const CgroupLimits *l, AirlockError *err)
{
        int r;

        /* 0 means "no limit of that kind": a new group starts unlimited. */
        if (l->memory_bytes) {
                int fd = dir_for(cg, CG_MEMORY);

                r = cg_writef(fd, "memory.limit_in_bytes", "%llu",
                              (unsigned long long)l->memory_bytes);
                if (r < 0)
                        return limit_error(err, r, cg, "memory.limit_in_bytes");
                /* memory+swap equal to memory: no swap. Only after limit_in_bytes, as the
                 * kernel refuses memsw below it. Absent (ENOENT) or refused (EINVAL) when swap
                 * accounting is off, and then there is no swap to cap. */
                r = cg_writef(fd, "memory.memsw.limit_in_bytes", "%llu",
                              (unsigned long long)l->memory_bytes);
                if (r < 0 && r != -ENOENT && r != -EINVAL)
                        return limit_error(err, r, cg, "memory.memsw.limit_in_bytes");
        }
        if (l->pids) {
                r = cg_writef(dir_for(cg, CG_PIDS), "pids.max", "%u", l->pids);
                if (r < 0)
                        return limit_error(err, r, cg, "pids.max");
        }
        if (l->cpu_milli) {
                int fd = dir_for(cg, CG_CPU);

                r = cg_writef(fd, "cpu.cfs_period_us", "%llu", CPU_PERIOD_USEC);
                if (r < 0)
                        return limit_error(err, r, cg, "cpu.cfs_period_us");
                r = cg_writef(fd, "cpu.cfs_quota_us", "%llu",
                              (unsigned long long)l->cpu_milli * CPU_PERIOD_USEC / 1000);
                if (r < 0)
                        return limit_error(err, r, cg, "cpu.cfs_quota_us");
        }
        return 0;
}

/* User and system time: cpuacct.usage_{user,sys} in ns (kernel >= 4.6), else cpuacct.stat in
 * USER_HZ ticks. 0 when neither exists. */
static int read_cpu_split(int fd, uint64_t *ret_user, uint64_t *ret_sys)
{
        uint64_t user, sys;
        long hz;
        int r;

        r = cg_read_u64(fd, "cpuacct.usage_user", &user);
        if (r >= 0)
                r = cg_read_u64(fd, "cpuacct.usage_sys", &sys);
        if (r >= 0) {
                *ret_user = user / 1000;
                *ret_sys = sys / 1000;
                return 1;
        }
        if (r != -ENOENT)
                return r;
        r = cg_read_keyed(fd, "cpuacct.stat", "user", &user);
        if (r >= 0)
                r = cg_read_keyed(fd, "cpuacct.stat", "system", &sys);
        if (r < 0)
                return r == -ENOENT ? 0 : r;
        hz = sysconf(_SC_CLK_TCK);
        if (hz <= 0 || user > UINT64_MAX / 1000000 || sys > UINT64_MAX / 1000000)
                return -ERANGE;
        *ret_user = user * 1000000 / (uint64_t)hz;
        *ret_sys = sys * 1000000 / (uint64_t)hz;
        return 1;
}

static int v1_read_usage(Cgroup *cg, CgroupUsage *ret)
{
        CgroupUsage u = {};
        int mem = dir_for(cg, CG_MEMORY), cpuacct = dir_for(cg, CG_CPUACCT), r;

        r = cg_read_optional(mem, "memory.max_usage_in_bytes", NULL, &u.memory_peak_bytes);
        if (r < 0)
                return r;
        u.have_memory_peak = r > 0;
        if (cpuacct >= 0) {
                r = read_cpu_split(cpuacct, &u.cpu_user_usec, &u.cpu_sys_usec);
                if (r < 0)
                        return r;
                u.have_cpu = r > 0;
        }
        /* "oom_kill N": kernel >= 4.13. */
        r = cg_read_optional(mem, "memory.oom_control", "oom_kill", &u.oom_kills);
        if (r < 0)
                return r;
        r = cg_read_optional(dir_for(cg, CG_PIDS), "pids.events", "max", &u.pids_max_hits);
        if (r < 0)
                return r;
        *ret = u;
        return 0;
}

static int v1_read_cpu_usec(Cgroup *cg, uint64_t *ret)
{
        char buf[64];
        uint64_t ns;
        int r;

        if (cg->cpu_fd < 0)
                return -EOPNOTSUPP;
        r = cg_pread(cg->cpu_fd, buf, sizeof(buf));
        if (r >= 0)
                r = cg_parse_u64(buf, &ns);
        if (r < 0)
                return r;
        *ret = ns / 1000;
        return 0;
}

/* The v1 freezer goes FREEZING -> FROZEN asynchronously. Bounded: a task stuck in the kernel
 * can keep it FREEZING, and then killing without the guarantee beats not killing. */
static void freeze(int fd)
{
        if (cg_write(fd, "freezer.state", "FROZEN") < 0)
                return;
        for (unsigned waited = 0; waited < FREEZE_TIMEOUT_MS; waited += 1) {
                _cleanup_free_ char *state = NULL;

                if (cg_read(fd, "freezer.state", &state) < 0 || strncmp(state, "FROZEN", 6) == 0)
                        return;
                cg_sleep_ms(1);
        }
}

/* Rounds of signalling what cgroup.procs lists, bounded, until a round finds nobody: a round
 * that reaches the sandbox's pid 1 ends its whole namespace (see the top of the file). In a
 * group with a freezer directory (an older airlock's, or any without pidfds) the tasks are
 * frozen for the round: they can neither fork nor exit, and the SIGKILLs take effect at the
 * thaw. */
static int v1_kill(Cgroup *cg)
{
        int freezer = dir_for(cg, CG_FREEZER);

        for (unsigned round = 0; round < CGROUP_KILL_ROUNDS; round++) {
                size_t total = 0;
                int r = 0;

                if (freezer >= 0)
                        freeze(freezer);
                for (size_t i = 0; i < cg->n_dirs && r >= 0; i++) {
                        size_t seen = 0;

                        if (cg->dirs[i].fd < 0)
                                continue;
                        r = cg_procs_kill(cg->dirs[i].fd, SIGKILL, &seen);
                        total += seen;
                }
                if (freezer >= 0)
                        (void)cg_write(freezer, "freezer.state", "THAWED");
                if (r < 0)
                        return r;
                if (total == 0)
                        return 0;
                cg_sleep_ms(cg_poll_ms(round));
        }
        return -EBUSY;
}

static int v1_populated(Cgroup *cg)
{
        for (size_t i = 0; i < cg->n_dirs; i++) {
                int r;

                if (cg->dirs[i].fd < 0)
                        continue;
                r = cg_procs_empty(cg->dirs[i].fd);
                if (r <= 0)
                        return r < 0 ? r : 1;
        }
        return 0;
}

static int v1_delegate_dir(int dir_fd, uid_t uid, gid_t gid, AirlockError *err)
{
        /* Nothing beyond the directory and cgroup.procs: v1 has no subtree_control, and the
         * limit files of the groups uid creates are its own. */
        return 0;
}

const CgroupOps cgroup_v1_ops = {
    .version = CGROUP_VERSION_V1,
    .open_hierarchies = v1_open_hierarchies,
    .setup_parent = v1_setup_parent,
    .init_group = v1_init_group,
    .set_limits = v1_set_limits,
    .read_usage = v1_read_usage,
    .read_cpu_usec = v1_read_cpu_usec,
    .kill = v1_kill,
    .populated = v1_populated,
    .delegate_dir = v1_delegate_dir,
};
