#include "prescreen.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/fd-util.h"
#include "basic/macros.h"
#include "config/limits.h"

/* A --copy of a whole project must not turn the prescreen into a long job. */
#define PRESCREEN_MAX_FILES 1000

typedef struct Prescreen {
        ScanReport *reports;
        size_t n;
        AirlockError *err;
} Prescreen;

static int read_all(int fd, size_t size, char **ret)
{
        _cleanup_free_ char *buf = malloc(size ? size : 1);
        ssize_t done;

        if (!buf)
                return -ENOMEM;
        done = fd_read_full(fd, buf, size);
        if (done < 0)
                return (int)done;
        *ret = TAKE_PTR(buf);
        return (int)done;
}

static int scan_file(Prescreen *p, int dir_fd, const char *name, const char *path)
{
        _cleanup_close_ int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        _cleanup_free_ char *data = NULL;
        struct stat st;
        ScanReport *grown;
        int len, r;

        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return 0;
        if ((uint64_t)st.st_size > SCAN_MAX_INPUT || p->n >= PRESCREEN_MAX_FILES)
                return 0;
        len = read_all(fd, (size_t)st.st_size, &data);
        if (len < 0)
                return airlock_error_set(p->err, AIRLOCK_ERR_SETUP, -len, "prescreen", "%s", path);
        if (scan_language_guess(path, data, (size_t)len) == SCAN_LANG_AUTO)
                return 0; /* neither Python nor shell: nothing to say */
        grown = realloc(p->reports, (p->n + 1) * sizeof(*grown));
        if (!grown)
                return -ENOMEM;
        p->reports = grown;
        r = scan_buffer(path, data, (size_t)len, SCAN_LANG_AUTO, &p->reports[p->n], p->err);
        if (r < 0)
                return r;
        p->n++;
        return 0;
}

static int walk(Prescreen *p, int dir_fd, const char *name, const char *path, unsigned depth)
{
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        DIR *d;
        struct dirent *de;
        int r = 0;

        if (fstatat(dir_fd, name, &st, depth ? AT_SYMLINK_NOFOLLOW : 0) < 0)
                return 0;
        if (S_ISREG(st.st_mode))
                return scan_file(p, dir_fd, name, path);
        if (!S_ISDIR(st.st_mode) || depth >= AIRLOCK_MAX_COPY_DEPTH)
                return 0;
        fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (depth ? O_NOFOLLOW : 0));
        if (fd < 0)
                return 0;
        d = fdopendir(TAKE_FD(fd));
        if (!d)
                return 0;
        while (r >= 0 && (de = readdir(d)) && p->n < PRESCREEN_MAX_FILES) {
                char sub[PATH_MAX];

                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= (int)sizeof(sub))
                        continue;
                r = walk(p, dirfd(d), de->d_name, sub, depth + 1);
        }
        closedir(d);
        return r;
}

int prescreen_run(const AirlockConfig *c, ScanReport **ret_reports, size_t *ret_n,
                  AirlockError *err)
{
        Prescreen p = {.err = err};
        int r = 0;

        for (size_t i = 0; r >= 0 && i < c->n_copies; i++)
                r = walk(&p, AT_FDCWD, c->copies[i].host, c->copies[i].host, 0);
        if (r < 0) {
                prescreen_free(p.reports, p.n);
                return r;
        }
        *ret_reports = p.reports;
        *ret_n = p.n;
        return 0;
}

bool prescreen_blocks(const AirlockConfig *c, const ScanReport *reports, size_t n)
{
        if (c->prescreen_mode != AIRLOCK_PRESCREEN_BLOCK)
                return false;
        for (size_t i = 0; i < n; i++)
                if (scan_report_max_severity(&reports[i]) >= (int)c->prescreen_severity)
                        return true;
        return false;
}

void prescreen_free(ScanReport *reports, size_t n)
{
        for (size_t i = 0; i < n; i++)
                scan_report_done(&reports[i]);
        free(reports);
}
