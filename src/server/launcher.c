#include "launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api-keys.h"
#include "basic/fd-util.h"
#include "basic/macros.h"
#include "cgroup/cgroup.h"
#include "frontend.h"
#include "launcher-proto.h"
#include "listen.h"
#include "privdrop.h"
#include "run-frame.h"
#include "run-worker.h"
#include "runtimes.h"
#include "sandbox/result.h"
#include "sandbox/sync.h"

#define KEYS_MAX_BYTES (1024 * 1024)
#define MAX_RUNTIMES   16
/* After the grace period the workers get SIGTERM (their runs end as cancelled); this long
 * after that, whatever is left gets SIGKILL. */
#define KILL_AFTER_NS (10ULL * 1000 * 1000 * 1000)

typedef struct Launcher {
        ServeConfig *config;
        int ctl_fd;
        int signal_fd;
        pid_t frontend;
        int frontend_status;
        pid_t *workers;
        size_t n_workers, max_workers;
        bool draining;
        uint64_t cancel_at_ns, kill_at_ns; /* 0: not scheduled */
        bool cancelled, killed;
        sigset_t old_mask;
} Launcher;

static void log_error(const char *what, const AirlockError *err)
{
        char line[512];

        airlock_error_format(err, line, sizeof(line));
        fprintf(stderr, "airlock: serve: %s%s%s\n", what ? what : "", what ? ": " : "", line);
}

/* The keys file's text, or AIRLOCK_API_KEYS with its commas as line breaks; NULL: no keys. */
static int read_keys(const ServeConfig *c, char **ret, AirlockError *err)
{
        _cleanup_free_ char *text = NULL;
        const char *env;

        *ret = NULL;
        if (c->keys_file) {
                _cleanup_close_ int fd = open(c->keys_file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                ssize_t n;

                if (fd < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_USAGE, errno, "--keys", "%s",
                                                 c->keys_file);
                text = calloc(1, KEYS_MAX_BYTES + 1);
                if (!text)
                        return -ENOMEM;
                n = read(fd, text, KEYS_MAX_BYTES + 1);
                if (n < 0 || n > KEYS_MAX_BYTES)
                        return airlock_error_set(err, AIRLOCK_ERR_USAGE, n < 0 ? errno : EFBIG,
                                                 "--keys", "%s", c->keys_file);
                *ret = TAKE_PTR(text);
                return 0;
        }
        env = getenv("AIRLOCK_API_KEYS");
        if (!env || !*env)
                return 0;
        text = strdup(env);
        if (!text)
                return -ENOMEM;
        for (char *p = text; *p; p++)
                if (*p == ',')
                        *p = '\n';
        *ret = TAKE_PTR(text);
        return 0;
}

/* Parses text as the front end will, so a broken keys file stops the start (or a reload) here
 * with a clear message. 1: at least one key; 0: none; or -errno with err set. */
static int check_keys(const ServeConfig *c, const char *text, AirlockError *err)
{
        ApiKeys *keys = NULL;
        int r;

        if (!text)
                return 0;
        r = api_keys_parse(text, c->per_key_concurrency, &keys, err);
        if (r < 0)
                return r;
        r = api_keys_count(keys) > 0;
        api_keys_free(keys);
        return r;
}

static bool listens_locally_only(const ServeConfig *c)
{
        for (size_t i = 0; i < c->n_listen; i++)
                if (!listen_is_local(c->listen[i]))
                        return false;
        return true;
}

static void send_keys(Launcher *l)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int fd = -EBADF;
        LauncherMessage msg = {.type = LAUNCHER_MSG_KEYS};
        AirlockError err = {0};

        int have;

        if (read_keys(l->config, &text, &err) < 0 ||
            (have = check_keys(l->config, text, &err)) < 0) {
                log_error("reload keys, keeping the old ones", &err);
                return;
        }
        if (!have && !listens_locally_only(l->config)) {
                fprintf(stderr, "airlock: serve: reload keys: none left while listening beyond "
                                "loopback, keeping the old ones\n");
                return;
        }
        fd = memfd_new_with("airlock-keys", text, text ? strlen(text) : 0, false);
        if (fd < 0) {
                fprintf(stderr, "airlock: serve: reload keys: %s, keeping the old ones\n",
                        strerror(-fd));
                return;
        }
        if (launcher_proto_send(l->ctl_fd, &msg, &fd, 1) < 0)
                fprintf(stderr, "airlock: serve: reload keys: front end gone\n");
        else
                fprintf(stderr, "airlock: serve: keys reloaded\n");
}

/* In a freshly forked child: die with the launcher, and take back the signals it blocked. */
static int become_child(const Launcher *l)
{
        pid_t parent = getppid();

        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                return -errno;
        if (getppid() != parent)
                return -ESRCH; /* the launcher died before PDEATHSIG was armed */
        (void)signal(SIGPIPE, SIG_IGN);
        return sigprocmask(SIG_SETMASK, &l->old_mask, NULL) < 0 ? -errno : 0;
}

static pid_t fork_frontend(Launcher *l, FrontendArgs *args, int frontend_ctl,
                           const PrivdropTarget *target)
{
        AirlockError err = {0};
        pid_t pid = fork();

        if (pid != 0)
                return pid;
        close(l->ctl_fd);
        close(l->signal_fd);
        if (become_child(l) < 0)
                _exit(1);
        args->ctl_fd = frontend_ctl;
        (void)prctl(PR_SET_NAME, "airlock-front", 0, 0, 0);
        if (privdrop_apply(target, &err) < 0) {
                log_error("front end", &err);
                _exit(AIRLOCK_EXIT_SETUP);
        }
        _exit(frontend_main(args));
}

/* A worker for one run: the request's memfd and the run channel came with the message. */
static void start_worker(Launcher *l, int memfd, int run_fd, const int *listen_fds, size_t n_listen)
{
        pid_t pid;

        /* The front end holds a slot per run; this ceiling only matters if it lies (twice its
         * number, since a finished worker may not be reaped yet when the next run arrives). */
        if (l->draining || l->n_workers >= l->max_workers) {
                static const char busy[] = "{\"status\":503,\"code\":\"unavailable\",\"message\":"
                                           "\"the launcher is draining or at its ceiling\"}";

                (void)run_frame_write(run_fd, RUN_FRAME_ERROR, busy, sizeof(busy) - 1);
                return;
        }
        pid = fork();
        if (pid < 0) {
                static const char oom[] = "{\"status\":503,\"code\":\"unavailable\",\"message\":"
                                          "\"cannot start a worker\"}";

                (void)run_frame_write(run_fd, RUN_FRAME_ERROR, oom, sizeof(oom) - 1);
                return;
        }
        if (pid == 0) {
                close(l->ctl_fd);
                close(l->signal_fd);
                for (size_t i = 0; i < n_listen; i++)
                        close(listen_fds[i]);
                if (become_child(l) < 0)
                        _exit(1);
                (void)prctl(PR_SET_NAME, "airlock-run", 0, 0, 0);
                _exit(run_worker_main(l->config, memfd, run_fd));
        }
        l->workers[l->n_workers++] = pid;
}

static void handle_ctl(Launcher *l, const int *listen_fds, size_t n_listen)
{
        LauncherMessage msg;
        int fds[LAUNCHER_MAX_FDS];
        size_t n = 0;
        int r = launcher_proto_recv(l->ctl_fd, &msg, fds, &n);

        if (r <= 0) {
                if (r == 0 || r != -EPROTO) {
                        /* The front end is gone; SIGCHLD tells how. */
                        l->ctl_fd = safe_close(l->ctl_fd);
                }
                return;
        }
        if (msg.type == LAUNCHER_MSG_RUN && n == 2)
                start_worker(l, fds[0], fds[1], listen_fds, n_listen);
        else
                fprintf(stderr, "airlock: serve: malformed message from the front end, "
                                "ignoring\n");
        for (size_t i = 0; i < n; i++)
                close(fds[i]);
}

static void forget_worker(Launcher *l, pid_t pid)
{
        for (size_t i = 0; i < l->n_workers; i++)
                if (l->workers[i] == pid) {
                        l->workers[i] = l->workers[--l->n_workers];
                        return;
                }
}

static void reap(Launcher *l)
{
        int status;
        pid_t pid;

        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
                if (pid == l->frontend) {
                        l->frontend = 0;
                        l->frontend_status = status;
                } else
                        forget_worker(l, pid);
        }
}

static void signal_workers(Launcher *l, int sig)
{
        for (size_t i = 0; i < l->n_workers; i++)
                (void)kill(l->workers[i], sig);
}

static void start_drain(Launcher *l)
{
        LauncherMessage msg = {.type = LAUNCHER_MSG_DRAIN};
        uint64_t now = monotonic_ns();

        if (l->draining) {
                /* A second SIGTERM: no more grace. */
                l->cancel_at_ns = now;
                return;
        }
        l->draining = true;
        l->cancel_at_ns = now + (uint64_t)l->config->grace_s * 1000000000ULL;
        fprintf(stderr, "airlock: serve: draining (%u s grace)\n", l->config->grace_s);
        if (l->ctl_fd >= 0)
                (void)launcher_proto_send(l->ctl_fd, &msg, NULL, 0);
}

static void handle_signal(Launcher *l)
{
        struct signalfd_siginfo si;

        while (read(l->signal_fd, &si, sizeof(si)) == sizeof(si)) {
                switch (si.ssi_signo) {
                case SIGCHLD:
                        reap(l);
                        break;
                case SIGTERM:
                case SIGINT:
                        start_drain(l);
                        break;
                case SIGHUP:
                        if (l->ctl_fd >= 0)
                                send_keys(l);
                        break;
                }
        }
}

/* Past the grace period: cancel what runs; later still, kill what is left. */
static void enforce_deadlines(Launcher *l)
{
        uint64_t now = monotonic_ns();

        if (l->cancel_at_ns && !l->cancelled && now >= l->cancel_at_ns) {
                l->cancelled = true;
                l->kill_at_ns = now + KILL_AFTER_NS;
                signal_workers(l, SIGTERM);
        }
        if (l->kill_at_ns && !l->killed && now >= l->kill_at_ns) {
                l->killed = true;
                signal_workers(l, SIGKILL);
                if (l->frontend > 0)
                        (void)kill(l->frontend, SIGKILL);
        }
}

static int poll_timeout(const Launcher *l)
{
        uint64_t now = monotonic_ns(), next = 0;

        if (l->cancel_at_ns && !l->cancelled)
                next = l->cancel_at_ns;
        else if (l->kill_at_ns && !l->killed)
                next = l->kill_at_ns;
        if (!next)
                return -1;
        return next > now ? (int)MIN((next - now) / 1000000 + 1, 60000ULL) : 0;
}

static void serve_loop(Launcher *l, const int *listen_fds, size_t n_listen)
{
        while (l->frontend > 0 || l->n_workers > 0) {
                struct pollfd p[2] = {{.fd = l->signal_fd, .events = POLLIN},
                                      {.fd = l->ctl_fd, .events = POLLIN}};

                if (poll(p, l->ctl_fd >= 0 ? 2 : 1, poll_timeout(l)) < 0 && errno != EINTR)
                        break;
                if (p[0].revents)
                        handle_signal(l);
                if (l->ctl_fd >= 0 && p[1].revents)
                        handle_ctl(l, listen_fds, n_listen);
                if (l->frontend == 0 && !l->cancelled) {
                        /* Nobody is left to read results: no reason to let runs go on. */
                        if (!l->draining)
                                fprintf(stderr, "airlock: serve: the front end exited\n");
                        l->draining = true;
                        l->cancel_at_ns = monotonic_ns();
                }
                enforce_deadlines(l);
        }
}

static int open_access_log(const ServeConfig *c, AirlockError *err)
{
        int fd;

        if (!c->access_log || strcmp(c->access_log, "-") == 0)
                fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        else
                fd =
                    open(c->access_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
        if (fd < 0)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, errno, "--access-log", "%s",
                                         c->access_log ? c->access_log : "stderr");
        return fd;
}

/* A crash of an earlier server leaves cgroups its janitors could not remove. */
static void remove_leftovers(const ServeConfig *c)
{
        CgroupHost host;
        AirlockError err = {0};
        int r;

        r = cgroup_host_open(c->cgroup_root, CGROUP_VERSION_NONE, geteuid(), &host, &err);
        if (r >= 0) {
                r = cgroup_gc(&host, &err);
                cgroup_host_close(&host);
        }
        if (r < 0)
                log_error("remove leftovers, ignoring", &err);
        else if (r > 0)
                fprintf(stderr, "airlock: serve: removed %d stale cgroup%s\n", r,
                        r == 1 ? "" : "s");
}

static int block_signals(Launcher *l, AirlockError *err)
{
        sigset_t mask;

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, &l->old_mask) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "signals", NULL);
        l->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (l->signal_fd < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "signals", NULL);
        return 0;
}

int launcher_main(ServeConfig *config)
{
        _cleanup_free_ char *keys = NULL;
        Launcher l = {.config = config, .ctl_fd = -EBADF, .signal_fd = -EBADF};
        RuntimeInfo runtimes[MAX_RUNTIMES];
        int listen_fds[SERVE_MAX_LISTEN], pair[2], log_fd = -EBADF;
        size_t n_listen = 0;
        PrivdropTarget target = {.allow_no_landlock = config->allow_no_landlock};
        AirlockError err = {0};
        FrontendArgs args = {.config = config};
        int r, code = 0;

        r = read_keys(config, &keys, &err);
        if (r >= 0)
                r = check_keys(config, keys, &err);
        if (r >= 0)
                r = serve_config_validate(config, r > 0, &err);
        if (r >= 0 && geteuid() == 0)
                r = privdrop_resolve_user(config->user ? config->user : "nobody", &target, &err);
        if (r >= 0)
                r = log_fd = open_access_log(config, &err);
        for (size_t i = 0; r >= 0 && i < config->n_listen; i++) {
                r = listen_fds[n_listen] = listen_open(config->listen[i], &err);
                if (r >= 0)
                        n_listen++;
        }
        if (r >= 0)
                r = block_signals(&l, &err);
        if (r < 0) {
                log_error(NULL, &err);
                code = err.kind == AIRLOCK_ERR_USAGE ? AIRLOCK_EXIT_USAGE : AIRLOCK_EXIT_SETUP;
                goto out;
        }
        remove_leftovers(config);
        l.max_workers = 2 * (size_t)config->max_concurrent;
        l.workers = calloc(l.max_workers, sizeof(pid_t));
        if (!l.workers || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
                fprintf(stderr, "airlock: serve: %m\n");
                code = AIRLOCK_EXIT_SETUP;
                goto out;
        }
        l.ctl_fd = pair[0];
        args.listen_fds = listen_fds;
        args.n_listen_fds = n_listen;
        args.runtimes = runtimes;
        args.n_runtimes = runtimes_detect(runtimes, MAX_RUNTIMES);
        args.keys_text = keys;
        args.access_log_fd = log_fd;
        l.frontend = fork_frontend(&l, &args, pair[1], &target);
        close(pair[1]);
        if (l.frontend < 0) {
                fprintf(stderr, "airlock: serve: fork: %m\n");
                code = AIRLOCK_EXIT_SETUP;
                goto out;
        }
        /* The front end has them now; the launcher never accepts a connection itself. */
        for (size_t i = 0; i < n_listen; i++)
                listen_fds[i] = safe_close(listen_fds[i]);
        n_listen = 0;
        for (size_t i = 0; i < config->n_listen; i++)
                fprintf(stderr, "airlock: serve: listening on %s\n", config->listen[i]);
        serve_loop(&l, listen_fds, 0);
        if (WIFEXITED(l.frontend_status))
                code = WEXITSTATUS(l.frontend_status);
        else
                code = AIRLOCK_EXIT_INTERNAL;
out:
        for (size_t i = 0; i < n_listen; i++)
                safe_close(listen_fds[i]);
        safe_close(log_fd);
        safe_close(l.ctl_fd);
        safe_close(l.signal_fd);
        free(l.workers);
        return code;
}
