#include "fs-util.h"

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "basic/macros.h"

int fs_open_beneath(int dirfd, const char *path, int flags, mode_t mode)
{
        struct open_how how = {
            .flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW),
            .mode = (flags & O_CREAT) ? mode : 0,
            .resolve =
                RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
        };
        long fd;

        do
                fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
        while (fd < 0 && errno == EINTR);
        return fd < 0 ? negative_errno() : (int)fd;
}

int fs_open_parent_beneath(int dirfd, const char *path, int create_mode, int *ret_fd,
                           const char **ret_name)
{
        _cleanup_close_ int cur = -EBADF;
        const char *p = path, *slash;
        char comp[NAME_MAX + 1];

        cur = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
        if (cur < 0)
                return negative_errno();
        while ((slash = strchr(p, '/'))) {
                size_t n = (size_t)(slash - p);
                int next;

                if (n == 0 || n > NAME_MAX)
                        return -EINVAL;
                memcpy(comp, p, n);
                comp[n] = '\0';
                if (create_mode && mkdirat(cur, comp, (mode_t)create_mode) < 0 && errno != EEXIST)
                        return negative_errno();
                next = fs_open_beneath(cur, comp, O_RDONLY | O_DIRECTORY, 0);
                if (next < 0)
                        return next;
                close(cur);
                cur = next;
                p = slash + 1;
        }
        if (!*p)
                return -EINVAL;
        *ret_fd = TAKE_FD(cur);
        *ret_name = p;
        return 0;
}

int fs_copy_data(int in, int out, uint64_t max, uint64_t *ret_copied)
{
        uint64_t total = 0;
        char buf[65536];
        bool use_cfr = true;

        for (;;) {
                ssize_t n;

                if (use_cfr) {
                        n = copy_file_range(in, NULL, out, NULL, 1 << 20, 0);
                        if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
                                      errno == EOPNOTSUPP || errno == EBADF)) {
                                use_cfr = false;
                                continue;
                        }
                } else {
                        n = read(in, buf, sizeof(buf));
                        if (n > 0) {
                                for (ssize_t done = 0; done < n;) {
                                        ssize_t w = write(out, buf + done, (size_t)(n - done));

                                        if (w < 0) {
                                                if (errno == EINTR)
                                                        continue;
                                                return negative_errno();
                                        }
                                        done += w;
                                }
                        }
                }
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        break;
                total += (uint64_t)n;
                if (total > max)
                        return -EFBIG;
        }
        if (ret_copied)
                *ret_copied = total;
        return 0;
}
