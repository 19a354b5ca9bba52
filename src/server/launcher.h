/* `airlock serve`'s privileged half: one thread, the only process of the service that can make
 * sandboxes. It opens what needs opening (listening sockets, the keys, the access log), forks
 * the front end (which drops everything, frontend.h), then forks one run worker per request
 * the front end submits (run-worker.h), and handles the signals: SIGTERM/SIGINT drain, SIGHUP
 * reloads the keys. */
#pragma once

#include "serve-config.h"

/* Returns the process's exit code; errors before serving are printed as one line. */
int launcher_main(ServeConfig *config);
