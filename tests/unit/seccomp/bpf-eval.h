/* A classic-BPF interpreter for seccomp programs, so that the tests can ask a compiled filter
 * what it answers without loading it into any process. */
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

/* Runs prog on d as the kernel's seccomp would: writes the SECCOMP_RET_* value and returns 0,
 * or returns -EINVAL for a program the kernel would refuse (a jump or load out of bounds, an
 * instruction seccomp does not allow, falling off the end). */
int bpf_eval(const struct sock_filter *prog, size_t len, const struct seccomp_data *d,
             uint32_t *ret);

/* The number of instructions run by the last bpf_eval (for the tests' curiosity). */
extern size_t bpf_eval_steps;
