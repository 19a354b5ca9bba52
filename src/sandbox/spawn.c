/* The parent side of a run: prepare everything that can be checked before clone, start pid 1 of
 * the new namespaces, walk it through the numbered sync points, supervise, collect, clean up. */
#include "sandbox.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit-link.h"
#include "basic/macros.h"
#include "collect.h"
#include "context.h"
#include "copyin.h"
#include "environ.h"
#include "gateway-audit.h"
#include "janitor.h"
#include "prescreen.h"
#include "landlock.h"
#include "run-state.h"
#include "userns.h"

/* Building the sandbox takes milliseconds; anything this slow is a hung step. */
#define SETUP_TIMEOUT_NS (30ULL * 1000 * 1000 * 1000)

#define SANDBOX_NAMESPACES                                                                         \
        (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)

static void run_state_init(RunState *s, const AirlockConfig *c, const SandboxHooks *hooks,
                           RunResult *res)
{
        *s = (RunState){
            .config = c,
            .hooks = hooks,
            .result = res,
            .janitor_fd = -EBADF,
            .sync_fd = -EBADF,
            .child_sync_fd = -EBADF,
            .child_stdio = {-EBADF, -EBADF, -EBADF},
            .pidfd = -EBADF,
            .scratch_fd = -EBADF,
            .canary_fd = -EBADF,
            .out = {.fd = -EBADF, .stream = 1, .cap = c->limits.stdout_bytes, .out = &res->out},
            .err = {.fd = -EBADF, .stream = 2, .cap = c->limits.stderr_bytes, .out = &res->err},
            .pump = {.src = -EBADF, .pipe = -EBADF},
        };
}

static int make_pipe(int *parent_end, int *child_end, bool parent_reads)
{
        int fds[2];

        if (pipe2(fds, O_CLOEXEC) < 0)
                return negative_errno();
        *parent_end = parent_reads ? fds[0] : fds[1];
        *child_end = parent_reads ? fds[1] : fds[0];
        if (fcntl(*parent_end, F_SETFL, O_NONBLOCK) < 0)
                return negative_errno();
        return 0;
}

static int open_stdin(RunState *s, AirlockError *err)
{
        const char *path = s->config->stdin_path;
        int r;

        if (!path) {
                s->child_stdio[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (s->child_stdio[0] < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "open /dev/null",
                                                 NULL);
                return 0;
        }
        if (strcmp(path, "-") == 0)
                s->pump.src = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
        else
                s->pump.src = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (s->pump.src < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "open stdin", "%s", path);
        r = make_pipe(&s->pump.pipe, &s->child_stdio[0], false);
        return r < 0 ? airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "stdin pipe", NULL) : 0;
}

static void stop_gateway(RunState *s)
{
        if (!s->gateway)
                return;
        gateway_stop(s->gateway, &s->result->net_records, &s->result->n_net_records);
        s->gateway = NULL;
}

/* --allow-net and --allow-private, parsed and checked before anything exists. */
static int prepare_network(RunState *s, AirlockError *err)
{
        const AirlockConfig *c = s->config;
        int r;

        net_policy_init(&s->net_policy);
        for (size_t i = 0; i < c->n_allow_net; i++) {
                r = net_policy_add_allow(&s->net_policy, c->allow_net[i], err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < c->n_allow_private; i++) {
                r = net_policy_add_private(&s->net_policy, c->allow_private[i], err);
                if (r < 0)
                        return r;
        }
        s->net_policy.max_conns = c->limits.net_conns;
        s->net_policy.max_bytes_up = s->net_policy.max_bytes_down = c->limits.net_bytes;
        s->net_policy.max_conn_ms = c->limits.wall_ms;
        s->result->network = c->n_allow_net > 0;
        return 0;
}

/* sync #2b: pid 1 made the gateway's sockets in the sandbox's network namespace. */
static int start_gateway(RunState *s, AirlockError *err)
{
        struct pollfd p = {.fd = s->sync_fd, .events = POLLIN};
        bool audited = s->audit && audit_session_level(s->audit) != AUDIT_LEVEL_OFF;
        GatewayHooks hooks = gateway_audit_hooks(s->audit);
        SyncMessage msg;
        int fds[SYNC_MAX_FDS], r;

        if (s->config->n_allow_net == 0)
                return 0;
        if (poll(&p, 1, (int)(SETUP_TIMEOUT_NS / 1000000)) <= 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, ETIMEDOUT, "gateway sockets",
                                         NULL);
        r = sync_recv_fds(s->sync_fd, &msg, fds);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "gateway sockets", NULL);
        if (msg.point == SYNC_ERROR) {
                safe_close(fds[0]);
                safe_close(fds[1]);
                *err = msg.error;
                return -ECANCELED;
        }
        if (msg.point != SYNC_NET_SOCKETS || fds[0] < 0 || fds[1] < 0) {
                safe_close(fds[0]);
                safe_close(fds[1]);
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, EPROTO, "gateway sockets",
                                         "unexpected sync point #%u", msg.point);
        }
        /* The gateway owns both fds from here, even if it fails to start. At --audit off the
         * verdicts stay in network.attempts only, as they always did, and nothing is counted. */
        return gateway_start_full(&s->net_policy, fds[0], fds[1], audited ? &hooks : NULL,
                                  &s->gateway, err);
}

/* The filter is compiled here, in the parent, so that the child only has to install it. With
 * --audit, the policy stays: the supervisor answers the notified calls from it. */
static int compile_seccomp(RunState *s, AirlockError *err)
{
        const AirlockConfig *c = s->config;
        const char *profile = c->seccomp_profile ? c->seccomp_profile : "default";
        _cleanup_seccomp_policy_ SeccompPolicy *policy = NULL;
        int r;

        snprintf(s->result->seccomp, sizeof(s->result->seccomp), "%s", profile);
        if (strcmp(profile, "off") == 0)
                return 0;
        r = seccomp_policy_load_profile(profile, &policy, err);
        if (r < 0)
                return r;
        r = seccomp_policy_compile_watched(policy, c->seccomp_log, s->seccomp_watch, &s->seccomp,
                                           err);
        if (r >= 0 && s->seccomp_watch != SECCOMP_WATCH_NONE)
                s->seccomp_policy = TAKE_PTR(policy);
        return r;
}

/* Everything that can fail before a single namespace exists. */
static int prepare(RunState *s, AirlockError *err)
{
        const AirlockConfig *c = s->config;
        CgroupLimits limits = {
            .memory_bytes = c->limits.memory_bytes,
            .pids = c->limits.pids,
            .cpu_milli = c->limits.cpu_milli,
        };
        int fds[2], r;

        /* Fail closed: without Landlock, run only if the caller said so by name. */
        s->landlock_abi = c->landlock_off ? 0 : landlock_probe_abi();
        if (s->landlock_abi <= 0 && !c->allow_no_landlock && !c->landlock_off)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, EOPNOTSUPP, "landlock",
                                         "this kernel has no Landlock (--allow-no-landlock runs "
                                         "without it)");
        s->result->landlock_abi = s->landlock_abi;
        r = compile_seccomp(s, err);
        if (r < 0)
                return r;
        r = prepare_network(s, err);
        if (r < 0)
                return r;
        r = cgroup_host_open(c->cgroup_root, (CgroupVersion)c->cgroup_mode, geteuid(),
                             &s->cgroup_host, err);
        if (r < 0)
                return r;
        s->have_cgroup_host = true;
        /* Leftovers of an airlock that was killed before its janitor could run. */
        (void)cgroup_gc(&s->cgroup_host, NULL);
        r = identity_acquire(c, &s->cgroup_host, &limits, &s->identity, err);
        if (r < 0)
                return r;
        r = janitor_start(s->identity.cgroup, &s->janitor_fd, &s->janitor_pid);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "start janitor", NULL);
        s->trace_steps = getenv("AIRLOCK_TRACE_STEPS") != NULL;
        /* cgroup v1: pid 1 will join by itself (cgroup.h says why); v2 clones into it. */
        if (cgroup_dir_fd(s->identity.cgroup) < 0) {
                r = cgroup_open_self_join_fds(s->identity.cgroup, s->join_fds,
                                              ELEMENTSOF(s->join_fds), &s->n_join, err);
                if (r < 0)
                        return r;
        }
        r = environ_build(c, &s->envp);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "build environment", NULL);
        s->argv = strv_copy(c->argv);
        if (!s->argv)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, ENOMEM, "copy arguments", NULL);
        r = open_stdin(s, err);
        if (r < 0)
                return r;
        r = make_pipe(&s->out.fd, &s->child_stdio[1], true);
        if (r >= 0)
                r = make_pipe(&s->err.fd, &s->child_stdio[2], true);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "output pipes", NULL);
        r = sync_socketpair(fds);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "sync socket", NULL);
        s->sync_fd = fds[0];
        s->child_sync_fd = fds[1];
        return 0;
}

static _Noreturn void child_start(RunState *s)
{
        SandboxContext ctx = {
            .config = s->config,
            .sync_fd = s->child_sync_fd,
            .stdin_fd = s->child_stdio[0],
            .stdout_fd = s->child_stdio[1],
            .stderr_fd = s->child_stdio[2],
            .host_uid = s->identity.host_uid,
            .host_gid = s->identity.host_gid,
            .rootless = s->identity.rootless,
            .envp = s->envp,
            .argv = s->argv,
            .staging = "/tmp",
            .trace_steps = s->trace_steps,
            .landlock_abi = s->landlock_abi,
            .seccomp = s->seccomp.filter ? &s->seccomp : NULL,
            .cgroup_join_fds = s->join_fds,
            .n_cgroup_join = s->n_join,
            .rootfs_fd = -EBADF,
            .seccomp_listener = -EBADF,
            .canaries = s->canaries,
            .n_canaries = s->n_canaries,
            .canary_fd = s->canary_fd,
        };

        /* The parent's ends stay with the parent. */
        safe_close(s->sync_fd);
        safe_close(s->out.fd);
        safe_close(s->err.fd);
        safe_close(s->pump.pipe);
        safe_close(s->pump.src);
        safe_close(s->janitor_fd);
        sandbox_child_main(&ctx);
}

static void close_join_fds(RunState *s)
{
        while (s->n_join > 0)
                safe_close(s->join_fds[--s->n_join]);
}

static int launch(RunState *s, AirlockError *err)
{
        struct clone_args args = {
            .flags = SANDBOX_NAMESPACES | CLONE_PIDFD,
            .pidfd = (uint64_t)(uintptr_t)&s->pidfd,
            .exit_signal = SIGCHLD,
        };
        int cgroup_fd = cgroup_dir_fd(s->identity.cgroup);
        long pid;

        /* cgroup v2: born in its cgroup. Migrating a process later takes a lock whose first
         * writer waits out an RCU grace period (up to ~12 ms here); forking into it does not. */
        if (cgroup_fd >= 0) {
                args.flags |= CLONE_INTO_CGROUP;
                args.cgroup = (uint64_t)cgroup_fd;
        }
        pid = syscall(SYS_clone3, &args, sizeof(args));
        if (pid < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "create namespaces",
                                         "clone3");
        if (pid == 0)
                child_start(s);
        s->child = (pid_t)pid;
        s->in_cgroup = cgroup_fd >= 0 || s->n_join > 0;
        close_join_fds(s);
        s->child_sync_fd = safe_close(s->child_sync_fd);
        for (int i = 0; i < 3; i++)
                s->child_stdio[i] = safe_close(s->child_stdio[i]);
        return 0;
}

/* Waits for one sync point, but not forever: a setup step that hangs is a failure. */
static int expect_point(RunState *s, SyncPoint point, int *ret_fd, SyncMessage *ret_msg,
                        AirlockError *err)
{
        struct pollfd p = {.fd = s->sync_fd, .events = POLLIN};
        int r;

        do
                r = poll(&p, 1, (int)(SETUP_TIMEOUT_NS / 1000000));
        while (r < 0 && errno == EINTR);
        if (r == 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, ETIMEDOUT, "sandbox setup",
                                         "no progress past sync point #%d", (int)point - 1);
        r = sync_expect(s->sync_fd, point, ret_fd, ret_msg, err);
        if (r == -EPIPE)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, 0, "sandbox setup",
                                         "the sandbox died before sync point #%d", (int)point);
        return r;
}

/* sync #4, and #4b if it comes first: init reports #4 right after forking the worker, but a
 * busy CPU can let the worker's listener (--audit) overtake it. */
static int expect_running(RunState *s, SyncMessage *running, AirlockError *err)
{
        for (;;) {
                struct pollfd p = {.fd = s->sync_fd, .events = POLLIN};
                SyncMessage msg;
                int fd = -EBADF, r;

                r = poll(&p, 1, (int)(SETUP_TIMEOUT_NS / 1000000));
                if (r == 0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, ETIMEDOUT, "sandbox setup",
                                                 "no progress past sync point #3");
                /* anything but #4b (EOF and errors too) is for expect_point() to judge */
                if (r < 0 ||
                    recv(s->sync_fd, &msg, sizeof(msg), MSG_PEEK | MSG_DONTWAIT) !=
                        (ssize_t)sizeof(msg) ||
                    msg.point != SYNC_AUDIT_LISTENER)
                        return expect_point(s, SYNC_RUNNING, NULL, running, err);
                r = sync_recv(s->sync_fd, &msg, &fd);
                if (r < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "sync #4b", NULL);
                r = audit_link_start(s, fd, err);
                if (r < 0)
                        return r;
        }
}

static int handshake(RunState *s, AirlockError *err)
{
        SyncMessage running;
        int r;

        r = userns_write_maps(s->child, s->identity.host_uid, s->identity.host_gid,
                              s->identity.rootless, err);
        if (r < 0)
                return r;
        /* sync #1: maps written. */
        r = sync_send_point(s->sync_fd, SYNC_MAPS_WRITTEN);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "sync #1", NULL);
        /* Neither born in the cgroup nor joining by itself: move it the slow way. */
        if (!s->in_cgroup) {
                r = cgroup_attach(s->identity.cgroup, s->child, err);
                if (r < 0)
                        return r;
                s->in_cgroup = true;
        }
        /* sync #2: the scratch tmpfs, which we fill now and empty after the run. */
        r = expect_point(s, SYNC_SCRATCH_READY, &s->scratch_fd, NULL, err);
        if (r < 0)
                return r;
        if (s->scratch_fd < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, EPROTO, "sync #2",
                                         "no scratch directory received");
        r = copyin_all(s->scratch_fd, s->config,
                       s->identity.rootless ? (uid_t)-1 : s->identity.host_uid,
                       s->identity.rootless ? (gid_t)-1 : s->identity.host_gid, err);
        if (r < 0)
                return r;
        r = start_gateway(s, err);
        if (r < 0)
                return r;
        /* sync #3: inputs copied. */
        r = sync_send_point(s->sync_fd, SYNC_INPUTS_COPIED);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "sync #3", NULL);
        /* sync #4: the program's process exists; its clock starts here. */
        r = expect_running(s, &running, err);
        if (r < 0)
                return r;
        s->start_ns = running.monotonic_ns;
        return 0;
}

static void fill_usage(RunState *s)
{
        RunResult *res = s->result;
        CgroupUsage u = {0};

        if (s->identity.cgroup && cgroup_read_usage(s->identity.cgroup, &u) >= 0) {
                res->memory_peak_bytes = u.memory_peak_bytes;
                s->outcome.oom_kills = res->oom_kills = u.oom_kills;
                s->outcome.pids_max_hits = res->pids_max_hits = u.pids_max_hits;
        }
        if (u.have_cpu) {
                res->cpu_user_ms = u.cpu_user_usec / 1000;
                res->cpu_sys_ms = u.cpu_sys_usec / 1000;
        } else if (s->got_exit) {
                const struct rusage *ru = &s->exit_msg.rusage;

                res->cpu_user_ms =
                    (uint64_t)ru->ru_utime.tv_sec * 1000 + (uint64_t)ru->ru_utime.tv_usec / 1000;
                res->cpu_sys_ms =
                    (uint64_t)ru->ru_stime.tv_sec * 1000 + (uint64_t)ru->ru_stime.tv_usec / 1000;
        }
        if (!u.have_memory_peak && s->got_exit)
                res->memory_peak_bytes = (uint64_t)s->exit_msg.rusage.ru_maxrss * 1024;
}

/* After pid 1 is gone: reap it, read the last output, decide the status. */
static void conclude(RunState *s, AirlockError *err)
{
        RunResult *res = s->result;
        int status;

        if (s->child > 0) {
                while (waitpid(s->child, &status, 0) < 0 && errno == EINTR)
                        ;
                s->child = 0;
        }
        /* The sandbox is gone: nothing more can come through the gateway. */
        stop_gateway(s);
        (void)capture_drain(&s->out, s->hooks);
        (void)capture_drain(&s->err, s->hooks);
        fill_usage(s);
        if (s->got_exit) {
                int ws = s->exit_msg.wait_status;

                s->outcome.exited = WIFEXITED(ws);
                s->outcome.exit_code = WIFEXITED(ws) ? WEXITSTATUS(ws) : 0;
                s->outcome.signal = WIFSIGNALED(ws) ? WTERMSIG(ws) : 0;
        } else {
                s->outcome.signal = SIGKILL;
        }
        if (!s->end_ns)
                s->end_ns = monotonic_ns();
        res->wall_ms = s->end_ns > s->start_ns ? (s->end_ns - s->start_ns) / 1000000 : 0;
        audit_link_stop(s);
        res->status = run_result_decide_status(&s->outcome);
        res->exit_code = s->outcome.exit_code;
        res->signal = s->outcome.signal;
        if (res->status == RUN_SETUP_ERROR && err->kind == AIRLOCK_ERR_NONE)
                airlock_error_set(err, AIRLOCK_ERR_SETUP, 0, "sandbox setup", "failed");
        audit_link_finish(s);
}

static void cleanup(RunState *s)
{
        if (s->child > 0) {
                supervise_kill(s);
                while (waitpid(s->child, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        safe_close(s->scratch_fd);
        safe_close(s->pidfd);
        close_join_fds(s);
        safe_close(s->sync_fd);
        safe_close(s->child_sync_fd);
        for (int i = 0; i < 3; i++)
                safe_close(s->child_stdio[i]);
        safe_close(s->out.fd);
        safe_close(s->err.fd);
        safe_close(s->pump.pipe);
        safe_close(s->pump.src);
        stop_gateway(s);
        net_policy_done(&s->net_policy);
        seccomp_program_done(&s->seccomp);
        audit_link_cleanup(s);
        environ_free(s->envp);
        environ_free(s->argv);
        if (s->identity.cgroup) {
                (void)cgroup_destroy(s->identity.cgroup);
                s->identity.cgroup = NULL;
        }
        janitor_release(s->janitor_fd, s->janitor_pid);
        if (s->have_cgroup_host)
                cgroup_host_close(&s->cgroup_host);
}

int sandbox_run(const AirlockConfig *c, const SandboxHooks *hooks, RunResult *res)
{
        AirlockError *err = &res->error;
        RunState s;
        int r;

        run_result_init(res);
        res->limits = c->limits;
        run_state_init(&s, c, hooks, res);
        r = airlock_config_validate(c, err);
        /* The session (run.start) before the prescreen: a refused run writes its run.start
         * and run.end too, so that --events shows why nothing ran. */
        if (r >= 0)
                r = audit_link_prepare(&s, err);
        if (r >= 0 && c->prescreen_mode != AIRLOCK_PRESCREEN_OFF) {
                res->prescreened = true;
                r = prescreen_run(c, &res->prescreen, &res->n_prescreen, err);
                if (r >= 0 && prescreen_blocks(c, res->prescreen, res->n_prescreen)) {
                        res->status = RUN_PRESCREEN_BLOCKED;
                        audit_link_finish(&s);
                        cleanup(&s);
                        return 0;
                }
        }
        if (r >= 0)
                r = prepare(&s, err);
        if (r >= 0) {
                res->rootless = s.identity.rootless;
                snprintf(res->cgroup_version, sizeof(res->cgroup_version), "%s",
                         cgroup_version_to_string(s.cgroup_host.version));
                r = launch(&s, err);
        }
        if (r >= 0)
                r = handshake(&s, err);
        if (r < 0) {
                res->status = RUN_SETUP_ERROR;
                /* before run.end: no gateway verdict may follow it */
                stop_gateway(&s);
                audit_link_finish(&s);
                cleanup(&s);
                return 0;
        }
        r = supervise_run(&s, err);
        if (r < 0)
                supervise_kill(&s);
        conclude(&s, err);
        if (res->status != RUN_SETUP_ERROR && s.scratch_fd >= 0)
                (void)collect_outputs(s.scratch_fd, c, res, err);
        cleanup(&s);
        return 0;
}
