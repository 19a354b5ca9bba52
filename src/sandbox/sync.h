/* Parent and sandbox talk over one SOCK_SEQPACKET pair. Each message is one record with a
 * numbered sync point; errors travel as data (AirlockError); EOF means the other side died. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include "basic/error.h"

typedef enum SyncPoint {
        SYNC_MAPS_WRITTEN = 1, /* #1 parent -> init: id maps written */
        SYNC_SCRATCH_READY,    /* #2 init -> parent: scratch tmpfs mounted; carries its dir fd */
        SYNC_INPUTS_COPIED,    /* #3 parent -> init: --copy files are in place */
        SYNC_RUNNING,          /* #4 init -> parent: the program's process exists */
        SYNC_EXITED,           /* #5 init -> parent: the program ended (wait status, rusage) */
        SYNC_NET_SOCKETS,      /* #2b init -> parent: the gateway's proxy listener and DNS socket,
                                * made in the sandbox's network namespace (only with --allow-net) */
        SYNC_AUDIT_LISTENER,   /* #4b worker -> parent: the seccomp listener fd, right before
                                * exec (only with --audit alerts|full) */
        SYNC_ERROR,            /* any time, sandbox -> parent: a step failed (AirlockError) */
} SyncPoint;

typedef struct SyncMessage {
        uint32_t point; /* SyncPoint */
        int32_t wait_status;
        uint64_t monotonic_ns;
        struct rusage rusage;
        AirlockError error;
} SyncMessage;

/* A CLOEXEC SOCK_SEQPACKET pair: [0] stays with the parent, [1] goes to the sandbox. */
int sync_socketpair(int ret_fds[2]);

/* Sends msg, with fd attached as SCM_RIGHTS when fd >= 0. */
int sync_send(int sock, const SyncMessage *msg, int fd);

/* The same with up to SYNC_MAX_FDS fds. */
#define SYNC_MAX_FDS 2
int sync_send_fds(int sock, const SyncMessage *msg, const int *fds, size_t n_fds);

/* Receives one message and exactly the fds it carries, up to SYNC_MAX_FDS (the rest is
 * refused: -EBADMSG); unused slots of ret_fds are -EBADF. */
int sync_recv_fds(int sock, SyncMessage *msg, int ret_fds[SYNC_MAX_FDS]);
int sync_send_point(int sock, SyncPoint point);

/* Receives one message; a received fd is returned in *ret_fd (else -EBADF). -EPIPE on EOF. */
int sync_recv(int sock, SyncMessage *msg, int *ret_fd);

/* Receives and insists on one point; a SYNC_ERROR message is copied into err and returns
 * -ECANCELED (the error is the sandbox's own report), EOF returns -EPIPE. */
int sync_expect(int sock, SyncPoint point, int *ret_fd, SyncMessage *ret_msg, AirlockError *err);

uint64_t monotonic_ns(void);
