/* Answers and the access log: every error has the one shape {"error": {"code", "message"}}. */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "api/api-error.h"
#include "basic/utf8.h"
#include "frontend-internal.h"

#define _cleanup_json_ _cleanup_(json_decrefp)

uint64_t now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Takes body (malloc'd) in every case. */
enum MHD_Result http_respond(Request *req, int status, const char *content_type, char *body,
                             size_t len, const char *hdr, const char *hdr_value)
{
        struct MHD_Response *resp;
        enum MHD_Result ret;

        resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
                free(body);
                return MHD_NO;
        }
        if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type) != MHD_YES ||
            (hdr && MHD_add_response_header(resp, hdr, hdr_value) != MHD_YES)) {
                MHD_destroy_response(resp);
                return MHD_NO;
        }
        ret = MHD_queue_response(req->conn, (unsigned)status, resp);
        MHD_destroy_response(resp);
        if (ret == MHD_YES) {
                req->status = status;
                req->bytes = len;
                req->answered = true;
        }
        return ret;
}

enum MHD_Result http_respond_error(Request *req, int status, const char *code, const char *hdr,
                                   const char *hdr_value, const char *fmt, ...)
{
        _cleanup_json_ json_t *o = NULL;
        _cleanup_free_ char *clean = NULL;
        char message[512];
        size_t clean_len;
        char *body;
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(message, sizeof(message), fmt, ap);
        va_end(ap);
        /* Quoted client text is made printable where it is quoted; this is the backstop that
         * keeps the JSON valid whatever a message holds (a cut multi-byte character). */
        if (utf8_make_valid(message, strlen(message), &clean, &clean_len) < 0)
                return MHD_NO;
        o = json_pack("{s:{s:s,s:s%}}", "error", "code", code, "message", clean, clean_len);
        body = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (!body)
                return MHD_NO;
        metrics_rejected(req->fe->metrics, code);
        return http_respond(req, status, "application/json", body, strlen(body), hdr, hdr_value);
}

static void remote_address(const Request *req, char *buf, size_t size)
{
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        const struct sockaddr *sa = ci ? ci->client_addr : NULL;
        char host[INET6_ADDRSTRLEN] = "";

        if (!sa || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)) {
                snprintf(buf, size, "unix");
                return;
        }
        if (sa->sa_family == AF_INET) {
                const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

                inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
                snprintf(buf, size, "%s:%u", host, ntohs(in->sin_port));
        } else {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

                inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
                snprintf(buf, size, "[%s]:%u", host, ntohs(in6->sin6_port));
        }
}

static json_t *string_or_null(const char *s)
{
        return s && *s ? json_string(s) : json_null();
}

/* One JSON line per request. The line goes out in one write() so that lines from concurrent
 * requests never interleave (the launcher opened the log with O_APPEND). A log that cannot be
 * written is not a reason to fail the request. */
void http_access_log(const Request *req)
{
        _cleanup_json_ json_t *o = NULL;
        _cleanup_free_ char *line = NULL;
        char remote[80], path[sizeof(req->path) + 4], method[sizeof(req->method) + 4], when[40];
        struct timespec ts;
        struct tm tm;
        size_t len;
        int fd = req->fe->args->access_log_fd;

        if (fd < 0)
                return;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03dZ",
                 (int)(ts.tv_nsec / 1000000));
        remote_address(req, remote, sizeof(remote));
        api_quote(req->path, strlen(req->path), path, sizeof(req->path) - 1);
        api_quote(req->method, strlen(req->method), method, sizeof(req->method) - 1);
        o = json_pack("{s:s,s:s,s:s,s:s,s:i,s:I,s:f,s:o,s:o}", "time", when, "remote", remote,
                      "method", method, "path", path, "status", req->status, "bytes",
                      (json_int_t)req->bytes, "duration_ms",
                      (double)(now_ns() - req->start_ns) / 1e6, "key", string_or_null(req->key),
                      "run_status", string_or_null(req->run_status));
        line = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
        if (!line)
                return;
        len = strlen(line);
        line[len] = '\n'; /* json_dumps's NUL becomes the newline */
        (void)!write(fd, line, len + 1);
}
