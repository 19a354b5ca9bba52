/* Control-file helpers shared by both backends. Every file is opened relative to a group's
 * directory fd, O_CLOEXEC and O_NOFOLLOW, and never with O_CREAT: on cgroupfs a missing control
 * file means the kernel does not offer that feature, and creating it would hide that. */
#include "cgroup-internal.h"

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "basic/macros.h"
#include "basic/parse.h"

/* cgroup.procs of a group holding AIRLOCK_MAX_PIDS processes is ~200 KiB; anything far larger is
 * not a control file we understand. */
#define CG_READ_MAX (4U * 1024 * 1024)

/* What a single-number or keyed control file can hold: memory.oom_control, the largest of those
 * read, is under 100 bytes. */
#define CG_SMALL_MAX 4096

/* Processes pinned by pidfds at once in a kill: bounded, so a large group costs a few extra
 * reads of cgroup.procs rather than hundreds of fds. */
#define CG_KILL_BATCH 32

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

const CgroupFakeKernel *cgroup_fake_kernel = NULL;

const char *const cgroup_required_controllers[] = {"memory", "pids", "cpu", NULL};

int cg_mkdirat(int dir_fd, const char *name, mode_t mode, CgroupVersion version, const char *ctrl)
{
        if (mkdirat(dir_fd, name, mode) < 0)
                return negative_errno();
        if (cgroup_fake_kernel && cgroup_fake_kernel->after_mkdir) {
                _cleanup_close_ int fd = cg_open_dir(dir_fd, name);

                if (fd < 0)
                        return fd;
                return cgroup_fake_kernel->after_mkdir(fd, version, ctrl);
        }
        return 0;
}

int cg_rmdirat(int dir_fd, const char *name)
{
        if (cgroup_fake_kernel && cgroup_fake_kernel->before_rmdir) {
                int r = cgroup_fake_kernel->before_rmdir(dir_fd, name);

                if (r < 0)
                        return r;
        }
        if (unlinkat(dir_fd, name, AT_REMOVEDIR) < 0)
                return negative_errno();
        return 0;
}

int cg_open_dir(int dir_fd, const char *path)
{
        int fd = openat(dir_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

        return fd < 0 ? negative_errno() : fd;
}

int cg_write(int dir_fd, const char *file, const char *value)
{
        _cleanup_close_ int fd = -EBADF;
        size_t len = strlen(value);
        ssize_t n;

        /* O_TRUNC is a no-op on cgroupfs but keeps a fake tree's file equal to the last value. */
        fd = openat(dir_fd, file, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        /* cgroupfs parses each write(2) as one command: it must go out in a single call. */
        n = write(fd, value, len);
        if (n < 0)
                return negative_errno();
        if ((size_t)n != len)
                return -EIO;
        return 0;
}

int cg_writef(int dir_fd, const char *file, const char *fmt, ...)
{
        char buf[128];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= sizeof(buf))
                return -ENAMETOOLONG;
        return cg_write(dir_fd, file, buf);
}

int cg_read(int dir_fd, const char *file, char **ret)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        size_t used = 0, size = 0;

        fd = openat(dir_fd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        for (;;) {
                ssize_t n;

                if (size - used < 2) {
                        char *p;

                        if (size >= CG_READ_MAX)
                                return -EFBIG;
                        size = size ? size * 2 : 4096;
                        p = realloc(buf, size);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                }
                n = read(fd, buf + used, size - used - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        break;
                used += (size_t)n;
        }
        if (!buf) {
                buf = strdup("");
                if (!buf)
                        return -ENOMEM;
        }
        buf[used] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}

int cg_read_small(int dir_fd, const char *file, char *buf, size_t size)
{
        _cleanup_close_ int fd = -EBADF;
        ssize_t n;

        if (size < 2)
                return -EINVAL;
        fd = openat(dir_fd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        /* A short read is the whole file: cgroupfs generates it at the first read and copies out
         * all that fits, and a regular file (a fake tree) reads the same. A full buffer may be
         * cut: too big for this helper. */
        do
                n = read(fd, buf, size - 1);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return negative_errno();
        if ((size_t)n == size - 1)
                return -EFBIG;
        buf[n] = '\0';
        return 0;
}

int cg_pread(int fd, char *buf, size_t size)
{
        ssize_t n;

        if (size < 2)
                return -EINVAL;
        /* A pread at offset 0 makes cgroupfs regenerate the file: no reopen per sample. */
        n = pread(fd, buf, size - 1, 0);
        if (n < 0)
                return negative_errno();
        if ((size_t)n == size - 1)
                return -EFBIG;
        buf[n] = '\0';
        return 0;
}

int cg_parse_u64(const char *text, uint64_t *ret)
{
        char buf[32];
        size_t len = strcspn(text, "\n");

        /* One number and at most the kernel's trailing newline. */
        if (len >= sizeof(buf) || (text[len] == '\n' && text[len + 1] != '\0'))
                return -EINVAL;
        memcpy(buf, text, len);
        buf[len] = '\0';
        return parse_uint64(buf, ret);
}

int cg_read_u64(int dir_fd, const char *file, uint64_t *ret)
{
        char text[CG_SMALL_MAX];
        int r = cg_read_small(dir_fd, file, text, sizeof(text));

        if (r < 0)
                return r;
        return cg_parse_u64(text, ret);
}

int cg_parse_keyed(const char *text, const char *key, uint64_t *ret)
{
        size_t klen = strlen(key);

        for (const char *line = text; *line;) {
                size_t len = strcspn(line, "\n");

                if (len > klen && strncmp(line, key, klen) == 0 && line[klen] == ' ') {
                        char buf[32];
                        size_t vlen = len - klen - 1;

                        if (vlen >= sizeof(buf))
                                return -EINVAL;
                        memcpy(buf, line + klen + 1, vlen);
                        buf[vlen] = '\0';
                        return parse_uint64(buf, ret);
                }
                line += len;
                if (*line == '\n')
                        line++;
        }
        return -ENOENT;
}

int cg_read_keyed(int dir_fd, const char *file, const char *key, uint64_t *ret)
{
        char text[CG_SMALL_MAX];
        int r = cg_read_small(dir_fd, file, text, sizeof(text));

        if (r < 0)
                return r;
        return cg_parse_keyed(text, key, ret);
}

int cg_read_optional(int dir_fd, const char *file, const char *key, uint64_t *ret)
{
        int r = key ? cg_read_keyed(dir_fd, file, key, ret) : cg_read_u64(dir_fd, file, ret);

        return r == -ENOENT ? 0 : r < 0 ? r : 1;
}

bool cg_has_word(const char *text, const char *word)
{
        size_t wlen = strlen(word);

        for (const char *p = text; *p;) {
                size_t len;

                p += strspn(p, " \t\n");
                len = strcspn(p, " \t\n");
                if (len == wlen && strncmp(p, word, len) == 0)
                        return true;
                p += len;
        }
        return false;
}

const char *cg_missing_words(const char *text, const char *const *words, char *buf, size_t size)
{
        size_t used = 0;

        if (size == 0)
                return "";
        buf[0] = '\0';
        for (size_t i = 0; words[i]; i++) {
                int n;

                if (cg_has_word(text, words[i]))
                        continue;
                n = snprintf(buf + used, size - used, "%s%s", used ? " " : "", words[i]);
                if (n < 0 || (size_t)n >= size - used)
                        break;
                used += (size_t)n;
        }
        return buf;
}

bool cg_have_pidfd(void)
{
        static int have = -1; /* a benign race: every thread stores the same answer */
        int v = __atomic_load_n(&have, __ATOMIC_RELAXED);

        if (cgroup_fake_kernel && cgroup_fake_kernel->no_pidfd)
                return false;
        if (v < 0) {
                /* pid 0 is invalid: EINVAL where pidfd_open() exists, without making an fd;
                 * ENOSYS on an old kernel, EPERM or ENOSYS from a seccomp filter. */
                v = syscall(SYS_pidfd_open, 0, 0) < 0 && errno == EINVAL;
                __atomic_store_n(&have, v, __ATOMIC_RELAXED);
        }
        return v;
}

static int pid_cmp(const void *a, const void *b)
{
        pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

        return (x > y) - (x < y);
}

/* The pids cgroup.procs lists, sorted, in a malloc'd array (NULL when none). */
static int procs_read(int dir_fd, pid_t **ret, size_t *ret_n)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0, cap = 1;
        int r;

        r = cg_read(dir_fd, "cgroup.procs", &text);
        if (r < 0)
                return r;
        for (const char *p = text; *p; p++)
                cap += *p == '\n';
        pids = calloc(cap, sizeof(*pids));
        if (!pids)
                return -ENOMEM;
        for (char *line = text, *next; *line; line = next) {
                uint32_t pid;

                next = line + strcspn(line, "\n");
                if (*next)
                        *next++ = '\0';
                r = parse_uint32(line, &pid);
                if (r < 0)
                        return r;
                if (pid == 0 || pid > INT32_MAX || n == cap)
                        return -EBADMSG;
                pids[n++] = (pid_t)pid;
        }
        qsort(pids, n, sizeof(*pids), pid_cmp);
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

/* Pins each process by a pidfd, then reads cgroup.procs again: a pid listed both times belongs,
 * at the second read, to a process in the group, and if that is not the pinned one the pinned
 * one is dead and its pidfd signals nothing. A plain kill() could hit whoever got the pid after
 * the listed process exited. */
static int kill_batch(int dir_fd, const pid_t *pids, size_t n, int sig)
{
        _cleanup_free_ pid_t *again = NULL;
        int fds[CG_KILL_BATCH];
        size_t n_again = 0;
        int r = 0;

        for (size_t i = 0; i < n; i++) {
                fds[i] = (int)syscall(SYS_pidfd_open, pids[i], 0);
                /* Gone already (ESRCH), or the number names a thread now (EINVAL): not ours. */
                if (fds[i] < 0 && errno != ESRCH && errno != EINVAL && r == 0)
                        r = negative_errno();
        }
        if (r == 0 && cgroup_fake_kernel && cgroup_fake_kernel->between_reads)
                cgroup_fake_kernel->between_reads(dir_fd);
        if (r == 0)
                r = procs_read(dir_fd, &again, &n_again);
        for (size_t i = 0; i < n; i++) {
                if (fds[i] < 0)
                        continue;
                if (r == 0 && bsearch(&pids[i], again, n_again, sizeof(*again), pid_cmp) &&
                    syscall(SYS_pidfd_send_signal, fds[i], sig, NULL, 0) < 0 && errno != ESRCH)
                        r = negative_errno();
                close(fds[i]);
        }
        return r;
}

int cg_procs_kill(int dir_fd, int sig, size_t *ret_seen)
{
        _cleanup_free_ pid_t *pids = NULL;
        pid_t self = getpid();
        size_t n = 0;
        int r;

        r = procs_read(dir_fd, &pids, &n);
        if (r < 0)
                return r;
        /* Never ourselves: a group we run in is not one we may empty. */
        if (bsearch(&self, pids, n, sizeof(*pids), pid_cmp))
                return -EDEADLK;
        for (size_t i = 0; i < n; i += CG_KILL_BATCH) {
                size_t batch = MIN(n - i, (size_t)CG_KILL_BATCH);

                if (cg_have_pidfd()) {
                        r = kill_batch(dir_fd, pids + i, batch, sig);
                        if (r < 0)
                                return r;
                        continue;
                }
                for (size_t j = i; j < i + batch; j++)
                        if (kill(pids[j], sig) < 0 && errno != ESRCH)
                                return negative_errno();
        }
        if (ret_seen)
                *ret_seen = n;
        return 0;
}

int cg_procs_empty(int dir_fd)
{
        _cleanup_free_ char *text = NULL;
        int r = cg_read(dir_fd, "cgroup.procs", &text);

        if (r < 0)
                return r;
        return text[strspn(text, " \n")] == '\0';
}

void cg_sleep_ms(unsigned ms)
{
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* Whether a "0::/x" or "4:memory,foo:/x" line is the one asked for. */
static bool self_line_matches(const char *ctrls, size_t len, const char *controller)
{
        size_t clen;

        if (!controller)
                return len == 0;
        clen = strlen(controller);
        for (const char *p = ctrls, *end = ctrls + len; p < end;) {
                size_t n = strcspn(p, ",:");

                if (n == clen && strncmp(p, controller, n) == 0)
                        return true;
                p += n + 1;
        }
        return false;
}

int cg_parse_self_path(const char *text, const char *controller, char **ret)
{
        for (const char *line = text, *next; *line; line = next) {
                const char *ctrls, *path, *end;
                char *copy;

                end = line + strcspn(line, "\n");
                next = *end ? end + 1 : end;
                ctrls = memchr(line, ':', (size_t)(end - line));
                if (!ctrls)
                        continue;
                ctrls++;
                path = memchr(ctrls, ':', (size_t)(end - ctrls));
                if (!path || path + 1 >= end || path[1] != '/')
                        continue;
                if (!self_line_matches(ctrls, (size_t)(path - ctrls), controller))
                        continue;
                copy = strndup(path + 2, (size_t)(end - (path + 2)));
                if (!copy)
                        return -ENOMEM;
                *ret = copy;
                return 0;
        }
        return -ENOENT;
}

int cg_read_self_path(const char *controller, char **ret)
{
        _cleanup_free_ char *text = NULL;
        int r;

        r = cg_read(AT_FDCWD, "/proc/self/cgroup", &text);
        if (r < 0)
                return r;
        return cg_parse_self_path(text, controller, ret);
}

bool cg_path_contains(const char *parent, const char *name, const char *self)
{
        size_t plen = strlen(parent), nlen = strlen(name);

        if (!self)
                return false;
        return strncmp(self, parent, plen) == 0 && self[plen] == '/' &&
               strncmp(self + plen + 1, name, nlen) == 0 &&
               (self[plen + 1 + nlen] == '\0' || self[plen + 1 + nlen] == '/');
}
