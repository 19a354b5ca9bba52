/* The request head a program sends the gateway's HTTP proxy, parsed with every length bounded:
 *   CONNECT host:port HTTP/1.x          (TLS: the gateway then relays bytes)
 *   GET http://host[:port]/path HTTP/1.x (plain HTTP: the head is rewritten for the origin)
 * Pure functions on a buffer, no I/O: the gateway reads, these decide. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROXY_HTTP_HEAD_MAX    16384 /* request line and headers, with the blank line */
#define PROXY_HTTP_HEADERS_MAX 100
/* What proxy_http_rewrite() may add to a head: Host and Connection lines, a '/'. */
#define PROXY_HTTP_REWRITE_MAX (PROXY_HTTP_HEAD_MAX + 512)

typedef struct ProxyRequest {
        bool connect;              /* CONNECT; otherwise an absolute-URI request for http:// */
        char host[256];            /* lower case; an IPv6 address without its brackets */
        bool host_ipv6;            /* it was in brackets */
        uint16_t port;             /* CONNECT: required; http://: 80 unless given */
        size_t method_len;         /* the method is buf[0, method_len) */
        size_t path_off, path_len; /* absolute-URI: path and query within buf (may be empty) */
        int minor;                 /* HTTP/1.minor */
        size_t headers_off;        /* the first header line (or the blank line) */
        size_t head_len;           /* through the blank line; what follows is body or TLS */
} ProxyRequest;

/* The length of the head if buf holds all of it, -EAGAIN if more bytes may complete it, or
 * -EMSGSIZE if it does not end within PROXY_HTTP_HEAD_MAX bytes. */
int proxy_http_head_length(const char *buf, size_t len);

/* Parses a complete head. -EAGAIN/-EMSGSIZE as above; -EBADMSG for anything malformed (bad
 * request line, target, version, header syntax, obsolete line folding, NUL or bare CR/LF, more
 * than PROXY_HTTP_HEADERS_MAX headers, userinfo in the URI); -EPROTONOSUPPORT for a scheme other
 * than http:// (https:// goes through CONNECT); -EOPNOTSUPP for a method other than CONNECT,
 * GET, HEAD, POST, PUT, DELETE, OPTIONS and PATCH. ret is written only on success. */
int proxy_http_parse(const char *buf, size_t len, ProxyRequest *ret);

/* The head to send to the origin for an absolute-URI request: the request line in origin-form,
 * Host set to the URI's authority (the client's own Host line is dropped: it could name another
 * host than the one the policy judged), hop-by-hop headers removed (Connection, Keep-Alive,
 * Proxy-Connection, Proxy-Authorization, Proxy-Authenticate, TE, Trailer, Upgrade) and
 * "Connection: close" added, so that the origin answers one request and closes. size should be
 * PROXY_HTTP_REWRITE_MAX; -ENOBUFS if out is too small. */
int proxy_http_rewrite(const char *buf, const ProxyRequest *req, char *out, size_t size,
                       size_t *ret_len);

/* The HTTP status for a parse error (400, 405, 431, 501). */
int proxy_http_error_status(int error);
const char *proxy_http_status_text(int status);

/* A complete response with a short text body: "airlock: <detail>\n", and Connection: close.
 * Returns its length (truncated to fit, always terminated). */
size_t proxy_http_format_response(int status, const char *detail, char *out, size_t size);
