#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/result-json.h"
#include "basic/utf8.h"
#include "config/limits.h"

#define S(lit) lit, sizeof(lit) - 1

static RunResult r;

static void setup(void)
{
        run_result_init(&r);
        airlock_limits_default(&r.limits);
        r.wall_ms = 12;
        r.cpu_user_ms = 3;
        r.cpu_sys_ms = 1;
        r.memory_peak_bytes = 1258291;
        memcpy(r.cgroup_version, "v2", 3);
}

static void teardown(void)
{
        run_result_done(&r);
}

TestSuite(result_json, .init = setup, .fini = teardown);

static void capture(CapturedOutput *out, const char *data, size_t len)
{
        out->data = malloc(len + 1);
        cr_assert_not_null(out->data);
        memcpy(out->data, data, len);
        out->len = len;
        out->total = len;
}

static json_t *render(void)
{
        json_t *j = result_to_json(&r);

        cr_assert_not_null(j);
        return j;
}

static const char *str(json_t *o, const char *key)
{
        json_t *v = json_object_get(o, key);

        cr_assert(json_is_string(v), "%s is not a string", key);
        return json_string_value(v);
}

static json_int_t num(json_t *o, const char *key)
{
        json_t *v = json_object_get(o, key);

        cr_assert(json_is_integer(v), "%s is not an integer", key);
        return json_integer_value(v);
}

static bool is_null(json_t *o, const char *key)
{
        return json_is_null(json_object_get(o, key));
}

Test(result_json, ok_has_every_key_in_order)
{
        static const char *const keys[] = {
            "status",           "exit_code",        "signal",       "signal_name",
            "wall_ms",          "cpu_user_ms",      "cpu_sys_ms",   "memory_peak_bytes",
            "stdout",           "stdout_truncated", "stdout_bytes", "stderr",
            "stderr_truncated", "stderr_bytes",     "files",        "limits",
            "events",           "network",          "sandbox",      "audit",
        };
        json_t *j;
        size_t i = 0;

        r.status = RUN_OK;
        capture(&r.out, S("hello\n"));
        j = render();

        for (void *it = json_object_iter(j); it; it = json_object_iter_next(j, it)) {
                const char *key = json_object_iter_key(it);

                cr_assert_lt(i, sizeof(keys) / sizeof(keys[0]), "extra key %s", key);
                cr_assert_str_eq(key, keys[i], "key %zu is %s, wanted %s", i, key, keys[i]);
                i++;
        }
        cr_assert_eq(i, sizeof(keys) / sizeof(keys[0]));

        cr_assert_str_eq(str(j, "status"), "ok");
        cr_assert_eq(num(j, "exit_code"), 0);
        cr_assert(is_null(j, "signal"));
        cr_assert(is_null(j, "signal_name"));
        cr_assert_eq(num(j, "wall_ms"), 12);
        cr_assert_eq(num(j, "cpu_user_ms"), 3);
        cr_assert_eq(num(j, "cpu_sys_ms"), 1);
        cr_assert_eq(num(j, "memory_peak_bytes"), 1258291);
        cr_assert_str_eq(str(j, "stdout"), "hello\n");
        cr_assert(json_is_false(json_object_get(j, "stdout_truncated")));
        cr_assert_eq(num(j, "stdout_bytes"), 6);
        cr_assert_str_eq(str(j, "stderr"), "");
        cr_assert_eq(num(j, "stderr_bytes"), 0);
        cr_assert_eq(json_array_size(json_object_get(j, "files")), 0);
        cr_assert_null(json_object_get(j, "error"));
        json_decref(j);
}

Test(result_json, limits_events_sandbox)
{
        json_t *j, *l, *e, *s;
        static const char *const keys[] = {
            "memory_bytes", "wall_ms",       "cpu_ms",    "pids",   "cpus",        "stdout_bytes",
            "stderr_bytes", "scratch_bytes", "tmp_bytes", "nofile", "fsize_bytes",
        };
        size_t i = 0;

        r.status = RUN_OK;
        r.limits.cpu_milli = 1500;
        r.oom_kills = 2;
        r.pids_max_hits = 7;
        r.rootless = true;
        snprintf(r.seccomp, sizeof(r.seccomp), "default");
        r.landlock_abi = 7;
        j = render();
        l = json_object_get(j, "limits");
        for (void *it = json_object_iter(l); it; it = json_object_iter_next(l, it))
                cr_assert_str_eq(json_object_iter_key(it), keys[i++]);
        cr_assert_eq(i, sizeof(keys) / sizeof(keys[0]));
        cr_assert_eq(num(l, "memory_bytes"), 256 * MIB);
        cr_assert_eq(num(l, "wall_ms"), 5000);
        cr_assert_eq(num(l, "pids"), 64);
        cr_assert(json_is_real(json_object_get(l, "cpus")));
        cr_assert_float_eq(json_real_value(json_object_get(l, "cpus")), 1.5, 1e-9);
        cr_assert_eq(num(l, "nofile"), 256);

        e = json_object_get(j, "events");
        cr_assert_eq(num(e, "oom_kills"), 2);
        cr_assert_eq(num(e, "pids_max_hits"), 7);
        s = json_object_get(j, "sandbox");
        cr_assert_str_eq(str(s, "cgroup"), "v2");
        cr_assert(json_is_true(json_object_get(s, "rootless")));
        cr_assert_str_eq(str(s, "seccomp"), "default");
        cr_assert_eq(num(s, "landlock_abi"), 7);
        json_decref(j);

        /* Before a backend was chosen there is no version to report. */
        r.cgroup_version[0] = '\0';
        j = render();
        cr_assert(is_null(json_object_get(j, "sandbox"), "cgroup"));
        json_decref(j);
}

Test(result_json, every_status)
{
        static const struct {
                RunStatus status;
                int exit_code, sig;
                const char *name, *signame;
        } rows[] = {
            {RUN_OK, 0, 0, "ok", NULL},
            {RUN_EXIT_NONZERO, 3, 0, "exit_nonzero", NULL},
            {RUN_SIGNALED, 0, SIGSEGV, "signaled", "SIGSEGV"},
            {RUN_TIMEOUT, 0, SIGKILL, "timeout", "SIGKILL"},
            {RUN_CPU_LIMIT, 0, SIGXCPU, "cpu_limit", "SIGXCPU"},
            {RUN_MEMORY_LIMIT, 0, SIGKILL, "memory_limit", "SIGKILL"},
            /* pids_limit with a program that exited on its own */
            {RUN_PIDS_LIMIT, 1, 0, "pids_limit", NULL},
            {RUN_OUTPUT_LIMIT, 0, SIGKILL, "output_limit", "SIGKILL"},
            {RUN_SETUP_ERROR, 0, 0, "setup_error", NULL},
        };

        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                json_t *j;

                r.status = rows[i].status;
                r.exit_code = rows[i].exit_code;
                r.signal = rows[i].sig;
                j = render();
                cr_assert_str_eq(str(j, "status"), rows[i].name);
                if (rows[i].sig) {
                        cr_assert(is_null(j, "exit_code"), "%s: exit_code with a signal",
                                  rows[i].name);
                        cr_assert_eq(num(j, "signal"), rows[i].sig);
                        cr_assert_str_eq(str(j, "signal_name"), rows[i].signame);
                } else {
                        cr_assert(is_null(j, "signal"));
                        cr_assert(is_null(j, "signal_name"));
                        if (rows[i].status == RUN_SETUP_ERROR)
                                cr_assert(is_null(j, "exit_code"), "nothing ran");
                        else
                                cr_assert_eq(num(j, "exit_code"), rows[i].exit_code);
                }
                json_decref(j);
        }
}

Test(result_json, error_object_only_on_errors)
{
        json_t *j, *e;

        r.status = RUN_SETUP_ERROR;
        airlock_error_set(&r.error, AIRLOCK_ERR_SETUP, EACCES, "mount /usr read-only", NULL);
        j = render();
        e = json_object_get(j, "error");
        cr_assert(json_is_object(e));
        cr_assert_str_eq(str(e, "kind"), "setup");
        cr_assert_str_eq(str(e, "step"), "mount /usr read-only");
        cr_assert_str_eq(str(e, "message"), "");
        cr_assert_eq(num(e, "errno"), EACCES);
        cr_assert_str_eq(str(e, "errno_name"), "EACCES");
        cr_assert_str_eq(str(e, "text"), "mount /usr read-only: Permission denied");
        cr_assert(is_null(j, "exit_code"));
        json_decref(j);

        /* A usage error has no errno. */
        r.error = (AirlockError){0};
        airlock_error_set(&r.error, AIRLOCK_ERR_USAGE, 0, "--memory", "'%s' is not a size", "x");
        j = render();
        e = json_object_get(j, "error");
        cr_assert_str_eq(str(e, "kind"), "usage");
        cr_assert(is_null(e, "errno"));
        cr_assert(is_null(e, "errno_name"));
        cr_assert_str_eq(str(e, "text"), "--memory: 'x' is not a size");
        json_decref(j);

        /* No error, no key, whatever the status. */
        for (unsigned s = 0; s < _RUN_STATUS_MAX; s++) {
                r.status = s;
                r.error = (AirlockError){0};
                j = render();
                cr_assert_null(json_object_get(j, "error"), "error key with %s",
                               run_status_to_string(s));
                json_decref(j);
        }
}

Test(result_json, error_fields_are_made_valid)
{
        json_t *j, *e;

        r.status = RUN_SETUP_ERROR;
        /* A host path that is not UTF-8, and a character snprintf cut in half. */
        airlock_error_set(&r.error, AIRLOCK_ERR_USAGE, ENOENT, "--copy", "%s", "caf\xe9");
        memset(r.error.step, 'a', sizeof(r.error.step) - 2);
        r.error.step[sizeof(r.error.step) - 2] = '\xc3';
        r.error.step[sizeof(r.error.step) - 1] = '\0';
        j = render();
        e = json_object_get(j, "error");
        cr_assert_str_eq(str(e, "message"), "caf" UTF8_REPLACEMENT);
        cr_assert(utf8_is_valid(str(e, "step"), strlen(str(e, "step"))));
        cr_assert_not_null(strstr(str(e, "text"), "caf" UTF8_REPLACEMENT ": No such file"));
        json_decref(j);
}

Test(result_json, invalid_utf8_is_lossy_plus_exact_base64)
{
        json_t *j;
        size_t i = 0;
        static const char *const tail[] = {"stdout", "stdout_truncated", "stdout_bytes",
                                           "stdout_base64", "stderr"};

        r.status = RUN_OK;
        capture(&r.out, S("a\xff"
                          "b\xe2\x82"));
        capture(&r.err, S("fine"));
        j = render();
        cr_assert_str_eq(str(j, "stdout"),
                         "a" UTF8_REPLACEMENT "b" UTF8_REPLACEMENT UTF8_REPLACEMENT);
        /* printf 'a\xffb\xe2\x82' | base64 */
        cr_assert_str_eq(str(j, "stdout_base64"), "Yf9i4oI=");
        cr_assert_eq(num(j, "stdout_bytes"), 5);
        cr_assert_null(json_object_get(j, "stderr_base64"));
        cr_assert_str_eq(str(j, "stderr"), "fine");

        /* stdout_base64 comes after the keys that are always there. */
        for (void *it = json_object_iter(j); it; it = json_object_iter_next(j, it)) {
                const char *key = json_object_iter_key(it);

                if (strcmp(key, "stdout") == 0 || i > 0) {
                        cr_assert_lt(i, sizeof(tail) / sizeof(tail[0]));
                        cr_assert_str_eq(key, tail[i]);
                        if (++i == sizeof(tail) / sizeof(tail[0]))
                                break;
                }
        }
        json_decref(j);
}

Test(result_json, embedded_nul_survives)
{
        json_t *j, *s;
        char *dump;

        r.status = RUN_OK;
        capture(&r.out, S("a\0b\0"));
        j = render();
        s = json_object_get(j, "stdout");
        cr_assert_eq(json_string_length(s), 4);
        cr_assert_eq(memcmp(json_string_value(s), "a\0b\0", 4), 0);
        cr_assert_null(json_object_get(j, "stdout_base64"), "NUL is valid UTF-8");
        dump = json_dumps(j, 0);
        cr_assert_not_null(strstr(dump, "\"stdout\": \"a\\u0000b\\u0000\""));
        free(dump);
        json_decref(j);
}

Test(result_json, truncated_flags_and_totals)
{
        json_t *j;

        r.status = RUN_OUTPUT_LIMIT;
        r.signal = SIGKILL;
        capture(&r.out, S("xxxx"));
        r.out.truncated = true;
        r.out.total = 3 * MIB;
        capture(&r.err, S("e"));
        j = render();
        cr_assert(json_is_true(json_object_get(j, "stdout_truncated")));
        cr_assert_eq(num(j, "stdout_bytes"), 3 * MIB);
        cr_assert_str_eq(str(j, "stdout"), "xxxx");
        cr_assert(json_is_false(json_object_get(j, "stderr_truncated")));
        cr_assert_eq(num(j, "stderr_bytes"), 1);
        json_decref(j);
}

Test(result_json, files)
{
        json_t *j, *a, *f;

        r.status = RUN_OK;
        r.files = calloc(3, sizeof(CollectedFile));
        r.n_files = 3;
        r.files[0].path = strdup("out/result.txt");
        r.files[0].size = 42;
        r.files[1].path = strdup("core");
        r.files[1].skipped = strdup("too large");
        r.files[2].path = strdup("bad\xff");
        r.files[2].size = 1;
        j = render();
        a = json_object_get(j, "files");
        cr_assert_eq(json_array_size(a), 3);

        f = json_array_get(a, 0);
        cr_assert_str_eq(str(f, "path"), "out/result.txt");
        cr_assert_eq(num(f, "size"), 42);
        cr_assert_null(json_object_get(f, "skipped"));
        f = json_array_get(a, 1);
        cr_assert_str_eq(str(f, "path"), "core");
        cr_assert_str_eq(str(f, "skipped"), "too large");
        cr_assert_null(json_object_get(f, "size"));
        f = json_array_get(a, 2);
        cr_assert_str_eq(str(f, "path"), "bad" UTF8_REPLACEMENT);
        cr_assert_str_eq(str(f, "path_base64"), "YmFk/w==");
        json_decref(j);
}

/* Our validator and jansson's must agree, or a valid-looking string would come back NULL and
 * read as out of memory. Random short strings, heavy in the bytes that matter. */
Test(result_json, utf8_agrees_with_jansson)
{
        static const unsigned char pool[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0,
                                             0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xee,
                                             0xef, 0xf0, 0xf4, 0xf5, 0xf8, 0xfe, 0xff};
        unsigned seed = 12345;

        for (int n = 0; n < 200000; n++) {
                char buf[6];
                size_t len = 1 + (size_t)(rand_r(&seed) % (int)sizeof(buf));
                json_t *j;

                for (size_t i = 0; i < len; i++)
                        buf[i] = (char)pool[rand_r(&seed) % sizeof(pool)];
                j = json_stringn(buf, len);
                cr_assert_eq(utf8_is_valid(buf, len), j != NULL, "disagree at case %d", n);
                json_decref(j);
        }
}

Test(result_json, signal_names)
{
        char buf[RESULT_SIGNAL_NAME_MAX];

        cr_assert_str_eq(result_signal_name(SIGKILL, buf), "SIGKILL");
        cr_assert_str_eq(result_signal_name(SIGSEGV, buf), "SIGSEGV");
        cr_assert_str_eq(result_signal_name(SIGRTMIN + 2, buf), "SIGRTMIN+2");
        cr_assert_null(result_signal_name(0, buf));
        cr_assert_null(result_signal_name(-1, buf));
        cr_assert_null(result_signal_name(1000, buf));
}

static char *write_to_string(void)
{
        char *s = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&s, &len);

        cr_assert_not_null(f);
        cr_assert_eq(result_write_json(&r, f), 0);
        fclose(f);
        return s;
}

Test(result_json, write_pretty_with_newline)
{
        char *s;
        json_t *back, *direct;
        json_error_t jerr;

        r.status = RUN_OK;
        r.limits.cpu_milli = 100;
        capture(&r.out, S("hi"));
        s = write_to_string();
        cr_assert(strncmp(s, "{\n  \"status\": \"ok\",\n  \"exit_code\": 0,\n", 38) == 0, "%s", s);
        cr_assert_eq(s[strlen(s) - 1], '\n');
        cr_assert_neq(s[strlen(s) - 2], '\n');
        cr_assert_not_null(strstr(s, "\n    \"cpus\": 0.1,\n"), "cpus not short: %s", s);

        back = json_loads(s, 0, &jerr);
        cr_assert_not_null(back, "%s", jerr.text);
        direct = render();
        cr_assert(json_equal(back, direct));
        json_decref(back);
        json_decref(direct);
        free(s);
}

static size_t count_entries(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *de;
        size_t n = 0;

        cr_assert_not_null(d);
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        n++;
        closedir(d);
        return n;
}

Test(result_json, write_file_atomically)
{
        char dir[] = "/tmp/airlock-test-XXXXXX", path[64];
        struct stat st;
        json_t *j;
        json_error_t jerr;
        mode_t old_umask;
        FILE *f;

        cr_assert_not_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/result.json", dir);

        /* An old file is replaced whole. */
        f = fopen(path, "w");
        fputs("old", f);
        fclose(f);

        r.status = RUN_EXIT_NONZERO;
        r.exit_code = 2;
        old_umask = umask(077);
        cr_assert_eq(result_write_json_file(&r, path), 0);
        umask(old_umask);

        cr_assert_eq(stat(path, &st), 0);
        cr_assert_eq(st.st_mode & 07777, 0644, "mode %o", st.st_mode & 07777);
        j = json_load_file(path, 0, &jerr);
        cr_assert_not_null(j, "%s", jerr.text);
        cr_assert_str_eq(str(j, "status"), "exit_nonzero");
        json_decref(j);
        cr_assert_eq(count_entries(dir), 1, "temporary file left behind");

        /* Failure leaves nothing behind. */
        snprintf(path, sizeof(path), "%s/missing/result.json", dir);
        cr_assert_eq(result_write_json_file(&r, path), -ENOENT);
        cr_assert_eq(count_entries(dir), 1);

        /* Renaming onto a directory fails, and the temporary file goes away. */
        snprintf(path, sizeof(path), "%s/sub", dir);
        cr_assert_eq(mkdir(path, 0755), 0);
        cr_assert_lt(result_write_json_file(&r, path), 0);
        cr_assert_eq(count_entries(dir), 2);

        rmdir(path);
        snprintf(path, sizeof(path), "%s/result.json", dir);
        unlink(path);
        cr_assert_eq(rmdir(dir), 0);
}

Test(result_json, write_reports_io_errors)
{
        FILE *f = fopen("/dev/full", "w");

        if (!f)
                cr_skip_test("no /dev/full here");
        r.status = RUN_OK;
        cr_assert_eq(result_write_json(&r, f), -ENOSPC);
        fclose(f);
}
