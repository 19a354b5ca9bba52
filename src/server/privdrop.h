/* What the front end gives up before it reads a byte from the network, in this order: other
 * groups and root (when run as root: setresgid/setresuid to the service user), the capability
 * bounding set, the ability to gain privileges (no_new_privs) or be inspected (not dumpable),
 * the filesystem and TCP (Landlock, everything handled, nothing allowed), and the system calls
 * only an attacker would need (privdrop-seccomp.c). Fails closed: any step that fails stops
 * the front end from starting. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "basic/error.h"

typedef struct PrivdropTarget {
        uid_t uid; /* used only when running as root */
        gid_t gid;
        bool allow_no_landlock; /* asked for by name; otherwise no Landlock stops the start */
} PrivdropTarget;

/* Resolves name (a user name or a number) before the fork, while /etc/passwd is readable. */
int privdrop_resolve_user(const char *name, PrivdropTarget *ret, AirlockError *err);

int privdrop_apply(const PrivdropTarget *t, AirlockError *err);

/* The front end's seccomp filter alone (privdrop_apply installs it); for tests. */
int privdrop_seccomp_install(AirlockError *err);
