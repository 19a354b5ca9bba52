/* The proxy's request head parser and the head it sends to origins. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/proxy-http.h"

static int parse(const char *s, ProxyRequest *req)
{
        return proxy_http_parse(s, strlen(s), req);
}

Test(proxy_http, connect)
{
        const char *s = "CONNECT Example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n"
                        "User-Agent: x\r\n\r\n\x16\x03\x01";
        ProxyRequest req;

        cr_assert_eq(parse(s, &req), 0);
        cr_assert(req.connect);
        cr_assert_str_eq(req.host, "example.org");
        cr_assert_eq(req.port, 443);
        cr_assert_not(req.host_ipv6);
        cr_assert_eq(req.minor, 1);
        cr_assert_eq(req.head_len, strlen(s) - 3, "the TLS bytes after the head are not in it");
}

Test(proxy_http, connect_ipv6)
{
        ProxyRequest req;

        cr_assert_eq(parse("CONNECT [2001:DB8::1]:8443 HTTP/1.0\r\n\r\n", &req), 0);
        cr_assert_str_eq(req.host, "2001:db8::1");
        cr_assert(req.host_ipv6);
        cr_assert_eq(req.port, 8443);
        cr_assert_eq(req.minor, 0);
        cr_assert_eq(parse("CONNECT [::ffff:1.2.3.4]:1 HTTP/1.1\r\n\r\n", &req), 0);
        cr_assert_str_eq(req.host, "::ffff:1.2.3.4");
}

Test(proxy_http, absolute_uri)
{
        ProxyRequest req;
        const char *s = "GET http://Example.org:8080/a/b?c=d HTTP/1.1\r\nAccept: */*\r\n\r\n";

        cr_assert_eq(parse(s, &req), 0);
        cr_assert_not(req.connect);
        cr_assert_str_eq(req.host, "example.org");
        cr_assert_eq(req.port, 8080);
        cr_assert_eq(req.path_len, strlen("/a/b?c=d"));
        cr_assert_eq(memcmp(s + req.path_off, "/a/b?c=d", req.path_len), 0);
        cr_assert_eq(parse("HEAD HTTP://example.org HTTP/1.1\r\n\r\n", &req), 0);
        cr_assert_eq(req.port, 80);
        cr_assert_eq(req.path_len, 0);
        cr_assert_eq(parse("POST http://[::1]/x HTTP/1.1\r\n\r\n", &req), 0);
        cr_assert_str_eq(req.host, "::1");
        cr_assert(req.host_ipv6);
}

Test(proxy_http, malformed)
{
        const char *bad[] = {
            "\r\n\r\n",
            "GET\r\n\r\n",
            "GET http://a.org/ HTTP/1.1\n\n\r\n\r\n",
            "GET http://a.org/\r\n\r\n",
            "GET http://a.org/ HTTP/2.0\r\n\r\n",
            "GET http://a.org/ HTTP/1.12\r\n\r\n",
            "GET http://a.org/ http/1.1\r\n\r\n",
            "GET  http://a.org/ HTTP/1.1\r\n\r\n",
            "GET http://a.org/  HTTP/1.1\r\n\r\n",
            "GET /path HTTP/1.1\r\nHost: a.org\r\n\r\n",
            "GET http:// HTTP/1.1\r\n\r\n",
            "GET http://:80/ HTTP/1.1\r\n\r\n",
            "GET http://a.org:/ HTTP/1.1\r\n\r\n",
            "GET http://a.org:0/ HTTP/1.1\r\n\r\n",
            "GET http://a.org:65536/ HTTP/1.1\r\n\r\n",
            "GET http://a.org:123456/ HTTP/1.1\r\n\r\n",
            "GET http://user@a.org/ HTTP/1.1\r\n\r\n",
            "GET http://a.org@b.org/ HTTP/1.1\r\n\r\n",
            "GET http://a.org/#frag HTTP/1.1\r\n\r\n",
            "GET http://a%2eorg/ HTTP/1.1\r\n\r\n",
            "GET http://[::1/ HTTP/1.1\r\n\r\n",
            "GET http://[fe80::1%25eth0]/ HTTP/1.1\r\n\r\n",
            "GET http://a.org/\x01 HTTP/1.1\r\n\r\n",
            "GET http://a.org/ HTTP/1.1\r\nNo-Colon\r\n\r\n",
            "GET http://a.org/ HTTP/1.1\r\nSpace : x\r\n\r\n",
            "GET http://a.org/ HTTP/1.1\r\n: empty-name\r\n\r\n",
            "GET http://a.org/ HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
            "GET http://a.org/ HTTP/1.1\r\nA: b\rc\r\n\r\n",
            "GET http://a.org/ HTTP/1.1\r\nA: b\nc\r\n\r\n",
            "GET http://a.org/ HTTP/1.1\r\nA: \x7f\r\n\r\n",
            "CONNECT a.org HTTP/1.1\r\n\r\n",
            "CONNECT a.org: HTTP/1.1\r\n\r\n",
            "CONNECT http://a.org:443 HTTP/1.1\r\n\r\n",
            "CONNECT [::1]x:443 HTTP/1.1\r\n\r\n",
            "CONNECT a.org:443/x HTTP/1.1\r\n\r\n",
            "G(T http://a.org/ HTTP/1.1\r\n\r\n",
        };
        static const char nul[] = "GET http://a.org/ HTTP/1.1\r\nA: \0\r\n\r\n";
        ProxyRequest req;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                cr_assert_eq(parse(bad[i], &req), -EBADMSG, "accepted or misjudged [%zu] '%s'", i,
                             bad[i]);
        cr_assert_eq(proxy_http_parse(nul, sizeof(nul) - 1, &req), -EBADMSG, "a NUL");
        cr_assert_eq(proxy_http_error_status(-EBADMSG), 400);
}

Test(proxy_http, methods_and_schemes)
{
        ProxyRequest req;

        cr_assert_eq(parse("TRACE http://a.org/ HTTP/1.1\r\n\r\n", &req), -EOPNOTSUPP);
        cr_assert_eq(parse("get http://a.org/ HTTP/1.1\r\n\r\n", &req), -EOPNOTSUPP);
        cr_assert_eq(parse("PROPFIND http://a.org/ HTTP/1.1\r\n\r\n", &req), -EOPNOTSUPP);
        cr_assert_eq(proxy_http_error_status(-EOPNOTSUPP), 405);
        cr_assert_eq(parse("GET https://a.org/ HTTP/1.1\r\n\r\n", &req), -EPROTONOSUPPORT);
        cr_assert_eq(parse("GET ftp://a.org/ HTTP/1.1\r\n\r\n", &req), -EPROTONOSUPPORT);
        for (const char *m = "GET\0HEAD\0POST\0PUT\0DELETE\0OPTIONS\0PATCH\0"; *m;
             m += strlen(m) + 1) {
                char s[128];

                snprintf(s, sizeof(s), "%s http://a.org/ HTTP/1.1\r\n\r\n", m);
                cr_assert_eq(parse(s, &req), 0, "%s", m);
        }
}

Test(proxy_http, truncated)
{
        const char *full = "CONNECT a.org:443 HTTP/1.1\r\nHost: a.org\r\n\r\n";
        ProxyRequest req;

        for (size_t n = 0; n < strlen(full); n++) {
                cr_assert_eq(proxy_http_head_length(full, n), -EAGAIN, "%zu bytes", n);
                cr_assert_eq(proxy_http_parse(full, n, &req), -EAGAIN, "%zu bytes", n);
        }
        cr_assert_eq(proxy_http_head_length(full, strlen(full)), (int)strlen(full));
}

Test(proxy_http, oversized)
{
        char *buf = malloc(PROXY_HTTP_HEAD_MAX + 64);
        const char *line = "GET http://a.org/ HTTP/1.1\r\n";
        ProxyRequest req;
        size_t n = strlen(line);

        cr_assert_not_null(buf);
        memcpy(buf, line, n);
        while (n + 12 < PROXY_HTTP_HEAD_MAX + 64) {
                memcpy(buf + n, "X-Pad: 123\r\n", 12);
                n += 12;
        }
        cr_assert_eq(proxy_http_head_length(buf, n), -EMSGSIZE);
        cr_assert_eq(proxy_http_parse(buf, n, &req), -EMSGSIZE);
        cr_assert_eq(proxy_http_error_status(-EMSGSIZE), 431);
        /* A head that ends exactly at the cap is fine, one byte more is not. */
        n = PROXY_HTTP_HEAD_MAX - 4;
        memcpy(buf + n, "\r\n\r\n", 4);
        memcpy(buf + n - 2, "ab", 2); /* no header line ends right before the blank line */
        cr_assert_eq(proxy_http_head_length(buf, PROXY_HTTP_HEAD_MAX), PROXY_HTTP_HEAD_MAX);
        free(buf);
}

Test(proxy_http, too_many_headers)
{
        char buf[4096];
        ProxyRequest req;
        size_t n = (size_t)snprintf(buf, sizeof(buf), "GET http://a.org/ HTTP/1.1\r\n");

        for (int i = 0; i < PROXY_HTTP_HEADERS_MAX; i++)
                n += (size_t)snprintf(buf + n, sizeof(buf) - n, "A: %d\r\n", i);
        memcpy(buf + n, "\r\n", 2);
        cr_assert_eq(proxy_http_parse(buf, n + 2, &req), 0);
        memcpy(buf + n, "B: c\r\n\r\n", 8);
        cr_assert_eq(proxy_http_parse(buf, n + 8, &req), -EBADMSG);
}

Test(proxy_http, rewrite)
{
        const char *s = "POST http://a.org:8080?q=1 HTTP/1.1\r\nHost: evil.org\r\n"
                        "Proxy-Connection: keep-alive\r\nProxy-Authorization: Basic eA==\r\n"
                        "Content-Length: 3\r\nconnection: keep-alive, Upgrade\r\n"
                        "Upgrade: h2c\r\nX-A: b\r\n\r\nabc";
        const char *want = "POST /?q=1 HTTP/1.1\r\nHost: a.org:8080\r\nContent-Length: 3\r\n"
                           "X-A: b\r\nConnection: close\r\n\r\n";
        char out[PROXY_HTTP_REWRITE_MAX];
        ProxyRequest req;
        size_t n;

        cr_assert_eq(parse(s, &req), 0);
        cr_assert_eq(proxy_http_rewrite(s, &req, out, sizeof(out), &n), 0);
        cr_assert_eq(n, strlen(want));
        cr_assert_eq(memcmp(out, want, n), 0, "%.*s", (int)n, out);
        cr_assert_eq(proxy_http_rewrite(s, &req, out, 20, &n), -ENOBUFS);

        s = "GET http://[::1]/p HTTP/1.0\r\n\r\n";
        want = "GET /p HTTP/1.0\r\nHost: [::1]\r\nConnection: close\r\n\r\n";
        cr_assert_eq(parse(s, &req), 0);
        cr_assert_eq(proxy_http_rewrite(s, &req, out, sizeof(out), &n), 0);
        cr_assert_eq(memcmp(out, want, n), 0, "%.*s", (int)n, out);

        s = "CONNECT a.org:443 HTTP/1.1\r\n\r\n";
        cr_assert_eq(parse(s, &req), 0);
        cr_assert_eq(proxy_http_rewrite(s, &req, out, sizeof(out), &n), -EINVAL);
}

Test(proxy_http, responses)
{
        char buf[512];
        size_t n = proxy_http_format_response(403, "host not allowed", buf, sizeof(buf));
        const char *want = "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n"
                           "Content-Length: 26\r\nConnection: close\r\n\r\n"
                           "airlock: host not allowed\n";

        cr_assert_eq(n, strlen(want));
        cr_assert_str_eq(buf, want);
        n = proxy_http_format_response(503, "x", buf, 10);
        cr_assert_eq(n, 9);
        cr_assert_eq(buf[9], '\0');
}
