/* The built-in tables, visible to the other profiles and to the unit tests. */
#pragma once

#include "seccomp-internal.h"

extern const SeccompAllowRow seccomp_default_allow[];
extern const size_t seccomp_default_n_allow;
extern const SeccompDenyRow seccomp_default_deny[];
extern const size_t seccomp_default_n_deny;

extern const SeccompArgFilter seccomp_filter_clone;
extern const SeccompArgFilter seccomp_filter_socket;
extern const SeccompArgFilter seccomp_filter_socketpair;
extern const SeccompArgFilter seccomp_filter_ioctl;
extern const SeccompArgFilter seccomp_filter_personality;
extern const SeccompArgFilter seccomp_filter_mknod;
extern const SeccompArgFilter seccomp_filter_mknodat;

extern const SeccompArgFilter seccomp_filter_strict_clone;
extern const SeccompArgFilter seccomp_filter_strict_socket;
