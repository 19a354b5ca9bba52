#include "environ.h"

#include <stdio.h>
#include <string.h>

#include "basic/macros.h"
#include "config/limits.h"
#include "net/gateway.h"
#include "net/node-proxy.h"

#define STR_(x) #x
#define STR(x)  STR_(x)

static const char *const base_env[] = {
    "PATH=" AIRLOCK_PATH_ENV,
    "LANG=C.UTF-8",
    "HOME=" AIRLOCK_HOME_DIR,
    "TMPDIR=/tmp",
    "USER=" AIRLOCK_SANDBOX_USER,
    "LOGNAME=" AIRLOCK_SANDBOX_USER,
    "PWD=" AIRLOCK_SCRATCH_DIR,
    /* Headless plotting: no display exists, and matplotlib must not go looking for one. */
    "MPLBACKEND=Agg",
};

void environ_free(char **envp)
{
        if (!envp)
                return;
        for (char **p = envp; *p; p++)
                free(*p);
        free(envp);
}

/* Index of the entry with the same NAME as kv, or -1. */
static ssize_t find_name(char **envp, size_t n, const char *kv)
{
        size_t len = strcspn(kv, "=");

        for (size_t i = 0; i < n; i++)
                if (strncmp(envp[i], kv, len) == 0 && envp[i][len] == '=')
                        return (ssize_t)i;
        return -1;
}

/* With --allow-net, everything that honours the usual variables goes through the gateway; no
 * NO_PROXY: the sandbox's own loopback has nothing to offer (Landlock refuses TCP bind), and
 * "localhost" through the gateway means the host's, only if --allow-private names it. */
#define PROXY_URL "http://127.0.0.1:" STR(AIRLOCK_PROXY_PORT)
static const char *const proxy_env[] = {
    "HTTP_PROXY=" PROXY_URL,  "HTTPS_PROXY=" PROXY_URL, "http_proxy=" PROXY_URL,
    "https_proxy=" PROXY_URL, "ALL_PROXY=" PROXY_URL,   "all_proxy=" PROXY_URL,
};

/* Node ignores the proxy variables: with --allow-net every node process preloads our shim
 * from the sandbox's /etc (etcfs.c). A NODE_OPTIONS given with --env is kept, after ours, so
 * that the shim is in place before the program's own preloads run. Only with --allow-net:
 * node refuses to start when a --require'd file is missing. */
static int add_node_options(char **envp, size_t *n)
{
        ssize_t at = find_name(envp, *n, "NODE_OPTIONS=");
        const char *theirs = at >= 0 ? envp[at] + strlen("NODE_OPTIONS=") : "";
        char *kv;

        if (asprintf(&kv, "NODE_OPTIONS=" NODE_PROXY_OPTION "%s%s", *theirs ? " " : "", theirs) < 0)
                return -ENOMEM;
        if (at >= 0) {
                free(envp[at]);
                envp[at] = kv;
        } else
                envp[(*n)++] = kv;
        return 0;
}

int environ_build(const AirlockConfig *c, char ***ret)
{
        size_t cap = ELEMENTSOF(base_env) + ELEMENTSOF(proxy_env) + c->n_env + 2, n = 0;
        char **envp = calloc(cap, sizeof(char *));

        if (!envp)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(base_env); i++) {
                envp[n] = strdup(base_env[i]);
                if (!envp[n++])
                        goto oom;
        }
        for (size_t i = 0; c->n_allow_net > 0 && i < ELEMENTSOF(proxy_env); i++) {
                envp[n] = strdup(proxy_env[i]);
                if (!envp[n++])
                        goto oom;
        }
        for (size_t i = 0; i < c->n_env; i++) {
                ssize_t at = find_name(envp, n, c->env[i]);
                char *copy = strdup(c->env[i]);

                if (!copy)
                        goto oom;
                if (at >= 0) {
                        free(envp[at]);
                        envp[at] = copy;
                } else
                        envp[n++] = copy;
        }
        if (c->n_allow_net > 0 && add_node_options(envp, &n) < 0)
                goto oom;
        *ret = envp;
        return 0;
oom:
        environ_free(envp);
        return -ENOMEM;
}

char **strv_copy(char *const *v)
{
        size_t n = 0;
        char **copy;

        while (v[n])
                n++;
        copy = calloc(n + 1, sizeof(char *));
        if (!copy)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                copy[i] = strdup(v[i]);
                if (!copy[i]) {
                        environ_free(copy);
                        return NULL;
                }
        }
        return copy;
}
