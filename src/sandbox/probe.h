/* What this host's kernel offers and whether airlock can run here as this user: the facts behind
 * `airlock check`. Probing only looks and tries harmless calls; it changes nothing on the host.
 * Renderings (text, JSON) live in cli/ and api/. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "cgroup/cgroup.h"

#define PROBE_DETAIL_MAX 192
#define PROBE_NOTES_MAX  8

/* cgroup controllers airlock knows by name, as bits of a mask. */
typedef enum ProbeController {
        PROBE_CG_CPU = 1u << 0,
        PROBE_CG_CPUACCT = 1u << 1,
        PROBE_CG_CPUSET = 1u << 2,
        PROBE_CG_IO = 1u << 3,
        PROBE_CG_MEMORY = 1u << 4,
        PROBE_CG_HUGETLB = 1u << 5,
        PROBE_CG_PIDS = 1u << 6,
        PROBE_CG_RDMA = 1u << 7,
        PROBE_CG_MISC = 1u << 8,
        PROBE_CG_FREEZER = 1u << 9,
        _PROBE_CG_COUNT = 10,
} ProbeController;

/* The limits airlock enforces need these three in whichever hierarchy it uses. */
#define PROBE_CG_REQUIRED (PROBE_CG_MEMORY | PROBE_CG_PIDS | PROBE_CG_CPU)
/* The v1 controllers worth reporting: the required ones, CPU accounting and the freezer (kill). */
#define PROBE_CG_V1_REPORTED (PROBE_CG_REQUIRED | PROBE_CG_CPUACCT | PROBE_CG_FREEZER)

typedef struct HostFeatures {
        char kernel[65]; /* uname release */
        uid_t euid;
        bool rootless; /* euid != 0 */

        bool userns; /* a child could unshare user+pid+mount+net+ipc+uts+cgroup namespaces */
        char userns_detail[PROBE_DETAIL_MAX];
        long max_user_namespaces;      /* -1: no such sysctl */
        int unprivileged_userns_clone; /* Debian's kernel.unprivileged_userns_clone, -1: absent */
        int apparmor_restrict_userns;  /* Ubuntu's apparmor_restrict_unprivileged_userns, -1 */

        CgroupVersion cgroup_version;   /* the hierarchy airlock would use */
        unsigned cgroup_v1_controllers; /* PROBE_CG_V1_REPORTED bits mounted as v1 */
        unsigned cgroup_v2_controllers; /* cgroup.controllers of the unified hierarchy's root */
        bool cgroup_v2_mounted;
        bool cgroup_usable; /* required controllers there, and this user may create groups */
        char cgroup_detail[PROBE_DETAIL_MAX];

        bool seccomp; /* filters can be installed */
        bool seccomp_user_notif;
        bool seccomp_log; /* SECCOMP_RET_LOG */
        char seccomp_detail[PROBE_DETAIL_MAX];
        char libseccomp[32]; /* "2.5.4" */

        int landlock_abi; /* 0: none */
        char landlock_detail[PROBE_DETAIL_MAX];

        bool openat2;
        bool pidfd;
        bool clone3;
        bool close_range;

        bool can_run;
        char reasons[PROBE_NOTES_MAX][PROBE_DETAIL_MAX]; /* why not, when can_run is false */
        size_t n_reasons;
        char warnings[PROBE_NOTES_MAX][PROBE_DETAIL_MAX]; /* missing but not (yet) required */
        size_t n_warnings;
} HostFeatures;

/* Probes everything and decides can_run. Probing failures are facts, not errors: the only
 * possible failure is running out of resources (negative errno). Forks one short-lived child. */
int probe_host(HostFeatures *ret);

/* Fills can_run, reasons and warnings from the facts already in f (probe_host calls it; tests
 * call it on made-up facts). */
void probe_host_decide(HostFeatures *f);

/* Reads /proc/self/mountinfo lines from f: which PROBE_CG_V1_REPORTED controllers have a v1
 * mount, and where the first cgroup2 mount is (malloc'd; NULL when there is none). */
int probe_parse_mountinfo(FILE *f, unsigned *ret_v1, char **ret_v2_mount);

/* "cpuset cpu io memory pids\n" -> mask; names airlock does not know are skipped. */
unsigned probe_parse_controllers(const char *list);

/* Name of one ProbeController bit ("memory"), NULL for anything else. */
const char *probe_controller_to_string(unsigned bit);
