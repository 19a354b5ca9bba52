/* The sandbox policy: everything a run needs, validated and bounded before anything starts. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/error.h"

typedef struct AirlockLimits {
        uint64_t memory_bytes;
        uint64_t wall_ms;
        uint64_t cpu_ms;
        uint32_t pids;
        uint32_t cpu_milli; /* 1000 = one core */
        uint64_t stdout_bytes;
        uint64_t stderr_bytes;
        uint64_t scratch_bytes;
        uint64_t tmp_bytes;
        uint32_t nofile;
        uint64_t fsize_bytes;
        uint64_t collect_bytes; /* per file copied out, and in total */
        uint32_t net_conns;     /* concurrent gateway connections */
        uint64_t net_bytes;     /* through the gateway, each way */
} AirlockLimits;

/* --copy HOST[:DEST]: DEST is relative to the scratch directory, already normalised. */
typedef struct AirlockCopy {
        char *host;
        char *dest;
} AirlockCopy;

/* A file given as bytes (the server's request "files"), written into the scratch directory like
 * a --copy. path is relative to it, already normalised. */
typedef struct AirlockInlineFile {
        char *path;
        unsigned char *data;
        size_t len;
        bool executable;
} AirlockInlineFile;

/* --ro-bind / --bind SRC[:DST]: DST is an absolute path inside the sandbox. */
typedef struct AirlockBind {
        char *src;
        char *dst;
        bool writable;
} AirlockBind;

typedef enum AirlockCgroupMode {
        AIRLOCK_CGROUP_AUTO = 0,
        AIRLOCK_CGROUP_V1,
        AIRLOCK_CGROUP_V2,
} AirlockCgroupMode;

typedef enum AirlockPrescreenMode {
        AIRLOCK_PRESCREEN_OFF = 0,
        AIRLOCK_PRESCREEN_WARN,  /* findings go into the result */
        AIRLOCK_PRESCREEN_BLOCK, /* and a finding at or above the severity stops the run */
} AirlockPrescreenMode;

typedef struct AirlockConfig {
        char **argv; /* NULL-terminated, argv[0] is the command */
        AirlockLimits limits;
        char *rootfs; /* NULL: the host's /usr, /bin, /lib*, /sbin */
        AirlockCopy *copies;
        size_t n_copies;
        AirlockInlineFile *inline_files;
        size_t n_inline_files;
        AirlockBind *binds;
        size_t n_binds;
        char **collect; /* globs relative to the scratch directory */
        size_t n_collect;
        char *out_dir;
        bool collect_in_memory; /* collected files go into the result (CollectedFile.data), for
                                 * the server; out_dir is then unused */
        char *stdin_path;       /* NULL: /dev/null; "-": airlock's own stdin */
        char **env;             /* "K=V" added to the clean environment */
        size_t n_env;
        char **allow_net; /* --allow-net specs; none: no network at all */
        size_t n_allow_net;
        char **allow_private; /* --allow-private CIDRs */
        size_t n_allow_private;
        uint32_t uid_base, uid_count;
        AirlockCgroupMode cgroup_mode;
        /* Weaker modes, only when asked for by name (for debugging and for measuring what each
         * layer costs); the result says which layers were in force. */
        bool allow_no_landlock; /* run on a kernel without Landlock */
        bool landlock_off;      /* --landlock off */
        char *seccomp_profile;  /* NULL: "default"; "strict", "off", or a policy file */
        bool seccomp_log;       /* denials also go to the kernel's audit log */
        AirlockPrescreenMode prescreen_mode;
        unsigned prescreen_severity; /* ScanSeverity: block at or above it (default high) */
        char *cgroup_root;           /* NULL: /sys/fs/cgroup; tests point it elsewhere */
        unsigned audit_level;        /* AuditLevel of --audit: off, alerts (default), full */
        char *rules_path;            /* --rules FILE (docs/EVENTS.md); NULL: built-in rules */
} AirlockConfig;

void airlock_config_init(AirlockConfig *c);
void airlock_config_done(AirlockConfig *c);
void airlock_limits_default(AirlockLimits *l);

/* Appenders used by the option parser; each validates its argument and reports a usage error
 * naming the option. */
int airlock_config_add_copy(AirlockConfig *c, const char *spec, AirlockError *err);
int airlock_config_add_bind(AirlockConfig *c, const char *spec, bool writable, AirlockError *err);
int airlock_config_add_env(AirlockConfig *c, const char *kv, AirlockError *err);
/* Takes a copy of data; path must be relative and stay inside the scratch directory. */
int airlock_config_add_inline_file(AirlockConfig *c, const char *path, const void *data, size_t len,
                                   bool executable, AirlockError *err);
int airlock_config_add_collect(AirlockConfig *c, const char *glob, AirlockError *err);
/* Stored as given; the network module parses them (before clone) when the run is prepared. */
int airlock_config_add_allow_net(AirlockConfig *c, const char *spec, AirlockError *err);
int airlock_config_add_allow_private(AirlockConfig *c, const char *cidr, AirlockError *err);

/* Checks everything together (bounds, the command, that copy sources exist and out_dir is a
 * directory) before any isolation step begins. */
int airlock_config_validate(const AirlockConfig *c, AirlockError *err);
