#pragma once

#include "context.h"

/* The Landlock ABI this kernel offers (0 when it has none). */
int landlock_probe_abi(void);

/* Restricts the program to the sandbox's layout, as a layer independent of the mount
 * namespace: read and execute on the system tree, read on /etc and /proc, read and write (and
 * execute, for compilers' output) on /work, /tmp and /dev/shm, nothing else: a bound path
 * gets the rights of the place it is bound to. From ABI 4, no TCP bind or connect; from ABI 6,
 * signals and abstract unix sockets stay inside the sandbox. Needs no_new_privs. */
int landlock_apply(SandboxContext *ctx, AirlockError *err);

/* For processes of airlock's own that need no filesystem and no TCP after they start (the
 * server's front end): everything the ABI (> 0) can forbid, forbidden. Needs no_new_privs. */
int landlock_restrict_all(int abi, AirlockError *err);
