#include "probe-json.h"

#include "basic/macros.h"

static json_t *controllers_to_json(unsigned mask)
{
        json_t *a = json_array();

        if (!a)
                return NULL;
        for (unsigned i = 0; i < _PROBE_CG_COUNT; i++) {
                const char *name = probe_controller_to_string(1u << i);

                if (mask & (1u << i) && json_array_append_new(a, json_string(name)) < 0) {
                        json_decref(a);
                        return NULL;
                }
        }
        return a;
}

static json_t *notes_to_json(const char (*notes)[PROBE_DETAIL_MAX], size_t n)
{
        json_t *a = json_array();

        if (!a)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (json_array_append_new(a, json_string(notes[i])) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

/* json_pack steals "o" references even when it fails, and fails on a NULL one: out of memory
 * anywhere gives NULL without leaks. The layout mirrors the schema in probe-json.h, hence no
 * clang-format here. */
json_t *probe_to_json(const HostFeatures *f)
{
        // clang-format off
        return json_pack(
                "{s:s, s:I, s:b, s:{s:b, s:s}, s:{s:s, s:o, s:o, s:b, s:s},"
                " s:{s:b, s:b, s:b, s:s, s:s}, s:{s:i, s:s},"
                " s:b, s:b, s:b, s:b, s:b, s:o, s:o}",
                "kernel", f->kernel,
                "euid", (json_int_t)f->euid,
                "rootless", f->rootless,
                "user_namespaces",
                        "available", f->userns,
                        "detail", f->userns_detail,
                "cgroup",
                        "version", cgroup_version_to_string(f->cgroup_version),
                        "v1_controllers", controllers_to_json(f->cgroup_v1_controllers),
                        "v2_controllers", controllers_to_json(f->cgroup_v2_controllers),
                        "usable", f->cgroup_usable,
                        "detail", f->cgroup_detail,
                "seccomp",
                        "available", f->seccomp,
                        "user_notification", f->seccomp_user_notif,
                        "log_action", f->seccomp_log,
                        "libseccomp", f->libseccomp,
                        "detail", f->seccomp_detail,
                "landlock",
                        "abi", f->landlock_abi,
                        "detail", f->landlock_detail,
                "openat2", f->openat2,
                "pidfd", f->pidfd,
                "clone3", f->clone3,
                "close_range", f->close_range,
                "can_run", f->can_run,
                "reasons", notes_to_json(f->reasons, f->n_reasons),
                "warnings", notes_to_json(f->warnings, f->n_warnings));
        // clang-format on
}

int probe_write_json(const HostFeatures *f, FILE *out)
{
        _cleanup_(json_decrefp) json_t *j = probe_to_json(f);

        if (!j)
                return -ENOMEM;
        if (json_dumpf(j, out, JSON_INDENT(2)) < 0 || fputc('\n', out) == EOF || fflush(out) != 0)
                return errno > 0 ? -errno : -EIO;
        return 0;
}
