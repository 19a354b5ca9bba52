#pragma once

#include "config/config.h"
#include "result.h"

/* After the sandbox is gone: copies the regular files of the scratch directory that match the
 * --collect globs into --out-dir. Symlinks, devices and anything else are listed as skipped,
 * never followed; so are files over the size cap. Paths are resolved with openat2 and
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS on both sides: a symlink planted in the output
 * directory is refused, not followed. Results are appended to r->files. */
int collect_outputs(int scratch_fd, const AirlockConfig *c, RunResult *r, AirlockError *err);

/* fnmatch with FNM_PATHNAME | FNM_PERIOD, plus a leading "**" + "/" meaning any directory. */
bool collect_glob_matches(const char *glob, const char *path);
