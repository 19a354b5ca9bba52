/* The v1 backend against a fake tree of controller directories. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake-cgroup.h"

static FakeTree tree;

static void setup(void)
{
        fake_tree_init(&tree, CGROUP_VERSION_V1, "memory pids cpu cpuacct freezer devices");
}

static void teardown(void)
{
        fake_tree_done(&tree);
}

TestSuite(cgroup_v1, .init = setup, .fini = teardown);

/* Where new groups go. The freezer is only swept by gc (cgroup-v1.c says why), unless pidfds
 * are missing. */
static const char *const hierarchies[] = {"memory", "pids", "cpu", "cpuacct"};
#define N_HIER 4

static void open_host(CgroupHost *host, uid_t caller)
{
        AirlockError err = {};

        cr_assert_eq(cgroup_host_open_at(tree.root, CGROUP_VERSION_NONE, caller, NULL, host, &err),
                     0, "%s", err.message);
        cr_assert_eq(host->version, CGROUP_VERSION_V1);
}

static const CgroupLimits limits = {
    .memory_bytes = 256ULL << 20,
    .pids = 64,
    .cpu_milli = 500,
};

static void assert_file(const char *path, const char *want)
{
        char *got = fake_read(&tree, path);

        cr_assert_not_null(got, "%s missing", path);
        cr_assert_str_eq(got, want, "%s", path);
        free(got);
}

/* "<hierarchy>/<rest>" exists in the fake tree. */
static bool exists_in(const char *hierarchy, const char *rest)
{
        char path[256];

        snprintf(path, sizeof(path), "%s/%s", hierarchy, rest);
        return fake_exists(&tree, path);
}

Test(cgroup_v1, detects_and_makes_parent_everywhere)
{
        CgroupHost host = {};

        open_host(&host, 0);
        cr_assert_str_eq(host.parent, "airlock");
        for (size_t i = 0; i < N_HIER; i++)
                cr_assert(exists_in(hierarchies[i], "airlock"), "%s", hierarchies[i]);
        cr_assert_not(fake_exists(&tree, "devices/airlock"), "unused controller touched");
        cr_assert_not(fake_exists(&tree, "freezer/airlock"), "the freezer is for gc only");
        cr_assert_eq(host.n_hier, 5);
        cr_assert(host.hier[4].gc_only);
        cr_assert_eq(host.hier[4].parent_fd, -EBADF);
        cgroup_host_close(&host);
}

Test(cgroup_v1, host_keeps_the_hierarchies_open)
{
        CgroupHost host = {};
        Cgroup *cg = NULL;

        open_host(&host, 0);
        /* Create and gc work from the host's fds: with the root path gone they still work. */
        cr_assert_eq(renameat(AT_FDCWD, tree.root, AT_FDCWD, "/tmp/airlock-cgtest-moved"), 0);
        cr_assert_eq(cgroup_gc_at(&host, NULL, NULL), 0);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        cgroup_host_close(&host);
        /* The group holds fds of its own: it outlives the host. */
        cr_assert_eq(cgroup_destroy(cg), 0);
        cr_assert_eq(renameat(AT_FDCWD, "/tmp/airlock-cgtest-moved", AT_FDCWD, tree.root), 0);
        for (size_t i = 0; i < N_HIER; i++)
                cr_assert_not(exists_in(hierarchies[i], "airlock/run"), "%s", hierarchies[i]);
}

Test(cgroup_v1, missing_required_controller)
{
        CgroupHost host = {};
        AirlockError err = {};

        cr_assert_eq(unlinkat(tree.fd, "pids/cgroup.procs", 0), 0); /* an unmounted mount point */
        cr_assert_eq(cgroup_host_open_at(tree.root, CGROUP_VERSION_NONE, 0, NULL, &host, &err),
                     -ENOENT);
        cr_assert_eq(err.kind, AIRLOCK_ERR_SETUP);
        cr_assert_str_eq(err.step, "cgroup");
        cr_assert_not_null(strstr(err.message, "v1: not mounted: pids"), "%s", err.message);
        cr_assert_not_null(strstr(err.message, "v2: not a cgroup2 mount"), "%s", err.message);

        err = (AirlockError){};
        cr_assert_eq(cgroup_host_open_at(tree.root, CGROUP_VERSION_V1, 0, NULL, &host, &err),
                     -ENOENT);
        cr_assert_not_null(strstr(err.message, "no usable cgroup v1 controllers under "), "%s",
                           err.message);
        cr_assert_not_null(strstr(err.message, ": not mounted: pids"), "%s", err.message);
}

Test(cgroup_v1, optional_controllers_may_be_missing)
{
        CgroupHost host = {};
        CgroupUsage u = {};
        Cgroup *cg = NULL;
        uint64_t usec;
        pid_t pid;
        char buf[32];
        int status;

        cr_assert_eq(unlinkat(tree.fd, "cpuacct/cgroup.procs", 0), 0);
        cr_assert_eq(unlinkat(tree.fd, "freezer/cgroup.procs", 0), 0);
        open_host(&host, 0);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        cr_assert_not(fake_exists(&tree, "freezer/airlock/run"));
        cr_assert_eq(cgroup_read_cpu_usec(cg, &usec), -EOPNOTSUPP);
        cr_assert_eq(cgroup_read_usage(cg, &u), 0);
        cr_assert_not(u.have_cpu);

        /* Without a freezer the kill still signals what cgroup.procs lists. */
        pid = fake_spawn_sleeper();
        snprintf(buf, sizeof(buf), "%d\n", (int)pid);
        fake_write(&tree, "pids/airlock/run/cgroup.procs", buf);
        cr_assert_eq(cgroup_kill(cg), -EBUSY);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        fake_write(&tree, "pids/airlock/run/cgroup.procs", "");
        cr_assert_eq(cgroup_destroy(cg), 0);
        cgroup_host_close(&host);
}

Test(cgroup_v1, comounted_cpu_cpuacct)
{
        CgroupHost host = {};
        AirlockError err = {};
        Cgroup *cg = NULL;
        uint64_t usec;

        /* The usual distro layout: cpu and cpuacct are symlinks to one hierarchy. */
        cr_assert_eq(renameat(tree.fd, "cpu", tree.fd, "cpu,cpuacct"), 0);
        cr_assert_eq(unlinkat(tree.fd, "cpuacct/cgroup.procs", 0), 0);
        cr_assert_eq(unlinkat(tree.fd, "cpuacct", AT_REMOVEDIR), 0);
        cr_assert_eq(symlinkat("cpu,cpuacct", tree.fd, "cpu"), 0);
        cr_assert_eq(symlinkat("cpu,cpuacct", tree.fd, "cpuacct"), 0);
        open_host(&host, 0);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, &err), 0, "%s", err.message);
        assert_file("cpu,cpuacct/airlock/run/cpu.cfs_quota_us", "50000");
        fake_write(&tree, "cpu,cpuacct/airlock/run/cpuacct.usage", "7000000\n");
        cr_assert_eq(cgroup_read_cpu_usec(cg, &usec), 0);
        cr_assert_eq(usec, 7000);
        cr_assert_eq(cgroup_attach(cg, 77, NULL), 0);
        assert_file("cpu,cpuacct/airlock/run/cgroup.procs", "77");
        fake_write(&tree, "cpu,cpuacct/airlock/run/cgroup.procs", "");
        fake_write(&tree, "memory/airlock/run/cgroup.procs", "");
        fake_write(&tree, "pids/airlock/run/cgroup.procs", "");
        cr_assert_eq(cgroup_destroy(cg), 0);
        cr_assert_not(fake_exists(&tree, "cpu,cpuacct/airlock/run"));
        cgroup_host_close(&host);
}

Test(cgroup_v1, create_writes_limits_and_locks_memory_dir)
{
        CgroupHost host = {};
        AirlockError err = {};
        Cgroup *cg = NULL;
        int fd;

        open_host(&host, 0);
        cr_assert_eq(cgroup_create(&host, "run-1", &limits, &cg, &err), 0, "%s", err.message);
        assert_file("memory/airlock/run-1/memory.limit_in_bytes", "268435456");
        assert_file("memory/airlock/run-1/memory.memsw.limit_in_bytes", "268435456");
        assert_file("pids/airlock/run-1/pids.max", "64");
        assert_file("cpu/airlock/run-1/cpu.cfs_period_us", "100000");
        assert_file("cpu/airlock/run-1/cpu.cfs_quota_us", "50000");
        cr_assert_eq(cgroup_dir_fd(cg), -EOPNOTSUPP);

        fd = openat(tree.fd, "memory/airlock/run-1", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_lt(flock(fd, LOCK_EX | LOCK_NB), 0, "group not locked");
        cr_assert_eq(cgroup_destroy(cg), 0);
        for (size_t i = 0; i < N_HIER; i++)
                cr_assert_not(exists_in(hierarchies[i], "airlock/run-1"), "%s", hierarchies[i]);
        close(fd);
        cgroup_host_close(&host);
}

Test(cgroup_v1, no_swap_accounting)
{
        CgroupHost host = {};
        Cgroup *cg = NULL;

        open_host(&host, 0);
        fake_kernel_omit((const char *const[]){"memory.memsw.limit_in_bytes", NULL});
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        assert_file("memory/airlock/run/memory.limit_in_bytes", "268435456");
        cgroup_destroy(cg);
        cgroup_host_close(&host);
}

Test(cgroup_v1, failed_limit_removes_every_half)
{
        CgroupHost host = {};
        AirlockError err = {};
        Cgroup *cg = NULL;

        open_host(&host, 0);
        fake_kernel_omit((const char *const[]){"cpu.cfs_quota_us", NULL});
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, &err), -ENOENT);
        cr_assert_not_null(strstr(err.message, "airlock/run/cpu.cfs_quota_us"), "%s", err.message);
        for (size_t i = 0; i < N_HIER; i++)
                cr_assert_not(exists_in(hierarchies[i], "airlock/run"), "%s", hierarchies[i]);
        cgroup_host_close(&host);
}

Test(cgroup_v1, attach_everywhere)
{
        CgroupHost host = {};
        Cgroup *cg = NULL;

        open_host(&host, 0);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        cr_assert_eq(cgroup_attach(cg, 31337, NULL), 0);
        for (size_t i = 0; i < N_HIER; i++) {
                char path[128];

                snprintf(path, sizeof(path), "%s/airlock/run/cgroup.procs", hierarchies[i]);
                assert_file(path, "31337");
                fake_write(&tree, path, "");
        }
        cgroup_destroy(cg);
        cgroup_host_close(&host);
}

Test(cgroup_v1, usage_from_canned_files)
{
        CgroupHost host = {};
        CgroupUsage u = {};
        Cgroup *cg = NULL;
        uint64_t usec;

        open_host(&host, 0);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        fake_write(&tree, "memory/airlock/run/memory.max_usage_in_bytes", "4096000\n");
        fake_write(&tree, "memory/airlock/run/memory.oom_control",
                   "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
        fake_write(&tree, "pids/airlock/run/pids.events", "max 5\n");
        fake_write(&tree, "cpuacct/airlock/run/cpuacct.usage_user", "2000999\n");
        fake_write(&tree, "cpuacct/airlock/run/cpuacct.usage_sys", "3000000\n");
        fake_write(&tree, "cpuacct/airlock/run/cpuacct.usage", "5000999\n");
        cr_assert_eq(cgroup_read_usage(cg, &u), 0);
        cr_assert(u.have_memory_peak);
        cr_assert_eq(u.memory_peak_bytes, 4096000);
        cr_assert(u.have_cpu);
        cr_assert_eq(u.cpu_user_usec, 2000);
        cr_assert_eq(u.cpu_sys_usec, 3000);
        cr_assert_eq(u.oom_kills, 3);
        cr_assert_eq(u.pids_max_hits, 5);
        cr_assert_eq(cgroup_read_cpu_usec(cg, &usec), 0);
        cr_assert_eq(usec, 5000);
        fake_write(&tree, "cpuacct/airlock/run/cpuacct.usage", "x\n");
        cr_assert_eq(cgroup_read_cpu_usec(cg, &usec), -EINVAL);
        cgroup_destroy(cg);
        cgroup_host_close(&host);
}

Test(cgroup_v1, usage_fallbacks_of_old_kernels)
{
        CgroupHost host = {};
        CgroupUsage u = {};
        Cgroup *cg = NULL;
        long hz = sysconf(_SC_CLK_TCK);

        open_host(&host, 0);
        fake_kernel_omit((const char *const[]){"cpuacct.usage_user", "cpuacct.usage_sys",
                                               "pids.events", "memory.max_usage_in_bytes", NULL});
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        fake_write(&tree, "cpuacct/airlock/run/cpuacct.stat", "user 10\nsystem 20\n");
        /* Before 4.13 memory.oom_control has no oom_kill line. */
        fake_write(&tree, "memory/airlock/run/memory.oom_control",
                   "oom_kill_disable 0\nunder_oom 0\n");
        cr_assert_eq(cgroup_read_usage(cg, &u), 0);
        cr_assert_not(u.have_memory_peak);
        cr_assert(u.have_cpu);
        cr_assert_eq(u.cpu_user_usec, 10ULL * 1000000 / (uint64_t)hz);
        cr_assert_eq(u.cpu_sys_usec, 20ULL * 1000000 / (uint64_t)hz);
        cr_assert_eq(u.oom_kills, 0);
        cr_assert_eq(u.pids_max_hits, 0);
        cgroup_destroy(cg);
        cgroup_host_close(&host);
}

Test(cgroup_v1, kill_signals_through_pidfds, .timeout = 20)
{
        CgroupHost host = {};
        Cgroup *cg = NULL;
        pid_t pid;
        char buf[32];
        int status;

        open_host(&host, 0);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        cr_assert_eq(cgroup_kill(cg), 0, "an empty group is killed at once");

        pid = fake_spawn_sleeper();
        snprintf(buf, sizeof(buf), "%d\n", (int)pid);
        fake_write(&tree, "memory/airlock/run/cgroup.procs", buf);
        /* A fake group never empties: the rounds run out. */
        cr_assert_eq(cgroup_kill(cg), -EBUSY);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        fake_write(&tree, "memory/airlock/run/cgroup.procs", "");
        cr_assert_eq(cgroup_destroy(cg), 0);
        cgroup_host_close(&host);
}

static void leave_group(int dir_fd)
{
        int fd = openat(dir_fd, "cgroup.procs", O_WRONLY | O_TRUNC | O_CLOEXEC);

        cr_assert_geq(fd, 0);
        close(fd);
}

/* What the freezer used to guarantee: a listed process that leaves the group (exits, and its pid
 * goes to someone else) before the signal is not signalled. Played here by a process that stays
 * alive and drops off cgroup.procs between the two reads. */
Test(cgroup_v1, kill_spares_a_pid_no_longer_in_the_group, .timeout = 20)
{
        CgroupHost host = {};
        Cgroup *cg = NULL;
        pid_t pid;
        char buf[32];
        int status;

        open_host(&host, 0);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        pid = fake_spawn_sleeper();
        snprintf(buf, sizeof(buf), "%d\n", (int)pid);
        fake_write(&tree, "pids/airlock/run/cgroup.procs", buf);
        fake_kernel_between_reads(leave_group);
        cr_assert_eq(cgroup_kill(cg), 0);
        cr_assert_eq(waitpid(pid, &status, WNOHANG), 0, "an outsider was killed");
        kill(pid, SIGKILL);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert_eq(cgroup_destroy(cg), 0);
        cgroup_host_close(&host);
}

/* Without pidfds (kernel < 5.3) a signal by pid could hit a reused one: new groups get a freezer
 * directory, as before, and the kill freezes around each round. */
Test(cgroup_v1, without_pidfds_kill_freezes_signals_thaws, .timeout = 20)
{
        CgroupHost host = {};
        Cgroup *cg = NULL;
        pid_t pid;
        char buf[32];
        int status;

        fake_kernel_no_pidfd(true);
        open_host(&host, 0);
        cr_assert_not(host.hier[4].gc_only);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        cr_assert(fake_exists(&tree, "freezer/airlock/run"));
        cr_assert_eq(cgroup_kill(cg), 0, "an empty group is killed at once");
        assert_file("freezer/airlock/run/freezer.state", "THAWED");

        pid = fake_spawn_sleeper();
        snprintf(buf, sizeof(buf), "%d\n", (int)pid);
        fake_write(&tree, "memory/airlock/run/cgroup.procs", buf);
        cr_assert_eq(cgroup_kill(cg), -EBUSY);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        assert_file("freezer/airlock/run/freezer.state", "THAWED");
        fake_write(&tree, "memory/airlock/run/cgroup.procs", "");
        cr_assert_eq(cgroup_destroy(cg), 0);
        cr_assert_not(fake_exists(&tree, "freezer/airlock/run"));
        cgroup_host_close(&host);
}

Test(cgroup_v1, kill_refuses_to_kill_the_caller)
{
        CgroupHost host = {};
        Cgroup *cg = NULL;
        char buf[32];

        open_host(&host, 0);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
        fake_write(&tree, "pids/airlock/run/cgroup.procs", buf);
        cr_assert_eq(cgroup_kill(cg), -EDEADLK);
        fake_write(&tree, "pids/airlock/run/cgroup.procs", "");
        cgroup_destroy(cg);
        cgroup_host_close(&host);
}

/* A group is made in the primary hierarchy first and removed there last, only once the others are
 * gone: a failed rmdir elsewhere leaves it, so gc still finds the group there. */
Test(cgroup_v1, destroy_removes_the_primary_dir_last, .timeout = 20)
{
        CgroupHost host = {};
        Cgroup *cg = NULL;
        char buf[32];
        pid_t pid;

        open_host(&host, 0);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        pid = fake_spawn_sleeper();
        snprintf(buf, sizeof(buf), "%d\n", (int)pid);
        /* Only the cpu half still lists a process: that rmdir is refused. */
        fake_write(&tree, "cpu/airlock/run/cgroup.procs", buf);
        cr_assert_eq(cgroup_destroy(cg), -EBUSY);
        cr_assert(exists_in("memory", "airlock/run"), "the primary half went first");
        cr_assert(exists_in("cpu", "airlock/run"));
        cr_assert_not(exists_in("pids", "airlock/run"));
        cr_assert_eq(waitpid(pid, NULL, 0), pid);
        fake_write(&tree, "cpu/airlock/run/cgroup.procs", "");
        cr_assert_eq(cgroup_gc_at(&host, NULL, NULL), 1);
        cr_assert_not(exists_in("memory", "airlock/run"));
        cr_assert_not(exists_in("cpu", "airlock/run"));
        cgroup_host_close(&host);
}

Test(cgroup_v1, gc_removes_stale_and_orphans_keeps_locked)
{
        CgroupHost host = {};
        AirlockError err = {};
        Cgroup *cg = NULL;

        open_host(&host, 0);
        cr_assert_eq(cgroup_create(&host, "live", &limits, &cg, NULL), 0);
        for (size_t i = 0; i < N_HIER; i++) {
                char path[128];

                snprintf(path, sizeof(path), "%s/airlock/stale", hierarchies[i]);
                fake_mkdir_group(&tree, path, CGROUP_VERSION_V1, hierarchies[i]);
        }
        /* A crash between two mkdirs: no memory half, so no lock to take. */
        fake_mkdir_group(&tree, "pids/airlock/orphan", CGROUP_VERSION_V1, "pids");
        fake_mkdir_group(&tree, "memory/airlock/user-1000", CGROUP_VERSION_V1, "memory");
        fake_write(&tree, "memory/airlock/not-a-dir", "");

        cr_assert_eq(cgroup_gc_at(&host, NULL, &err), 2, "%s", err.message);
        for (size_t i = 0; i < N_HIER; i++) {
                cr_assert_not(exists_in(hierarchies[i], "airlock/stale"));
                cr_assert(exists_in(hierarchies[i], "airlock/live"));
        }
        cr_assert_not(fake_exists(&tree, "pids/airlock/orphan"));
        cr_assert(fake_exists(&tree, "memory/airlock/user-1000"));
        cr_assert(fake_exists(&tree, "memory/airlock/not-a-dir"));
        cgroup_destroy(cg);
        cr_assert_eq(cgroup_gc_at(&host, NULL, &err), 0);
        cgroup_host_close(&host);
}

/* cgroup_gc() spares the caller's own group: the one cgroup_host_open() read, or for root (who
 * needs it nowhere else) the one gc reads from /proc/self/cgroup when it sweeps. */
Test(cgroup_v1, gc_spares_the_callers_own_group)
{
        CgroupHost host = {};
        AirlockError err = {};

        open_host(&host, 0);
        cr_assert_not(host.self_known);
        for (size_t i = 0; i < N_HIER; i++) {
                char path[128];

                snprintf(path, sizeof(path), "%s/airlock/mine", hierarchies[i]);
                fake_mkdir_group(&tree, path, CGROUP_VERSION_V1, hierarchies[i]);
        }
        host.self = strdup("airlock/mine/leaf");
        host.self_known = true;
        cr_assert_eq(cgroup_gc(&host, &err), 0, "%s", err.message);
        cr_assert(exists_in("memory", "airlock/mine"), "own group removed");
        /* Read from /proc/self/cgroup: this test's own group is nowhere in the fake tree. */
        free(host.self);
        host.self = NULL;
        host.self_known = false;
        cr_assert_eq(cgroup_gc(&host, &err), 1, "%s", err.message);
        cr_assert_not(exists_in("memory", "airlock/mine"));
        cgroup_host_close(&host);
}

/* Nothing stale in the primary hierarchy: gc finds a lone leftover elsewhere by the link count of
 * its parent, with and without live groups around, in any hierarchy new groups use. */
Test(cgroup_v1, gc_finds_an_orphan_alone)
{
        CgroupHost host = {};
        AirlockError err = {};
        Cgroup *a = NULL, *b = NULL;

        open_host(&host, 0);
        for (size_t i = 1; i < N_HIER; i++) {
                char path[128];

                snprintf(path, sizeof(path), "%s/airlock/orphan", hierarchies[i]);
                fake_mkdir_group(&tree, path, CGROUP_VERSION_V1, hierarchies[i]);
                cr_assert_eq(cgroup_gc_at(&host, NULL, &err), 1, "%s: %s", path, err.message);
                cr_assert_not(fake_exists(&tree, path));
        }
        cr_assert_eq(cgroup_create(&host, "a", &limits, &a, NULL), 0);
        cr_assert_eq(cgroup_create(&host, "b", &limits, &b, NULL), 0);
        fake_mkdir_group(&tree, "cpuacct/airlock/orphan", CGROUP_VERSION_V1, "cpuacct");
        cr_assert_eq(cgroup_gc_at(&host, NULL, &err), 1, "%s", err.message);
        cr_assert_not(fake_exists(&tree, "cpuacct/airlock/orphan"));
        cr_assert_eq(cgroup_gc_at(&host, NULL, &err), 0);
        cr_assert(exists_in("cpuacct", "airlock/a") && exists_in("cpuacct", "airlock/b"));
        cgroup_destroy(a);
        cgroup_destroy(b);
        cgroup_host_close(&host);
}

/* An older airlock made its groups in the freezer too: gc removes that half with the others (the
 * live suite checks that one it left frozen, with processes, is thawed and emptied). A directory
 * the freezer alone holds is no sign of anything stale (new groups never go there): it goes with
 * the next sweep. */
Test(cgroup_v1, gc_cleans_what_an_older_airlock_left_in_the_freezer)
{
        CgroupHost host = {};
        AirlockError err = {};

        cr_assert_eq(mkdirat(tree.fd, "freezer/airlock", 0755), 0);
        open_host(&host, 0);
        cr_assert_geq(host.hier[4].parent_fd, 0);
        fake_mkdir_group(&tree, "freezer/airlock/lone", CGROUP_VERSION_V1, "freezer");
        cr_assert_eq(cgroup_gc_at(&host, NULL, &err), 0, "%s", err.message);
        cr_assert(fake_exists(&tree, "freezer/airlock/lone"), "swept without a reason");

        for (size_t i = 0; i < 5; i++) {
                const char *ctrl = i < N_HIER ? hierarchies[i] : "freezer";
                char path[128];

                snprintf(path, sizeof(path), "%s/airlock/old", ctrl);
                fake_mkdir_group(&tree, path, CGROUP_VERSION_V1, ctrl);
        }
        fake_write(&tree, "freezer/airlock/old/freezer.state", "FROZEN\n");
        cr_assert_eq(cgroup_gc_at(&host, NULL, &err), 2, "%s", err.message);
        for (size_t i = 0; i < N_HIER; i++)
                cr_assert_not(exists_in(hierarchies[i], "airlock/old"));
        cr_assert_not(fake_exists(&tree, "freezer/airlock/old"));
        cr_assert_not(fake_exists(&tree, "freezer/airlock/lone"));
        cgroup_host_close(&host);
}

Test(cgroup_v1, delegate_then_open_as_user)
{
        CgroupHost host = {}, user = {};
        AirlockError err = {};
        struct stat st;

        if (geteuid() != 0)
                cr_skip("delegation chowns to another uid: needs root");
        open_host(&host, 0);
        cr_assert_eq(cgroup_delegate(&host, 1000, 100, &err), 0, "%s", err.message);
        cr_assert_eq(cgroup_delegate(&host, 1000, 100, &err), 0, "not idempotent");
        for (size_t i = 0; i < N_HIER; i++) {
                char path[128];

                snprintf(path, sizeof(path), "%s/airlock/user-1000/cgroup.procs", hierarchies[i]);
                cr_assert_eq(fstatat(tree.fd, path, &st, 0), 0, "%s", path);
                cr_assert_eq(st.st_uid, 1000);
                cr_assert_eq(st.st_gid, 100);
                cr_assert_eq(fstatat(tree.fd, path, &st, 0), 0);
                *strrchr(path, '/') = '\0';
                cr_assert_eq(fstatat(tree.fd, path, &st, 0), 0, "%s", path);
                cr_assert_eq(st.st_uid, 1000);
        }
        open_host(&user, 1000);
        cr_assert_str_eq(user.parent, "airlock/user-1000");
        cgroup_host_close(&user);

        cr_assert_eq(cgroup_host_open_at(tree.root, CGROUP_VERSION_V1, 1001, NULL, &user, &err),
                     -EACCES);
        cr_assert_str_eq(err.message,
                         "no cgroup delegated to uid 1001 (as root: airlock delegate 1001)");
        cgroup_host_close(&host);
}

static int count_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        int n = 0;

        cr_assert_not_null(d);
        while (readdir(d))
                n++;
        closedir(d);
        return n;
}

/* The host's fds, the group's duplicates of them, and everything a sweep opens go again. */
Test(cgroup_v1, no_fd_leaks)
{
        CgroupHost host = {};
        Cgroup *cg = NULL;
        CgroupUsage u;
        int before = count_fds();

        cr_assert_eq(mkdirat(tree.fd, "freezer/airlock", 0755), 0);
        open_host(&host, 0);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        cr_assert_eq(cgroup_read_usage(cg, &u), 0);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &(Cgroup *){NULL}, NULL), -EEXIST);
        fake_mkdir_group(&tree, "memory/airlock/stale", CGROUP_VERSION_V1, "memory");
        fake_mkdir_group(&tree, "freezer/airlock/stale", CGROUP_VERSION_V1, "freezer");
        fake_mkdir_group(&tree, "cpu/airlock/orphan", CGROUP_VERSION_V1, "cpu");
        cr_assert_eq(cgroup_gc_at(&host, NULL, NULL), 2);
        cr_assert_eq(cgroup_delegate(&host, 1000, 1000, NULL), geteuid() == 0 ? 0 : -EPERM);
        cr_assert_eq(cgroup_kill(cg), 0);
        cr_assert_eq(cgroup_destroy(cg), 0);
        cgroup_host_close(&host);
        cr_assert_eq(count_fds(), before);
}
