#include "fake-cgroup.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/macros.h"

typedef struct FakeFile {
        const char *ctrl; /* NULL: every v1 hierarchy */
        const char *name;
        const char *content;
} FakeFile;

static const FakeFile v2_files[] = {
    {NULL, "cgroup.procs", ""},
    {NULL, "cgroup.threads", ""},
    {NULL, "cgroup.controllers", "cpu memory pids"},
    {NULL, "cgroup.subtree_control", ""},
    {NULL, "cgroup.events", "populated 0\nfrozen 0\n"},
    {NULL, "cgroup.kill", ""},
    {NULL, "cgroup.freeze", "0\n"},
    {NULL, "memory.max", "max\n"},
    {NULL, "memory.swap.max", "max\n"},
    {NULL, "memory.peak", "0\n"},
    {NULL, "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n"},
    {NULL, "pids.max", "max\n"},
    {NULL, "pids.events", "max 0\n"},
    {NULL, "cpu.max", "max 100000\n"},
    {NULL, "cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\nnr_periods 0\n"},
};

static const FakeFile v1_files[] = {
    {NULL, "cgroup.procs", ""},
    {NULL, "tasks", ""},
    {"memory", "memory.limit_in_bytes", "9223372036854771712\n"},
    {"memory", "memory.memsw.limit_in_bytes", "9223372036854771712\n"},
    {"memory", "memory.max_usage_in_bytes", "0\n"},
    {"memory", "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"},
    {"pids", "pids.max", "max\n"},
    {"pids", "pids.events", "max 0\n"},
    {"cpu", "cpu.cfs_period_us", "100000\n"},
    {"cpu", "cpu.cfs_quota_us", "-1\n"},
    /* "cpu" gets these too: a co-mounted "cpu,cpuacct" hierarchy has both sets. */
    {"cpuacct", "cpuacct.usage", "0\n"},
    {"cpuacct", "cpuacct.usage_user", "0\n"},
    {"cpuacct", "cpuacct.usage_sys", "0\n"},
    {"cpuacct", "cpuacct.stat", "user 0\nsystem 0\n"},
    {"freezer", "freezer.state", "THAWED\n"},
};

static const char *omitted[16];

void fake_kernel_omit(const char *const *files)
{
        size_t i = 0;

        for (; files && files[i] && i < ELEMENTSOF(omitted) - 1; i++)
                omitted[i] = files[i];
        omitted[i] = NULL;
}

static bool is_omitted(const char *name)
{
        for (size_t i = 0; omitted[i]; i++)
                if (strcmp(omitted[i], name) == 0)
                        return true;
        return false;
}

static void write_at(int dir_fd, const char *name, const char *content)
{
        int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        size_t len = strlen(content);

        cr_assert_geq(fd, 0, "create %s: %m", name);
        cr_assert_eq(write(fd, content, len), (ssize_t)len);
        close(fd);
}

static bool ctrl_matches(const char *want, const char *ctrl)
{
        if (!want)
                return true;
        if (strcmp(want, ctrl) == 0)
                return true;
        return strcmp(want, "cpuacct") == 0 && strcmp(ctrl, "cpu") == 0;
}

static int fake_after_mkdir(int dir_fd, CgroupVersion version, const char *ctrl)
{
        const FakeFile *files = version == CGROUP_VERSION_V2 ? v2_files : v1_files;
        size_t n = version == CGROUP_VERSION_V2 ? ELEMENTSOF(v2_files) : ELEMENTSOF(v1_files);

        for (size_t i = 0; i < n; i++) {
                if (is_omitted(files[i].name) || !ctrl_matches(files[i].ctrl, ctrl))
                        continue;
                write_at(dir_fd, files[i].name, files[i].content);
        }
        return 0;
}

/* The first bytes of dir_fd/file, "" when it is missing. */
static void read_head(int dir_fd, const char *file, char *buf, size_t size)
{
        int fd = openat(dir_fd, file, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? 0 : read(fd, buf, size - 1);

        buf[n > 0 ? n : 0] = '\0';
        if (fd >= 0)
                close(fd);
}

/* The kernel refuses to remove a group with processes (cgroup.procs lists some, or v2's
 * cgroup.events says populated) or children, and removes its control files with it. */
static int fake_before_rmdir(int parent_fd, const char *name)
{
        int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct dirent *de;
        char procs[64], events[64];
        DIR *d;

        if (fd < 0)
                return -errno;
        read_head(fd, "cgroup.procs", procs, sizeof(procs));
        read_head(fd, "cgroup.events", events, sizeof(events));
        if (procs[0] || strstr(events, "populated 1")) {
                close(fd);
                return -EBUSY;
        }
        d = fdopendir(fd);
        cr_assert_not_null(d);
        while ((de = readdir(d)))
                if (de->d_type == DT_REG)
                        cr_assert_eq(unlinkat(dirfd(d), de->d_name, 0), 0);
        closedir(d);
        return 0;
}

static CgroupFakeKernel fake_kernel = {
    .after_mkdir = fake_after_mkdir,
    .before_rmdir = fake_before_rmdir,
};

void fake_kernel_no_pidfd(bool on)
{
        fake_kernel.no_pidfd = on;
}

void fake_kernel_between_reads(void (*fn)(int dir_fd))
{
        fake_kernel.between_reads = fn;
}

void fake_tree_init(FakeTree *t, CgroupVersion version, const char *controllers)
{
        char tmpl[] = "/tmp/airlock-cgtest-XXXXXX";

        cr_assert_not_null(mkdtemp(tmpl));
        t->root = strdup(tmpl);
        t->fd = open(t->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(t->fd, 0);
        cgroup_fake_kernel = &fake_kernel;
        fake_kernel.no_pidfd = false;
        fake_kernel.between_reads = NULL;
        omitted[0] = NULL;
        if (version == CGROUP_VERSION_V2) {
                write_at(t->fd, "cgroup.controllers", controllers);
                write_at(t->fd, "cgroup.subtree_control", "");
                write_at(t->fd, "cgroup.procs", "");
                return;
        }
        for (const char *p = controllers; *p;) {
                char name[32];
                size_t len = strcspn(p, " ");
                int fd;

                cr_assert_lt(len, sizeof(name));
                memcpy(name, p, len);
                name[len] = '\0';
                cr_assert_eq(mkdirat(t->fd, name, 0755), 0);
                fd = openat(t->fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                write_at(fd, "cgroup.procs", "");
                close(fd);
                p += len + (p[len] == ' ');
        }
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path) < 0 ? -1 : 0;
}

void fake_tree_done(FakeTree *t)
{
        cgroup_fake_kernel = NULL;
        if (t->fd >= 0)
                close(t->fd);
        if (t->root)
                nftw(t->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(t->root);
        t->root = NULL;
        t->fd = -1;
}

void fake_mkdir_group(FakeTree *t, const char *path, CgroupVersion version, const char *ctrl)
{
        int fd;

        cr_assert_eq(mkdirat(t->fd, path, 0755), 0, "mkdir %s: %m", path);
        fd = openat(t->fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(fd, 0);
        fake_after_mkdir(fd, version, ctrl);
        close(fd);
}

void fake_write(FakeTree *t, const char *path, const char *content)
{
        /* In place (O_TRUNC, same inode): a backend holding the file open sees the change. */
        write_at(t->fd, path, content);
}

char *fake_read(FakeTree *t, const char *path)
{
        char *buf = calloc(1, 4096);
        int fd = openat(t->fd, path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0) {
                free(buf);
                return NULL;
        }
        n = read(fd, buf, 4095);
        close(fd);
        cr_assert_geq(n, 0);
        return buf;
}

bool fake_exists(FakeTree *t, const char *path)
{
        return faccessat(t->fd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

pid_t fake_spawn_sleeper(void)
{
        pid_t pid = fork();

        cr_assert_geq(pid, 0);
        if (pid == 0) {
                for (;;)
                        pause();
        }
        return pid;
}
