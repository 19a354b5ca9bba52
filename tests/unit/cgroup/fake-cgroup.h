/* A fake cgroup tree in a temporary directory, and a fake kernel that fills new group directories
 * with the control files the real one would (see CgroupFakeKernel in cgroup-internal.h). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup/cgroup-internal.h"

typedef struct FakeTree {
        char *root;
        int fd;
} FakeTree;

/* v2: a root with cgroup.controllers (controllers, e.g. "cpu memory pids"); v1: one directory per
 * name in the space-separated controllers list, each with cgroup.procs. Installs the fake kernel.
 */
void fake_tree_init(FakeTree *t, CgroupVersion version, const char *controllers);
void fake_tree_done(FakeTree *t);

/* Control files the fake kernel leaves out of directories it makes from now on (NULL-ended;
 * at most 15), to play an older kernel or a disabled feature. */
void fake_kernel_omit(const char *const *files);

/* Plays a kernel without pidfd_open() (< 5.3) until the next fake_tree_init(). */
void fake_kernel_no_pidfd(bool on);
/* Runs fn (on the group's directory) in a kill between pinning the listed pids and reading
 * cgroup.procs again, until the next fake_tree_init(). */
void fake_kernel_between_reads(void (*fn)(int dir_fd));

/* Plays the kernel's mkdir: the directory with its control files. Relative to the root. */
void fake_mkdir_group(FakeTree *t, const char *path, CgroupVersion version, const char *ctrl);

void fake_write(FakeTree *t, const char *path, const char *content);
/* The whole file as a malloc'd string, or NULL when it does not exist. */
char *fake_read(FakeTree *t, const char *path);
bool fake_exists(FakeTree *t, const char *path);

/* A child process that sleeps until killed. */
pid_t fake_spawn_sleeper(void);
