/* The real kernel, whichever version this host runs: limits land in the kernel's files, a child
 * is accounted and killed, groups disappear. Every test works below a parent of its own,
 * "airlock-test-<pid>" in each hierarchy, so that no gc here can touch anyone else's groups. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cgroup-internal.h"

static CgroupHost host = {};
static char parent[64];
/* What a failed assertion leaves behind, for the fini to destroy: groups this process holds (gc
 * would see them locked) and children that never made it into one. */
static Cgroup *held[4];
static pid_t children[4];

static Cgroup *hold(Cgroup *cg)
{
        for (size_t i = 0; i < 4; i++)
                if (!held[i]) {
                        held[i] = cg;
                        break;
                }
        return cg;
}

static int destroy(Cgroup *cg)
{
        for (size_t i = 0; i < 4; i++)
                if (held[i] == cg)
                        held[i] = NULL;
        return cgroup_destroy(cg);
}

/* waitpid, and forget the pid before it can be reused. */
static int reap(pid_t pid)
{
        int status = -1;

        cr_assert_eq(waitpid(pid, &status, 0), pid);
        for (size_t i = 0; i < 4; i++)
                if (children[i] == pid)
                        children[i] = 0;
        return status;
}

/* Skips (with the reason) unless root on a host with a usable cgroup hierarchy. */
static void live_host(void)
{
        AirlockError err = {};

        if (geteuid() != 0)
                cr_skip("live cgroup tests need root (euid %u)", (unsigned)geteuid());
        if (access("/sys/fs/cgroup", F_OK) < 0)
                cr_skip("no cgroup file system at /sys/fs/cgroup");
        if (cgroup_host_open(NULL, CGROUP_VERSION_NONE, 0, &host, &err) < 0)
                cr_skip("no usable cgroup hierarchy: %s", err.message);
        snprintf(parent, sizeof(parent), "airlock-test-%d", (int)getpid());
        for (size_t i = 0; i < host.n_hier; i++) {
                cr_assert_eq(mkdirat(host.hier[i].fd, parent, 0755), 0, "%s/%s: %m",
                             host.hier[i].name, parent);
                if (host.version == CGROUP_VERSION_V2) {
                        int fd =
                            openat(host.hier[i].fd, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

                        cr_assert_eq(cg_write(fd, "cgroup.subtree_control", "+memory +pids +cpu"),
                                     0);
                        close(fd);
                }
        }
        cr_assert_eq(cgroup_host_set_parent(&host, parent), 0);
}

static void live_cleanup(void)
{
        for (size_t i = 0; i < 4; i++) {
                if (children[i] > 0)
                        kill(children[i], SIGKILL);
                (void)cgroup_destroy(held[i]);
        }
        if (host.version == CGROUP_VERSION_NONE)
                return;
        /* Whatever a failed test left: gc finds it unlocked (this process holds nothing now). */
        (void)cgroup_gc_at(&host, NULL, NULL);
        for (size_t i = 0; i < host.n_hier; i++) {
                if (unlinkat(host.hier[i].fd, parent, AT_REMOVEDIR) < 0 && errno != ENOENT)
                        fprintf(stderr, "cannot remove %s/%s: %m\n", host.hier[i].name, parent);
        }
        cgroup_host_close(&host);
}

TestSuite(cgroup_live, .fini = live_cleanup, .timeout = 60);

static char *read_group_file(const char *ctrl, const char *name, const char *file)
{
        char *text = NULL;

        for (size_t i = 0; i < host.n_hier; i++) {
                char path[256];

                if (strcmp(host.hier[i].name, ctrl) != 0)
                        continue;
                snprintf(path, sizeof(path), "%s/%s/%s", parent, name, file);
                cr_assert_eq(cg_read(host.hier[i].fd, path, &text), 0, "%s", path);
        }
        cr_assert_not_null(text, "no %s hierarchy", ctrl);
        return text;
}

static void assert_group_file(const char *v1_ctrl, const char *name, const char *file,
                              const char *want)
{
        char *text =
            read_group_file(host.version == CGROUP_VERSION_V1 ? v1_ctrl : "unified", name, file);

        cr_assert_str_eq(text, want, "%s", file);
        free(text);
}

static void assert_gone(const char *name)
{
        for (size_t i = 0; i < host.n_hier; i++) {
                char path[256];

                snprintf(path, sizeof(path), "%s/%s", parent, name);
                cr_assert_lt(faccessat(host.hier[i].fd, path, F_OK, 0), 0, "%s/%s left behind",
                             host.hier[i].name, path);
        }
}

/* A child that waits for the go byte, runs body, then sleeps until killed. */
static pid_t spawn(int *ret_go, void (*body)(void))
{
        int p[2];
        pid_t pid;

        cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                char c;

                close(p[1]);
                if (read(p[0], &c, 1) != 1)
                        _exit(100);
                if (body)
                        body();
                for (;;)
                        pause();
        }
        for (size_t i = 0; i < 4; i++)
                if (children[i] == 0) {
                        children[i] = pid;
                        break;
                }
        close(p[0]);
        *ret_go = p[1];
        return pid;
}

static void go(int fd)
{
        cr_assert_eq(write(fd, "x", 1), 1);
        close(fd);
}

static void burn_cpu(void)
{
        struct timespec start, now;
        size_t size = 8ULL << 20;
        volatile char *mem = malloc(size);

        /* Memory touched after the move is charged to the group (what came along is not). */
        for (size_t i = 0; mem && i < size; i += 4096)
                mem[i] = 1;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
        do
                clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
        while ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) <
               200000000L);
}

Test(cgroup_live, lifecycle)
{
        CgroupLimits limits = {.memory_bytes = 64ULL << 20, .pids = 16, .cpu_milli = 500};
        AirlockError err = {};
        CgroupUsage u = {};
        Cgroup *cg = NULL;
        uint64_t usec = 0;
        int fd, status;
        pid_t pid;

        live_host();
        cr_assert_eq(cgroup_create(&host, "run", &limits, &cg, &err), 0, "%s", err.message);
        hold(cg);
        if (host.version == CGROUP_VERSION_V1) {
                assert_group_file("memory", "run", "memory.limit_in_bytes", "67108864\n");
                assert_group_file("cpu", "run", "cpu.cfs_quota_us", "50000\n");
                assert_group_file("cpu", "run", "cpu.cfs_period_us", "100000\n");
        } else {
                assert_group_file(NULL, "run", "memory.max", "67108864\n");
                assert_group_file(NULL, "run", "cpu.max", "50000 100000\n");
        }
        assert_group_file("pids", "run", "pids.max", "16\n");

        pid = spawn(&fd, burn_cpu);
        cr_assert_eq(cgroup_attach(cg, pid, &err), 0, "%s", err.message);
        go(fd);
        for (int i = 0; i < 300 && usec < 100000; i++) {
                cr_assert_eq(cgroup_read_cpu_usec(cg, &usec), 0);
                usleep(10000);
        }
        cr_assert_geq(usec, 100000, "CPU time not accounted: %llu us", (unsigned long long)usec);
        cr_assert_eq(cgroup_read_usage(cg, &u), 0);
        cr_assert(u.have_cpu);
        cr_assert_geq(u.cpu_user_usec + u.cpu_sys_usec, 50000);
        if (u.have_memory_peak)
                cr_assert_gt(u.memory_peak_bytes, 0);
        cr_assert_eq(u.oom_kills, 0);

        cr_assert_eq(cgroup_kill(cg), 0);
        status = reap(pid);
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
        cr_assert_eq(destroy(cg), 0);
        assert_gone("run");
}

static void fork_ten(void)
{
        int failed = 0;

        for (int i = 0; i < 10; i++) {
                pid_t pid = fork();

                if (pid == 0) {
                        for (;;)
                                pause();
                }
                failed += pid < 0;
        }
        _exit(failed);
}

Test(cgroup_live, pids_limit_counts_refused_forks)
{
        CgroupLimits limits = {.memory_bytes = 64ULL << 20, .pids = 4, .cpu_milli = 1000};
        CgroupUsage u = {};
        Cgroup *cg = NULL;
        int fd, status;
        pid_t pid;

        live_host();
        cr_assert_eq(cgroup_create(&host, "forks", &limits, &cg, NULL), 0);
        hold(cg);
        pid = spawn(&fd, fork_ten);
        cr_assert_eq(cgroup_attach(cg, pid, NULL), 0);
        go(fd);
        status = reap(pid);
        cr_assert(WIFEXITED(status));
        cr_assert_eq(WEXITSTATUS(status), 7, "4 pids: the child and 3 of its 10 forks");
        cr_assert_eq(cgroup_read_usage(cg, &u), 0);
        cr_assert_eq(u.pids_max_hits, 7);
        /* The three grandchildren are still in there, orphaned: destroy must kill them. */
        cr_assert_eq(destroy(cg), 0);
        assert_gone("forks");
}

static void eat_memory(void)
{
        size_t size = 256ULL << 20;
        char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        if (p == MAP_FAILED)
                _exit(101);
        for (size_t i = 0; i < size; i += 4096)
                p[i] = 1;
        _exit(0);
}

Test(cgroup_live, memory_limit_oom_kills)
{
        CgroupLimits limits = {.memory_bytes = 32ULL << 20, .pids = 16, .cpu_milli = 1000};
        CgroupUsage u = {};
        Cgroup *cg = NULL;
        int fd, status;
        pid_t pid;

        live_host();
        cr_assert_eq(cgroup_create(&host, "oom", &limits, &cg, NULL), 0);
        hold(cg);
        pid = spawn(&fd, eat_memory);
        cr_assert_eq(cgroup_attach(cg, pid, NULL), 0);
        go(fd);
        status = reap(pid);
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
        cr_assert_eq(cgroup_read_usage(cg, &u), 0);
        cr_assert_geq(u.oom_kills, 1);
        if (u.have_memory_peak) {
                cr_assert_geq(u.memory_peak_bytes, 16ULL << 20);
                cr_assert_leq(u.memory_peak_bytes, 32ULL << 20);
        }
        cr_assert_eq(destroy(cg), 0);
        assert_gone("oom");
}

static bool process_gone(pid_t pid)
{
        char path[64], *stat = NULL;
        bool gone;

        /* Reparented to init, it may linger as a zombie: dead all the same. */
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        if (cg_read(AT_FDCWD, path, &stat) < 0)
                return true;
        gone = strstr(stat, ") Z ") != NULL;
        free(stat);
        return gone;
}

static bool process_is_exec(pid_t pid, const char *comm)
{
        char path[64], buf[32] = "";
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
        f = fopen(path, "re");
        if (!f)
                return false;
        if (!fgets(buf, sizeof(buf), f))
                buf[0] = '\0';
        fclose(f);
        buf[strcspn(buf, "\n")] = '\0';
        return strcmp(buf, comm) == 0;
}

Test(cgroup_live, gc_removes_a_crashed_run_only)
{
        CgroupLimits limits = {.memory_bytes = 64ULL << 20, .pids = 16, .cpu_milli = 1000};
        AirlockError err = {};
        Cgroup *alive = NULL;
        int p[2], status;
        pid_t crashed, sleeper = 0;

        live_host();
        cr_assert_eq(cgroup_create(&host, "alive", &limits, &alive, NULL), 0);
        hold(alive);
        cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
        crashed = fork();
        cr_assert_geq(crashed, 0);
        if (crashed == 0) {
                /* An airlock that dies without cleaning up: its lock goes, its group stays. */
                Cgroup *cg = NULL;
                pid_t pid;

                if (cgroup_create(&host, "crashed", &limits, &cg, NULL) < 0)
                        _exit(1);
                pid = fork();
                if (pid == 0) {
                        /* exec, as the sandbox does: the group's lock fd is O_CLOEXEC, and a
                         * child that kept it would keep the group "in use". */
                        execl("/bin/sleep", "sleep", "1000", (char *)NULL);
                        _exit(127);
                }
                if (pid < 0 || cgroup_attach(cg, pid, NULL) < 0)
                        _exit(2);
                if (write(p[1], &pid, sizeof(pid)) != sizeof(pid))
                        _exit(3);
                _exit(0);
        }
        close(p[1]);
        cr_assert_eq(read(p[0], &sleeper, sizeof(sleeper)), sizeof(sleeper));
        close(p[0]);
        children[0] = sleeper;
        cr_assert_eq(waitpid(crashed, &status, 0), crashed);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        /* Until its exec, the sleeper still holds the group's lock fd it inherited. */
        for (int i = 0; i < 200 && !process_is_exec(sleeper, "sleep"); i++)
                usleep(5000);

        cr_assert_eq(cgroup_gc_at(&host, NULL, &err), 1, "%s", err.message);
        assert_gone("crashed");
        for (int i = 0; i < 200 && !process_gone(sleeper); i++)
                usleep(10000);
        cr_assert(process_gone(sleeper), "gc left pid %d alive", (int)sleeper);
        children[0] = 0;
        cr_assert_eq(cgroup_gc_at(&host, NULL, &err), 0, "the live group is never stale");
        cr_assert_eq(destroy(alive), 0);
        assert_gone("alive");
}

/* Forks and exits, forever: each generation is a new pid, so no list of pids is ever complete. */
static _Noreturn void fork_chain(void)
{
        for (;;) {
                if (fork() > 0)
                        _exit(0);
        }
}

/* A sandbox's pid 1 as the program would abuse it: it keeps starting fork chains (up to the pids
 * limit) and reaps what they leave. */
static _Noreturn void ns_init(int go_fd)
{
        char c;

        if (read(go_fd, &c, 1) != 1)
                _exit(100);
        for (;;) {
                if (fork() == 0)
                        fork_chain();
                while (waitpid(-1, NULL, WNOHANG) > 0)
                        ;
        }
}

static uint64_t group_u64(const char *v1_ctrl, const char *name, const char *file)
{
        char *text =
            read_group_file(host.version == CGROUP_VERSION_V1 ? v1_ctrl : "unified", name, file);
        uint64_t v = 0;

        cr_assert_eq(cg_parse_u64(text, &v), 0, "%s: %s", file, text);
        free(text);
        return v;
}

/* The kill as airlock's groups need it, with no freezer on v1: everything in the group lives in
 * one pid namespace whose pid 1 joined first. The round that reaches pid 1 ends the namespace,
 * fork chains and all, and the group goes. */
Test(cgroup_live, destroy_ends_a_fork_loop_in_a_pid_namespace)
{
        CgroupLimits limits = {.memory_bytes = 64ULL << 20, .pids = 32, .cpu_milli = 1000};
        AirlockError err = {};
        Cgroup *cg = NULL;
        int pid_pipe[2], go_pipe[2];
        pid_t outer, init = 0;

        live_host();
        cr_assert_eq(cgroup_create(&host, "forkloop", &limits, &cg, &err), 0, "%s", err.message);
        hold(cg);
        cr_assert_eq(pipe2(pid_pipe, O_CLOEXEC), 0);
        cr_assert_eq(pipe2(go_pipe, O_CLOEXEC), 0);
        outer = fork();
        cr_assert_geq(outer, 0);
        if (outer == 0) {
                pid_t pid;

                if (unshare(CLONE_NEWPID) < 0)
                        _exit(1);
                pid = fork();
                if (pid == 0)
                        ns_init(go_pipe[0]);
                if (write(pid_pipe[1], &pid, sizeof(pid)) != sizeof(pid))
                        _exit(2);
                for (;;)
                        pause();
        }
        children[0] = outer;
        close(pid_pipe[1]);
        close(go_pipe[0]);
        cr_assert_eq(read(pid_pipe[0], &init, sizeof(init)), sizeof(init));
        close(pid_pipe[0]);
        cr_assert_gt(init, 0, "no pid namespace");
        children[1] = init; /* if the test fails: killing it ends the namespace */
        /* As pid 1 does: in the group before it forks anything. */
        cr_assert_eq(cgroup_attach(cg, init, &err), 0, "%s", err.message);
        go(go_pipe[1]);
        for (int i = 0; i < 200 && group_u64("pids", "forkloop", "pids.current") < 16; i++)
                usleep(5000);
        cr_assert_geq(group_u64("pids", "forkloop", "pids.current"), 16, "the loop did not run");
        usleep(100000);

        cr_assert_eq(destroy(cg), 0);
        children[1] = 0;
        assert_gone("forkloop");
        cr_assert_eq(kill(outer, SIGKILL), 0);
        reap(outer);
}

/* An airlock from before the freezer was dropped, killed between its freeze and its thaw, leaves
 * a group in every hierarchy, the freezer's FROZEN, with processes that a SIGKILL does not end
 * until they thaw. gc thaws, kills and removes it. */
Test(cgroup_live, gc_empties_a_group_an_older_airlock_left_frozen)
{
        const char *state = NULL;
        AirlockError err = {};
        int freezer = -EBADF, fd, status;
        char buf[32];
        pid_t pid;

        live_host();
        if (host.version != CGROUP_VERSION_V1)
                cr_skip("the v1 freezer hierarchy is a v1 matter");
        for (size_t i = 0; i < host.n_hier; i++)
                if (host.hier[i].roles & CG_FREEZER)
                        freezer = host.hier[i].parent_fd;
        if (freezer < 0)
                cr_skip("no v1 freezer hierarchy mounted");
        pid = spawn(&fd, NULL);
        go(fd);
        snprintf(buf, sizeof(buf), "%d", (int)pid);
        for (size_t i = 0; i < host.n_hier; i++) {
                int dfd;

                cr_assert_eq(mkdirat(host.hier[i].parent_fd, "old", 0755), 0, "%s: %m",
                             host.hier[i].name);
                dfd = cg_open_dir(host.hier[i].parent_fd, "old");
                cr_assert_geq(dfd, 0);
                cr_assert_eq(cg_write(dfd, "cgroup.procs", buf), 0, "%s", host.hier[i].name);
                close(dfd);
        }
        cr_assert_eq(cg_write(freezer, "old/freezer.state", "FROZEN"), 0);
        for (int i = 0; i < 200; i++) {
                char *text = NULL;

                cr_assert_eq(cg_read(freezer, "old/freezer.state", &text), 0);
                state = strncmp(text, "FROZEN", 6) == 0 ? "FROZEN" : "FREEZING";
                free(text);
                if (strcmp(state, "FROZEN") == 0)
                        break;
                usleep(5000);
        }
        cr_assert_str_eq(state, "FROZEN");

        cr_assert_eq(cgroup_gc_at(&host, NULL, &err), 1, "%s", err.message);
        status = reap(pid);
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
        assert_gone("old");
}
