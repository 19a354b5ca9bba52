/* The --copy/--bind/--env/--collect appenders: what they accept, how they normalise it, and that
 * every refusal is a usage error naming the option. */
#include <criterion/criterion.h>
#include <string.h>

#include "config/config.h"
#include "config/limits.h"

static AirlockConfig c;

static void setup(void)
{
        airlock_config_init(&c);
}

static void teardown(void)
{
        airlock_config_done(&c);
}

TestSuite(config_specs, .init = setup, .fini = teardown);

static void assert_usage(int r, const AirlockError *err, const char *opt, const char *spec)
{
        cr_assert_lt(r, 0, "%s accepted '%s'", opt, spec);
        cr_assert_eq(err->kind, AIRLOCK_ERR_USAGE, "%s '%s': kind %d", opt, spec, err->kind);
        cr_assert_str_eq(err->step, opt, "'%s': step '%s'", spec, err->step);
        cr_assert_neq(err->message[0], '\0', "%s '%s': no message", opt, spec);
}

/* --copy HOST[:DEST] and what it becomes. */
static const struct {
        const char *spec, *host, *dest;
} good_copies[] = {
    {"data.csv", "data.csv", "data.csv"},
    {"/srv/in/data.csv", "/srv/in/data.csv", "data.csv"},
    {"/srv/in/", "/srv/in", "in"}, /* trailing slashes on the host path are dropped */
    {"/srv/in///:x", "/srv/in", "x"},
    {"a.txt:", "a.txt", "a.txt"}, /* empty DEST: the basename */
    {"a.txt:sub/dir/b.txt", "a.txt", "sub/dir/b.txt"},
    {"a.txt:./sub//b.txt/", "a.txt", "sub/b.txt"},
    {"a.txt:/work/x", "a.txt", "x"}, /* the scratch directory's own absolute name */
    {"a.txt:/work/d/x", "a.txt", "d/x"},
    {"a:b.txt:c", "a:b.txt", "c"}, /* the last ':' splits */
    {"..:up", "..", "up"},         /* the host side is read with the caller's rights */
};

Test(config_specs, copy_accepts)
{
        for (size_t i = 0; i < ELEMENTSOF(good_copies); i++) {
                AirlockError err = {0};

                cr_assert_eq(airlock_config_add_copy(&c, good_copies[i].spec, &err), 0,
                             "refused '%s': %s", good_copies[i].spec, err.message);
                cr_assert_eq(c.n_copies, i + 1);
                cr_assert_str_eq(c.copies[i].host, good_copies[i].host, "'%s'",
                                 good_copies[i].spec);
                cr_assert_str_eq(c.copies[i].dest, good_copies[i].dest, "'%s'",
                                 good_copies[i].spec);
        }
}

Test(config_specs, copy_refuses)
{
        static const char *const bad[] = {
            "",         /* nothing */
            ":x",       /* empty host */
            "a.txt:..", /* DEST with '..' */
            "a.txt:../x",
            "a.txt:sub/../../x",
            "a.txt:/work/../etc/x",
            "a.txt:/etc/passwd", /* absolute DEST outside /work */
            "a.txt:/workx/a",
            "a.txt:/",
            "a.txt:/work", /* the scratch directory itself is no name */
            "a.txt:/work/",
            "a.txt:.",
            "/", /* no basename to use */
            "///",
            "/srv/..", /* basename '..' */
            "/srv/.",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                AirlockError err = {0};

                assert_usage(airlock_config_add_copy(&c, bad[i], &err), &err, "--copy", bad[i]);
        }
        cr_assert_eq(c.n_copies, 0);
}

Test(config_specs, copy_count_is_bounded)
{
        AirlockError err = {0};

        for (int i = 0; i < AIRLOCK_MAX_COPIES; i++)
                cr_assert_eq(airlock_config_add_copy(&c, "a.txt", &err), 0);
        assert_usage(airlock_config_add_copy(&c, "a.txt", &err), &err, "--copy", "one too many");
        cr_assert_eq(c.n_copies, AIRLOCK_MAX_COPIES);
}

static const struct {
        const char *spec, *src, *dst;
} good_binds[] = {
    {"/usr/share/fonts", "/usr/share/fonts", "/usr/share/fonts"},
    {"/srv/data:/data", "/srv/data", "/data"},
    {"/srv/data:/opt//x/./y/", "/srv/data", "/opt/x/y"},
    {"/srv/a:b:/data", "/srv/a:b", "/data"},
    {"/srv/data:", "/srv/data", "/srv/data"},
    {"/srv/data:/procx", "/srv/data", "/procx"}, /* only /proc itself and below are reserved */
    {"/srv/data:/device", "/srv/data", "/device"},
};

Test(config_specs, bind_accepts)
{
        for (size_t i = 0; i < ELEMENTSOF(good_binds); i++) {
                AirlockError err = {0};
                bool writable = i % 2;

                cr_assert_eq(airlock_config_add_bind(&c, good_binds[i].spec, writable, &err), 0,
                             "refused '%s': %s", good_binds[i].spec, err.message);
                cr_assert_str_eq(c.binds[i].src, good_binds[i].src);
                cr_assert_str_eq(c.binds[i].dst, good_binds[i].dst);
                cr_assert_eq(c.binds[i].writable, writable);
        }
        cr_assert_eq(c.n_binds, ELEMENTSOF(good_binds));
}

Test(config_specs, bind_refuses)
{
        static const char *const bad[] = {
            "relative/src", /* sources are absolute */
            "",
            ":/data",
            "/srv/data:relative", /* targets are absolute */
            "/srv/data:/opt/../etc/x",
            "/srv/data:/..",
            "/srv/data://proc",
            "/srv/data:/", /* the sandbox's own skeleton */
            "/srv/data:/proc",
            "/srv/data:/proc/",
            "/srv/data:/proc/sys/kernel",
            "/srv/data:/dev",
            "/srv/data:/dev/x",
            "/srv/data:/dev//sda",
            "/srv/data:/./dev/x",
            "/srv/data:/etc",
            "/srv/data:/tmp",
            "/srv/data:/work",
            "/srv/data:/work/",
            "/proc", /* the default target is the source */
            "/dev/null",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                AirlockError ro = {0}, rw = {0};

                assert_usage(airlock_config_add_bind(&c, bad[i], false, &ro), &ro, "--ro-bind",
                             bad[i]);
                assert_usage(airlock_config_add_bind(&c, bad[i], true, &rw), &rw, "--bind", bad[i]);
        }
        cr_assert_eq(c.n_binds, 0);
}

Test(config_specs, bind_count_is_bounded)
{
        AirlockError err = {0};

        for (int i = 0; i < AIRLOCK_MAX_BINDS; i++)
                cr_assert_eq(airlock_config_add_bind(&c, "/srv:/data", false, &err), 0);
        assert_usage(airlock_config_add_bind(&c, "/srv:/data", true, &err), &err, "--bind",
                     "one too many");
}

Test(config_specs, env_accepts)
{
        static const char *const good[] = {"A=1",     "_=x",          "a1_B2=", "LC_ALL=C.UTF-8",
                                           "X=a=b=c", "PATH=/opt/bin"};

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                AirlockError err = {0};

                cr_assert_eq(airlock_config_add_env(&c, good[i], &err), 0, "refused '%s'", good[i]);
                cr_assert_str_eq(c.env[i], good[i]);
        }
        cr_assert_eq(c.n_env, ELEMENTSOF(good));
}

Test(config_specs, env_refuses)
{
        static const char *const bad[] = {"",      "=x",    "=",     "NOVALUE", "1A=x", "9=x",
                                          "A-B=x", "A B=x", "A.B=x", "Ä=x",     "A\n=x"};

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                AirlockError err = {0};

                assert_usage(airlock_config_add_env(&c, bad[i], &err), &err, "--env", bad[i]);
        }
        cr_assert_eq(c.n_env, 0);
}

Test(config_specs, env_count_is_bounded)
{
        AirlockError err = {0};

        for (int i = 0; i < AIRLOCK_MAX_ENV; i++)
                cr_assert_eq(airlock_config_add_env(&c, "A=1", &err), 0);
        assert_usage(airlock_config_add_env(&c, "A=1", &err), &err, "--env", "one too many");
}

Test(config_specs, collect_accepts_and_normalises)
{
        static const struct {
                const char *glob, *want;
        } good[] = {
            {"*.png", "*.png"},
            {"out/*.csv", "out/*.csv"},
            {"**/x.txt", "**/x.txt"},
            {"/work/out/*.csv", "out/*.csv"},
            {"./a//b/*.txt", "a/b/*.txt"},
            {"..a", "..a"},
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                AirlockError err = {0};

                cr_assert_eq(airlock_config_add_collect(&c, good[i].glob, &err), 0, "refused '%s'",
                             good[i].glob);
                cr_assert_str_eq(c.collect[i], good[i].want);
        }
}

Test(config_specs, collect_refuses)
{
        static const char *const bad[] = {"",          ".",      "..",    "../*.png",
                                          "a/../../*", "/etc/*", "/work", "/*.png"};

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                AirlockError err = {0};

                assert_usage(airlock_config_add_collect(&c, bad[i], &err), &err, "--collect",
                             bad[i]);
        }
        cr_assert_eq(c.n_collect, 0);
}

Test(config_specs, collect_count_is_bounded)
{
        AirlockError err = {0};

        for (int i = 0; i < AIRLOCK_MAX_COLLECT; i++)
                cr_assert_eq(airlock_config_add_collect(&c, "*.png", &err), 0);
        assert_usage(airlock_config_add_collect(&c, "*.png", &err), &err, "--collect",
                     "one too many");
}

Test(config_specs, done_resets_and_accepts_empty)
{
        AirlockConfig empty;

        airlock_config_init(&empty);
        airlock_config_done(&empty);
        cr_assert_eq(empty.n_copies, 0);
        cr_assert_null(empty.copies);
}

/* The server's files: the launcher's own check, whatever the front end let through. */
Test(config_specs, inline_file_stays_inside_the_scratch_directory)
{
        static const char *const bad[] = {"../x", "a/../../x", "/etc/passwd", "", ".", "a/.."};
        AirlockError err = {0};

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                err = (AirlockError){0};
                assert_usage(airlock_config_add_inline_file(&c, bad[i], "x", 1, false, &err), &err,
                             "files", bad[i]);
        }
        cr_assert_eq(c.n_inline_files, 0);
        cr_assert_eq(airlock_config_add_inline_file(&c, "./d//a.txt", "\0\1", 2, true, &err), 0);
        cr_assert_str_eq(c.inline_files[0].path, "d/a.txt");
        cr_assert_eq(c.inline_files[0].len, 2);
        cr_assert(c.inline_files[0].executable);
}
