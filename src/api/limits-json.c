#include "limits-json.h"

#include <stddef.h>
#include <string.h>

#include "config/limits.h"
#include "server/serve-request.h"

typedef enum LimitKind {
        LIMIT_U64,
        LIMIT_U32,
        LIMIT_CPUS, /* cores in JSON, thousandths of a core in AirlockLimits */
} LimitKind;

typedef struct LimitDef {
        const char *name;
        size_t offset;
        LimitKind kind;
        uint32_t bit;
        uint64_t min, max; /* airlock's own range, in AirlockLimits units */
} LimitDef;

#define U64(n, f, b, lo, hi)                                                                       \
        {                                                                                          \
                n, offsetof(AirlockLimits, f), LIMIT_U64, b, lo, hi                                \
        }
#define U32(n, f, b, lo, hi)                                                                       \
        {                                                                                          \
                n, offsetof(AirlockLimits, f), LIMIT_U32, b, lo, hi                                \
        }

/* The order is the result's "limits" object's. */
static const LimitDef limit_defs[] = {
    U64("memory_bytes", memory_bytes, SERVE_LIMIT_MEMORY, AIRLOCK_MIN_MEMORY, AIRLOCK_MAX_MEMORY),
    U64("wall_ms", wall_ms, SERVE_LIMIT_WALL, AIRLOCK_MIN_WALL_MS, AIRLOCK_MAX_WALL_MS),
    U64("cpu_ms", cpu_ms, SERVE_LIMIT_CPU, AIRLOCK_MIN_WALL_MS, AIRLOCK_MAX_WALL_MS),
    U32("pids", pids, SERVE_LIMIT_PIDS, AIRLOCK_MIN_PIDS, AIRLOCK_MAX_PIDS),
    {"cpus", offsetof(AirlockLimits, cpu_milli), LIMIT_CPUS, SERVE_LIMIT_CPUS,
     AIRLOCK_MIN_CPU_MILLI, AIRLOCK_MAX_CPU_MILLI},
    U64("stdout_bytes", stdout_bytes, SERVE_LIMIT_STDOUT, 0, AIRLOCK_MAX_OUTPUT),
    U64("stderr_bytes", stderr_bytes, SERVE_LIMIT_STDERR, 0, AIRLOCK_MAX_OUTPUT),
    U64("scratch_bytes", scratch_bytes, SERVE_LIMIT_SCRATCH, AIRLOCK_MIN_FS_SIZE,
        AIRLOCK_MAX_FS_SIZE),
    U64("tmp_bytes", tmp_bytes, SERVE_LIMIT_TMP, AIRLOCK_MIN_FS_SIZE, AIRLOCK_MAX_FS_SIZE),
    U32("nofile", nofile, SERVE_LIMIT_NOFILE, AIRLOCK_MIN_NOFILE, AIRLOCK_MAX_NOFILE),
    U64("fsize_bytes", fsize_bytes, SERVE_LIMIT_FSIZE, 0, AIRLOCK_MAX_FSIZE),
    U32("net_conns", net_conns, SERVE_LIMIT_NET_CONNS, 1, AIRLOCK_MAX_NET_CONNS),
    U64("net_bytes", net_bytes, SERVE_LIMIT_NET_BYTES, 0, AIRLOCK_MAX_NET_BYTES),
};

const char *json_type_phrase(const json_t *j)
{
        switch (json_typeof(j)) {
        case JSON_OBJECT:
                return "an object";
        case JSON_ARRAY:
                return "an array";
        case JSON_STRING:
                return "a string";
        case JSON_INTEGER:
                return "a whole number";
        case JSON_REAL:
                return "a fractional number";
        case JSON_TRUE:
        case JSON_FALSE:
                return "true or false";
        case JSON_NULL:
                return "null";
        }
        return "something else";
}

static uint64_t get_field(const AirlockLimits *l, const LimitDef *d)
{
        const char *p = (const char *)l + d->offset;

        return d->kind == LIMIT_U64 ? *(const uint64_t *)p : *(const uint32_t *)p;
}

static void set_field(AirlockLimits *l, const LimitDef *d, uint64_t v)
{
        char *p = (char *)l + d->offset;

        if (d->kind == LIMIT_U64)
                *(uint64_t *)p = v;
        else
                *(uint32_t *)p = (uint32_t)v;
}

/* The value in AirlockLimits units, or a 422 naming what was wrong. */
static int value_of(const json_t *v, const LimitDef *d, const char *where, uint64_t *ret,
                    ApiError *err)
{
        if (d->kind == LIMIT_CPUS) {
                double cores;

                if (!json_is_number(v))
                        return api_error_set(err, 422, "invalid_type",
                                             "%s.%s: expected a number of cores like 0.5, got %s",
                                             where, d->name, json_type_phrase(v));
                cores = json_number_value(v);
                if (!(cores >= 0) || cores > (double)UINT32_MAX / 1000)
                        return api_error_set(err, 422, "invalid_value",
                                             "%s.%s: %g is not a usable number of cores", where,
                                             d->name, cores);
                *ret = (uint64_t)(cores * 1000 + 0.5); /* to the nearest thousandth */
                return 0;
        }
        if (!json_is_integer(v))
                return api_error_set(err, 422, "invalid_type",
                                     "%s.%s: expected a whole number, got %s", where, d->name,
                                     json_type_phrase(v));
        if (json_integer_value(v) < 0)
                return api_error_set(err, 422, "invalid_value", "%s.%s: must not be negative",
                                     where, d->name);
        *ret = (uint64_t)json_integer_value(v);
        return 0;
}

/* Numbers in the units the client used: cores for cpus. */
static void format_value(const LimitDef *d, uint64_t v, char *buf, size_t size)
{
        if (d->kind == LIMIT_CPUS)
                snprintf(buf, size, "%g", v / 1000.0);
        else
                snprintf(buf, size, "%llu", (unsigned long long)v);
}

static int parse_one(const json_t *v, const LimitDef *d, const char *where,
                     const AirlockLimits *max, AirlockLimits *l, ApiError *err)
{
        char got[32], bound[32];
        uint64_t x = 0;
        int r;

        r = value_of(v, d, where, &x, err);
        if (r < 0)
                return r;
        format_value(d, x, got, sizeof(got));
        if (x < d->min) {
                format_value(d, d->min, bound, sizeof(bound));
                return api_error_set(err, 422, "invalid_value", "%s.%s: %s is under the minimum %s",
                                     where, d->name, got, bound);
        }
        if (max && x > get_field(max, d)) {
                format_value(d, get_field(max, d), bound, sizeof(bound));
                return api_error_set(err, 422, "over_limit",
                                     "%s.%s: %s is over the server's maximum %s", where, d->name,
                                     got, bound);
        }
        if (x > d->max) {
                format_value(d, d->max, bound, sizeof(bound));
                return api_error_set(err, 422, "invalid_value", "%s.%s: %s is over the maximum %s",
                                     where, d->name, got, bound);
        }
        set_field(l, d, x);
        return 0;
}

static const LimitDef *find_def(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(limit_defs); i++)
                if (strcmp(limit_defs[i].name, name) == 0)
                        return &limit_defs[i];
        return NULL;
}

int limits_json_parse(const json_t *o, const char *where, const AirlockLimits *max,
                      AirlockLimits *l, uint32_t *set_bits, ApiError *err)
{
        AirlockLimits out = *l;
        uint32_t bits = 0;
        const char *key;
        json_t *v;
        int r;

        if (!json_is_object(o))
                return api_error_set(err, 422, "invalid_type", "%s: expected an object, got %s",
                                     where, json_type_phrase(o));
        json_object_foreach((json_t *)o, key, v)
        {
                const LimitDef *d = find_def(key);
                char q[72];

                if (!d) {
                        char known[256] = "";

                        for (size_t i = 0; i < ELEMENTSOF(limit_defs); i++)
                                snprintf(known + strlen(known), sizeof(known) - strlen(known),
                                         "%s%s", i ? ", " : "", limit_defs[i].name);
                        return api_error_set(err, 422, "unknown_field",
                                             "%s.%s: unknown limit (known: %s)", where,
                                             api_quote(key, strlen(key), q, 64), known);
                }
                r = parse_one(v, d, where, max, &out, err);
                if (r < 0)
                        return r;
                bits |= d->bit;
        }
        *l = out;
        if (set_bits)
                *set_bits |= bits;
        return 0;
}

const char *limits_json_first_over(const AirlockLimits *l, const AirlockLimits *max)
{
        for (size_t i = 0; i < ELEMENTSOF(limit_defs); i++)
                if (get_field(l, &limit_defs[i]) > get_field(max, &limit_defs[i]))
                        return limit_defs[i].name;
        return NULL;
}

int limits_json_check_range(const AirlockLimits *l, const char *where, ApiError *err)
{
        for (size_t i = 0; i < ELEMENTSOF(limit_defs); i++) {
                const LimitDef *d = &limit_defs[i];
                uint64_t v = get_field(l, d);
                char got[32], lo[32], hi[32];

                if (v >= d->min && v <= d->max)
                        continue;
                format_value(d, v, got, sizeof(got));
                format_value(d, d->min, lo, sizeof(lo));
                format_value(d, d->max, hi, sizeof(hi));
                return api_error_set(err, 422, "invalid_value", "%s.%s: %s is outside %s..%s",
                                     where, d->name, got, lo, hi);
        }
        return 0;
}
