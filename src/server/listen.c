#include "listen.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "basic/macros.h"
#include "basic/parse.h"

#define BACKLOG 512

typedef struct ListenAddr {
        struct sockaddr_storage sa;
        socklen_t len;
} ListenAddr;

static int parse_unix(const char *path, ListenAddr *ret)
{
        struct sockaddr_un *un = (struct sockaddr_un *)&ret->sa;

        if (path[0] != '/' || strlen(path) >= sizeof(un->sun_path))
                return -EINVAL;
        *un = (struct sockaddr_un){.sun_family = AF_UNIX};
        memcpy(un->sun_path, path, strlen(path));
        ret->len = (socklen_t)sizeof(*un);
        return 0;
}

/* HOST:PORT with HOST an IPv4 address, [IPv6] or "localhost". */
static int parse_inet(const char *spec, ListenAddr *ret)
{
        char host[64];
        const char *colon, *h = spec;
        size_t hlen;
        uint32_t port;

        colon = strrchr(spec, ':');
        if (!colon || parse_uint32(colon + 1, &port) < 0 || port == 0 || port > 65535)
                return -EINVAL;
        hlen = (size_t)(colon - spec);
        if (hlen >= 2 && spec[0] == '[' && spec[hlen - 1] == ']') {
                h++;
                hlen -= 2;
        }
        if (hlen == 0 || hlen >= sizeof(host))
                return -EINVAL;
        memcpy(host, h, hlen);
        host[hlen] = '\0';
        if (strcmp(host, "localhost") == 0)
                strcpy(host, "127.0.0.1");
        if (strchr(host, ':')) {
                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ret->sa;

                *in6 = (struct sockaddr_in6){.sin6_family = AF_INET6,
                                             .sin6_port = htons((uint16_t)port)};
                if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
                        return -EINVAL;
                ret->len = sizeof(*in6);
        } else {
                struct sockaddr_in *in = (struct sockaddr_in *)&ret->sa;

                *in =
                    (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
                if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
                        return -EINVAL;
                ret->len = sizeof(*in);
        }
        return 0;
}

static int parse_spec(const char *spec, ListenAddr *ret)
{
        if (strncmp(spec, "unix:", 5) == 0)
                return parse_unix(spec + 5, ret);
        return parse_inet(spec, ret);
}

bool listen_is_local(const char *spec)
{
        ListenAddr a;

        if (parse_spec(spec, &a) < 0)
                return false;
        if (a.sa.ss_family == AF_UNIX)
                return true;
        if (a.sa.ss_family == AF_INET)
                return (ntohl(((struct sockaddr_in *)&a.sa)->sin_addr.s_addr) >> 24) == 127;
        return IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&a.sa)->sin6_addr);
}

/* A socket file left by a crashed server is replaced; anything else at the path is not. */
static int remove_stale_socket(const char *path)
{
        struct stat st;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        if (!S_ISSOCK(st.st_mode))
                return -EEXIST;
        return unlink(path) < 0 ? negative_errno() : 0;
}

int listen_open(const char *spec, AirlockError *err)
{
        _cleanup_close_ int fd = -EBADF;
        ListenAddr a;
        int one = 1, r;

        if (parse_spec(spec, &a) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_USAGE, EINVAL, "--listen",
                                         "'%s': expected HOST:PORT, [IPV6]:PORT or unix:/PATH",
                                         spec);
        fd = socket(a.sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "listen", "%s", spec);
        if (a.sa.ss_family == AF_UNIX) {
                r = remove_stale_socket(spec + 5);
                if (r < 0)
                        return airlock_error_set(err, AIRLOCK_ERR_SETUP, -r, "listen",
                                                 "%s: not a stale socket", spec);
        } else
                (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *)&a.sa, a.len) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "listen", "bind %s", spec);
        /* Who may connect is the socket file's business: owner and group. */
        if (a.sa.ss_family == AF_UNIX && chmod(spec + 5, 0660) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "listen", "chmod %s", spec);
        if (listen(fd, BACKLOG) < 0)
                return airlock_error_set(err, AIRLOCK_ERR_SETUP, errno, "listen", "%s", spec);
        return TAKE_FD(fd);
}
