#pragma once

#include "config/config.h"

/* The program's whole environment: PATH, LANG, HOME, TMPDIR, USER, then the caller's --env
 * entries (which may override those). Nothing of airlock's own environment is copied. */
int environ_build(const AirlockConfig *c, char ***ret);
void environ_free(char **envp);

/* A deep copy of a NULL-terminated string vector (freed with environ_free). */
char **strv_copy(char *const *v);
