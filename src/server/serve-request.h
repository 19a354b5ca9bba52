/* One run as the service asks for it: what the HTTP front end parsed out of a request body,
 * carried to the launcher as typed, length-checked binary (never raw JSON), and turned there
 * into an AirlockConfig. The front end and the launcher both validate; the launcher's check is
 * the one that counts, since the front end parses network input and is assumed compromised.
 *
 * Encoding (serve-request-codec.c): a magic and version, then fields, each
 * [u16 tag][u32 length][bytes], little endian; strings are not NUL-terminated on the wire and
 * must not contain NUL. Unknown tags, repeated singletons, lengths past the end, counts over
 * the caps below: all rejected. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/error.h"
#include "config/config.h"
#include "config/limits.h"

#define SERVE_MAX_FILES         256
#define SERVE_MAX_ARGV          AIRLOCK_MAX_ARGS
#define SERVE_MAX_STRING        (64 * 1024) /* argv items, env entries, paths, globs */
#define SERVE_MAX_LANGUAGE      32
#define SERVE_MAX_REQUEST_BYTES (256ULL * 1024 * 1024) /* the encoded form, hard ceiling */

typedef struct ServeFile {
        char *path; /* relative, normalised, inside the work directory */
        uint8_t *data;
        size_t len;
        bool executable; /* 0755 rather than 0644 */
} ServeFile;

/* Which limits the request set; the rest come from the server's defaults. */
typedef enum ServeLimitBit {
        SERVE_LIMIT_MEMORY = 1u << 0,
        SERVE_LIMIT_WALL = 1u << 1,
        SERVE_LIMIT_CPU = 1u << 2,
        SERVE_LIMIT_PIDS = 1u << 3,
        SERVE_LIMIT_CPUS = 1u << 4,
        SERVE_LIMIT_STDOUT = 1u << 5,
        SERVE_LIMIT_STDERR = 1u << 6,
        SERVE_LIMIT_SCRATCH = 1u << 7,
        SERVE_LIMIT_TMP = 1u << 8,
        SERVE_LIMIT_NOFILE = 1u << 9,
        SERVE_LIMIT_FSIZE = 1u << 10,
        SERVE_LIMIT_NET_CONNS = 1u << 11,
        SERVE_LIMIT_NET_BYTES = 1u << 12,
} ServeLimitBit;

typedef struct ServeRequest {
        char **argv; /* NULL-terminated; empty (NULL) when language is set */
        size_t n_argv;
        char *language; /* a runtime id ("python", "c", ...) or NULL */
        uint8_t *code;  /* with language: the program's source */
        size_t code_len;
        ServeFile *files;
        size_t n_files;
        uint8_t *stdin_data;
        size_t stdin_len;
        bool has_stdin;
        char **env; /* "K=V" */
        size_t n_env;
        char **collect; /* globs */
        size_t n_collect;
        char **allow_net;
        size_t n_allow_net;
        uint32_t limits_set; /* ServeLimitBit */
        AirlockLimits limits;
        bool stream; /* the client asked for Server-Sent Events */
} ServeRequest;

void serve_request_init(ServeRequest *r);
void serve_request_done(ServeRequest *r);

/* Appenders that copy; each returns 0 or -ENOMEM/-E2BIG (over a cap above). */
int serve_request_add_argv(ServeRequest *r, const char *arg);
int serve_request_add_env(ServeRequest *r, const char *kv);
int serve_request_add_collect(ServeRequest *r, const char *glob);
int serve_request_add_allow_net(ServeRequest *r, const char *spec);
int serve_request_add_file(ServeRequest *r, const char *path, const uint8_t *data, size_t len,
                           bool executable);

/* A newly allocated buffer holding the encoding. 0 or -ENOMEM/-E2BIG. */
int serve_request_encode(const ServeRequest *r, uint8_t **ret_buf, size_t *ret_len);

/* Parses buf (which the caller owns and may free afterwards) into a fresh request. Errors are
 * AIRLOCK_ERR_USAGE with a message naming the field. Fuzzed. */
int serve_request_decode(const uint8_t *buf, size_t len, ServeRequest *ret, AirlockError *err);
