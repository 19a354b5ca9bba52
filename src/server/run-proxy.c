/* POST /v1/runs once its body is in: parse it, take the key's and a sandbox's slot, hand the
 * run to the launcher, and relay what comes back, as one JSON answer or as Server-Sent Events.
 * Everything blocks in poll() on the run channel and on the client's socket together, so a
 * client that hangs up cancels its run at once (closing the run channel is the cancel). */
#include <jansson.h>
#include <poll.h>
#include <string.h>

#include "api/request-json.h"
#include "frontend-internal.h"
#include "launcher-client.h"
#include "run-frame.h"

#define _cleanup_json_ _cleanup_(json_decrefp)

#define SSE_BLOCK_SIZE (16 * 1024)
/* A comment line every so often, so that proxies, and MHD's own idle timeout (which counts
 * time spent waiting in stream_read), keep a quiet stream open. */
#define SSE_KEEPALIVE_MS (15 * 1000)

static void copy_label(char *dst, size_t size, const char *src)
{
        size_t i = 0;

        /* Metric label values come from a fixed vocabulary; anything else is made to fit. */
        for (; src && src[i] && i + 1 < size; i++)
                dst[i] = (src[i] >= 'a' && src[i] <= 'z') || (src[i] >= '0' && src[i] <= '9') ||
                                 src[i] == '_' || src[i] == '-'
                             ? src[i]
                             : '_';
        dst[i] = '\0';
}

void run_proxy_finish(Request *req, const char *status)
{
        Frontend *fe = req->fe;

        req->run_fd = safe_close(req->run_fd);
        if (req->slot_held) {
                capacity_release(fe->capacity);
                req->slot_held = false;
        }
        if (req->key_held) {
                api_keyring_release(fe->keyring, req->key);
                req->key_held = false;
        }
        if (req->run_start_ns && !req->run_counted) {
                if (!req->run_status[0])
                        copy_label(req->run_status, sizeof(req->run_status), status);
                metrics_run_done(fe->metrics, req->run_status, req->language,
                                 (double)(now_ns() - req->run_start_ns) / 1e9);
                req->run_counted = true;
        }
}

/* The result's "status" ("ok", "timeout", ...), for metrics and the access log. */
static void note_result_status(Request *req, const RunFrame *f)
{
        _cleanup_json_ json_t *o = json_loadb((const char *)f->payload, f->len, 0, NULL);
        const char *s = json_string_value(json_object_get(o, "status"));

        copy_label(req->run_status, sizeof(req->run_status), s ? s : "unknown");
}

/* 1: the run channel has something (a frame or EOF); 0: the client hung up; -ETIMEDOUT. */
static int wait_run(Request *req, int timeout_ms)
{
        struct pollfd p[2] = {
            {.fd = req->run_fd, .events = POLLIN},
            /* Only hang-ups: a pipelined next request would make POLLIN spin. */
            {.fd = req->client_fd, .events = POLLRDHUP},
        };

        for (;;) {
                int n = poll(p, req->client_fd >= 0 ? 2 : 1, timeout_ms);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        return -ETIMEDOUT;
                if (req->client_fd >= 0 && (p[1].revents & (POLLRDHUP | POLLHUP | POLLERR)))
                        return 0;
                if (p[0].revents)
                        return 1;
        }
}

/* An ERROR frame, {"status": N, "code": "...", "message": "..."}, as our own error answer. */
static enum MHD_Result respond_frame_error(Request *req, const RunFrame *f)
{
        _cleanup_json_ json_t *o = json_loadb((const char *)f->payload, f->len, 0, NULL);
        json_int_t status = json_integer_value(json_object_get(o, "status"));
        const char *code = json_string_value(json_object_get(o, "code"));
        const char *message = json_string_value(json_object_get(o, "message"));

        run_proxy_finish(req, "error");
        if (status < 400 || status > 599)
                status = 500;
        return http_respond_error(req, (int)status, code ? code : "run_failed",
                                  status == 429 || status == 503 ? "Retry-After" : NULL, "1", "%s",
                                  message ? message : "the launcher refused the run");
}

/* The client hung up before its answer: cancel, and log it as nginx does (499). */
static enum MHD_Result client_gone(Request *req)
{
        run_proxy_finish(req, "cancelled");
        req->status = 499;
        return MHD_NO;
}

static enum MHD_Result respond_no_result(Request *req, int r)
{
        run_proxy_finish(req, "error");
        return http_respond_error(req, 500, "run_failed", NULL, NULL,
                                  "the run ended without a result (%s)",
                                  r == 0 ? "the launcher closed the channel" : strerror(-r));
}

/* The run's next frame; false, with the answer to give, when the client left or the run ended
 * without one. */
static bool next_frame(Request *req, RunFrame *f, enum MHD_Result *ret_answer)
{
        int r = wait_run(req, -1);

        if (r == 0) {
                *ret_answer = client_gone(req);
                return false;
        }
        if (r > 0)
                r = run_frame_read(req->run_fd, f);
        if (r <= 0) {
                *ret_answer = respond_no_result(req, r);
                return false;
        }
        return true;
}

/* Without streaming: output and events are in the result; wait for it. */
static enum MHD_Result wait_result(Request *req)
{
        for (;;) {
                RunFrame f = {0};
                enum MHD_Result answer;

                if (!next_frame(req, &f, &answer))
                        return answer;
                if (f.type == RUN_FRAME_RESULT) {
                        note_result_status(req, &f);
                        run_proxy_finish(req, NULL);
                        /* The payload is malloc'd: MHD frees it once sent. */
                        return http_respond(req, 200, "application/json", (char *)f.payload, f.len,
                                            NULL, NULL);
                }
                if (f.type == RUN_FRAME_ERROR) {
                        enum MHD_Result ret = respond_frame_error(req, &f);

                        run_frame_done(&f);
                        return ret;
                }
                run_frame_done(&f);
        }
}

/* One frame into the event stream. */
static int stream_frame(Request *req, const RunFrame *f)
{
        const char *p = (const char *)f->payload;
        SseStream *s = &req->sse;
        int r;

        switch (f->type) {
        case RUN_FRAME_STARTED:
                return sse_append_event(s, "started", "{}", 2);
        case RUN_FRAME_STDOUT:
        case RUN_FRAME_STDERR:
                return sse_append_output(s, f->type == RUN_FRAME_STDERR, f->payload, f->len);
        case RUN_FRAME_EVENT:
                return sse_append_event(s, "event", p, f->len);
        case RUN_FRAME_RESULT:
        case RUN_FRAME_ERROR:
                r = sse_flush_output(s);
                if (r < 0)
                        return r;
                if (f->type == RUN_FRAME_RESULT)
                        note_result_status(req, f);
                run_proxy_finish(req, "error");
                req->stream_done = true;
                return sse_append_event(s, f->type == RUN_FRAME_RESULT ? "result" : "error", p,
                                        f->len);
        }
        return 0;
}

/* Blocks until there is something to send: a frame, a keepalive, or the end. */
static int stream_next(Request *req)
{
        RunFrame f = {0};
        int r = wait_run(req, (int)MIN((uint64_t)SSE_KEEPALIVE_MS,
                                       req->fe->config->client_timeout_s * 1000ULL / 2));

        if (r == -ETIMEDOUT)
                return sse_append_comment(&req->sse, "keepalive");
        if (r == 0) {
                run_proxy_finish(req, "cancelled");
                return -ECONNRESET;
        }
        if (r > 0)
                r = run_frame_read(req->run_fd, &f);
        if (r <= 0) {
                static const char text[] = "{\"status\":500,\"code\":\"run_failed\","
                                           "\"message\":\"the run ended without a result\"}";

                run_proxy_finish(req, "error");
                req->stream_done = true;
                return sse_append_event(&req->sse, "error", text, sizeof(text) - 1);
        }
        r = stream_frame(req, &f);
        run_frame_done(&f);
        return r;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
        Request *req = cls;
        size_t n;

        while (!sse_pending(&req->sse)) {
                if (req->stream_done)
                        return MHD_CONTENT_READER_END_OF_STREAM;
                if (stream_next(req) < 0)
                        return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        n = sse_take(&req->sse, buf, max);
        req->bytes += n;
        return (ssize_t)n;
}

static void stream_free(void *cls)
{
        request_unref(cls);
}

/* With streaming: the first frame decides. An ERROR gets a plain error answer with its status;
 * anything else starts the event stream (200) with that frame in it. */
static enum MHD_Result stream_start(Request *req)
{
        struct MHD_Response *resp;
        enum MHD_Result ret;
        RunFrame f = {0};
        int r;

        if (!next_frame(req, &f, &ret))
                return ret;
        if (f.type == RUN_FRAME_ERROR) {
                ret = respond_frame_error(req, &f);
                run_frame_done(&f);
                return ret;
        }
        r = stream_frame(req, &f);
        run_frame_done(&f);
        if (r < 0)
                return MHD_NO;

        resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, SSE_BLOCK_SIZE, stream_read, req,
                                                 stream_free);
        if (!resp)
                return MHD_NO;
        atomic_fetch_add(&req->refs, 1); /* the response's, dropped by stream_free */
        if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream") !=
                MHD_YES ||
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache") != MHD_YES) {
                MHD_destroy_response(resp);
                return MHD_NO;
        }
        ret = MHD_queue_response(req->conn, MHD_HTTP_OK, resp);
        MHD_destroy_response(resp);
        if (ret == MHD_YES) {
                req->status = MHD_HTTP_OK;
                req->answered = true;
        }
        return ret;
}

/* Parses the body into a request, or answers why not. 0, or -1 with the answer in *ret. */
static int parse_body(Request *req, ServeRequest *sreq, enum MHD_Result *ret)
{
        const FrontendArgs *a = req->fe->args;
        RequestJsonContext ctx = {
            .config = a->config, .runtimes = a->runtimes, .n_runtimes = a->n_runtimes};
        ApiError aerr = {0};
        int r;

        r = request_json_parse(req->body ? req->body : "", req->body_len, &ctx, sreq, &aerr);
        free(req->body);
        req->body = NULL;
        req->body_len = req->body_cap = 0;
        if (r == -ENOMEM)
                *ret = http_respond_error(req, 503, "out_of_memory", "Retry-After", "1",
                                          "the server is out of memory");
        else if (r < 0)
                *ret =
                    http_respond_error(req, aerr.status, aerr.code, NULL, NULL, "%s", aerr.message);
        if (r < 0)
                return -1;
        sreq->stream = req->stream;
        snprintf(req->language, sizeof(req->language), "%s",
                 sreq->language ? sreq->language : "command");
        return 0;
}

/* The key's slot, then a sandbox's. 0, or -1 with the answer in *ret. */
static int take_slots(Request *req, enum MHD_Result *ret)
{
        Frontend *fe = req->fe;
        const union MHD_ConnectionInfo *ci;
        double waited;
        int r;

        if (req->key[0]) {
                r = api_keyring_acquire(fe->keyring, req->key);
                if (r == -EBUSY)
                        *ret = http_respond_error(req, 429, "key_busy", "Retry-After", "1",
                                                  "the key %s has its maximum of runs in flight",
                                                  req->key);
                else if (r < 0)
                        *ret = http_respond_error(req, 401, "unauthorized", "WWW-Authenticate",
                                                  "Bearer realm=\"airlock\"",
                                                  "the API key was withdrawn");
                if (r < 0)
                        return -1;
                req->key_held = true;
        }
        ci = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        req->client_fd = ci ? ci->connect_fd : -EBADF;
        r = capacity_acquire(fe->capacity, req->client_fd, &waited);
        if (r == -EAGAIN)
                *ret = http_respond_error(req, 429, "queue_full", "Retry-After", "1",
                                          "every sandbox is busy and the queue is full");
        else if (r == -ECONNRESET)
                *ret = client_gone(req); /* it left while queued */
        else if (r < 0)
                *ret = http_respond_error(req, 503, "unavailable", "Retry-After", "1",
                                          "waiting for a sandbox failed: %s", strerror(-r));
        if (r < 0) {
                run_proxy_finish(req, NULL);
                return -1;
        }
        req->slot_held = true;
        metrics_queue_wait(fe->metrics, waited);
        return 0;
}

enum MHD_Result run_proxy_start(Request *req)
{
        _cleanup_(serve_request_done) ServeRequest sreq;
        Frontend *fe = req->fe;
        enum MHD_Result ret = MHD_NO;
        int r;

        serve_request_init(&sreq);
        if (parse_body(req, &sreq, &ret) < 0 || take_slots(req, &ret) < 0)
                return ret;
        r = launcher_submit(fe->args->ctl_fd, &sreq, &req->run_fd);
        if (r < 0) {
                run_proxy_finish(req, NULL);
                if (r == -EPIPE || r == -ECONNREFUSED || r == -ENOTCONN)
                        atomic_store(&fe->launcher_alive, false);
                return http_respond_error(req, 503, "launcher_unavailable", "Retry-After", "1",
                                          "could not hand the run to the launcher: %s",
                                          strerror(-r));
        }
        req->run_start_ns = now_ns();
        serve_request_done(&sreq);
        serve_request_init(&sreq);
        return req->stream ? stream_start(req) : wait_result(req);
}
