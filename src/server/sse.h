/* Server-Sent Events for a streaming run (Accept: text/event-stream): the frames of a run as
 *
 *   event: started   data: {}
 *   event: stdout    data: {"data": "text"}   or {"data": "lossy text", "base64": "exact bytes"}
 *   event: stderr    (the same)
 *   event: event     data: one audit event object
 *   event: result    data: the result object, as POST /v1/runs answers without streaming
 *   event: error     data: {"status": 422, "code": "...", "message": "..."}
 *
 * Output bytes of a UTF-8 sequence cut at a chunk's end wait for the next chunk, so that text
 * never turns into base64 only because of where a read() stopped. Pure formatting: no I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct SseStream {
        char *buf; /* formatted, not yet sent */
        size_t len, off, cap;
        uint8_t carry[2][4]; /* stdout, stderr: the start of a cut sequence */
        size_t carry_len[2];
} SseStream;

void sse_stream_done(SseStream *s);

/* An event whose data is text (JSON): each line of it becomes a "data:" line. */
int sse_append_event(SseStream *s, const char *event, const char *text, size_t len);

/* which: 0 stdout, 1 stderr. */
int sse_append_output(SseStream *s, int which, const uint8_t *data, size_t len);

/* Sends what the output streams still carry (the run ended mid-sequence). */
int sse_flush_output(SseStream *s);

/* A comment line (": text"): keeps proxies from closing a quiet stream. */
int sse_append_comment(SseStream *s, const char *text);

/* Copies up to max formatted bytes out; returns how many. */
size_t sse_take(SseStream *s, char *buf, size_t max);
bool sse_pending(const SseStream *s);
