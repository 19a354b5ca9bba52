#include "sse.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "basic/base64.h"
#include "basic/macros.h"
#include "basic/utf8.h"

#define _cleanup_json_ _cleanup_(json_decrefp)

static const char *const output_events[2] = {"stdout", "stderr"};

void sse_stream_done(SseStream *s)
{
        free(s->buf);
        *s = (SseStream){0};
}

static int put(SseStream *s, const char *p, size_t n)
{
        if (n == 0)
                return 0;
        if (s->off == s->len)
                s->off = s->len = 0; /* all sent: start over at the front */
        if (n > SIZE_MAX / 2 - s->len)
                return -ENOMEM;
        if (s->len + n > s->cap) {
                size_t cap = MAX(s->cap * 2, s->len + n + 256);
                char *grown = realloc(s->buf, cap);

                if (!grown)
                        return -ENOMEM;
                s->buf = grown;
                s->cap = cap;
        }
        memcpy(s->buf + s->len, p, n);
        s->len += n;
        return 0;
}

static int puts_(SseStream *s, const char *p)
{
        return put(s, p, strlen(p));
}

int sse_append_event(SseStream *s, const char *event, const char *text, size_t len)
{
        const char *p = text, *end = text + len;
        int r;

        r = puts_(s, "event: ");
        if (r >= 0)
                r = puts_(s, event);
        if (r >= 0)
                r = puts_(s, "\n");
        /* A newline inside the text would end the data early: every line gets its own
         * "data:", and the client joins them with newlines again. */
        do {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

                if (r >= 0)
                        r = puts_(s, "data: ");
                if (r >= 0)
                        r = put(s, p, n);
                if (r >= 0)
                        r = puts_(s, "\n");
                p += n + (nl ? 1 : 0);
        } while (r >= 0 && p < end);
        return r < 0 ? r : puts_(s, "\n");
}

/* How many bytes at the end of buf start a UTF-8 sequence that is not complete yet. */
static size_t cut_tail(const uint8_t *buf, size_t len)
{
        for (size_t back = 1; back <= 3 && back <= len; back++) {
                uint8_t c = buf[len - back];
                size_t need;

                if ((c & 0xc0) == 0x80)
                        continue; /* a continuation byte: look further back */
                need = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 1;
                return need > back ? back : 0;
        }
        return 0;
}

static int append_chunk(SseStream *s, int which, const uint8_t *data, size_t len)
{
        _cleanup_free_ char *lossy = NULL, *b64 = NULL, *text = NULL;
        _cleanup_json_ json_t *o = NULL;
        size_t lossy_len, b64_len;

        if (len == 0)
                return 0;
        if (utf8_is_valid((const char *)data, len))
                o = json_pack("{s:s%}", "data", (const char *)data, len);
        else {
                if (utf8_make_valid((const char *)data, len, &lossy, &lossy_len) < 0 ||
                    base64_encode(data, len, &b64, &b64_len) < 0)
                        return -ENOMEM;
                o = json_pack("{s:s%,s:s%}", "data", lossy, lossy_len, "base64", b64, b64_len);
        }
        if (!o)
                return -ENOMEM;
        text = json_dumps(o, JSON_COMPACT);
        if (!text)
                return -ENOMEM;
        return sse_append_event(s, output_events[which], text, strlen(text));
}

int sse_append_output(SseStream *s, int which, const uint8_t *data, size_t len)
{
        _cleanup_free_ uint8_t *joined = NULL;
        size_t carried, total, cut;

        which = which ? 1 : 0;
        carried = s->carry_len[which];
        if (len > SIZE_MAX - 8)
                return -ENOMEM;
        total = carried + len;
        joined = malloc(total + 1);
        if (!joined)
                return -ENOMEM;
        memcpy(joined, s->carry[which], carried);
        if (len)
                memcpy(joined + carried, data, len);
        cut = cut_tail(joined, total);
        memcpy(s->carry[which], joined + total - cut, cut);
        s->carry_len[which] = cut;
        return append_chunk(s, which, joined, total - cut);
}

int sse_flush_output(SseStream *s)
{
        for (int which = 0; which < 2; which++) {
                uint8_t tail[4];
                size_t n = s->carry_len[which];
                int r;

                memcpy(tail, s->carry[which], n);
                s->carry_len[which] = 0;
                r = append_chunk(s, which, tail, n);
                if (r < 0)
                        return r;
        }
        return 0;
}

int sse_append_comment(SseStream *s, const char *text)
{
        int r = puts_(s, ": ");

        if (r >= 0)
                r = puts_(s, text);
        return r < 0 ? r : puts_(s, "\n\n");
}

size_t sse_take(SseStream *s, char *buf, size_t max)
{
        size_t n = MIN(max, s->len - s->off);

        memcpy(buf, s->buf + s->off, n);
        s->off += n;
        return n;
}

bool sse_pending(const SseStream *s)
{
        return s->off < s->len;
}
