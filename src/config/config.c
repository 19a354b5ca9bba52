#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "basic/macros.h"
#include "basic/path.h"
#include "limits.h"

void airlock_limits_default(AirlockLimits *l)
{
        *l = (AirlockLimits){
            .memory_bytes = AIRLOCK_DEFAULT_MEMORY,
            .wall_ms = AIRLOCK_DEFAULT_WALL_MS,
            .cpu_ms = AIRLOCK_DEFAULT_CPU_MS,
            .pids = AIRLOCK_DEFAULT_PIDS,
            .cpu_milli = AIRLOCK_DEFAULT_CPU_MILLI,
            .stdout_bytes = AIRLOCK_DEFAULT_OUTPUT,
            .stderr_bytes = AIRLOCK_DEFAULT_OUTPUT,
            .scratch_bytes = AIRLOCK_DEFAULT_SCRATCH,
            .tmp_bytes = AIRLOCK_DEFAULT_TMP,
            .nofile = AIRLOCK_DEFAULT_NOFILE,
            .fsize_bytes = AIRLOCK_DEFAULT_FSIZE,
            .collect_bytes = AIRLOCK_DEFAULT_COLLECT_MAX,
            .net_conns = AIRLOCK_DEFAULT_NET_CONNS,
            .net_bytes = AIRLOCK_DEFAULT_NET_BYTES,
        };
}

void airlock_config_init(AirlockConfig *c)
{
        *c = (AirlockConfig){
            .uid_base = AIRLOCK_DEFAULT_UID_BASE,
            .uid_count = AIRLOCK_DEFAULT_UID_COUNT,
            .prescreen_severity = 3, /* SCAN_SEV_HIGH; config/ knows nothing of scan/ */
            .audit_level = 1,        /* AUDIT_LEVEL_ALERTS, likewise */
        };
        airlock_limits_default(&c->limits);
}

static void strv_free(char **v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

void airlock_config_done(AirlockConfig *c)
{
        for (size_t i = 0; i < c->n_copies; i++) {
                free(c->copies[i].host);
                free(c->copies[i].dest);
        }
        free(c->copies);
        for (size_t i = 0; i < c->n_inline_files; i++) {
                free(c->inline_files[i].path);
                free(c->inline_files[i].data);
        }
        free(c->inline_files);
        for (size_t i = 0; i < c->n_binds; i++) {
                free(c->binds[i].src);
                free(c->binds[i].dst);
        }
        free(c->binds);
        strv_free(c->collect, c->n_collect);
        strv_free(c->env, c->n_env);
        strv_free(c->allow_net, c->n_allow_net);
        strv_free(c->allow_private, c->n_allow_private);
        free(c->rootfs);
        free(c->out_dir);
        free(c->stdin_path);
        free(c->cgroup_root);
        free(c->seccomp_profile);
        free(c->rules_path);
        /* argv points into the caller's argument vector; it is not ours to free. */
        *c = (AirlockConfig){0};
}

/* Grows an array by one element; the new element is zeroed. */
static void *array_grow(void *array, size_t *n, size_t elem, size_t max)
{
        char *p;

        if (*n >= max)
                return NULL;
        p = realloc(array, (*n + 1) * elem);
        if (!p)
                return NULL;
        memset(p + *n * elem, 0, elem);
        (*n)++;
        return p;
}

/* SPEC is HOST[:DEST]. The last ':' splits, so host paths may contain ':' only when a DEST is
 * given. */
static int split_spec(const char *spec, char **ret_a, char **ret_b)
{
        const char *colon = strrchr(spec, ':');
        _cleanup_free_ char *a = NULL, *b = NULL;

        if (colon) {
                a = strndup(spec, (size_t)(colon - spec));
                b = strdup(colon + 1);
                if (!a || !b)
                        return -ENOMEM;
        } else {
                a = strdup(spec);
                if (!a)
                        return -ENOMEM;
        }
        *ret_a = TAKE_PTR(a);
        *ret_b = TAKE_PTR(b);
        return 0;
}

int airlock_config_add_copy(AirlockConfig *c, const char *spec, AirlockError *err)
{
        _cleanup_free_ char *host = NULL, *dest = NULL, *norm = NULL;
        AirlockCopy *copies;
        int r;

        r = split_spec(spec, &host, &dest);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, -r, "--copy", "%s", spec);
        if (!*host)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--copy",
                                         "'%s': empty host path", spec);
        for (size_t len = strlen(host); len > 1 && host[len - 1] == '/';)
                host[--len] = '\0';
        if (!dest || !*dest) {
                free(dest);
                dest = path_basename(host);
                if (!dest)
                        return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--copy",
                                                 "'%s': name a destination (HOST:DEST)", spec);
        }
        r = path_normalize_relative(dest, AIRLOCK_SCRATCH_DIR, &norm);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--copy",
                                         "'%s': destination must be relative and stay inside %s",
                                         dest, AIRLOCK_SCRATCH_DIR);
        copies = array_grow(c->copies, &c->n_copies, sizeof(*copies), AIRLOCK_MAX_COPIES);
        if (!copies)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--copy", "at most %d copies",
                                         AIRLOCK_MAX_COPIES);
        c->copies = copies;
        copies[c->n_copies - 1] = (AirlockCopy){.host = TAKE_PTR(host), .dest = TAKE_PTR(norm)};
        return 0;
}

/* Sandbox paths the caller may not bind over: they are the sandbox's own skeleton. */
static bool bind_target_is_reserved(const char *dst)
{
        static const char *const reserved[] = {"/",    "/proc", "/dev",
                                               "/etc", "/tmp",  AIRLOCK_SCRATCH_DIR};

        for (size_t i = 0; i < ELEMENTSOF(reserved); i++)
                if (strcmp(dst, reserved[i]) == 0)
                        return true;
        return strncmp(dst, "/proc/", 6) == 0 || strncmp(dst, "/dev/", 5) == 0;
}

int airlock_config_add_bind(AirlockConfig *c, const char *spec, bool writable, AirlockError *err)
{
        const char *opt = writable ? "--bind" : "--ro-bind";
        _cleanup_free_ char *src = NULL, *dst = NULL, *rel = NULL, *abs = NULL;
        AirlockBind *binds;
        int r;

        r = split_spec(spec, &src, &dst);
        if (r < 0)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, -r, opt, "%s", spec);
        if (src[0] != '/')
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, opt,
                                         "'%s': source must be an absolute path", spec);
        if (!dst || !*dst) {
                free(dst);
                dst = strdup(src);
                if (!dst)
                        return -ENOMEM;
        }
        if (dst[0] != '/' || path_normalize_relative(dst + 1, NULL, &rel) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, opt,
                                         "'%s': target must be absolute, without '..'", spec);
        if (asprintf(&abs, "/%s", rel) < 0)
                return -ENOMEM;
        if (bind_target_is_reserved(abs))
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, opt,
                                         "'%s': %s is part of the sandbox's own layout", spec, abs);
        binds = array_grow(c->binds, &c->n_binds, sizeof(*binds), AIRLOCK_MAX_BINDS);
        if (!binds)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, opt, "at most %d binds",
                                         AIRLOCK_MAX_BINDS);
        c->binds = binds;
        binds[c->n_binds - 1] =
            (AirlockBind){.src = TAKE_PTR(src), .dst = TAKE_PTR(abs), .writable = writable};
        return 0;
}

int airlock_config_add_env(AirlockConfig *c, const char *kv, AirlockError *err)
{
        const char *eq = strchr(kv, '=');
        char **env;

        if (!eq || eq == kv)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--env",
                                         "'%s': expected NAME=VALUE", kv);
        for (const char *p = kv; p < eq; p++)
                if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                      (p > kv && *p >= '0' && *p <= '9')))
                        return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--env",
                                                 "'%.*s': not a valid variable name",
                                                 (int)(eq - kv), kv);
        env = array_grow(c->env, &c->n_env, sizeof(*env), AIRLOCK_MAX_ENV);
        if (!env)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--env", "at most %d",
                                         AIRLOCK_MAX_ENV);
        c->env = env;
        env[c->n_env - 1] = strdup(kv);
        return env[c->n_env - 1] ? 0 : -ENOMEM;
}

int airlock_config_add_inline_file(AirlockConfig *c, const char *path, const void *data, size_t len,
                                   bool executable, AirlockError *err)
{
        _cleanup_free_ char *norm = NULL;
        _cleanup_free_ unsigned char *copy = NULL;
        AirlockInlineFile *files;

        if (path_normalize_relative(path, AIRLOCK_SCRATCH_DIR, &norm) < 0 || !*norm ||
            strcmp(norm, ".") == 0)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "files",
                                         "'%s': must be relative and stay inside %s", path,
                                         AIRLOCK_SCRATCH_DIR);
        copy = malloc(len ? len : 1);
        if (!copy)
                return -ENOMEM;
        if (len)
                memcpy(copy, data, len);
        files = array_grow(c->inline_files, &c->n_inline_files, sizeof(*files), AIRLOCK_MAX_COPIES);
        if (!files)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "files", "at most %d",
                                         AIRLOCK_MAX_COPIES);
        c->inline_files = files;
        files[c->n_inline_files - 1] = (AirlockInlineFile){
            .path = TAKE_PTR(norm), .data = TAKE_PTR(copy), .len = len, .executable = executable};
        return 0;
}

int airlock_config_add_collect(AirlockConfig *c, const char *glob, AirlockError *err)
{
        _cleanup_free_ char *norm = NULL;
        char **v;

        if (path_normalize_relative(glob, AIRLOCK_SCRATCH_DIR, &norm) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--collect",
                                         "'%s': must be relative and stay inside %s", glob,
                                         AIRLOCK_SCRATCH_DIR);
        v = array_grow(c->collect, &c->n_collect, sizeof(*v), AIRLOCK_MAX_COLLECT);
        if (!v)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--collect", "at most %d",
                                         AIRLOCK_MAX_COLLECT);
        c->collect = v;
        v[c->n_collect - 1] = TAKE_PTR(norm);
        return 0;
}

/* Some bounds are 0: comparing an unsigned value against them is fine. */
#pragma GCC diagnostic ignored "-Wtype-limits"
static int add_string(char ***v, size_t *n, const char *s, const char *opt, AirlockError *err)
{
        char **grown;

        if (!*s || strlen(s) > 4096)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, opt, "empty or too long");
        grown = array_grow(*v, n, sizeof(char *), AIRLOCK_MAX_NET_SPECS);
        if (!grown)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, opt, "at most %d",
                                         AIRLOCK_MAX_NET_SPECS);
        *v = grown;
        grown[*n - 1] = strdup(s);
        return grown[*n - 1] ? 0 : -ENOMEM;
}

int airlock_config_add_allow_net(AirlockConfig *c, const char *spec, AirlockError *err)
{
        return add_string(&c->allow_net, &c->n_allow_net, spec, "--allow-net", err);
}

int airlock_config_add_allow_private(AirlockConfig *c, const char *cidr, AirlockError *err)
{
        return add_string(&c->allow_private, &c->n_allow_private, cidr, "--allow-private", err);
}

#define CHECK_RANGE(field, lo, hi, name)                                                           \
        do {                                                                                       \
                if ((uint64_t)(l->field) < (uint64_t)(lo) ||                                       \
                    (uint64_t)(l->field) > (uint64_t)(hi))                                         \
                        return airlock_error_set(                                                  \
                            err, AIRLOCK_ERR_USAGE, 0, name, "%llu is outside %llu..%llu",         \
                            (unsigned long long)(l->field), (unsigned long long)(lo),              \
                            (unsigned long long)(hi));                                             \
        } while (0)

static int limits_validate(const AirlockLimits *l, AirlockError *err)
{
        CHECK_RANGE(memory_bytes, AIRLOCK_MIN_MEMORY, AIRLOCK_MAX_MEMORY, "--memory");
        CHECK_RANGE(wall_ms, AIRLOCK_MIN_WALL_MS, AIRLOCK_MAX_WALL_MS, "--time");
        CHECK_RANGE(cpu_ms, AIRLOCK_MIN_WALL_MS, AIRLOCK_MAX_WALL_MS, "--cpu-time");
        CHECK_RANGE(pids, AIRLOCK_MIN_PIDS, AIRLOCK_MAX_PIDS, "--pids");
        CHECK_RANGE(cpu_milli, AIRLOCK_MIN_CPU_MILLI, AIRLOCK_MAX_CPU_MILLI, "--cpus");
        CHECK_RANGE(stdout_bytes, 0, AIRLOCK_MAX_OUTPUT, "--output");
        CHECK_RANGE(stderr_bytes, 0, AIRLOCK_MAX_OUTPUT, "--output");
        CHECK_RANGE(scratch_bytes, AIRLOCK_MIN_FS_SIZE, AIRLOCK_MAX_FS_SIZE, "--scratch");
        CHECK_RANGE(tmp_bytes, AIRLOCK_MIN_FS_SIZE, AIRLOCK_MAX_FS_SIZE, "--tmp");
        CHECK_RANGE(nofile, AIRLOCK_MIN_NOFILE, AIRLOCK_MAX_NOFILE, "--nofile");
        CHECK_RANGE(fsize_bytes, 0, AIRLOCK_MAX_FSIZE, "--fsize");
        CHECK_RANGE(collect_bytes, 0, AIRLOCK_MAX_FS_SIZE, "--collect-max");
        CHECK_RANGE(net_conns, 1, AIRLOCK_MAX_NET_CONNS, "--net-conns");
        CHECK_RANGE(net_bytes, 0, AIRLOCK_MAX_NET_BYTES, "--net-bytes");
        return 0;
}

static int check_path_is(const char *path, mode_t type, const char *opt, AirlockError *err)
{
        struct stat st;

        if (stat(path, &st) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, errno, opt, "%s", path);
        if (type && (st.st_mode & S_IFMT) != type)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, opt, "%s: not a %s", path,
                                         type == S_IFDIR ? "directory" : "regular file");
        return 0;
}

int airlock_config_validate(const AirlockConfig *c, AirlockError *err)
{
        size_t nargs = 0;
        int r;

        if (!c->argv || !c->argv[0] || !c->argv[0][0])
                return airlock_error_set(
                    err, AIRLOCK_ERR_USAGE, 0, "run",
                    "no command given (airlock run [OPTIONS] -- CMD [ARGS...])");
        while (c->argv[nargs])
                nargs++;
        if (nargs > AIRLOCK_MAX_ARGS)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "run", "more than %d arguments",
                                         AIRLOCK_MAX_ARGS);
        r = limits_validate(&c->limits, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < c->n_copies; i++) {
                struct stat st;

                if (stat(c->copies[i].host, &st) < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_USAGE, errno, "--copy", "%s",
                                                 c->copies[i].host);
                if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
                        return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--copy",
                                                 "%s: only regular files and directories",
                                                 c->copies[i].host);
        }
        for (size_t i = 0; i < c->n_binds; i++) {
                r = check_path_is(c->binds[i].src, 0, c->binds[i].writable ? "--bind" : "--ro-bind",
                                  err);
                if (r < 0)
                        return r;
        }
        if (c->rootfs) {
                r = check_path_is(c->rootfs, S_IFDIR, "--rootfs", err);
                if (r < 0)
                        return r;
        }
        if (c->n_allow_private > 0 && c->n_allow_net == 0)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--allow-private",
                                         "only means something with --allow-net");
        if (c->n_collect > 0 && !c->out_dir && !c->collect_in_memory)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--collect",
                                         "needs --out-dir DIR");
        if (c->out_dir) {
                r = check_path_is(c->out_dir, S_IFDIR, "--out-dir", err);
                if (r < 0)
                        return r;
        }
        if (c->stdin_path && strcmp(c->stdin_path, "-") != 0) {
                r = check_path_is(c->stdin_path, S_IFREG, "--stdin", err);
                if (r < 0)
                        return r;
        }
        if (c->uid_count == 0 || c->uid_base == 0 || c->uid_base > UINT32_MAX - c->uid_count)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "--uid-range",
                                         "the range must be non-empty, above 0 and below 2^32");
        return 0;
}
