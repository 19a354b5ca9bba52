/* The per-run channel from a run worker (launcher side) to the front end: a SOCK_STREAM
 * socketpair the front end creates for each run, carrying frames of [u8 type][3 zero bytes]
 * [u32 length, little endian][payload]. The front end only reads it; closing its end (the
 * client went away) cancels the run. */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef enum RunFrameType {
        RUN_FRAME_STDOUT = 1, /* raw bytes the program wrote, as they arrive */
        RUN_FRAME_STDERR = 2,
        RUN_FRAME_EVENT = 3,   /* one audit event, a JSON object (text) */
        RUN_FRAME_STARTED = 4, /* empty: the request was accepted and the sandbox is starting */
        RUN_FRAME_RESULT = 5,  /* the final result: the JSON object `airlock run --json` prints,
                                * with collected files inlined; the last frame */
        RUN_FRAME_ERROR = 6,   /* the request was refused before anything ran: a JSON object
                                * {"status": HTTP status, "code": "...", "message": "..."};
                                * the last frame */
} RunFrameType;

/* Bigger payloads are a protocol error: the reader drops the run. */
#define RUN_FRAME_MAX_PAYLOAD (512ULL * 1024 * 1024)

typedef struct RunFrame {
        uint8_t type;
        uint8_t *payload; /* malloc'd, NUL-terminated for convenience (not counted in len) */
        size_t len;
} RunFrame;

/* Writes one frame, all of it (retrying short writes and EINTR). 0 or -errno (-EPIPE: the
 * front end is gone). */
int run_frame_write(int fd, uint8_t type, const void *payload, size_t len);

/* Reads one frame, blocking. 1 with *ret filled, 0 on a clean EOF before any byte, or -errno
 * (-EPROTO for a malformed frame). */
int run_frame_read(int fd, RunFrame *ret);

void run_frame_done(RunFrame *f);
