/* The limits object of requests and of the server's config file: the same names and units as
 * the result's "limits" (memory_bytes, wall_ms, cpus in cores, ...), each bounded by airlock's
 * own range (config/limits.h) and, for requests, by the server's maximum. */
#pragma once

#include <jansson.h>
#include <stdint.h>

#include "api-error.h"
#include "config/config.h"

/* Sets the fields o names in *l (the rest stay as they are) and ORs their ServeLimitBit into
 * *set_bits. where prefixes messages ("limits"). max: the server's maximum (422 over_limit
 * beyond), or NULL. Unknown names, wrong types, values outside the range: 422. */
int limits_json_parse(const json_t *o, const char *where, const AirlockLimits *max,
                      AirlockLimits *l, uint32_t *set_bits, ApiError *err);

/* The first limit in l that is over max, by name, or NULL when none is. */
const char *limits_json_first_over(const AirlockLimits *l, const AirlockLimits *max);

/* "a string", "an object", ...: what a client sent instead, for messages. */
const char *json_type_phrase(const json_t *j);

/* Checks every field of l against airlock's own range (not a server's maximum). */
int limits_json_check_range(const AirlockLimits *l, const char *where, ApiError *err);
