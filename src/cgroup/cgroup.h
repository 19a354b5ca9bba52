/* One interface over cgroup v1 and v2: create a per-run group with limits, put the sandbox in
 * it, read what it used, kill everything in it, remove it. A backend works relative to a root
 * directory fd (normally /sys/fs/cgroup), never a hard-coded path, so unit tests can hand it a
 * fake tree. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "basic/error.h"

typedef enum CgroupVersion {
        CGROUP_VERSION_NONE = 0,
        CGROUP_VERSION_V1 = 1,
        CGROUP_VERSION_V2 = 2,
} CgroupVersion;

/* A field of 0 leaves that limit unset (the kernel's "max"). */
typedef struct CgroupLimits {
        uint64_t memory_bytes; /* also the memory+swap cap: no swap */
        uint32_t pids;
        uint32_t cpu_milli; /* CFS quota: 1000 = one core */
} CgroupLimits;

typedef struct CgroupUsage {
        uint64_t memory_peak_bytes;
        uint64_t cpu_user_usec;
        uint64_t cpu_sys_usec;
        uint64_t oom_kills;     /* processes the OOM killer took inside the group */
        uint64_t pids_max_hits; /* forks refused by pids.max */
        bool have_memory_peak;
        bool have_cpu;
} CgroupUsage;

typedef struct Cgroup Cgroup;

#define CGROUP_MAX_HIER 5

/* One hierarchy of an open host: on v1 a controller's mount, on v2 the unified root. Filled by
 * cgroup_host_open(); only src/cgroup looks inside. */
typedef struct CgroupHier {
        int fd;         /* the hierarchy's root directory */
        int parent_fd;  /* "<root>/<parent>"; -EBADF where it does not exist (gc_only ones) */
        unsigned roles; /* the controllers it serves: CG_* of cgroup-internal.h */
        bool gc_only;   /* no part of new groups; gc still removes what older airlocks made there */
        const char *name;
} CgroupHier;

/* Where the per-run groups of this caller live, below the backend's root:
 *   root (euid 0):   "airlock"                 (created on demand)
 *   anyone else:     "airlock/user-<uid>"      (must exist and be writable: see
 *                    cgroup_delegate(); on v2 systemd's delegated subtree is used as well) */
typedef struct CgroupHost {
        CgroupVersion version;
        int root_fd;  /* the hierarchy root (v2) or the directory holding v1 controllers */
        char *parent; /* relative to root_fd (v2) or to each controller's directory (v1) */
        /* Opened once by cgroup_host_open() and used by gc, create and delegate, so that no call
         * walks and probes the hierarchies again. hier[0] is the primary hierarchy: a group's
         * directory there is made first, removed last and carries the group's lock. */
        size_t n_hier;
        CgroupHier hier[CGROUP_MAX_HIER];
        /* The caller's own group in hier[0], which gc never removes: read by cgroup_host_open()
         * for a caller other than root, else (self_known false) by gc if it has to sweep. */
        char *self;
        bool self_known;
} CgroupHost;

/* Finds the hierarchy to use: v2 when the unified hierarchy offers memory, pids and cpu, v1
 * otherwise. root_path NULL means /sys/fs/cgroup. want forces a version (0 = auto).
 * On v2, for a caller other than root, "airlock/user-<uid>" serves only a process that already
 * runs below it (v2 moves processes only within a subtree the mover may write); otherwise the
 * caller's own group from /proc/self/cgroup is used if systemd delegated it (Delegate=yes, with
 * memory, pids and cpu): this moves the calling process into "<own>/airlock-self" and makes the
 * run groups below "<own>/airlock". Opens the hierarchies (and the parent in each) once, for all
 * the calls below, and reads /proc/self/cgroup once. A {0}-initialised host may be passed to
 * cgroup_host_close(). */
int cgroup_host_open(const char *root_path, CgroupVersion want, uid_t caller, CgroupHost *ret,
                     AirlockError *err);
void cgroup_host_close(CgroupHost *host);

/* Creates "<parent>/<name>" with the limits applied, and takes an exclusive flock on it so that
 * cgroup_gc() in another airlock never removes a group that is in use. -EEXIST if taken.
 * name: 1-128 of [A-Za-z0-9_-], not starting with '-' or "user-", not "airlock-self". The lock
 * lives on an O_CLOEXEC fd: a child that forks without exec shares it while it lives. The group
 * holds fds of its own: it may outlive host. */
int cgroup_create(const CgroupHost *host, const char *name, const CgroupLimits *limits,
                  Cgroup **ret, AirlockError *err);

/* Moves pid into the group (every controller on v1). */
int cgroup_attach(Cgroup *cg, pid_t pid, AirlockError *err);

/* v1 only: opens the group's "tasks" file in every hierarchy (O_WRONLY, O_CLOEXEC), so that a
 * process can move itself in by writing "0" to each. A thread moving itself skips the global
 * lock that moving another process takes (whose first writer waits out an RCU grace period:
 * ~12 ms, against ~0.03 ms). The caller owns the fds. -EOPNOTSUPP on v2: clone into it. */
int cgroup_open_self_join_fds(Cgroup *cg, int *ret_fds, size_t max, size_t *ret_n,
                              AirlockError *err);

/* v2 only: an O_DIRECTORY fd of the group for clone3(CLONE_INTO_CGROUP); -EOPNOTSUPP on v1.
 * The fd stays owned by cg (valid until cgroup_destroy()): do not close it. */
int cgroup_dir_fd(Cgroup *cg);

int cgroup_read_usage(Cgroup *cg, CgroupUsage *ret);

/* CPU time used so far, in microseconds (user + system); for the CPU-time limit. One pread on
 * a file kept open. -EOPNOTSUPP when the host cannot tell (v1 without cpuacct). */
int cgroup_read_cpu_usec(Cgroup *cg, uint64_t *ret);

/* SIGKILLs every process in the group: cgroup.kill on v2; on v1 (and v2 before 5.14) rounds of
 * reading cgroup.procs and signalling through pidfds, checked against a second read so that a
 * pid reused by an outside process is never signalled. Processes that fork between two rounds
 * are caught by the next one; in airlock's own groups everything runs in the sandbox's pid
 * namespace, so the round that reaches its pid 1 ends all of them (see cgroup-v1.c). */
int cgroup_kill(Cgroup *cg);

/* Removes the group and frees cg; if the kernel refuses (a process is left), kills what is left,
 * waits (bounded) for the group to empty and removes it then. NULL is fine. Returns the first
 * error; the memory is freed in every case. */
int cgroup_destroy(Cgroup *cg);

/* Removes groups below the caller's parent that no live airlock holds (no flock), killing what
 * is left in them. Returns how many were removed. Cheap when there is nothing to do: one listing
 * of the primary hierarchy and one fstat per other hierarchy (cgroup-gc.c says why that suffices).
 */
int cgroup_gc(const CgroupHost *host, AirlockError *err);

/* As root: creates "airlock/user-<uid>" owned by uid (v1: in every controller; v2: with the
 * controllers enabled for its children), so that uid can run airlock without root. */
int cgroup_delegate(const CgroupHost *host, uid_t uid, gid_t gid, AirlockError *err);

const char *cgroup_version_to_string(CgroupVersion v);
