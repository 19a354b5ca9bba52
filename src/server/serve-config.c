#include "serve-config.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/limits-json.h"
#include "basic/parse.h"
#include "config/limits.h"
#include "net/gateway.h"

#define _cleanup_json_ _cleanup_(json_decrefp)

#define SERVE_DEFAULT_LISTEN     "127.0.0.1:8080"
#define SERVE_MAX_BODY_BYTES     (1ULL << 30)
#define SERVE_MAX_INLINE_BYTES   (1ULL << 30)
#define SERVE_MAX_CLIENT_TIMEOUT 3600U
#define SERVE_MAX_GRACE          86400U
#define SERVE_MAX_PRIVATE        64

/* What a request may ask for at most unless the config says otherwise: generous for real work
 * (a test suite, a plot), small enough that one client cannot take the host. */
static const AirlockLimits serve_default_max_limits = {
    .memory_bytes = 1 * GIB,
    .wall_ms = 60 * 1000,
    .cpu_ms = 60 * 1000,
    .pids = 256,
    .cpu_milli = 4000,
    .stdout_bytes = 16 * MIB,
    .stderr_bytes = 16 * MIB,
    .scratch_bytes = 1 * GIB,
    .tmp_bytes = 1 * GIB,
    .nofile = 1024,
    .fsize_bytes = 1 * GIB,
    .collect_bytes = AIRLOCK_DEFAULT_COLLECT_MAX,
    .net_conns = 64,
    .net_bytes = 1 * GIB,
};

void serve_config_init(ServeConfig *c)
{
        *c = (ServeConfig){
            .queue_size = SERVE_DEFAULT_QUEUE,
            .max_body_bytes = SERVE_DEFAULT_BODY_BYTES,
            .max_inline_bytes = SERVE_DEFAULT_INLINE_BYTES,
            .client_timeout_s = SERVE_DEFAULT_CLIENT_TIMEOUT,
            .grace_s = SERVE_DEFAULT_GRACE,
            .max_limits = serve_default_max_limits,
        };
        airlock_limits_default(&c->default_limits);
}

static void strv_free(char **v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

void serve_config_done(ServeConfig *c)
{
        strv_free(c->listen, c->n_listen);
        strv_free(c->allow_private, c->n_allow_private);
        free(c->keys_file);
        free(c->user);
        free(c->access_log);
        free(c->cgroup_root);
        *c = (ServeConfig){0};
}

/* ---- the config file ---- */

typedef struct FileCtx {
        ServeConfig *c;
        const char *path;
        AirlockError *err;
} FileCtx;

static int file_error(FileCtx *f, const char *key, const char *what)
{
        return airlock_error_set(f->err, AIRLOCK_ERR_USAGE, 0, "--config", "%s: %s: %s", f->path,
                                 key, what);
}

static int get_u64(FileCtx *f, const char *key, const json_t *v, uint64_t *ret)
{
        /* Sizes may be written as people write them ("16M"); everything else is a number. */
        if (json_is_string(v) && strstr(key, "bytes")) {
                if (parse_size(json_string_value(v), ret) < 0)
                        return file_error(f, key, "expected a size like 512K, 16M, 1G");
                return 0;
        }
        if (!json_is_integer(v) || json_integer_value(v) < 0)
                return file_error(f, key, "expected a whole number, not negative");
        *ret = (uint64_t)json_integer_value(v);
        return 0;
}

static int get_u32(FileCtx *f, const char *key, const json_t *v, uint32_t *ret)
{
        uint64_t x;
        int r = get_u64(f, key, v, &x);

        if (r < 0)
                return r;
        if (x > UINT32_MAX)
                return file_error(f, key, "too large");
        *ret = (uint32_t)x;
        return 0;
}

/* Whole seconds, or a duration as the flags take it ("30s", "2m"), rounded up. */
static int get_seconds(FileCtx *f, const char *key, const json_t *v, uint32_t *ret)
{
        uint64_t ms;

        if (!json_is_string(v))
                return get_u32(f, key, v, ret);
        if (parse_duration_ms(json_string_value(v), &ms) < 0 || ms / 1000 >= UINT32_MAX)
                return file_error(f, key, "expected seconds, or a duration like 30s, 2m");
        *ret = (uint32_t)((ms + 999) / 1000);
        return 0;
}

static int get_bool(FileCtx *f, const char *key, const json_t *v, bool *ret)
{
        if (!json_is_boolean(v))
                return file_error(f, key, "expected true or false");
        *ret = json_is_true(v);
        return 0;
}

static int get_string(FileCtx *f, const char *key, const json_t *v, char **field)
{
        char *s;

        if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
                return file_error(f, key, "expected a string");
        s = strdup(json_string_value(v));
        if (!s)
                return -ENOMEM;
        free(*field);
        *field = s;
        return 0;
}

/* A string or an array of strings; replaces what was there. */
static int get_strv(FileCtx *f, const char *key, const json_t *v, size_t max, char ***field,
                    size_t *n_field)
{
        char **out;
        size_t n = json_is_array(v) ? json_array_size(v) : 1;

        if (!json_is_string(v) && !json_is_array(v))
                return file_error(f, key, "expected a string or an array of strings");
        if (n > max)
                return file_error(f, key, "too many entries");
        out = calloc(n + 1, sizeof(char *));
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const json_t *item = json_is_array(v) ? json_array_get(v, i) : v;
                int r = get_string(f, key, item, &out[i]);

                if (r < 0) {
                        strv_free(out, n);
                        return r;
                }
        }
        strv_free(*field, *n_field);
        *field = out;
        *n_field = n;
        return 0;
}

static int get_limits(FileCtx *f, const char *key, const json_t *v, AirlockLimits *l)
{
        ApiError aerr = {0};

        if (limits_json_parse(v, key, NULL, l, NULL, &aerr) < 0)
                return airlock_error_set(f->err, AIRLOCK_ERR_USAGE, 0, "--config", "%s: %s",
                                         f->path, aerr.message);
        return 0;
}

static int apply_key(FileCtx *f, const char *key, const json_t *v)
{
        ServeConfig *c = f->c;

        if (strcmp(key, "listen") == 0)
                return get_strv(f, key, v, SERVE_MAX_LISTEN, &c->listen, &c->n_listen);
        if (strcmp(key, "max_concurrent") == 0)
                return get_u32(f, key, v, &c->max_concurrent);
        /* Each setting answers to its field's name and to its flag's ("queue_size" and
         * "queue" for --queue). */
        if (strcmp(key, "queue_size") == 0 || strcmp(key, "queue") == 0)
                return get_u32(f, key, v, &c->queue_size);
        if (strcmp(key, "max_body_bytes") == 0 || strcmp(key, "max_body") == 0)
                return get_u64(f, "max_body_bytes", v, &c->max_body_bytes);
        if (strcmp(key, "max_inline_bytes") == 0 || strcmp(key, "max_inline") == 0)
                return get_u64(f, "max_inline_bytes", v, &c->max_inline_bytes);
        if (strcmp(key, "client_timeout_s") == 0 || strcmp(key, "client_timeout") == 0)
                return get_seconds(f, key, v, &c->client_timeout_s);
        if (strcmp(key, "grace_s") == 0 || strcmp(key, "grace") == 0)
                return get_seconds(f, key, v, &c->grace_s);
        if (strcmp(key, "keys_file") == 0 || strcmp(key, "keys") == 0)
                return get_string(f, key, v, &c->keys_file);
        if (strcmp(key, "per_key_concurrency") == 0)
                return get_u32(f, key, v, &c->per_key_concurrency);
        if (strcmp(key, "default_limits") == 0)
                return get_limits(f, key, v, &c->default_limits);
        if (strcmp(key, "max_limits") == 0)
                return get_limits(f, key, v, &c->max_limits);
        if (strcmp(key, "user") == 0)
                return get_string(f, key, v, &c->user);
        if (strcmp(key, "access_log") == 0)
                return get_string(f, key, v, &c->access_log);
        if (strcmp(key, "allow_net") == 0)
                return get_bool(f, key, v, &c->allow_net);
        if (strcmp(key, "allow_no_landlock") == 0)
                return get_bool(f, key, v, &c->allow_no_landlock);
        if (strcmp(key, "allow_private") == 0)
                return get_strv(f, key, v, SERVE_MAX_PRIVATE, &c->allow_private,
                                &c->n_allow_private);
        if (strcmp(key, "cgroup_root") == 0)
                return get_string(f, key, v, &c->cgroup_root);
        return file_error(f, key, "unknown key");
}

int serve_config_load_file(ServeConfig *c, const char *path, AirlockError *err)
{
        _cleanup_json_ json_t *root = NULL;
        FileCtx f = {.c = c, .path = path, .err = err};
        json_error_t jerr;
        const char *key;
        json_t *v;
        int r;

        root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
        if (!root && jerr.line < 0) /* not a parse error: the file could not be read */
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--config", "%s", jerr.text);
        if (!root)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--config",
                                         "%s: line %d, column %d: %s", path, jerr.line, jerr.column,
                                         jerr.text);
        if (!json_is_object(root))
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--config",
                                         "%s: expected a JSON object", path);
        json_object_foreach(root, key, v)
        {
                r = apply_key(&f, key, v);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- validation ---- */

/* "unix:/abs/path", "HOST:PORT" or "[V6]:PORT". *ret_loopback: only this host can connect. */
static int listen_check(const char *spec, bool *ret_loopback, AirlockError *err)
{
        const char *colon, *host = spec;
        char hostbuf[256];
        size_t hlen;
        uint32_t port;
        unsigned char addr[16];

        if (strncmp(spec, "unix:", 5) == 0) {
                if (spec[5] != '/' ||
                    strlen(spec + 5) >= sizeof(((struct sockaddr_un *)0)->sun_path))
                        return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--listen",
                                                 "'%s': expected unix:/absolute/path (under 108 "
                                                 "bytes)",
                                                 spec);
                *ret_loopback = true;
                return 0;
        }
        colon = strrchr(spec, ':');
        if (!colon || parse_uint32(colon + 1, &port) < 0 || port == 0 || port > 65535)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--listen",
                                         "'%s': expected HOST:PORT, [IPV6]:PORT or unix:PATH",
                                         spec);
        hlen = (size_t)(colon - spec);
        if (hlen >= 2 && spec[0] == '[' && spec[hlen - 1] == ']') {
                host++;
                hlen -= 2;
        }
        if (hlen == 0 || hlen >= sizeof(hostbuf))
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--listen",
                                         "'%s': no host (0.0.0.0 for every address)", spec);
        memcpy(hostbuf, host, hlen);
        hostbuf[hlen] = '\0';
        if (inet_pton(AF_INET, hostbuf, addr) == 1)
                *ret_loopback = addr[0] == 127;
        else if (inet_pton(AF_INET6, hostbuf, addr) == 1)
                *ret_loopback = memcmp(addr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0;
        else if (strcmp(hostbuf, "localhost") == 0)
                *ret_loopback = true;
        else
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--listen",
                                         "'%s': the host must be an IP address or localhost", spec);
        return 0;
}

static int validate_listen(ServeConfig *c, bool have_keys, AirlockError *err)
{
        int r;

        if (c->n_listen == 0) {
                c->listen = calloc(2, sizeof(char *));
                if (!c->listen)
                        return -ENOMEM;
                c->listen[0] = strdup(SERVE_DEFAULT_LISTEN);
                if (!c->listen[0])
                        return -ENOMEM;
                c->n_listen = 1;
        }
        if (c->n_listen > SERVE_MAX_LISTEN)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--listen", "at most %d",
                                         SERVE_MAX_LISTEN);
        for (size_t i = 0; i < c->n_listen; i++) {
                bool loopback = false;

                r = listen_check(c->listen[i], &loopback, err);
                if (r < 0)
                        return r;
                /* Without keys anyone who can connect can run code: only this host may. */
                if (!loopback && !have_keys)
                        return airlock_error_set(
                            err, AIRLOCK_ERR_USAGE, 0, "--listen",
                            "'%s' is reachable from other hosts: refusing to serve without API "
                            "keys (keys_file or AIRLOCK_API_KEYS)",
                            c->listen[i]);
        }
        return 0;
}

#define CHECK_MAX(field, hi, name)                                                                 \
        do {                                                                                       \
                if ((uint64_t)c->field > (uint64_t)(hi))                                           \
                        return airlock_error_set(                                                  \
                            err, AIRLOCK_ERR_USAGE, 0, name, "%llu is over the maximum %llu",      \
                            (unsigned long long)c->field, (unsigned long long)(hi));               \
        } while (0)

static int validate_limits(ServeConfig *c, AirlockError *err)
{
        ApiError aerr = {0};
        const char *over;

        if (limits_json_check_range(&c->default_limits, "default_limits", &aerr) < 0 ||
            limits_json_check_range(&c->max_limits, "max_limits", &aerr) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "limits", "%s", aerr.message);
        over = limits_json_first_over(&c->default_limits, &c->max_limits);
        if (over)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "limits",
                                         "default_limits.%s is over max_limits.%s", over, over);
        return 0;
}

static int validate_private(const ServeConfig *c, AirlockError *err)
{
        NetPolicy scratch;
        int r = 0;

        net_policy_init(&scratch);
        for (size_t i = 0; i < c->n_allow_private && r >= 0; i++)
                r = net_policy_add_private(&scratch, c->allow_private[i], err);
        net_policy_done(&scratch);
        return r;
}

int serve_config_validate(ServeConfig *c, bool have_keys, AirlockError *err)
{
        int r;

        r = validate_listen(c, have_keys, err);
        if (r < 0)
                return r;
        if (c->max_concurrent == 0) {
                long cores = sysconf(_SC_NPROCESSORS_ONLN);

                c->max_concurrent = (uint32_t)MIN(2 * MAX(cores, 1L), (long)SERVE_MAX_CONCURRENT);
        }
        CHECK_MAX(max_concurrent, SERVE_MAX_CONCURRENT, "max_concurrent");
        CHECK_MAX(queue_size, SERVE_MAX_QUEUE, "queue_size");
        if (c->max_body_bytes == 0)
                c->max_body_bytes = SERVE_DEFAULT_BODY_BYTES;
        CHECK_MAX(max_body_bytes, SERVE_MAX_BODY_BYTES, "max_body_bytes");
        CHECK_MAX(max_inline_bytes, SERVE_MAX_INLINE_BYTES, "max_inline_bytes");
        if (c->client_timeout_s == 0)
                c->client_timeout_s = SERVE_DEFAULT_CLIENT_TIMEOUT;
        CHECK_MAX(client_timeout_s, SERVE_MAX_CLIENT_TIMEOUT, "client_timeout_s");
        CHECK_MAX(grace_s, SERVE_MAX_GRACE, "grace_s");
        if (c->per_key_concurrency == 0)
                c->per_key_concurrency = c->max_concurrent;
        CHECK_MAX(per_key_concurrency, SERVE_MAX_CONCURRENT + SERVE_MAX_QUEUE,
                  "per_key_concurrency");
        r = validate_limits(c, err);
        if (r < 0)
                return r;
        return validate_private(c, err);
}
