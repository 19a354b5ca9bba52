/* The strict profile: the default, for one process and its threads with no network at all.
 *
 * It fits a single interpreter running a script (python3 with numpy's threads, node with
 * libuv's), not a shell, a compiler driver or anything that forks: those need the default. Three
 * differences, nothing else:
 *   - socket: AF_UNIX only (not even loopback TCP);
 *   - clone: only with CLONE_THREAD, so threads but no new processes;
 *   - fork and vfork: denied.
 * execve stays allowed: the filter is installed before the program's own exec, so it cannot tell
 * that exec from later ones, and without fork an exec only replaces the one process. */
#include <errno.h>
#include <sched.h>
#include <sys/socket.h>

#include "basic/macros.h"
#include "seccomp-internal.h"
#include "seccomp-tables.h"

/* The tables are aligned by hand for reading; clang-format would undo it. */
/* clang-format off */

#define CLONE_NS_FLAGS                                                                             \
        (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |             \
         CLONE_NEWPID | CLONE_NEWNET)

static const SeccompArgRow strict_clone_rows[] = {
        {{{.arg = 0,
           .mask = CLONE_NS_FLAGS | CLONE_THREAD,
           .value = CLONE_THREAD,
           .label = "CLONE_THREAD, no CLONE_NEW* flag"}},
         0,
         "threads (pthread_create)"},
};

const SeccompArgFilter seccomp_filter_strict_clone = {
        .syscall = "clone",
        .arg_names = {"flags"},
        .rows = strict_clone_rows,
        .n_rows = ELEMENTSOF(strict_clone_rows),
        .otherwise = {{EPERM, "strict: no new processes and no namespaces"}},
        .reason = "threads only",
};

static const SeccompArgRow strict_socket_rows[] = {
        {{{.arg = 0, .mask = 0xffffffffULL, .value = AF_UNIX, .label = "AF_UNIX"}},
         0,
         "local IPC"},
};

const SeccompArgFilter seccomp_filter_strict_socket = {
        .syscall = "socket",
        .arg_names = {"domain", "type", "protocol"},
        .rows = strict_socket_rows,
        .n_rows = ELEMENTSOF(strict_socket_rows),
        .otherwise = {{EAFNOSUPPORT, "strict: no network, not even loopback"}},
        .reason = "AF_UNIX only",
};

static const SeccompDenyRow strict_deny[] = {
        {"fork", EPERM, "strict: one process and its threads"},
        {"vfork", EPERM, "strict: one process and its threads"},
};

static const SeccompArgFilter *const strict_filters[] = {
        &seccomp_filter_strict_clone,
        &seccomp_filter_strict_socket,
};

const SeccompProfile seccomp_profile_strict = {
        .name = "strict",
        .base = &seccomp_profile_default,
        .deny = strict_deny,
        .n_deny = ELEMENTSOF(strict_deny),
        .filters = strict_filters,
        .n_filters = ELEMENTSOF(strict_filters),
        .summary = "one process and its threads, AF_UNIX sockets only",
};
/* clang-format on */
