/* The proxy's request head parser reads what hostile programs send. Input: the bytes a client
 * sends on a fresh connection. Beyond "no crash, no read past the buffer": what it accepts is
 * within bounds, and the head it builds for the origin is a single well-formed head. */
#include <errno.h>

#include "fuzz-util.h"
#include "net/gateway.h"
#include "net/proxy-http.h"

static char out[PROXY_HTTP_REWRITE_MAX];

/* The rewritten head: CRLF line endings only, one blank line at its very end. */
static void check_rewritten(const char *s, size_t n)
{
        FUZZ_ASSERT(n >= 4 && memcmp(s + n - 4, "\r\n\r\n", 4) == 0);
        FUZZ_ASSERT(proxy_http_head_length(s, n) == (int)n);
        for (size_t i = 0; i < n; i++) {
                FUZZ_ASSERT(s[i] != '\0');
                if (s[i] == '\n')
                        FUZZ_ASSERT(i > 0 && s[i - 1] == '\r');
        }
        FUZZ_ASSERT(memmem(s, n, "\r\nConnection: close\r\n\r\n", 23) == s + n - 23);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *buf = (const char *)data;
        ProxyRequest req;
        char norm[256];
        size_t n;
        int r, len;

        len = proxy_http_head_length(buf, size);
        r = proxy_http_parse(buf, size, &req);
        FUZZ_ASSERT(len != -EAGAIN || r == -EAGAIN);
        FUZZ_ASSERT(len != -EMSGSIZE || r == -EMSGSIZE);
        if (r < 0) {
                int status = proxy_http_error_status(r);

                FUZZ_ASSERT(r == -EAGAIN || r == -EMSGSIZE || r == -EBADMSG || r == -EOPNOTSUPP ||
                            r == -EPROTONOSUPPORT);
                n = proxy_http_format_response(status, "fuzz", out, sizeof(out));
                FUZZ_ASSERT(n > 0 && n < sizeof(out));
                return 0;
        }
        FUZZ_ASSERT(len > 0 && (size_t)len == req.head_len);
        FUZZ_ASSERT(req.head_len <= size && req.head_len <= PROXY_HTTP_HEAD_MAX);
        FUZZ_ASSERT(req.host[0] && strlen(req.host) < sizeof(req.host));
        FUZZ_ASSERT(req.port != 0);
        FUZZ_ASSERT(req.minor == 0 || req.minor == 1);
        FUZZ_ASSERT(req.method_len > 0 && req.method_len < req.head_len);
        FUZZ_ASSERT(req.headers_off <= req.head_len - 2);
        /* Whatever the parser let through, the policy must be able to judge. */
        if (net_host_normalize(req.host, norm, sizeof(norm)) == 0)
                FUZZ_ASSERT(strlen(norm) <= 253 || strchr(norm, ':'));
        if (req.connect) {
                FUZZ_ASSERT(proxy_http_rewrite(buf, &req, out, sizeof(out), &n) == -EINVAL);
                return 0;
        }
        FUZZ_ASSERT(req.path_off + req.path_len <= req.head_len);
        FUZZ_ASSERT(proxy_http_rewrite(buf, &req, out, sizeof(out), &n) == 0);
        FUZZ_ASSERT(n <= sizeof(out));
        check_rewritten(out, n);
        return 0;
}
