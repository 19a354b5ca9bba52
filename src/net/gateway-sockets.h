#pragma once

/* In pid 1, inside the sandbox's fresh network namespace (loopback up): the gateway's TCP
 * listener on 127.0.0.1:AIRLOCK_PROXY_PORT and its UDP socket on 127.0.0.1:53. Port 53 is
 * allowed because pid 1 holds CAP_NET_BIND_SERVICE in the namespace's own user namespace. */
int gateway_sockets_create(int *ret_listen_fd, int *ret_dns_fd);
