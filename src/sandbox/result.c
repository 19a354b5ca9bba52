#include "result.h"

#include <string.h>

#include "basic/macros.h"

static const char *const status_names[_RUN_STATUS_MAX] = {
    [RUN_OK] = "ok",
    [RUN_EXIT_NONZERO] = "exit_nonzero",
    [RUN_SIGNALED] = "signaled",
    [RUN_TIMEOUT] = "timeout",
    [RUN_CPU_LIMIT] = "cpu_limit",
    [RUN_MEMORY_LIMIT] = "memory_limit",
    [RUN_PIDS_LIMIT] = "pids_limit",
    [RUN_OUTPUT_LIMIT] = "output_limit",
    [RUN_SETUP_ERROR] = "setup_error",
    [RUN_PRESCREEN_BLOCKED] = "prescreen_blocked",
    [RUN_CANCELLED] = "cancelled",
    [RUN_COMPILE_ERROR] = "compile_error",
    [RUN_POLICY_VIOLATION] = "policy_violation",
};

const char *run_status_to_string(RunStatus s)
{
        if ((unsigned)s >= _RUN_STATUS_MAX)
                return "unknown";
        return status_names[s];
}

int run_status_from_string(const char *s, RunStatus *ret)
{
        for (unsigned i = 0; i < _RUN_STATUS_MAX; i++)
                if (s && strcmp(s, status_names[i]) == 0) {
                        *ret = (RunStatus)i;
                        return 0;
                }
        return -EINVAL;
}

RunStatus run_result_decide_status(const RunOutcome *o)
{
        bool succeeded = o->exited && o->exit_code == 0;

        if (o->setup_failed)
                return RUN_SETUP_ERROR;
        if (o->policy_violation)
                return RUN_POLICY_VIOLATION;
        if (o->cancelled)
                return RUN_CANCELLED;
        if (o->oom_kills > 0)
                return RUN_MEMORY_LIMIT;
        if (o->output_exceeded)
                return RUN_OUTPUT_LIMIT;
        if (o->cpu_exceeded)
                return RUN_CPU_LIMIT;
        if (o->timed_out)
                return o->pids_max_hits > 0 ? RUN_PIDS_LIMIT : RUN_TIMEOUT;
        if (o->pids_max_hits > 0 && !succeeded)
                return RUN_PIDS_LIMIT;
        if (!o->exited)
                return o->signal == 24 /* SIGXCPU: RLIMIT_CPU of one process */ ? RUN_CPU_LIMIT
                                                                                : RUN_SIGNALED;
        return succeeded ? RUN_OK : RUN_EXIT_NONZERO;
}

int run_result_exit_code(const RunResult *r)
{
        switch (r->status) {
        case RUN_OK:
                return 0;
        case RUN_EXIT_NONZERO:
                return r->exit_code;
        case RUN_SIGNALED:
                return 128 + r->signal;
        case RUN_TIMEOUT:
                return AIRLOCK_EXIT_TIMEOUT;
        case RUN_CPU_LIMIT:
                return AIRLOCK_EXIT_CPU_LIMIT;
        case RUN_MEMORY_LIMIT:
                return AIRLOCK_EXIT_MEMORY_LIMIT;
        case RUN_PIDS_LIMIT:
                return AIRLOCK_EXIT_PIDS_LIMIT;
        case RUN_OUTPUT_LIMIT:
                return AIRLOCK_EXIT_OUTPUT_LIMIT;
        case RUN_PRESCREEN_BLOCKED:
                return AIRLOCK_EXIT_PRESCREEN;
        case RUN_CANCELLED:
                return AIRLOCK_EXIT_CANCELLED;
        case RUN_COMPILE_ERROR:
                return AIRLOCK_EXIT_COMPILE;
        case RUN_POLICY_VIOLATION:
                return AIRLOCK_EXIT_POLICY;
        case RUN_SETUP_ERROR:
        case _RUN_STATUS_MAX:
                break;
        }
        if (r->error.kind == AIRLOCK_ERR_USAGE)
                return AIRLOCK_EXIT_USAGE;
        return r->error.kind == AIRLOCK_ERR_INTERNAL ? AIRLOCK_EXIT_INTERNAL : AIRLOCK_EXIT_SETUP;
}

void run_result_init(RunResult *r)
{
        *r = (RunResult){0};
}

void run_result_done(RunResult *r)
{
        free(r->out.data);
        free(r->err.data);
        for (size_t i = 0; i < r->n_files; i++) {
                free(r->files[i].path);
                free(r->files[i].skipped);
                free(r->files[i].data);
        }
        free(r->files);
        free(r->net_records);
        for (size_t i = 0; i < r->n_prescreen; i++)
                scan_report_done(&r->prescreen[i]);
        free(r->prescreen);
        audit_summary_done(&r->audit);
        *r = (RunResult){0};
}
