/* api/probe-json: every documented key, with the right type, from made-up facts. */
#include <criterion/criterion.h>
#include <string.h>

#include "api/probe-json.h"

static void features(HostFeatures *f)
{
        memset(f, 0, sizeof(*f));
        snprintf(f->kernel, sizeof(f->kernel), "6.1.0-test");
        f->euid = 65534;
        f->rootless = true;
        f->userns = true;
        snprintf(f->userns_detail, sizeof(f->userns_detail), "max_user_namespaces=1000");
        f->cgroup_version = CGROUP_VERSION_V1;
        f->cgroup_v1_controllers = PROBE_CG_MEMORY | PROBE_CG_PIDS | PROBE_CG_CPU;
        f->cgroup_v2_controllers = PROBE_CG_HUGETLB;
        snprintf(f->cgroup_detail, sizeof(f->cgroup_detail), "memory/airlock/user-65534: ENOENT");
        f->seccomp = f->seccomp_log = true;
        snprintf(f->libseccomp, sizeof(f->libseccomp), "2.5.4");
        f->landlock_abi = 3;
        f->openat2 = f->pidfd = true;
        probe_host_decide(f);
}

static json_t *get(json_t *o, const char *key, int type)
{
        json_t *v = json_object_get(o, key);

        cr_assert(v, "missing key %s", key);
        cr_assert_eq(json_typeof(v), type, "key %s has type %d", key, json_typeof(v));
        return v;
}

#define BOOL_TYPE(b) ((b) ? JSON_TRUE : JSON_FALSE)

Test(probe_json, every_key)
{
        HostFeatures f;
        json_t *j, *o, *a;

        features(&f);
        j = probe_to_json(&f);
        cr_assert(j);
        cr_expect_str_eq(json_string_value(get(j, "kernel", JSON_STRING)), "6.1.0-test");
        cr_expect_eq(json_integer_value(get(j, "euid", JSON_INTEGER)), 65534);
        get(j, "rootless", JSON_TRUE);

        o = get(j, "user_namespaces", JSON_OBJECT);
        get(o, "available", JSON_TRUE);
        get(o, "detail", JSON_STRING);

        o = get(j, "cgroup", JSON_OBJECT);
        cr_expect_str_eq(json_string_value(get(o, "version", JSON_STRING)), "v1");
        a = get(o, "v1_controllers", JSON_ARRAY);
        cr_assert_eq(json_array_size(a), 3);
        cr_expect_str_eq(json_string_value(json_array_get(a, 0)), "cpu");
        cr_expect_str_eq(json_string_value(json_array_get(a, 1)), "memory");
        cr_expect_str_eq(json_string_value(json_array_get(a, 2)), "pids");
        a = get(o, "v2_controllers", JSON_ARRAY);
        cr_assert_eq(json_array_size(a), 1);
        cr_expect_str_eq(json_string_value(json_array_get(a, 0)), "hugetlb");
        get(o, "usable", JSON_FALSE);
        get(o, "detail", JSON_STRING);

        o = get(j, "seccomp", JSON_OBJECT);
        get(o, "available", JSON_TRUE);
        get(o, "user_notification", JSON_FALSE);
        get(o, "log_action", JSON_TRUE);
        cr_expect_str_eq(json_string_value(get(o, "libseccomp", JSON_STRING)), "2.5.4");

        o = get(j, "landlock", JSON_OBJECT);
        cr_expect_eq(json_integer_value(get(o, "abi", JSON_INTEGER)), 3);

        get(j, "openat2", JSON_TRUE);
        get(j, "pidfd", JSON_TRUE);
        get(j, "clone3", JSON_FALSE);
        get(j, "close_range", JSON_FALSE);
        get(j, "can_run", BOOL_TYPE(f.can_run));
        cr_expect_not(f.can_run); /* the cgroup is not usable */
        a = get(j, "reasons", JSON_ARRAY);
        cr_assert_eq(json_array_size(a), f.n_reasons);
        cr_expect(strstr(json_string_value(json_array_get(a, 0)), "user-65534"));
        a = get(j, "warnings", JSON_ARRAY);
        cr_expect_eq(json_array_size(a), f.n_warnings);
        json_decref(j);
}

Test(probe_json, can_run_with_empty_lists)
{
        HostFeatures f;
        json_t *j;

        features(&f);
        f.cgroup_usable = true;
        f.clone3 = f.close_range = true;
        f.cgroup_v1_controllers = 0;
        probe_host_decide(&f);
        j = probe_to_json(&f);
        cr_assert(j);
        get(j, "can_run", JSON_TRUE);
        cr_expect_eq(json_array_size(get(j, "reasons", JSON_ARRAY)), 0);
        cr_expect_eq(json_array_size(get(j, "warnings", JSON_ARRAY)), 0);
        cr_expect_eq(
            json_array_size(get(json_object_get(j, "cgroup"), "v1_controllers", JSON_ARRAY)), 0);
        json_decref(j);
}
