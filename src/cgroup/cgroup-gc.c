/* Garbage collection: removing the groups of airlocks that died without removing their own (a
 * SIGKILL of airlock and its janitor, a crash, a power cut), at the start of every run. So it has
 * to be cheap when, as nearly always, there is nothing to remove: see gc_needs_sweep(). The
 * locking and the order of mkdir and rmdir it relies on are described at the top of cgroup.c. */
#include "cgroup-internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/macros.h"

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
                if (!cgroup_name_is_valid(de->d_name))
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
static int cgroup_open_unlocked(const CgroupOps *ops, const CgroupHost *host, const char *name,
                                Cgroup **ret)
{
        Cgroup *cg = cgroup_new(ops, host, name);

        if (!cg)
                return -ENOMEM;
        cg->n_dirs = host->n_hier;
        for (size_t i = 0; i < host->n_hier; i++) {
                const CgroupHier *h = &host->hier[i];
                CgroupDir *d = &cg->dirs[i];

                *d = (CgroupDir){
                    .parent_fd = -EBADF, .fd = -EBADF, .roles = h->roles, .ctrl = h->name};
                if (h->parent_fd < 0)
                        continue; /* a gc_only hierarchy nobody made the parent in */
                d->parent_fd = fcntl(h->parent_fd, F_DUPFD_CLOEXEC, 3);
                d->fd = d->parent_fd < 0 ? negative_errno() : cg_open_dir(d->parent_fd, name);
                /* A half-made group (v1 crash between two mkdirs) lacks some: fine. */
                if (d->fd < 0 && d->fd != -ENOENT) {
                        int r = d->fd;

                        cgroup_free(cg);
                        return r;
                }
        }
        if (cg->dirs[0].fd >= 0) {
                cg->lock_fd = fcntl(cg->dirs[0].fd, F_DUPFD_CLOEXEC, 3);
                if (cg->lock_fd < 0 || flock(cg->lock_fd, LOCK_EX | LOCK_NB) < 0) {
                        int r = negative_errno();

                        cgroup_free(cg);
                        if (r != -EWOULDBLOCK)
                                return r;
                        cg = NULL; /* in use */
                }
        }
        *ret = cg;
        return 0;
}

/* Decides which groups are stale, with the parent locked exclusively (see the top of cgroup.c):
 * lists every hierarchy, gc_only ones included. Their locks are taken, so nobody can start using
 * them after the parent lock is dropped. A group that cannot be opened is skipped and reported;
 * the others are returned all the same. */
static int gc_find_stale(const CgroupOps *ops, const CgroupHost *host, const char *self,
                         Cgroup ***ret_stale, size_t *ret_n, AirlockError *err)
{
        _cleanup_(name_list_free) NameList names = {};
        _cleanup_free_ Cgroup **stale = NULL;
        size_t n_stale = 0;
        int r = 0, ret = 0;

        for (size_t i = 0; i < host->n_hier && r >= 0; i++)
                if (host->hier[i].parent_fd >= 0)
                        r = collect_children(host->hier[i].parent_fd, &names);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup", "cannot list %s",
                                         host->parent);
        stale = calloc(names.n + 1, sizeof(*stale));
        if (!stale)
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, ENOMEM, "cgroup", NULL);
        for (size_t i = 0; i < names.n; i++) {
                if (cg_path_contains(host->parent, names.names[i], self))
                        continue;
                r = cgroup_open_unlocked(ops, host, names.names[i], &stale[n_stale]);
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

/* 1 when the group "<parent_fd>/name" is there and nobody holds it, 0 when it is held or gone
 * (or no directory), -errno when it cannot be told. */
static int group_is_stale(int parent_fd, const char *name)
{
        _cleanup_close_ int fd = cg_open_dir(parent_fd, name);

        if (fd == -ENOENT || fd == -ENOTDIR)
                return 0;
        if (fd < 0)
                return fd;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
                return 1; /* released by the close: the sweep takes it again */
        return errno == EWOULDBLOCK ? 0 : negative_errno();
}

/* 1 when the primary hierarchy's parent lists a group that nobody holds: one pass of getdents64
 * on the host's fd, and an open + flock per live group. */
static int gc_primary_has_stale(const CgroupHost *host, const char *self)
{
        int pfd = host->hier[0].parent_fd;
        /* The parent lists the kernel's control files (~35 on v1 memory) and the live groups. */
        char buf[16384] __attribute__((aligned(8)));

        if (lseek(pfd, 0, SEEK_SET) < 0)
                return negative_errno();
        for (;;) {
                ssize_t n = getdents64(pfd, buf, sizeof(buf));

                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        return 0;
                for (ssize_t off = 0; off < n;) {
                        const struct dirent64 *de = (const struct dirent64 *)(buf + off);
                        int r;

                        off += de->d_reclen;
                        /* Only names cgroup_create() could have made, as in collect_children(). */
                        if ((de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) ||
                            !cgroup_name_is_valid(de->d_name) ||
                            cg_path_contains(host->parent, de->d_name, self))
                                continue;
                        r = group_is_stale(pfd, de->d_name);
                        if (r != 0)
                                return r;
                }
        }
}

/* Whether gc must sweep every hierarchy. By the order of mkdir and rmdir (top of cgroup.c), a
 * group whole or half-made shows in the primary hierarchy, where one readdir and a lock probe per
 * live group find it. What that misses is a directory left in another hierarchy alone (an orphan).
 * The kernel counts a cgroup directory's subdirectories in its link count (2 + subdirectories), so
 * an orphan makes its hierarchy's parent count more than the primary one: one fstat each (~1 us,
 * where listing a parent costs an open, a getdents64 of ~4-9 us and a close). Only
 * a concurrent destroy that has removed a group's other directories but not yet its primary one
 * can hide an orphan that way, for the microseconds until its last rmdir; creators cannot (they
 * hold the parent's lock across all their mkdirs, and we hold it exclusively). So a leftover is
 * found by this gc or, in that race, by the next one, where before every gc listed every
 * hierarchy. (The gc_only freezer holds only what an older airlock made: their primary halves
 * lead the sweep there.) Errors answer "sweep": the sweep reports them. */
static int gc_needs_sweep(const CgroupHost *host, const char *self)
{
        struct stat st;
        nlink_t primary;
        int r;

        if (fstat(host->hier[0].parent_fd, &st) < 0 || st.st_nlink < 2)
                return 1; /* < 2: a file system that does not count subdirectories */
        primary = st.st_nlink;
        if (primary > 2) {
                r = gc_primary_has_stale(host, self);
                if (r != 0)
                        return 1;
        }
        for (size_t i = 1; i < host->n_hier; i++) {
                const CgroupHier *h = &host->hier[i];

                if (h->gc_only || h->parent_fd < 0)
                        continue;
                if (fstat(h->parent_fd, &st) < 0 || st.st_nlink < 2 || st.st_nlink > primary)
                        return 1;
        }
        return 0;
}

/* self_lazy: self is not known yet, and read from /proc/self/cgroup only if a sweep is due. The
 * cheap pass then counts the caller's own group as a candidate, which costs a sweep only where
 * the caller runs in a group below the parent (a server placed there by hand), never a mistake. */
static int gc_run(const CgroupHost *host, const char *self, bool self_lazy, AirlockError *err)
{
        const CgroupOps *ops = cgroup_host_ops(host);
        _cleanup_free_ char *read_self = NULL;
        _cleanup_free_ Cgroup **stale = NULL;
        size_t n_stale = 0;
        int parent_fd, r, ret = 0, removed = 0;

        if (!ops)
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, EINVAL, "cgroup",
                                         "cgroup_gc() without an open host");
        /* The host's own fd of the primary parent: locked and unlocked again within this call. */
        parent_fd = host->hier[0].parent_fd;
        r = cgroup_flock_retry(parent_fd, LOCK_EX);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, r, "cgroup", "cannot lock %s",
                                         host->parent);
        if (gc_needs_sweep(host, self)) {
                if (self_lazy) {
                        /* Unreadable: then no group is known to be ours, as before. */
                        (void)cg_read_self_path(
                            host->version == CGROUP_VERSION_V1 ? host->hier[0].name : NULL,
                            &read_self);
                        self = read_self;
                }
                /* Whatever it finds is torn down even if some group could not be opened. */
                ret = gc_find_stale(ops, host, self, &stale, &n_stale, err);
        }
        (void)flock(parent_fd, LOCK_UN);

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

int cgroup_gc_at(const CgroupHost *host, const char *self_cgroup, AirlockError *err)
{
        return gc_run(host, self_cgroup, false, err);
}

int cgroup_gc(const CgroupHost *host, AirlockError *err)
{
        /* Our own group is never stale, whether locked or not. */
        if (host && host->self_known)
                return gc_run(host, host->self, false, err);
        return gc_run(host, NULL, true, err);
}
