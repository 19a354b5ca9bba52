/* The seccomp policy: which syscalls the sandboxed program may make, as data (built-in profiles
 * or a policy file), and its compilation to a classic BPF program that the sandbox child installs
 * as its last step before exec. docs/SECCOMP.md describes the default policy and the file format.
 *
 * Compile in the parent (libseccomp allocates); install in the child (one raw syscall, nothing
 * allocated). x86_64 only: any other architecture, i386 through int 0x80 included, kills the
 * process, and x32 syscall numbers (__X32_SYSCALL_BIT) do too. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "basic/error.h"

struct sock_filter;

/* Bounds on a policy file. They belong in config/limits.h with the other caps; they live here
 * until the lead moves them, since this module may not edit that file yet. */
#define SECCOMP_POLICY_FILE_MAX  (256 * 1024) /* bytes */
#define SECCOMP_POLICY_RULES_MAX 4096
#define SECCOMP_POLICY_LINE_MAX  1024 /* bytes, without the newline */

/* Syscall numbers the policy can name: x86_64 stops below 500 today. Numbers at or above this,
 * and numbers libseccomp does not know, take the filter's default action (ENOSYS). */
#define SECCOMP_POLICY_NR_MAX 1024

typedef struct SeccompPolicy SeccompPolicy;

/* Which syscalls a program hands to the audit supervisor (seccomp-watch.c): none (the filter
 * answers everything itself), what the built-in alert rules need (exec and connect: their
 * credential rules are watched through canary files, docs/EVENTS.md), that plus every open (for
 * a rules file's path rules), or everything worth describing. In the watching modes every denial
 * notifies too, and the supervisor answers it with the errno seccomp_policy_answer() gives. */
typedef enum SeccompWatch {
        SECCOMP_WATCH_NONE = 0,
        SECCOMP_WATCH_ALERTS,
        SECCOMP_WATCH_OPENS,
        SECCOMP_WATCH_FULL,
} SeccompWatch;

typedef struct SeccompProgram {
        struct sock_filter *filter;
        unsigned short len; /* instructions */
        unsigned int flags; /* for seccomp(SECCOMP_SET_MODE_FILTER): SECCOMP_FILTER_FLAG_LOG
                             * when compiled with log_denials, since that is a property of the
                             * load, not of the BPF; SECCOMP_FILTER_FLAG_NEW_LISTENER when it
                             * watches (the install returns the listener fd) */
} SeccompProgram;

/* "default", "strict" or the path of a policy file. Errors in the file are AIRLOCK_ERR_USAGE
 * with "path:line: what" as the message. */
int seccomp_policy_load_profile(const char *name_or_path, SeccompPolicy **ret, AirlockError *err);

/* Builds the BPF program (AIRLOCK_ERR_SETUP on failure). With log_denials, every denial (and the
 * kill of a foreign architecture, which is always logged) becomes an audit record of type 1326
 * (AUDIT_SECCOMP) in the host's audit log, or in dmesg where no audit daemon runs. */
int seccomp_policy_compile(const SeccompPolicy *p, bool log_denials, SeccompProgram *ret,
                           AirlockError *err);

/* The same, with the syscalls of watch (and every denial) as SECCOMP_RET_USER_NOTIF; with
 * SECCOMP_WATCH_NONE exactly seccomp_policy_compile(). Built-in profiles come from build time
 * in every mode. */
int seccomp_policy_compile_watched(const SeccompPolicy *p, bool log_denials, SeccompWatch watch,
                                   SeccompProgram *ret, AirlockError *err);

/* What the policy answers for syscall nr with these arguments: 0 (allow) or a positive errno.
 * For the supervisor of a watching program, which answers every notification with it; no
 * allocation, no lookup in libseccomp's tables. */
int seccomp_policy_answer(const SeccompPolicy *p, int nr, const uint64_t args[6]);

/* The x86_64 number of a syscall name, or -ENOENT (unknown to libseccomp or not on x86_64). */
int seccomp_syscall_nr(const char *name);

/* True when watch hands the allowed syscall name to the supervisor. */
bool seccomp_watch_contains(SeccompWatch watch, const char *name);
const char *seccomp_watch_to_string(SeccompWatch watch);

/* Frees the instructions and zeroes the struct; safe on a zeroed or already-done program. */
void seccomp_program_done(SeccompProgram *p);

/* In the child, after PR_SET_NO_NEW_PRIVS: seccomp(SECCOMP_SET_MODE_FILTER). Returns 0, the
 * listener fd (O_CLOEXEC) for a watching program, or a negative errno; -EPERM when no_new_privs
 * is not set (we never rely on CAP_SYS_ADMIN to load a filter). Allocates nothing, so it is safe
 * after clone in a multithreaded parent. */
int seccomp_program_install(const SeccompProgram *p);

/* For `airlock policy show`: every syscall libseccomp knows on x86_64, its action and why. */
int seccomp_policy_print(const SeccompPolicy *p, FILE *f);

/* The name the policy was loaded by ("default", "strict" or the file's path). */
const char *seccomp_policy_name(const SeccompPolicy *p);

SeccompPolicy *seccomp_policy_free(SeccompPolicy *p);

static inline void seccomp_policy_freep(SeccompPolicy **p)
{
        seccomp_policy_free(*p);
}
#define _cleanup_seccomp_policy_ _cleanup_(seccomp_policy_freep)
