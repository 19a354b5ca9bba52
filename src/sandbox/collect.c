#include "collect.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/macros.h"
#include "config/limits.h"
#include "fs-util.h"

typedef struct Collector {
        const AirlockConfig *config;
        RunResult *result;
        int out_fd;
        uint64_t total_bytes;
        unsigned visited;
} Collector;

/* Stops a hostile tree of a million empty files from stalling the report. */
#define COLLECT_MAX_VISITED 100000U

bool collect_glob_matches(const char *glob, const char *path)
{
        if (strncmp(glob, "**/", 3) != 0)
                return fnmatch(glob, path, FNM_PATHNAME | FNM_PERIOD) == 0;
        /* "**" + "/" repeated means the same as once; collapsing it keeps this linear in the
         * depth of a tree the sandboxed program chose. */
        while (strncmp(glob, "**/", 3) == 0)
                glob += 3;
        for (const char *p = path; p; p = strchr(p, '/')) {
                if (*p == '/')
                        p++;
                if (fnmatch(glob, p, FNM_PATHNAME | FNM_PERIOD) == 0)
                        return true;
        }
        return false;
}

static bool matches_any(const Collector *co, const char *path)
{
        for (size_t i = 0; i < co->config->n_collect; i++)
                if (collect_glob_matches(co->config->collect[i], path))
                        return true;
        return false;
}

static int add_entry_data(Collector *co, const char *path, uint64_t size, const char *skipped,
                          char *data)
{
        RunResult *r = co->result;
        CollectedFile *files;

        if (r->n_files >= AIRLOCK_MAX_COLLECTED) {
                free(data);
                return 0;
        }
        files = realloc(r->files, (r->n_files + 1) * sizeof(*files));
        if (!files) {
                free(data);
                return -ENOMEM;
        }
        r->files = files;
        files[r->n_files] = (CollectedFile){
            .path = strdup(path),
            .size = size,
            .skipped = skipped ? strdup(skipped) : NULL,
            .data = data,
        };
        if (!files[r->n_files].path || (skipped && !files[r->n_files].skipped))
                return -ENOMEM;
        r->n_files++;
        return 0;
}

static int add_entry(Collector *co, const char *path, uint64_t size, const char *skipped)
{
        return add_entry_data(co, path, size, skipped, NULL);
}

/* For the server: the bytes go into the result. Reads at most size bytes (what fstat said;
 * the sandbox is gone, so the file cannot grow behind our back). */
static int read_into_memory(Collector *co, int in_fd, const char *path, uint64_t size)
{
        _cleanup_free_ char *buf = malloc(size ? size : 1);
        uint64_t got = 0;

        if (!buf)
                return -ENOMEM;
        while (got < size) {
                ssize_t n = read(in_fd, buf + got, size - got);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return add_entry(co, path, size, strerror(errno));
                if (n == 0)
                        break;
                got += (uint64_t)n;
        }
        co->total_bytes += got;
        return add_entry_data(co, path, got, NULL, TAKE_PTR(buf));
}

/* Writes to a fresh temporary name and renames over the target, so a symlink already sitting
 * at the target is replaced, never written through. */
static const char *write_output(Collector *co, int in_fd, const char *path)
{
        _cleanup_close_ int dir = -EBADF, out = -EBADF;
        const char *name;
        char tmp[64];
        uint64_t rnd = 0;
        int r;

        r = fs_open_parent_beneath(co->out_fd, path, 0755, &dir, &name);
        if (r == -ELOOP || r == -EXDEV)
                return "output directory path crosses a symlink or mount";
        if (r < 0)
                return strerror(-r);
        (void)!getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK);
        snprintf(tmp, sizeof(tmp), ".airlock-%016llx", (unsigned long long)rnd);
        out = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (out < 0)
                return strerror(errno);
        r = fs_copy_data(in_fd, out, co->config->limits.collect_bytes, NULL);
        if (r >= 0 && renameat(dir, tmp, dir, name) < 0)
                r = negative_errno();
        if (r < 0) {
                (void)unlinkat(dir, tmp, 0);
                return strerror(-r);
        }
        return NULL;
}

static int collect_file(Collector *co, int dir_fd, const char *name, const char *path)
{
        _cleanup_close_ int in = -EBADF;
        const uint64_t cap = co->config->limits.collect_bytes;
        const char *why;
        struct stat st;

        in = fs_open_beneath(dir_fd, name, O_RDONLY | O_NONBLOCK, 0);
        if (in < 0)
                return add_entry(co, path, 0, in == -ELOOP ? "symlink" : strerror(-in));
        if (fstat(in, &st) < 0)
                return add_entry(co, path, 0, strerror(errno));
        if (!S_ISREG(st.st_mode))
                return add_entry(co, path, 0, "not a regular file");
        if ((uint64_t)st.st_size > cap || co->total_bytes + (uint64_t)st.st_size > cap)
                return add_entry(co, path, (uint64_t)st.st_size, "over the collect size cap");
        if (co->config->collect_in_memory)
                return read_into_memory(co, in, path, (uint64_t)st.st_size);
        why = write_output(co, in, path);
        if (!why)
                co->total_bytes += (uint64_t)st.st_size;
        return add_entry(co, path, (uint64_t)st.st_size, why);
}

static int walk(Collector *co, int dir_fd, const char *prefix, unsigned depth)
{
        DIR *d;
        struct dirent *de;
        int fd, r = 0;

        fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return negative_errno();
        }
        while (r >= 0 && (de = readdir(d)) && co->visited++ < COLLECT_MAX_VISITED) {
                char path[PATH_MAX];
                struct stat st;

                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "/" : "",
                             de->d_name) >= (int)sizeof(path))
                        continue;
                if (fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISDIR(st.st_mode) && depth < AIRLOCK_MAX_COPY_DEPTH) {
                        _cleanup_close_ int sub =
                            fs_open_beneath(dir_fd, de->d_name, O_RDONLY | O_DIRECTORY, 0);

                        if (sub >= 0)
                                r = walk(co, sub, path, depth + 1);
                        continue;
                }
                if (!matches_any(co, path))
                        continue;
                if (S_ISLNK(st.st_mode))
                        r = add_entry(co, path, 0, "symlink");
                else
                        r = collect_file(co, dir_fd, de->d_name, path);
        }
        closedir(d);
        return r;
}

int collect_outputs(int scratch_fd, const AirlockConfig *c, RunResult *r, AirlockError *err)
{
        _cleanup_close_ int out_fd = -EBADF;
        Collector co = {.config = c, .result = r};
        int ret;

        if (c->n_collect == 0)
                return 0;
        if (c->collect_in_memory)
                return walk(&co, scratch_fd, "", 0) < 0
                           ? airlock_error_set(err, AIRLOCK_ERR_INTERNAL, ENOMEM, "collect outputs",
                                               NULL)
                           : 0;
        if (!c->out_dir)
                return 0;
        out_fd = open(c->out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (out_fd < 0)
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, errno, "collect outputs", "%s",
                                         c->out_dir);
        co.out_fd = out_fd;
        ret = walk(&co, scratch_fd, "", 0);
        if (ret < 0)
                return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, -ret, "collect outputs", NULL);
        return 0;
}
