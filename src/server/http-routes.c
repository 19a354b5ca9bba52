/* The routes: which handler a method and path get, and what every request goes through first
 * (auth, media type, body size). MHD calls http_routes_handle() on the connection's own thread
 * several times per request: once with the headers, once per piece of body, once at the end. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "basic/parse.h"
#include "frontend-internal.h"

#define _cleanup_json_ _cleanup_(json_decrefp)

#define RUN_BODY_PREALLOC (1024 * 1024)

static Request *request_new(Frontend *fe, struct MHD_Connection *conn, const char *method,
                            const char *url)
{
        Request *req = calloc(1, sizeof(Request));

        if (!req)
                return NULL;
        req->fe = fe;
        req->conn = conn;
        atomic_init(&req->refs, 1);
        req->start_ns = now_ns();
        req->client_fd = -EBADF;
        req->run_fd = -EBADF;
        snprintf(req->method, sizeof(req->method), "%s", method);
        snprintf(req->path, sizeof(req->path), "%s", url);
        pthread_mutex_lock(&fe->lock);
        fe->in_flight++;
        pthread_mutex_unlock(&fe->lock);
        return req;
}

void request_unref(Request *req)
{
        Frontend *fe;

        if (!req || atomic_fetch_sub(&req->refs, 1) != 1)
                return;
        fe = req->fe;
        run_proxy_finish(req, "cancelled");
        http_access_log(req);
        sse_stream_done(&req->sse);
        free(req->body);
        free(req);
        pthread_mutex_lock(&fe->lock);
        if (--fe->in_flight == 0)
                pthread_cond_broadcast(&fe->idle);
        pthread_mutex_unlock(&fe->lock);
}

void http_routes_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                           enum MHD_RequestTerminationCode toe)
{
        request_unref(*con_cls);
        *con_cls = NULL;
}

static enum MHD_Result respond_json(Request *req, int status, json_t *o)
{
        char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;

        json_decref(o);
        if (!body)
                return MHD_NO;
        return http_respond(req, status, "application/json", body, strlen(body), NULL, NULL);
}

static enum MHD_Result on_healthz(Request *req)
{
        return respond_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

/* Ready: accepting new runs, and the launcher is there to make them. */
static enum MHD_Result on_readyz(Request *req)
{
        Frontend *fe = req->fe;

        if (atomic_load(&fe->draining))
                return http_respond_error(req, 503, "draining", "Retry-After", "5",
                                          "the service is shutting down");
        if (!atomic_load(&fe->launcher_alive))
                return http_respond_error(req, 503, "launcher_gone", "Retry-After", "5",
                                          "the launcher is not answering");
        return respond_json(req, 200, json_pack("{s:s}", "status", "ready"));
}

static enum MHD_Result on_metrics(Request *req)
{
        uint64_t active, queued;
        char *text;
        size_t len;

        capacity_stats(req->fe->capacity, &active, &queued);
        if (metrics_render(req->fe->metrics, active, queued, &text, &len) < 0)
                return MHD_NO;
        return http_respond(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, len, NULL,
                            NULL);
}

static json_t *argv_json(const char *const *argv)
{
        json_t *a;

        if (!argv)
                return json_null();
        a = json_array();
        for (size_t i = 0; a && argv[i]; i++)
                if (json_array_append_new(a, json_string(argv[i])) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

static enum MHD_Result on_runtimes(Request *req)
{
        const FrontendArgs *a = req->fe->args;
        _cleanup_json_ json_t *list = json_array();

        for (size_t i = 0; list && i < a->n_runtimes; i++) {
                const RuntimeInfo *ri = &a->runtimes[i];
                const Runtime *rt = ri->runtime;
                json_t *o;

                if (!rt)
                        continue;
                o = json_pack("{s:s,s:s?,s:o,s:b,s:s?,s:o,s:o}", "id", rt->id, "name", rt->name,
                              "version", ri->available ? json_string(ri->version) : json_null(),
                              "available", ri->available, "file", rt->file, "compile",
                              argv_json(rt->compile), "run", argv_json(rt->run));
                if (!o || json_array_append_new(list, o) < 0)
                        return MHD_NO;
        }
        return respond_json(req, 200, json_pack("{s:O}", "runtimes", list));
}

/* With keys: "Authorization: Bearer SECRET" must name one. Fills req->key. */
static enum MHD_Result check_auth(Request *req, bool *ret_ok)
{
        const char *h =
            MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
        ApiKeyring *kr = req->fe->keyring;

        *ret_ok = false;
        if (!api_keyring_enabled(kr)) {
                *ret_ok = true;
                return MHD_YES;
        }
        if (!h || strncasecmp(h, "Bearer ", 7) != 0)
                return http_respond_error(req, 401, "unauthorized", "WWW-Authenticate",
                                          "Bearer realm=\"airlock\"",
                                          "an API key is required: Authorization: Bearer KEY");
        h += 7;
        h += strspn(h, " ");
        if (api_keyring_check(kr, h, strlen(h), req->key) < 0)
                return http_respond_error(req, 401, "unauthorized", "WWW-Authenticate",
                                          "Bearer realm=\"airlock\", error=\"invalid_token\"",
                                          "the API key is not valid");
        *ret_ok = true;
        return MHD_YES;
}

/* "application/json", optionally with parameters ("; charset=utf-8"). */
static bool is_json_type(const char *ct)
{
        size_t n = strlen("application/json");

        return ct && strncasecmp(ct, "application/json", n) == 0 &&
               (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* What POST /v1/runs checks before reading a byte of body. */
static enum MHD_Result start_run(Request *req)
{
        const ServeConfig *c = req->fe->config;
        const char *ct, *cl, *accept;
        enum MHD_Result ret;
        uint64_t length;
        bool ok;

        if (atomic_load(&req->fe->draining))
                return http_respond_error(req, 503, "draining", "Retry-After", "5",
                                          "the service is shutting down: no new runs");
        ret = check_auth(req, &ok);
        if (!ok)
                return ret;
        ct = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        if (!is_json_type(ct))
                return http_respond_error(req, 415, "unsupported_media_type", NULL, NULL,
                                          "Content-Type must be application/json");
        cl =
            MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        /* Refused before the body is read, when the client says how long it is. */
        if (cl && parse_uint64(cl, &length) >= 0 && length > c->max_body_bytes)
                return http_respond_error(req, 413, "body_too_large", NULL, NULL,
                                          "the body is %llu bytes, over the limit of %llu",
                                          (unsigned long long)length,
                                          (unsigned long long)c->max_body_bytes);
        accept = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
        req->stream = accept && strstr(accept, "text/event-stream");
        req->is_run = true;
        /* Room for what the client announced, up to a point: an announcement costs the
         * client nothing, memory only grows with bytes that actually arrive. */
        if (cl && parse_uint64(cl, &length) >= 0 && length > 0) {
                req->body_cap = (size_t)MIN(length + 1, (uint64_t)RUN_BODY_PREALLOC);
                req->body = malloc(req->body_cap);
                if (!req->body)
                        return MHD_NO;
        }
        return MHD_YES;
}

typedef struct Route {
        const char *path;
        const char *method; /* and HEAD with GET */
        bool auth;
        enum MHD_Result (*handle)(Request *req);
} Route;

static const Route routes[] = {
    {"/v1/runs", "POST", true, start_run},  {"/v1/runtimes", "GET", true, on_runtimes},
    {"/healthz", "GET", false, on_healthz}, {"/readyz", "GET", false, on_readyz},
    {"/metrics", "GET", false, on_metrics},
};

static enum MHD_Result route(Request *req, const char *url, const char *method)
{
        for (size_t i = 0; i < ELEMENTSOF(routes); i++) {
                const Route *r = &routes[i];
                bool get = strcmp(r->method, "GET") == 0;
                enum MHD_Result ret;
                bool ok;

                if (strcmp(url, r->path) != 0)
                        continue;
                if (strcmp(method, r->method) != 0 && !(get && strcmp(method, "HEAD") == 0))
                        return http_respond_error(
                            req, 405, "method_not_allowed", "Allow", get ? "GET, HEAD" : r->method,
                            "%s takes %s, not %s", r->path, get ? "GET" : r->method, req->method);
                if (r->handle == start_run) /* a POST reaches it before the body */
                        return http_respond_error(req, 500, "internal", NULL, NULL, "unreachable");
                if (r->auth) {
                        ret = check_auth(req, &ok);
                        if (!ok)
                                return ret;
                }
                return r->handle(req);
        }
        return http_respond_error(req, 404, "not_found", NULL, NULL, "no such route: %s %s",
                                  req->method, req->path);
}

/* Appends a piece of body; past the cap, answers 413 and reads no further. */
static enum MHD_Result take_body(Request *req, const char *data, size_t *size)
{
        uint64_t max = req->fe->config->max_body_bytes;
        size_t n = *size;

        *size = 0;
        /* Only runs take a body: anything else sent along is dropped unread into memory. */
        if (req->answered || !req->is_run)
                return MHD_YES;
        if (n > max - MIN(req->body_len, max)) {
                free(req->body);
                req->body = NULL;
                req->body_len = req->body_cap = 0;
                /* A chunked upload has no length to check up front. If MHD will not answer in
                 * the middle of a body, dropping the connection still stops the upload. */
                if (http_respond_error(req, 413, "body_too_large", NULL, NULL,
                                       "the body is over the limit of %llu bytes",
                                       (unsigned long long)max) == MHD_YES)
                        return MHD_YES;
                req->status = 413; /* for the access log: the answer is the closed connection */
                return MHD_NO;
        }
        if (req->body_len + n + 1 > req->body_cap) {
                size_t cap = MAX(req->body_cap * 2, req->body_len + n + 1);
                char *grown;

                cap = MIN(cap, (size_t)max + 1);
                grown = realloc(req->body, cap);
                if (!grown)
                        return MHD_NO;
                req->body = grown;
                req->body_cap = cap;
        }
        memcpy(req->body + req->body_len, data, n);
        req->body_len += n;
        return MHD_YES;
}

enum MHD_Result http_routes_handle(void *cls, struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version, const char *upload_data,
                                   size_t *upload_data_size, void **con_cls)
{
        Request *req = *con_cls;

        if (!req) {
                req = request_new(cls, conn, method, url);
                if (!req)
                        return MHD_NO;
                *con_cls = req;
                /* Only a run's checks come before the body (so that a refused upload is not
                 * read); the rest answer once the request is complete, which keeps the
                 * connection open for the next request. */
                if (strcmp(url, "/v1/runs") == 0 && strcmp(method, "POST") == 0)
                        return start_run(req);
                return MHD_YES;
        }
        if (*upload_data_size > 0)
                return take_body(req, upload_data, upload_data_size);
        if (req->answered)
                return MHD_YES;
        if (!req->is_run)
                return route(req, url, method);
        return run_proxy_start(req);
}
