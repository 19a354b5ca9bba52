#include "capture.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "basic/macros.h"

static int append(Capture *c, const char *data, size_t n)
{
        CapturedOutput *o = c->out;

        if (o->len + n > c->alloc) {
                size_t want = MAX(c->alloc * 2, o->len + n);
                char *p;

                want = MIN(want, (size_t)c->cap);
                p = realloc(o->data, want + 1);
                if (!p)
                        return -ENOMEM;
                o->data = p;
                c->alloc = want;
        }
        memcpy(o->data + o->len, data, n);
        o->len += n;
        o->data[o->len] = '\0';
        return 0;
}

int capture_read(Capture *c, const SandboxHooks *hooks)
{
        char buf[65536];

        while (c->fd >= 0) {
                ssize_t n = read(c->fd, buf, sizeof(buf));
                size_t keep;

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        return negative_errno();
                }
                if (n == 0) {
                        c->fd = safe_close(c->fd);
                        return 0;
                }
                c->out->total += (uint64_t)n;
                keep = c->out->len < c->cap ? MIN((size_t)n, (size_t)(c->cap - c->out->len)) : 0;
                if (keep) {
                        int r = append(c, buf, keep);

                        if (r < 0)
                                return r;
                        if (hooks && hooks->on_output)
                                hooks->on_output(c->stream, buf, keep, hooks->userdata);
                }
                if (c->out->total > c->cap) {
                        c->out->truncated = true;
                        return 1;
                }
        }
        return 0;
}

int capture_drain(Capture *c, const SandboxHooks *hooks)
{
        int r;

        /* Every writer is dead, so EAGAIN cannot happen unless the pipe is still shared;
         * bounded anyway. */
        for (int i = 0; i < 1024 && c->fd >= 0; i++) {
                r = capture_read(c, hooks);
                if (r != 0) {
                        c->fd = safe_close(c->fd);
                        return r;
                }
        }
        c->fd = safe_close(c->fd);
        return 0;
}

int stdin_pump_run(StdinPump *p)
{
        while (p->pipe >= 0) {
                ssize_t n;

                if (p->off == p->len) {
                        if (p->src < 0) {
                                p->pipe = safe_close(p->pipe);
                                return 0;
                        }
                        n = read(p->src, p->buf, sizeof(p->buf));
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n < 0 && errno == EAGAIN)
                                return 0;
                        if (n <= 0) {
                                p->src = safe_close(p->src);
                                continue;
                        }
                        p->off = 0;
                        p->len = (size_t)n;
                }
                n = write(p->pipe, p->buf + p->off, p->len - p->off);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        /* EPIPE: the program closed its stdin; that is its right. */
                        p->pipe = safe_close(p->pipe);
                        p->src = safe_close(p->src);
                        return 0;
                }
                p->off += (size_t)n;
        }
        return 0;
}
