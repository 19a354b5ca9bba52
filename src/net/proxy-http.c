/* Bounded parsing of a proxy request head. Strict on purpose: the program on the other side is
 * hostile, and anything a lenient parser would guess at (bare LF, folded headers, spaces before
 * the colon) is where request smuggling starts. The head is never forwarded as received: an
 * absolute-URI request is rebuilt line by line from what was parsed. */
#include "proxy-http.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "basic/macros.h"

/* Everything else is 405: TRACE and methods of WebDAV and friends have no use here. */
static const char *const methods[] = {
    "CONNECT", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
};

/* Hop-by-hop (RFC 9110 7.6.1) or the proxy's own: never sent to the origin. Host is replaced. */
static const char *const dropped_headers[] = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "proxy-authenticate",
    "te",
    "trailer",
    "upgrade",
    "host",
};

int proxy_http_head_length(const char *buf, size_t len)
{
        size_t n = MIN(len, (size_t)PROXY_HTTP_HEAD_MAX);

        for (size_t i = 3; i < n; i++)
                if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' &&
                    buf[i - 3] == '\r')
                        return (int)(i + 1);
        return len >= PROXY_HTTP_HEAD_MAX ? -EMSGSIZE : -EAGAIN;
}

/* RFC 9110 tchar. */
static bool is_tchar(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_host_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == '_';
}

/* host[:port] or [v6][:port], the whole of s[0, len). A missing port is left as 0. */
static int parse_authority(const char *s, size_t len, ProxyRequest *req)
{
        size_t i = 0, h0, h1;
        uint32_t port = 0;

        if (len > 0 && s[0] == '[') {
                h0 = i = 1;
                while (i < len && (s[i] == ':' || s[i] == '.' || (s[i] >= '0' && s[i] <= '9') ||
                                   (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
                        i++;
                if (i >= len || s[i] != ']')
                        return -EBADMSG;
                h1 = i++;
                req->host_ipv6 = true;
        } else {
                h0 = 0;
                while (i < len && is_host_char(s[i]))
                        i++;
                h1 = i;
                req->host_ipv6 = false;
        }
        if (h1 == h0 || h1 - h0 >= sizeof(req->host))
                return -EBADMSG;
        if (i < len) {
                size_t digits = 0;

                if (s[i++] != ':')
                        return -EBADMSG;
                for (; i < len; i++, digits++) {
                        if (s[i] < '0' || s[i] > '9' || digits >= 5)
                                return -EBADMSG;
                        port = port * 10 + (uint32_t)(s[i] - '0');
                }
                if (digits == 0 || port == 0 || port > 65535)
                        return -EBADMSG;
        }
        for (size_t k = h0; k < h1; k++)
                req->host[k - h0] = (s[k] >= 'A' && s[k] <= 'Z') ? (char)(s[k] + 32) : s[k];
        req->host[h1 - h0] = '\0';
        req->port = (uint16_t)port;
        return 0;
}

/* The request target of a non-CONNECT request: http://authority[/path][?query]. */
static int parse_absolute_uri(const char *buf, size_t off, size_t len, ProxyRequest *req)
{
        const char *s = buf + off;
        size_t a = 0, end;
        int r;

        if (len >= 8 && strncasecmp(s, "https://", 8) == 0)
                return -EPROTONOSUPPORT;
        if (len < 7 || strncasecmp(s, "http://", 7) != 0) {
                /* origin-form ("/path") or another scheme: a proxy needs the host. */
                return memchr(s, ':', len) && s[0] != '/' ? -EPROTONOSUPPORT : -EBADMSG;
        }
        a = 7;
        for (end = a; end < len && s[end] != '/' && s[end] != '?'; end++)
                if (s[end] == '@') /* userinfo: "http://allowed@elsewhere/" confuses people */
                        return -EBADMSG;
        r = parse_authority(s + a, end - a, req);
        if (r < 0)
                return r;
        if (req->port == 0)
                req->port = 80;
        for (size_t i = end; i < len; i++)
                if (s[i] == '#') /* fragments are not sent */
                        return -EBADMSG;
        req->path_off = off + end;
        req->path_len = len - end;
        return 0;
}

/* One header line buf[from, to) without its CRLF: name ":" value. */
static int check_header(const char *buf, size_t from, size_t to)
{
        size_t i = from;

        while (i < to && is_tchar(buf[i]))
                i++;
        /* No name, or whitespace before the colon (RFC 9112 5.1: reject it). */
        if (i == from || i >= to || buf[i] != ':')
                return -EBADMSG;
        for (i++; i < to; i++) {
                unsigned char c = (unsigned char)buf[i];

                if ((c < 0x20 && c != '\t') || c == 0x7f)
                        return -EBADMSG;
        }
        return 0;
}

/* Checks every header line between headers_off and the blank line. */
static int check_headers(const char *buf, size_t off, size_t head_len)
{
        size_t n = 0, end = head_len - 2; /* the blank line's CRLF */

        while (off < end) {
                const char *crlf = memmem(buf + off, end - off + 2, "\r\n", 2);
                size_t eol;
                int r;

                if (!crlf)
                        return -EBADMSG;
                eol = (size_t)(crlf - buf);
                if (++n > PROXY_HTTP_HEADERS_MAX)
                        return -EBADMSG;
                /* A line that starts with whitespace is obsolete folding: rejected. */
                r = check_header(buf, off, eol);
                if (r < 0)
                        return r;
                off = eol + 2;
        }
        return 0;
}

static int parse_method(const char *buf, size_t len, size_t *ret_len, bool *ret_connect)
{
        size_t i = 0;

        while (i < len && is_tchar(buf[i]))
                i++;
        if (i == 0 || i >= len || buf[i] != ' ')
                return -EBADMSG;
        for (size_t k = 0; k < ELEMENTSOF(methods); k++)
                if (strlen(methods[k]) == i && memcmp(buf, methods[k], i) == 0) {
                        *ret_len = i;
                        *ret_connect = k == 0;
                        return 0;
                }
        return -EOPNOTSUPP;
}

int proxy_http_parse(const char *buf, size_t len, ProxyRequest *ret)
{
        ProxyRequest req = {0};
        size_t line_end, t0, t1;
        const char *crlf;
        int head_len, r;

        head_len = proxy_http_head_length(buf, len);
        if (head_len < 0)
                return head_len;
        /* NUL, and CR or LF anywhere but in CRLF pairs, are malformed. */
        for (int i = 0; i < head_len; i++) {
                if (buf[i] == '\0')
                        return -EBADMSG;
                if (buf[i] == '\r' && (i + 1 >= head_len || buf[i + 1] != '\n'))
                        return -EBADMSG;
                if (buf[i] == '\n' && (i == 0 || buf[i - 1] != '\r'))
                        return -EBADMSG;
        }
        crlf = memmem(buf, (size_t)head_len, "\r\n", 2);
        line_end = (size_t)(crlf - buf); /* found: the head ends in CRLFCRLF */

        r = parse_method(buf, line_end, &req.method_len, &req.connect);
        if (r < 0)
                return r;
        t0 = req.method_len + 1;
        for (t1 = t0; t1 < line_end && buf[t1] != ' '; t1++) {
                unsigned char c = (unsigned char)buf[t1];

                if (c <= 0x20 || c >= 0x7f)
                        return -EBADMSG;
        }
        if (t1 == t0 || t1 >= line_end)
                return -EBADMSG;
        if (line_end - t1 != 9 || memcmp(buf + t1, " HTTP/1.", 8) != 0 ||
            (buf[t1 + 8] != '0' && buf[t1 + 8] != '1'))
                return -EBADMSG;
        req.minor = buf[t1 + 8] - '0';

        if (req.connect) {
                r = parse_authority(buf + t0, t1 - t0, &req);
                if (r < 0)
                        return r;
                if (req.port == 0) /* authority-form needs the port */
                        return -EBADMSG;
        } else {
                r = parse_absolute_uri(buf, t0, t1 - t0, &req);
                if (r < 0)
                        return r;
        }

        req.headers_off = line_end + 2;
        req.head_len = (size_t)head_len;
        r = check_headers(buf, req.headers_off, req.head_len);
        if (r < 0)
                return r;
        *ret = req;
        return 0;
}

static bool header_dropped(const char *line, size_t len)
{
        const char *colon = memchr(line, ':', len);
        size_t n = colon ? (size_t)(colon - line) : len;

        for (size_t i = 0; i < ELEMENTSOF(dropped_headers); i++)
                if (strlen(dropped_headers[i]) == n &&
                    strncasecmp(line, dropped_headers[i], n) == 0)
                        return true;
        return false;
}

/* Appends s[0, n) to out, or fails without writing past size. */
static int put(char *out, size_t size, size_t *pos, const char *s, size_t n)
{
        if (n > size - *pos)
                return -ENOBUFS;
        memcpy(out + *pos, s, n);
        *pos += n;
        return 0;
}

int proxy_http_rewrite(const char *buf, const ProxyRequest *req, char *out, size_t size,
                       size_t *ret_len)
{
        char line[sizeof(req->host) + 32];
        size_t pos = 0, off = req->headers_off, end = req->head_len - 2;
        bool slash = req->path_len == 0 || buf[req->path_off] == '?';
        int n, r = 0;

        if (req->connect)
                return -EINVAL;
        r |= put(out, size, &pos, buf, req->method_len);
        r |= put(out, size, &pos, slash ? " /" : " ", slash ? 2 : 1);
        r |= put(out, size, &pos, buf + req->path_off, req->path_len);
        n = snprintf(line, sizeof(line), " HTTP/1.%d\r\nHost: %s%s%s", req->minor,
                     req->host_ipv6 ? "[" : "", req->host, req->host_ipv6 ? "]" : "");
        r |= put(out, size, &pos, line, (size_t)n);
        if (req->port != 80) {
                n = snprintf(line, sizeof(line), ":%u", (unsigned)req->port);
                r |= put(out, size, &pos, line, (size_t)n);
        }
        r |= put(out, size, &pos, "\r\n", 2);
        while (off < end) {
                const char *crlf = memmem(buf + off, end - off + 2, "\r\n", 2);
                size_t eol = crlf ? (size_t)(crlf - buf) : end;

                if (!header_dropped(buf + off, eol - off))
                        r |= put(out, size, &pos, buf + off, eol - off + 2);
                off = eol + 2;
        }
        r |= put(out, size, &pos, "Connection: close\r\n\r\n", 21);
        if (r < 0)
                return -ENOBUFS;
        *ret_len = pos;
        return 0;
}

int proxy_http_error_status(int error)
{
        switch (error) {
        case -EOPNOTSUPP:
                return 405;
        case -EMSGSIZE:
                return 431;
        case -EPROTONOSUPPORT:
                return 501;
        default:
                return 400;
        }
}

const char *proxy_http_status_text(int status)
{
        switch (status) {
        case 200:
                return "Connection established";
        case 400:
                return "Bad Request";
        case 403:
                return "Forbidden";
        case 405:
                return "Method Not Allowed";
        case 408:
                return "Request Timeout";
        case 431:
                return "Request Header Fields Too Large";
        case 501:
                return "Not Implemented";
        case 502:
                return "Bad Gateway";
        case 503:
                return "Service Unavailable";
        case 504:
                return "Gateway Timeout";
        }
        return "Error";
}

size_t proxy_http_format_response(int status, const char *detail, char *out, size_t size)
{
        char body[320];
        int nb, n;

        if (size == 0)
                return 0;
        nb = snprintf(body, sizeof(body), "airlock: %s\n", detail ? detail : "");
        if (nb < 0)
                nb = 0;
        if ((size_t)nb >= sizeof(body))
                nb = (int)sizeof(body) - 1;
        n = snprintf(out, size,
                     "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                     "Connection: close\r\n\r\n%.*s",
                     status, proxy_http_status_text(status), nb, nb, body);
        if (n < 0)
                return 0;
        return (size_t)n >= size ? size - 1 : (size_t)n;
}
