/* What happened in one run, as the parent saw it. The JSON and text renderings live in api/. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit-event.h"
#include "basic/error.h"
#include "config/config.h"
#include "net/gateway.h"
#include "scan/scan.h"

typedef enum RunStatus {
        RUN_OK = 0,
        RUN_EXIT_NONZERO,
        RUN_SIGNALED,
        RUN_TIMEOUT,
        RUN_CPU_LIMIT,
        RUN_MEMORY_LIMIT,
        RUN_PIDS_LIMIT,
        RUN_OUTPUT_LIMIT,
        RUN_SETUP_ERROR,
        RUN_PRESCREEN_BLOCKED, /* --prescreen block found something: nothing ran */
        RUN_CANCELLED,         /* the caller cancelled (SandboxHooks.cancel_fds, serve) */
        RUN_COMPILE_ERROR,     /* serve: the compile step failed; its output is the result's */
        RUN_POLICY_VIOLATION,  /* an --audit kill rule matched: the run was killed at once */
        _RUN_STATUS_MAX,
} RunStatus;

/* airlock's own exit codes (docs/ERRORS.md). A program's exit code passes through; a signal
 * becomes 128+N as in the shell. */
enum {
        AIRLOCK_EXIT_SETUP = 111,    /* an isolation step failed: the command did not run */
        AIRLOCK_EXIT_USAGE = 112,    /* bad arguments: nothing ran */
        AIRLOCK_EXIT_INTERNAL = 113, /* airlock failed after the command started */
        AIRLOCK_EXIT_TIMEOUT = 114,
        AIRLOCK_EXIT_CPU_LIMIT = 115,
        AIRLOCK_EXIT_MEMORY_LIMIT = 116,
        AIRLOCK_EXIT_PIDS_LIMIT = 117,
        AIRLOCK_EXIT_OUTPUT_LIMIT = 118,
        AIRLOCK_EXIT_PRESCREEN = 119, /* --prescreen block refused the code: nothing ran */
        AIRLOCK_EXIT_POLICY = 120,    /* an --audit kill rule ended the run */
        AIRLOCK_EXIT_CANCELLED = 121, /* 120 is policy_violation's */
        AIRLOCK_EXIT_COMPILE = 122,
};

typedef struct CapturedOutput {
        char *data; /* exactly the bytes the program wrote, up to the cap; may hold NULs */
        size_t len;
        uint64_t total; /* bytes the program tried to write, including what was cut */
        bool truncated;
} CapturedOutput;

typedef struct CollectedFile {
        char *path; /* relative to the scratch directory */
        uint64_t size;
        char *data;    /* with collect_in_memory: the file's bytes (size of them) */
        char *skipped; /* NULL when copied; otherwise why not ("symlink", "too large", ...) */
} CollectedFile;

typedef struct RunResult {
        RunStatus status;
        int exit_code; /* valid when signal is 0 */
        int signal;    /* set whenever the program did not exit by itself (our kills too) */
        uint64_t wall_ms;
        uint64_t cpu_user_ms;
        uint64_t cpu_sys_ms;
        uint64_t memory_peak_bytes;
        uint64_t oom_kills;
        uint64_t pids_max_hits;
        CapturedOutput out;
        CapturedOutput err;
        CollectedFile *files;
        size_t n_files;
        AirlockLimits limits; /* what was in force */
        AirlockError error;   /* set with RUN_SETUP_ERROR (and for internal trouble) */
        char cgroup_version[4];
        bool rootless;
        bool prescreened;      /* --prescreen warn|block was asked for */
        ScanReport *prescreen; /* one report per file scanned */
        size_t n_prescreen;
        bool network;           /* --allow-net: the gateway served this run */
        NetRecord *net_records; /* every attempt through the gateway */
        size_t n_net_records;
        char seccomp[64]; /* the profile in force: "default", "strict", a file name, or "off" */
        int landlock_abi; /* 0: Landlock was not applied (asked for by name) */
        char run_id[AUDIT_RUN_ID_MAX]; /* the id every audit event of the run carries */
        AuditSummary audit;            /* --audit: counts, alerts, the violation */
} RunResult;

/* Facts the parent gathered, from which the status follows (see run_result_decide_status). */
typedef struct RunOutcome {
        bool setup_failed;
        bool exited;
        int exit_code;
        int signal;
        bool timed_out;
        bool cpu_exceeded;
        bool output_exceeded;
        bool cancelled;
        bool policy_violation; /* an --audit kill rule fired */
        uint64_t oom_kills;
        uint64_t pids_max_hits;
} RunOutcome;

/* Precedence, most specific first: setup_error, policy_violation (the kill of a rule is the
 * cause of whatever else the program then ran into), cancelled, memory_limit (the OOM killer
 * fired), output_limit, cpu_limit, then pids_limit when forks were refused and the program did not
 * succeed (a fork bomb held at the limit until the wall clock ran out is pids_limit, not
 * timeout), timeout, signaled, exit_nonzero, ok. */
RunStatus run_result_decide_status(const RunOutcome *o);

const char *run_status_to_string(RunStatus s);
int run_status_from_string(const char *s, RunStatus *ret);

/* airlock's exit code for this result. */
int run_result_exit_code(const RunResult *r);

void run_result_init(RunResult *r);
void run_result_done(RunResult *r);
