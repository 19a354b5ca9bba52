/* A run's result as a short report for people, written to stderr by `airlock run`. Every line
 * starts with "airlock: ". For example:
 *
 *   airlock: status ok, exit 0, wall 12 ms, cpu 3+1 ms, peak memory 1.2 MiB
 *   airlock: status timeout after 5000 ms (limit 5 s), cpu 4990+2 ms, peak memory 3 MiB
 *   airlock: stdout cut at 1 MiB of 3.4 MiB written
 *   airlock: collected 2 files (12 KiB)
 *   airlock: not collected: core (too large)
 *
 * A setup or usage error (status setup_error) is exactly one line, the project's error format:
 *
 *   airlock: mount /usr read-only: Permission denied
 *
 * Text the program chose (file names) and error messages are escaped: control characters,
 * invalid UTF-8 and bidirectional overrides show as \xNN or \uNNNN and a backslash as \\, so
 * the report is always the lines above and cannot drive the terminal. */
#pragma once

#include <stdio.h>

#include "sandbox/result.h"

void result_write_text(const RunResult *r, FILE *f);
