/* What a string value names: paths of credentials, devices and host escapes, URLs and their
 * hosts, escape attributes. Called on every literal, and on values folded from several. */
#include <string.h>

#include "basic/macros.h"
#include "scan-python-internal.h"

/* Substrings of a literal. With prefix false the match must end at the end of the string or
 * at a character that cannot continue a file name ("/dev/mem" but not "/dev/memory"). */
static const struct {
        const char *s;
        uint8_t rule;
        bool prefix;
} path_patterns[] = {
    {"/etc/shadow", R_PATH_CRED, true},  /* password hashes, and its backup shadow- */
    {"/etc/gshadow", R_PATH_CRED, true}, /* group password hashes */
    {"/run/secrets", R_PATH_CRED, true}, /* Docker and Kubernetes secrets */
    {"/var/run/secrets", R_PATH_CRED, true},
    {".aws/credentials", R_PATH_CRED, false},
    {".kube/config", R_PATH_CRED, false},
    {".docker/config.json", R_PATH_CRED, false}, /* registry tokens */
    {"/proc/self/environ", R_PATH_CRED, false},  /* the environment: API keys */
    {"/proc/thread-self/environ", R_PATH_CRED, false},
    {"/proc/1/environ", R_PATH_CRED, false},
    {"169.254.169.254", R_PATH_METADATA, false}, /* AWS, GCP, Azure, OpenStack metadata */
    {"169.254.170.2", R_PATH_METADATA, false},   /* ECS task credentials */
    {"metadata.google.internal", R_PATH_METADATA, false},
    {"100.100.100.200", R_PATH_METADATA, false}, /* Alibaba Cloud */
    {"fd00:ec2::254", R_PATH_METADATA, false},   /* AWS over IPv6 */
    {"/dev/mem", R_PATH_MEMORY, false},
    {"/dev/kmem", R_PATH_MEMORY, false},
    {"/dev/port", R_PATH_MEMORY, false}, /* I/O ports */
    {"/proc/kcore", R_PATH_MEMORY, false},
    {"/proc/self/mem", R_PATH_MEMORY, false},
    {"/proc/1/", R_PATH_ESCAPE, true},         /* the host's (or the container's) init */
    {"/proc/sys/kernel", R_PATH_ESCAPE, true}, /* core_pattern runs a helper on the host */
    {"/proc/sysrq-trigger", R_PATH_ESCAPE, false},
    {"/sys/kernel/", R_PATH_ESCAPE, true},
    {"release_agent", R_PATH_ESCAPE, false}, /* cgroup v1 escape */
    {"docker.sock", R_PATH_ESCAPE, false},   /* root on the host through the daemon */
    {"containerd.sock", R_PATH_ESCAPE, false},
    {"/proc/self/exe", R_PATH_ESCAPE, false}, /* runc CVE-2019-5736 */
    {"/dev/sd", R_PATH_DISK, true},
    {"/dev/hd", R_PATH_DISK, true},
    {"/dev/vd", R_PATH_DISK, true},
    {"/dev/xvd", R_PATH_DISK, true},
    {"/dev/nvme", R_PATH_DISK, true},
    {"/dev/mmcblk", R_PATH_DISK, true},
    {"/dev/dm-", R_PATH_DISK, true},
    {"/dev/mapper/", R_PATH_DISK, true},
    {"/dev/disk/", R_PATH_DISK, true},
    {"/etc/passwd", R_PATH_ACCOUNTS, true},
    {"/etc/group", R_PATH_ACCOUNTS, false},
    {"/etc/sudoers", R_PATH_ACCOUNTS, true},
};

/* Path components that are credentials wherever they are: os.path.join(home, ".ssh", "id_rsa").
 * A trailing '*' matches any rest ("id_rsa.pub"). */
static const char *const credential_components[] = {
    ".ssh",  ".aws",    ".gnupg",  ".netrc",    ".git-credentials", ".pgpass",
    ".kube", "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*",      "authorized_keys",
};

/* Hosts that are allowed in URLs, as names or suffixes (".corp.example"). Empty by default:
 * every host but the local machine is reported, at low severity; a deployment lists its own. */
static const char *const url_allow_hosts[] = {
    NULL,
};

static bool component_matches(const char *p, size_t n, const char *pat)
{
        size_t k = strlen(pat);

        if (pat[k - 1] == '*')
                return n >= k - 1 && memcmp(p, pat, k - 1) == 0;
        return n == k && memcmp(p, pat, n) == 0;
}

/* Hosts that are the machine itself or names that can never resolve (RFC 2606, RFC 6761):
 * not a destination. */
static bool host_is_local(const char *h, size_t n)
{
        if (n == 0 || ieq(h, n, "localhost") || ends_with(h, n, ".localhost") ||
            ieq(h, n, "0.0.0.0") || ieq(h, n, "::1") || (n >= 4 && memcmp(h, "127.", 4) == 0))
                return true;
        return ieq(h, n, "example.com") || ieq(h, n, "example.net") || ieq(h, n, "example.org") ||
               ends_with(h, n, ".example.com") || ends_with(h, n, ".example.net") ||
               ends_with(h, n, ".example.org") || ends_with(h, n, ".example") ||
               ends_with(h, n, ".test") || ends_with(h, n, ".invalid");
}

static bool host_is_allowed(const char *h, size_t n)
{
        for (size_t i = 0; i < ELEMENTSOF(url_allow_hosts) && url_allow_hosts[i]; i++) {
                const char *a = url_allow_hosts[i];

                if (a[0] == '.' ? ends_with(h, n, a) : ieq(h, n, a))
                        return true;
        }
        return false;
}

static bool host_is_ip(const char *h, size_t n)
{
        size_t digits = 0, dots = 0;

        if (memchr(h, ':', n)) /* IPv6 */
                return true;
        for (size_t i = 0; i < n; i++) {
                if (h[i] == '.')
                        dots++;
                else if (h[i] >= '0' && h[i] <= '9')
                        digits++;
                else
                        return false;
        }
        return dots == 3 && digits > 0;
}

/* Every "scheme://host" in the value. */
static void check_urls(Ctx *c, const char *v, size_t n, size_t ta, size_t tb)
{
        static const char *const schemes[] = {"http", "https", "ftp", "ws", "wss"};
        const char *p = v, *end = v + n, *sep;

        while ((sep = memmem(p, (size_t)(end - p), "://", 3))) {
                const char *s = sep, *h = sep + 3, *he;
                bool known = false;

                while (s > v && ((s[-1] | 0x20) >= 'a' && (s[-1] | 0x20) <= 'z'))
                        s--;
                for (size_t i = 0; i < ELEMENTSOF(schemes); i++)
                        known = known || ieq(s, (size_t)(sep - s), schemes[i]);
                p = sep + 3;
                if (!known)
                        continue;
                he = h;
                while (he < end && !strchr("/?#", *he) && (unsigned char)*he > ' ')
                        he++;
                /* user:password@host:port */
                for (const char *at = he; at > h; at--)
                        if (at[-1] == '@') {
                                h = at;
                                break;
                        }
                if (h < he && *h == '[') {
                        const char *rb = memchr(h, ']', (size_t)(he - h));

                        h++;
                        he = rb ? rb : he;
                } else {
                        const char *colon = memchr(h, ':', (size_t)(he - h));

                        he = colon ? colon : he;
                }
                /* A template ("http://%s/", "https://{host}/") names no host yet. */
                for (const char *q = h; q < he; q++)
                        if (!name_char(*q) && *q != ':')
                                h = he;
                if (h == he || host_is_local(h, (size_t)(he - h)) ||
                    host_is_allowed(h, (size_t)(he - h)))
                        continue;
                if (host_is_ip(h, (size_t)(he - h)))
                        py_report(c, R_NET_URL_IP, ta, tb, "URL to the bare address %.*s",
                                  (int)MIN(he - h, 64), h);
                else
                        py_report(c, R_NET_URL, ta, tb, "URL to %.*s, a host not on the allow-list",
                                  (int)MIN(he - h, 64), h);
        }
}

static void check_paths(Ctx *c, const char *v, size_t n, size_t ta, size_t tb)
{
        const char *p, *end = v + n;
        bool slash = memchr(v, '/', n) != NULL;

        for (size_t i = 0; i < ELEMENTSOF(path_patterns); i++) {
                size_t k = strlen(path_patterns[i].s);
                const char *from = v;

                if (!slash && strchr(path_patterns[i].s, '/'))
                        continue;
                while ((p = memmem(from, (size_t)(end - from), path_patterns[i].s, k))) {
                        if (path_patterns[i].prefix || p + k == end || !name_char(p[k])) {
                                py_report(c, path_patterns[i].rule, ta, tb, "names %s",
                                          path_patterns[i].s);
                                break;
                        }
                        from = p + 1;
                }
        }
        /* /proc/<pid>/mem and /proc/<pid>/environ of other processes */
        for (const char *from = v;
             slash && (p = memmem(from, (size_t)(end - from), "/proc/", 6));) {
                const char *q = p + 6;

                while (q < end && *q >= '0' && *q <= '9')
                        q++;
                from = p + 6;
                if (q == p + 6 || q >= end || *q != '/')
                        continue;
                if ((size_t)(end - q) >= 4 && memcmp(q, "/mem", 4) == 0 &&
                    (end - q == 4 || !name_char(q[4])))
                        py_report(c, R_PATH_MEMORY, ta, tb, "names the memory of a process");
                else if ((size_t)(end - q) >= 8 && memcmp(q, "/environ", 8) == 0)
                        py_report(c, R_PATH_CRED, ta, tb, "names the environment of a process");
        }
        /* credential components: split on '/' (and '~' before it) */
        for (p = v; p <= end;) {
                const char *e = memchr(p, '/', (size_t)(end - p));

                if (!e)
                        e = end;
                for (size_t i = 0; i < ELEMENTSOF(credential_components); i++)
                        if (component_matches(p, (size_t)(e - p), credential_components[i])) {
                                py_report(c, R_PATH_CRED, ta, tb, "names %.*s, a credential file",
                                          (int)MIN(e - p, 64), p);
                                break;
                        }
                p = e + 1;
        }
}

void py_check_dunder(Ctx *c, const char *v, size_t n, size_t ta, size_t tb, bool string)
{
        for (size_t i = 0; i < py_dunder_attrs_count; i++)
                if (n == py_dunder_attrs[i].len && v[0] == py_dunder_attrs[i].name[0] &&
                    memcmp(v, py_dunder_attrs[i].name, n) == 0)
                        py_report(c, py_dunder_attrs[i].rule, ta, tb,
                                  string ? "attribute %s named in a string" : "reaches %s",
                                  py_dunder_attrs[i].name);
}

/* What a string value names: paths, hosts, escape attributes. Most literals have none of the
 * characters these contain, which spares the pattern searches. */
void py_check_literal(Ctx *c, const char *v, size_t n, size_t ta, size_t tb)
{
        if (n < 4)
                return;
        if (memchr(v, '/', n) || memchr(v, '.', n) || memchr(v, '_', n) || memchr(v, ':', n) ||
            v[0] == '~')
                check_paths(c, v, n, ta, tb);
        if (memchr(v, ':', n))
                check_urls(c, v, n, ta, tb);
}
