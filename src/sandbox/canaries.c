#include "canaries.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/macros.h"
#include "mount-util.h"

#define STEP_MAX 128

static int fail(AirlockError *err, int r, const char *what, const char *path)
{
        char step[STEP_MAX];

        snprintf(step, sizeof(step), "audit: %s %s", what, path);
        return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, step, NULL);
}

static int create_empty(const char *rel)
{
        int fd = open(rel, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
        int r = 0;

        if (fd < 0)
                return negative_errno();
        /* the umask must not make it unreadable: a canary nobody can open never fires */
        if (fchmod(fd, 0444) < 0)
                r = negative_errno();
        close(fd);
        return r;
}

static int place(const AuditCanary *c, char *last_parent, size_t size)
{
        const char *rel = c->path + 1; /* the current directory is the new root */
        char parent[PATH_MAX];
        char *slash;
        int r;

        if (snprintf(parent, sizeof(parent), "%s", rel) >= (int)sizeof(parent))
                return -ENAMETOOLONG;
        slash = strrchr(parent, '/');
        if (slash) {
                *slash = '\0';
                /* canaries come in families: /root/.ssh/id_rsa, then id_ecdsa... */
                if (strcmp(parent, last_parent) != 0) {
                        r = mkdir_parents(parent, 0755);
                        if (r < 0)
                                return r;
                        snprintf(last_parent, size, "%s", parent);
                }
        }
        return create_empty(rel);
}

int canaries_place(SandboxContext *ctx, bool late, AirlockError *err)
{
        char last_parent[PATH_MAX] = "";
        int r = 0;

        for (size_t i = 0; i < ctx->n_canaries; i++) {
                const AuditCanary *c = &ctx->canaries[i];
                int wd;

                if (c->late != late)
                        continue;
                r = place(c, last_parent, sizeof(last_parent));
                if (r < 0)
                        return fail(err, r, "place canary", c->path);
                wd = inotify_add_watch(ctx->canary_fd, c->path + 1, IN_OPEN);
                if (wd < 0)
                        return fail(err, negative_errno(), "watch canary", c->path);
                /* the parent maps watch i + 1 to canary i */
                if ((size_t)wd != i + 1)
                        return fail(err, EPROTO, "watch canary (out of order)", c->path);
        }
        if (late)
                ctx->canary_fd = safe_close(ctx->canary_fd);
        return 0;
}

bool canaries_still_there(int fd)
{
        struct stat st;

        return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 &&
               (st.st_mode & 07777) == 0444;
}
