#include "copyin.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/fd-util.h"
#include "basic/macros.h"
#include "config/limits.h"
#include "fs-util.h"

typedef struct CopyIn {
        uid_t as_uid;
        gid_t as_gid;
        const char *spec; /* the --copy source, for messages */
        AirlockError *err;
} CopyIn;

/* Creating in the sandbox's tmpfs needs an identity it can represent; reading the host needs
 * the caller's. Only the filesystem ids switch, and only around the creating calls. */
static void become_sandbox(const CopyIn *ci, bool on)
{
        if (ci->as_uid == (uid_t)-1)
                return;
        (void)setfsgid(on ? ci->as_gid : getegid());
        (void)setfsuid(on ? ci->as_uid : geteuid());
}

static int fail(const CopyIn *ci, int r, const char *what)
{
        return airlock_error_set(ci->err, AIRLOCK_ERR_SETUP, -r, "copy inputs", "%s: %s", ci->spec,
                                 what);
}

static int copy_file(const CopyIn *ci, int src_fd, const struct stat *st, int dst_dir,
                     const char *name)
{
        _cleanup_close_ int out = -EBADF;
        int r;

        become_sandbox(ci, true);
        /* Permission bits survive, set-id bits do not. */
        out = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                     (st->st_mode & 0777) | 0600);
        r = out < 0 ? negative_errno() : 0;
        become_sandbox(ci, false);
        if (r < 0)
                return fail(ci, r, name);
        r = fs_copy_data(src_fd, out, UINT64_MAX, NULL);
        if (r < 0)
                return fail(ci, r, name);
        return 0;
}

static int copy_tree(const CopyIn *ci, int src_dir, int dst_dir, unsigned depth);

/* depth 0 is the source the caller named: a symlink there is followed (the caller asked for
 * what it points at); below it, symlinks are recreated as symlinks. */
static int copy_entry(const CopyIn *ci, int src_dir, const char *name, int dst_dir,
                      const char *dst_name, unsigned depth)
{
        int nofollow = depth > 0 ? O_NOFOLLOW : 0;
        struct stat st;
        int r;

        if (fstatat(src_dir, name, &st, depth > 0 ? AT_SYMLINK_NOFOLLOW : 0) < 0)
                return fail(ci, negative_errno(), name);
        if (S_ISREG(st.st_mode)) {
                _cleanup_close_ int in = openat(src_dir, name, O_RDONLY | nofollow | O_CLOEXEC);

                if (in < 0)
                        return fail(ci, negative_errno(), name);
                return copy_file(ci, in, &st, dst_dir, dst_name);
        }
        if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t n = readlinkat(src_dir, name, target, sizeof(target) - 1);

                if (n < 0)
                        return fail(ci, negative_errno(), name);
                target[n] = '\0';
                become_sandbox(ci, true);
                r = symlinkat(target, dst_dir, dst_name) < 0 ? negative_errno() : 0;
                become_sandbox(ci, false);
                return r < 0 ? fail(ci, r, name) : 0;
        }
        if (S_ISDIR(st.st_mode)) {
                _cleanup_close_ int in = -EBADF, out = -EBADF;

                if (depth >= AIRLOCK_MAX_COPY_DEPTH)
                        return fail(ci, -ELOOP, "directories nested too deep");
                in = openat(src_dir, name, O_RDONLY | O_DIRECTORY | nofollow | O_CLOEXEC);
                if (in < 0)
                        return fail(ci, negative_errno(), name);
                become_sandbox(ci, true);
                r = mkdirat(dst_dir, dst_name, (st.st_mode & 0777) | 0700) < 0 ? negative_errno()
                                                                               : 0;
                become_sandbox(ci, false);
                if (r < 0)
                        return fail(ci, r, dst_name);
                out = fs_open_beneath(dst_dir, dst_name, O_RDONLY | O_DIRECTORY, 0);
                if (out < 0)
                        return fail(ci, out, name);
                return copy_tree(ci, in, out, depth + 1);
        }
        return 0; /* devices, fifos and sockets have no place in the sandbox */
}

static int copy_tree(const CopyIn *ci, int src_dir, int dst_dir, unsigned depth)
{
        DIR *d;
        struct dirent *de;
        int fd, r = 0;

        fd = fcntl(src_dir, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return fail(ci, negative_errno(), "directory");
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return fail(ci, negative_errno(), "directory");
        }
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                r = copy_entry(ci, src_dir, de->d_name, dst_dir, de->d_name, depth);
                if (r < 0)
                        break;
        }
        closedir(d);
        return r;
}

static int copy_one(int scratch_fd, const AirlockCopy *cp, CopyIn *ci)
{
        _cleanup_close_ int src = -EBADF, dst_dir = -EBADF;
        _cleanup_free_ char *host_dir = NULL;
        const char *dst_name, *slash;
        int r;

        ci->spec = cp->host;
        become_sandbox(ci, true);
        r = fs_open_parent_beneath(scratch_fd, cp->dest, 0755, &dst_dir, &dst_name);
        become_sandbox(ci, false);
        if (r < 0)
                return fail(ci, r, cp->dest);
        /* Open the source's parent so copy_entry() can treat it like any other entry. */
        slash = strrchr(cp->host, '/');
        if (slash)
                host_dir =
                    slash == cp->host ? strdup("/") : strndup(cp->host, (size_t)(slash - cp->host));
        src = open(host_dir ? host_dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (src < 0)
                return fail(ci, negative_errno(), cp->host);
        return copy_entry(ci, src, slash ? slash + 1 : cp->host, dst_dir, dst_name, 0);
}

static int write_inline(int scratch_fd, const AirlockInlineFile *f, CopyIn *ci)
{
        _cleanup_close_ int dir = -EBADF, out = -EBADF;
        const char *name;
        int r;

        ci->spec = f->path;
        become_sandbox(ci, true);
        r = fs_open_parent_beneath(scratch_fd, f->path, 0755, &dir, &name);
        if (r >= 0) {
                /* O_EXCL: two entries for one path are a mistake to report, not to merge. */
                out = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                             f->executable ? 0755 : 0644);
                r = out < 0 ? negative_errno() : 0;
        }
        become_sandbox(ci, false);
        if (r < 0)
                return fail(ci, r, r == -EEXIST ? "given twice" : "create");
        r = fd_write_full(out, f->data, f->len);
        return r < 0 ? fail(ci, r, "write") : 0;
}

int copyin_all(int scratch_fd, const AirlockConfig *c, uid_t as_uid, gid_t as_gid,
               AirlockError *err)
{
        CopyIn ci = {.as_uid = as_uid, .as_gid = as_gid, .err = err};
        int r;

        for (size_t i = 0; i < c->n_copies; i++) {
                r = copy_one(scratch_fd, &c->copies[i], &ci);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < c->n_inline_files; i++) {
                r = write_inline(scratch_fd, &c->inline_files[i], &ci);
                if (r < 0)
                        return r;
        }
        return 0;
}
