#include "run-state.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include "audit-link.h"
#include "basic/macros.h"

/* How often the cgroup's CPU counter is read when the CPU limit can bind before the wall. */
#define CPU_POLL_NS (50ULL * 1000 * 1000)

void supervise_kill(RunState *s)
{
        if (s->killed)
                return;
        s->killed = true;
        s->end_ns = monotonic_ns();
        if (s->child > 0)
                (void)kill(s->child, SIGKILL);
        if (s->identity.cgroup)
                (void)cgroup_kill(s->identity.cgroup);
}

static bool cpu_limit_can_bind(const AirlockLimits *l)
{
        /* With a CFS quota the tree cannot use more than wall × cpus of CPU time. */
        return l->cpu_ms < l->wall_ms * l->cpu_milli / 1000;
}

static void handle_sync(RunState *s, AirlockError *err)
{
        SyncMessage msg;
        int fd = -EBADF;
        int r = sync_recv(s->sync_fd, &msg, &fd);

        if (r < 0) {
                /* EOF: pid 1 and the program are gone or going; the pidfd tells the rest. */
                s->sync_fd = safe_close(s->sync_fd);
                return;
        }
        if (msg.point == SYNC_EXITED) {
                s->got_exit = true;
                s->exit_msg = msg;
                if (!s->killed)
                        s->end_ns = msg.monotonic_ns;
        } else if (msg.point == SYNC_ERROR) {
                /* The program's own setup (rlimits, credentials, exec...) failed. */
                s->outcome.setup_failed = true;
                if (err->kind == AIRLOCK_ERR_NONE)
                        *err = msg.error;
        } else if (msg.point == SYNC_AUDIT_LISTENER) {
                /* sync #4b: the worker's exec waits for us to serve this (--audit). */
                if (audit_link_start(s, TAKE_FD(fd), err) < 0)
                        supervise_kill(s);
        }
        safe_close(fd);
}

static void check_output(RunState *s, Capture *c, AirlockError *err)
{
        int r = capture_read(c, s->hooks);

        if (r > 0) {
                s->outcome.output_exceeded = true;
                supervise_kill(s);
        } else if (r < 0) {
                airlock_error_set(err, AIRLOCK_ERR_INTERNAL, -r, "read output", NULL);
                supervise_kill(s);
        }
}

static int poll_timeout_ms(const RunState *s, uint64_t now, uint64_t deadline, bool poll_cpu)
{
        uint64_t wait_ns;

        if (s->killed)
                return 1000; /* only waiting for the kernel to finish the kill */
        wait_ns = deadline > now ? deadline - now : 0;
        if (poll_cpu)
                wait_ns = MIN(wait_ns, CPU_POLL_NS);
        return (int)((wait_ns + 999999) / 1000000);
}

/* The caller's cancel fds go after the run's own in the poll set. */
#define MAX_CANCEL_FDS 4

static void check_cancel(RunState *s, const struct pollfd *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (p[i].revents && !s->killed) {
                        s->outcome.cancelled = true;
                        supervise_kill(s);
                }
}

int supervise_run(RunState *s, AirlockError *err)
{
        size_t n_cancel = s->hooks ? MIN(s->hooks->n_cancel_fds, (size_t)MAX_CANCEL_FDS) : 0;
        const AirlockLimits *l = &s->config->limits;
        uint64_t deadline = s->start_ns + l->wall_ms * 1000000ULL;
        bool poll_cpu = cpu_limit_can_bind(l) && s->identity.cgroup;

        for (;;) {
                struct pollfd p[6 + MAX_CANCEL_FDS] = {
                    {.fd = s->pidfd, .events = POLLIN},      {.fd = s->sync_fd, .events = POLLIN},
                    {.fd = s->out.fd, .events = POLLIN},     {.fd = s->err.fd, .events = POLLIN},
                    {.fd = s->pump.pipe, .events = POLLOUT},
                };
                uint64_t now = monotonic_ns();
                /* Once killed, a cancel fd that stays readable must not spin the loop. */
                size_t nc = s->killed ? 0 : n_cancel;
                int n;

                for (size_t i = 0; i < nc; i++)
                        p[5 + i] = (struct pollfd){.fd = s->hooks->cancel_fds[i],
                                                   .events = POLLIN | POLLRDHUP};
                /* --audit: events are waiting for the hooks, or a kill rule fired */
                p[5 + nc] = (struct pollfd){.fd = audit_link_wake_fd(s), .events = POLLIN};
                n = poll(p, 6 + nc, poll_timeout_ms(s, now, deadline, poll_cpu));
                if (n < 0 && errno != EINTR)
                        return airlock_error_set(err, AIRLOCK_ERR_INTERNAL, errno, "poll", NULL);
                if (p[1].revents)
                        handle_sync(s, err);
                if (p[2].revents)
                        check_output(s, &s->out, err);
                if (p[3].revents)
                        check_output(s, &s->err, err);
                if (p[4].revents)
                        (void)stdin_pump_run(&s->pump);
                check_cancel(s, p + 5, nc);
                if (p[5 + nc].revents)
                        audit_link_pump(s);
                if (p[0].revents)
                        break; /* pid 1 is gone, and with it the whole pid namespace */
                now = monotonic_ns();
                if (!s->killed && now >= deadline) {
                        s->outcome.timed_out = true;
                        supervise_kill(s);
                }
                if (!s->killed && poll_cpu) {
                        uint64_t usec;

                        if (cgroup_read_cpu_usec(s->identity.cgroup, &usec) >= 0 &&
                            usec >= l->cpu_ms * 1000) {
                                s->outcome.cpu_exceeded = true;
                                supervise_kill(s);
                        }
                }
        }
        /* pid 1 may have sent its report just before dying: read what is left. */
        while (s->sync_fd >= 0)
                handle_sync(s, err);
        return 0;
}
