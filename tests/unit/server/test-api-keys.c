#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "server/api-keys.h"

#define S1 "aaaaaaaaaaaaaaaaaaaa"
#define S2 "bbbbbbbbbbbbbbbbbbbbbbbb"
#define S3 "cccccccccccccccccccc"

static ApiKeyring *ring(const char *text, uint32_t default_max)
{
        ApiKeyring *kr = NULL;
        ApiKeys *keys = NULL;
        AirlockError err = {0};

        cr_assert_eq(api_keys_parse(text, default_max, &keys, &err), 0, "%s", err.message);
        cr_assert_eq(api_keyring_new(&kr), 0);
        api_keyring_set(kr, keys);
        return kr;
}

static void check_name(ApiKeyring *kr, const char *token, const char *want)
{
        char name[API_KEY_NAME_MAX + 1] = "";

        if (!want) {
                cr_assert_eq(api_keyring_check(kr, token, strlen(token), name), -EACCES, "%s",
                             token);
                return;
        }
        cr_assert_eq(api_keyring_check(kr, token, strlen(token), name), 0, "%s", token);
        cr_assert_str_eq(name, want);
}

Test(api_keys, file_and_env_forms)
{
        ApiKeyring *kr = ring("# keys\n"
                              "alice:" S1 "\n"
                              "\n"
                              "  " S2 "   # the second, bare\r\n"
                              "bob:" S3 ":3",
                              7);

        check_name(kr, S1, "alice");
        check_name(kr, S2, "key-2");
        check_name(kr, S3, "bob");
        check_name(kr, "aaaaaaaaaaaaaaaaaaa", NULL); /* one short */
        check_name(kr, S1 "a", NULL);                /* one long */
        check_name(kr, "", NULL);
        check_name(kr, "alice:" S1, NULL);
        api_keyring_free(kr);

        kr = ring("alice:" S1 "," S2 ", bob:" S3 ":1", 1);
        check_name(kr, S2, "key-2");
        check_name(kr, S3, "bob");
        api_keyring_free(kr);
}

static void parse_bad(const char *text, const char *want)
{
        ApiKeys *keys = NULL;
        AirlockError err = {0};

        cr_assert_lt(api_keys_parse(text, 1, &keys, &err), 0, "%s", text);
        cr_assert(strstr(err.message, want), "%s: '%s' lacks '%s'", text, err.message, want);
        /* The secret is never in the message. */
        cr_assert_null(strstr(err.message, "aaaaaaaa"));
}

Test(api_keys, parse_errors)
{
        parse_bad("short", "entry 1: the secret must be 16 to 128 characters");
        parse_bad("a:" S1 ":2:3", "expected NAME:SECRET[:MAX] or SECRET");
        parse_bad("a b:" S1, "the name may hold only");
        parse_bad(":" S1, "the name must be 1 to 64");
        parse_bad("a:" S1 ":x", "MAX_CONCURRENT must be a whole number");
        parse_bad("a:" S1 ":0", "MAX_CONCURRENT must be 1 or more");
        parse_bad("a:" S1 "\nb:" S1, "entry 2: the same secret");
        parse_bad("a:" S1 "\na:" S2, "entry 2: the name a is taken");
        parse_bad("a:aaaaaaaaaaaaaaaa\x01"
                  "aaaa",
                  "printable");
}

Test(api_keys, empty_text_is_no_keys)
{
        ApiKeys *keys = NULL;
        AirlockError err = {0};

        cr_assert_eq(api_keys_parse("# nothing\n\n", 1, &keys, &err), 0);
        cr_assert_eq(api_keys_count(keys), 0);
        api_keys_free(keys);
}

Test(api_keys, concurrency_per_key_survives_reload)
{
        ApiKeyring *kr = ring("alice:" S1 ":2\nbob:" S2, 1);
        ApiKeys *keys = NULL;
        AirlockError err = {0};

        cr_assert(api_keyring_enabled(kr));
        cr_assert_eq(api_keyring_acquire(kr, "alice"), 0);
        cr_assert_eq(api_keyring_acquire(kr, "alice"), 0);
        cr_assert_eq(api_keyring_acquire(kr, "alice"), -EBUSY);
        cr_assert_eq(api_keyring_acquire(kr, "bob"), 0);
        cr_assert_eq(api_keyring_acquire(kr, "bob"), -EBUSY);
        cr_assert_eq(api_keyring_acquire(kr, "nobody"), -EACCES);

        /* A reload keeps what is in flight: alice still has 2. */
        cr_assert_eq(api_keys_parse("alice:" S3 ":2", 1, &keys, &err), 0);
        api_keyring_set(kr, keys);
        check_name(kr, S1, NULL);
        check_name(kr, S3, "alice");
        cr_assert_eq(api_keyring_acquire(kr, "alice"), -EBUSY);
        api_keyring_release(kr, "alice");
        cr_assert_eq(api_keyring_acquire(kr, "alice"), 0);
        cr_assert_eq(api_keyring_acquire(kr, "bob"), -EACCES); /* withdrawn */
        api_keyring_release(kr, "bob");
        api_keyring_release(kr, "alice");
        api_keyring_release(kr, "alice");

        api_keyring_set(kr, NULL);
        cr_assert_not(api_keyring_enabled(kr));
        check_name(kr, S3, NULL);
        api_keyring_free(kr);
}
