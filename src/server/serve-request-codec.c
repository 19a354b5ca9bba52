/* ServeRequest <-> bytes. The decoder runs in the privileged launcher on bytes from the front
 * end, which parses network input and is assumed compromised: every length is checked against
 * what is left and against the caps, and nothing is trusted to be NUL-terminated. */
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"
#include "serve-request.h"

#define MAGIC   0x51524c41U /* "ALRQ" */
#define VERSION 1U

typedef enum Tag {
        TAG_ARGV = 1,
        TAG_LANGUAGE = 2,
        TAG_CODE = 3,
        TAG_FILE = 4, /* [u8 executable][u32 path length][path][data] */
        TAG_STDIN = 5,
        TAG_ENV = 6,
        TAG_COLLECT = 7,
        TAG_ALLOW_NET = 8,
        TAG_LIMIT = 9, /* [u32 ServeLimitBit index][u64 value] */
        TAG_STREAM = 10,
} Tag;

/* Limit bit index -> the field it sets. */
static uint64_t get_limit(const AirlockLimits *l, unsigned bit)
{
        switch (1u << bit) {
        case SERVE_LIMIT_MEMORY:
                return l->memory_bytes;
        case SERVE_LIMIT_WALL:
                return l->wall_ms;
        case SERVE_LIMIT_CPU:
                return l->cpu_ms;
        case SERVE_LIMIT_PIDS:
                return l->pids;
        case SERVE_LIMIT_CPUS:
                return l->cpu_milli;
        case SERVE_LIMIT_STDOUT:
                return l->stdout_bytes;
        case SERVE_LIMIT_STDERR:
                return l->stderr_bytes;
        case SERVE_LIMIT_SCRATCH:
                return l->scratch_bytes;
        case SERVE_LIMIT_TMP:
                return l->tmp_bytes;
        case SERVE_LIMIT_NOFILE:
                return l->nofile;
        case SERVE_LIMIT_FSIZE:
                return l->fsize_bytes;
        case SERVE_LIMIT_NET_CONNS:
                return l->net_conns;
        case SERVE_LIMIT_NET_BYTES:
                return l->net_bytes;
        }
        return 0;
}

/* 32-bit fields refuse values that do not fit rather than wrapping. */
static int set_limit(AirlockLimits *l, unsigned bit, uint64_t v)
{
        bool narrow = false;

        switch (1u << bit) {
        case SERVE_LIMIT_MEMORY:
                l->memory_bytes = v;
                break;
        case SERVE_LIMIT_WALL:
                l->wall_ms = v;
                break;
        case SERVE_LIMIT_CPU:
                l->cpu_ms = v;
                break;
        case SERVE_LIMIT_PIDS:
                l->pids = (uint32_t)v;
                narrow = true;
                break;
        case SERVE_LIMIT_CPUS:
                l->cpu_milli = (uint32_t)v;
                narrow = true;
                break;
        case SERVE_LIMIT_STDOUT:
                l->stdout_bytes = v;
                break;
        case SERVE_LIMIT_STDERR:
                l->stderr_bytes = v;
                break;
        case SERVE_LIMIT_SCRATCH:
                l->scratch_bytes = v;
                break;
        case SERVE_LIMIT_TMP:
                l->tmp_bytes = v;
                break;
        case SERVE_LIMIT_NOFILE:
                l->nofile = (uint32_t)v;
                narrow = true;
                break;
        case SERVE_LIMIT_FSIZE:
                l->fsize_bytes = v;
                break;
        case SERVE_LIMIT_NET_CONNS:
                l->net_conns = (uint32_t)v;
                narrow = true;
                break;
        case SERVE_LIMIT_NET_BYTES:
                l->net_bytes = v;
                break;
        default:
                return -EINVAL;
        }
        return narrow && v > UINT32_MAX ? -ERANGE : 0;
}

#define N_LIMIT_BITS 13U

typedef struct Writer {
        uint8_t *buf;
        size_t len, cap;
        int error;
} Writer;

static void put(Writer *w, const void *p, size_t n)
{
        if (w->error)
                return;
        if (w->len + n > SERVE_MAX_REQUEST_BYTES) {
                w->error = -E2BIG;
                return;
        }
        if (w->len + n > w->cap) {
                size_t cap = MAX(w->cap * 2, w->len + n + 4096);
                uint8_t *b = realloc(w->buf, cap);

                if (!b) {
                        w->error = -ENOMEM;
                        return;
                }
                w->buf = b;
                w->cap = cap;
        }
        if (n)
                memcpy(w->buf + w->len, p, n);
        w->len += n;
}

static void put_u8(Writer *w, uint8_t v)
{
        put(w, &v, 1);
}

static void put_u32(Writer *w, uint32_t v)
{
        uint8_t b[4] = {v, v >> 8, v >> 16, v >> 24};

        put(w, b, 4);
}

static void put_u64(Writer *w, uint64_t v)
{
        put_u32(w, (uint32_t)v);
        put_u32(w, (uint32_t)(v >> 32));
}

static void put_head(Writer *w, Tag tag, size_t len)
{
        uint8_t b[2] = {tag, tag >> 8};

        if (len > UINT32_MAX) {
                w->error = -E2BIG;
                return;
        }
        put(w, b, 2);
        put_u32(w, (uint32_t)len);
}

static void put_field(Writer *w, Tag tag, const void *p, size_t n)
{
        put_head(w, tag, n);
        put(w, p, n);
}

static void put_strv(Writer *w, Tag tag, char *const *v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                put_field(w, tag, v[i], strlen(v[i]));
}

int serve_request_encode(const ServeRequest *r, uint8_t **ret_buf, size_t *ret_len)
{
        Writer w = {0};

        put_u32(&w, MAGIC);
        put_u32(&w, VERSION);
        put_strv(&w, TAG_ARGV, r->argv, r->n_argv);
        if (r->language)
                put_field(&w, TAG_LANGUAGE, r->language, strlen(r->language));
        if (r->code)
                put_field(&w, TAG_CODE, r->code, r->code_len);
        for (size_t i = 0; i < r->n_files; i++) {
                const ServeFile *f = &r->files[i];
                size_t plen = strlen(f->path);

                put_head(&w, TAG_FILE, 1 + 4 + plen + f->len);
                put_u8(&w, f->executable);
                put_u32(&w, (uint32_t)plen);
                put(&w, f->path, plen);
                put(&w, f->data, f->len);
        }
        if (r->has_stdin)
                put_field(&w, TAG_STDIN, r->stdin_data, r->stdin_len);
        put_strv(&w, TAG_ENV, r->env, r->n_env);
        put_strv(&w, TAG_COLLECT, r->collect, r->n_collect);
        put_strv(&w, TAG_ALLOW_NET, r->allow_net, r->n_allow_net);
        for (unsigned bit = 0; bit < N_LIMIT_BITS; bit++) {
                if (!(r->limits_set & (1u << bit)))
                        continue;
                put_head(&w, TAG_LIMIT, 12);
                put_u32(&w, bit);
                put_u64(&w, get_limit(&r->limits, bit));
        }
        if (r->stream)
                put_head(&w, TAG_STREAM, 0);
        if (w.error) {
                free(w.buf);
                return w.error;
        }
        *ret_buf = w.buf;
        *ret_len = w.len;
        return 0;
}

/* ---- decoding ---- */

typedef struct Reader {
        const uint8_t *p;
        size_t left;
} Reader;

static bool get(Reader *r, void *out, size_t n)
{
        if (r->left < n)
                return false;
        memcpy(out, r->p, n);
        r->p += n;
        r->left -= n;
        return true;
}

static uint32_t le32(const uint8_t b[4])
{
        return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static bool get_u32(Reader *r, uint32_t *v)
{
        uint8_t b[4];

        if (!get(r, b, 4))
                return false;
        *v = le32(b);
        return true;
}

/* A string field: bounded, no NUL inside; returned NUL-terminated. */
static int dup_string(const uint8_t *p, size_t n, char **ret)
{
        if (n > SERVE_MAX_STRING || memchr(p, 0, n))
                return -EINVAL;
        *ret = strndup((const char *)p, n);
        return *ret ? 0 : -ENOMEM;
}

static int dup_bytes(const uint8_t *p, size_t n, uint8_t **ret)
{
        *ret = malloc(n ? n : 1);
        if (!*ret)
                return -ENOMEM;
        if (n)
                memcpy(*ret, p, n);
        return 0;
}

static int fail(AirlockError *err, const char *what)
{
        return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "request", "%s", what);
}

static int decode_file(ServeRequest *req, const uint8_t *p, size_t n, AirlockError *err)
{
        _cleanup_free_ char *path = NULL;
        uint32_t plen;

        if (n < 5 || p[0] > 1)
                return fail(err, "malformed file field");
        plen = le32(p + 1);
        if (plen > n - 5 || dup_string(p + 5, plen, &path) < 0)
                return fail(err, "malformed file path");
        if (serve_request_add_file(req, path, p + 5 + plen, n - 5 - plen, p[0]) < 0)
                return fail(err, "too many files");
        return 0;
}

static int decode_string_into(char ***v, size_t *count, size_t max, const uint8_t *p, size_t n,
                              const char *what, AirlockError *err)
{
        _cleanup_free_ char *s = NULL;
        char **grown;

        if (dup_string(p, n, &s) < 0 || *count >= max)
                return fail(err, what);
        grown = realloc(*v, (*count + 2) * sizeof(char *));
        if (!grown)
                return -ENOMEM;
        grown[(*count)++] = TAKE_PTR(s);
        grown[*count] = NULL;
        *v = grown;
        return 0;
}

static int decode_field(ServeRequest *req, uint16_t tag, const uint8_t *p, size_t n,
                        AirlockError *err)
{
        switch (tag) {
        case TAG_ARGV:
                return decode_string_into(&req->argv, &req->n_argv, SERVE_MAX_ARGV, p, n, "argv",
                                          err);
        case TAG_ENV:
                return decode_string_into(&req->env, &req->n_env, AIRLOCK_MAX_ENV, p, n, "env",
                                          err);
        case TAG_COLLECT:
                return decode_string_into(&req->collect, &req->n_collect, AIRLOCK_MAX_COLLECT, p, n,
                                          "collect", err);
        case TAG_ALLOW_NET:
                return decode_string_into(&req->allow_net, &req->n_allow_net, AIRLOCK_MAX_NET_SPECS,
                                          p, n, "network", err);
        case TAG_LANGUAGE:
                if (req->language || n > SERVE_MAX_LANGUAGE || dup_string(p, n, &req->language) < 0)
                        return fail(err, "language");
                return 0;
        case TAG_CODE:
                if (req->code || dup_bytes(p, n, &req->code) < 0)
                        return fail(err, "code");
                req->code_len = n;
                return 0;
        case TAG_FILE:
                return decode_file(req, p, n, err);
        case TAG_STDIN:
                if (req->has_stdin || dup_bytes(p, n, &req->stdin_data) < 0)
                        return fail(err, "stdin");
                req->stdin_len = n;
                req->has_stdin = true;
                return 0;
        case TAG_LIMIT: {
                uint32_t bit = n == 12 ? le32(p) : N_LIMIT_BITS;
                uint64_t v;

                if (bit >= N_LIMIT_BITS || (req->limits_set & (1u << bit)))
                        return fail(err, "limit");
                v = le32(p + 4) | (uint64_t)le32(p + 8) << 32;
                if (set_limit(&req->limits, bit, v) < 0)
                        return fail(err, "limit out of range");
                req->limits_set |= 1u << bit;
                return 0;
        }
        case TAG_STREAM:
                if (n != 0)
                        return fail(err, "stream");
                req->stream = true;
                return 0;
        }
        return fail(err, "unknown field");
}

int serve_request_decode(const uint8_t *buf, size_t len, ServeRequest *ret, AirlockError *err)
{
        Reader rd = {.p = buf, .left = len};
        ServeRequest req;
        uint32_t magic, version;
        int r = 0;

        if (len > SERVE_MAX_REQUEST_BYTES || !get_u32(&rd, &magic) || !get_u32(&rd, &version) ||
            magic != MAGIC || version != VERSION)
                return fail(err, "not an encoded request");
        serve_request_init(&req);
        while (rd.left > 0 && r >= 0) {
                uint8_t tag[2];
                uint32_t n;

                if (!get(&rd, tag, 2) || !get_u32(&rd, &n) || n > rd.left) {
                        r = fail(err, "truncated field");
                        break;
                }
                r = decode_field(&req, (uint16_t)(tag[0] | tag[1] << 8), rd.p, n, err);
                rd.p += n;
                rd.left -= n;
        }
        if (r >= 0 && (req.n_argv > 0) == (req.language != NULL))
                r = fail(err, "exactly one of a command and a language");
        if (r < 0) {
                serve_request_done(&req);
                return r;
        }
        *ret = req;
        return 0;
}
