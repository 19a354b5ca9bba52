/* API keys: who may ask for runs, and how many each may have in flight.
 *
 * The keys file (keys_file) holds one entry per line; AIRLOCK_API_KEYS holds the same entries
 * separated by commas (either separator works in both):
 *
 *   # comment to the end of the line
 *   ci:3a7f...e1          NAME:SECRET
 *   batch:9c0d...44:8     NAME:SECRET:MAX_CONCURRENT (runs queued or running at once)
 *   5be2...07             SECRET alone: named key-N after its position (1, 2, ...)
 *
 * Secrets are 16 to 128 printable ASCII characters other than ':', ',', '#', and spaces; names are
 * 1 to 64 of [A-Za-z0-9._-] and are what the access log and metrics show, never the secret. A
 * request presents a key as "Authorization: Bearer SECRET". */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/error.h"

#define API_KEY_NAME_MAX   64
#define API_KEY_SECRET_MIN 16
#define API_KEY_SECRET_MAX 128
#define API_KEYS_MAX       1024

typedef struct ApiKeys ApiKeys;

/* default_max: the MAX_CONCURRENT of entries that give none. Errors are AIRLOCK_ERR_USAGE,
 * "keys: entry N: what" (the secret is never quoted). An empty text gives an empty set. */
int api_keys_parse(const char *text, uint32_t default_max, ApiKeys **ret, AirlockError *err);
ApiKeys *api_keys_free(ApiKeys *k);
size_t api_keys_count(const ApiKeys *k);

/* The keys in force and what each has in flight. Thread-safe. Counts are by name, so a reload
 * (SIGHUP) keeps them: a request that started under the old set releases into the new one. */
typedef struct ApiKeyring ApiKeyring;

int api_keyring_new(ApiKeyring **ret);
ApiKeyring *api_keyring_free(ApiKeyring *kr);

/* Takes keys (NULL: no keys, no auth) and frees the set it replaces. */
void api_keyring_set(ApiKeyring *kr, ApiKeys *keys);
bool api_keyring_enabled(ApiKeyring *kr);

/* Which key the token is, comparing it against every key in constant time (no early exit, no
 * length-dependent loop over secrets). 0 with the name copied out, or -EACCES. */
int api_keyring_check(ApiKeyring *kr, const char *token, size_t len,
                      char ret_name[API_KEY_NAME_MAX + 1]);

/* Counts one run in flight for the named key: 0, -EBUSY when it has its maximum already, or
 * -EACCES when a reload removed the key meanwhile. */
int api_keyring_acquire(ApiKeyring *kr, const char *name);
void api_keyring_release(ApiKeyring *kr, const char *name);
