#pragma once

#include <sys/types.h>

#include "cgroup/cgroup.h"

/* A small process that outlives airlock only if airlock is killed: it waits for EOF on a pipe
 * and, unless airlock said it cleaned up itself, kills and removes the run's cgroup. The
 * sandbox's processes die with airlock anyway (parent-death signal on pid 1); the cgroup
 * directory is the one thing the kernel would leave behind. */
int janitor_start(Cgroup *cg, int *ret_fd, pid_t *ret_pid);

/* Tells the janitor that airlock cleaned up itself; reaps it if it is already gone. */
void janitor_release(int fd, pid_t pid);
