#pragma once

#include "context.h"

/* cgroup v1: pid 1 moves itself into the run's cgroup by writing "0" to each hierarchy's
 * "tasks" (fds the parent opened), which is far cheaper than being moved (cgroup.h). On v2 it
 * was born there. */
int creds_join_cgroup(SandboxContext *ctx, AirlockError *err);

/* Once in the run's cgroup: make it our cgroup namespace's root. */
int creds_enter_cgroup_namespace(SandboxContext *ctx, AirlockError *err);

/* While building the root, files we create belong to the sandbox user (uid 0 is not mapped in
 * the namespace, and tmpfs refuses owners it cannot represent). Capabilities are kept. */
int creds_become_setup_user(SandboxContext *ctx, AirlockError *err);

/* The kernel clears the parent-death signal whenever a process's credentials change, so pid 1
 * sets it again after each change, then checks that airlock did not die in between (EOF on
 * the sync socket). Exits if it did. */
void creds_rearm_parent_death(SandboxContext *ctx);

/* setresgid, setgroups, setresuid: the program runs as the sandbox user, for good. */
int creds_drop_to_sandbox_user(SandboxContext *ctx, AirlockError *err);
