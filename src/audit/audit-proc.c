#include "audit-proc.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "basic/macros.h"

bool audit_proc_valid(const AuditProc *p)
{
        uint64_t id = p->id;

        return ioctl(p->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

static ssize_t read_raw(const AuditProc *p, uint64_t addr, void *buf, size_t len)
{
        struct iovec local = {.iov_base = buf, .iov_len = len};
        struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = len};
        ssize_t n;

        if (len == 0)
                return 0;
        /* whole pages or nothing: a read that runs into an unmapped page stops there */
        n = process_vm_readv(p->pid, &local, 1, &remote, 1, 0);
        return n < 0 ? negative_errno() : n;
}

ssize_t audit_proc_read(AuditProc *p, uint64_t addr, void *buf, size_t len)
{
        ssize_t n = read_raw(p, addr, buf, len);

        if (n < 0)
                return n;
        return audit_proc_valid(p) ? n : -ESRCH;
}

/* A path is usually short: read up to the end of its page, at most STRING_CHUNK bytes, and go
 * on only while no NUL has come. Each chunk pins one page of the caller's at most (pinning and
 * copying a whole PATH_MAX took most of a notification's time). */
#define STRING_CHUNK 256

ssize_t audit_proc_string(AuditProc *p, uint64_t addr, char *buf, size_t size, bool *ret_truncated)
{
        size_t got = 0;
        char *nul = NULL;

        *ret_truncated = false;
        buf[0] = '\0';
        while (!nul && got < size - 1) {
                uint64_t at = addr + got;
                size_t page_left = 4096 - (size_t)(at % 4096);
                size_t want = MIN(MIN(size - 1 - got, page_left), (size_t)STRING_CHUNK);
                ssize_t n = read_raw(p, at, buf + got, want);

                if (n < 0 && got == 0)
                        return n;
                if (n <= 0)
                        break;
                nul = memchr(buf + got, '\0', (size_t)n);
                got += (size_t)n;
                if ((size_t)n < want)
                        break;
        }
        if (!audit_proc_valid(p)) {
                buf[0] = '\0';
                return -ESRCH;
        }
        if (!nul) {
                *ret_truncated = true;
                buf[got] = '\0';
                return (ssize_t)got;
        }
        return nul - buf;
}

int audit_proc_dir(const AuditProc *p, int fd, char *buf, size_t size)
{
        char path[64];
        ssize_t n;

        if (fd < 0)
                snprintf(path, sizeof(path), "/proc/%d/cwd", (int)p->pid);
        else
                snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)p->pid, fd);
        n = readlink(path, buf, size - 1);
        if (n < 0)
                return negative_errno();
        if ((size_t)n == size - 1)
                return -ENAMETOOLONG;
        buf[n] = '\0';
        /* the pid may have been reused between the notification and the readlink */
        return audit_proc_valid(p) ? 0 : -ESRCH;
}
