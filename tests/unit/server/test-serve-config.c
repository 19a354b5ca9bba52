#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config/limits.h"
#include "server/serve-config.h"

static char *write_tmp(const char *text)
{
        static char path[64];
        FILE *f;
        int fd;

        snprintf(path, sizeof(path), "/tmp/airlock-test-config-XXXXXX");
        fd = mkstemp(path);
        cr_assert_geq(fd, 0);
        f = fdopen(fd, "w");
        fputs(text, f);
        fclose(f);
        return path;
}

static int load(ServeConfig *c, const char *text, AirlockError *err)
{
        char *path = write_tmp(text);
        int r = serve_config_load_file(c, path, err);

        unlink(path);
        return r;
}

Test(serve_config, defaults_validate)
{
        ServeConfig c;
        AirlockError err = {0};

        serve_config_init(&c);
        cr_assert_eq(serve_config_validate(&c, false, &err), 0, "%s", err.message);
        cr_assert_eq(c.n_listen, 1);
        cr_assert_str_eq(c.listen[0], "127.0.0.1:8080");
        cr_assert_gt(c.max_concurrent, 0);
        cr_assert_eq(c.per_key_concurrency, c.max_concurrent);
        cr_assert_eq(c.queue_size, SERVE_DEFAULT_QUEUE);
        cr_assert_eq(c.max_body_bytes, SERVE_DEFAULT_BODY_BYTES);
        cr_assert_eq(c.default_limits.memory_bytes, AIRLOCK_DEFAULT_MEMORY);
        cr_assert_eq(c.max_limits.memory_bytes, GIB);
        serve_config_done(&c);
}

Test(serve_config, file_sets_everything)
{
        ServeConfig c;
        AirlockError err = {0};

        serve_config_init(&c);
        cr_assert_eq(load(&c,
                          "{\"listen\": [\"127.0.0.1:9000\", \"unix:/run/a.sock\"],"
                          " \"max_concurrent\": 3, \"queue\": 5, \"max_body_bytes\": \"1M\","
                          " \"client_timeout\": \"2m\", \"grace_s\": 7, \"keys_file\": \"/k\","
                          " \"per_key_concurrency\": 2, \"user\": \"nobody\","
                          " \"access_log\": \"-\", \"allow_net\": true,"
                          " \"allow_private\": \"127.0.0.1/32\", \"cgroup_root\": \"/x\","
                          " \"allow_no_landlock\": true,"
                          " \"default_limits\": {\"memory_bytes\": 134217728},"
                          " \"max_limits\": {\"wall_ms\": 120000, \"cpus\": 2}}",
                          &err),
                     0, "%s", err.message);
        cr_assert_eq(c.n_listen, 2);
        cr_assert_str_eq(c.listen[1], "unix:/run/a.sock");
        cr_assert_eq(c.max_concurrent, 3);
        cr_assert_eq(c.queue_size, 5);
        cr_assert_eq(c.max_body_bytes, MIB);
        cr_assert_eq(c.client_timeout_s, 120);
        cr_assert_eq(c.grace_s, 7);
        cr_assert_str_eq(c.keys_file, "/k");
        cr_assert(c.allow_net);
        cr_assert(c.allow_no_landlock);
        cr_assert_eq(c.n_allow_private, 1);
        cr_assert_eq(c.default_limits.memory_bytes, 128 * MIB);
        cr_assert_eq(c.max_limits.wall_ms, 120000);
        cr_assert_eq(c.max_limits.cpu_milli, 2000);
        cr_assert_eq(serve_config_validate(&c, false, &err), 0, "%s", err.message);
        serve_config_done(&c);
}

static void load_bad(const char *text, const char *want)
{
        ServeConfig c;
        AirlockError err = {0};

        serve_config_init(&c);
        cr_assert_lt(load(&c, text, &err), 0, "%s", text);
        cr_assert_eq(err.kind, AIRLOCK_ERR_USAGE);
        cr_assert(strstr(err.message, want), "%s: '%s' lacks '%s'", text, err.message, want);
        serve_config_done(&c);
}

Test(serve_config, file_errors)
{
        load_bad("{\"max_concurent\": 3}", "max_concurent: unknown key");
        load_bad("{\"max_concurrent\": \"3\"}", "max_concurrent: expected a whole number");
        load_bad("{\"max_concurrent\": -1}", "max_concurrent");
        load_bad("{\"listen\": 5}", "listen: expected a string");
        load_bad("{\"allow_net\": 1}", "allow_net: expected true or false");
        load_bad("{\"max_body_bytes\": \"lots\"}", "max_body_bytes: expected a size");
        load_bad("{\"default_limits\": {\"memory\": 1}}", "default_limits.memory: unknown limit");
        load_bad("{\"max_limits\": {\"pids\": 0}}", "max_limits.pids: 0 is under the minimum 1");
        load_bad("{\"a\": 1, \"a\": 2}", "duplicate");
        load_bad("[1]", "expected a JSON object");
        load_bad("{", "line 1");
}

static void validate_bad(void (*tweak)(ServeConfig *), bool have_keys, const char *want)
{
        ServeConfig c;
        AirlockError err = {0};

        serve_config_init(&c);
        tweak(&c);
        cr_assert_lt(serve_config_validate(&c, have_keys, &err), 0, "%s", want);
        cr_assert(strstr(err.message, want), "'%s' lacks '%s'", err.message, want);
        serve_config_done(&c);
}

static void set_listen(ServeConfig *c, const char *spec)
{
        c->listen = calloc(2, sizeof(char *));
        c->listen[0] = strdup(spec);
        c->n_listen = 1;
}

static void public_listen(ServeConfig *c)
{
        set_listen(c, "0.0.0.0:8080");
}
static void v6_any(ServeConfig *c)
{
        set_listen(c, "[::]:8080");
}
static void bad_port(ServeConfig *c)
{
        set_listen(c, "127.0.0.1:0");
}
static void relative_unix(ServeConfig *c)
{
        set_listen(c, "unix:run/a.sock");
}
static void named_host(ServeConfig *c)
{
        set_listen(c, "example.org:80");
}
static void too_many_slots(ServeConfig *c)
{
        c->max_concurrent = SERVE_MAX_CONCURRENT + 1;
}
static void default_over_max(ServeConfig *c)
{
        c->default_limits.memory_bytes = 2 * GIB;
}
static void bad_private(ServeConfig *c)
{
        c->allow_private = calloc(2, sizeof(char *));
        c->allow_private[0] = strdup("not-a-cidr");
        c->n_allow_private = 1;
}

Test(serve_config, validate_errors)
{
        validate_bad(public_listen, false, "refusing to serve without API keys");
        validate_bad(v6_any, false, "refusing to serve without API keys");
        validate_bad(bad_port, true, "expected HOST:PORT");
        validate_bad(relative_unix, true, "unix:/absolute/path");
        validate_bad(named_host, true, "IP address or localhost");
        validate_bad(too_many_slots, false, "over the maximum");
        validate_bad(default_over_max, false, "default_limits.memory_bytes is over max_limits");
        validate_bad(bad_private, false, "not-a-cidr");
}

Test(serve_config, loopback_and_keys)
{
        static const char *const ok_without_keys[] = {
            "127.0.0.1:1", "127.1.2.3:80", "[::1]:80", "localhost:80", "unix:/tmp/x.sock", NULL};

        for (size_t i = 0; ok_without_keys[i]; i++) {
                ServeConfig c;
                AirlockError err = {0};

                serve_config_init(&c);
                set_listen(&c, ok_without_keys[i]);
                cr_assert_eq(serve_config_validate(&c, false, &err), 0, "%s: %s",
                             ok_without_keys[i], err.message);
                serve_config_done(&c);
        }
        ServeConfig c;
        AirlockError err = {0};

        serve_config_init(&c);
        set_listen(&c, "0.0.0.0:8080");
        cr_assert_eq(serve_config_validate(&c, true, &err), 0, "%s", err.message);
        serve_config_done(&c);
}
