/* Collecting outputs: which names match, and that the sandbox's files come out as plain copies
 * without the sandbox being able to steer a write anywhere outside --out-dir. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/collect.h"

static const struct {
        const char *glob, *path;
        bool match;
} globs[] = {
    {"*.png", "a.png", true},
    {"*.png", "plot.final.png", true},
    {"*.png", "out/a.png", false}, /* '*' stays in its directory */
    {"*.png", ".a.png", false},    /* and does not match dotfiles */
    {"*.png", "a.png.txt", false},
    {"*", "a", true},
    {"*", ".hidden", false},
    {"*", "d/a", false},
    {"out/*.csv", "out/x.csv", true},
    {"out/*.csv", "x.csv", false},
    {"out/*.csv", "out/sub/x.csv", false},
    {"out/*.csv", "out/.x.csv", false},
    {"out/*.csv", "other/x.csv", false},
    {"**/x.txt", "x.txt", true}, /* any depth, including none */
    {"**/x.txt", "a/x.txt", true},
    {"**/x.txt", "a/b/c/d/x.txt", true},
    {"**/x.txt", "a/y.txt", false},
    {"**/x.txt", "a/xx.txt", false},
    {"**/x.txt", "ax.txt", false},
    {"**/*.png", "a/b/c.png", true},
    {"**/*.png", "a/.c.png", false},
    {"out/**/x.txt", "out/x.txt", false}, /* "**" has its meaning only at the start */
    {"data?.csv", "data1.csv", true},
    {"data?.csv", "data/.csv", false},
    {"[ab].txt", "b.txt", true},
    {"[ab].txt", "c.txt", false},
    {"x.txt", "x.txt", true},
    {"x.txt", "d/x.txt", false},
};

Test(collect, glob_table)
{
        for (size_t i = 0; i < ELEMENTSOF(globs); i++)
                cr_assert_eq(collect_glob_matches(globs[i].glob, globs[i].path), globs[i].match,
                             "'%s' vs '%s': want %s", globs[i].glob, globs[i].path,
                             globs[i].match ? "match" : "no match");
}

/* BUG (reported, src/ not ours to fix): each leading "**" + "/" tries every directory depth
 * and recurses, so k of them cost O(depth^k) fnmatch calls: 8 against a 32-deep path take
 * seconds for one file, and the sandbox chooses the depth and the number of files. Disabled
 * until repeated prefixes are collapsed (they mean the same as one). */
Test(collect, repeated_globstar_is_not_exponential, .timeout = 2)
{
        char glob[64] = "", path[128] = "";

        for (int i = 0; i < 10; i++)
                strcat(glob, "**/");
        strcat(glob, "nomatch");
        for (int i = 0; i < 32; i++)
                strcat(path, "d/");
        strcat(path, "f");
        for (int i = 0; i < 100; i++)
                cr_assert_not(collect_glob_matches(glob, path));
}

static char scratch[] = "/tmp/airlock-test-scratch-XXXXXX";
static char outdir[] = "/tmp/airlock-test-out-XXXXXX";
static char elsewhere[] = "/tmp/airlock-test-elsewhere-XXXXXX";
static int scratch_fd = -EBADF;
static AirlockConfig c;
static RunResult r;

static void rm_rf(const char *dir)
{
        char cmd[256];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        (void)!system(cmd);
}

static void setup(void)
{
        cr_assert_not_null(mkdtemp(scratch));
        cr_assert_not_null(mkdtemp(outdir));
        cr_assert_not_null(mkdtemp(elsewhere));
        scratch_fd = open(scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(scratch_fd, 0);
        airlock_config_init(&c);
        c.out_dir = strdup(outdir);
        run_result_init(&r);
}

static void teardown(void)
{
        run_result_done(&r);
        airlock_config_done(&c);
        close(scratch_fd);
        rm_rf(scratch);
        rm_rf(outdir);
        rm_rf(elsewhere);
}

TestSuite(collect_outputs, .init = setup, .fini = teardown);

static void write_file(const char *dir, const char *name, const char *data)
{
        char path[512];
        int fd;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        cr_assert_geq(fd, 0, "create %s", path);
        cr_assert_eq(write(fd, data, strlen(data)), (ssize_t)strlen(data));
        close(fd);
}

static void make_dir(const char *dir, const char *name)
{
        char path[512];

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        cr_assert_eq(mkdir(path, 0755), 0, "mkdir %s", path);
}

static void make_symlink(const char *target, const char *dir, const char *name)
{
        char path[512];

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        cr_assert_eq(symlink(target, path), 0, "symlink %s", path);
}

/* Contents of dir/name, or NULL when it is not a regular file (checked without following). */
static char *read_regular(const char *dir, const char *name)
{
        static char buf[4096];
        char path[512];
        struct stat st;
        ssize_t n;
        int fd;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
                return NULL;
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        cr_assert_geq(fd, 0);
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        cr_assert_geq(n, 0);
        buf[n] = '\0';
        return buf;
}

static bool exists(const char *dir, const char *name)
{
        char path[512];
        struct stat st;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        return lstat(path, &st) == 0;
}

static const CollectedFile *entry(const char *path)
{
        for (size_t i = 0; i < r.n_files; i++)
                if (strcmp(r.files[i].path, path) == 0)
                        return &r.files[i];
        return NULL;
}

static void add_glob(const char *glob)
{
        AirlockError err = {0};

        cr_assert_eq(airlock_config_add_collect(&c, glob, &err), 0, "%s", err.message);
}

static void collect(void)
{
        AirlockError err = {0};

        cr_assert_eq(collect_outputs(scratch_fd, &c, &r, &err), 0, "%s: %s", err.step, err.message);
}

Test(collect_outputs, regular_file_copied)
{
        const CollectedFile *f;

        write_file(scratch, "a.txt", "hello");
        write_file(scratch, "b.csv", "not asked for");
        make_dir(scratch, "out");
        write_file(scratch, "out/x.csv", "1,2");
        add_glob("*.txt");
        add_glob("out/*.csv");
        collect();

        cr_assert_str_eq(read_regular(outdir, "a.txt"), "hello");
        cr_assert_str_eq(read_regular(outdir, "out/x.csv"), "1,2");
        cr_assert_not(exists(outdir, "b.csv"));
        cr_assert_eq(r.n_files, 2);
        f = entry("a.txt");
        cr_assert_not_null(f);
        cr_assert_null(f->skipped);
        cr_assert_eq(f->size, 5);
        cr_assert_not_null(entry("out/x.csv"));
}

Test(collect_outputs, globstar_at_any_depth)
{
        make_dir(scratch, "a");
        make_dir(scratch, "a/b");
        write_file(scratch, "x.txt", "0");
        write_file(scratch, "a/x.txt", "1");
        write_file(scratch, "a/b/x.txt", "2");
        write_file(scratch, "a/b/y.txt", "no");
        add_glob("**/x.txt");
        collect();

        cr_assert_str_eq(read_regular(outdir, "x.txt"), "0");
        cr_assert_str_eq(read_regular(outdir, "a/x.txt"), "1");
        cr_assert_str_eq(read_regular(outdir, "a/b/x.txt"), "2");
        cr_assert_not(exists(outdir, "a/b/y.txt"));
        cr_assert_eq(r.n_files, 3);
}

Test(collect_outputs, symlink_listed_not_followed)
{
        const CollectedFile *f;

        write_file(elsewhere, "secret.txt", "host secret");
        {
                char target[256];

                snprintf(target, sizeof(target), "%s/secret.txt", elsewhere);
                make_symlink(target, scratch, "link.txt");
        }
        make_symlink("/etc/passwd", scratch, "passwd.txt");
        add_glob("*.txt");
        collect();

        f = entry("link.txt");
        cr_assert_not_null(f);
        cr_assert_str_eq(f->skipped, "symlink");
        cr_assert_not_null(entry("passwd.txt"));
        cr_assert_not(exists(outdir, "link.txt"));
        cr_assert_not(exists(outdir, "passwd.txt"));
}

Test(collect_outputs, fifo_skipped, .timeout = 10)
{
        char path[512];
        const CollectedFile *f;

        snprintf(path, sizeof(path), "%s/pipe.txt", scratch);
        cr_assert_eq(mkfifo(path, 0644), 0);
        add_glob("*.txt");
        collect(); /* must not block on the fifo: the timeout says so */

        f = entry("pipe.txt");
        cr_assert_not_null(f);
        cr_assert_not_null(f->skipped);
        cr_assert_not(exists(outdir, "pipe.txt"));
}

Test(collect_outputs, file_over_cap_skipped)
{
        const CollectedFile *f;

        c.limits.collect_bytes = 8;
        write_file(scratch, "small.txt", "12345678");
        write_file(scratch, "big.txt", "123456789");
        add_glob("big.txt");
        collect();

        f = entry("big.txt");
        cr_assert_not_null(f);
        cr_assert_not_null(f->skipped);
        cr_assert_eq(f->size, 9);
        cr_assert_not(exists(outdir, "big.txt"));
}

Test(collect_outputs, total_cap)
{
        size_t copied = 0, skipped = 0;

        c.limits.collect_bytes = 10;
        write_file(scratch, "a.txt", "123456");
        write_file(scratch, "b.txt", "123456");
        add_glob("*.txt");
        collect();

        cr_assert_eq(r.n_files, 2);
        for (size_t i = 0; i < r.n_files; i++)
                r.files[i].skipped ? skipped++ : copied++;
        cr_assert_eq(copied, 1, "the total across files is capped too");
        cr_assert_eq(skipped, 1);
}

/* The sandbox can only write names; the output directory belongs to the host. A symlink an
 * earlier run (or anyone) left at the target name is replaced, not written through. */
Test(collect_outputs, symlink_at_target_replaced_not_followed)
{
        char victim[512];
        struct stat st;

        write_file(elsewhere, "victim", "original");
        snprintf(victim, sizeof(victim), "%s/victim", elsewhere);
        make_symlink(victim, outdir, "a.txt");
        write_file(scratch, "a.txt", "from the sandbox");
        add_glob("a.txt");
        collect();

        cr_assert_str_eq(read_regular(elsewhere, "victim"), "original");
        cr_assert_eq(lstat(victim, &st), 0);
        cr_assert_eq(st.st_size, 8);
        cr_assert_str_eq(read_regular(outdir, "a.txt"), "from the sandbox",
                         "the symlink was not replaced by the copy");
        cr_assert_null(entry("a.txt")->skipped);
}

Test(collect_outputs, symlinked_subdirectory_in_out_dir_refused)
{
        const CollectedFile *f;

        make_symlink(elsewhere, outdir, "sub");
        make_dir(scratch, "sub");
        write_file(scratch, "sub/x.txt", "payload");
        add_glob("sub/*.txt");
        collect();

        f = entry("sub/x.txt");
        cr_assert_not_null(f);
        cr_assert_not_null(f->skipped, "written through a symlinked directory");
        cr_assert_not(exists(elsewhere, "x.txt"));
}

/* A symlinked directory in the scratch area is not descended into. */
Test(collect_outputs, symlinked_dir_in_scratch_not_walked)
{
        write_file(elsewhere, "secret.txt", "host secret");
        make_symlink(elsewhere, scratch, "escape");
        add_glob("**/*.txt");
        collect();

        cr_assert_not(exists(outdir, "escape/secret.txt"));
        cr_assert_not(exists(outdir, "secret.txt"));
        for (size_t i = 0; i < r.n_files; i++)
                cr_assert_not_null(r.files[i].skipped, "'%s' copied", r.files[i].path);
}

Test(collect_outputs, nothing_asked_nothing_done)
{
        AirlockError err = {0};

        write_file(scratch, "a.txt", "x");
        cr_assert_eq(collect_outputs(scratch_fd, &c, &r, &err), 0);
        cr_assert_eq(r.n_files, 0);
        cr_assert_not(exists(outdir, "a.txt"));
}
