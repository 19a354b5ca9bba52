#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "api/result-text.h"
#include "config/limits.h"

static RunResult r;

static void setup(void)
{
        run_result_init(&r);
        airlock_limits_default(&r.limits);
        r.wall_ms = 12;
        r.cpu_user_ms = 3;
        r.cpu_sys_ms = 1;
        r.memory_peak_bytes = 1258291; /* 1.2 MiB */
}

static void teardown(void)
{
        run_result_done(&r);
}

TestSuite(result_text, .init = setup, .fini = teardown);

/* The report as one string; the caller frees it. */
static char *report(void)
{
        char *s = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&s, &len);

        cr_assert_not_null(f);
        result_write_text(&r, f);
        fclose(f);
        return s;
}

#define assert_report(want)                                                                        \
        do {                                                                                       \
                char *_s = report();                                                               \
                cr_assert_str_eq(_s, want);                                                        \
                free(_s);                                                                          \
        } while (0)

Test(result_text, ok)
{
        r.status = RUN_OK;
        assert_report("airlock: status ok, exit 0, wall 12 ms, cpu 3+1 ms, peak memory 1.2 MiB\n");
}

Test(result_text, exit_nonzero)
{
        r.status = RUN_EXIT_NONZERO;
        r.exit_code = 3;
        r.memory_peak_bytes = 512;
        assert_report("airlock: status exit_nonzero, exit 3, wall 12 ms, cpu 3+1 ms, "
                      "peak memory 512 B\n");
}

Test(result_text, signaled)
{
        r.status = RUN_SIGNALED;
        r.signal = SIGSEGV;
        r.memory_peak_bytes = 64 * KIB;
        assert_report("airlock: status signaled, signal 11 (SIGSEGV), wall 12 ms, cpu 3+1 ms, "
                      "peak memory 64 KiB\n");
}

Test(result_text, timeout)
{
        r.status = RUN_TIMEOUT;
        r.signal = SIGKILL;
        r.wall_ms = 5000;
        r.cpu_user_ms = 4990;
        r.cpu_sys_ms = 2;
        r.memory_peak_bytes = 3 * MIB;
        assert_report("airlock: status timeout after 5000 ms (limit 5 s), cpu 4990+2 ms, "
                      "peak memory 3 MiB\n");
        r.limits.wall_ms = 2500;
        r.wall_ms = 2501;
        assert_report("airlock: status timeout after 2501 ms (limit 2.5 s), cpu 4990+2 ms, "
                      "peak memory 3 MiB\n");
        r.limits.wall_ms = 250;
        r.wall_ms = 251;
        assert_report("airlock: status timeout after 251 ms (limit 250 ms), cpu 4990+2 ms, "
                      "peak memory 3 MiB\n");
}

Test(result_text, cpu_limit)
{
        r.status = RUN_CPU_LIMIT;
        r.cpu_user_ms = 5000;
        r.cpu_sys_ms = 8;
        r.wall_ms = 5100;
        assert_report("airlock: status cpu_limit after 5000+8 ms of cpu (limit 5 s), "
                      "wall 5100 ms, peak memory 1.2 MiB\n");
}

Test(result_text, memory_limit)
{
        r.status = RUN_MEMORY_LIMIT;
        r.oom_kills = 1;
        /* One byte short of 256 MiB still reads as 256 MiB, not 256.0 or 1024.0 KiB. */
        r.memory_peak_bytes = 256 * MIB - 1;
        assert_report("airlock: status memory_limit (limit 256 MiB, 1 oom kill), wall 12 ms, "
                      "cpu 3+1 ms, peak memory 256 MiB\n");
        r.oom_kills = 2;
        r.memory_peak_bytes = MIB - 1;
        assert_report("airlock: status memory_limit (limit 256 MiB, 2 oom kills), wall 12 ms, "
                      "cpu 3+1 ms, peak memory 1 MiB\n");
}

Test(result_text, pids_limit)
{
        r.status = RUN_PIDS_LIMIT;
        r.exit_code = 1;
        r.pids_max_hits = 3;
        assert_report("airlock: status pids_limit (limit 64 processes, 3 forks refused), "
                      "wall 12 ms, cpu 3+1 ms, peak memory 1.2 MiB\n");
}

Test(result_text, output_limit_and_truncation)
{
        r.status = RUN_OUTPUT_LIMIT;
        r.signal = SIGKILL;
        r.out.len = MIB;
        r.out.total = 3565158; /* 3.4 MiB */
        r.out.truncated = true;
        r.err.len = 10;
        r.err.total = 10;
        assert_report("airlock: status output_limit, wall 12 ms, cpu 3+1 ms, peak memory 1.2 MiB\n"
                      "airlock: stdout cut at 1 MiB of 3.4 MiB written\n");
}

Test(result_text, setup_error_is_exactly_one_line)
{
        r.status = RUN_SETUP_ERROR;
        r.out.truncated = true; /* ignored: nothing ran */
        airlock_error_set(&r.error, AIRLOCK_ERR_SETUP, EACCES, "mount /usr read-only", NULL);
        assert_report("airlock: mount /usr read-only: Permission denied\n");

        r.error = (AirlockError){0};
        airlock_error_set(&r.error, AIRLOCK_ERR_USAGE, 0, "--memory", "'%s' is not a size", "12Q");
        assert_report("airlock: --memory: '12Q' is not a size\n");

        r.error = (AirlockError){0};
        airlock_error_set(&r.error, AIRLOCK_ERR_SETUP, ENOENT, "copy", "%s", "evil\n\x1b[2Jname\\");
        assert_report("airlock: copy: evil\\x0a\\x1b[2Jname\\\\: No such file or directory\n");

        r.error = (AirlockError){0};
        r.error.kind = AIRLOCK_ERR_SETUP;
        assert_report("airlock: setup failed\n");
}

Test(result_text, internal_error_after_start)
{
        r.status = RUN_OK;
        airlock_error_set(&r.error, AIRLOCK_ERR_INTERNAL, EIO, "read memory.peak", NULL);
        assert_report("airlock: status ok, exit 0, wall 12 ms, cpu 3+1 ms, peak memory 1.2 MiB\n"
                      "airlock: read memory.peak: Input/output error\n");
}

static void add_file(const char *path, uint64_t size, const char *skipped)
{
        CollectedFile *f = reallocarray(r.files, r.n_files + 1, sizeof(*f));

        cr_assert_not_null(f);
        r.files = f;
        r.files[r.n_files++] = (CollectedFile){
            .path = strdup(path),
            .size = size,
            .skipped = skipped ? strdup(skipped) : NULL,
        };
}

Test(result_text, files_copied_and_skipped)
{
        r.status = RUN_OK;
        add_file("a.txt", 10 * KIB, NULL);
        add_file("b.txt", 2 * KIB, NULL);
        add_file("core", 0, "too large");
        /* Names are the program's: no terminal escapes, no C1, no bidi overrides, no
         * invalid bytes reach the report. */
        add_file("x\x1b]0;pwned\x07\xc2\x9b\xe2\x80\xae\xff", 0, "symlink");
        assert_report("airlock: status ok, exit 0, wall 12 ms, cpu 3+1 ms, peak memory 1.2 MiB\n"
                      "airlock: collected 2 files (12 KiB)\n"
                      "airlock: not collected: core (too large)\n"
                      "airlock: not collected: x\\x1b]0;pwned\\x07\\u009b\\u202e\\xff (symlink)\n");
}

Test(result_text, many_skipped_files_are_summarised)
{
        char name[16];
        char *s;
        size_t lines = 0;

        r.status = RUN_OK;
        add_file("one", 1, NULL);
        for (int i = 0; i < 25; i++) {
                snprintf(name, sizeof(name), "f%02d", i);
                add_file(name, 0, "too many files");
        }
        s = report();
        for (char *p = s; *p; p++)
                lines += *p == '\n';
        cr_assert_eq(lines, 1 + 1 + 10 + 1, "%s", s);
        cr_assert_not_null(strstr(s, "airlock: collected 1 file (1 B)\n"));
        cr_assert_not_null(strstr(s, "airlock: not collected: f09 (too many files)\n"));
        cr_assert_null(strstr(s, "f10"));
        cr_assert_not_null(
            strstr(s, "airlock: 15 more files not collected (see the JSON result)\n"));
        free(s);
}
