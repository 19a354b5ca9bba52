/* The sandbox side: pid 1 of the new namespaces. It builds the sandbox, forks the program, then
 * stays as the reaper and reports how the program ended. Every step is one line in a table so
 * the order is visible, documented (docs/SETUP_SEQUENCE.md) and tested. */
#include "context.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "basic/macros.h"
#include "config/limits.h"
#include "caps.h"
#include "creds.h"
#include "landlock.h"
#include "net/gateway-sockets.h"
#include "net/loopback.h"
#include "proctitle.h"
#include "reaper.h"
#include "rlimits.h"
#include "rootfs.h"
#include "seccomp-step.h"
#include "session.h"
#include "sync.h"

static int step_wait_for_parent(SandboxContext *ctx, AirlockError *err)
{
        int r;

        /* sync #1: maps written. EOF means the parent died: stop here. */
        r = sync_expect(ctx->sync_fd, SYNC_MAPS_WRITTEN, NULL, NULL, err);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "wait for parent", NULL);
        return 0;
}

static int step_wait_for_inputs(SandboxContext *ctx, AirlockError *err)
{
        int r;

        /* sync #3: the parent has copied the inputs into the scratch directory. */
        r = sync_expect(ctx->sync_fd, SYNC_INPUTS_COPIED, NULL, NULL, err);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "wait for inputs", NULL);
        return 0;
}

static int step_hostname(SandboxContext *ctx, AirlockError *err)
{
        if (sethostname(AIRLOCK_HOSTNAME, strlen(AIRLOCK_HOSTNAME)) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "set hostname", NULL);
        return 0;
}

static int step_loopback(SandboxContext *ctx, AirlockError *err)
{
        int r = loopback_up();

        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "bring up loopback", NULL);
        return 0;
}

static int step_gateway_sockets(SandboxContext *ctx, AirlockError *err)
{
        SyncMessage msg = {.point = SYNC_NET_SOCKETS};
        int fds[2], r;

        if (ctx->config->n_allow_net == 0)
                return 0; /* no network at all: nothing listens, nothing leaves */
        r = gateway_sockets_create(&fds[0], &fds[1]);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "gateway sockets", NULL);
        /* sync #2b: the parent serves them from outside. */
        r = sync_send_fds(ctx->sync_fd, &msg, fds, 2);
        close(fds[0]);
        close(fds[1]);
        return r < 0 ? airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "gateway sockets", "send") : 0;
}

static const SandboxStep init_steps[] = {
    {"wait for parent", step_wait_for_parent},
    {"join cgroup", creds_join_cgroup},
    {"cgroup namespace", creds_enter_cgroup_namespace},
    {"open host paths", rootfs_open_sources},
    {"setup identity", creds_become_setup_user},
    {"make / private", rootfs_make_private},
    {"build rootfs", rootfs_build},
    {"pivot_root", rootfs_pivot},
    {"hostname", step_hostname},
    {"loopback", step_loopback},
    {"gateway sockets", step_gateway_sockets},
    {"wait for inputs", step_wait_for_inputs},
};

static const SandboxStep worker_steps[] = {
    {"session", session_setup},
    {"rlimits", rlimits_apply},
    {"close fds", session_close_fds},
    {"credentials", creds_drop_to_sandbox_user},
    {"capabilities", caps_drop_all},
    {"no_new_privs", caps_set_no_new_privs},
    {"landlock", landlock_apply},
    {"seccomp", seccomp_step_install},
    {"seccomp listener", seccomp_step_send_listener},
};

const SandboxStep *sandbox_init_steps(size_t *ret_n)
{
        *ret_n = ELEMENTSOF(init_steps);
        return init_steps;
}

const SandboxStep *sandbox_worker_steps(size_t *ret_n)
{
        *ret_n = ELEMENTSOF(worker_steps);
        return worker_steps;
}

/* Reports err to the parent and ends this process. */
static _Noreturn void fail(SandboxContext *ctx, const AirlockError *err, int code)
{
        SyncMessage msg = {.point = SYNC_ERROR, .error = *err};

        (void)sync_send(ctx->sync_fd, &msg, -EBADF);
        _exit(code);
}

static int run_steps(SandboxContext *ctx, const SandboxStep *steps, size_t n, AirlockError *err)
{
        for (size_t i = 0; i < n; i++) {
                uint64_t t0 = ctx->trace_steps ? monotonic_ns() : 0;
                int r = steps[i].run(ctx, err);

                /* Measuring aid for bench/: stderr is still airlock's own here. */
                if (ctx->trace_steps)
                        dprintf(STDERR_FILENO, "airlock: step %-16s %7.3f ms\n", steps[i].name,
                                (double)(monotonic_ns() - t0) / 1e6);
                if (r < 0) {
                        airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, steps[i].name, NULL);
                        return r;
                }
        }
        return 0;
}

static _Noreturn void worker_main(SandboxContext *ctx)
{
        AirlockError err = {0};
        size_t n;
        const SandboxStep *steps = sandbox_worker_steps(&n);
        extern char **environ;

        if (run_steps(ctx, steps, n, &err) < 0)
                fail(ctx, &err, 127);
        /* PATH lookup happens against the sandbox's environment, not airlock's. */
        environ = ctx->envp;
        execvp(ctx->argv[0], ctx->argv);
        airlock_error_set(&err, AIRLOCK_ERR_SETUP, errno, "exec", "%s", ctx->argv[0]);
        fail(ctx, &err, 127);
}

_Noreturn void sandbox_child_main(SandboxContext *ctx)
{
        AirlockError err = {0};
        SyncMessage msg = {.point = SYNC_RUNNING};
        size_t n;
        const SandboxStep *steps = sandbox_init_steps(&n);
        pid_t worker;

        /* If airlock dies, so does the sandbox: pid 1's death takes the namespace with it. A
         * parent that died before this line is caught by EOF at sync #1. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
                airlock_error_set(&err, AIRLOCK_ERR_SETUP, errno, "set parent-death signal", NULL);
                fail(ctx, &err, 1);
        }
        proctitle_hide("airlock-init");
        if (run_steps(ctx, steps, n, &err) < 0)
                fail(ctx, &err, 1);

        msg.monotonic_ns = monotonic_ns();
        worker = fork();
        if (worker < 0) {
                airlock_error_set(&err, AIRLOCK_ERR_SETUP, errno, "fork the program", NULL);
                fail(ctx, &err, 1);
        }
        if (worker == 0)
                worker_main(ctx);

        /* sync #4: running. From here on, pid 1 only reaps and reports. */
        (void)sync_send(ctx->sync_fd, &msg, -EBADF);
        reaper_run(ctx, worker);
}
