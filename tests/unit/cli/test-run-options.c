/* `airlock run` option parsing: every option with a good and a bad value, where our options
 * end and the command's begin, and the messages a user sees. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/run-options.h"
#include "config/limits.h"

static RunOptions o;
static AirlockError err;
static char *argv[32];

static void setup(void)
{
        run_options_init(&o);
        err = (AirlockError){0};
}

static void teardown(void)
{
        run_options_done(&o);
}

TestSuite(run_options, .init = setup, .fini = teardown);

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

/* Parses "run" followed by the given arguments (NULL-terminated). */
static int parse(const char *first, ...)
{
        va_list ap;
        int argc = 0;

        argv[argc++] = (char *)"run";
        va_start(ap, first);
        for (const char *a = first; a; a = va_arg(ap, const char *)) {
                cr_assert_lt(argc, (int)ELEMENTSOF(argv) - 1);
                argv[argc++] = (char *)a;
        }
        va_end(ap);
        argv[argc] = NULL;
        return run_options_parse(argc, argv, &o, &err);
}

static void reset(void)
{
        run_options_done(&o);
        run_options_init(&o);
        err = (AirlockError){0};
}

static void assert_usage_error(int r, const char *step, const char *what)
{
        cr_assert_lt(r, 0, "%s: accepted", what);
        cr_assert_eq(err.kind, AIRLOCK_ERR_USAGE, "%s: kind %d", what, err.kind);
        cr_assert_str_eq(err.step, step, "%s: step '%s' (%s)", what, err.step, err.message);
}

/* Each option that takes a value: one it must accept and some it must refuse. */
static const struct {
        const char *opt, *good, *bad[6];
} values[] = {
    {"--memory", "512M", {"lots", "-1", "1X", "", "1.5", "1 G"}},
    {"--time", "2.5s", {"5x", "-1s", "", "s", "1.s", "1e3"}},
    {"--cpu-time", "1h", {"fast", "1hh", "+1", ""}},
    {"--cpus", "0.5", {"half", "1/2", "-1", "1c", "", "5000000"}},
    {"--pids", "10", {"-1", "1.5", "99999999999", "ten", "", "0x10"}},
    {"--output", "2M", {"1Q", "-5", "M", ""}},
    {"--scratch", "64M", {"M", "1 G", "64MM", ""}},
    {"--tmp", "1G", {"1 G", "G1", ""}},
    {"--nofile", "512", {"many", "4294967296", "-1", ""}},
    {"--fsize", "1T", {"0x10", "1P", ""}},
    {"--collect-max", "10M", {"big", "1.5", ""}},
    {"--copy", "a.txt:x", {"a.txt:../x", "a.txt:/etc/x", "", ":x"}},
    {"--ro-bind", "/usr:/u", {"rel", "/x:/proc", "/x:rel", "/x:/dev/sda"}},
    {"--bind", "/srv:/s", {"rel", "/x:/proc", "/x:/a/../etc", "/x:/work"}},
    {"--collect", "*.png", {"../*.png", "/etc/*", "", ".."}},
    {"--env", "A=1", {"=x", "1A=x", "NOVALUE", ""}},
    {"--uid-range",
     "100000:500",
     {"1000", "a:b", ":5", "5:", "99999999999:1", "123456789012345678901234567890123:1"}},
    {"--cgroup", "v2", {"v3", "", "V2", "auto "}},
    {"--audit", "full", {"on", "", "Full", "alerts,full"}},
};

Test(run_options, every_value_option_good_and_bad)
{
        for (size_t i = 0; i < ELEMENTSOF(values); i++) {
                char what[128];

                reset();
                cr_assert_eq(parse(values[i].opt, values[i].good, "cmd", NULL), 0, "%s %s: %s: %s",
                             values[i].opt, values[i].good, err.step, err.message);
                cr_assert_str_eq(o.config.argv[0], "cmd");
                cr_assert_null(o.config.argv[1]);
                for (size_t j = 0; j < ELEMENTSOF(values[i].bad) && values[i].bad[j]; j++) {
                        reset();
                        snprintf(what, sizeof(what), "%s '%s'", values[i].opt, values[i].bad[j]);
                        assert_usage_error(parse(values[i].opt, values[i].bad[j], "cmd", NULL),
                                           values[i].opt, what);
                        cr_assert_neq(err.message[0], '\0', "%s: no message", what);
                }
        }
}

Test(run_options, values_land_in_the_config)
{
        AirlockLimits *l = &o.config.limits;

        cr_assert_eq(parse("--memory", "512M", "--time", "2.5s", "--cpu-time", "1m", "--cpus",
                           "1.25", "--pids", "10", "--output", "2M", "--scratch", "1G", "--tmp",
                           "128K", "--nofile", "512", "--fsize", "3M", "--collect-max", "5M", "--",
                           "cmd", NULL),
                     0, "%s", err.message);
        cr_assert_eq(l->memory_bytes, 512 * MIB);
        cr_assert_eq(l->wall_ms, 2500);
        cr_assert_eq(l->cpu_ms, 60000);
        cr_assert_eq(l->cpu_milli, 1250);
        cr_assert_eq(l->pids, 10);
        cr_assert_eq(l->stdout_bytes, 2 * MIB);
        cr_assert_eq(l->stderr_bytes, 2 * MIB, "--output caps both streams");
        cr_assert_eq(l->scratch_bytes, GIB);
        cr_assert_eq(l->tmp_bytes, 128 * KIB);
        cr_assert_eq(l->nofile, 512);
        cr_assert_eq(l->fsize_bytes, 3 * MIB);
        cr_assert_eq(l->collect_bytes, 5 * MIB);
}

Test(run_options, defaults_when_nothing_given)
{
        AirlockLimits def;

        airlock_limits_default(&def);
        cr_assert_eq(parse("cmd", NULL), 0);
        cr_assert(limits_eq(&def, &o.config.limits));
        cr_assert_not(o.json);
        cr_assert_not(o.quiet);
        cr_assert_not(o.help);
        cr_assert_null(o.result_path);
        cr_assert_eq(o.config.cgroup_mode, AIRLOCK_CGROUP_AUTO);
}

Test(run_options, files_and_strings)
{
        AirlockConfig *c = &o.config;

        cr_assert_eq(parse("--copy", "a.txt:x", "--copy", "b.txt", "--ro-bind", "/usr:/u", "--bind",
                           "/srv:/s", "--rootfs", "/r", "--collect", "/work/*.png", "--out-dir",
                           "/o", "--stdin", "-", "--env", "A=1", "--env", "B=2", "--result",
                           "/r.json", "--uid-range", "100000:500", "--cgroup", "v1",
                           "--cgroup-root", "/fake", "cmd", NULL),
                     0, "%s", err.message);
        cr_assert_eq(c->n_copies, 2);
        cr_assert_str_eq(c->copies[0].dest, "x");
        cr_assert_str_eq(c->copies[1].dest, "b.txt");
        cr_assert_eq(c->n_binds, 2);
        cr_assert_not(c->binds[0].writable);
        cr_assert_str_eq(c->binds[0].dst, "/u");
        cr_assert(c->binds[1].writable);
        cr_assert_str_eq(c->rootfs, "/r");
        cr_assert_eq(c->n_collect, 1);
        cr_assert_str_eq(c->collect[0], "*.png");
        cr_assert_str_eq(c->out_dir, "/o");
        cr_assert_str_eq(c->stdin_path, "-");
        cr_assert_eq(c->n_env, 2);
        cr_assert_str_eq(o.result_path, "/r.json");
        cr_assert_eq(c->uid_base, 100000);
        cr_assert_eq(c->uid_count, 500);
        cr_assert_eq(c->cgroup_mode, AIRLOCK_CGROUP_V1);
        cr_assert_str_eq(c->cgroup_root, "/fake");
}

Test(run_options, cgroup_modes)
{
        static const struct {
                const char *v;
                AirlockCgroupMode mode;
        } modes[] = {
            {"auto", AIRLOCK_CGROUP_AUTO}, {"v1", AIRLOCK_CGROUP_V1}, {"v2", AIRLOCK_CGROUP_V2}};

        for (size_t i = 0; i < ELEMENTSOF(modes); i++) {
                reset();
                cr_assert_eq(parse("--cgroup", "v1", "--cgroup", modes[i].v, "cmd", NULL), 0);
                cr_assert_eq(o.config.cgroup_mode, modes[i].mode, "%s", modes[i].v);
        }
}

Test(run_options, single_valued_options_given_twice)
{
        static const char *const once[] = {"--rootfs",      "--out-dir", "--stdin", "--result",
                                           "--cgroup-root", "--events",  "--rules"};

        for (size_t i = 0; i < ELEMENTSOF(once); i++) {
                reset();
                assert_usage_error(parse(once[i], "/a", once[i], "/b", "cmd", NULL), once[i],
                                   once[i]);
        }
}

Test(run_options, audit_options)
{
        cr_assert_eq(o.config.audit_level, 1, "alerts by default");
        cr_assert_null(o.events_path);
        cr_assert_eq(parse("--audit", "off", "--events", "-", "--rules", "r.txt", "cmd", NULL), 0);
        cr_assert_eq(o.config.audit_level, 0);
        cr_assert_str_eq(o.events_path, "-");
        cr_assert_str_eq(o.config.rules_path, "r.txt");
        reset();
        cr_assert_eq(parse("--audit", "full", "cmd", NULL), 0);
        cr_assert_eq(o.config.audit_level, 2);
}

Test(run_options, flags)
{
        cr_assert_eq(parse("--json", "-q", "cmd", NULL), 0);
        cr_assert(o.json);
        cr_assert(o.quiet);
        reset();
        cr_assert_eq(parse("--quiet", "cmd", NULL), 0);
        cr_assert(o.quiet);
        reset();
        cr_assert_eq(parse("-qh", NULL), 0);
        cr_assert(o.quiet);
        cr_assert(o.help);
        reset();
        cr_assert_eq(parse("--help", NULL), 0);
        cr_assert(o.help);
}

Test(run_options, equals_form)
{
        cr_assert_eq(parse("--memory=1G", "--env=A=b=c", "cmd", NULL), 0);
        cr_assert_eq(o.config.limits.memory_bytes, GIB);
        cr_assert_str_eq(o.config.env[0], "A=b=c");
}

/* '+': everything from the first non-option on belongs to the command. */
Test(run_options, options_after_the_command_are_the_commands)
{
        cr_assert_eq(
            parse("--memory", "1G", "python3", "--memory", "2G", "-q", "--json", "--bogus", NULL),
            0);
        cr_assert_eq(o.config.limits.memory_bytes, GIB);
        cr_assert_not(o.quiet);
        cr_assert_not(o.json);
        cr_assert_str_eq(o.config.argv[0], "python3");
        cr_assert_str_eq(o.config.argv[1], "--memory");
        cr_assert_str_eq(o.config.argv[2], "2G");
        cr_assert_str_eq(o.config.argv[3], "-q");
        cr_assert_str_eq(o.config.argv[4], "--json");
        cr_assert_str_eq(o.config.argv[5], "--bogus");
        cr_assert_null(o.config.argv[6]);
}

Test(run_options, double_dash_ends_options)
{
        cr_assert_eq(parse("-q", "--", "--json", "-h", NULL), 0);
        cr_assert(o.quiet);
        cr_assert_not(o.json);
        cr_assert_not(o.help);
        cr_assert_str_eq(o.config.argv[0], "--json");
        cr_assert_str_eq(o.config.argv[1], "-h");
        reset();
        cr_assert_eq(parse("--", "cmd", "--", "x", NULL), 0);
        cr_assert_str_eq(o.config.argv[0], "cmd");
        cr_assert_str_eq(o.config.argv[1], "--");
}

Test(run_options, no_command_is_left_to_validation)
{
        cr_assert_eq(parse(NULL), 0);
        cr_assert_not_null(o.config.argv);
        cr_assert_null(o.config.argv[0]);
        reset();
        cr_assert_eq(parse("--json", "--", NULL), 0);
        cr_assert_null(o.config.argv[0]);
        cr_assert_lt(airlock_config_validate(&o.config, &err), 0);
        cr_assert_str_eq(err.step, "run");
}

Test(run_options, unknown_option_named)
{
        static const char *const unknown[] = {"--bogus", "--memoryy", "-x", "--json-x"};

        for (size_t i = 0; i < ELEMENTSOF(unknown); i++) {
                reset();
                assert_usage_error(parse(unknown[i], "cmd", NULL), "run", unknown[i]);
                cr_assert(strstr(err.message, "unknown option"), "%s: '%s'", unknown[i],
                          err.message);
                cr_assert(strstr(err.message, unknown[i]), "%s: '%s'", unknown[i], err.message);
        }
}

Test(run_options, missing_value_named)
{
        static const char *const opts[] = {"--memory",    "--time",   "--copy",  "--env",
                                           "--uid-range", "--cgroup", "--result"};

        for (size_t i = 0; i < ELEMENTSOF(opts); i++) {
                reset();
                assert_usage_error(parse("-q", opts[i], NULL), "run", opts[i]);
                cr_assert(strstr(err.message, "needs a value"), "%s: '%s'", opts[i], err.message);
                cr_assert(strstr(err.message, opts[i]), "%s: '%s'", opts[i], err.message);
        }
}

/* A value that looks like an option is still the value. */
Test(run_options, value_that_looks_like_an_option)
{
        assert_usage_error(parse("--memory", "--json", "cmd", NULL), "--memory", "--memory --json");
        cr_assert_not(o.json);
        reset();
        cr_assert_eq(parse("--env", "X=--json", "cmd", NULL), 0);
        cr_assert_not(o.json);
}

/* BUG (reported, src/ not ours to fix): an unknown short option inside a cluster is
 * reported as argv[optind - 1], which is the argument *before* the cluster ("unknown option
 * 'run'") because getopt has not moved past "-xq" yet. */
Test(run_options, unknown_short_option_in_cluster_named)
{
        assert_usage_error(parse("-xq", "cmd", NULL), "run", "-xq");
        cr_assert(strstr(err.message, "-x"), "'%s'", err.message);
}

/* BUG (reported): getopt reports "--json=1" as '?' with optopt set to the option, which the
 * parser words as "option '--json=1' needs a value": the opposite of the problem. */
Test(run_options, flag_given_a_value_is_not_missing_a_value)
{
        assert_usage_error(parse("--json=1", "cmd", NULL), "run", "--json=1");
        cr_assert_null(strstr(err.message, "needs a value"), "'%s'", err.message);
}

/* Every option a user may type is in --help (--cgroup-root is a test hook, left out on
 * purpose: it points airlock at a fake cgroup tree). */
Test(run_options, usage_lists_every_option)
{
        static const char *const documented[] = {
            "--memory",  "--time",   "--cpu-time", "--cpus",      "--pids",        "--output",
            "--scratch", "--tmp",    "--nofile",   "--fsize",     "--copy",        "--ro-bind",
            "--bind",    "--rootfs", "--collect",  "--out-dir",   "--collect-max", "--stdin",
            "--env",     "--json",   "--result",   "--uid-range", "--cgroup",      "--quiet",
        };
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        cr_assert_not_null(f);
        run_options_usage(f);
        fclose(f);
        for (size_t i = 0; i < ELEMENTSOF(documented); i++) {
                char needle[64];

                snprintf(needle, sizeof(needle), "%s ", documented[i]);
                cr_assert(strstr(buf, needle), "%s missing from usage", documented[i]);
        }
        free(buf);
}
