/* The launcher decodes what the (assumed compromised) front end sends: any bytes must give a
 * clean error or a request that encodes back to a decodable form. */
#include <stdint.h>
#include <stdlib.h>

#include "server/serve-request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        ServeRequest req, again;
        AirlockError err = {0};
        uint8_t *buf;
        size_t len;

        if (serve_request_decode(data, size, &req, &err) < 0)
                return 0;
        if (serve_request_encode(&req, &buf, &len) == 0) {
                if (serve_request_decode(buf, len, &again, &err) < 0)
                        abort();
                serve_request_done(&again);
                free(buf);
        }
        serve_request_done(&req);
        return 0;
}
