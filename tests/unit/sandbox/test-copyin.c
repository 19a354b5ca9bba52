/* Copying --copy inputs into the scratch area, with the caller's own identity (as_uid -1). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/copyin.h"

static char host[] = "/tmp/airlock-test-host-XXXXXX";
static char scratch[] = "/tmp/airlock-test-scratch-XXXXXX";
static int scratch_fd = -EBADF;
static AirlockConfig c;

static void rm_rf(const char *dir)
{
        char cmd[256];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        (void)!system(cmd);
}

static void setup(void)
{
        /* Permission bits are compared below: do not let the runner's umask decide them. */
        umask(022);
        cr_assert_not_null(mkdtemp(host));
        cr_assert_not_null(mkdtemp(scratch));
        scratch_fd = open(scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(scratch_fd, 0);
        airlock_config_init(&c);
}

static void teardown(void)
{
        (void)!chdir("/");
        airlock_config_done(&c);
        close(scratch_fd);
        rm_rf(host);
        rm_rf(scratch);
}

TestSuite(copyin, .init = setup, .fini = teardown);

static void write_file(const char *dir, const char *name, const char *data, mode_t mode)
{
        char path[512];
        int fd;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        cr_assert_geq(fd, 0, "create %s", path);
        cr_assert_eq(write(fd, data, strlen(data)), (ssize_t)strlen(data));
        cr_assert_eq(fchmod(fd, mode), 0);
        close(fd);
}

static void make_dir(const char *dir, const char *name)
{
        char path[512];

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        cr_assert_eq(mkdir(path, 0755), 0, "mkdir %s", path);
}

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

static mode_t lmode(const char *dir, const char *name)
{
        char path[512];
        struct stat st;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        if (lstat(path, &st) < 0)
                return 0;
        return st.st_mode;
}

/* --copy DIR SUFFIX, for example (host, "/data.csv:x"). */
static void add_copy(const char *dir, const char *suffix)
{
        AirlockError err = {0};
        char spec[512];

        snprintf(spec, sizeof(spec), "%s%s", dir, suffix);
        cr_assert_eq(airlock_config_add_copy(&c, spec, &err), 0, "%s", err.message);
}

static void copyin_ok(void)
{
        AirlockError err = {0};

        cr_assert_eq(copyin_all(scratch_fd, &c, (uid_t)-1, (gid_t)-1, &err), 0, "%s: %s", err.step,
                     err.message);
}

Test(copyin, regular_file)
{
        write_file(host, "data.csv", "a,b\n1,2\n", 0640);
        add_copy(host, "/data.csv");
        copyin_ok();

        cr_assert_str_eq(read_regular(scratch, "data.csv"), "a,b\n1,2\n");
        cr_assert_eq(lmode(scratch, "data.csv") & 07777, 0640);
}

Test(copyin, set_id_bits_dropped)
{
        write_file(host, "tool", "#!/bin/sh\n", 04755);
        add_copy(host, "/tool");
        copyin_ok();

        cr_assert_eq(lmode(scratch, "tool") & 07777, 0755);
}

Test(copyin, directory_tree_with_symlink)
{
        char path[512];

        make_dir(host, "tree");
        make_dir(host, "tree/sub");
        write_file(host, "tree/a.txt", "A", 0644);
        write_file(host, "tree/sub/b.txt", "B", 0644);
        snprintf(path, sizeof(path), "%s/tree/sub/link", host);
        cr_assert_eq(symlink("../a.txt", path), 0);
        snprintf(path, sizeof(path), "%s/tree/sub/abs", host);
        cr_assert_eq(symlink("/etc/passwd", path), 0);
        snprintf(path, sizeof(path), "%s/tree/sub/fifo", host);
        cr_assert_eq(mkfifo(path, 0644), 0);
        add_copy(host, "/tree/");
        copyin_ok();

        cr_assert(S_ISDIR(lmode(scratch, "tree")));
        cr_assert(S_ISDIR(lmode(scratch, "tree/sub")));
        cr_assert_str_eq(read_regular(scratch, "tree/a.txt"), "A");
        cr_assert_str_eq(read_regular(scratch, "tree/sub/b.txt"), "B");
        /* Symlinks are recreated as symlinks, with the same target text. */
        cr_assert(S_ISLNK(lmode(scratch, "tree/sub/link")));
        cr_assert(S_ISLNK(lmode(scratch, "tree/sub/abs")));
        {
                char target[256] = {0};

                snprintf(path, sizeof(path), "%s/tree/sub/link", scratch);
                cr_assert_gt(readlink(path, target, sizeof(target) - 1), 0);
                cr_assert_str_eq(target, "../a.txt");
        }
        /* Fifos have no place in the sandbox. */
        cr_assert_eq(lmode(scratch, "tree/sub/fifo"), 0);
}

Test(copyin, fifo_source_skipped)
{
        char path[512];

        snprintf(path, sizeof(path), "%s/fifo", host);
        cr_assert_eq(mkfifo(path, 0644), 0);
        add_copy(host, "/fifo");
        copyin_ok();
        cr_assert_eq(lmode(scratch, "fifo"), 0);
}

Test(copyin, existing_dest_is_an_error)
{
        AirlockError err = {0};

        write_file(host, "data.csv", "new", 0644);
        write_file(scratch, "data.csv", "old", 0644);
        add_copy(host, "/data.csv");
        cr_assert_lt(copyin_all(scratch_fd, &c, (uid_t)-1, (gid_t)-1, &err), 0);
        cr_assert_eq(err.kind, AIRLOCK_ERR_SETUP);
        cr_assert_str_eq(err.step, "copy inputs");
        cr_assert_eq(err.errnum, EEXIST);
        cr_assert_str_eq(read_regular(scratch, "data.csv"), "old");
}

Test(copyin, two_copies_to_one_dest_is_an_error)
{
        AirlockError err = {0};

        write_file(host, "a", "1", 0644);
        write_file(host, "b", "2", 0644);
        add_copy(host, "/a:same");
        add_copy(host, "/b:same");
        cr_assert_lt(copyin_all(scratch_fd, &c, (uid_t)-1, (gid_t)-1, &err), 0);
        cr_assert_str_eq(read_regular(scratch, "same"), "1");
}

Test(copyin, dest_with_subdirectories_created)
{
        write_file(host, "x.txt", "X", 0644);
        add_copy(host, "/x.txt:deep/er/y.txt");
        add_copy(host, "/x.txt:/work/deep/z.txt");
        copyin_ok();

        cr_assert(S_ISDIR(lmode(scratch, "deep")));
        cr_assert(S_ISDIR(lmode(scratch, "deep/er")));
        cr_assert_str_eq(read_regular(scratch, "deep/er/y.txt"), "X");
        cr_assert_str_eq(read_regular(scratch, "deep/z.txt"), "X");
}

/* Something already in the scratch area (a symlink the sandbox could have planted) is never
 * followed when creating a destination's parents. */
Test(copyin, symlink_in_dest_path_refused)
{
        AirlockError err = {0};
        char path[512];

        write_file(host, "x.txt", "X", 0644);
        snprintf(path, sizeof(path), "%s/sub", scratch);
        cr_assert_eq(symlink(host, path), 0);
        add_copy(host, "/x.txt:sub/y.txt");
        cr_assert_lt(copyin_all(scratch_fd, &c, (uid_t)-1, (gid_t)-1, &err), 0);
        cr_assert_eq(lmode(host, "y.txt"), 0, "written through a symlink");
}

Test(copyin, missing_source_is_an_error)
{
        AirlockError err = {0};

        add_copy(host, "/missing");
        cr_assert_eq(copyin_all(scratch_fd, &c, (uid_t)-1, (gid_t)-1, &err), -ENOENT);
        cr_assert_eq(err.kind, AIRLOCK_ERR_SETUP);
}

Test(copyin, relative_source)
{
        cr_assert_eq(chdir(host), 0);
        write_file(host, "rel.txt", "R", 0644);
        add_copy("", "rel.txt");
        add_copy("", "./rel.txt:again.txt");
        copyin_ok();
        cr_assert_str_eq(read_regular(scratch, "rel.txt"), "R");
        cr_assert_str_eq(read_regular(scratch, "again.txt"), "R");
}

/* BUG (reported, src/ not ours to fix): --copy LINK is accepted by airlock_config_validate,
 * which stat()s through the link, but copyin recreates the link itself, so the program finds
 * a dangling "link.csv -> real.csv" instead of the data. Disabled until copy_one() follows a
 * top-level symlink (as cp does for a path named on its command line). */
Test(copyin, symlink_source_copies_its_target)
{
        char path[512];

        write_file(host, "real.csv", "data", 0644);
        snprintf(path, sizeof(path), "%s/link.csv", host);
        cr_assert_eq(symlink("real.csv", path), 0);
        add_copy(host, "/link.csv");
        copyin_ok();
        cr_assert_str_eq(read_regular(scratch, "link.csv"), "data");
}
