#include "run-frame.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int write_all(int fd, const void *p, size_t len)
{
        const uint8_t *b = p;

        while (len > 0) {
                /* MSG_NOSIGNAL: a front end that went away is -EPIPE, not a SIGPIPE. */
                ssize_t n = send(fd, b, len, MSG_NOSIGNAL);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                b += n;
                len -= (size_t)n;
        }
        return 0;
}

int run_frame_write(int fd, uint8_t type, const void *payload, size_t len)
{
        uint8_t head[8] = {type, 0, 0, 0, len, len >> 8, len >> 16, len >> 24};
        int r;

        if (len > RUN_FRAME_MAX_PAYLOAD)
                return -E2BIG;
        r = write_all(fd, head, sizeof(head));
        return r < 0 ? r : write_all(fd, payload, len);
}

/* 1: all read; 0: EOF before the first byte; -errno otherwise (-EPROTO: EOF mid-way). */
static int read_all(int fd, void *p, size_t len)
{
        uint8_t *b = p;
        size_t got = 0;

        while (got < len) {
                ssize_t n = read(fd, b + got, len - got);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return got == 0 ? 0 : -EPROTO;
                got += (size_t)n;
        }
        return 1;
}

int run_frame_read(int fd, RunFrame *ret)
{
        uint8_t head[8];
        uint8_t *payload;
        size_t len;
        int r;

        r = read_all(fd, head, sizeof(head));
        if (r <= 0)
                return r;
        len =
            (size_t)head[4] | (size_t)head[5] << 8 | (size_t)head[6] << 16 | (size_t)head[7] << 24;
        if (head[0] < RUN_FRAME_STDOUT || head[0] > RUN_FRAME_ERROR || head[1] || head[2] ||
            head[3] || len > RUN_FRAME_MAX_PAYLOAD)
                return -EPROTO;
        payload = malloc(len + 1);
        if (!payload)
                return -ENOMEM;
        r = len ? read_all(fd, payload, len) : 1;
        if (r <= 0) {
                free(payload);
                return r == 0 ? -EPROTO : r;
        }
        payload[len] = '\0';
        *ret = (RunFrame){.type = head[0], .payload = payload, .len = len};
        return 1;
}

void run_frame_done(RunFrame *f)
{
        free(f->payload);
        *f = (RunFrame){0};
}
