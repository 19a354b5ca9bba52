/* Everything `airlock serve` is told, by flags or by the JSON file --config names (the same
 * names: a flag --max-concurrent is the key "max_concurrent"). Validated once at start. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/error.h"
#include "config/config.h"

#define SERVE_DEFAULT_QUEUE          64U
#define SERVE_DEFAULT_BODY_BYTES     (16ULL * 1024 * 1024)
#define SERVE_DEFAULT_INLINE_BYTES   (16ULL * 1024 * 1024) /* collected files, in total */
#define SERVE_DEFAULT_CLIENT_TIMEOUT 30U                   /* s: a stalled upload or reader */
#define SERVE_DEFAULT_GRACE          30U                   /* s: SIGTERM drain */
#define SERVE_MAX_LISTEN             8
#define SERVE_MAX_CONCURRENT         1024U
#define SERVE_MAX_QUEUE              65536U

typedef struct ServeConfig {
        char **listen; /* "127.0.0.1:8080", "[::1]:8080" or "unix:/run/airlock.sock" */
        size_t n_listen;
        uint32_t max_concurrent; /* sandboxes at once; 0: 2 x online cores */
        uint32_t queue_size;     /* requests waiting for a sandbox beyond that; then 429 */
        uint64_t max_body_bytes; /* 413 beyond */
        uint64_t max_inline_bytes;
        uint32_t client_timeout_s;
        uint32_t grace_s;
        char *keys_file;              /* NULL: AIRLOCK_API_KEYS from the environment, or no auth */
        uint32_t per_key_concurrency; /* 0: max_concurrent */
        AirlockLimits default_limits; /* what a request gets when it says nothing */
        AirlockLimits max_limits;     /* what a request may ask for at most (422 beyond) */
        char *user;                   /* as root: the front end's uid (default "nobody") */
        char *access_log;             /* NULL or "-": stderr; else a file, appended */
        bool allow_net;               /* requests may carry a "network" allow-list */
        char **allow_private;         /* CIDRs the gateway may reach (tests: 127.0.0.1/32) */
        size_t n_allow_private;
        char *cgroup_root;      /* NULL: /sys/fs/cgroup */
        bool allow_no_landlock; /* serve on a kernel without Landlock (asked for by name) */
} ServeConfig;

void serve_config_init(ServeConfig *c); /* defaults */
void serve_config_done(ServeConfig *c);

/* Reads the --config file; keys it does not know are errors (a typo must not silently leave a
 * default in force). Errors are AIRLOCK_ERR_USAGE: "FILE: key: what". */
int serve_config_load_file(ServeConfig *c, const char *path, AirlockError *err);

/* After flags and file: fills 0-defaults, checks bounds, refuses to listen beyond loopback
 * without keys. */
int serve_config_validate(ServeConfig *c, bool have_keys, AirlockError *err);
