/* One service run, in its own process (forked by the launcher): reads the encoded request from
 * memfd, runs it, and writes frames (run-frame.h) to run_fd until the result. Returns the
 * process's exit code. */
#pragma once

#include "serve-config.h"

int run_worker_main(const ServeConfig *config, int memfd, int run_fd);
