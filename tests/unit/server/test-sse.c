#include <criterion/criterion.h>
#include <string.h>

#include "server/sse.h"

static char *drain(SseStream *s)
{
        static char buf[4096];
        size_t n = sse_take(s, buf, sizeof(buf) - 1);

        buf[n] = '\0';
        cr_assert_not(sse_pending(s));
        return buf;
}

Test(sse, events_and_multiline_data)
{
        SseStream s = {0};

        cr_assert_eq(sse_append_event(&s, "started", "{}", 2), 0);
        cr_assert_str_eq(drain(&s), "event: started\ndata: {}\n\n");
        cr_assert_eq(sse_append_event(&s, "result", "{\n\"a\": 1\n}", 10), 0);
        cr_assert_str_eq(drain(&s), "event: result\ndata: {\ndata: \"a\": 1\ndata: }\n\n");
        cr_assert_eq(sse_append_comment(&s, "keepalive"), 0);
        cr_assert_str_eq(drain(&s), ": keepalive\n\n");
        sse_stream_done(&s);
}

Test(sse, output_keeps_utf8_across_chunks)
{
        SseStream s = {0};

        cr_assert_eq(sse_append_output(&s, 0, (const uint8_t *)"a\xc3", 2), 0);
        cr_assert_str_eq(drain(&s), "event: stdout\ndata: {\"data\":\"a\"}\n\n");
        cr_assert_eq(sse_append_output(&s, 1, (const uint8_t *)"e\xe2\x82", 3), 0);
        cr_assert_str_eq(drain(&s), "event: stderr\ndata: {\"data\":\"e\"}\n\n");
        cr_assert_eq(sse_append_output(&s, 0, (const uint8_t *)"\xa9!", 2), 0);
        cr_assert_str_eq(drain(&s), "event: stdout\ndata: {\"data\":\"\xc3\xa9!\"}\n\n");
        /* The run ended mid-sequence: what is left goes out, exactly, as base64. */
        cr_assert_eq(sse_flush_output(&s), 0);
        cr_assert_str_eq(drain(&s), "event: stderr\ndata: {\"data\":\"\xef\xbf\xbd\xef\xbf\xbd\","
                                    "\"base64\":\"4oI=\"}\n\n");
        sse_stream_done(&s);
}

Test(sse, invalid_output_has_base64)
{
        SseStream s = {0};

        cr_assert_eq(sse_append_output(&s, 0, (const uint8_t *)"\xff\n", 2), 0);
        cr_assert_str_eq(drain(&s), "event: stdout\ndata: {\"data\":\"\xef\xbf\xbd\\n\","
                                    "\"base64\":\"/wo=\"}\n\n");
        cr_assert_eq(sse_append_output(&s, 0, (const uint8_t *)"a\0b", 3), 0);
        cr_assert_str_eq(drain(&s), "event: stdout\ndata: {\"data\":\"a\\u0000b\"}\n\n");
        sse_stream_done(&s);
}
