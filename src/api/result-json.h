/* A run's result (sandbox/result.h) as one JSON object: what `airlock run --json` prints and
 * what the HTTP server returns. docs/ERRORS.md documents the statuses; this is the schema.
 *
 * {
 *   "status": "ok" | "exit_nonzero" | "signaled" | "timeout" | "cpu_limit" | "memory_limit"
 *             | "pids_limit" | "output_limit" | "setup_error" | "policy_violation" | ...,
 *   "exit_code": int | null,       the program's own code; null unless it exited
 *   "signal": int | null,          the signal that killed it; null unless it was killed
 *   "signal_name": "SIGKILL" | null,
 *   "wall_ms": int, "cpu_user_ms": int, "cpu_sys_ms": int, "memory_peak_bytes": int,
 *   "stdout": string,              what was kept (up to limits.stdout_bytes)
 *   "stdout_truncated": bool,
 *   "stdout_bytes": int,           all the program wrote, including what was cut
 *   "stdout_base64": string,       ONLY when the kept bytes are not valid UTF-8: then "stdout"
 *                                  is a lossy copy (each invalid byte becomes U+FFFD) and this
 *                                  holds the exact bytes. NULs are valid ("\u0000").
 *   "stderr", "stderr_truncated", "stderr_bytes", "stderr_base64": the same for stderr,
 *   "files": [ {"path": string, "size": int} | {"path": string, "skipped": "reason"} ],
 *             a path that is not valid UTF-8 (the program chose the name) is lossy, with
 *             "path_base64" holding the exact bytes, as for stdout
 *   "limits": {"memory_bytes", "wall_ms", "cpu_ms", "pids", "cpus" (float: cores),
 *              "stdout_bytes", "stderr_bytes", "scratch_bytes", "tmp_bytes", "nofile",
 *              "fsize_bytes"}, the limits in force, all ints but "cpus"
 *   "events": {"oom_kills": int, "pids_max_hits": int},
 *   "sandbox": {"cgroup": "v1" | "v2" | null (not chosen yet), "rootless": bool},
 *   "error": {"kind": "setup" | "usage" | "internal", "step": string, "message": string,
 *             "errno": int | null, "errno_name": "EACCES" | null,
 *             "text": "step: message: strerror"}       ONLY when there was an error
 *   "run_id": string,              the id every --events line of the run carries
 *   "audit": {"level": "off" | "alerts" | "full", "counts": {"exec": int, ...} (events by
 *             kind, kinds with none left out), "alerts": [{"rule", "severity", "action",
 *             "evidence", "t_ms"}] (the first 64), "alerts_total": int, "dropped": int (events
 *             the --events writer lost; never alerts), "error": string ONLY when the
 *             supervisor failed}                        docs/EVENTS.md
 *   "violation": {"rule", "severity", "action", "evidence", "t_ms"}
 *                                  ONLY with status policy_violation: the kill rule that fired
 * }
 *
 * Keys appear in this order. "exit_code" is set when no signal was recorded (signal == 0) and
 * the status is not setup_error; "signal" when one was. Integers above INT64_MAX (none occur)
 * would be clamped to it. */
#pragma once

#include <jansson.h>
#include <stdio.h>

#include "sandbox/result.h"

/* Flags for json_dump*() of a result: 2-space indent, and "cpus": 0.1 rather than jansson's
 * default 17 digits (0.10000000000000001). The HTTP server should dump with these too. */
#define RESULT_JSON_DUMP_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(15))

/* A new reference, or NULL when out of memory. */
json_t *result_to_json(const RunResult *r);

/* One object, RESULT_JSON_DUMP_FLAGS, then a newline; flushes f. 0 or -errno. */
int result_write_json(const RunResult *r, FILE *f);

/* The same into path, atomically: a temporary file next to it, fsync, then rename over path,
 * so a reader sees the old file or the whole new one. Mode 0644. 0 or -errno. */
int result_write_json_file(const RunResult *r, const char *path);

/* "SIGKILL", "SIGRTMIN+3", or NULL for 0 and numbers that are no signal. buf holds the
 * real-time names. */
#define RESULT_SIGNAL_NAME_MAX 24
const char *result_signal_name(int sig, char buf[static RESULT_SIGNAL_NAME_MAX]);
