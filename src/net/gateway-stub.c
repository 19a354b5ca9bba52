/* Temporary: links the sandbox against the gateway's interface until gateway.c lands. */
#include <errno.h>
#include <stdlib.h>

#include "gateway.h"

void net_policy_init(NetPolicy *p)
{
        *p = (NetPolicy){0};
}

void net_policy_done(NetPolicy *p)
{
        *p = (NetPolicy){0};
}

int net_policy_add_allow(NetPolicy *p, const char *spec, AirlockError *err)
{
        return airlock_error_set(err, AIRLOCK_ERR_USAGE, EOPNOTSUPP, "--allow-net",
                                 "not available yet");
}

int net_policy_add_private(NetPolicy *p, const char *cidr, AirlockError *err)
{
        return airlock_error_set(err, AIRLOCK_ERR_USAGE, EOPNOTSUPP, "--allow-private",
                                 "not available yet");
}

int gateway_start(const NetPolicy *p, int proxy_listen_fd, int dns_fd, Gateway **ret,
                  AirlockError *err)
{
        return -EOPNOTSUPP;
}

void gateway_stop(Gateway *g, NetRecord **ret_records, size_t *ret_n)
{
        *ret_records = NULL;
        *ret_n = 0;
}
