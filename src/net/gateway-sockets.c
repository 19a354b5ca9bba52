#include "gateway-sockets.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "basic/macros.h"
#include "gateway.h"

static int bound_socket(int type, uint16_t port)
{
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
        _cleanup_close_ int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
        int one = 1;

        if (fd < 0)
                return negative_errno();
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return negative_errno();
        if (type == SOCK_STREAM && listen(fd, 64) < 0)
                return negative_errno();
        return TAKE_FD(fd);
}

int gateway_sockets_create(int *ret_listen_fd, int *ret_dns_fd)
{
        int listen_fd, dns_fd;

        listen_fd = bound_socket(SOCK_STREAM, AIRLOCK_PROXY_PORT);
        if (listen_fd < 0)
                return listen_fd;
        dns_fd = bound_socket(SOCK_DGRAM, AIRLOCK_DNS_PORT);
        if (dns_fd < 0) {
                safe_close(listen_fd);
                return dns_fd;
        }
        *ret_listen_fd = listen_fd;
        *ret_dns_fd = dns_fd;
        return 0;
}
