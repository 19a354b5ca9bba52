/* sandbox/probe: the live probe on this host, the mountinfo/controllers parsers on made-up
 * input, and the verdict on made-up facts. */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "basic/macros.h"
#include "sandbox/probe.h"

Test(probe, host_is_sane)
{
        HostFeatures f;

        cr_assert_eq(probe_host(&f), 0);
        cr_expect_neq(f.kernel[0], '\0');
        cr_expect_eq(f.euid, geteuid());
        cr_expect_eq(f.rootless, geteuid() != 0);
        /* This project's development and CI kernels are 5.13+ with Landlock enabled. */
        cr_expect_geq(f.landlock_abi, 1, "landlock: %s", f.landlock_detail);
        cr_expect(f.openat2);
        cr_expect(f.pidfd);
        cr_expect(f.clone3);
        cr_expect(f.close_range);
        cr_expect(f.seccomp, "seccomp: %s", f.seccomp_detail);
        cr_expect_neq(f.libseccomp[0], '\0');
        cr_expect_neq(f.cgroup_detail[0], '\0');
        if (geteuid() == 0)
                cr_expect(f.userns, "userns: %s", f.userns_detail);
        cr_expect_eq(f.can_run, f.n_reasons == 0);
        if (!f.userns)
                cr_expect_neq(f.userns_detail[0], '\0');
}

Test(probe, mountinfo)
{
        static const char text[] =
            "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
            "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw shared:5 - cgroup cgroup rw,cpu,cpuacct\n"
            "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
            "36 31 0:33 / /sys/fs/cgroup/devices rw - cgroup cgroup rw,devices\n"
            "40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n"
            "41 31 0:38 / /sys/fs/cgroup/uni\\040fied rw,relatime shared:1 shared:2 - "
            "cgroup2 cgroup2 rw,nsdelegate\n"
            "42 31 0:39 / /other rw - cgroup2 cgroup2 rw\n"
            "garbage line\n";
        _cleanup_fclose_ FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
        _cleanup_free_ char *v2 = NULL;
        unsigned v1 = 0;

        cr_assert(f);
        cr_assert_eq(probe_parse_mountinfo(f, &v1, &v2), 0);
        cr_expect_eq(v1, PROBE_CG_CPU | PROBE_CG_CPUACCT | PROBE_CG_MEMORY);
        cr_assert(v2);
        cr_expect_str_eq(v2, "/sys/fs/cgroup/uni fied");
}

Test(probe, mountinfo_without_cgroups)
{
        static const char text[] = "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n";
        _cleanup_fclose_ FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
        char *v2 = (char *)"untouched";
        unsigned v1 = 42;

        cr_assert_eq(probe_parse_mountinfo(f, &v1, &v2), 0);
        cr_expect_eq(v1, 0);
        cr_expect_null(v2);
}

Test(probe, controllers)
{
        cr_expect_eq(probe_parse_controllers("cpuset cpu io memory hugetlb pids rdma misc\n"),
                     PROBE_CG_CPUSET | PROBE_CG_CPU | PROBE_CG_IO | PROBE_CG_MEMORY |
                         PROBE_CG_HUGETLB | PROBE_CG_PIDS | PROBE_CG_RDMA | PROBE_CG_MISC);
        cr_expect_eq(probe_parse_controllers(""), 0);
        cr_expect_eq(probe_parse_controllers("  cpux memoryy pids "), PROBE_CG_PIDS);
        cr_expect_str_eq(probe_controller_to_string(PROBE_CG_MEMORY), "memory");
        cr_expect_str_eq(probe_controller_to_string(PROBE_CG_FREEZER), "freezer");
        cr_expect_null(probe_controller_to_string(0));
        cr_expect_null(probe_controller_to_string(PROBE_CG_CPU | PROBE_CG_PIDS));
}

static void all_good(HostFeatures *f)
{
        memset(f, 0, sizeof(*f));
        f->userns = f->cgroup_usable = f->seccomp = f->openat2 = true;
        f->pidfd = f->clone3 = f->close_range = true;
        f->cgroup_version = CGROUP_VERSION_V2;
        f->landlock_abi = 7;
}

Test(probe, decide_can_run)
{
        HostFeatures f;

        all_good(&f);
        probe_host_decide(&f);
        cr_expect(f.can_run);
        cr_expect_eq(f.n_reasons, 0);
        cr_expect_eq(f.n_warnings, 0);
}

Test(probe, decide_reasons)
{
        HostFeatures f;

        all_good(&f);
        f.userns = false;
        snprintf(f.userns_detail, sizeof(f.userns_detail), "unshare: Operation not permitted");
        f.cgroup_usable = false;
        f.rootless = true;
        f.cgroup_version = CGROUP_VERSION_V1;
        snprintf(f.cgroup_detail, sizeof(f.cgroup_detail), "memory/airlock/user-65534: gone");
        f.openat2 = false;
        probe_host_decide(&f);
        cr_expect_not(f.can_run);
        cr_assert_eq(f.n_reasons, 3);
        cr_expect(strstr(f.reasons[0], "unshare: Operation not permitted"));
        cr_expect(strstr(f.reasons[1], "user-65534"));
        cr_expect(strstr(f.reasons[1], "airlock delegate"));
        cr_expect(strstr(f.reasons[2], "openat2"));
}

Test(probe, decide_landlock_is_a_warning)
{
        HostFeatures f;

        all_good(&f);
        f.landlock_abi = 0;
        f.seccomp = false;
        probe_host_decide(&f);
        cr_expect_not(f.can_run);
        cr_expect_eq(f.n_reasons, 1);
        cr_expect(strstr(f.reasons[0], "seccomp"));
        cr_assert_eq(f.n_warnings, 1);
        cr_expect(strstr(f.warnings[0], "Landlock"));
}
