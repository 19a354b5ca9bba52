/* The control socket between launcher and front end: fixed-size messages on SOCK_SEQPACKET,
 * with file descriptors attached (SCM_RIGHTS). Both sides check type, size and fd count. */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef enum LauncherMessageType {
        LAUNCHER_MSG_RUN = 1,   /* front end -> launcher: fds [sealed memfd, run channel] */
        LAUNCHER_MSG_KEYS = 2,  /* launcher -> front end: fd [memfd holding the keys text] */
        LAUNCHER_MSG_DRAIN = 3, /* launcher -> front end: stop accepting, finish, exit */
} LauncherMessageType;

typedef struct LauncherMessage {
        uint32_t type;
        uint32_t reserved; /* zero */
} LauncherMessage;

#define LAUNCHER_MAX_FDS 2

/* One message with n_fds descriptors (0..LAUNCHER_MAX_FDS). 0 or -errno. */
int launcher_proto_send(int fd, const LauncherMessage *msg, const int *fds, size_t n_fds);

/* One message; *n_fds set to the descriptors received (O_CLOEXEC), which the caller owns.
 * 1 on success, 0 on EOF, -errno (-EPROTO for a malformed message; its fds are closed). */
int launcher_proto_recv(int fd, LauncherMessage *msg, int *fds, size_t *n_fds);
