/* The --copy/--bind/--ro-bind/--env/--collect appenders on fuzzed specs. Input: NUL-separated
 * records, the first byte of each picks the appender, the rest is its argument. Whatever they
 * accept must already be in the shape the sandbox relies on. */
#include <errno.h>
#include <stdio.h>

#include "basic/path.h"
#include "config/config.h"
#include "fuzz-util.h"

static void check_relative(const char *p)
{
        char *again = NULL;

        FUZZ_ASSERT(path_normalize_relative(p, NULL, &again) == 0);
        FUZZ_ASSERT(strcmp(p, again) == 0);
        free(again);
}

static bool reserved(const char *dst)
{
        static const char *const exact[] = {"/", "/proc", "/dev", "/etc", "/tmp", "/work"};

        for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
                if (strcmp(dst, exact[i]) == 0)
                        return true;
        return strncmp(dst, "/proc/", 6) == 0 || strncmp(dst, "/dev/", 5) == 0;
}

static void check_error(int r, const AirlockError *err, const char *opt)
{
        FUZZ_ASSERT(r < 0);
        if (r == -ENOMEM)
                return;
        FUZZ_ASSERT(err->kind == AIRLOCK_ERR_USAGE);
        FUZZ_ASSERT(strcmp(err->step, opt) == 0);
        FUZZ_ASSERT(err->message[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *v[64], *buf;
        size_t n = fuzz_split(data, size, v, 64, &buf);
        AirlockConfig c;

        airlock_config_init(&c);
        for (size_t i = 0; i < n; i++) {
                AirlockError err = {0};
                const char *arg = v[i][0] ? v[i] + 1 : v[i];
                size_t before;
                int r;

                switch ((unsigned char)v[i][0] % 5) {
                case 0:
                        before = c.n_copies;
                        r = airlock_config_add_copy(&c, arg, &err);
                        if (r < 0) {
                                check_error(r, &err, "--copy");
                                FUZZ_ASSERT(c.n_copies == before);
                                break;
                        }
                        FUZZ_ASSERT(c.n_copies == before + 1);
                        FUZZ_ASSERT(c.copies[before].host[0]);
                        check_relative(c.copies[before].dest);
                        break;
                case 1:
                case 2: {
                        bool writable = (unsigned char)v[i][0] % 5 == 2;

                        before = c.n_binds;
                        r = airlock_config_add_bind(&c, arg, writable, &err);
                        if (r < 0) {
                                check_error(r, &err, writable ? "--bind" : "--ro-bind");
                                FUZZ_ASSERT(c.n_binds == before);
                                break;
                        }
                        FUZZ_ASSERT(c.n_binds == before + 1);
                        FUZZ_ASSERT(c.binds[before].src[0] == '/');
                        FUZZ_ASSERT(c.binds[before].dst[0] == '/');
                        FUZZ_ASSERT(c.binds[before].writable == writable);
                        FUZZ_ASSERT(!reserved(c.binds[before].dst));
                        check_relative(c.binds[before].dst + 1);
                        break;
                }
                case 3: {
                        const char *eq;

                        before = c.n_env;
                        r = airlock_config_add_env(&c, arg, &err);
                        if (r < 0) {
                                check_error(r, &err, "--env");
                                FUZZ_ASSERT(c.n_env == before);
                                break;
                        }
                        eq = strchr(c.env[before], '=');
                        FUZZ_ASSERT(eq && eq != c.env[before]);
                        FUZZ_ASSERT(!(c.env[before][0] >= '0' && c.env[before][0] <= '9'));
                        FUZZ_ASSERT(strcmp(c.env[before], arg) == 0);
                        break;
                }
                case 4:
                        before = c.n_collect;
                        r = airlock_config_add_collect(&c, arg, &err);
                        if (r < 0) {
                                check_error(r, &err, "--collect");
                                FUZZ_ASSERT(c.n_collect == before);
                                break;
                        }
                        check_relative(c.collect[before]);
                        break;
                }
        }
        airlock_config_done(&c);
        free(buf);
        return 0;
}
