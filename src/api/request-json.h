/* POST /v1/runs: the JSON body into a ServeRequest, with errors a client can act on: the HTTP
 * status, a stable code and a message naming the field ("files[2].path: ..."). The front end
 * parses network input here, so this is fuzzed (tests/fuzz/fuzz-request-json.c); the launcher
 * validates the decoded request again.
 *
 *   {"command": ["python3", "-c", "print(1)"]}            or
 *   {"language": "python", "code": "print(1)"},
 *   "files":   [{"path": "data/in.csv", "content": "...", "encoding": "utf8"|"base64",
 *                "executable": false}],
 *   "stdin":   "text" | {"content": "...", "encoding": "utf8"|"base64"},
 *   "env":     {"NAME": "value"},
 *   "limits":  {"memory_bytes": 268435456, "wall_ms": 5000, "cpus": 0.5, ...},
 *   "network": {"allow": ["pypi.org", "*.example.org:8443"]},
 *   "collect": ["*.png", "out"]
 *
 * Unknown keys are errors at every level. */
#pragma once

#include <stddef.h>

#include "api-error.h"
#include "server/runtimes.h"
#include "server/serve-config.h"
#include "server/serve-request.h"

typedef struct RequestJsonContext {
        const ServeConfig *config; /* default_limits, max_limits, allow_net */
        const RuntimeInfo *runtimes;
        size_t n_runtimes;
} RequestJsonContext;

/* Fills *ret (which must not hold anything: it is overwritten) on success. Errors: 400
 * invalid_json (with line and column), 422 for everything else; -ENOMEM when memory ran out
 * (err is then unset). */
int request_json_parse(const char *body, size_t len, const RequestJsonContext *ctx,
                       ServeRequest *ret, ApiError *err);
