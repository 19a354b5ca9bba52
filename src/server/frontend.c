/* The front end's life: start one MHD daemon per listening socket, then serve the control
 * socket from the launcher on the main thread (keys to reload, the order to drain) until it
 * says drain or goes away; then stop accepting, let what runs finish, and return. */
#include "frontend.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "frontend-internal.h"
#include "launcher-proto.h"

#define FRONTEND_MAX_KEYS_TEXT (1024 * 1024) /* a keys file, far beyond API_KEYS_MAX lines */
#define FRONTEND_SPARE_CONNS   64            /* health checks and scrapes beside the runs */

static void log_mhd(void *cls, const char *fmt, va_list ap) _printf_(2, 0);
static void log_mhd(void *cls, const char *fmt, va_list ap)
{
        char msg[512];

        vsnprintf(msg, sizeof(msg), fmt, ap);
        /* How MHD reports a connection we dropped on purpose (the client hung up, a chunked
         * body went over the cap): the access log has those, as 499 and 413. */
        if (strstr(msg, "Application reported internal error") ||
            strstr(msg, "application error generating response"))
                return;
        fprintf(stderr, "airlock: serve: http: %s%s", msg,
                *msg && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
}

static int load_keys(Frontend *fe, const char *text)
{
        ApiKeys *keys = NULL;
        AirlockError err = {0};
        int r;

        r = api_keys_parse(text, fe->config->per_key_concurrency, &keys, &err);
        if (r < 0) {
                char msg[512];

                airlock_error_format(&err, msg, sizeof(msg));
                fprintf(stderr, "airlock: serve: %s\n", msg);
                return r;
        }
        /* No keys at start is no auth (the launcher refuses that beyond loopback). Once auth is
         * on it stays on: a reload that revokes every key locks everyone out, it does not
         * open the door. */
        if (api_keys_count(keys) == 0 && !api_keyring_enabled(fe->keyring))
                keys = api_keys_free(keys);
        api_keyring_set(fe->keyring, keys);
        return 0;
}

/* LAUNCHER_MSG_KEYS: the new text is in a memfd. */
static void reload_keys(Frontend *fe, int fd)
{
        _cleanup_free_ char *text = NULL;
        struct stat st;
        size_t done = 0;

        if (fstat(fd, &st) < 0 || st.st_size < 0 || st.st_size > FRONTEND_MAX_KEYS_TEXT) {
                fprintf(stderr, "airlock: serve: reload keys: unusable, keeping the old ones\n");
                return;
        }
        text = malloc((size_t)st.st_size + 1);
        if (!text)
                return;
        while (done < (size_t)st.st_size) {
                ssize_t n = pread(fd, text + done, (size_t)st.st_size - done, (off_t)done);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                done += (size_t)n;
        }
        text[done] = '\0';
        if (load_keys(fe, text) < 0)
                fprintf(stderr, "airlock: serve: reload keys: keeping the old ones\n");
        explicit_bzero(text, done);
}

/* Until DRAIN or EOF. */
static void serve_control(Frontend *fe)
{
        for (;;) {
                LauncherMessage msg;
                int fds[LAUNCHER_MAX_FDS];
                size_t n_fds = 0;
                int r = launcher_proto_recv(fe->args->ctl_fd, &msg, fds, &n_fds);

                if (r == -EPROTO)
                        continue; /* dropped (its fds closed): the launcher's bug, not ours */
                if (r <= 0) {
                        atomic_store(&fe->launcher_alive, false);
                        return;
                }
                if (msg.type == LAUNCHER_MSG_KEYS && n_fds == 1)
                        reload_keys(fe, fds[0]);
                for (size_t i = 0; i < n_fds; i++)
                        close(fds[i]);
                if (msg.type == LAUNCHER_MSG_DRAIN)
                        return;
        }
}

static int start_daemons(Frontend *fe)
{
        const ServeConfig *c = fe->config;
        unsigned conns = c->max_concurrent + c->queue_size + FRONTEND_SPARE_CONNS;

        for (size_t i = 0; i < fe->args->n_listen_fds && i < SERVE_MAX_LISTEN; i++) {
                /* A thread per connection, so handlers may block in poll() on the run; ITC
                 * so that MHD_quiesce_daemon can stop the listening thread. */
                struct MHD_Daemon *d = MHD_start_daemon(
                    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                        MHD_USE_ITC | MHD_USE_ERROR_LOG,
                    0, NULL, NULL, http_routes_handle, fe, MHD_OPTION_EXTERNAL_LOGGER, log_mhd,
                    NULL, MHD_OPTION_LISTEN_SOCKET, fe->args->listen_fds[i],
                    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)c->client_timeout_s,
                    MHD_OPTION_CONNECTION_LIMIT, conns, MHD_OPTION_NOTIFY_COMPLETED,
                    http_routes_completed, fe, MHD_OPTION_END);

                if (!d) {
                        fprintf(stderr, "airlock: serve: cannot serve on %s\n",
                                i < c->n_listen ? c->listen[i] : "a socket");
                        return -EIO;
                }
                fe->daemons[fe->n_daemons++] = d;
        }
        return fe->n_daemons > 0 ? 0 : -EINVAL;
}

/* Stop accepting, wait for the requests in progress (their runs end within the launcher's
 * grace), then stop. */
static void drain(Frontend *fe)
{
        struct timespec deadline;

        atomic_store(&fe->draining, true);
        for (size_t i = 0; i < fe->n_daemons; i++) {
                int fd = (int)MHD_quiesce_daemon(fe->daemons[i]);

                /* Ours again: closing it makes new connections fail fast rather than wait in
                 * a backlog nobody accepts from. */
                if (fd >= 0)
                        close(fd);
        }
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += (time_t)fe->config->grace_s + (time_t)fe->config->client_timeout_s;
        pthread_mutex_lock(&fe->lock);
        while (fe->in_flight > 0)
                if (pthread_cond_timedwait(&fe->idle, &fe->lock, &deadline) == ETIMEDOUT)
                        break;
        pthread_mutex_unlock(&fe->lock);
}

int frontend_main(const FrontendArgs *a)
{
        Frontend fe = {.args = a, .config = a->config};
        int r, code = 1;

        /* A client that vanishes mid-answer must be an error from send(), not a signal. */
        signal(SIGPIPE, SIG_IGN);
        atomic_init(&fe.draining, false);
        atomic_init(&fe.launcher_alive, true);
        pthread_mutex_init(&fe.lock, NULL);
        pthread_cond_init(&fe.idle, NULL);

        if (api_keyring_new(&fe.keyring) < 0 || metrics_new(&fe.metrics) < 0 ||
            capacity_new(a->config->max_concurrent, a->config->queue_size, &fe.capacity) < 0) {
                fprintf(stderr, "airlock: serve: out of memory\n");
                goto out;
        }
        if (a->keys_text && load_keys(&fe, a->keys_text) < 0)
                goto out;
        r = start_daemons(&fe);
        if (r < 0)
                goto out;

        serve_control(&fe);
        drain(&fe);
        code = 0;
out:
        for (size_t i = 0; i < fe.n_daemons; i++)
                MHD_stop_daemon(fe.daemons[i]);
        capacity_free(fe.capacity);
        metrics_free(fe.metrics);
        api_keyring_free(fe.keyring);
        pthread_cond_destroy(&fe.idle);
        pthread_mutex_destroy(&fe.lock);
        return code;
}
