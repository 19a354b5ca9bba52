#include "api-keys.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

typedef struct ApiKey {
        char name[API_KEY_NAME_MAX + 1];
        unsigned char secret[API_KEY_SECRET_MAX]; /* zero-padded: every compare reads it all */
        size_t secret_len;
        uint32_t max_concurrent;
} ApiKey;

struct ApiKeys {
        ApiKey *keys;
        size_t n;
};

typedef struct KeyUsage {
        char name[API_KEY_NAME_MAX + 1];
        uint32_t active;
} KeyUsage;

struct ApiKeyring {
        pthread_mutex_t lock;
        ApiKeys *keys;
        KeyUsage *usage; /* names with runs in flight */
        size_t n_usage;
};

ApiKeys *api_keys_free(ApiKeys *k)
{
        if (!k)
                return NULL;
        /* The secrets should not linger in freed memory. */
        explicit_bzero(k->keys, k->n * sizeof(ApiKey));
        free(k->keys);
        free(k);
        return NULL;
}

static void api_keys_freep(ApiKeys **k)
{
        api_keys_free(*k);
}

size_t api_keys_count(const ApiKeys *k)
{
        return k ? k->n : 0;
}

static bool secret_char_ok(char c)
{
        return c > ' ' && c < 0x7f && c != ':' && c != ',' && c != '#';
}

static bool name_char_ok(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
}

static int entry_error(AirlockError *err, size_t idx, const char *what)
{
        return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "keys", "entry %zu: %s", idx, what);
}

/* One entry, already trimmed: SECRET, NAME:SECRET or NAME:SECRET:MAX. */
static int parse_entry(const char *s, size_t len, size_t idx, uint32_t default_max, ApiKey *k,
                       AirlockError *err)
{
        const char *f[3] = {s, NULL, NULL}, *end = s + len;
        size_t n = 1, flen[3];
        const char *secret;
        size_t secret_len;

        for (const char *p = s; p < end; p++)
                if (*p == ':') {
                        if (n == 3)
                                return entry_error(err, idx,
                                                   "expected NAME:SECRET[:MAX] or SECRET");
                        f[n++] = p + 1;
                }
        for (size_t i = 0; i < n; i++)
                flen[i] = (i + 1 < n ? (size_t)(f[i + 1] - f[i]) - 1 : (size_t)(end - f[i]));

        *k = (ApiKey){.max_concurrent = default_max};
        if (n == 1) {
                snprintf(k->name, sizeof(k->name), "key-%zu", idx);
                secret = f[0];
                secret_len = flen[0];
        } else {
                if (flen[0] == 0 || flen[0] > API_KEY_NAME_MAX)
                        return entry_error(err, idx, "the name must be 1 to 64 characters");
                for (size_t i = 0; i < flen[0]; i++)
                        if (!name_char_ok(f[0][i]))
                                return entry_error(err, idx,
                                                   "the name may hold only "
                                                   "letters, digits, '.', '_', '-'");
                memcpy(k->name, f[0], flen[0]);
                secret = f[1];
                secret_len = flen[1];
        }
        if (n == 3) {
                char num[16];
                char *e = NULL;
                unsigned long v;

                if (flen[2] == 0 || flen[2] >= sizeof(num) || f[2][0] < '0' || f[2][0] > '9')
                        return entry_error(err, idx, "MAX_CONCURRENT must be a whole number");
                memcpy(num, f[2], flen[2]);
                num[flen[2]] = '\0';
                v = strtoul(num, &e, 10);
                if (*e || v == 0 || v > UINT32_MAX)
                        return entry_error(err, idx, "MAX_CONCURRENT must be 1 or more");
                k->max_concurrent = (uint32_t)v;
        }
        if (secret_len < API_KEY_SECRET_MIN || secret_len > API_KEY_SECRET_MAX)
                return entry_error(err, idx, "the secret must be 16 to 128 characters");
        for (size_t i = 0; i < secret_len; i++)
                if (!secret_char_ok(secret[i]))
                        return entry_error(err, idx,
                                           "the secret may hold only printable "
                                           "characters other than ':', ',', '#'");
        memcpy(k->secret, secret, secret_len);
        k->secret_len = secret_len;
        return 0;
}

static int check_unique(const ApiKeys *keys, const ApiKey *k, size_t idx, AirlockError *err)
{
        for (size_t i = 0; i < keys->n; i++) {
                if (strcmp(keys->keys[i].name, k->name) == 0)
                        return airlock_error_set(err, AIRLOCK_ERR_USAGE, 0, "keys",
                                                 "entry %zu: the name %s is taken", idx, k->name);
                if (keys->keys[i].secret_len == k->secret_len &&
                    memcmp(keys->keys[i].secret, k->secret, k->secret_len) == 0)
                        return entry_error(err, idx, "the same secret as an earlier entry");
        }
        return 0;
}

int api_keys_parse(const char *text, uint32_t default_max, ApiKeys **ret, AirlockError *err)
{
        _cleanup_(api_keys_freep) ApiKeys *keys = calloc(1, sizeof(ApiKeys));
        size_t idx = 0;
        const char *p = text ? text : "";
        int r;

        if (!keys)
                return -ENOMEM;
        while (*p) {
                size_t len = strcspn(p, ",\n#");
                const char *s = p, *next = p + len;
                ApiKey k;

                if (*next == '#')
                        next += strcspn(next, "\n");
                p = *next ? next + 1 : next;
                while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\r')) {
                        s++;
                        len--;
                }
                while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
                        len--;
                if (len == 0)
                        continue;
                idx++;
                if (idx > API_KEYS_MAX)
                        return entry_error(err, idx, "too many keys");
                r = parse_entry(s, len, idx, default_max, &k, err);
                if (r >= 0)
                        r = check_unique(keys, &k, idx, err);
                if (r < 0) {
                        explicit_bzero(&k, sizeof(k));
                        return r;
                }
                if (keys->n % 16 == 0) {
                        ApiKey *grown = realloc(keys->keys, (keys->n + 16) * sizeof(ApiKey));

                        if (!grown) {
                                explicit_bzero(&k, sizeof(k));
                                return -ENOMEM;
                        }
                        keys->keys = grown;
                }
                keys->keys[keys->n++] = k;
                explicit_bzero(&k, sizeof(k));
        }
        *ret = TAKE_PTR(keys);
        return 0;
}

/* ---- the keyring ---- */

int api_keyring_new(ApiKeyring **ret)
{
        ApiKeyring *kr = calloc(1, sizeof(ApiKeyring));

        if (!kr)
                return -ENOMEM;
        pthread_mutex_init(&kr->lock, NULL);
        *ret = kr;
        return 0;
}

ApiKeyring *api_keyring_free(ApiKeyring *kr)
{
        if (!kr)
                return NULL;
        api_keys_free(kr->keys);
        free(kr->usage);
        pthread_mutex_destroy(&kr->lock);
        free(kr);
        return NULL;
}

void api_keyring_set(ApiKeyring *kr, ApiKeys *keys)
{
        ApiKeys *old;

        pthread_mutex_lock(&kr->lock);
        old = kr->keys;
        kr->keys = keys;
        pthread_mutex_unlock(&kr->lock);
        api_keys_free(old);
}

bool api_keyring_enabled(ApiKeyring *kr)
{
        bool on;

        pthread_mutex_lock(&kr->lock);
        on = kr->keys != NULL;
        pthread_mutex_unlock(&kr->lock);
        return on;
}

/* 0 when the token is this key's secret; the time taken depends on neither. */
static unsigned secret_diff(const ApiKey *k, const unsigned char *tok, size_t len)
{
        unsigned d = (unsigned)(len ^ k->secret_len);

        for (size_t i = 0; i < API_KEY_SECRET_MAX; i++)
                d |= (unsigned)((i < len ? tok[i] : 0) ^ k->secret[i]);
        return d;
}

int api_keyring_check(ApiKeyring *kr, const char *token, size_t len,
                      char ret_name[API_KEY_NAME_MAX + 1])
{
        size_t found = 0; /* index + 1 of the matching key */
        int r = -EACCES;

        /* The length of what the client sent is no secret; refusing long tokens up front keeps
         * the compare below a fixed number of steps. */
        if (len > API_KEY_SECRET_MAX)
                return -EACCES;
        pthread_mutex_lock(&kr->lock);
        if (kr->keys) {
                for (size_t i = 0; i < kr->keys->n; i++) {
                        uint64_t d =
                            secret_diff(&kr->keys->keys[i], (const unsigned char *)token, len);
                        size_t eq = (size_t)((d - 1) >> 63); /* 1 when d == 0, else 0 */

                        found |= (i + 1) & (0 - eq);
                }
                if (found) {
                        memcpy(ret_name, kr->keys->keys[found - 1].name, API_KEY_NAME_MAX + 1);
                        r = 0;
                }
        }
        pthread_mutex_unlock(&kr->lock);
        return r;
}

static const ApiKey *find_name(const ApiKeys *keys, const char *name)
{
        for (size_t i = 0; keys && i < keys->n; i++)
                if (strcmp(keys->keys[i].name, name) == 0)
                        return &keys->keys[i];
        return NULL;
}

static KeyUsage *find_usage(ApiKeyring *kr, const char *name)
{
        for (size_t i = 0; i < kr->n_usage; i++)
                if (strcmp(kr->usage[i].name, name) == 0)
                        return &kr->usage[i];
        return NULL;
}

int api_keyring_acquire(ApiKeyring *kr, const char *name)
{
        const ApiKey *k;
        KeyUsage *u;
        int r = 0;

        pthread_mutex_lock(&kr->lock);
        k = find_name(kr->keys, name);
        u = find_usage(kr, name);
        if (!k)
                r = -EACCES;
        else if (u && u->active >= k->max_concurrent)
                r = -EBUSY;
        else if (u)
                u->active++;
        else {
                KeyUsage *grown = realloc(kr->usage, (kr->n_usage + 1) * sizeof(KeyUsage));

                if (!grown)
                        r = -ENOMEM;
                else {
                        kr->usage = grown;
                        u = &kr->usage[kr->n_usage++];
                        snprintf(u->name, sizeof(u->name), "%s", name);
                        u->active = 1;
                }
        }
        pthread_mutex_unlock(&kr->lock);
        return r;
}

void api_keyring_release(ApiKeyring *kr, const char *name)
{
        KeyUsage *u;

        pthread_mutex_lock(&kr->lock);
        u = find_usage(kr, name);
        if (u && --u->active == 0)
                /* Keep the table as small as what is in flight. */
                *u = kr->usage[--kr->n_usage];
        pthread_mutex_unlock(&kr->lock);
}
