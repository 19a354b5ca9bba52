/* The error a user sees: which step failed, why, and the errno behind it.
 * Fixed size and pointer-free, so the sandbox child can send it to the parent as plain bytes. */
#pragma once

#include <stddef.h>

#include "macros.h"

typedef enum AirlockErrorKind {
        AIRLOCK_ERR_NONE = 0,
        AIRLOCK_ERR_USAGE,    /* the caller asked for something invalid; nothing ran */
        AIRLOCK_ERR_SETUP,    /* an isolation step failed; the command did not run */
        AIRLOCK_ERR_INTERNAL, /* airlock itself failed after the command started */
} AirlockErrorKind;

typedef struct AirlockError {
        int kind;   /* AirlockErrorKind */
        int errnum; /* positive errno, 0 when there is none */
        char step[64];
        char message[320];
} AirlockError;

/* Records the error (first one wins: the root cause, not its echoes) and returns -errnum, or
 * -EINVAL when errnum is 0. err may be NULL. */
int airlock_error_set(AirlockError *err, AirlockErrorKind kind, int errnum, const char *step,
                      const char *fmt, ...) _printf_(5, 6);

/* "step: message: strerror" (parts that are empty are left out). */
void airlock_error_format(const AirlockError *err, char *buf, size_t size);

const char *airlock_error_kind_to_string(AirlockErrorKind kind);
