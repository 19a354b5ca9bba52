#include <criterion/criterion.h>
#include <signal.h>

#include "sandbox/result.h"

/* Every row of the precedence in result.h, alone and against each status below it. */
static const struct {
        const char *name;
        RunOutcome o;
        RunStatus want;
} rows[] = {
    /* Each status on its own. */
    {"exit 0", {.exited = true}, RUN_OK},
    {"exit 3", {.exited = true, .exit_code = 3}, RUN_EXIT_NONZERO},
    {"exit 255", {.exited = true, .exit_code = 255}, RUN_EXIT_NONZERO},
    {"SIGSEGV", {.signal = SIGSEGV}, RUN_SIGNALED},
    {"SIGKILL from outside", {.signal = SIGKILL}, RUN_SIGNALED},
    {"timeout", {.timed_out = true, .signal = SIGKILL}, RUN_TIMEOUT},
    {"cpu", {.cpu_exceeded = true, .signal = SIGKILL}, RUN_CPU_LIMIT},
    {"SIGXCPU is RLIMIT_CPU", {.signal = SIGXCPU}, RUN_CPU_LIMIT},
    {"output", {.output_exceeded = true, .signal = SIGKILL}, RUN_OUTPUT_LIMIT},
    {"oom", {.oom_kills = 1, .signal = SIGKILL}, RUN_MEMORY_LIMIT},
    {"pids, exit 1", {.pids_max_hits = 2, .exited = true, .exit_code = 1}, RUN_PIDS_LIMIT},
    {"pids, signaled", {.pids_max_hits = 1, .signal = SIGABRT}, RUN_PIDS_LIMIT},
    {"setup", {.setup_failed = true}, RUN_SETUP_ERROR},

    /* A refused fork the program coped with is not a failure. */
    {"pids, exit 0", {.pids_max_hits = 5, .exited = true}, RUN_OK},
    /* A child killed by the OOM killer counts even when the main process exits 0. */
    {"oom of a child, exit 0", {.oom_kills = 1, .exited = true}, RUN_MEMORY_LIMIT},
    /* The deadline passed even if the program exited as it was being killed. */
    {"timeout, exit 0", {.timed_out = true, .exited = true}, RUN_TIMEOUT},

    /* setup_error beats everything. */
    {"setup > all",
     {.setup_failed = true,
      .oom_kills = 1,
      .output_exceeded = true,
      .cpu_exceeded = true,
      .timed_out = true,
      .pids_max_hits = 1,
      .signal = SIGKILL},
     RUN_SETUP_ERROR},
    /* memory_limit beats output, cpu, timeout, pids. */
    {"memory > output", {.oom_kills = 1, .output_exceeded = true}, RUN_MEMORY_LIMIT},
    {"memory > cpu", {.oom_kills = 1, .cpu_exceeded = true}, RUN_MEMORY_LIMIT},
    {"memory > timeout", {.oom_kills = 1, .timed_out = true}, RUN_MEMORY_LIMIT},
    {"memory > pids", {.oom_kills = 1, .pids_max_hits = 1}, RUN_MEMORY_LIMIT},
    /* output_limit beats cpu, timeout, pids. */
    {"output > cpu", {.output_exceeded = true, .cpu_exceeded = true}, RUN_OUTPUT_LIMIT},
    {"output > timeout", {.output_exceeded = true, .timed_out = true}, RUN_OUTPUT_LIMIT},
    {"output > pids", {.output_exceeded = true, .pids_max_hits = 1}, RUN_OUTPUT_LIMIT},
    /* cpu_limit beats timeout, pids. */
    {"cpu > timeout", {.cpu_exceeded = true, .timed_out = true}, RUN_CPU_LIMIT},
    {"cpu > pids", {.cpu_exceeded = true, .pids_max_hits = 1}, RUN_CPU_LIMIT},
    /* A timeout with refused forks is reported as pids_limit: the program most likely
     * stalled because it could not fork (a fork bomb, a pool that never filled). Note that
     * this puts pids_limit above timeout, unlike the order listed in result.h. */
    {"timeout with refused forks", {.timed_out = true, .pids_max_hits = 1}, RUN_PIDS_LIMIT},
    /* pids_limit beats signaled and exit_nonzero. */
    {"pids > signaled", {.pids_max_hits = 1, .signal = SIGSEGV}, RUN_PIDS_LIMIT},
    {"pids > exit_nonzero", {.pids_max_hits = 1, .exited = true, .exit_code = 2}, RUN_PIDS_LIMIT},
};

Test(run_result, decide_status_precedence)
{
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                RunStatus got = run_result_decide_status(&rows[i].o);

                cr_expect_eq(got, rows[i].want, "%s: got %s, wanted %s", rows[i].name,
                             run_status_to_string(got), run_status_to_string(rows[i].want));
        }
}

static int exit_code_of(RunStatus s, int exit_code, int sig, AirlockErrorKind kind)
{
        RunResult r;

        run_result_init(&r);
        r.status = s;
        r.exit_code = exit_code;
        r.signal = sig;
        r.error.kind = kind;
        return run_result_exit_code(&r);
}

Test(run_result, exit_codes)
{
        cr_assert_eq(exit_code_of(RUN_OK, 0, 0, 0), 0);
        cr_assert_eq(exit_code_of(RUN_EXIT_NONZERO, 3, 0, 0), 3);
        /* The program's own code passes through, even where it collides with ours. */
        cr_assert_eq(exit_code_of(RUN_EXIT_NONZERO, 114, 0, 0), 114);
        cr_assert_eq(exit_code_of(RUN_SIGNALED, 0, SIGKILL, 0), 128 + 9);
        cr_assert_eq(exit_code_of(RUN_SIGNALED, 0, SIGSEGV, 0), 128 + 11);
        cr_assert_eq(exit_code_of(RUN_TIMEOUT, 0, SIGKILL, 0), 114);
        cr_assert_eq(exit_code_of(RUN_CPU_LIMIT, 0, SIGKILL, 0), 115);
        cr_assert_eq(exit_code_of(RUN_MEMORY_LIMIT, 0, SIGKILL, 0), 116);
        cr_assert_eq(exit_code_of(RUN_PIDS_LIMIT, 1, 0, 0), 117);
        cr_assert_eq(exit_code_of(RUN_OUTPUT_LIMIT, 0, SIGKILL, 0), 118);
        cr_assert_eq(exit_code_of(RUN_SETUP_ERROR, 0, 0, AIRLOCK_ERR_SETUP), 111);
        cr_assert_eq(exit_code_of(RUN_SETUP_ERROR, 0, 0, AIRLOCK_ERR_USAGE), 112);
        cr_assert_eq(AIRLOCK_EXIT_SETUP, 111);
        cr_assert_eq(AIRLOCK_EXIT_USAGE, 112);
        cr_assert_eq(AIRLOCK_EXIT_INTERNAL, 113);
}

Test(run_result, status_names_round_trip)
{
        for (unsigned i = 0; i < _RUN_STATUS_MAX; i++) {
                RunStatus s;

                cr_assert_eq(run_status_from_string(run_status_to_string(i), &s), 0);
                cr_assert_eq(s, i);
        }
        cr_assert_str_eq(run_status_to_string(_RUN_STATUS_MAX), "unknown");
}
