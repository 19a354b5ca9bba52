/* airlock serve: parse flags (after the --config file, so flags win), then hand over to the
 * launcher. Everything else lives in src/server. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "basic/parse.h"
#include "commands.h"
#include "sandbox/result.h"
#include "server/launcher.h"
#include "server/serve-config.h"

enum {
        OPT_LISTEN = 0x100,
        OPT_CONFIG,
        OPT_MAX_CONCURRENT,
        OPT_QUEUE,
        OPT_MAX_BODY,
        OPT_KEYS,
        OPT_PER_KEY,
        OPT_USER,
        OPT_ACCESS_LOG,
        OPT_GRACE,
        OPT_CLIENT_TIMEOUT,
        OPT_ALLOW_NET,
        OPT_ALLOW_PRIVATE,
        OPT_CGROUP_ROOT,
        OPT_ALLOW_NO_LANDLOCK,
        OPT_HELP,
};

static const struct option options[] = {
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"max-concurrent", required_argument, NULL, OPT_MAX_CONCURRENT},
    {"queue", required_argument, NULL, OPT_QUEUE},
    {"max-body", required_argument, NULL, OPT_MAX_BODY},
    {"keys", required_argument, NULL, OPT_KEYS},
    {"per-key-concurrency", required_argument, NULL, OPT_PER_KEY},
    {"user", required_argument, NULL, OPT_USER},
    {"access-log", required_argument, NULL, OPT_ACCESS_LOG},
    {"grace", required_argument, NULL, OPT_GRACE},
    {"client-timeout", required_argument, NULL, OPT_CLIENT_TIMEOUT},
    {"allow-net", no_argument, NULL, OPT_ALLOW_NET},
    {"allow-private", required_argument, NULL, OPT_ALLOW_PRIVATE},
    {"cgroup-root", required_argument, NULL, OPT_CGROUP_ROOT},
    {"allow-no-landlock", no_argument, NULL, OPT_ALLOW_NO_LANDLOCK},
    {"help", no_argument, NULL, OPT_HELP},
    {},
};

static void usage(FILE *f)
{
        fputs("usage: airlock serve [OPTIONS]\n\n"
              "Runs the HTTP/JSON execution service (docs/API.md, docs/openapi.yaml).\n\n"
              "  --listen ADDR            127.0.0.1:8080 (default), [::1]:8080, unix:/PATH;\n"
              "                           repeat for more (at most 8)\n"
              "  --config FILE            JSON with the same settings (flags win)\n"
              "  --max-concurrent N       sandboxes at once (default: 2 x cores)\n"
              "  --queue N                requests waiting beyond that (default 64; then 429)\n"
              "  --max-body SIZE          request body cap (default 16M; then 413)\n"
              "  --keys FILE              API keys, one NAME:SECRET[:CONCURRENCY] a line\n"
              "                           (default: $AIRLOCK_API_KEYS, comma-separated; none:\n"
              "                           no auth, and only loopback or unix listening)\n"
              "  --per-key-concurrency N  runs at once per key (default: --max-concurrent)\n"
              "  --user NAME              as root: the front end's user (default nobody)\n"
              "  --access-log FILE        JSON lines (default: stderr)\n"
              "  --grace DURATION         SIGTERM drain period (default 30s)\n"
              "  --client-timeout DURATION  stalled clients are dropped (default 30s)\n"
              "  --allow-net              requests may carry a network allow-list\n"
              "  --allow-private CIDR     the gateway may reach this private range\n"
              "  --cgroup-root PATH       where cgroups are (default /sys/fs/cgroup)\n"
              "  --allow-no-landlock      serve on a kernel without Landlock\n\n"
              "SIGTERM drains (running sandboxes finish within the grace period, then end as\n"
              "cancelled); SIGHUP reloads the keys.\n",
              f);
}

static int fail(const char *opt, const char *arg)
{
        fprintf(stderr, "airlock: serve: %s: invalid value '%s' (see airlock serve --help)\n", opt,
                arg);
        return -EINVAL;
}

/* "--queue" for OPT_QUEUE: argv[optind - 1] is the value, not the flag, for "--queue 5". */
static const char *option_name(int opt, char buf[static 64])
{
        for (const struct option *o = options; o->name; o++)
                if (o->val == opt) {
                        snprintf(buf, 64, "--%s", o->name);
                        return buf;
                }
        return "option";
}

static int set_strv(char ***v, size_t *n, size_t max, const char *opt, const char *arg)
{
        char **grown;

        if (*n >= max) {
                fprintf(stderr, "airlock: serve: %s: at most %zu\n", opt, max);
                return -E2BIG;
        }
        grown = realloc(*v, (*n + 1) * sizeof(char *));
        if (!grown)
                return -ENOMEM;
        *v = grown;
        grown[*n] = strdup(arg);
        if (!grown[*n])
                return -ENOMEM;
        (*n)++;
        return 0;
}

static int set_string(char **field, const char *arg)
{
        free(*field);
        *field = strdup(arg);
        return *field ? 0 : -ENOMEM;
}

static int seconds(const char *opt, const char *arg, uint32_t *ret)
{
        uint64_t ms;

        if (parse_duration_ms(arg, &ms) < 0 || ms / 1000 > UINT32_MAX)
                return fail(opt, arg);
        *ret = (uint32_t)((ms + 999) / 1000);
        return 0;
}

static int apply_option(ServeConfig *c, int opt, const char *name, const char *arg,
                        bool *listen_from_flags)
{
        uint64_t u64;

        switch (opt) {
        case OPT_LISTEN:
                /* Flags replace the file's list rather than adding to it. */
                if (!*listen_from_flags) {
                        for (size_t i = 0; i < c->n_listen; i++)
                                free(c->listen[i]);
                        c->n_listen = 0;
                        *listen_from_flags = true;
                }
                return set_strv(&c->listen, &c->n_listen, SERVE_MAX_LISTEN, name, arg);
        case OPT_MAX_CONCURRENT:
                return parse_uint32(arg, &c->max_concurrent) < 0 ? fail(name, arg) : 0;
        case OPT_QUEUE:
                return parse_uint32(arg, &c->queue_size) < 0 ? fail(name, arg) : 0;
        case OPT_MAX_BODY:
                if (parse_size(arg, &u64) < 0)
                        return fail(name, arg);
                c->max_body_bytes = u64;
                return 0;
        case OPT_KEYS:
                return set_string(&c->keys_file, arg);
        case OPT_PER_KEY:
                return parse_uint32(arg, &c->per_key_concurrency) < 0 ? fail(name, arg) : 0;
        case OPT_USER:
                return set_string(&c->user, arg);
        case OPT_ACCESS_LOG:
                return set_string(&c->access_log, arg);
        case OPT_GRACE:
                return seconds(name, arg, &c->grace_s);
        case OPT_CLIENT_TIMEOUT:
                return seconds(name, arg, &c->client_timeout_s);
        case OPT_ALLOW_NET:
                c->allow_net = true;
                return 0;
        case OPT_ALLOW_PRIVATE:
                return set_strv(&c->allow_private, &c->n_allow_private, 64, name, arg);
        case OPT_CGROUP_ROOT:
                return set_string(&c->cgroup_root, arg);
        case OPT_ALLOW_NO_LANDLOCK:
                c->allow_no_landlock = true;
                return 0;
        }
        return -EINVAL;
}

/* The --config file first (wherever it sits among the flags), then the flags over it. */
static int load_config_file(int argc, char **argv, ServeConfig *c)
{
        AirlockError err = {0};
        char line[512];

        for (int i = 1; i < argc; i++) {
                const char *path = NULL;

                if (strcmp(argv[i], "--") == 0)
                        break;
                if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
                        path = argv[i + 1];
                else if (strncmp(argv[i], "--config=", 9) == 0)
                        path = argv[i] + 9;
                if (path && serve_config_load_file(c, path, &err) < 0) {
                        airlock_error_format(&err, line, sizeof(line));
                        fprintf(stderr, "airlock: serve: %s\n", line);
                        return -EINVAL;
                }
        }
        return 0;
}

int cmd_serve(int argc, char **argv)
{
        ServeConfig c;
        bool listen_from_flags = false;
        char name[64];
        int opt, idx, code;

        serve_config_init(&c);
        if (load_config_file(argc, argv, &c) < 0) {
                serve_config_done(&c);
                return AIRLOCK_EXIT_USAGE;
        }
        optind = 1;
        opterr = 0; /* our own one-line messages below */
        while ((opt = getopt_long(argc, argv, ":h", options, &idx)) != -1) {
                if (opt == 'h' || opt == OPT_HELP) {
                        usage(stdout);
                        serve_config_done(&c);
                        return 0;
                }
                if (opt == OPT_CONFIG)
                        continue;
                if (opt == '?' || opt == ':') {
                        fprintf(stderr, "airlock: serve: %s '%s' (see airlock serve --help)\n",
                                opt == '?' ? "unknown option" : "a value is needed after",
                                argv[optind - 1]);
                        serve_config_done(&c);
                        return AIRLOCK_EXIT_USAGE;
                }
                if (apply_option(&c, opt, option_name(opt, name), optarg, &listen_from_flags) < 0) {
                        serve_config_done(&c);
                        return AIRLOCK_EXIT_USAGE;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "airlock: serve: unexpected argument '%s'\n", argv[optind]);
                serve_config_done(&c);
                return AIRLOCK_EXIT_USAGE;
        }
        code = launcher_main(&c);
        serve_config_done(&c);
        return code;
}
