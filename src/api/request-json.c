#include "request-json.h"

#include <jansson.h>
#include <string.h>

#include "basic/base64.h"
#include "basic/path.h"
#include "config/limits.h"
#include "limits-json.h"
#include "net/gateway.h"

#define _cleanup_json_ _cleanup_(json_decrefp)

#define REQUEST_MAX_PATH     1024 /* a file's path, in bytes */
#define REQUEST_MAX_NAME     255  /* one component of it (NAME_MAX) */
#define REQUEST_MAX_NET_SPEC 4096 /* as airlock_config_add_allow_net takes them */
#define WHERE_MAX            96   /* "files[255].encoding", "env.NAME..." */

typedef struct Parse {
        const RequestJsonContext *ctx;
        ServeRequest *req;
        ApiError *err;
        const Runtime *runtime; /* with "language" */
        bool have_code;
} Parse;

static void freep_u8(uint8_t **p)
{
        free(*p);
}

static int type_error(ApiError *err, const char *where, const char *want, const json_t *got)
{
        return api_error_set(err, 422, "invalid_type", "%s: expected %s, got %s", where, want,
                             json_type_phrase(got));
}

/* Maps what the ServeRequest appenders return: they enforce the same caps we check first, so
 * -E2BIG is a backstop. */
static int append_error(int r, ApiError *err, const char *where)
{
        if (r == -E2BIG)
                return api_error_set(err, 422, "too_many", "%s: too many or too long", where);
        return r;
}

/* Refuses keys outside allowed (NULL-terminated): a typo must not silently do nothing. */
static int check_keys(const json_t *o, const char *where, const char *const *allowed, ApiError *err)
{
        const char *key;
        json_t *v;

        json_object_foreach((json_t *)o, key, v)
        {
                char known[160] = "", q[72];
                bool ok = false;

                for (size_t i = 0; allowed[i]; i++) {
                        ok = ok || strcmp(key, allowed[i]) == 0;
                        snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
                                 i ? ", " : "", allowed[i]);
                }
                if (!ok)
                        return api_error_set(
                            err, 422, "unknown_field", "%s%s%s: unknown field (known: %s)", where,
                            *where ? "." : "", api_quote(key, strlen(key), q, 64), known);
        }
        return 0;
}

/* A string that becomes a C string: no NUL, at most max bytes. */
static int get_cstring(const json_t *v, const char *where, size_t max, const char **ret,
                       ApiError *err)
{
        const char *s;

        if (!json_is_string(v))
                return type_error(err, where, "a string", v);
        s = json_string_value(v);
        if (strlen(s) != json_string_length(v))
                return api_error_set(err, 422, "invalid_value", "%s: must not contain NUL", where);
        if (json_string_length(v) > max)
                return api_error_set(err, 422, "invalid_value", "%s: longer than %zu bytes", where,
                                     max);
        *ret = s;
        return 0;
}

/* content (a string) in encoding (a string, or NULL for utf8) into a malloc'd buffer. */
static int decode_content(const json_t *content, const json_t *encoding, const char *where,
                          uint8_t **ret, size_t *ret_len, ApiError *err)
{
        const char *s, *enc = "utf8";
        size_t len, bad = 0;
        uint8_t *buf;
        int r;

        if (!json_is_string(content))
                return type_error(err, where, "a string", content);
        if (encoding) {
                if (!json_is_string(encoding))
                        return type_error(err, where, "an encoding, \"utf8\" or \"base64\"",
                                          encoding);
                enc = json_string_value(encoding);
        }
        s = json_string_value(content);
        len = json_string_length(content);
        if (strcmp(enc, "base64") == 0) {
                r = base64_decode(s, len, &buf, ret_len, &bad);
                if (r == -EINVAL)
                        return api_error_set(err, 422, "invalid_base64",
                                             "%s: not valid base64 (at character %zu)", where, bad);
                if (r < 0)
                        return r;
                *ret = buf;
                return 0;
        }
        if (strcmp(enc, "utf8") != 0) {
                char q[40];

                return api_error_set(err, 422, "invalid_value",
                                     "%s: unknown encoding \"%s\" (utf8 or base64)", where,
                                     api_quote(enc, strlen(enc), q, 32));
        }
        buf = malloc(len + 1);
        if (!buf)
                return -ENOMEM;
        memcpy(buf, s, len);
        buf[len] = '\0';
        *ret = buf;
        *ret_len = len;
        return 0;
}

/* "text", or {"content": "...", "encoding": "base64"}: for stdin and code. */
static int parse_blob(const json_t *v, const char *where, uint8_t **ret, size_t *ret_len,
                      ApiError *err)
{
        static const char *const keys[] = {"content", "encoding", NULL};
        char w[WHERE_MAX];
        const json_t *content;
        int r;

        if (json_is_string(v))
                return decode_content(v, NULL, where, ret, ret_len, err);
        if (!json_is_object(v))
                return type_error(err, where, "a string or {\"content\", \"encoding\"}", v);
        r = check_keys(v, where, keys, err);
        if (r < 0)
                return r;
        content = json_object_get(v, "content");
        snprintf(w, sizeof(w), "%s.content", where);
        if (!content)
                return api_error_set(err, 422, "missing_field", "%s: required", w);
        return decode_content(content, json_object_get(v, "encoding"), w, ret, ret_len, err);
}

static int on_command(Parse *p, const json_t *v)
{
        char w[WHERE_MAX];
        const char *s;
        size_t i;
        json_t *item;
        int r;

        if (!json_is_array(v))
                return type_error(p->err, "command", "an array of strings", v);
        if (json_array_size(v) == 0)
                return api_error_set(p->err, 422, "invalid_value", "command: must not be empty");
        if (json_array_size(v) > SERVE_MAX_ARGV)
                return api_error_set(p->err, 422, "too_many", "command: more than %d arguments",
                                     SERVE_MAX_ARGV);
        json_array_foreach(v, i, item)
        {
                snprintf(w, sizeof(w), "command[%zu]", i);
                r = get_cstring(item, w, SERVE_MAX_STRING, &s, p->err);
                if (r < 0)
                        return r;
                if (i == 0 && !*s)
                        return api_error_set(p->err, 422, "invalid_value",
                                             "command[0]: must not be empty");
                r = serve_request_add_argv(p->req, s);
                if (r < 0)
                        return append_error(r, p->err, w);
        }
        return 0;
}

static int on_language(Parse *p, const json_t *v)
{
        const RequestJsonContext *ctx = p->ctx;
        const char *id;
        char q[40];
        int r;

        r = get_cstring(v, "language", SERVE_MAX_LANGUAGE, &id, p->err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ctx->n_runtimes; i++) {
                const Runtime *rt = ctx->runtimes[i].runtime;

                if (!rt || strcmp(rt->id, id) != 0)
                        continue;
                if (!ctx->runtimes[i].available)
                        return api_error_set(p->err, 422, "runtime_unavailable",
                                             "language: \"%s\" is not installed on this server "
                                             "(GET /v1/runtimes lists what is)",
                                             rt->id);
                p->req->language = strdup(rt->id);
                if (!p->req->language)
                        return -ENOMEM;
                p->runtime = rt;
                return 0;
        }
        return api_error_set(p->err, 422, "unknown_language",
                             "language: unknown language \"%s\" (GET /v1/runtimes lists them)",
                             api_quote(id, strlen(id), q, 32));
}

static int on_code(Parse *p, const json_t *v)
{
        _cleanup_(freep_u8) uint8_t *data = NULL;
        size_t len = 0;
        int r;

        r = parse_blob(v, "code", &data, &len, p->err);
        if (r < 0)
                return r;
        p->req->code = TAKE_PTR(data);
        p->req->code_len = len;
        p->have_code = true;
        return 0;
}

static int on_stdin(Parse *p, const json_t *v)
{
        _cleanup_(freep_u8) uint8_t *data = NULL;
        size_t len = 0;
        int r;

        r = parse_blob(v, "stdin", &data, &len, p->err);
        if (r < 0)
                return r;
        p->req->stdin_data = TAKE_PTR(data);
        p->req->stdin_len = len;
        p->req->has_stdin = true;
        return 0;
}

/* Relative, inside the work directory, no "..", no empty or over-long components; the result is
 * the normalised form ("./a" -> "a"). */
static int check_path(const char *path, const char *where, char **ret, ApiError *err)
{
        size_t len = strlen(path), comp = 0;

        if (len == 0)
                return api_error_set(err, 422, "invalid_path", "%s: must not be empty", where);
        if (len > REQUEST_MAX_PATH)
                return api_error_set(err, 422, "invalid_path", "%s: longer than %d bytes", where,
                                     REQUEST_MAX_PATH);
        if (path[0] == '/' || strstr(path, "//") || path[len - 1] == '/')
                return api_error_set(err, 422, "invalid_path",
                                     "%s: must be relative, without empty components", where);
        for (const char *c = path; *c; c++) {
                comp = *c == '/' ? 0 : comp + 1;
                if (comp > REQUEST_MAX_NAME)
                        return api_error_set(err, 422, "invalid_path",
                                             "%s: a component is longer than %d bytes", where,
                                             REQUEST_MAX_NAME);
        }
        if (path_normalize_relative(path, NULL, ret) < 0)
                return api_error_set(err, 422, "invalid_path",
                                     "%s: must be relative and stay inside the work directory",
                                     where);
        return 0;
}

/* Two files at one path, or a file where another needs a directory ("a" and "a/b"). */
static bool paths_clash(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b), n = MIN(la, lb);

        return strncmp(a, b, n) == 0 && (la == lb || (la < lb ? b[n] : a[n]) == '/');
}

static int on_file(Parse *p, const json_t *f, size_t idx)
{
        static const char *const keys[] = {"path", "content", "encoding", "executable", NULL};
        _cleanup_(freep_u8) uint8_t *data = NULL;
        _cleanup_free_ char *norm = NULL;
        char where[32], w[WHERE_MAX];
        const json_t *content, *exec;
        const char *path;
        size_t len = 0;
        int r;

        snprintf(where, sizeof(where), "files[%zu]", idx);
        if (!json_is_object(f))
                return type_error(p->err, where, "an object {\"path\", \"content\"}", f);
        r = check_keys(f, where, keys, p->err);
        if (r < 0)
                return r;

        snprintf(w, sizeof(w), "%s.path", where);
        if (!json_object_get(f, "path"))
                return api_error_set(p->err, 422, "missing_field", "%s: required", w);
        r = get_cstring(json_object_get(f, "path"), w, REQUEST_MAX_PATH, &path, p->err);
        if (r < 0)
                return r;
        r = check_path(path, w, &norm, p->err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < p->req->n_files; i++)
                if (paths_clash(p->req->files[i].path, norm))
                        return api_error_set(p->err, 422, "invalid_path",
                                             "%s: clashes with files[%zu].path", w, i);

        snprintf(w, sizeof(w), "%s.content", where);
        content = json_object_get(f, "content");
        if (!content)
                return api_error_set(p->err, 422, "missing_field", "%s: required", w);
        r = decode_content(content, json_object_get(f, "encoding"), w, &data, &len, p->err);
        if (r < 0)
                return r;

        exec = json_object_get(f, "executable");
        if (exec && !json_is_boolean(exec)) {
                snprintf(w, sizeof(w), "%s.executable", where);
                return type_error(p->err, w, "true or false", exec);
        }
        r = serve_request_add_file(p->req, norm, data, len, exec && json_is_true(exec));
        return r < 0 ? append_error(r, p->err, where) : 0;
}

static int on_files(Parse *p, const json_t *v)
{
        size_t i;
        json_t *f;
        int r;

        if (!json_is_array(v))
                return type_error(p->err, "files", "an array", v);
        if (json_array_size(v) > SERVE_MAX_FILES)
                return api_error_set(p->err, 422, "too_many", "files: more than %d",
                                     SERVE_MAX_FILES);
        json_array_foreach(v, i, f)
        {
                r = on_file(p, f, i);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool env_name_valid(const char *s)
{
        if (!*s)
                return false;
        for (const char *c = s; *c; c++)
                if (!(*c == '_' || (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
                      (c > s && *c >= '0' && *c <= '9')))
                        return false;
        return true;
}

static int on_env(Parse *p, const json_t *v)
{
        const char *name, *value;
        char w[WHERE_MAX], q[72];
        json_t *item;
        int r;

        if (!json_is_object(v))
                return type_error(p->err, "env", "an object {\"NAME\": \"value\"}", v);
        if (json_object_size(v) > AIRLOCK_MAX_ENV)
                return api_error_set(p->err, 422, "too_many", "env: more than %d variables",
                                     AIRLOCK_MAX_ENV);
        json_object_foreach((json_t *)v, name, item)
        {
                _cleanup_free_ char *kv = NULL;

                snprintf(w, sizeof(w), "env.%s", api_quote(name, strlen(name), q, 64));
                if (!env_name_valid(name))
                        return api_error_set(p->err, 422, "invalid_value",
                                             "%s: not a valid variable name (letters, digits, "
                                             "'_', not starting with a digit)",
                                             w);
                r = get_cstring(item, w, SERVE_MAX_STRING, &value, p->err);
                if (r < 0)
                        return r;
                if (strlen(name) + 1 + strlen(value) > SERVE_MAX_STRING)
                        return api_error_set(p->err, 422, "invalid_value",
                                             "%s: longer than %d bytes in all", w,
                                             SERVE_MAX_STRING);
                if (asprintf(&kv, "%s=%s", name, value) < 0)
                        return -ENOMEM;
                r = serve_request_add_env(p->req, kv);
                if (r < 0)
                        return append_error(r, p->err, w);
        }
        return 0;
}

static int on_limits(Parse *p, const json_t *v)
{
        const ServeConfig *c = p->ctx->config;

        return limits_json_parse(v, "limits", &c->max_limits, &p->req->limits, &p->req->limits_set,
                                 p->err);
}

static int on_network(Parse *p, const json_t *v)
{
        static const char *const keys[] = {"allow", NULL};
        const json_t *allow;
        char w[WHERE_MAX];
        const char *spec;
        NetPolicy scratch;
        size_t i;
        json_t *item;
        int r;

        if (!p->ctx->config->allow_net)
                return api_error_set(p->err, 422, "network_disabled",
                                     "network: this server gives runs no network access");
        if (!json_is_object(v))
                return type_error(p->err, "network", "an object {\"allow\": [...]}", v);
        r = check_keys(v, "network", keys, p->err);
        if (r < 0)
                return r;
        allow = json_object_get(v, "allow");
        if (!allow)
                return api_error_set(p->err, 422, "missing_field", "network.allow: required");
        if (!json_is_array(allow))
                return type_error(p->err, "network.allow", "an array of host[:port] strings",
                                  allow);
        if (json_array_size(allow) > AIRLOCK_MAX_NET_SPECS)
                return api_error_set(p->err, 422, "too_many", "network.allow: more than %d",
                                     AIRLOCK_MAX_NET_SPECS);

        /* The gateway's own parser says what is wrong with a spec, before anything starts. */
        net_policy_init(&scratch);
        json_array_foreach(allow, i, item)
        {
                AirlockError aerr = {0};

                snprintf(w, sizeof(w), "network.allow[%zu]", i);
                r = get_cstring(item, w, REQUEST_MAX_NET_SPEC, &spec, p->err);
                if (r >= 0 && net_policy_add_allow(&scratch, spec, &aerr) < 0)
                        r = aerr.kind ? api_error_set(p->err, 422, "invalid_value", "%s: %s", w,
                                                      aerr.message)
                                      : -ENOMEM;
                if (r >= 0)
                        r = append_error(serve_request_add_allow_net(p->req, spec), p->err, w);
                if (r < 0)
                        break;
        }
        net_policy_done(&scratch);
        return r < 0 ? r : 0;
}

static int on_collect(Parse *p, const json_t *v)
{
        char w[WHERE_MAX];
        const char *glob;
        size_t i;
        json_t *item;
        int r;

        if (!json_is_array(v))
                return type_error(p->err, "collect", "an array of globs", v);
        if (json_array_size(v) > AIRLOCK_MAX_COLLECT)
                return api_error_set(p->err, 422, "too_many", "collect: more than %d globs",
                                     AIRLOCK_MAX_COLLECT);
        json_array_foreach(v, i, item)
        {
                _cleanup_free_ char *norm = NULL;

                snprintf(w, sizeof(w), "collect[%zu]", i);
                r = get_cstring(item, w, REQUEST_MAX_PATH, &glob, p->err);
                if (r < 0)
                        return r;
                if (path_normalize_relative(glob, AIRLOCK_SCRATCH_DIR, &norm) < 0)
                        return api_error_set(p->err, 422, "invalid_path",
                                             "%s: must be relative and stay inside the work "
                                             "directory",
                                             w);
                r = serve_request_add_collect(p->req, norm);
                if (r < 0)
                        return append_error(r, p->err, w);
        }
        return 0;
}

typedef struct FieldHandler {
        const char *name;
        int (*parse)(Parse *p, const json_t *v);
} FieldHandler;

static const FieldHandler fields[] = {
    {"command", on_command}, {"language", on_language}, {"code", on_code},
    {"files", on_files},     {"stdin", on_stdin},       {"env", on_env},
    {"limits", on_limits},   {"network", on_network},   {"collect", on_collect},
};

/* What only the whole request shows: one way of saying what to run, files that fit. */
static int check_whole(Parse *p)
{
        ServeRequest *req = p->req;
        uint64_t total = req->code_len;

        if (req->n_argv > 0 && req->language)
                return api_error_set(p->err, 422, "invalid_request",
                                     "command, language: give one or the other, not both");
        if (req->n_argv == 0 && !req->language)
                return api_error_set(p->err, 422, "missing_field",
                                     "command: required (or language and code)");
        if (req->language && !p->have_code)
                return api_error_set(p->err, 422, "missing_field", "code: required with language");
        if (!req->language && p->have_code)
                return api_error_set(p->err, 422, "invalid_request",
                                     "code: only with language (use files with command)");
        for (size_t i = 0; i < req->n_files; i++) {
                const char *path = req->files[i].path;

                if (p->runtime && ((p->runtime->file && paths_clash(path, p->runtime->file)) ||
                                   (p->runtime->output && paths_clash(path, p->runtime->output))))
                        return api_error_set(p->err, 422, "invalid_path",
                                             "files[%zu].path: %s is where the %s code goes", i,
                                             path, p->runtime->id);
                total += req->files[i].len;
        }
        if (total > req->limits.scratch_bytes)
                return api_error_set(p->err, 422, "over_limit",
                                     "files: %llu bytes in all do not fit in limits.scratch_bytes "
                                     "(%llu)",
                                     (unsigned long long)total,
                                     (unsigned long long)req->limits.scratch_bytes);
        return 0;
}

static int parse_object(Parse *p, const json_t *root)
{
        const char *key;
        json_t *v;
        int r;

        json_object_foreach((json_t *)root, key, v)
        {
                const FieldHandler *h = NULL;

                for (size_t i = 0; i < ELEMENTSOF(fields) && !h; i++)
                        if (strcmp(fields[i].name, key) == 0)
                                h = &fields[i];
                if (!h) {
                        static const char *const keys[] = {
                            "command", "language", "code",    "files",   "stdin",
                            "env",     "limits",   "network", "collect", NULL};

                        return check_keys(root, "", keys, p->err);
                }
                r = h->parse(p, v);
                if (r < 0)
                        return r;
        }
        return check_whole(p);
}

int request_json_parse(const char *body, size_t len, const RequestJsonContext *ctx,
                       ServeRequest *ret, ApiError *err)
{
        _cleanup_(serve_request_done) ServeRequest req;
        _cleanup_json_ json_t *root = NULL;
        json_error_t jerr;
        Parse p = {.ctx = ctx, .req = &req, .err = err};
        char q[100];
        int r;

        serve_request_init(&req);
        req.limits = ctx->config->default_limits;
        /* Duplicate keys are refused rather than the last silently winning; NUL is allowed in
         * strings because file contents may hold it (C strings are checked one by one). */
        root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
        if (!root)
                return api_error_set(err, 400, "invalid_json", "line %d, column %d: %s", jerr.line,
                                     jerr.column, api_quote(jerr.text, strlen(jerr.text), q, 96));
        if (!json_is_object(root))
                return type_error(err, "body", "a JSON object", root);
        r = parse_object(&p, root);
        if (r < 0)
                return r;
        *ret = req;
        serve_request_init(&req);
        return 0;
}
