/* The part of the cgroup module that does not depend on the version: finding the hierarchy,
 * naming and locking groups, tearing them down, garbage collection and delegation. What a
 * control file is called and what it contains is the backends' business (cgroup-v1.c,
 * cgroup-v2.c), reached through CgroupOps.
 *
 * Locking. A run's group is "in use" exactly while some airlock holds an exclusive flock on its
 * directory (v1: in the memory hierarchy). flock dies with its holder, so a crashed airlock
 * leaves an unlocked group, which cgroup_gc() may remove. Between mkdir and flock a new group
 * would look stale; to close that window, creators hold a shared flock on the parent directory
 * across mkdir..flock and gc holds it exclusively while it decides which groups are stale. */
#include "cgroup-internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "basic/macros.h"

#define CGROUP_DEFAULT_ROOT "/sys/fs/cgroup"

static const CgroupOps *ops_for(CgroupVersion v)
{
        switch (v) {
        case CGROUP_VERSION_V1:
                return &cgroup_v1_ops;
        case CGROUP_VERSION_V2:
                return &cgroup_v2_ops;
        case CGROUP_VERSION_NONE:
                break;
        }
        return NULL;
}

const char *cgroup_version_to_string(CgroupVersion v)
{
        switch (v) {
        case CGROUP_VERSION_NONE:
                return "none";
        case CGROUP_VERSION_V1:
                return "v1";
        case CGROUP_VERSION_V2:
                return "v2";
        }
        return "unknown";
}

void cgroup_hier_close(CgroupHier hier[], size_t n)
{
        for (size_t i = 0; i < n; i++)
                hier[i].fd = safe_close(hier[i].fd);
}

/* Run names end up as directory names next to the kernel's control files and the delegation
 * directories: keep them to a plain alphabet so none can collide with either ("cgroup.procs",
 * "user-1000", "airlock-self") or escape the parent. */
static bool name_is_valid(const char *name)
{
        size_t len;

        if (!name)
                return false;
        len = strlen(name);
        if (len == 0 || len > CGROUP_NAME_MAX || name[0] == '-')
                return false;
        if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != len)
                return false;
        return strncmp(name, CGROUP_USER_PREFIX, strlen(CGROUP_USER_PREFIX)) != 0 &&
               strcmp(name, CGROUP_SELF_LEAF) != 0;
}

static int flock_retry(int fd, int op)
{
        while (flock(fd, op) < 0) {
                if (errno != EINTR)
                        return negative_errno();
        }
        return 0;
}

int cgroup_host_open_at(const char *root_path, CgroupVersion want, uid_t caller,
                        const char *self_cgroup, CgroupHost *ret, AirlockError *err)
{
        _cleanup_close_ int root_fd = -EBADF;
        char why2[128] = "", why1[128] = "";
        const CgroupOps *ops = NULL;
        CgroupHost host;
        int r;

        if (!ret || (want != CGROUP_VERSION_NONE && !ops_for(want)))
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "cgroup",
                                         "unknown cgroup version %d", (int)want);
        if (!root_path)
                root_path = CGROUP_DEFAULT_ROOT;
        root_fd = open(root_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "cgroup", "cannot open %s",
                                         root_path);

        if (want != CGROUP_VERSION_V1) {
                r = cgroup_v2_ops.probe(root_fd, why2, sizeof(why2));
                if (r >= 0)
                        ops = &cgroup_v2_ops;
                else if (want == CGROUP_VERSION_V2)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup",
                                                 "%s is no usable cgroup v2 hierarchy: %s",
                                                 root_path, why2);
        }
        if (!ops) {
                r = cgroup_v1_ops.probe(root_fd, why1, sizeof(why1));
                if (r >= 0)
                        ops = &cgroup_v1_ops;
                else if (want == CGROUP_VERSION_V1)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup",
                                                 "no usable cgroup v1 controllers under %s: %s",
                                                 root_path, why1);
                else
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup",
                                                 "no usable cgroup hierarchy at %s (v2: %s; "
                                                 "v1: %s)",
                                                 root_path, why2, why1);
        }

        host = (CgroupHost){.version = ops->version, .root_fd = root_fd, .parent = NULL};
        r = ops->setup_parent(&host, caller, self_cgroup, err);
        if (r < 0)
                return r;
        TAKE_FD(root_fd);
        *ret = host;
        return 0;
}

int cgroup_host_open(const char *root_path, CgroupVersion want, uid_t caller, CgroupHost *ret,
                     AirlockError *err)
{
        _cleanup_free_ char *self = NULL;

        /* Only the v2 backend uses it (for systemd's delegated subtree). Unreadable is fine:
         * that path is then simply not offered. */
        (void)cg_read_self_path(NULL, &self);
        return cgroup_host_open_at(root_path, want, caller, self, ret, err);
}

void cgroup_host_close(CgroupHost *host)
{
        /* A host that cgroup_host_open() never filled ({0}) owns nothing, not even fd 0. */
        if (!host || host->version == CGROUP_VERSION_NONE)
                return;
        host->root_fd = safe_close(host->root_fd);
        free(host->parent);
        *host = (CgroupHost){.version = CGROUP_VERSION_NONE, .root_fd = -EBADF};
}

static Cgroup *cgroup_new(const CgroupOps *ops, const CgroupHost *host, const char *name)
{
        Cgroup *cg = calloc(1, sizeof(*cg));

        if (!cg)
                return NULL;
        cg->ops = ops;
        cg->lock_fd = cg->cpu_fd = -EBADF;
        for (size_t i = 0; i < CGROUP_MAX_HIER; i++)
                cg->dirs[i].parent_fd = cg->dirs[i].fd = -EBADF;
        cg->name = strdup(name);
        if (!cg->name || asprintf(&cg->path, "%s/%s", host->parent, name) < 0) {
                free(cg->name);
                free(cg);
                return NULL;
        }
        return cg;
}

static void cgroup_free(Cgroup *cg)
{
        if (!cg)
                return;
        for (size_t i = 0; i < CGROUP_MAX_HIER; i++) {
                safe_close(cg->dirs[i].parent_fd);
                safe_close(cg->dirs[i].fd);
        }
        safe_close(cg->cpu_fd);
        safe_close(cg->lock_fd); /* releases the flock */
        free(cg->name);
        free(cg->path);
        free(cg);
}

/* rmdir in every hierarchy; the locked directory goes last, so that a concurrent gc never sees
 * the other halves without their lock holder. */
static int cgroup_remove_dirs(Cgroup *cg)
{
        int ret = 0;

        for (size_t i = cg->n_dirs; i-- > 0;) {
                int r;

                if (cg->dirs[i].fd < 0 || cg->dirs[i].parent_fd < 0)
                        continue;
                r = cg_rmdirat(cg->dirs[i].parent_fd, cg->name);
                if (r < 0 && r != -ENOENT && ret == 0)
                        ret = r;
        }
        return ret;
}

static int cgroup_wait_empty(Cgroup *cg)
{
        for (unsigned waited = 0;; waited += CGROUP_POLL_MS) {
                int r = cg->ops->populated(cg);

                if (r <= 0)
                        return r;
                if (waited >= CGROUP_EMPTY_TIMEOUT_MS)
                        return -EBUSY;
                cg_sleep_ms(CGROUP_POLL_MS);
        }
}

/* Opens the parent directory of the group in every hierarchy into cg->dirs[]. */
static int cgroup_open_parents(Cgroup *cg, const CgroupHost *host, CgroupHier hier[], size_t n,
                               AirlockError *err)
{
        for (size_t i = 0; i < n; i++) {
                int fd = cg_open_dir(hier[i].fd, host->parent);

                if (fd < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, fd, "cgroup",
                                                 "cannot open %s in the %s hierarchy", host->parent,
                                                 hier[i].name);
                cg->dirs[i] = (CgroupDir){
                    .parent_fd = fd, .fd = -EBADF, .roles = hier[i].roles, .ctrl = hier[i].name};
                cg->n_dirs = i + 1;
        }
        return 0;
}

/* mkdir in every hierarchy and flock the first. Called with the parent's shared lock held. */
static int cgroup_make_dirs(Cgroup *cg, CgroupVersion version, AirlockError *err)
{
        for (size_t i = 0; i < cg->n_dirs; i++) {
                CgroupDir *d = &cg->dirs[i];
                int r = cg_mkdirat(d->parent_fd, cg->name, 0755, version, d->ctrl);

                if (r == -EEXIST)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup",
                                                 "%s exists already in the %s hierarchy", cg->path,
                                                 d->ctrl);
                if (r < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup",
                                                 "cannot create %s in the %s hierarchy", cg->path,
                                                 d->ctrl);
                d->fd = cg_open_dir(d->parent_fd, cg->name);
                if (d->fd < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, d->fd, "cgroup",
                                                 "cannot open %s", cg->path);
        }
        /* A second open file description: a caller that closes cgroup_dir_fd() by mistake must
         * not drop the lock that protects the group from gc. */
        cg->lock_fd = cg_open_dir(cg->dirs[0].parent_fd, cg->name);
        if (cg->lock_fd < 0 || flock(cg->lock_fd, LOCK_EX | LOCK_NB) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP,
                                         cg->lock_fd < 0 ? -cg->lock_fd : errno, "cgroup",
                                         "cannot lock %s", cg->path);
        return 0;
}

int cgroup_create(const CgroupHost *host, const char *name, const CgroupLimits *limits,
                  Cgroup **ret, AirlockError *err)
{
        CgroupHier hier[CGROUP_MAX_HIER];
        _cleanup_close_ int parent_lock = -EBADF;
        const CgroupOps *ops;
        Cgroup *cg;
        size_t n;
        int r;

        if (!host || !ret || !limits || !host->parent || !(ops = ops_for(host->version)))
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, EINVAL, "cgroup",
                                         "cgroup_create() without an open host");
        if (!name_is_valid(name))
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "cgroup",
                                         "invalid group name \"%s\"", name ? name : "");
        r = ops->open_hierarchies(host->root_fd, hier, &n, err);
        if (r < 0)
                return r;
        cg = cgroup_new(ops, host, name);
        if (!cg) {
                cgroup_hier_close(hier, n);
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, ENOMEM, "cgroup", NULL);
        }
        r = cgroup_open_parents(cg, host, hier, n, err);
        cgroup_hier_close(hier, n);
        if (r < 0)
                goto fail;

        parent_lock = cg_open_dir(cg->dirs[0].parent_fd, ".");
        r = parent_lock < 0 ? parent_lock : flock_retry(parent_lock, LOCK_SH);
        if (r < 0) {
                airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup", "cannot lock %s",
                                  host->parent);
                goto fail;
        }
        r = cgroup_make_dirs(cg, ops->version, err);
        parent_lock = safe_close(parent_lock);
        if (r < 0)
                goto fail;
        r = ops->init_group(cg, err);
        if (r < 0)
                goto fail;
        r = ops->set_limits(cg, limits, err);
        if (r < 0)
                goto fail;
        *ret = cg;
        return 0;
fail:
        /* Only what we made: a directory that existed (EEXIST) was never opened into cg, and
         * cgroup_remove_dirs() skips directories it does not hold. */
        (void)cgroup_remove_dirs(cg);
        cgroup_free(cg);
        return r;
}

int cgroup_attach(Cgroup *cg, pid_t pid, AirlockError *err)
{
        if (!cg || pid <= 0)
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, EINVAL, "cgroup",
                                         "cgroup_attach() without a group or pid");
        for (size_t i = 0; i < cg->n_dirs; i++) {
                int r = cg_writef(cg->dirs[i].fd, "cgroup.procs", "%d", (int)pid);

                if (r < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup",
                                                 "cannot move pid %d into %s (%s)", (int)pid,
                                                 cg->path, cg->dirs[i].ctrl);
        }
        return 0;
}

int cgroup_open_self_join_fds(Cgroup *cg, int *ret_fds, size_t max, size_t *ret_n,
                              AirlockError *err)
{
        size_t n = 0;

        if (!cg || cg->ops->version != CGROUP_VERSION_V1)
                return -EOPNOTSUPP;
        if (cg->n_dirs > max)
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, E2BIG, "cgroup",
                                         "%zu hierarchies", cg->n_dirs);
        for (size_t i = 0; i < cg->n_dirs; i++) {
                int fd = openat(cg->dirs[i].fd, "tasks", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

                if (fd < 0) {
                        int r = airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "cgroup",
                                                  "open %s/tasks (%s)", cg->path,
                                                  cg->dirs[i].ctrl);

                        while (n > 0)
                                close(ret_fds[--n]);
                        return r;
                }
                ret_fds[n++] = fd;
        }
        *ret_n = n;
        return 0;
}

int cgroup_dir_fd(Cgroup *cg)
{
        if (!cg)
                return -EINVAL;
        if (cg->ops->version != CGROUP_VERSION_V2)
                return -EOPNOTSUPP;
        return cg->dirs[0].fd;
}

int cgroup_read_usage(Cgroup *cg, CgroupUsage *ret)
{
        if (!cg || !ret)
                return -EINVAL;
        return cg->ops->read_usage(cg, ret);
}

int cgroup_read_cpu_usec(Cgroup *cg, uint64_t *ret)
{
        if (!cg || !ret)
                return -EINVAL;
        return cg->ops->read_cpu_usec(cg, ret);
}

int cgroup_kill(Cgroup *cg)
{
        if (!cg)
                return -EINVAL;
        return cg->ops->kill(cg);
}

/* Kill, wait, rmdir: the common end of cgroup_destroy() and of a stale group in gc. */
static int cgroup_teardown(Cgroup *cg)
{
        int ret = 0, r;

        /* After a normal run the pid namespace is gone and the group already empty: the v1
         * freezer round trip would cost more than the rest of the teardown. */
        if (cg->ops->populated(cg) != 0)
                ret = cg->ops->kill(cg);
        r = cgroup_wait_empty(cg);
        if (r < 0 && ret >= 0)
                ret = r;
        r = cgroup_remove_dirs(cg);
        if (r < 0 && ret >= 0)
                ret = r;
        return ret;
}

int cgroup_destroy(Cgroup *cg)
{
        int r;

        if (!cg)
                return 0;
        r = cgroup_teardown(cg);
        cgroup_free(cg);
        return r < 0 ? r : 0;
}

/* Child directories of a parent, deduplicated across hierarchies. */
typedef struct NameList {
        char **names;
        size_t n, cap;
} NameList;

static void name_list_free(NameList *l)
{
        for (size_t i = 0; i < l->n; i++)
                free(l->names[i]);
        free(l->names);
}

static int name_list_add(NameList *l, const char *name)
{
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->names[i], name) == 0)
                        return 0;
        if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 16;
                char **p = reallocarray(l->names, cap, sizeof(*p));

                if (!p)
                        return -ENOMEM;
                l->names = p;
                l->cap = cap;
        }
        l->names[l->n] = strdup(name);
        if (!l->names[l->n])
                return -ENOMEM;
        l->n++;
        return 0;
}

static int collect_children(int parent_fd, NameList *l)
{
        DIR *d;
        struct dirent *de;
        int fd, r = 0;

        fd = openat(parent_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d) {
                r = negative_errno();
                close(fd);
                return r;
        }
        while (r >= 0 && (de = readdir(d))) {
                struct stat st;

                /* Only names cgroup_create() could have made: never the control files, the
                 * delegated "user-<uid>" directories or a delegated caller's own leaf. */
                if (!name_is_valid(de->d_name))
                        continue;
                if (de->d_type == DT_UNKNOWN &&
                    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                    S_ISDIR(st.st_mode))
                        de->d_type = DT_DIR;
                if (de->d_type == DT_DIR)
                        r = name_list_add(l, de->d_name);
        }
        closedir(d);
        return r;
}

/* Opens an existing group (in whichever hierarchies it still exists) and takes its lock without
 * waiting. Sets *ret to NULL when a live airlock holds the lock. */
static int cgroup_open_unlocked(const CgroupOps *ops, const CgroupHost *host, CgroupHier hier[],
                                size_t n, const char *name, Cgroup **ret)
{
        Cgroup *cg = cgroup_new(ops, host, name);

        if (!cg)
                return -ENOMEM;
        cg->n_dirs = n;
        for (size_t i = 0; i < n; i++) {
                CgroupDir *d = &cg->dirs[i];

                *d = (CgroupDir){.parent_fd = cg_open_dir(hier[i].fd, host->parent),
                                 .fd = -EBADF,
                                 .roles = hier[i].roles,
                                 .ctrl = hier[i].name};
                if (d->parent_fd >= 0)
                        d->fd = cg_open_dir(d->parent_fd, name);
                /* A half-made group (v1 crash between two mkdirs) lacks some: fine. */
                if (d->fd < 0 && d->fd != -ENOENT) {
                        int r = d->fd;

                        cgroup_free(cg);
                        return r;
                }
        }
        if (cg->dirs[0].fd >= 0) {
                cg->lock_fd = cg_open_dir(cg->dirs[0].parent_fd, name);
                if (cg->lock_fd < 0 || flock(cg->lock_fd, LOCK_EX | LOCK_NB) < 0) {
                        int r = cg->lock_fd < 0 ? cg->lock_fd : negative_errno();

                        cgroup_free(cg);
                        if (r != -EWOULDBLOCK)
                                return r;
                        cg = NULL; /* in use */
                }
        }
        *ret = cg;
        return 0;
}

/* Decides which groups are stale, with the parent locked exclusively (see the top of the file).
 * Their locks are taken, so nobody can start using them after the parent lock is dropped. A
 * group that cannot be opened is skipped and reported; the others are returned all the same. */
static int gc_find_stale(const CgroupOps *ops, const CgroupHost *host, CgroupHier hier[], size_t n,
                         const char *self, Cgroup ***ret_stale, size_t *ret_n, AirlockError *err)
{
        _cleanup_(name_list_free) NameList names = {};
        _cleanup_free_ Cgroup **stale = NULL;
        size_t n_stale = 0;
        int r = 0, ret = 0;

        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_close_ int pfd = cg_open_dir(hier[i].fd, host->parent);

                r = pfd == -ENOENT ? 0 : pfd < 0 ? pfd : collect_children(pfd, &names);
        }
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup", "cannot list %s",
                                         host->parent);
        stale = calloc(names.n + 1, sizeof(*stale));
        if (!stale)
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, ENOMEM, "cgroup", NULL);
        for (size_t i = 0; i < names.n; i++) {
                if (cg_path_contains(host->parent, names.names[i], self))
                        continue;
                r = cgroup_open_unlocked(ops, host, hier, n, names.names[i], &stale[n_stale]);
                if (r < 0) {
                        airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup", "cannot open %s/%s",
                                          host->parent, names.names[i]);
                        if (ret == 0)
                                ret = r;
                } else if (stale[n_stale])
                        n_stale++;
        }
        *ret_stale = TAKE_PTR(stale);
        *ret_n = n_stale;
        return ret;
}

int cgroup_gc_at(const CgroupHost *host, const char *self_cgroup, AirlockError *err)
{
        CgroupHier hier[CGROUP_MAX_HIER];
        _cleanup_close_ int parent_lock = -EBADF;
        _cleanup_free_ Cgroup **stale = NULL;
        const CgroupOps *ops;
        size_t n, n_stale = 0;
        int r, ret = 0, removed = 0;

        if (!host || !host->parent || !(ops = ops_for(host->version)))
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, EINVAL, "cgroup",
                                         "cgroup_gc() without an open host");
        r = ops->open_hierarchies(host->root_fd, hier, &n, err);
        if (r < 0)
                return r;
        parent_lock = cg_open_dir(hier[0].fd, host->parent);
        r = parent_lock < 0 ? parent_lock : flock_retry(parent_lock, LOCK_EX);
        if (r == -ENOENT)
                r = 0; /* no parent, no groups */
        else if (r < 0)
                airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup", "cannot lock %s",
                                  host->parent);
        else {
                /* Whatever it found is torn down even if some group could not be opened. */
                ret = gc_find_stale(ops, host, hier, n, self_cgroup, &stale, &n_stale, err);
                r = 0;
        }
        parent_lock = safe_close(parent_lock);
        cgroup_hier_close(hier, n);
        if (r < 0)
                return r;

        for (size_t i = 0; i < n_stale; i++) {
                r = cgroup_teardown(stale[i]);
                if (r < 0) {
                        airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup",
                                          "cannot remove stale group %s", stale[i]->path);
                        if (ret == 0)
                                ret = r;
                } else
                        removed++;
                cgroup_free(stale[i]);
        }
        return ret < 0 ? ret : removed;
}

int cgroup_gc(const CgroupHost *host, AirlockError *err)
{
        _cleanup_free_ char *self = NULL;

        /* Our own group is never stale, whether locked or not. */
        if (host)
                (void)cg_read_self_path(host->version == CGROUP_VERSION_V1 ? "memory" : NULL,
                                        &self);
        return cgroup_gc_at(host, self, err);
}

int cgroup_delegate(const CgroupHost *host, uid_t uid, gid_t gid, AirlockError *err)
{
        CgroupHier hier[CGROUP_MAX_HIER];
        const CgroupOps *ops;
        char name[32];
        size_t n;
        int r = 0;

        if (!host || !host->parent || !(ops = ops_for(host->version)))
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, EINVAL, "cgroup",
                                         "cgroup_delegate() without an open host");
        if (strcmp(host->parent, CGROUP_PARENT_ROOT) != 0)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, EPERM, "cgroup",
                                         "delegating needs root");
        if (uid == 0)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "cgroup",
                                         "root needs no delegation");
        snprintf(name, sizeof(name), CGROUP_USER_PREFIX "%u", (unsigned)uid);
        r = ops->open_hierarchies(host->root_fd, hier, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_close_ int pfd = -EBADF, dfd = -EBADF;

                pfd = cg_open_dir(hier[i].fd, host->parent);
                r = pfd < 0 ? pfd : cg_mkdirat(pfd, name, 0755, ops->version, hier[i].name);
                if (r == -EEXIST)
                        r = 0; /* idempotent: fix up ownership below all the same */
                if (r >= 0)
                        r = dfd = cg_open_dir(pfd, name);
                /* The directory so uid can make run groups in it, cgroup.procs so it can move
                 * its processes there. Nothing else: the limits above it stay root's. */
                if (r >= 0 && fchown(dfd, uid, gid) < 0)
                        r = negative_errno();
                if (r >= 0 && fchownat(dfd, "cgroup.procs", uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                        r = negative_errno();
                if (r < 0) {
                        airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup",
                                          "cannot delegate %s/%s in the %s hierarchy to uid %u",
                                          host->parent, name, hier[i].name, (unsigned)uid);
                        break;
                }
                r = ops->delegate_dir(dfd, uid, gid, err);
        }
        cgroup_hier_close(hier, n);
        return r < 0 ? r : 0;
}
