/* The v2 backend against a fake tree: detection, parents, limits, usage, kill, gc, delegation. */
#include <criterion/criterion.h>
#include <dirent.h>
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
        fake_tree_init(&tree, CGROUP_VERSION_V2, "cpuset cpu io memory hugetlb pids rdma");
}

static void teardown(void)
{
        fake_tree_done(&tree);
}

TestSuite(cgroup_v2, .init = setup, .fini = teardown);

static void open_root_host(CgroupHost *host)
{
        AirlockError err = {};

        cr_assert_eq(cgroup_host_open_at(tree.root, CGROUP_VERSION_NONE, 0, NULL, host, &err), 0,
                     "%s", err.message);
        cr_assert_eq(host->version, CGROUP_VERSION_V2);
}

static const CgroupLimits limits = {
    .memory_bytes = 256ULL << 20,
    .pids = 64,
    .cpu_milli = 1500,
};

static void assert_file(const char *path, const char *want)
{
        char *got = fake_read(&tree, path);

        cr_assert_not_null(got, "%s missing", path);
        cr_assert_str_eq(got, want, "%s", path);
        free(got);
}

Test(cgroup_v2, detects_and_prepares_parent)
{
        CgroupHost host = {};

        open_root_host(&host);
        cr_assert_str_eq(host.parent, "airlock");
        assert_file("cgroup.subtree_control", "+memory +pids +cpu");
        assert_file("airlock/cgroup.subtree_control", "+memory +pids +cpu");
        cr_assert_eq(strcmp(cgroup_version_to_string(host.version), "v2"), 0);
        cgroup_host_close(&host);
        cr_assert_eq(host.root_fd, -EBADF);
        cgroup_host_close(&host); /* twice is fine */
}

Test(cgroup_v2, enables_only_what_is_missing)
{
        CgroupHost host = {};

        fake_write(&tree, "cgroup.subtree_control", "cpu io memory\n");
        open_root_host(&host);
        assert_file("cgroup.subtree_control", "+pids");
        cgroup_host_close(&host);

        fake_write(&tree, "cgroup.subtree_control", "cpu io memory pids\n");
        fake_write(&tree, "airlock/cgroup.subtree_control", "cpu memory pids\n");
        open_root_host(&host);
        assert_file("cgroup.subtree_control", "cpu io memory pids\n");
        assert_file("airlock/cgroup.subtree_control", "cpu memory pids\n");
        cgroup_host_close(&host);
}

Test(cgroup_v2, missing_controller)
{
        CgroupHost host = {.version = CGROUP_VERSION_NONE};
        AirlockError err = {};

        fake_write(&tree, "cgroup.controllers", "cpu memory io\n");
        cr_assert_lt(cgroup_host_open_at(tree.root, CGROUP_VERSION_NONE, 0, NULL, &host, &err), 0);
        cr_assert_eq(err.kind, AIRLOCK_ERR_SETUP);
        cr_assert_str_eq(err.step, "cgroup");
        cr_assert_not_null(strstr(err.message, "v2: controllers not available: pids"), "%s",
                           err.message);
        cr_assert_not_null(strstr(err.message, "v1: not mounted: memory pids cpu"), "%s",
                           err.message);

        err = (AirlockError){};
        cr_assert_lt(cgroup_host_open_at(tree.root, CGROUP_VERSION_V2, 0, NULL, &host, &err), 0);
        cr_assert_not_null(strstr(err.message, "no usable cgroup v2 hierarchy"), "%s", err.message);
        cr_assert_eq(host.version, CGROUP_VERSION_NONE, "written on failure");
}

Test(cgroup_v2, forced_v1_on_v2_tree_fails)
{
        CgroupHost host = {};
        AirlockError err = {};

        cr_assert_lt(cgroup_host_open_at(tree.root, CGROUP_VERSION_V1, 0, NULL, &host, &err), 0);
        cr_assert_not_null(strstr(err.message, "no usable cgroup v1 controllers"), "%s",
                           err.message);
}

Test(cgroup_v2, create_writes_limits_and_locks)
{
        CgroupHost host = {};
        AirlockError err = {};
        Cgroup *cg = NULL;
        int fd;

        open_root_host(&host);
        cr_assert_eq(cgroup_create(&host, "run-1", &limits, &cg, &err), 0, "%s", err.message);
        assert_file("airlock/run-1/memory.max", "268435456");
        assert_file("airlock/run-1/memory.swap.max", "0");
        assert_file("airlock/run-1/pids.max", "64");
        assert_file("airlock/run-1/cpu.max", "150000 100000");

        fd = openat(tree.fd, "airlock/run-1", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(fd, 0);
        cr_assert_lt(flock(fd, LOCK_EX | LOCK_NB), 0, "group not locked");
        cr_assert_eq(errno, EWOULDBLOCK);
        cr_assert_geq(cgroup_dir_fd(cg), 0);

        cr_assert_eq(cgroup_destroy(cg), 0);
        cr_assert_not(fake_exists(&tree, "airlock/run-1"));
        cr_assert_eq(flock(fd, LOCK_EX | LOCK_NB), 0, "lock not released");
        close(fd);
        cgroup_host_close(&host);
}

Test(cgroup_v2, zero_limits_are_left_alone)
{
        CgroupHost host = {};
        CgroupLimits none = {};
        Cgroup *cg = NULL;

        open_root_host(&host);
        cr_assert_eq(cgroup_create(&host, "run", &none, &cg, NULL), 0);
        assert_file("airlock/run/memory.max", "max\n");
        assert_file("airlock/run/pids.max", "max\n");
        assert_file("airlock/run/cpu.max", "max 100000\n");
        cgroup_destroy(cg);
        cgroup_host_close(&host);
}

Test(cgroup_v2, no_swap_accounting_is_fine)
{
        CgroupHost host = {};
        Cgroup *cg = NULL;

        open_root_host(&host);
        fake_kernel_omit((const char *const[]){"memory.swap.max", NULL});
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        assert_file("airlock/run/memory.max", "268435456");
        cgroup_destroy(cg);
        cgroup_host_close(&host);
}

Test(cgroup_v2, missing_limit_file_fails_and_cleans_up)
{
        CgroupHost host = {};
        AirlockError err = {};
        Cgroup *cg = NULL;

        open_root_host(&host);
        fake_kernel_omit((const char *const[]){"pids.max", NULL});
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, &err), -ENOENT);
        cr_assert_null(cg);
        cr_assert_eq(err.kind, AIRLOCK_ERR_SETUP);
        cr_assert_not_null(strstr(err.message, "airlock/run/pids.max"), "%s", err.message);
        cr_assert_not(fake_exists(&tree, "airlock/run"));
        cgroup_host_close(&host);
}

Test(cgroup_v2, name_taken)
{
        CgroupHost host = {};
        AirlockError err = {};
        Cgroup *cg = NULL, *cg2 = NULL;

        open_root_host(&host);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg2, &err), -EEXIST);
        cr_assert_null(cg2);
        cr_assert(fake_exists(&tree, "airlock/run/memory.max"), "someone else's group removed");
        cgroup_destroy(cg);
        cgroup_host_close(&host);
}

Test(cgroup_v2, invalid_names)
{
        static const char *const bad[] = {
            "",   "..",  ".",  "a/b", "../x", "user-1000", "airlock-self", "cgroup.procs",
            "-x", "a b", "x\n"};
        CgroupHost host = {};

        open_root_host(&host);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                AirlockError err = {};
                Cgroup *cg = NULL;

                cr_assert_eq(cgroup_create(&host, bad[i], &limits, &cg, &err), -EINVAL, "%s",
                             bad[i]);
                cr_assert_eq(err.kind, AIRLOCK_ERR_USAGE);
        }
        cgroup_host_close(&host);
}

Test(cgroup_v2, attach_writes_pid)
{
        CgroupHost host = {};
        Cgroup *cg = NULL;

        open_root_host(&host);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        cr_assert_eq(cgroup_attach(cg, 4242, NULL), 0);
        assert_file("airlock/run/cgroup.procs", "4242");
        fake_write(&tree, "airlock/run/cgroup.procs", "");
        cgroup_destroy(cg);
        cgroup_host_close(&host);
}

Test(cgroup_v2, usage_from_canned_files)
{
        CgroupHost host = {};
        CgroupUsage u = {};
        Cgroup *cg = NULL;
        uint64_t usec = 0;

        open_root_host(&host);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        fake_write(&tree, "airlock/run/memory.peak", "1234567\n");
        fake_write(&tree, "airlock/run/cpu.stat",
                   "usage_usec 300\nuser_usec 100\nsystem_usec 200\nnr_periods 4\n");
        fake_write(&tree, "airlock/run/memory.events",
                   "low 0\nhigh 0\nmax 9\noom 3\noom_kill 2\noom_group_kill 0\n");
        fake_write(&tree, "airlock/run/pids.events", "max 7\n");
        cr_assert_eq(cgroup_read_usage(cg, &u), 0);
        cr_assert(u.have_memory_peak);
        cr_assert_eq(u.memory_peak_bytes, 1234567);
        cr_assert(u.have_cpu);
        cr_assert_eq(u.cpu_user_usec, 100);
        cr_assert_eq(u.cpu_sys_usec, 200);
        cr_assert_eq(u.oom_kills, 2);
        cr_assert_eq(u.pids_max_hits, 7);

        /* The kept-open cpu.stat sees a rewrite: pread, not a stale buffer. */
        cr_assert_eq(cgroup_read_cpu_usec(cg, &usec), 0);
        cr_assert_eq(usec, 300);
        fake_write(&tree, "airlock/run/cpu.stat", "usage_usec 123456789\nuser_usec 1\n");
        cr_assert_eq(cgroup_read_cpu_usec(cg, &usec), 0);
        cr_assert_eq(usec, 123456789);
        cgroup_destroy(cg);
        cgroup_host_close(&host);
}

Test(cgroup_v2, usage_of_an_old_kernel)
{
        CgroupHost host = {};
        CgroupUsage u = {.have_memory_peak = true};
        Cgroup *cg = NULL;

        open_root_host(&host);
        fake_kernel_omit(
            (const char *const[]){"memory.peak", "memory.events", "pids.events", NULL});
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        cr_assert_eq(cgroup_read_usage(cg, &u), 0);
        cr_assert_not(u.have_memory_peak);
        cr_assert(u.have_cpu);
        cr_assert_eq(u.oom_kills, 0);
        cr_assert_eq(u.pids_max_hits, 0);
        cgroup_destroy(cg);
        cgroup_host_close(&host);
}

Test(cgroup_v2, malformed_usage_is_an_error)
{
        CgroupHost host = {};
        CgroupUsage u = {};
        Cgroup *cg = NULL;
        uint64_t usec;

        open_root_host(&host);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        fake_write(&tree, "airlock/run/memory.peak", "12k\n");
        cr_assert_lt(cgroup_read_usage(cg, &u), 0);
        fake_write(&tree, "airlock/run/memory.peak", "12\n");
        fake_write(&tree, "airlock/run/memory.events", "oom_kill -1\n");
        cr_assert_lt(cgroup_read_usage(cg, &u), 0);
        fake_write(&tree, "airlock/run/cpu.stat", "user_usec 5\n");
        cr_assert_eq(cgroup_read_cpu_usec(cg, &usec), -ENOENT);
        fake_write(&tree, "airlock/run/cpu.stat", "usage_usec 99999999999999999999\n");
        cr_assert_eq(cgroup_read_cpu_usec(cg, &usec), -ERANGE);
        cgroup_destroy(cg);
        cgroup_host_close(&host);
}

Test(cgroup_v2, kill_uses_cgroup_kill)
{
        CgroupHost host = {};
        Cgroup *cg = NULL;

        open_root_host(&host);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        cr_assert_eq(cgroup_kill(cg), 0);
        assert_file("airlock/run/cgroup.kill", "1");
        cgroup_destroy(cg);
        cgroup_host_close(&host);
}

Test(cgroup_v2, kill_without_cgroup_kill_freezes_and_signals, .timeout = 20)
{
        CgroupHost host = {};
        Cgroup *cg = NULL;
        pid_t pid;
        char buf[32];
        int status;

        open_root_host(&host);
        fake_kernel_omit((const char *const[]){"cgroup.kill", NULL});
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        pid = fake_spawn_sleeper();
        snprintf(buf, sizeof(buf), "%d\n", (int)pid);
        fake_write(&tree, "airlock/run/cgroup.procs", buf);
        /* The fake never drops the pid from cgroup.procs: the bounded loop gives up. */
        cr_assert_eq(cgroup_kill(cg), -EBUSY);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        assert_file("airlock/run/cgroup.freeze", "0");
        fake_write(&tree, "airlock/run/cgroup.procs", "");
        cr_assert_eq(cgroup_destroy(cg), 0);
        cgroup_host_close(&host);
}

Test(cgroup_v2, destroy_of_a_group_that_never_empties, .timeout = 20)
{
        CgroupHost host = {};
        Cgroup *cg = NULL;

        open_root_host(&host);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        fake_write(&tree, "airlock/run/cgroup.events", "populated 1\nfrozen 0\n");
        cr_assert_eq(cgroup_destroy(cg), -EBUSY);
        cgroup_host_close(&host);
}

Test(cgroup_v2, gc_removes_unlocked_keeps_locked)
{
        CgroupHost host = {};
        AirlockError err = {};
        Cgroup *cg = NULL;

        open_root_host(&host);
        cr_assert_eq(cgroup_create(&host, "live", &limits, &cg, NULL), 0);
        fake_mkdir_group(&tree, "airlock/stale", CGROUP_VERSION_V2, "unified");
        fake_mkdir_group(&tree, "airlock/user-1000", CGROUP_VERSION_V2, "unified");
        fake_mkdir_group(&tree, "airlock/mine", CGROUP_VERSION_V2, "unified");
        cr_assert_eq(cgroup_gc_at(&host, "airlock/mine/leaf", &err), 1, "%s", err.message);
        cr_assert_not(fake_exists(&tree, "airlock/stale"));
        cr_assert(fake_exists(&tree, "airlock/live/memory.max"));
        cr_assert(fake_exists(&tree, "airlock/user-1000"), "delegation removed");
        cr_assert(fake_exists(&tree, "airlock/mine"), "own group removed");
        cr_assert(fake_exists(&tree, "airlock/cgroup.procs"));

        cr_assert_eq(cgroup_gc_at(&host, NULL, &err), 1); /* "mine" now */
        cr_assert_eq(cgroup_gc_at(&host, NULL, &err), 0);
        cgroup_destroy(cg);
        cgroup_host_close(&host);
}

Test(cgroup_v2, gc_reports_a_group_it_cannot_remove, .timeout = 20)
{
        CgroupHost host = {};
        AirlockError err = {};

        open_root_host(&host);
        fake_mkdir_group(&tree, "airlock/stuck", CGROUP_VERSION_V2, "unified");
        fake_mkdir_group(&tree, "airlock/stale", CGROUP_VERSION_V2, "unified");
        fake_write(&tree, "airlock/stuck/cgroup.events", "populated 1\n");
        cr_assert_eq(cgroup_gc_at(&host, NULL, &err), -EBUSY);
        cr_assert_not_null(strstr(err.message, "airlock/stuck"), "%s", err.message);
        cr_assert_not(fake_exists(&tree, "airlock/stale"), "the other one is still removed");
        cgroup_host_close(&host);
}

Test(cgroup_v2, delegate_and_use_as_user)
{
        CgroupHost host = {}, user = {};
        AirlockError err = {};
        struct stat st;

        if (geteuid() != 0)
                cr_skip("delegation chowns to another uid: needs root");
        open_root_host(&host);
        cr_assert_eq(cgroup_delegate(&host, 1000, 1001, &err), 0, "%s", err.message);
        cr_assert_eq(cgroup_delegate(&host, 1000, 1001, &err), 0, "not idempotent");
        static const char *const owned[] = {"airlock/user-1000", "airlock/user-1000/cgroup.procs",
                                            "airlock/user-1000/cgroup.subtree_control",
                                            "airlock/user-1000/cgroup.threads"};
        for (size_t i = 0; i < 4; i++) {
                cr_assert_eq(fstatat(tree.fd, owned[i], &st, 0), 0);
                cr_assert_eq(st.st_uid, 1000, "%s", owned[i]);
                cr_assert_eq(st.st_gid, 1001, "%s", owned[i]);
        }
        cr_assert_eq(fstatat(tree.fd, "airlock/user-1000/memory.max", &st, 0), 0);
        cr_assert_eq(st.st_uid, 0, "limits must stay root's");
        assert_file("airlock/user-1000/cgroup.subtree_control", "+memory +pids +cpu");

        /* v2 moves processes only below a common ancestor the mover may write: the delegated
         * directory is used when the caller itself runs below it. */
        cr_assert_eq(cgroup_host_open_at(tree.root, CGROUP_VERSION_NONE, 1000,
                                         "airlock/user-1000/server", &user, &err),
                     0, "%s", err.message);
        cr_assert_str_eq(user.parent, "airlock/user-1000");
        cgroup_host_close(&user);

        err = (AirlockError){};
        cr_assert_eq(
            cgroup_host_open_at(tree.root, CGROUP_VERSION_NONE, 1000, "user.slice/x", &user, &err),
            -EACCES);
        cr_assert_str_eq(err.message,
                         "no cgroup delegated to uid 1000 (as root: airlock delegate 1000)");
        cr_assert_eq(cgroup_delegate(&host, 0, 0, NULL), -EINVAL);
        cgroup_host_close(&host);
}

Test(cgroup_v2, delegate_needs_root_host)
{
        CgroupHost host = {};
        AirlockError err = {};

        open_root_host(&host);
        free(host.parent);
        host.parent = strdup("airlock/user-5");
        cr_assert_eq(cgroup_delegate(&host, 6, 6, &err), -EPERM);
        cgroup_host_close(&host);
}

Test(cgroup_v2, systemd_delegation_moves_caller_to_a_leaf)
{
        CgroupHost host = {};
        AirlockError err = {};

        fake_mkdir_group(&tree, "user.slice", CGROUP_VERSION_V2, "unified");
        fake_mkdir_group(&tree, "user.slice/run.scope", CGROUP_VERSION_V2, "unified");
        fake_write(&tree, "user.slice/run.scope/cgroup.controllers", "cpu memory pids\n");
        cr_assert_eq(cgroup_host_open_at(tree.root, CGROUP_VERSION_NONE, 1000,
                                         "user.slice/run.scope", &host, &err),
                     0, "%s", err.message);
        cr_assert_str_eq(host.parent, "user.slice/run.scope/airlock");
        assert_file("user.slice/run.scope/airlock-self/cgroup.procs", "0");
        assert_file("user.slice/run.scope/cgroup.subtree_control", "+memory +pids +cpu");
        assert_file("user.slice/run.scope/airlock/cgroup.subtree_control", "+memory +pids +cpu");
        cgroup_host_close(&host);

        /* Second time round we are in the leaf already: same parent, no move. */
        fake_write(&tree, "user.slice/run.scope/airlock-self/cgroup.procs", "");
        fake_write(&tree, "user.slice/run.scope/cgroup.subtree_control", "memory pids cpu\n");
        cr_assert_eq(cgroup_host_open_at(tree.root, CGROUP_VERSION_NONE, 1000,
                                         "user.slice/run.scope/airlock-self", &host, &err),
                     0, "%s", err.message);
        cr_assert_str_eq(host.parent, "user.slice/run.scope/airlock");
        assert_file("user.slice/run.scope/airlock-self/cgroup.procs", "");
        cgroup_host_close(&host);
}

Test(cgroup_v2, systemd_group_without_controllers_is_not_delegated)
{
        CgroupHost host = {};
        AirlockError err = {};

        fake_mkdir_group(&tree, "user.slice", CGROUP_VERSION_V2, "unified");
        fake_write(&tree, "user.slice/cgroup.controllers", "cpu pids\n");
        cr_assert_eq(
            cgroup_host_open_at(tree.root, CGROUP_VERSION_NONE, 1000, "user.slice", &host, &err),
            -EACCES);
        cr_assert_not_null(strstr(err.message, "no cgroup delegated to uid 1000"));
        cr_assert_not(fake_exists(&tree, "user.slice/airlock-self"));
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

Test(cgroup_v2, no_fd_leaks)
{
        CgroupHost host = {};
        Cgroup *cg = NULL;
        CgroupUsage u;
        uint64_t usec;
        int before = count_fds();

        open_root_host(&host);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, NULL), 0);
        cr_assert_eq(cgroup_read_usage(cg, &u), 0);
        cr_assert_eq(cgroup_read_cpu_usec(cg, &usec), 0);
        cr_assert_eq(cgroup_create(&host, "run", &limits, &(Cgroup *){NULL}, NULL), -EEXIST);
        fake_kernel_omit((const char *const[]){"cpu.max", NULL});
        cr_assert_lt(cgroup_create(&host, "bad", &limits, &(Cgroup *){NULL}, NULL), 0);
        fake_mkdir_group(&tree, "airlock/stale", CGROUP_VERSION_V2, "unified");
        cr_assert_eq(cgroup_gc_at(&host, NULL, NULL), 1);
        cr_assert_eq(cgroup_delegate(&host, 1000, 1000, NULL), geteuid() == 0 ? 0 : -EPERM);
        cr_assert_eq(cgroup_destroy(cg), 0);
        cgroup_host_close(&host);
        cr_assert_eq(count_fds(), before);
}
