/* airlock_config_validate: every bound of config/limits.h at its edges, the command, and the
 * files the options name. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "config/limits.h"

static AirlockConfig c;
static char *cmd[] = {(char *)"/bin/true", NULL};
static char tmpdir[] = "/tmp/airlock-test-validate-XXXXXX";

static void setup(void)
{
        airlock_config_init(&c);
        c.argv = cmd;
        cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
        char path[256];

        airlock_config_done(&c);
        snprintf(path, sizeof(path), "rm -rf '%s'", tmpdir);
        (void)!system(path);
        strcpy(tmpdir, "/tmp/airlock-test-validate-XXXXXX");
}

TestSuite(validate, .init = setup, .fini = teardown);

/* Field by field: the padding of a compound-literal assignment is unspecified. */
static bool limits_eq(const AirlockLimits *a, const AirlockLimits *b)
{
        return a->memory_bytes == b->memory_bytes && a->wall_ms == b->wall_ms &&
               a->cpu_ms == b->cpu_ms && a->pids == b->pids && a->cpu_milli == b->cpu_milli &&
               a->stdout_bytes == b->stdout_bytes && a->stderr_bytes == b->stderr_bytes &&
               a->scratch_bytes == b->scratch_bytes && a->tmp_bytes == b->tmp_bytes &&
               a->nofile == b->nofile && a->fsize_bytes == b->fsize_bytes &&
               a->collect_bytes == b->collect_bytes;
}

static void assert_refused(const char *opt, const char *what)
{
        AirlockError err = {0};

        cr_assert_lt(airlock_config_validate(&c, &err), 0, "%s: accepted", what);
        cr_assert_eq(err.kind, AIRLOCK_ERR_USAGE, "%s: kind %d", what, err.kind);
        cr_assert_str_eq(err.step, opt, "%s: step '%s'", what, err.step);
}

static void assert_accepted(const char *what)
{
        AirlockError err = {0};

        cr_assert_eq(airlock_config_validate(&c, &err), 0, "%s: %s: %s", what, err.step,
                     err.message);
}

/* Each limit, where it lives, how wide it is, its bounds and the option that sets it. */
static const struct {
        const char *opt;
        size_t offset, size;
        uint64_t lo, hi;
} bounds[] = {
#define B(field, lo, hi, opt)                                                                      \
        {                                                                                          \
                opt, offsetof(AirlockLimits, field), sizeof(((AirlockLimits *)0)->field), lo, hi   \
        }
    B(memory_bytes, AIRLOCK_MIN_MEMORY, AIRLOCK_MAX_MEMORY, "--memory"),
    B(wall_ms, AIRLOCK_MIN_WALL_MS, AIRLOCK_MAX_WALL_MS, "--time"),
    B(cpu_ms, AIRLOCK_MIN_WALL_MS, AIRLOCK_MAX_WALL_MS, "--cpu-time"),
    B(pids, AIRLOCK_MIN_PIDS, AIRLOCK_MAX_PIDS, "--pids"),
    B(cpu_milli, AIRLOCK_MIN_CPU_MILLI, AIRLOCK_MAX_CPU_MILLI, "--cpus"),
    B(stdout_bytes, 0, AIRLOCK_MAX_OUTPUT, "--output"),
    B(stderr_bytes, 0, AIRLOCK_MAX_OUTPUT, "--output"),
    B(scratch_bytes, AIRLOCK_MIN_FS_SIZE, AIRLOCK_MAX_FS_SIZE, "--scratch"),
    B(tmp_bytes, AIRLOCK_MIN_FS_SIZE, AIRLOCK_MAX_FS_SIZE, "--tmp"),
    B(nofile, AIRLOCK_MIN_NOFILE, AIRLOCK_MAX_NOFILE, "--nofile"),
    B(fsize_bytes, 0, AIRLOCK_MAX_FSIZE, "--fsize"),
    B(collect_bytes, 0, AIRLOCK_MAX_FS_SIZE, "--collect-max"),
#undef B
};

static void set_limit(size_t i, uint64_t v)
{
        char *p = (char *)&c.limits + bounds[i].offset;

        if (bounds[i].size == sizeof(uint32_t)) {
                uint32_t v32 = (uint32_t)v;

                cr_assert_eq(v32, v, "%s: %llu does not fit the field", bounds[i].opt,
                             (unsigned long long)v);
                memcpy(p, &v32, sizeof(v32));
        } else
                memcpy(p, &v, sizeof(v));
}

Test(validate, defaults_accepted)
{
        AirlockLimits def;

        airlock_limits_default(&def);
        cr_assert(limits_eq(&def, &c.limits));
        cr_assert_eq(def.memory_bytes, AIRLOCK_DEFAULT_MEMORY);
        cr_assert_eq(def.wall_ms, AIRLOCK_DEFAULT_WALL_MS);
        assert_accepted("defaults");
}

Test(validate, every_limit_at_its_bounds)
{
        for (size_t i = 0; i < ELEMENTSOF(bounds); i++) {
                AirlockLimits def = c.limits;
                char what[96];

                set_limit(i, bounds[i].lo);
                snprintf(what, sizeof(what), "%s at min", bounds[i].opt);
                assert_accepted(what);
                set_limit(i, bounds[i].hi);
                snprintf(what, sizeof(what), "%s at max", bounds[i].opt);
                assert_accepted(what);
                set_limit(i, bounds[i].hi + 1);
                snprintf(what, sizeof(what), "%s at max+1", bounds[i].opt);
                assert_refused(bounds[i].opt, what);
                if (bounds[i].lo > 0) {
                        set_limit(i, bounds[i].lo - 1);
                        snprintf(what, sizeof(what), "%s at min-1", bounds[i].opt);
                        assert_refused(bounds[i].opt, what);
                }
                c.limits = def;
        }
}

Test(validate, zero_is_refused_where_a_minimum_exists)
{
        for (size_t i = 0; i < ELEMENTSOF(bounds); i++) {
                AirlockLimits def = c.limits;

                if (bounds[i].lo == 0)
                        continue;
                set_limit(i, 0);
                assert_refused(bounds[i].opt, bounds[i].opt);
                c.limits = def;
        }
}

Test(validate, missing_command)
{
        static char *empty[] = {NULL};
        static char *empty_name[] = {(char *)"", NULL};

        c.argv = NULL;
        assert_refused("run", "argv NULL");
        c.argv = empty;
        assert_refused("run", "argv {NULL}");
        c.argv = empty_name;
        assert_refused("run", "argv {\"\"}");
}

Test(validate, argument_count_bounded)
{
        char **argv = calloc(AIRLOCK_MAX_ARGS + 2, sizeof(char *));

        cr_assert_not_null(argv);
        for (int i = 0; i < AIRLOCK_MAX_ARGS; i++)
                argv[i] = (char *)"x";
        c.argv = argv;
        assert_accepted("AIRLOCK_MAX_ARGS arguments");
        argv[AIRLOCK_MAX_ARGS] = (char *)"x";
        assert_refused("run", "AIRLOCK_MAX_ARGS+1 arguments");
        c.argv = cmd;
        free(argv);
}

Test(validate, collect_needs_out_dir)
{
        AirlockError err = {0};

        cr_assert_eq(airlock_config_add_collect(&c, "*.png", &err), 0);
        assert_refused("--collect", "--collect without --out-dir");
        c.out_dir = strdup(tmpdir);
        assert_accepted("--collect with --out-dir");
}

Test(validate, out_dir_must_be_a_directory)
{
        char file[128];
        int fd;

        snprintf(file, sizeof(file), "%s/file", tmpdir);
        fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        cr_assert_geq(fd, 0);
        close(fd);
        c.out_dir = strdup(file);
        assert_refused("--out-dir", "--out-dir FILE");
        free(c.out_dir);
        c.out_dir = strdup("/nonexistent/airlock");
        assert_refused("--out-dir", "--out-dir missing");
}

Test(validate, copy_source_must_exist)
{
        AirlockError err = {0};
        char path[128], spec[160];

        snprintf(path, sizeof(path), "%s/missing.csv", tmpdir);
        cr_assert_eq(airlock_config_add_copy(&c, path, &err), 0);
        cr_assert_eq(airlock_config_validate(&c, &err), -ENOENT);
        cr_assert_eq(err.kind, AIRLOCK_ERR_USAGE);
        cr_assert_str_eq(err.step, "--copy");
        cr_assert_eq(err.errnum, ENOENT);
        cr_assert(strstr(err.message, "missing.csv"), "message '%s'", err.message);

        /* A directory and a regular file are fine. */
        airlock_config_done(&c);
        airlock_config_init(&c);
        c.argv = cmd;
        snprintf(spec, sizeof(spec), "%s:dir", tmpdir);
        cr_assert_eq(airlock_config_add_copy(&c, spec, &err), 0);
        assert_accepted("--copy of a directory");
}

Test(validate, copy_source_must_be_file_or_directory)
{
        AirlockError err = {0};
        char path[128];

        snprintf(path, sizeof(path), "%s/fifo", tmpdir);
        cr_assert_eq(mkfifo(path, 0600), 0);
        cr_assert_eq(airlock_config_add_copy(&c, path, &err), 0);
        assert_refused("--copy", "--copy FIFO");
}

Test(validate, bind_source_must_exist)
{
        AirlockError err = {0};

        cr_assert_eq(airlock_config_add_bind(&c, "/nonexistent/airlock:/data", false, &err), 0);
        assert_refused("--ro-bind", "--ro-bind missing");
        airlock_config_done(&c);
        airlock_config_init(&c);
        c.argv = cmd;
        cr_assert_eq(airlock_config_add_bind(&c, "/nonexistent/airlock:/data", true, &err), 0);
        assert_refused("--bind", "--bind missing");
}

Test(validate, rootfs_and_stdin)
{
        c.rootfs = strdup("/nonexistent/airlock");
        assert_refused("--rootfs", "--rootfs missing");
        free(c.rootfs);
        c.rootfs = strdup(tmpdir);
        assert_accepted("--rootfs DIR");

        c.stdin_path = strdup(tmpdir);
        assert_refused("--stdin", "--stdin DIR");
        free(c.stdin_path);
        c.stdin_path = strdup("-");
        assert_accepted("--stdin -");
}

Test(validate, uid_range)
{
        c.uid_count = 0;
        assert_refused("--uid-range", "count 0");
        c.uid_count = 10;
        c.uid_base = 0;
        assert_refused("--uid-range", "base 0");
        c.uid_base = UINT32_MAX - 9;
        assert_refused("--uid-range", "range reaching 2^32");
        c.uid_base = UINT32_MAX - 10;
        assert_accepted("range ending just below 2^32");
}
