/* The program's environment is built from nothing: the fixed base, then --env. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "config/limits.h"
#include "sandbox/environ.h"

static const char *const base[] = {
    "PATH=" AIRLOCK_PATH_ENV,     "LANG=C.UTF-8",
    "HOME=" AIRLOCK_HOME_DIR,     "TMPDIR=/tmp",
    "USER=" AIRLOCK_SANDBOX_USER, "LOGNAME=" AIRLOCK_SANDBOX_USER,
    "PWD=" AIRLOCK_SCRATCH_DIR,   "MPLBACKEND=Agg",
};

static size_t count(char **envp)
{
        size_t n = 0;

        while (envp[n])
                n++;
        return n;
}

static const char *lookup(char **envp, const char *name)
{
        size_t len = strlen(name);

        for (char **p = envp; *p; p++)
                if (strncmp(*p, name, len) == 0 && (*p)[len] == '=')
                        return *p + len + 1;
        return NULL;
}

/* Markers in our own environment that must not reach the program. */
static void plant_markers(void)
{
        cr_assert_eq(setenv("AIRLOCK_TEST_LEAK", "leaked", 1), 0);
        cr_assert_eq(setenv("HOME", "/leaked/home", 1), 0);
        cr_assert_eq(setenv("LD_PRELOAD", "/leaked.so", 1), 0);
        cr_assert_eq(setenv("PATH", "/leaked/bin", 1), 0);
}

static void assert_nothing_leaked(char **envp)
{
        for (char **p = envp; *p; p++)
                cr_assert_null(strstr(*p, "leaked"), "leaked: '%s'", *p);
        cr_assert_null(lookup(envp, "AIRLOCK_TEST_LEAK"));
        cr_assert_null(lookup(envp, "LD_PRELOAD"));
}

Test(environ, exactly_the_base)
{
        AirlockConfig c;
        char **envp = NULL;

        plant_markers();
        airlock_config_init(&c);
        cr_assert_eq(environ_build(&c, &envp), 0);
        cr_assert_eq(count(envp), ELEMENTSOF(base));
        for (size_t i = 0; i < ELEMENTSOF(base); i++)
                cr_assert_str_eq(envp[i], base[i]);
        assert_nothing_leaked(envp);
        environ_free(envp);
        airlock_config_done(&c);
}

Test(environ, env_entries_added_and_overriding)
{
        AirlockConfig c;
        AirlockError err = {0};
        char **envp = NULL;

        plant_markers();
        airlock_config_init(&c);
        cr_assert_eq(airlock_config_add_env(&c, "FOO=bar", &err), 0);
        cr_assert_eq(airlock_config_add_env(&c, "PATH=/opt/bin", &err), 0);
        cr_assert_eq(airlock_config_add_env(&c, "HOME=/work", &err), 0);
        cr_assert_eq(airlock_config_add_env(&c, "EMPTY=", &err), 0);
        cr_assert_eq(airlock_config_add_env(&c, "FOO=baz", &err), 0); /* the last one wins */
        cr_assert_eq(airlock_config_add_env(&c, "PA=x", &err), 0);    /* a prefix is another name */
        cr_assert_eq(airlock_config_add_env(&c, "X=a=b", &err), 0);
        cr_assert_eq(environ_build(&c, &envp), 0);

        cr_assert_eq(count(envp), ELEMENTSOF(base) + 4);
        cr_assert_str_eq(lookup(envp, "PATH"), "/opt/bin");
        cr_assert_str_eq(envp[0], "PATH=/opt/bin", "an override keeps its place");
        cr_assert_str_eq(lookup(envp, "HOME"), "/work");
        cr_assert_str_eq(lookup(envp, "FOO"), "baz");
        cr_assert_str_eq(lookup(envp, "EMPTY"), "");
        cr_assert_str_eq(lookup(envp, "PA"), "x");
        cr_assert_str_eq(lookup(envp, "X"), "a=b");
        cr_assert_str_eq(lookup(envp, "LANG"), "C.UTF-8");
        cr_assert_str_eq(lookup(envp, "MPLBACKEND"), "Agg");
        assert_nothing_leaked(envp);
        for (size_t i = 0; envp[i]; i++)
                for (size_t j = i + 1; envp[j]; j++)
                        cr_assert(strcspn(envp[i], "=") != strcspn(envp[j], "=") ||
                                      strncmp(envp[i], envp[j], strcspn(envp[i], "=")) != 0,
                                  "'%s' and '%s' name the same variable", envp[i], envp[j]);
        environ_free(envp);
        airlock_config_done(&c);
}

Test(environ, many_entries)
{
        AirlockConfig c;
        AirlockError err = {0};
        char **envp = NULL;

        airlock_config_init(&c);
        for (int i = 0; i < AIRLOCK_MAX_ENV; i++) {
                char kv[32];

                snprintf(kv, sizeof(kv), "V%d=%d", i, i);
                cr_assert_eq(airlock_config_add_env(&c, kv, &err), 0);
        }
        cr_assert_eq(environ_build(&c, &envp), 0);
        cr_assert_eq(count(envp), ELEMENTSOF(base) + AIRLOCK_MAX_ENV);
        cr_assert_str_eq(lookup(envp, "V255"), "255");
        environ_free(envp);
        airlock_config_done(&c);
}

Test(environ, strv_copy_is_deep)
{
        char *v[] = {(char *)"A=1", (char *)"B=2", NULL};
        char *none[] = {NULL};
        char **copy = strv_copy(v), **empty = strv_copy(none);

        cr_assert_not_null(copy);
        cr_assert_str_eq(copy[0], "A=1");
        cr_assert_str_eq(copy[1], "B=2");
        cr_assert_null(copy[2]);
        cr_assert_neq(copy[0], v[0]);
        cr_assert_not_null(empty);
        cr_assert_null(empty[0]);
        environ_free(copy);
        environ_free(empty);
        environ_free(NULL);
}

/* --allow-net: the proxy variables, and NODE_OPTIONS preloading the Node shim (node ignores the
 * proxy variables); no network, no NODE_OPTIONS at all (node fails on a missing preload). */
Test(environ, allow_net_adds_proxy_and_node_shim)
{
        AirlockConfig c;
        AirlockError err = {0};
        char **envp = NULL;

        airlock_config_init(&c);
        cr_assert_eq(airlock_config_add_allow_net(&c, "example.org", &err), 0);
        cr_assert_eq(environ_build(&c, &envp), 0);
        cr_assert_str_eq(lookup(envp, "HTTPS_PROXY"), "http://127.0.0.1:3128");
        cr_assert_str_eq(lookup(envp, "NODE_OPTIONS"), "--require /etc/airlock/node-proxy.js");
        cr_assert_eq(count(envp), ELEMENTSOF(base) + 7);
        environ_free(envp);
        airlock_config_done(&c);
}

Test(environ, node_options_of_the_caller_kept_after_ours)
{
        AirlockConfig c;
        AirlockError err = {0};
        char **envp = NULL;

        airlock_config_init(&c);
        cr_assert_eq(airlock_config_add_env(&c, "NODE_OPTIONS=--max-old-space-size=64", &err), 0);
        cr_assert_eq(environ_build(&c, &envp), 0);
        cr_assert_str_eq(lookup(envp, "NODE_OPTIONS"), "--max-old-space-size=64", "no network");
        environ_free(envp);

        cr_assert_eq(airlock_config_add_allow_net(&c, "example.org", &err), 0);
        cr_assert_eq(environ_build(&c, &envp), 0);
        cr_assert_str_eq(lookup(envp, "NODE_OPTIONS"),
                         "--require /etc/airlock/node-proxy.js --max-old-space-size=64");
        cr_assert_eq(count(envp), ELEMENTSOF(base) + 7, "one NODE_OPTIONS, not two");
        environ_free(envp);

        cr_assert_eq(airlock_config_add_env(&c, "NODE_OPTIONS=", &err), 0);
        cr_assert_eq(environ_build(&c, &envp), 0);
        cr_assert_str_eq(lookup(envp, "NODE_OPTIONS"), "--require /etc/airlock/node-proxy.js");
        environ_free(envp);
        airlock_config_done(&c);
}
