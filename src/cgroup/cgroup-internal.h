/* What cgroup.c shares with its two backends: the ops table each backend fills in, the layout of
 * a Cgroup, and small helpers for control files. Not for use outside src/cgroup and its tests. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "basic/error.h"
#include "cgroup.h"

/* Controllers a hierarchy serves. v2 has one hierarchy serving all of them; v1 has one per mount
 * (or fewer when the admin co-mounted them, as in "cpu,cpuacct"). */
enum {
        CG_MEMORY = 1U << 0,
        CG_PIDS = 1U << 1,
        CG_CPU = 1U << 2,
        CG_CPUACCT = 1U << 3,
        CG_FREEZER = 1U << 4,
        CG_REQUIRED = CG_MEMORY | CG_PIDS | CG_CPU,
};

/* Bounds of the waits: a group that does not empty in this time holds a process stuck in the
 * kernel (D state); we give up rather than hang the caller. */
#define CGROUP_EMPTY_TIMEOUT_MS 2000
#define CGROUP_POLL_MS          10
#define CGROUP_KILL_ROUNDS      50

/* The pause before the next look at a group after look `round` (from 0): 1, 2, 4, 8, then
 * CGROUP_POLL_MS. A SIGKILLed tree is usually gone within a millisecond or two; a flat 10 ms
 * made every kill (a timeout, an output limit) wait 10 ms for nothing. */
static inline unsigned cg_poll_ms(unsigned round)
{
        return round < 4 ? 1U << round : CGROUP_POLL_MS;
}

#define CGROUP_PARENT_ROOT "airlock"
#define CGROUP_USER_PREFIX "user-"
#define CGROUP_SELF_LEAF   "airlock-self" /* where a delegated v2 caller moves itself */
#define CGROUP_NAME_MAX    128

/* A group's directory in one hierarchy. */
typedef struct CgroupDir {
        int parent_fd; /* "<hierarchy>/<parent>", for the rmdir */
        int fd;        /* "<hierarchy>/<parent>/<name>"; -EBADF when absent (gc of a half group) */
        unsigned roles;
        const char *ctrl;
} CgroupDir;

typedef struct CgroupOps CgroupOps;

struct Cgroup {
        const CgroupOps *ops;
        char *name;
        char *path;  /* "<parent>/<name>", for messages */
        int lock_fd; /* its own open file description of dirs[0], so nobody closes it by mistake */
        int cpu_fd;  /* kept open for cgroup_read_cpu_usec(): v2 cpu.stat, v1 cpuacct.usage */
        size_t n_dirs;
        CgroupDir dirs[CGROUP_MAX_HIER]; /* dirs[0] is the one locked: memory on v1 */
};

struct CgroupOps {
        CgroupVersion version;
        /* Opens every hierarchy root the backend uses, deduplicated, with parent_fd -EBADF;
         * hier[0] is the primary one. This is also the probe: when root_fd holds no usable
         * hierarchy of this version, -errno with what is missing written to `why` (for the
         * error message), and nothing left open. */
        int (*open_hierarchies)(int root_fd, CgroupHier hier[CGROUP_MAX_HIER], size_t *ret_n,
                                char *why, size_t why_size);
        /* Chooses host->parent for caller (creating it as root), readies it for children and
         * opens it in every hierarchy of host->hier (parent_fd; gc_only ones where it exists).
         * self_cgroup: the caller's own group in this hierarchy, relative to its root ("" for
         * the root itself), or NULL when unknown. */
        int (*setup_parent)(CgroupHost *host, uid_t caller, const char *self_cgroup,
                            AirlockError *err);
        /* Called once the group's directories are open: caches fds, checks what it needs. */
        int (*init_group)(Cgroup *cg, AirlockError *err);
        int (*set_limits)(Cgroup *cg, const CgroupLimits *limits, AirlockError *err);
        int (*read_usage)(Cgroup *cg, CgroupUsage *ret);
        int (*read_cpu_usec)(Cgroup *cg, uint64_t *ret);
        int (*kill)(Cgroup *cg);
        /* > 0 while processes are left, 0 when empty. */
        int (*populated)(Cgroup *cg);
        /* Extra steps of cgroup_delegate() on the new "<parent>/user-<uid>" in one hierarchy,
         * after the directory and its cgroup.procs were chowned. */
        int (*delegate_dir)(int dir_fd, uid_t uid, gid_t gid, AirlockError *err);
};

extern const CgroupOps cgroup_v1_ops;
extern const CgroupOps cgroup_v2_ops;

/* The kernel fills a new cgroup directory with its control files and lets rmdir remove a
 * directory that still lists them; a plain directory does neither. Unit tests that run the
 * backends against a fake tree install these hooks to play the kernel's part. Production leaves
 * the pointer NULL, and the backends never create a control file (no O_CREAT anywhere): a file
 * the kernel does not offer stays missing, which is exactly what the backends must detect. This
 * keeps the code under test identical to production, unlike a "fake" flag in CgroupHost. */
typedef struct CgroupFakeKernel {
        int (*after_mkdir)(int dir_fd, CgroupVersion version, const char *ctrl);
        int (*before_rmdir)(int parent_fd, const char *name);
        bool no_pidfd; /* plays a kernel without pidfd_open() (< 5.3) */
        /* In a kill, after the listed processes are pinned by pidfds and before cgroup.procs is
         * read again: lets a test play a process that leaves the group in between. */
        void (*between_reads)(int dir_fd);
} CgroupFakeKernel;

extern const CgroupFakeKernel *cgroup_fake_kernel;

/* cgroup-util.c: control files. All return 0 or -errno; none creates a file. */
int cg_mkdirat(int dir_fd, const char *name, mode_t mode, CgroupVersion version, const char *ctrl);
int cg_rmdirat(int dir_fd, const char *name);
int cg_open_dir(int dir_fd, const char *path);
int cg_write(int dir_fd, const char *file, const char *value);
int cg_writef(int dir_fd, const char *file, const char *fmt, ...) _printf_(3, 4);
int cg_read(int dir_fd, const char *file, char **ret);
/* A control file of at most size - 1 bytes (-EFBIG otherwise) into buf, NUL-terminated: open,
 * one read, close. cgroupfs hands a file that fits over in one read(2). */
int cg_read_small(int dir_fd, const char *file, char *buf, size_t size);
int cg_pread(int fd, char *buf, size_t size);
int cg_read_u64(int dir_fd, const char *file, uint64_t *ret);
int cg_parse_u64(const char *text, uint64_t *ret);
int cg_parse_keyed(const char *text, const char *key, uint64_t *ret);
int cg_read_keyed(int dir_fd, const char *file, const char *key, uint64_t *ret);
/* 1 and *ret set when the file (and key) exist, 0 when the kernel does not offer them, -errno
 * when they exist but do not parse. */
int cg_read_optional(int dir_fd, const char *file, const char *key, uint64_t *ret);
bool cg_has_word(const char *text, const char *word);
const char *cg_missing_words(const char *text, const char *const *words, char *buf, size_t size);
/* Signals every process cgroup.procs lists; *ret_seen = how many it listed. Each pid is signalled
 * through a pidfd opened before a second read of cgroup.procs that still lists it: a process
 * that exited in between and whose pid went to an outsider is never hit. Without pidfds (kernel
 * < 5.3) it falls back to kill(2), and v1 groups then keep the freezer (see cgroup-v1.c). */
int cg_procs_kill(int dir_fd, int sig, size_t *ret_seen);
/* Whether pidfd_open() works here (kernel >= 5.3, not refused by a seccomp filter); probed once
 * per process. */
bool cg_have_pidfd(void);
int cg_procs_empty(int dir_fd);
void cg_sleep_ms(unsigned ms);
/* The caller's own group from /proc/self/cgroup, relative to the hierarchy root: the v2 line for
 * controller NULL, else the v1 line listing controller. cg_parse_self_path() does the same on
 * the file's text, for a caller that needs two lines of one read. */
int cg_read_self_path(const char *controller, char **ret);
int cg_parse_self_path(const char *text, const char *controller, char **ret);
/* True when self lies in (or is) "<parent>/<name>": gc must never kill its own caller. */
bool cg_path_contains(const char *parent, const char *name, const char *self);

/* The three controllers every group needs, as the kernel names them. */
extern const char *const cgroup_required_controllers[];

/* cgroup.c: shared by the backends. Closes fd and parent_fd of each. */
void cgroup_hier_close(CgroupHier hier[], size_t n);

/* cgroup.c: shared with cgroup-gc.c. */
bool cgroup_name_is_valid(const char *name);              /* a name cgroup_create() accepts */
int cgroup_flock_retry(int fd, int op);                   /* flock(), again after EINTR */
const CgroupOps *cgroup_host_ops(const CgroupHost *host); /* NULL unless host is open */
Cgroup *cgroup_new(const CgroupOps *ops, const CgroupHost *host, const char *name);
void cgroup_free(Cgroup *cg); /* closes its fds (releasing its lock), no rmdir */
/* rmdir in every hierarchy; if the kernel refuses, kill, wait (bounded) and rmdir again. */
int cgroup_teardown(Cgroup *cg);

/* cgroup_host_open() and cgroup_gc() minus the reading of /proc/self/cgroup: the caller's own
 * group (relative to the hierarchy root, NULL when unknown) is given, so tests can fake it. */
int cgroup_host_open_at(const char *root_path, CgroupVersion want, uid_t caller,
                        const char *self_cgroup, CgroupHost *ret, AirlockError *err);
int cgroup_gc_at(const CgroupHost *host, const char *self_cgroup, AirlockError *err);
/* Points an open host at another parent (which must exist in every hierarchy that is not
 * gc_only) and reopens it there: for tests that work below a parent of their own. */
int cgroup_host_set_parent(CgroupHost *host, const char *parent);
