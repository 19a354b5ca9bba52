/* What the front end's files share: the service state (one Frontend) and the state of one HTTP
 * request (one Request per request, owned by its connection's thread). */
#pragma once

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "api-keys.h"
#include "capacity.h"
#include "frontend.h"
#include "metrics.h"
#include "sse.h"

typedef struct Frontend {
        const FrontendArgs *args;
        const ServeConfig *config;
        struct MHD_Daemon *daemons[SERVE_MAX_LISTEN];
        size_t n_daemons;
        ApiKeyring *keyring;
        Capacity *capacity;
        Metrics *metrics;
        atomic_bool draining;
        atomic_bool launcher_alive;
        /* Requests in progress, so that a drain can wait for them. */
        pthread_mutex_t lock;
        pthread_cond_t idle;
        uint64_t in_flight;
} Frontend;

typedef struct Request {
        Frontend *fe;
        struct MHD_Connection *conn;
        atomic_int refs; /* the connection's, and a streaming response's */
        uint64_t start_ns;
        char method[16];
        char path[128];
        char key[API_KEY_NAME_MAX + 1]; /* "" without auth */
        int status;                     /* HTTP status sent; 0: none (connection dropped) */
        uint64_t bytes;                 /* body bytes sent */
        bool answered;                  /* a response is queued: ignore the rest */

        /* POST /v1/runs */
        bool is_run, stream;
        char *body;
        size_t body_len, body_cap;
        bool key_held, slot_held;
        int client_fd; /* for hang-up detection only; MHD owns it */
        int run_fd;    /* closing it cancels the run */
        uint64_t run_start_ns;
        char language[33];   /* metrics label: the runtime id or "command" */
        char run_status[33]; /* the result's status, "error", "cancelled"; "" before a run */
        bool run_counted;    /* in the metrics already */

        /* streaming */
        SseStream sse;
        bool stream_done; /* the last event is in sse's buffer */
} Request;

/* http-routes.c: the MHD access handler and completion callback. */
enum MHD_Result http_routes_handle(void *cls, struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version, const char *upload_data,
                                   size_t *upload_data_size, void **con_cls);
void http_routes_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                           enum MHD_RequestTerminationCode toe);
void request_unref(Request *req);

/* http-response.c */
uint64_t now_ns(void);
enum MHD_Result http_respond(Request *req, int status, const char *content_type, char *body,
                             size_t len, const char *hdr, const char *hdr_value);
enum MHD_Result http_respond_error(Request *req, int status, const char *code, const char *hdr,
                                   const char *hdr_value, const char *fmt, ...) _printf_(6, 7);
void http_access_log(const Request *req);

/* run-proxy.c: POST /v1/runs once its body is in. */
enum MHD_Result run_proxy_start(Request *req);
/* Ends the run if it still goes on (the client left): cancels it, frees its slot, counts it. */
void run_proxy_finish(Request *req, const char *status);
