#include "audit-notify.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "audit-proc.h"
#include "basic/clock.h"
#include "basic/macros.h"

/* Linux 6.6; Debian 12's headers stop at 6.1. On older kernels the ioctl fails and the wake-ups
 * take the ordinary path. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* Linux 6.9 */
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

struct AuditNotifier {
        AuditNotifierConfig cfg;
        int listener;
        int stop_fd;
        int canary_fd;
        pthread_t thread;
        struct seccomp_notif_sizes sizes;
        struct seccomp_notif *req;
        struct seccomp_notif_resp *resp;
        bool killed; /* a kill rule fired, or serving failed: nothing gets through any more */
        _Atomic uint64_t answered;
        uint64_t denied[SECCOMP_POLICY_NR_MAX]; /* denials so far, by syscall number */
};

/* One notification being served. */
typedef struct Call {
        AuditNotifier *nt;
        const struct seccomp_data *d;
        AuditProc proc;
        const char *name;
} Call;

static void kill_sandbox(AuditNotifier *nt)
{
        if (nt->killed)
                return;
        nt->killed = true;
        /* pid 1's death takes every process of its pid namespace with it */
        (void)syscall(SYS_pidfd_send_signal, nt->cfg.kill_pidfd, SIGKILL, NULL, 0);
}

/* The caller itself, first: the namespace dies a moment after pid 1, and a process answered
 * with EACCES would run on for that moment. Through a pidfd checked against the notification,
 * so that a reused pid can never be hit. */
static void kill_caller(const AuditProc *p)
{
        int fd = (int)syscall(SYS_pidfd_open, p->pid, PIDFD_THREAD);

        if (fd < 0) /* before Linux 6.9, only a thread-group leader has a pidfd */
                fd = (int)syscall(SYS_pidfd_open, p->pid, 0);
        if (fd < 0)
                return;
        if (audit_proc_valid(p))
                (void)syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
        close(fd);
}

/* The only place a call is let through (errnum 0): a call the policy denies, or any call after
 * a kill, is answered with an errno instead, whatever the caller asked for. A bug in the rest
 * of this file can therefore refuse too much, never allow a denied syscall. */
static int answer(AuditNotifier *nt, const struct seccomp_notif *req, int errnum)
{
        struct seccomp_notif_resp *resp = nt->resp;

        memset(resp, 0, nt->sizes.seccomp_notif_resp);
        resp->id = req->id;
        if (errnum == 0) {
                int policy = seccomp_policy_answer(nt->cfg.policy, req->data.nr,
                                                   (const uint64_t *)req->data.args);

                if (policy != 0)
                        errnum = policy;
                else if (nt->killed)
                        errnum = EPERM;
                else
                        resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        }
        resp->error = errnum ? -errnum : 0;
        atomic_fetch_add_explicit(&nt->answered, 1, memory_order_relaxed);
        if (ioctl(nt->listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0)
                /* ENOENT: the caller is gone (killed, or a signal withdrew the call) */
                return errno == ENOENT ? 0 : negative_errno();
        return 0;
}

/* Records ev (when report, or when rule matched), then raises rule's alert. Returns the errno
 * to answer with: EACCES when the rule kills (and the sandbox is being killed), else 0. The
 * event goes out before the alert, so a reader sees the attempt, then the verdict. */
static int act(Call *c, const AuditRule *rule, AuditEvent *ev, bool report, const char *evidence)
{
        AuditNotifier *nt = c->nt;

        if (rule) {
                ev->rule = rule->id;
                ev->severity = rule->severity;
                ev->action = rule->action;
                report = true;
        }
        if (report)
                audit_session_emit(nt->cfg.session, ev);
        if (!rule || rule->action == AUDIT_ACTION_LOG)
                return 0;
        (void)audit_session_alert(nt->cfg.session, rule, evidence, c->proc.pid);
        if (rule->action != AUDIT_ACTION_KILL)
                return 0;
        if (c->proc.pid > 0) /* a canary's opener is not known */
                kill_caller(&c->proc);
        kill_sandbox(nt);
        return EACCES;
}

/* The directory a relative path starts from: the caller's cwd, or its directory fd. */
static int call_base(Call *c, int dirfd, char *buf, size_t size)
{
        return audit_proc_dir(&c->proc, dirfd == AT_FDCWD ? -1 : dirfd, buf, size);
}

/* Reads the path argument and resolves it; resolved is raw itself when that fails. */
static void read_path(Call *c, int dirfd, uint64_t addr, char *raw, char *resolved, size_t size,
                      bool *ret_truncated)
{
        char base[AUDIT_PATH_MAX] = "";

        if (audit_proc_string(&c->proc, addr, raw, size, ret_truncated) < 0)
                *ret_truncated = true;
        if (raw[0] != '/' && call_base(c, dirfd, base, sizeof(base)) < 0)
                base[0] = '\0';
        if (audit_path_resolve(base, raw, resolved, size) < 0)
                snprintf(resolved, size, "%s", raw);
}

/* /proc/N/...: the sandbox's /proc shows its own processes and nothing kernel-wide. */
static bool proc_pid_path(const char *path)
{
        size_t d;

        if (strncmp(path, "/proc/", 6) != 0)
                return false;
        d = strspn(path + 6, "0123456789");
        return d > 0 && (path[6 + d] == '\0' || path[6 + d] == '/');
}

static bool writes(uint64_t flags)
{
        return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)) != 0;
}

static int on_open(Call *c, int dirfd, uint64_t path_addr, uint64_t flags)
{
        char raw[AUDIT_PATH_MAX], resolved[AUDIT_PATH_MAX];
        const AuditRuleSet *rules = c->nt->cfg.rules;
        AuditEvent ev = {
            .kind = AUDIT_EVENT_FILE_OPEN,
            .pid = c->proc.pid,
            .syscall = c->name,
            .path = raw,
            .open_flags = (int)flags,
        };
        const AuditRule *rule;
        bool report;

        read_path(c, dirfd, path_addr, raw, resolved, sizeof(raw), &ev.truncated);
        rule = audit_rules_match(rules, AUDIT_MATCH_OPEN, resolved);
        if (!rule && strcmp(raw, resolved) != 0)
                rule = audit_rules_match(rules, AUDIT_MATCH_OPEN, raw);
        ev.resolved = strcmp(raw, resolved) != 0 ? resolved : NULL;
        ev.expected = resolved[0] == '/' && audit_rules_expected(rules, resolved);
        /* Outside the layout the file does not exist (other processes' /proc entries aside);
         * a write where the layout is read-only fails. A prediction: docs/EVENTS.md. */
        ev.refused = (!ev.expected && !proc_pid_path(resolved)) ||
                     (writes(flags) && !audit_rules_writable(rules, resolved));
        report = c->nt->cfg.level == AUDIT_LEVEL_FULL || !ev.expected || ev.refused;
        return act(c, rule, &ev, report, resolved);
}

static int on_openat2(Call *c)
{
        uint64_t how[3] = {0}; /* struct open_how: flags, mode, resolve */

        /* the flags live in memory; a short read leaves them 0 (O_RDONLY), and the kernel
         * refuses a bad pointer anyway */
        (void)audit_proc_read(&c->proc, c->d->args[2], how,
                              MIN((uint64_t)sizeof(how), c->d->args[3]));
        return on_open(c, (int)c->d->args[0], c->d->args[1], how[0]);
}

/* The argument vector: up to AUDIT_ARGV_MAX strings within AUDIT_ARGV_BYTES. */
static size_t read_argv(Call *c, uint64_t addr, const char **argv, char *store, bool *ret_truncated)
{
        uint64_t ptrs[AUDIT_ARGV_MAX + 1];
        size_t used = 0, n = 0;
        ssize_t got;

        *ret_truncated = false;
        got = addr ? audit_proc_read(&c->proc, addr, ptrs, sizeof(ptrs)) : 0;
        for (size_t i = 0; got > 0 && i < (size_t)got / sizeof(ptrs[0]); i++) {
                bool cut = false;
                ssize_t len;

                if (ptrs[i] == 0)
                        return n;
                if (i == AUDIT_ARGV_MAX || used + 1 >= AUDIT_ARGV_BYTES)
                        break;
                len = audit_proc_string(&c->proc, ptrs[i], store + used, AUDIT_ARGV_BYTES - used,
                                        &cut);
                if (len < 0)
                        break;
                argv[n++] = store + used;
                used += (size_t)len + 1;
                if (cut)
                        break;
        }
        *ret_truncated = true;
        return n;
}

static int on_exec(Call *c, int dirfd, uint64_t path_addr, uint64_t argv_addr)
{
        char raw[AUDIT_PATH_MAX], resolved[AUDIT_PATH_MAX], store[AUDIT_ARGV_BYTES];
        char evidence[AUDIT_EVIDENCE_MAX];
        const char *argv[AUDIT_ARGV_MAX];
        AuditEvent ev = {
            .kind = AUDIT_EVENT_EXEC,
            .pid = c->proc.pid,
            .syscall = c->name,
            .path = raw,
            .argv = argv,
        };
        const AuditRule *rule;
        size_t len;

        read_path(c, dirfd, path_addr, raw, resolved, sizeof(raw), &ev.truncated);
        /* execveat(fd, "", ..., AT_EMPTY_PATH) runs the file fd itself names */
        if (raw[0] == '\0' && dirfd >= 0 && call_base(c, dirfd, resolved, sizeof(resolved)) < 0)
                resolved[0] = '\0';
        ev.argc = read_argv(c, argv_addr, argv, store, &ev.argv_truncated);
        ev.resolved = strcmp(raw, resolved) != 0 ? resolved : NULL;
        ev.expected = audit_rules_expected(c->nt->cfg.rules, resolved);
        rule = audit_rules_match_exec(c->nt->cfg.rules, resolved, c->nt->cfg.offline);
        len = (size_t)snprintf(evidence, sizeof(evidence), "%s", resolved);
        for (size_t i = 1; i < ev.argc && len < sizeof(evidence); i++)
                len += (size_t)snprintf(evidence + len, sizeof(evidence) - len, " %s", argv[i]);
        return act(c, rule, &ev, true, evidence);
}

static bool is_loopback(const struct sockaddr_storage *ss)
{
        if (ss->ss_family == AF_INET)
                return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
        if (ss->ss_family == AF_INET6) {
                const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;

                return IN6_IS_ADDR_LOOPBACK(a) ||
                       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
        }
        return false;
}

/* The address as text, its port, what the sandbox's network namespace does with it, and the
 * key a scan rule counts. */
static void describe_sockaddr(const struct sockaddr_storage *ss, size_t len, AuditEvent *ev,
                              char *address, size_t size, AuditScanDest *dest)
{
        ev->family = ss->ss_family;
        memset(dest, 0, sizeof(*dest));
        dest->family = (uint8_t)ss->ss_family;
        address[0] = '\0';
        if (ss->ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
                const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

                inet_ntop(AF_INET, &in->sin_addr, address, (socklen_t)size);
                ev->port = ntohs(in->sin_port);
                memcpy(dest->addr, &in->sin_addr, 4);
                dest->port = in->sin_port;
        } else if (ss->ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

                inet_ntop(AF_INET6, &in6->sin6_addr, address, (socklen_t)size);
                ev->port = ntohs(in6->sin6_port);
                memcpy(dest->addr, &in6->sin6_addr, 16);
                dest->port = in6->sin6_port;
        } else if (ss->ss_family == AF_UNIX && len > offsetof(struct sockaddr_un, sun_path)) {
                const struct sockaddr_un *un = (const struct sockaddr_un *)ss;
                size_t n = MIN(len - offsetof(struct sockaddr_un, sun_path), sizeof(un->sun_path));
                size_t o = 0;

                /* an abstract name starts with NUL: shown as '@', as ss(8) does */
                for (size_t i = 0; i < n && o + 1 < size; i++) {
                        char ch = un->sun_path[i];

                        if (ch == '\0' && i > 0)
                                break;
                        address[o++] = ch == '\0' ? '@' : ch;
                }
                address[o] = '\0';
        }
        if (ss->ss_family == AF_UNIX)
                ev->verdict = "local";
        else if (ss->ss_family == AF_UNSPEC)
                ev->verdict = "unspecified";
        else if (ss->ss_family == AF_INET || ss->ss_family == AF_INET6)
                /* the namespace has lo and nothing else: the gateway is the only way out */
                ev->verdict = is_loopback(ss) ? "loopback" : "unreachable";
        else
                ev->verdict = "other";
}

/* One of the gateway's own sockets on 127.0.0.1 (with --allow-net): no destination of its own.
 * The gateway counts each request by the destination it names; counting the proxy too would
 * count every request twice. */
static bool gateway_socket(const AuditNotifier *nt, const AuditScanDest *dest)
{
        static const uint8_t localhost[4] = {127, 0, 0, 1};

        if (dest->family != AF_INET || memcmp(dest->addr, localhost, sizeof(localhost)) != 0)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(nt->cfg.gateway_ports); i++)
                if (nt->cfg.gateway_ports[i] && dest->port == htons(nt->cfg.gateway_ports[i]))
                        return true;
        return false;
}

/* The scan rules: distinct destinations within each rule's window, which the gateway's
 * requests count into too (audit_session_scan). */
static const AuditRule *scan_check(Call *c, const AuditScanDest *dest, char *evidence, size_t size,
                                   const char *address, int port)
{
        AuditNotifier *nt = c->nt;
        const AuditRule *hit;
        size_t count;

        if (gateway_socket(nt, dest))
                return NULL;
        hit =
            audit_session_scan(nt->cfg.session, dest, clock_monotonic_ns() / 1000000, &count, NULL);
        if (hit)
                audit_scan_evidence(evidence, size, count, hit->scan_window_ms, address,
                                    (unsigned)port);
        return hit;
}

static int on_sockaddr(Call *c, AuditEventKind kind)
{
        struct sockaddr_storage ss = {0};
        char address[AUDIT_ADDRESS_MAX], evidence[AUDIT_EVIDENCE_MAX] = "";
        AuditEvent ev = {.kind = kind, .pid = c->proc.pid, .syscall = c->name, .address = address};
        size_t len = MIN(c->d->args[2], (uint64_t)sizeof(ss));
        const AuditRule *rule = NULL;
        AuditScanDest dest;
        ssize_t n;

        n = audit_proc_read(&c->proc, c->d->args[1], &ss, len);
        if (n < (ssize_t)sizeof(sa_family_t)) {
                address[0] = '\0';
                ev.verdict = "unreadable";
                return act(c, NULL, &ev, true, NULL);
        }
        describe_sockaddr(&ss, (size_t)n, &ev, address, sizeof(address), &dest);
        if (kind == AUDIT_EVENT_NET_CONNECT &&
            (ss.ss_family == AF_INET || ss.ss_family == AF_INET6))
                rule = scan_check(c, &dest, evidence, sizeof(evidence), address, ev.port);
        return act(c, rule, &ev, true, evidence);
}

static int on_socket(Call *c)
{
        AuditEvent ev = {
            .kind = AUDIT_EVENT_NET_SOCKET,
            .pid = c->proc.pid,
            .syscall = c->name,
            .family = (int)c->d->args[0],
            .sock_type = (int)c->d->args[1],
            .protocol = (int)c->d->args[2],
        };

        return act(c, NULL, &ev, true, NULL);
}

static bool power_of_two(uint64_t v)
{
        return v && !(v & (v - 1));
}

/* A call the policy denies: counted, reported at the 1st, 2nd, 4th, 8th... of its kind (the
 * count says how many so far; run.end has the totals), matched against the syscall rules at
 * the first. Answered with the policy's errno. */
static int on_denied(Call *c, int errnum)
{
        AuditNotifier *nt = c->nt;
        int nr = c->d->nr;
        /* only numbers libseccomp knows notify, all below the bound; the check is for safety */
        uint64_t count = nr >= 0 && nr < SECCOMP_POLICY_NR_MAX ? ++nt->denied[nr] : 1;
        char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
        char evidence[AUDIT_EVIDENCE_MAX], number[16];
        const AuditRule *rule;
        AuditEvent ev = {
            .kind = AUDIT_EVENT_SYSCALL_DENIED,
            .pid = c->proc.pid,
            .errnum = errnum,
            .count = count,
        };
        int r;

        snprintf(number, sizeof(number), "%d", nr);
        ev.syscall = name ? name : number;
        memcpy(ev.args, c->d->args, sizeof(ev.args));
        rule = audit_rules_match(nt->cfg.rules, AUDIT_MATCH_SYSCALL, ev.syscall);
        snprintf(evidence, sizeof(evidence), "%s(%#llx, %#llx, %#llx)", ev.syscall,
                 (unsigned long long)ev.args[0], (unsigned long long)ev.args[1],
                 (unsigned long long)ev.args[2]);
        if (rule && count > 1) {
                /* alerted at the first: later ones only carry the rule */
                ev.rule = rule->id;
                ev.severity = rule->severity;
                ev.action = rule->action;
                rule = NULL;
        }
        r = act(c, rule, &ev, power_of_two(count), evidence);
        free(name);
        return r ? r : errnum;
}

static int dispatch(Call *c)
{
        const uint64_t *a = (const uint64_t *)c->d->args;
        int policy = seccomp_policy_answer(c->nt->cfg.policy, c->d->nr, a);

        if (c->d->arch != AUDIT_ARCH_X86_64)
                return EPERM; /* the filter kills foreign code before it gets here */
        if (policy != 0)
                return on_denied(c, policy);
        switch (c->d->nr) {
        case SYS_open:
                c->name = "open";
                return on_open(c, AT_FDCWD, a[0], a[1]);
        case SYS_creat:
                c->name = "creat";
                return on_open(c, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC);
        case SYS_openat:
                c->name = "openat";
                return on_open(c, (int)a[0], a[1], a[2]);
        case SYS_openat2:
                c->name = "openat2";
                return on_openat2(c);
        case SYS_execve:
                c->name = "execve";
                return on_exec(c, AT_FDCWD, a[0], a[1]);
        case SYS_execveat:
                c->name = "execveat";
                return on_exec(c, (int)a[0], a[1], a[2]);
        case SYS_connect:
                c->name = "connect";
                return on_sockaddr(c, AUDIT_EVENT_NET_CONNECT);
        case SYS_bind:
                c->name = "bind";
                return on_sockaddr(c, AUDIT_EVENT_NET_BIND);
        case SYS_socket:
                c->name = "socket";
                return on_socket(c);
        }
        return 0; /* watched by a policy file's filter but nothing to record: let it be */
}

/* A canary was opened: the open has happened (it read an empty file), so the verdict can only
 * be the rule's, on the whole sandbox. */
static void on_canary(AuditNotifier *nt, const AuditCanary *canary)
{
        Call c = {.nt = nt};
        AuditEvent ev = {
            .kind = AUDIT_EVENT_FILE_OPEN,
            .path = canary->path,
            .expected = true,
            .canary = true,
        };

        (void)act(&c, canary->rule, &ev, true, canary->path);
}

/* Every queued inotify event; a watch number names its canary (canaries.h). */
static void drain_canaries(AuditNotifier *nt)
{
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

        for (;;) {
                ssize_t n = read(nt->canary_fd, buf, sizeof(buf));

                if (n <= 0)
                        return; /* EAGAIN: all read; the fd is non-blocking */
                for (char *p = buf; p < buf + n;) {
                        const struct inotify_event *e = (const struct inotify_event *)p;

                        if ((e->mask & IN_OPEN) && e->wd > 0 && (size_t)e->wd <= nt->cfg.n_canaries)
                                on_canary(nt, &nt->cfg.canaries[e->wd - 1]);
                        p += sizeof(*e) + e->len;
                }
        }
}

static int serve_one(AuditNotifier *nt)
{
        Call c = {.nt = nt};
        int errnum, r;

        memset(nt->req, 0, nt->sizes.seccomp_notif);
        if (ioctl(nt->listener, SECCOMP_IOCTL_NOTIF_RECV, nt->req) < 0)
                /* ENOENT: the caller went away between the wake-up and the receive */
                return errno == EINTR || errno == ENOENT ? 0 : negative_errno();
        c.d = &nt->req->data;
        c.proc =
            (AuditProc){.listener = nt->listener, .id = nt->req->id, .pid = (pid_t)nt->req->pid};
        errnum = getenv("AL_SKIP") ? 0 : nt->killed ? EPERM : dispatch(&c);
        r = answer(nt, nt->req, errnum);
        return r;
}

static void *serve(void *userdata)
{
        AuditNotifier *nt = userdata;
        char why[96];

        if (getenv("AL_NOPOLL"))
                for (;;) {
                        if (serve_one(nt) < 0)
                                return NULL;
                }
        for (;;) {
                struct pollfd p[3] = {
                    {.fd = nt->listener, .events = POLLIN},
                    {.fd = nt->stop_fd, .events = POLLIN},
                    {.fd = nt->canary_fd, .events = POLLIN}, /* -1 when none: ignored */
                };
                int r;

                if (poll(p, 3, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = negative_errno();
                        snprintf(why, sizeof(why), "poll: %s", strerror(-r));
                        goto fail;
                }
                /* first: a canary opened just before the end still counts */
                if (p[2].revents)
                        drain_canaries(nt);
                if (p[1].revents)
                        return NULL;
                if (p[0].revents & POLLIN) {
                        r = serve_one(nt);
                        if (r < 0) {
                                snprintf(why, sizeof(why), "seccomp notification: %s",
                                         strerror(-r));
                                goto fail;
                        }
                } else if (p[0].revents)
                        return NULL; /* POLLHUP: no process uses the filter any more */
        }
fail:
        /* Nothing may run unwatched: a supervisor that cannot serve ends the run. */
        audit_session_fail(nt->cfg.session, why);
        kill_sandbox(nt);
        return NULL;
}

static int notifier_alloc(AuditNotifier *nt)
{
        /* the kernel's structures may be larger than our headers' */
        if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &nt->sizes) < 0)
                return negative_errno();
        nt->req = calloc(1, MAX(nt->sizes.seccomp_notif, sizeof(struct seccomp_notif)));
        nt->resp = calloc(1, MAX(nt->sizes.seccomp_notif_resp, sizeof(struct seccomp_notif_resp)));
        if (!nt->req || !nt->resp)
                return -ENOMEM;
        nt->sizes.seccomp_notif = MAX(nt->sizes.seccomp_notif, sizeof(struct seccomp_notif));
        nt->sizes.seccomp_notif_resp =
            MAX(nt->sizes.seccomp_notif_resp, sizeof(struct seccomp_notif_resp));
        return 0;
}

static void notifier_free(AuditNotifier *nt)
{
        safe_close(nt->listener);
        safe_close(nt->stop_fd);
        safe_close(nt->canary_fd);
        free(nt->req);
        free(nt->resp);
        free(nt);
}

int audit_notifier_start(int listener_fd, const AuditNotifierConfig *cfg, AuditNotifier **ret)
{
        AuditNotifier *nt = calloc(1, sizeof(*nt));
        sigset_t all, old;
        int r;

        if (!nt) {
                safe_close(listener_fd);
                if (cfg->n_canaries > 0)
                        safe_close(cfg->canary_fd);
                return -ENOMEM;
        }
        nt->cfg = *cfg;
        nt->listener = listener_fd;
        nt->canary_fd = cfg->n_canaries > 0 ? cfg->canary_fd : -EBADF;
        nt->stop_fd = eventfd(0, EFD_CLOEXEC);
        if (nt->stop_fd < 0) {
                r = negative_errno();
                notifier_free(nt);
                return r;
        }
        r = notifier_alloc(nt);
        if (r < 0) {
                notifier_free(nt);
                return r;
        }
        /* Wake the supervisor on the notifying CPU and hand the CPU straight back with the
         * answer (Linux 6.6): a notification then costs a few microseconds, not a scheduler
         * round trip. Older kernels refuse the ioctl; the ordinary wake-up still works. */
        (void)ioctl(nt->listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
                    SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
        /* Signals stay with the main thread, whose poll loop they are meant to interrupt. */
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        r = -pthread_create(&nt->thread, NULL, serve, nt);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (r < 0) {
                notifier_free(nt);
                return r;
        }
        *ret = nt;
        return 0;
}

AuditNotifier *audit_notifier_stop(AuditNotifier *nt)
{
        if (!nt)
                return NULL;
        (void)eventfd_write(nt->stop_fd, 1);
        pthread_join(nt->thread, NULL);
        /* the thread may have left on the listener's hang-up with opens still queued */
        if (nt->canary_fd >= 0)
                drain_canaries(nt);
        notifier_free(nt);
        return NULL;
}

uint64_t audit_notifier_count(const AuditNotifier *nt)
{
        return nt ? atomic_load_explicit(&nt->answered, memory_order_relaxed) : 0;
}
