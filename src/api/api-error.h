/* What the HTTP API tells a client that asked for something wrong: a status, a short stable code
 * ("invalid_json", "over_limit", ...) and a message saying what was wrong and where
 * ("files[2].path: must be relative ..."). Fixed size, like AirlockError. */
#pragma once

#include "basic/macros.h"

typedef struct ApiError {
        int status; /* HTTP status: 400, 422, ... */
        char code[32];
        char message[384];
} ApiError;

/* Records the error (the first one wins) and returns -EINVAL. err may be NULL. */
int api_error_set(ApiError *err, int status, const char *code, const char *fmt, ...) _printf_(4, 5);

/* Copies at most max bytes of s into buf (of size max + 4) as printable ASCII, with "..." when
 * cut: client-chosen text quoted back in a message must stay short and harmless. */
const char *api_quote(const char *s, size_t len, char *buf, size_t max);
