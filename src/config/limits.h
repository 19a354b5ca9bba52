/* Every default and every bound airlock enforces on what a caller may ask for. Defaults follow
 * the brief this project serves: 256 MiB of memory, 5 s. */
#pragma once

#define KIB (1024ULL)
#define MIB (1024ULL * KIB)
#define GIB (1024ULL * MIB)

#define AIRLOCK_DEFAULT_MEMORY      (256 * MIB)
#define AIRLOCK_DEFAULT_WALL_MS     5000ULL
#define AIRLOCK_DEFAULT_CPU_MS      5000ULL
#define AIRLOCK_DEFAULT_PIDS        64U
#define AIRLOCK_DEFAULT_CPU_MILLI   1000U
#define AIRLOCK_DEFAULT_OUTPUT      (1 * MIB)
#define AIRLOCK_DEFAULT_SCRATCH     (64 * MIB)
#define AIRLOCK_DEFAULT_TMP         (64 * MIB)
#define AIRLOCK_DEFAULT_NOFILE      256U
#define AIRLOCK_DEFAULT_FSIZE       (64 * MIB)
#define AIRLOCK_DEFAULT_COLLECT_MAX (64 * MIB)

#define AIRLOCK_MIN_MEMORY    (4 * MIB) /* below this even the dynamic loader fails */
#define AIRLOCK_MAX_MEMORY    (64 * GIB)
#define AIRLOCK_MIN_WALL_MS   1ULL
#define AIRLOCK_MAX_WALL_MS   (24ULL * 3600 * 1000)
#define AIRLOCK_MIN_PIDS      1U
#define AIRLOCK_MAX_PIDS      32768U
#define AIRLOCK_MIN_CPU_MILLI 10U
#define AIRLOCK_MAX_CPU_MILLI 1024000U
#define AIRLOCK_MAX_OUTPUT    (1 * GIB)
#define AIRLOCK_MIN_FS_SIZE   (64 * KIB)
#define AIRLOCK_MAX_FS_SIZE   (64 * GIB)
#define AIRLOCK_MIN_NOFILE    16U
#define AIRLOCK_MAX_NOFILE    20000U /* the hard limit CI's root holds and cannot raise */
#define AIRLOCK_MAX_FSIZE     (64 * GIB)

#define AIRLOCK_MAX_ARGS       4096
#define AIRLOCK_MAX_ENV        256
#define AIRLOCK_MAX_COPIES     256
#define AIRLOCK_MAX_BINDS      64
#define AIRLOCK_MAX_COLLECT    64    /* globs */
#define AIRLOCK_MAX_COLLECTED  1024  /* files copied out */
#define AIRLOCK_MAX_COPY_DEPTH 32    /* directory nesting copied in or out */
#define AIRLOCK_TMPFS_INODES   65536 /* files per tmpfs (/work, /tmp, /dev/shm) */

/* The egress gateway (only with --allow-net): per run. */
#define AIRLOCK_DEFAULT_NET_CONNS 16U
#define AIRLOCK_MAX_NET_CONNS     256U
#define AIRLOCK_DEFAULT_NET_BYTES (256 * MIB) /* each way */
#define AIRLOCK_MAX_NET_BYTES     (16 * GIB)
#define AIRLOCK_MAX_NET_SPECS     64

/* Sandboxes run as their own host uid/gid when airlock runs as root: one slot per concurrent
 * run, far above the ids distributions hand out to people and services. */
#define AIRLOCK_DEFAULT_UID_BASE  2000000000U
#define AIRLOCK_DEFAULT_UID_COUNT 65536U

/* Inside the sandbox the program is always this user, whatever it maps to on the host. */
#define AIRLOCK_SANDBOX_UID  1000U
#define AIRLOCK_SANDBOX_GID  1000U
#define AIRLOCK_SANDBOX_USER "sandbox"

#define AIRLOCK_SCRATCH_NAME "work" /* below the new root, before pivot_root */
#define AIRLOCK_SCRATCH_DIR  "/" AIRLOCK_SCRATCH_NAME
#define AIRLOCK_HOME_DIR     "/tmp/home"
#define AIRLOCK_HOSTNAME     "airlock"
#define AIRLOCK_PATH_ENV     "/usr/local/bin:/usr/bin:/bin"
