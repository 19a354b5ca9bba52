/* What `airlock check --json` prints: the host probe (sandbox/probe.h) as one JSON object.
 *
 * {
 *   "kernel": "6.1.0-18-amd64",       uname release
 *   "euid": int,
 *   "rootless": bool,                 euid != 0
 *   "user_namespaces": {"available": bool, "detail": string},
 *   "cgroup": {"version": "v1" | "v2" | "none",   the hierarchy airlock would use
 *              "v1_controllers": [string],        of memory, pids, cpu, cpuacct, freezer
 *              "v2_controllers": [string],        the unified root's cgroup.controllers
 *              "usable": bool,                    required controllers there and writable
 *              "detail": string},
 *   "seccomp": {"available": bool, "user_notification": bool, "log_action": bool,
 *               "libseccomp": "2.5.4", "detail": string},
 *   "landlock": {"abi": int (0: none), "detail": string},
 *   "openat2": bool, "pidfd": bool, "clone3": bool, "close_range": bool,
 *   "can_run": bool,
 *   "reasons": [string],              why airlock cannot run; empty when it can
 *   "warnings": [string]              missing features that are not (yet) required
 * }
 *
 * Keys appear in this order. */
#pragma once

#include <jansson.h>
#include <stdio.h>

#include "sandbox/probe.h"

/* A new reference, or NULL when out of memory. */
json_t *probe_to_json(const HostFeatures *f);

/* One object, 2-space indent, then a newline; flushes f. 0 or -errno. */
int probe_write_json(const HostFeatures *f, FILE *out);
