#pragma once

#include "context.h"

/* Empties the bounding, ambient, inheritable, permitted and effective sets and locks the
 * securebits, so no exec can ever regain a capability. ctx and err may be NULL. */
int caps_drop_all(SandboxContext *ctx, AirlockError *err);

/* PR_SET_NO_NEW_PRIVS: setuid bits and file capabilities mean nothing from here on. */
int caps_set_no_new_privs(SandboxContext *ctx, AirlockError *err);
