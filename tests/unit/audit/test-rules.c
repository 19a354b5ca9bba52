/* The matchers: path folding, the expected tree, the built-in rules, the scan window. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "audit/audit-rules.h"

static const char *resolve(const char *base, const char *path)
{
        static char buf[AUDIT_PATH_MAX];

        cr_assert_eq(audit_path_resolve(base, path, buf, sizeof(buf)), 0, "%s + %s", base, path);
        return buf;
}

Test(audit_path, folds_spellings_of_one_path)
{
        cr_assert_str_eq(resolve(NULL, "/etc/shadow"), "/etc/shadow");
        cr_assert_str_eq(resolve(NULL, "//etc///./shadow"), "/etc/shadow");
        cr_assert_str_eq(resolve(NULL, "/etc/../etc/shadow"), "/etc/shadow");
        cr_assert_str_eq(resolve(NULL, "/../../../etc/shadow"), "/etc/shadow");
        cr_assert_str_eq(resolve("/work", "../etc/shadow"), "/etc/shadow");
        cr_assert_str_eq(resolve("/etc", "shadow"), "/etc/shadow");
        cr_assert_str_eq(resolve("/etc", "./shadow/"), "/etc/shadow");
        cr_assert_str_eq(resolve("/", "."), "/");
        cr_assert_str_eq(resolve(NULL, "/"), "/");
        cr_assert_str_eq(resolve("/a/b", ".."), "/a");
        cr_assert_str_eq(resolve("/a", "../.."), "/");
}

Test(audit_path, the_sandbox_root_through_proc_is_the_root)
{
        cr_assert_str_eq(resolve(NULL, "/proc/self/root/etc/shadow"), "/etc/shadow");
        cr_assert_str_eq(resolve(NULL, "/proc/thread-self/root/etc/shadow"), "/etc/shadow");
        cr_assert_str_eq(resolve(NULL, "/proc/1/root/proc/self/root/etc/gshadow"), "/etc/gshadow");
        cr_assert_str_eq(resolve("/proc/self/root", "etc/shadow"), "/etc/shadow");
        cr_assert_str_eq(resolve(NULL, "/proc/self/root"), "/");
        cr_assert_str_eq(resolve(NULL, "/proc/self/rootx/a"), "/proc/self/rootx/a");
        cr_assert_str_eq(resolve(NULL, "/proc/12x/root/a"), "/proc/12x/root/a");
        cr_assert_str_eq(resolve(NULL, "/proc/1/environ"), "/proc/1/environ");
}

Test(audit_path, bounds_and_bad_input)
{
        char small[8], big[AUDIT_PATH_MAX];
        char long_path[AUDIT_PATH_MAX + 16];

        cr_assert_eq(audit_path_resolve(NULL, "relative", big, sizeof(big)), -EINVAL);
        cr_assert_eq(audit_path_resolve("not-absolute", "x", big, sizeof(big)), -EINVAL);
        cr_assert_eq(audit_path_resolve(NULL, "/abcdefgh", small, sizeof(small)), -ENAMETOOLONG);
        cr_assert_eq(audit_path_resolve(NULL, "/abcdef", small, sizeof(small)), 0);
        memset(long_path, 'a', sizeof(long_path) - 1);
        long_path[0] = '/';
        long_path[sizeof(long_path) - 1] = '\0';
        cr_assert_eq(audit_path_resolve(NULL, long_path, big, sizeof(big)), -ENAMETOOLONG);
}

Test(audit_path, under_is_by_component)
{
        cr_assert(audit_path_under("/usr/lib", "/usr"));
        cr_assert(audit_path_under("/usr", "/usr"));
        cr_assert_not(audit_path_under("/usrx", "/usr"));
        cr_assert(audit_path_under("/anything", "/"));
}

static AuditRuleSet *builtin(void)
{
        AuditRuleSet *set = NULL;

        cr_assert_eq(audit_rules_new(true, &set), 0);
        return set;
}

static const char *match_id(const AuditRuleSet *set, AuditMatch m, const char *s)
{
        const AuditRule *r = audit_rules_match(set, m, s);

        return r ? r->id : NULL;
}

Test(audit_rules, credential_paths_kill)
{
        AuditRuleSet *set = builtin();
        static const char *const hits[][2] = {
            {"/etc/shadow", "cred-shadow"},
            {"/etc/gshadow", "cred-shadow"},
            {"/etc/shadow-", "cred-shadow"},
            {"/root/.ssh/id_rsa", "cred-ssh-key"},
            {"/home/alice/.ssh/id_ed25519", "cred-ssh-key"},
            {"/tmp/home/.ssh/id_ecdsa", "cred-ssh-key"},
            {"/etc/ssh/ssh_host_ed25519_key", "cred-ssh-key"},
            {"/root/.aws/credentials", "cred-cloud"},
            {"/home/bob/.config/gcloud/application_default_credentials.json", "cred-cloud"},
            {"/root/.kube/config", "cred-cloud"},
            {"/root/.docker/config.json", "cred-cloud"},
            {"/var/run/secrets/kubernetes.io/serviceaccount/token", "cred-token"},
            {"/run/secrets/db_password", "cred-token"},
            {"/proc/1/environ", "proc-init"},
        };

        for (size_t i = 0; i < ELEMENTSOF(hits); i++) {
                const AuditRule *r = audit_rules_match(set, AUDIT_MATCH_OPEN, hits[i][0]);

                cr_assert_not_null(r, "%s", hits[i][0]);
                cr_expect_str_eq(r->id, hits[i][1], "%s", hits[i][0]);
                cr_expect_eq(r->action, AUDIT_ACTION_KILL, "%s", hits[i][0]);
        }
        audit_rules_free(set);
}

/* False positives are bugs: what python, pandas, matplotlib, node and a shell open. */
Test(audit_rules, benign_paths_match_nothing)
{
        AuditRuleSet *set = builtin();
        static const char *const benign[] = {
            "/etc/passwd",
            "/etc/ld.so.cache",
            "/etc/ssl/certs/ca-certificates.crt",
            "/etc/ssh/ssh_config",
            "/etc/ssh/ssh_host_ed25519_key.pub",
            "/usr/lib/python3/dist-packages/pandas/__init__.py",
            "/usr/share/zoneinfo/UTC",
            "/tmp/home/.config/matplotlib/matplotlibrc",
            "/tmp/home/.cache/fontconfig",
            "/proc/self/environ",
            "/proc/1/stat",
            "/proc/self/status",
            "/work/shadow",
            "/work/notes.ssh",
            "/dev/null",
        };

        for (size_t i = 0; i < ELEMENTSOF(benign); i++)
                cr_expect_null(audit_rules_match(set, AUDIT_MATCH_OPEN, benign[i]), "%s matched",
                               benign[i]);
        audit_rules_free(set);
}

Test(audit_rules, escape_syscalls_and_io_uring)
{
        AuditRuleSet *set = builtin();
        const AuditRule *r;

        cr_assert_str_eq(match_id(set, AUDIT_MATCH_SYSCALL, "unshare"), "escape-namespace");
        cr_assert_str_eq(match_id(set, AUDIT_MATCH_SYSCALL, "mount"), "escape-namespace");
        cr_assert_str_eq(match_id(set, AUDIT_MATCH_SYSCALL, "open_by_handle_at"),
                         "escape-namespace");
        cr_assert_str_eq(match_id(set, AUDIT_MATCH_SYSCALL, "bpf"), "escape-kernel");
        cr_assert_str_eq(match_id(set, AUDIT_MATCH_SYSCALL, "keyctl"), "escape-kernel");
        r = audit_rules_match(set, AUDIT_MATCH_SYSCALL, "ptrace");
        cr_assert_str_eq(r->id, "escape-ptrace");
        cr_assert_eq(r->action, AUDIT_ACTION_ALERT, "a debugger is no attack: alert, no kill");
        r = audit_rules_match(set, AUDIT_MATCH_SYSCALL, "io_uring_setup");
        cr_assert_eq(r->action, AUDIT_ACTION_LOG, "libuv probes io_uring on its own");
        /* denied, but expected of benign code (glibc, runtimes) */
        cr_assert_null(match_id(set, AUDIT_MATCH_SYSCALL, "clone3"));
        cr_assert_null(match_id(set, AUDIT_MATCH_SYSCALL, "get_robust_list"));
        cr_assert_null(match_id(set, AUDIT_MATCH_SYSCALL, "ioctl"));
        audit_rules_free(set);
}

Test(audit_rules, network_tools_only_when_offline)
{
        AuditRuleSet *set = builtin();

        cr_assert_not_null(audit_rules_match_exec(set, "/usr/bin/curl", true));
        cr_assert_not_null(audit_rules_match_exec(set, "/usr/bin/nc", true));
        cr_assert_null(audit_rules_match_exec(set, "/usr/bin/curl", false));
        cr_assert_null(audit_rules_match_exec(set, "/usr/bin/python3", true));
        cr_assert_null(audit_rules_match_exec(set, "/usr/bin/ncdu", true));
        audit_rules_free(set);
}

Test(audit_rules, the_strongest_action_wins)
{
        AuditRuleSet *set = NULL;
        static const char *const pat[] = {"/data/*", NULL};
        const AuditRule *r;

        cr_assert_eq(audit_rules_new(false, &set), 0);
        set->rules[0] = (AuditRule){
            .id = "a", .action = AUDIT_ACTION_LOG, .match = AUDIT_MATCH_OPEN, .patterns = pat};
        set->rules[1] = (AuditRule){
            .id = "b", .action = AUDIT_ACTION_KILL, .match = AUDIT_MATCH_OPEN, .patterns = pat};
        set->rules[2] = (AuditRule){
            .id = "c", .action = AUDIT_ACTION_ALERT, .match = AUDIT_MATCH_OPEN, .patterns = pat};
        set->n_rules = 3;
        r = audit_rules_match(set, AUDIT_MATCH_OPEN, "/data/x");
        cr_assert_str_eq(r->id, "b");
        cr_assert_null(audit_rules_match(set, AUDIT_MATCH_EXEC, "/data/x"));
        audit_rules_free(set);
}

Test(audit_rules, expected_tree)
{
        AuditRuleSet *set = builtin();

        cr_assert(audit_rules_expected(set, "/usr/lib/x"));
        cr_assert(audit_rules_expected(set, "/"));
        cr_assert(audit_rules_expected(set, "/dev"));
        cr_assert(audit_rules_expected(set, "/work/a/b"));
        cr_assert_not(audit_rules_expected(set, "/dev/sda"));
        cr_assert_not(audit_rules_expected(set, "/home/alice"));
        cr_assert_not(audit_rules_expected(set, "/sys/kernel"));
        cr_assert(audit_rules_writable(set, "/tmp/x"));
        cr_assert(audit_rules_writable(set, "/dev/null"));
        cr_assert_not(audit_rules_writable(set, "/usr/bin/python3"));
        cr_assert_not(audit_rules_writable(set, "/etc/passwd"));
        cr_assert_eq(audit_rules_expect(set, "/data//in/", false), 0);
        cr_assert_eq(audit_rules_expect(set, "/tmp/ro", false), 0);
        cr_assert_eq(audit_rules_expect(set, "relative", false), -EINVAL);
        cr_assert(audit_rules_expected(set, "/data/in/file"));
        cr_assert_not(audit_rules_writable(set, "/data/in/file"));
        /* the longest prefix decides: a read-only bind under /tmp is read-only */
        cr_assert_not(audit_rules_writable(set, "/tmp/ro/x"));
        cr_assert(audit_rules_writable(set, "/tmp/rox"));
        audit_rules_free(set);
}

static AuditScanDest dest(uint8_t last, uint16_t port)
{
        AuditScanDest d = {.family = 2, .port = port};

        d.addr[0] = 127;
        d.addr[3] = last;
        return d;
}

Test(audit_scan, counts_distinct_destinations_within_the_window)
{
        AuditScanWindow w;
        AuditScanDest d;

        audit_scan_init(&w, 1000);
        for (uint16_t p = 1; p <= 10; p++) {
                d = dest(1, p);
                cr_assert_eq(audit_scan_add(&w, &d, 100), p);
        }
        /* the same destination again is no new one */
        d = dest(1, 5);
        cr_assert_eq(audit_scan_add(&w, &d, 200), 10);
        /* another host, same port */
        d = dest(2, 5);
        cr_assert_eq(audit_scan_add(&w, &d, 300), 11);
        /* 1 s later the first ten (seen at 100 ms) have left; port 5 was refreshed at 200 */
        d = dest(3, 1);
        cr_assert_eq(audit_scan_add(&w, &d, 1150), 3);
        d = dest(4, 1);
        cr_assert_eq(audit_scan_add(&w, &d, 5000), 1);
}

Test(audit_scan, a_full_window_drops_the_oldest)
{
        AuditScanWindow w;

        audit_scan_init(&w, 3600000);
        for (uint32_t i = 0; i < AUDIT_SCAN_COUNT_MAX + 50; i++) {
                AuditScanDest d = dest((uint8_t)(i >> 8), (uint16_t)i);
                size_t n = audit_scan_add(&w, &d, i);

                cr_assert_leq(n, AUDIT_SCAN_COUNT_MAX);
                cr_assert_eq(n, i < AUDIT_SCAN_COUNT_MAX ? i + 1 : AUDIT_SCAN_COUNT_MAX);
        }
}

Test(audit_scan, a_requested_host_is_an_address_or_a_lower_case_name)
{
        AuditScanDest d, e;
        char long_name[300];

        cr_assert_eq(audit_scan_dest_host("10.0.0.1", 443, &d), 0);
        cr_assert_eq(d.family, AF_INET);
        cr_assert_eq(d.addr[0], 10);
        cr_assert_eq(d.addr[3], 1);
        cr_assert_eq(d.port, htons(443));
        cr_assert_eq(audit_scan_dest_host("[::1]", 80, &d), 0);
        cr_assert_eq(d.family, AF_INET6);
        cr_assert_eq(audit_scan_dest_host("::1", 80, &e), 0);
        cr_assert_eq(memcmp(&d, &e, sizeof(d)), 0);
        cr_assert_eq(d.addr[15], 1);
        cr_assert_eq(audit_scan_dest_host("Example.ORG.", 443, &d), 0);
        cr_assert_eq(d.family, AUDIT_SCAN_NAME);
        cr_assert_str_eq(d.name, "example.org");
        /* not a dotted quad: a name, as the gateway would resolve it */
        cr_assert_eq(audit_scan_dest_host("1.2.3", 80, &d), 0);
        cr_assert_eq(d.family, AUDIT_SCAN_NAME);
        cr_assert_eq(audit_scan_dest_host("", 80, &d), -EINVAL);
        cr_assert_eq(audit_scan_dest_host(".", 80, &d), -EINVAL);
        memset(long_name, 'a', sizeof(long_name) - 1);
        long_name[sizeof(long_name) - 1] = '\0';
        cr_assert_eq(audit_scan_dest_host(long_name, 80, &d), -EINVAL);
}

Test(audit_scan, names_and_addresses_are_distinct_destinations)
{
        AuditScanWindow w;
        AuditScanDest d;

        audit_scan_init(&w, 1000);
        cr_assert_eq(audit_scan_dest_host("127.0.0.1", 80, &d), 0);
        cr_assert_eq(audit_scan_add(&w, &d, 0), 1);
        d = dest(1, htons(80));
        cr_assert_eq(audit_scan_add(&w, &d, 0), 1, "the literal is the address");
        cr_assert_eq(audit_scan_dest_host("localhost", 80, &d), 0);
        cr_assert_eq(audit_scan_add(&w, &d, 0), 2);
        cr_assert_eq(audit_scan_dest_host("LocalHost", 80, &d), 0);
        cr_assert_eq(audit_scan_add(&w, &d, 0), 2);
        cr_assert_eq(audit_scan_dest_host("localhost", 81, &d), 0);
        cr_assert_eq(audit_scan_add(&w, &d, 0), 3);
}
