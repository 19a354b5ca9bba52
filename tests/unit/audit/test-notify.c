/* The supervisor against a real watching filter: a forked child installs the default profile
 * with --audit alerts, hands over its listener and makes calls; the test's thread answers.
 * Nothing here needs privilege (no_new_privs is enough to load a filter). */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit/audit-notify.h"
#include "sandbox/sync.h"

typedef struct Fixture {
        SeccompPolicy *policy;
        SeccompProgram prog;
        AuditRuleSet *rules;
        AuditSession *session;
        AuditNotifier *notifier;
        pid_t child;
        int pidfd;
        int results; /* the child's errnos, one int per call */
        uint64_t answered;
        AuditCanary canary; /* with a path: one canary file, watched as the sandbox does */
        int canary_fd;
} Fixture;

typedef void (*ChildBody)(int results);

static void report(int fd, int r)
{
        int e = r < 0 ? errno : 0;

        (void)!write(fd, &e, sizeof(e));
}

/* Forks a child that runs body under the watching filter and starts the supervisor. */
static void start(Fixture *f, ChildBody body)
{
        AirlockError err = {0};
        int sv[2], pipefd[2], listener = -EBADF;
        SyncMessage msg;

        cr_assert_eq(seccomp_policy_load_profile("default", &f->policy, &err), 0);
        cr_assert_eq(
            seccomp_policy_compile_watched(f->policy, false, SECCOMP_WATCH_OPENS, &f->prog, &err),
            0);
        cr_assert_eq(audit_rules_new(true, &f->rules), 0);
        cr_assert_eq(audit_session_new(AUDIT_LEVEL_ALERTS, "test", 0, &f->session), 0);
        /* the scan windows, as audit_link_prepare() makes them in a run */
        cr_assert_eq(audit_session_watch_scans(f->session, f->rules), 0);
        cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        cr_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);
        f->child = fork();
        cr_assert_geq(f->child, 0);
        if (f->child == 0) {
                SyncMessage m = {.point = SYNC_AUDIT_LISTENER};
                int fd;

                close(sv[0]);
                close(pipefd[0]);
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(100);
                fd = seccomp_program_install(&f->prog);
                if (fd < 0)
                        _exit(101);
                if (sync_send(sv[1], &m, fd) < 0)
                        _exit(102);
                close(fd);
                body(pipefd[1]);
                _exit(0);
        }
        close(sv[1]);
        close(pipefd[1]);
        f->results = pipefd[0];
        f->pidfd = (int)syscall(SYS_pidfd_open, f->child, 0);
        cr_assert_geq(f->pidfd, 0);
        cr_assert_eq(sync_recv(sv[0], &msg, &listener), 0, "the child died before #4b");
        cr_assert_eq(msg.point, SYNC_AUDIT_LISTENER);
        cr_assert_geq(listener, 0);
        close(sv[0]);
        AuditNotifierConfig cfg = {
            .policy = f->policy,
            .rules = f->rules,
            .session = f->session,
            .level = AUDIT_LEVEL_ALERTS,
            .offline = true,
            .kill_pidfd = f->pidfd,
        };
        if (f->canary.path) {
                f->canary.rule = audit_rules_match(f->rules, AUDIT_MATCH_OPEN, "/etc/shadow");
                cfg.canaries = &f->canary;
                cfg.n_canaries = 1;
                cfg.canary_fd = f->canary_fd;
        }
        cr_assert_eq(audit_notifier_start(listener, &cfg, &f->notifier), 0);
}

static int finish(Fixture *f)
{
        int status = 0;

        cr_assert_eq(waitpid(f->child, &status, 0), f->child);
        f->answered = audit_notifier_count(f->notifier);
        f->notifier = audit_notifier_stop(f->notifier);
        return status;
}

static void done(Fixture *f)
{
        audit_notifier_stop(f->notifier);
        audit_session_free(f->session);
        audit_rules_free(f->rules);
        seccomp_program_done(&f->prog);
        seccomp_policy_free(f->policy);
        close(f->pidfd);
        close(f->results);
}

static int next_result(Fixture *f)
{
        int e = -1;

        cr_assert_eq(read(f->results, &e, sizeof(e)), (ssize_t)sizeof(e), "no result");
        return e;
}

typedef struct Log {
        size_t n;
        AuditEventKind kind[64];
        char what[64][160];
        char paths[64][AUDIT_PATH_MAX];
        bool truncated[64];
} Log;

static void log_event(const AuditEvent *ev, void *userdata)
{
        Log *l = userdata;

        if (l->n >= 64)
                return;
        l->kind[l->n] = ev->kind;
        snprintf(l->paths[l->n], sizeof(l->paths[0]), "%s", ev->path ? ev->path : "");
        l->truncated[l->n] = ev->truncated;
        snprintf(
            l->what[l->n], sizeof(l->what[0]), "%s %s %s", audit_event_kind_to_string(ev->kind),
            ev->syscall ? ev->syscall : (ev->rule ? ev->rule : "-"),
            ev->resolved ? ev->resolved : (ev->path ? ev->path : (ev->address ? ev->address : "")));
        l->n++;
}

static size_t find(const Log *l, const char *what)
{
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->what[i], what) == 0)
                        return i;
        return (size_t)-1;
}

static size_t find_path(const Log *l, const char *path)
{
        for (size_t i = 0; i < l->n; i++)
                if (l->kind[i] == AUDIT_EVENT_FILE_OPEN && strcmp(l->paths[i], path) == 0)
                        return i;
        return (size_t)-1;
}

static void benign_body(int out)
{
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(1)};
        int fd, s;

        fd = open("/dev/null", O_RDONLY);
        report(out, fd);
        close(fd);
        report(out, open("/nonexistent/file", O_RDONLY));
        report(out, (int)ptrace(PTRACE_TRACEME, 0, 0, 0));
        report(out, (int)syscall(SYS_clone3, NULL, 0));
        s = socket(AF_INET, SOCK_STREAM, 0);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        report(out, connect(s, (struct sockaddr *)&sa, sizeof(sa)));
        close(s);
        /* relative to the cwd, spelled oddly */
        if (chdir("/etc") == 0)
                report(out, open(".//../etc/./hostname", O_RDONLY));
        else
                report(out, 0);
}

Test(audit_notify, allows_what_the_policy_allows_and_denies_the_rest)
{
        Fixture f = {0};
        Log log = {0};
        int status;

        start(&f, benign_body);
        cr_assert_eq(next_result(&f), 0, "open /dev/null");
        cr_assert_eq(next_result(&f), ENOENT, "a missing file is the kernel's answer");
        cr_assert_eq(next_result(&f), EPERM, "ptrace: the policy's errno");
        cr_assert_eq(next_result(&f), ENOSYS, "clone3: the policy's errno");
        cr_assert_eq(next_result(&f), ECONNREFUSED, "connect went through to the kernel");
        cr_assert_neq(next_result(&f), EACCES, "open with a relative path");
        status = finish(&f);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
        cr_assert_geq(f.answered, 6);
        audit_session_drain(f.session, log_event, &log);
        cr_assert_neq(find(&log, "file.open openat /nonexistent/file"), (size_t)-1,
                      "an open outside the layout is reported");
        cr_assert_eq(find(&log, "file.open openat /dev/null"), (size_t)-1,
                     "alerts: an expected open is not");
        cr_assert_neq(find(&log, "syscall.denied ptrace "), (size_t)-1);
        cr_assert_neq(find(&log, "alert escape-ptrace "), (size_t)-1);
        cr_assert_neq(find(&log, "syscall.denied clone3 "), (size_t)-1);
        cr_assert_neq(find(&log, "net.connect connect 127.0.0.1"), (size_t)-1);
        cr_assert_not(audit_session_violated(f.session));
        done(&f);
}

static void shadow_body(int out)
{
        report(out, 0);
        /* through the cwd and /proc/self/root: the rule sees the folded path */
        if (chdir("/proc/self/root/etc") < 0)
                _exit(103);
        report(out, open("../etc/shadow", O_RDONLY));
        report(out, 0); /* never reached */
}

Test(audit_notify, a_kill_rule_refuses_the_call_and_kills)
{
        Fixture f = {0};
        Log log = {0};
        AuditSummary sum;
        int status;
        size_t open_at, alert_at;

        start(&f, shadow_body);
        cr_assert_eq(next_result(&f), 0);
        status = finish(&f);
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
        cr_assert(audit_session_violated(f.session));
        audit_session_drain(f.session, log_event, &log);
        open_at = find(&log, "file.open openat /etc/shadow");
        alert_at = find(&log, "alert cred-shadow ");
        cr_assert_neq(open_at, (size_t)-1);
        cr_assert_neq(alert_at, (size_t)-1);
        cr_assert_lt(open_at, alert_at, "the attempt shows before the verdict");
        cr_assert_eq(audit_session_summary(f.session, &sum), 0);
        cr_assert_str_eq(sum.violation.rule, "cred-shadow");
        cr_assert_str_eq(sum.violation.evidence, "/etc/shadow");
        audit_summary_done(&sum);
        done(&f);
}

static char canary_path[] = "/tmp/airlock-test-canary-XXXXXX";

/* A canary file watched on a fresh inotify instance: watch 1, as canaries.c places them. */
static void make_canary(Fixture *f)
{
        int fd = mkstemp(canary_path);

        cr_assert_geq(fd, 0);
        close(fd);
        cr_assert_eq(chmod(canary_path, 0444), 0);
        f->canary_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        cr_assert_geq(f->canary_fd, 0);
        cr_assert_eq(inotify_add_watch(f->canary_fd, canary_path, IN_OPEN), 1);
        f->canary.path = canary_path;
}

/* Also when an assertion ends the test early. */
static void remove_canary(void)
{
        if (strstr(canary_path, "XXXXXX") == NULL)
                unlink(canary_path);
}

static void canary_body(int out)
{
        report(out, 0);
        report(out, open(canary_path, O_RDONLY) < 0 ? errno : 0);
        pause(); /* until the kill */
}

Test(audit_notify, an_opened_canary_kills_the_run, .fini = remove_canary)
{
        Fixture f = {0};
        Log log = {0};
        AuditSummary sum;
        int status;

        make_canary(&f);
        start(&f, canary_body);
        cr_assert_eq(next_result(&f), 0);
        /* the open's own result may never come: the kill can beat the report */
        status = finish(&f);
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
        cr_assert(audit_session_violated(f.session));
        audit_session_drain(f.session, log_event, &log);
        cr_assert_lt(find_path(&log, canary_path), find(&log, "alert cred-shadow "),
                     "the open shows before the verdict");
        cr_assert_eq(audit_session_summary(f.session, &sum), 0);
        cr_assert_str_eq(sum.violation.rule, "cred-shadow");
        cr_assert_str_eq(sum.violation.evidence, canary_path);
        audit_summary_done(&sum);
        done(&f);
}

static void canary_then_exit_body(int out)
{
        report(out, open(canary_path, O_RDONLY) < 0 ? errno : 0);
        _exit(0);
}

Test(audit_notify, a_canary_opened_just_before_exit_still_counts, .fini = remove_canary)
{
        Fixture f = {0};

        make_canary(&f);
        start(&f, canary_then_exit_body);
        (void)finish(&f); /* the exit may beat the kill: the verdict must not depend on it */
        cr_assert(audit_session_violated(f.session));
        done(&f);
}

static void scan_body(int out)
{
        for (int port = 1; port <= 40; port++) {
                struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
                int s = socket(AF_INET, SOCK_STREAM, 0);

                sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                report(out, connect(s, (struct sockaddr *)&sa, sizeof(sa)));
                close(s);
        }
}

Test(audit_notify, a_port_scan_is_killed_at_the_rules_count)
{
        Fixture f = {0};
        Log log = {0};
        size_t connects = 0, answered = 0;
        int status, e;

        start(&f, scan_body);
        while (read(f.results, &e, sizeof(e)) == (ssize_t)sizeof(e))
                answered++;
        status = finish(&f);
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
        cr_assert_eq(answered, 15, "the 16th connect never returns");
        audit_session_drain(f.session, log_event, &log);
        for (size_t i = 0; i < log.n; i++)
                connects += log.kind[i] == AUDIT_EVENT_NET_CONNECT;
        cr_assert_eq(connects, 16);
        cr_assert_neq(find(&log, "alert net-scan "), (size_t)-1);
        done(&f);
}

static void wait_body(int out)
{
        char c;

        report(out, 0);
        /* the parent stops the supervisor, then lets us go on */
        (void)!read(STDIN_FILENO, &c, 1);
        report(out, open("/dev/null", O_RDONLY));
}

/* The supervisor gone, the kernel fails every notified call closed. */
Test(audit_notify, without_a_supervisor_calls_fail_with_enosys)
{
        Fixture f = {0};
        int in[2], saved = dup(STDIN_FILENO);

        cr_assert_eq(pipe(in), 0);
        dup2(in[0], STDIN_FILENO);
        start(&f, wait_body);
        dup2(saved, STDIN_FILENO);
        close(in[0]);
        cr_assert_eq(next_result(&f), 0);
        f.notifier = audit_notifier_stop(f.notifier);
        cr_assert_eq(write(in[1], "x", 1), 1);
        cr_assert_eq(next_result(&f), ENOSYS);
        finish(&f);
        close(in[1]);
        done(&f);
}

#define LONG_LEN 700

static void long_path(char *buf, size_t len)
{
        memcpy(buf, "/nonexistent/", 13);
        memset(buf + 13, 'a', len - 13);
        buf[len] = '\0';
}

static void edges_body(int out)
{
        char p[LONG_LEN + 1];
        char *pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        char *edge;

        long_path(p, LONG_LEN);
        report(out, open(p, O_RDONLY));
        /* a path whose NUL is the last byte before an unmapped page */
        munmap(pages + 4096, 4096);
        edge = pages + 4096 - 20;
        memcpy(edge, "/nonexistent/edge-x", 20);
        report(out, open(edge, O_RDONLY));
        /* and one with no NUL before the unmapped page: the kernel says EFAULT */
        memcpy(pages + 4096 - 16, "/nonexistent/bbb", 16);
        report(out, open(pages + 4096 - 16, O_RDONLY));
}

Test(audit_notify, long_and_page_edge_paths_are_read_whole)
{
        Fixture f = {0};
        Log log = {0};
        char want[LONG_LEN + 1];
        int status;

        start(&f, edges_body);
        cr_assert_eq(next_result(&f), ENOENT);
        cr_assert_eq(next_result(&f), ENOENT);
        cr_assert_eq(next_result(&f), EFAULT);
        status = finish(&f);
        cr_assert(WIFEXITED(status), "status %#x", status);
        audit_session_drain(f.session, log_event, &log);
        long_path(want, LONG_LEN);
        cr_assert_neq(find_path(&log, want), (size_t)-1, "the 700-byte path, whole");
        cr_assert_neq(find_path(&log, "/nonexistent/edge-x"), (size_t)-1);
        cr_assert_neq(find_path(&log, "/nonexistent/bbb"), (size_t)-1, "what could be read");
        cr_assert(log.truncated[find_path(&log, "/nonexistent/bbb")]);
        done(&f);
}

/* A supervisor that cannot serve (here: a listener that is no listener) must not leave the
 * sandbox running unwatched: it records why and kills pid 1. */
Test(audit_notify, a_failing_supervisor_kills_the_run)
{
        AuditSession *session = NULL;
        AuditRuleSet *rules = NULL;
        AuditNotifier *n = NULL;
        SeccompPolicy *policy = NULL;
        AirlockError err = {0};
        AuditSummary sum;
        int status, pidfd, fake;
        pid_t child;

        cr_assert_eq(seccomp_policy_load_profile("default", &policy, &err), 0);
        cr_assert_eq(audit_rules_new(true, &rules), 0);
        cr_assert_eq(audit_session_new(AUDIT_LEVEL_ALERTS, "test", 0, &session), 0);
        child = fork();
        cr_assert_geq(child, 0);
        if (child == 0) {
                pause();
                _exit(0);
        }
        pidfd = (int)syscall(SYS_pidfd_open, child, 0);
        cr_assert_geq(pidfd, 0);
        fake = eventfd(1, EFD_CLOEXEC); /* readable at once, and RECV on it fails */
        cr_assert_geq(fake, 0);
        AuditNotifierConfig cfg = {.policy = policy,
                                   .rules = rules,
                                   .session = session,
                                   .level = AUDIT_LEVEL_ALERTS,
                                   .kill_pidfd = pidfd};
        cr_assert_eq(audit_notifier_start(fake, &cfg, &n), 0);
        cr_assert_eq(waitpid(child, &status, 0), child);
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
        audit_notifier_stop(n);
        cr_assert_eq(audit_session_summary(session, &sum), 0);
        cr_assert(strstr(sum.error, "seccomp notification"), "%s", sum.error);
        audit_summary_done(&sum);
        close(pidfd);
        audit_session_free(session);
        audit_rules_free(rules);
        seccomp_policy_free(policy);
}
