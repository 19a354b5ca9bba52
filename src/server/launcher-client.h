/* The front end's side of the control socket to the launcher (a SOCK_SEQPACKET socketpair made
 * before the front end was forked). The front end has no power to make sandboxes: it hands the
 * launcher a sealed memfd with the encoded request and one end of a fresh run channel, and
 * reads frames from the other end (run-frame.h). */
#pragma once

#include "serve-request.h"

/* Encodes req into a sealed memfd, makes the run channel and sends both to the launcher.
 * On success *ret_run_fd is the front end's end of the channel (O_CLOEXEC): read frames from
 * it; close it to cancel. 0 or -errno (-EPIPE: the launcher is gone). Thread-safe (one
 * sendmsg per call on a SOCK_SEQPACKET socket). */
int launcher_submit(int ctl_fd, const ServeRequest *req, int *ret_run_fd);

/* What the launcher sends the front end on the control socket: read them with
 * launcher_proto_recv() (launcher-proto.h). LAUNCHER_MSG_KEYS carries one fd, a memfd holding
 * the keys file's new text (SIGHUP reload; read it from offset 0 with pread); LAUNCHER_MSG_DRAIN
 * (SIGTERM) none: stop accepting, finish what runs, return. */
#include "launcher-proto.h"
