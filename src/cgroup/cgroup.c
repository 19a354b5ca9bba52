/* The part of the cgroup module that does not depend on the version: finding the hierarchy,
 * naming and locking groups, tearing them down, and delegation (garbage collection: cgroup-gc.c).
 * What a control file is called and what it contains is the backends' business (cgroup-v1.c,
 * cgroup-v2.c), reached through CgroupOps.
 *
 * Locking. A run's group is "in use" exactly while some airlock holds an exclusive flock on its
 * directory in the primary hierarchy (v1: memory). flock dies with its holder, so a crashed
 * airlock leaves an unlocked group, which cgroup_gc() may remove. Between mkdir and flock a new
 * group would look stale; to close that window, creators hold a shared flock on the parent
 * directory across mkdir..flock and gc holds it exclusively while it decides which groups are
 * stale.
 *
 * Order. A group's directory in the primary hierarchy is made first and removed last, and only
 * once the others are gone (cgroup_remove_dirs()). So every group, whole or half-made by a
 * crash, shows in the primary hierarchy, except a directory some other hierarchy kept after
 * something outside this order (an older airlock, an admin, a failed rmdir of a version that
 * removed the primary one regardless). gc relies on that to stay cheap: see cgroup-gc.c. */
#include "cgroup-internal.h"

#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

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
        for (size_t i = 0; i < n; i++) {
                hier[i].fd = safe_close(hier[i].fd);
                hier[i].parent_fd = safe_close(hier[i].parent_fd);
        }
}

/* Run names end up as directory names next to the kernel's control files and the delegation
 * directories: keep them to a plain alphabet so none can collide with either ("cgroup.procs",
 * "user-1000", "airlock-self") or escape the parent. */
bool cgroup_name_is_valid(const char *name)
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

int cgroup_flock_retry(int fd, int op)
{
        while (flock(fd, op) < 0) {
                if (errno != EINTR)
                        return negative_errno();
        }
        return 0;
}

/* Everything a host owns, whether or not it got as far as a version. */
static void host_release(CgroupHost *host)
{
        cgroup_hier_close(host->hier, host->n_hier);
        host->root_fd = safe_close(host->root_fd);
        free(host->parent);
        free(host->self);
        *host = (CgroupHost){.version = CGROUP_VERSION_NONE, .root_fd = -EBADF};
}

int cgroup_host_open_at(const char *root_path, CgroupVersion want, uid_t caller,
                        const char *self_cgroup, CgroupHost *ret, AirlockError *err)
{
        CgroupHost host = {.version = CGROUP_VERSION_NONE, .root_fd = -EBADF};
        char why2[128] = "", why1[128] = "";
        const CgroupOps *ops = NULL;
        int r;

        if (!ret || (want != CGROUP_VERSION_NONE && !ops_for(want)))
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "cgroup",
                                         "unknown cgroup version %d", (int)want);
        if (!root_path)
                root_path = CGROUP_DEFAULT_ROOT;
        host.root_fd = open(root_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (host.root_fd < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "cgroup", "cannot open %s",
                                         root_path);

        /* Opening the hierarchies is the probe: each is opened once, here, for the host's life. */
        if (want != CGROUP_VERSION_V1) {
                r = cgroup_v2_ops.open_hierarchies(host.root_fd, host.hier, &host.n_hier, why2,
                                                   sizeof(why2));
                if (r >= 0)
                        ops = &cgroup_v2_ops;
                else if (want == CGROUP_VERSION_V2) {
                        host_release(&host);
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup",
                                                 "%s is no usable cgroup v2 hierarchy: %s",
                                                 root_path, why2);
                }
        }
        if (!ops) {
                r = cgroup_v1_ops.open_hierarchies(host.root_fd, host.hier, &host.n_hier, why1,
                                                   sizeof(why1));
                if (r >= 0)
                        ops = &cgroup_v1_ops;
                else {
                        host_release(&host);
                        if (want == CGROUP_VERSION_V1)
                                return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup",
                                                         "no usable cgroup v1 controllers under "
                                                         "%s: %s",
                                                         root_path, why1);
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup",
                                                 "no usable cgroup hierarchy at %s (v2: %s; "
                                                 "v1: %s)",
                                                 root_path, why2, why1);
                }
        }

        host.version = ops->version;
        r = ops->setup_parent(&host, caller, self_cgroup, err);
        if (r < 0) {
                host_release(&host);
                return r;
        }
        *ret = host;
        return 0;
}

int cgroup_host_open(const char *root_path, CgroupVersion want, uid_t caller, CgroupHost *ret,
                     AirlockError *err)
{
        _cleanup_free_ char *text = NULL, *v2_self = NULL;
        CgroupHost host;
        int r;

        /* The caller's own group, read once for two uses: its v2 line serves the v2 backend when
         * the caller is not root (systemd's delegated subtree), the primary hierarchy's line
         * serves gc (which never removes its caller's own group). For root nothing here needs
         * it: gc reads it then, on the rare runs that find something to sweep (~50 us saved on
         * every other run). Unreadable is fine: neither use is then offered. A v2 caller that
         * setup_self_delegation() moves lands in "<own>/airlock-self", next to the run groups'
         * parent and never below it, so the line read before the move serves gc as well. */
        if (caller != 0 && cg_read(AT_FDCWD, "/proc/self/cgroup", &text) >= 0)
                (void)cg_parse_self_path(text, NULL, &v2_self);
        r = cgroup_host_open_at(root_path, want, caller, v2_self, &host, err);
        if (r < 0)
                return r;
        if (text) {
                if (host.version == CGROUP_VERSION_V2)
                        host.self = TAKE_PTR(v2_self);
                else
                        (void)cg_parse_self_path(text, host.hier[0].name, &host.self);
                host.self_known = true;
        }
        *ret = host;
        return 0;
}

void cgroup_host_close(CgroupHost *host)
{
        /* A host that cgroup_host_open() never filled ({0}) owns nothing, not even fd 0. */
        if (!host || host->version == CGROUP_VERSION_NONE)
                return;
        host_release(host);
}

int cgroup_host_set_parent(CgroupHost *host, const char *parent)
{
        int fds[CGROUP_MAX_HIER];
        char *copy;

        if (!host || host->version == CGROUP_VERSION_NONE || !parent)
                return -EINVAL;
        for (size_t i = 0; i < host->n_hier; i++) {
                fds[i] = cg_open_dir(host->hier[i].fd, parent);
                if (fds[i] < 0 && !host->hier[i].gc_only) {
                        int r = fds[i];

                        while (i-- > 0)
                                safe_close(fds[i]);
                        return r;
                }
        }
        copy = strdup(parent);
        if (!copy) {
                for (size_t i = 0; i < host->n_hier; i++)
                        safe_close(fds[i]);
                return -ENOMEM;
        }
        for (size_t i = 0; i < host->n_hier; i++) {
                safe_close(host->hier[i].parent_fd);
                host->hier[i].parent_fd = fds[i] < 0 ? -EBADF : fds[i];
        }
        free(host->parent);
        host->parent = copy;
        return 0;
}

/* The host's ops, if it is open. */
const CgroupOps *cgroup_host_ops(const CgroupHost *host)
{
        if (!host || !host->parent || host->n_hier == 0 || host->hier[0].parent_fd < 0)
                return NULL;
        return ops_for(host->version);
}

Cgroup *cgroup_new(const CgroupOps *ops, const CgroupHost *host, const char *name)
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

void cgroup_free(Cgroup *cg)
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

/* rmdir in every hierarchy, the primary (locked) one last and only once all others are gone, so
 * that gc finds every leftover through the primary hierarchy (see the top of the file). A removed
 * directory's fd is closed, so that a second try after a kill skips it. The kernel refuses with
 * EBUSY while a process is left. */
static int cgroup_remove_dirs(Cgroup *cg)
{
        int ret = 0;

        for (size_t i = cg->n_dirs; i-- > 0;) {
                CgroupDir *d = &cg->dirs[i];
                int r;

                if (d->fd < 0 || d->parent_fd < 0)
                        continue;
                if (i == 0 && ret < 0)
                        break;
                r = cg_rmdirat(d->parent_fd, cg->name);
                if (r < 0 && r != -ENOENT) {
                        if (ret == 0)
                                ret = r;
                        continue;
                }
                d->fd = safe_close(d->fd);
        }
        return ret;
}

static int cgroup_wait_empty(Cgroup *cg)
{
        for (unsigned round = 0, waited = 0;; round++) {
                int r = cg->ops->populated(cg);

                if (r <= 0)
                        return r;
                if (waited >= CGROUP_EMPTY_TIMEOUT_MS)
                        return -EBUSY;
                cg_sleep_ms(cg_poll_ms(round));
                waited += cg_poll_ms(round);
        }
}

/* The group's parent in every hierarchy that new groups use, into cg->dirs[]. Duplicates: the
 * group may outlive the host (a janitor, a caller's own order of cleanup). */
static int cgroup_open_parents(Cgroup *cg, const CgroupHost *host, AirlockError *err)
{
        for (size_t i = 0; i < host->n_hier; i++) {
                const CgroupHier *h = &host->hier[i];
                int fd;

                if (h->gc_only)
                        continue;
                fd = fcntl(h->parent_fd, F_DUPFD_CLOEXEC, 3);
                if (fd < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "cgroup",
                                                 "cannot open %s in the %s hierarchy", host->parent,
                                                 h->name);
                cg->dirs[cg->n_dirs++] =
                    (CgroupDir){.parent_fd = fd, .fd = -EBADF, .roles = h->roles, .ctrl = h->name};
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
        /* An fd of its own for the lock: a caller that closes cgroup_dir_fd() by mistake must
         * not drop the lock that protects the group from gc. (flock belongs to the open file
         * description and lasts until its last fd is closed: a duplicate suffices.) */
        cg->lock_fd = fcntl(cg->dirs[0].fd, F_DUPFD_CLOEXEC, 3);
        if (cg->lock_fd < 0 || flock(cg->lock_fd, LOCK_EX | LOCK_NB) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "cgroup", "cannot lock %s",
                                         cg->path);
        return 0;
}

int cgroup_create(const CgroupHost *host, const char *name, const CgroupLimits *limits,
                  Cgroup **ret, AirlockError *err)
{
        const CgroupOps *ops = cgroup_host_ops(host);
        int parent_fd, r;
        Cgroup *cg;

        if (!ops || !ret || !limits)
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, EINVAL, "cgroup",
                                         "cgroup_create() without an open host");
        if (!cgroup_name_is_valid(name))
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "cgroup",
                                         "invalid group name \"%s\"", name ? name : "");
        cg = cgroup_new(ops, host, name);
        if (!cg)
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, ENOMEM, "cgroup", NULL);
        r = cgroup_open_parents(cg, host, err);
        if (r < 0)
                goto fail;

        /* The host's own fd of the primary parent: locked and unlocked again within this call. */
        parent_fd = host->hier[0].parent_fd;
        r = cgroup_flock_retry(parent_fd, LOCK_SH);
        if (r < 0) {
                airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup", "cannot lock %s",
                                  host->parent);
                goto fail;
        }
        r = cgroup_make_dirs(cg, ops->version, err);
        (void)flock(parent_fd, LOCK_UN);
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
                                                  "open %s/tasks (%s)", cg->path, cg->dirs[i].ctrl);

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

/* rmdir, else kill, wait, rmdir: the common end of cgroup_destroy() and of a stale group in gc. */
int cgroup_teardown(Cgroup *cg)
{
        int ret, r;

        /* After a normal run the pid namespace is gone and the group already empty: the rmdirs
         * are all it takes. The kernel refuses them while a process is left, which makes them
         * the cheapest test of emptiness as well: no cgroup.procs to read first. */
        if (cgroup_remove_dirs(cg) >= 0)
                return 0;
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

int cgroup_delegate(const CgroupHost *host, uid_t uid, gid_t gid, AirlockError *err)
{
        const CgroupOps *ops = cgroup_host_ops(host);
        char name[32];
        int r = 0;

        if (!ops)
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, EINVAL, "cgroup",
                                         "cgroup_delegate() without an open host");
        if (strcmp(host->parent, CGROUP_PARENT_ROOT) != 0)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, EPERM, "cgroup",
                                         "delegating needs root");
        if (uid == 0)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "cgroup",
                                         "root needs no delegation");
        snprintf(name, sizeof(name), CGROUP_USER_PREFIX "%u", (unsigned)uid);
        for (size_t i = 0; i < host->n_hier && r >= 0; i++) {
                const CgroupHier *h = &host->hier[i];
                _cleanup_close_ int dfd = -EBADF;

                if (h->gc_only)
                        continue; /* new groups make nothing there */
                r = cg_mkdirat(h->parent_fd, name, 0755, ops->version, h->name);
                if (r == -EEXIST)
                        r = 0; /* idempotent: fix up ownership below all the same */
                if (r >= 0)
                        r = dfd = cg_open_dir(h->parent_fd, name);
                /* The directory so uid can make run groups in it, cgroup.procs so it can move
                 * its processes there. Nothing else: the limits above it stay root's. */
                if (r >= 0 && fchown(dfd, uid, gid) < 0)
                        r = negative_errno();
                if (r >= 0 && fchownat(dfd, "cgroup.procs", uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                        r = negative_errno();
                if (r < 0) {
                        airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup",
                                          "cannot delegate %s/%s in the %s hierarchy to uid %u",
                                          host->parent, name, h->name, (unsigned)uid);
                        break;
                }
                r = ops->delegate_dir(dfd, uid, gid, err);
        }
        return r < 0 ? r : 0;
}
