/* One run of the service, in a process the launcher forked for it: decode and validate the
 * request (again: the front end may be lying), turn it into sandbox configs, run (compile
 * first for compiled languages), and write frames to the run channel. */
#include "run-worker.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "api/event-json.h"
#include "api/result-json.h"
#include "basic/fd-util.h"
#include "basic/macros.h"
#include "run-frame.h"
#include "runtimes.h"
#include "sandbox/sandbox.h"
#include "serve-request.h"

/* A compile gets limits of its own: compilers need more than the programs they build. */
static const AirlockLimits compile_limits = {
    .memory_bytes = 1024 * MIB,
    .wall_ms = 30000,
    .cpu_ms = 30000,
    .pids = 64,
    .cpu_milli = 1000,
    .stdout_bytes = 256 * KIB,
    .stderr_bytes = 256 * KIB,
    .scratch_bytes = 256 * MIB,
    .tmp_bytes = 256 * MIB,
    .nofile = 256,
    .fsize_bytes = 256 * MIB,
    .collect_bytes = 256 * MIB,
    .net_conns = AIRLOCK_DEFAULT_NET_CONNS,
    .net_bytes = AIRLOCK_DEFAULT_NET_BYTES,
};

typedef struct Worker {
        const ServeConfig *config;
        int run_fd;
        int cancel_fds[2];
        ServeRequest req;
        const Runtime *runtime;
} Worker;

static int send_error(const Worker *w, int status, const char *code, const char *fmt, ...)
    _printf_(4, 5);

static int send_error(const Worker *w, int status, const char *code, const char *fmt, ...)
{
        _cleanup_free_ char *text = NULL, *msg = NULL;
        json_t *o;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        o = json_pack("{s:i, s:s, s:s}", "status", status, "code", code, "message",
                      msg ? msg : "out of memory");
        text = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
        if (!text)
                return -ENOMEM;
        return run_frame_write(w->run_fd, RUN_FRAME_ERROR, text, strlen(text));
}

static const struct {
        uint32_t bit;
        const char *name;
        size_t offset;
        bool narrow;
} limit_fields[] = {
#define F(bit, name, field, narrow)                                                                \
        {                                                                                          \
                bit, name, offsetof(AirlockLimits, field), narrow                                  \
        }
    F(SERVE_LIMIT_MEMORY, "memory_bytes", memory_bytes, false),
    F(SERVE_LIMIT_WALL, "wall_ms", wall_ms, false),
    F(SERVE_LIMIT_CPU, "cpu_ms", cpu_ms, false),
    F(SERVE_LIMIT_PIDS, "pids", pids, true),
    F(SERVE_LIMIT_CPUS, "cpus", cpu_milli, true),
    F(SERVE_LIMIT_STDOUT, "stdout_bytes", stdout_bytes, false),
    F(SERVE_LIMIT_STDERR, "stderr_bytes", stderr_bytes, false),
    F(SERVE_LIMIT_SCRATCH, "scratch_bytes", scratch_bytes, false),
    F(SERVE_LIMIT_TMP, "tmp_bytes", tmp_bytes, false),
    F(SERVE_LIMIT_NOFILE, "nofile", nofile, true),
    F(SERVE_LIMIT_FSIZE, "fsize_bytes", fsize_bytes, false),
    F(SERVE_LIMIT_NET_CONNS, "net_conns", net_conns, true),
    F(SERVE_LIMIT_NET_BYTES, "net_bytes", net_bytes, false),
#undef F
};

static uint64_t limit_get(const AirlockLimits *l, size_t i)
{
        const char *p = (const char *)l + limit_fields[i].offset;

        return limit_fields[i].narrow ? *(const uint32_t *)p : *(const uint64_t *)p;
}

static void limit_set(AirlockLimits *l, size_t i, uint64_t v)
{
        char *p = (char *)l + limit_fields[i].offset;

        if (limit_fields[i].narrow)
                *(uint32_t *)p = (uint32_t)v;
        else
                *(uint64_t *)p = v;
}

/* The server's defaults, with what the request set, each at most the server's maximum; the
 * lower bounds are airlock's own, checked by airlock_config_validate (as for `airlock run`). */
static int apply_limits(const Worker *w, AirlockLimits *out)
{
        *out = w->config->default_limits;
        for (size_t i = 0; i < ELEMENTSOF(limit_fields); i++) {
                uint64_t v, max = limit_get(&w->config->max_limits, i);

                if (!(w->req.limits_set & limit_fields[i].bit))
                        continue;
                v = limit_get(&w->req.limits, i);
                if (v > max)
                        return send_error(w, 422, "limit_too_high",
                                          "limits.%s: %llu is over the server's maximum %llu",
                                          limit_fields[i].name, (unsigned long long)v,
                                          (unsigned long long)max);
                limit_set(out, i, v);
        }
        /* Collected files travel inline: the server's cap bounds them. */
        out->collect_bytes = MIN(out->collect_bytes, w->config->max_inline_bytes);
        return 0;
}

static void on_output(int stream, const char *data, size_t len, void *userdata)
{
        const Worker *w = userdata;

        /* A front end that went away cancels through cancel_fds; nothing to do here. */
        (void)run_frame_write(w->run_fd, stream == 1 ? RUN_FRAME_STDOUT : RUN_FRAME_STDERR, data,
                              len);
}

/* Audit events stream as frames too; they are delivered on the same thread as output. */
static void on_event(const AuditEvent *ev, void *userdata)
{
        const Worker *w = userdata;
        _cleanup_free_ char *text = NULL;
        json_t *o = audit_event_to_json(ev);

        if (!o)
                return;
        /* the precision --events uses: microseconds, not jansson's seventeen digits */
        text = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10));
        json_decref(o);
        if (text)
                (void)run_frame_write(w->run_fd, RUN_FRAME_EVENT, text, strlen(text));
}

/* stdin bytes reach the sandbox through a memfd, which the sandbox layer opens by path like any
 * --stdin file. */
static int stdin_memfd(const ServeRequest *req, AirlockConfig *c)
{
        _cleanup_close_ int fd =
            memfd_new_with("airlock-stdin", req->stdin_data, req->stdin_len, false);

        if (fd < 0)
                return fd;
        if (asprintf(&c->stdin_path, "/proc/self/fd/%d", fd) < 0)
                return -ENOMEM;
        return TAKE_FD(fd);
}

/* The settings every sandbox of this service shares. */
static void base_config(const Worker *w, AirlockConfig *c)
{
        airlock_config_init(c);
        c->collect_in_memory = true;
        c->cgroup_root = w->config->cgroup_root ? strdup(w->config->cgroup_root) : NULL;
}

static int add_files(const Worker *w, AirlockConfig *c, AirlockError *err)
{
        int r;

        for (size_t i = 0; i < w->req.n_files; i++) {
                const ServeFile *f = &w->req.files[i];

                r = airlock_config_add_inline_file(c, f->path, f->data, f->len, f->executable, err);
                if (r < 0)
                        return r;
        }
        if (w->runtime)
                return airlock_config_add_inline_file(c, w->runtime->file, w->req.code,
                                                      w->req.code_len, false, err);
        return 0;
}

static int usage_error(const Worker *w, const AirlockError *err)
{
        return send_error(w, 422, "invalid_request", "%s: %s", err->step, err->message);
}

/* Fills c for the program's own run; 0, or an error frame was sent and a negative errno. */
static int build_run_config(const Worker *w, AirlockConfig *c, int *ret_stdin_fd)
{
        AirlockError err = {0};
        int r;

        base_config(w, c);
        r = apply_limits(w, &c->limits);
        if (r < 0)
                return -EINVAL;
        c->argv = w->runtime ? (char **)w->runtime->run : w->req.argv;
        for (size_t i = 0; i < w->req.n_env && r >= 0; i++)
                r = airlock_config_add_env(c, w->req.env[i], &err);
        for (size_t i = 0; i < w->req.n_collect && r >= 0; i++)
                r = airlock_config_add_collect(c, w->req.collect[i], &err);
        if (r >= 0 && w->req.n_allow_net > 0 && !w->config->allow_net)
                return send_error(w, 422, "network_disabled",
                                  "network: this server does not grant network access"),
                       -EINVAL;
        for (size_t i = 0; i < w->req.n_allow_net && r >= 0; i++)
                r = airlock_config_add_allow_net(c, w->req.allow_net[i], &err);
        for (size_t i = 0; w->req.n_allow_net > 0 && i < w->config->n_allow_private && r >= 0; i++)
                r = airlock_config_add_allow_private(c, w->config->allow_private[i], &err);
        if (r >= 0)
                r = add_files(w, c, &err);
        if (r >= 0)
                r = airlock_config_validate(c, &err);
        if (r < 0) {
                (void)usage_error(w, &err);
                return -EINVAL;
        }
        if (w->req.has_stdin) {
                r = stdin_memfd(&w->req, c);
                if (r < 0)
                        return send_error(w, 503, "internal", "stdin: %s", strerror(-r)), r;
                *ret_stdin_fd = r;
        }
        return 0;
}

/* The compile step's sandbox: the request's files and code, the compiler, and the output
 * collected in memory. */
static int build_compile_config(const Worker *w, AirlockConfig *c)
{
        AirlockError err = {0};
        int r;

        base_config(w, c);
        c->limits = compile_limits;
        c->argv = (char **)w->runtime->compile;
        r = add_files(w, c, &err);
        if (r >= 0)
                r = airlock_config_add_collect(c, w->runtime->output, &err);
        if (r >= 0)
                r = airlock_config_validate(c, &err);
        if (r < 0) {
                (void)usage_error(w, &err);
                return -EINVAL;
        }
        return 0;
}

/* The result object, with what the service adds: the language and, for compiled languages,
 * the compile step (without its binary, which the program's run already carries). */
static int send_result(const Worker *w, const RunResult *res, const RunResult *compiled)
{
        _cleanup_free_ char *text = NULL;
        json_t *o = result_to_json(res);

        if (!o)
                return -ENOMEM;
        if (w->runtime)
                (void)json_object_set_new(o, "language", json_string(w->runtime->id));
        if (compiled) {
                json_t *co = result_to_json(compiled);

                if (co) {
                        (void)json_object_del(co, "files");
                        (void)json_object_set_new(o, "compile", co);
                }
        }
        text = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
        json_decref(o);
        if (!text)
                return -ENOMEM;
        return run_frame_write(w->run_fd, RUN_FRAME_RESULT, text, strlen(text));
}

static const CollectedFile *find_output(const RunResult *r, const char *name)
{
        for (size_t i = 0; i < r->n_files; i++)
                if (strcmp(r->files[i].path, name) == 0 && r->files[i].data && !r->files[i].skipped)
                        return &r->files[i];
        return NULL;
}

static int compile_step(Worker *w, const SandboxHooks *hooks, AirlockConfig *run_config,
                        RunResult *compiled, bool *ret_failed)
{
        AirlockConfig cc;
        AirlockError err = {0};
        const CollectedFile *bin;
        int r;

        r = build_compile_config(w, &cc);
        if (r < 0)
                return r;
        r = sandbox_run(&cc, hooks, compiled);
        airlock_config_done(&cc);
        if (r < 0)
                return r;
        bin = compiled->status == RUN_OK ? find_output(compiled, w->runtime->output) : NULL;
        if (!bin) {
                /* The compiler's result is the answer: its output says what was wrong. */
                if (compiled->status == RUN_OK || compiled->status == RUN_EXIT_NONZERO)
                        compiled->status = RUN_COMPILE_ERROR;
                *ret_failed = true;
                return 0;
        }
        r = airlock_config_add_inline_file(run_config, w->runtime->output, bin->data, bin->size,
                                           true, &err);
        if (r < 0)
                return usage_error(w, &err), r;
        return 0;
}

static int run_request(Worker *w)
{
        SandboxHooks hooks = {
            .on_output = w->req.stream ? on_output : NULL,
            .on_event = w->req.stream ? on_event : NULL,
            .userdata = w,
            .cancel_fds = w->cancel_fds,
            .n_cancel_fds = 2,
        };
        AirlockConfig c;
        RunResult res, compiled;
        bool compile_failed = false;
        int stdin_fd = -EBADF, r;

        if (w->req.language) {
                w->runtime = runtime_find(w->req.language);
                if (!w->runtime)
                        return send_error(w, 422, "unknown_language",
                                          "language: unknown language \"%s\" (GET /v1/runtimes "
                                          "lists them)",
                                          w->req.language);
        }
        r = build_run_config(w, &c, &stdin_fd);
        if (r < 0) {
                airlock_config_done(&c);
                return r;
        }
        (void)run_frame_write(w->run_fd, RUN_FRAME_STARTED, NULL, 0);
        run_result_init(&res);
        run_result_init(&compiled);
        if (w->runtime && w->runtime->compile)
                r = compile_step(w, &hooks, &c, &compiled, &compile_failed);
        if (r >= 0 && !compile_failed)
                r = sandbox_run(&c, &hooks, &res);
        if (r >= 0)
                r = compile_failed
                        ? send_result(w, &compiled, NULL)
                        : send_result(w, &res,
                                      w->runtime && w->runtime->compile ? &compiled : NULL);
        else if (r != -EINVAL)
                (void)send_error(w, 503, "internal", "%s", strerror(-r));
        run_result_done(&res);
        run_result_done(&compiled);
        airlock_config_done(&c);
        safe_close(stdin_fd);
        return r;
}

/* The launcher's SIGTERM (drain past its grace period) cancels the run like a hang-up. */
static int term_pipe_write = -EBADF;

static void on_sigterm(int sig)
{
        int saved = errno;

        (void)!write(term_pipe_write, "x", 1);
        errno = saved;
}

static int read_request(int memfd, uint8_t **ret, size_t *ret_len)
{
        _cleanup_free_ uint8_t *buf = NULL;
        struct stat st;
        size_t done = 0;

        /* Only a regular file (the sealed memfd) of bounded size: a pipe or socket from a
         * lying front end could otherwise stall or flood us. */
        if (fstat(memfd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > SERVE_MAX_REQUEST_BYTES)
                return -EPROTO;
        buf = malloc(st.st_size ? (size_t)st.st_size : 1);
        if (!buf)
                return -ENOMEM;
        while (done < (size_t)st.st_size) {
                ssize_t n = pread(memfd, buf + done, (size_t)st.st_size - done, (off_t)done);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : -EPROTO;
                done += (size_t)n;
        }
        *ret = TAKE_PTR(buf);
        *ret_len = done;
        return 0;
}

int run_worker_main(const ServeConfig *config, int memfd, int run_fd)
{
        _cleanup_free_ uint8_t *buf = NULL;
        Worker w = {.config = config, .run_fd = run_fd};
        AirlockError err = {0};
        struct stat st;
        int term_pipe[2], r;
        size_t len = 0;

        /* The run channel must be a stream socket: writes to anything else could block us in
         * ways the front end controls. */
        if (fstat(run_fd, &st) < 0 || !S_ISSOCK(st.st_mode))
                return 1;
        if (pipe2(term_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
                return 1;
        term_pipe_write = term_pipe[1];
        (void)signal(SIGTERM, on_sigterm);
        (void)signal(SIGPIPE, SIG_IGN);
        w.cancel_fds[0] = run_fd;
        w.cancel_fds[1] = term_pipe[0];

        r = read_request(memfd, &buf, &len);
        if (r < 0)
                return send_error(&w, 400, "bad_request", "request: unreadable (%s)",
                                  strerror(-r)) < 0
                           ? 1
                           : 0;
        serve_request_init(&w.req);
        r = serve_request_decode(buf, len, &w.req, &err);
        if (r < 0)
                return send_error(&w, 400, "bad_request", "%s", err.message) < 0 ? 1 : 0;
        r = run_request(&w);
        serve_request_done(&w.req);
        return r < 0 && r != -EINVAL ? 1 : 0;
}
