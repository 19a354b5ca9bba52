/* The built-in alert rules and the expected tree, as data. docs/EVENTS.md lists them in prose.
 *
 * A rule that kills must never fire on a benign program (a false positive is a bug): the
 * credential paths do not exist in the sandbox, so nothing legitimate reads them; namespace and
 * mount calls are denied and nothing we run makes them. Rules for calls a runtime makes on its
 * own (libuv probes io_uring) only log. */
#include "audit-rules.h"

#include "basic/macros.h"
#include "config/limits.h"

static const char *const shadow_paths[] = {
    "/etc/shadow",           "/etc/shadow-",       "/etc/gshadow", "/etc/gshadow-",
    "/etc/security/opasswd", "/etc/master.passwd", NULL,
};

static const char *const ssh_key_paths[] = {
    "*/.ssh/id_*",            /* a user's private keys (and their .pub: nobody has any here) */
    "*/.ssh/identity",        /* SSH protocol 1 */
    "/etc/ssh/ssh_host_*key", /* the host's private keys */
    NULL,
};

static const char *const cloud_paths[] = {
    "*/.aws/credentials",    "*/.aws/config", "*/.config/gcloud/*", "*/.azure/*", "*/.kube/config",
    "*/.docker/config.json", "*/.netrc",      "*/.git-credentials", "*/.pgpass",  NULL,
};

static const char *const token_paths[] = {
    "/var/run/secrets/*", /* Kubernetes service-account tokens, Docker secrets */
    "/run/secrets/*",
    NULL,
};

static const char *const init_paths[] = {
    "/proc/1/environ", /* pid 1's environment: in a container, often the platform's secrets */
    "/proc/1/mem",
    NULL,
};

/* Canaries (audit-rules.h): where a thief looks first, and where benign code does not look
 * at all. Not in HOME for the cloud files: boto3, requests (.netrc), libpq (.pgpass) and the
 * docker and kubernetes clients read those when they exist; no benign program reads root's
 * home, the shadow files or an SSH key without a network to use it on. */
static const char *const shadow_canaries[] = {
    "/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/security/opasswd", NULL,
};

static const char *const ssh_key_canaries[] = {
    "/etc/ssh/ssh_host_rsa_key",
    "/etc/ssh/ssh_host_ecdsa_key",
    "/etc/ssh/ssh_host_ed25519_key",
    "/root/.ssh/id_rsa",
    "/root/.ssh/id_ecdsa",
    "/root/.ssh/id_ed25519",
    "~/.ssh/id_rsa",
    "~/.ssh/id_ecdsa",
    "~/.ssh/id_ed25519",
    NULL,
};

static const char *const cloud_canaries[] = {
    "/root/.aws/credentials",
    "/root/.config/gcloud/application_default_credentials.json",
    "/root/.azure/msal_token_cache.json",
    "/root/.kube/config",
    "/root/.docker/config.json",
    "/root/.netrc",
    "/root/.git-credentials",
    "/root/.pgpass",
    NULL,
};

static const char *const token_canaries[] = {
    "/run/secrets/kubernetes.io/serviceaccount/token",
    "/var/run/secrets/kubernetes.io/serviceaccount/token",
    NULL,
};

/* Denied (seccomp) calls that only an escape attempt makes. */
static const char *const namespace_calls[] = {
    "unshare",           "setns",     "mount",  "umount2", "pivot_root", "chroot",
    "move_mount",        "open_tree", "fsopen", "fsmount", "fspick",     "mount_setattr",
    "open_by_handle_at", NULL,
};

static const char *const kernel_calls[] = {
    "bpf",           "keyctl",          "add_key",     "request_key",
    "kexec_load",    "kexec_file_load", "init_module", "finit_module",
    "delete_module", "perf_event_open", "userfaultfd", NULL,
};

static const char *const ptrace_calls[] = {
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", NULL,
};

static const char *const io_uring_calls[] = {
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    NULL,
};

static const char *const net_tools[] = {
    "*/nc",   "*/ncat", "*/netcat", "*/nmap", "*/socat", "*/telnet", "*/curl",
    "*/wget", "*/ssh",  "*/scp",    "*/sftp", "*/ftp",   "*/rsync",  NULL,
};

/* clang-format off */
const AuditRule audit_builtin_rules[] = {
        {"cred-shadow", AUDIT_SEVERITY_CRITICAL, AUDIT_ACTION_KILL, AUDIT_MATCH_OPEN,
         shadow_paths, 0, 0, "password hashes: no program in a sandbox has a reason to look", shadow_canaries},
        {"cred-ssh-key", AUDIT_SEVERITY_CRITICAL, AUDIT_ACTION_KILL, AUDIT_MATCH_OPEN,
         ssh_key_paths, 0, 0, "SSH private keys", ssh_key_canaries},
        {"cred-cloud", AUDIT_SEVERITY_CRITICAL, AUDIT_ACTION_KILL, AUDIT_MATCH_OPEN,
         cloud_paths, 0, 0, "cloud, cluster, registry and service credentials", cloud_canaries},
        {"cred-token", AUDIT_SEVERITY_CRITICAL, AUDIT_ACTION_KILL, AUDIT_MATCH_OPEN,
         token_paths, 0, 0, "service-account tokens and mounted secrets", token_canaries},
        {"proc-init", AUDIT_SEVERITY_HIGH, AUDIT_ACTION_KILL, AUDIT_MATCH_OPEN,
         init_paths, 0, 0, "pid 1's environment or memory"},
        /* proc-init holds at --audit full only: at alerts, where opens are not watched, the
         * attempt fails unseen (init is not dumpable, so hidepid hides /proc/1 from the program) */
        {"escape-namespace", AUDIT_SEVERITY_CRITICAL, AUDIT_ACTION_KILL, AUDIT_MATCH_SYSCALL,
         namespace_calls, 0, 0, "namespaces, mounts and file handles: the ways out of a container"},
        {"escape-kernel", AUDIT_SEVERITY_HIGH, AUDIT_ACTION_ALERT, AUDIT_MATCH_SYSCALL,
         kernel_calls, 0, 0, "kernel attack surface: BPF, keyrings, modules, perf, userfaultfd"},
        {"escape-ptrace", AUDIT_SEVERITY_HIGH, AUDIT_ACTION_ALERT, AUDIT_MATCH_SYSCALL,
         ptrace_calls, 0, 0, "reading or steering another process (debuggers try it too)"},
        {"io-uring", AUDIT_SEVERITY_LOW, AUDIT_ACTION_LOG, AUDIT_MATCH_SYSCALL,
         io_uring_calls, 0, 0, "libuv (node) probes io_uring and falls back: logged, no alert"},
        {"net-scan", AUDIT_SEVERITY_HIGH, AUDIT_ACTION_KILL, AUDIT_MATCH_SCAN,
         NULL, 16, 10000, "connections to 16 distinct addresses or ports within 10 s"},
        {"net-tool-offline", AUDIT_SEVERITY_MEDIUM, AUDIT_ACTION_ALERT, AUDIT_MATCH_EXEC_OFFLINE,
         net_tools, 0, 0, "a network tool run while the network is off"},
};
/* clang-format on */

const size_t audit_n_builtin_rules = ELEMENTSOF(audit_builtin_rules);

/* The sandbox's layout (docs/SETUP_SEQUENCE.md, landlock.c): an open elsewhere names something
 * that does not exist in the sandbox, and is reported. A run adds its --bind destinations. */
#define RO(p)                                                                                      \
        {                                                                                          \
                p, false, false                                                                    \
        }
#define RW(p)                                                                                      \
        {                                                                                          \
                p, true, false                                                                     \
        }
#define EXACT(p)                                                                                   \
        {                                                                                          \
                p, false, true                                                                     \
        }

const AuditPrefix audit_default_expected[] = {
    EXACT("/"), /* listing the root */
    RO("/usr"),
    RO("/bin"),
    RO("/sbin"),
    RO("/lib"),
    RO("/lib32"),
    RO("/lib64"),
    RO("/libx32"),
    RO("/etc"),  /* etcfs.c: synthetic files and a short list of host entries */
    RO("/root"), /* the canaries (audit-rules.h), and nothing else */
    RO("/run"),
    RO("/var/run"),
    EXACT("/dev"),
    RW("/dev/null"),
    RW("/dev/zero"),
    RW("/dev/full"),
    RO("/dev/random"),
    RO("/dev/urandom"),
    RW("/dev/tty"),
    RW("/dev/ptmx"),
    RW("/dev/pts"),
    RW("/dev/fd"),
    RW("/dev/stdin"),
    RW("/dev/stdout"),
    RW("/dev/stderr"),
    RW("/dev/shm"),
    EXACT("/proc"),
    RW("/proc/self"),
    RW("/proc/thread-self"),
    RW("/tmp"),
    RW(AIRLOCK_SCRATCH_DIR),
};

const size_t audit_n_default_expected = ELEMENTSOF(audit_default_expected);
