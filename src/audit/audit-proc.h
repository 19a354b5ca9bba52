/* Reading a notifying thread's arguments from outside: its memory with process_vm_readv(2),
 * its cwd and directory fds through /proc/PID/{cwd,fd/N}. Nothing is ever opened on its
 * behalf.
 *
 * The pid of a notification can die and be reused while we look: every read is followed by
 * SECCOMP_IOCTL_NOTIF_ID_VALID, which holds only while the very thread that made the call is
 * still waiting for our answer (seccomp_unotify(2)). A thread waiting there cannot exit, so
 * what was read before a successful check was its memory. process_vm_readv rather than
 * /proc/PID/mem: the same permission check (PTRACE_MODE_ATTACH), one syscall instead of an
 * open, a pread and a close per notification (docs/EVENTS.md, "Speed"). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct AuditProc {
        int listener;
        uint64_t id;
        pid_t pid;
} AuditProc;

/* True while the call still waits for our answer. */
bool audit_proc_valid(const AuditProc *p);

/* Reads up to len bytes at addr; fewer when the mapping ends. Returns the count or -errno
 * (-ESRCH: the call is gone, and what was read may be another process's). */
ssize_t audit_proc_read(AuditProc *p, uint64_t addr, void *buf, size_t len);

/* A NUL-terminated string at addr, into buf (size bytes, at least 1). *ret_truncated is set
 * when no NUL came within size - 1 bytes or the memory ended first. Returns its length or
 * -errno (nothing readable at addr). */
ssize_t audit_proc_string(AuditProc *p, uint64_t addr, char *buf, size_t size, bool *ret_truncated);

/* readlink of /proc/PID/cwd (fd < 0) or /proc/PID/fd/FD: the path as the sandbox names it. */
int audit_proc_dir(const AuditProc *p, int fd, char *buf, size_t size);
