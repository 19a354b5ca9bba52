/* airlock run: parse, run, report. The sandbox itself lives in src/sandbox. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/event-json.h"
#include "api/result-json.h"
#include "api/result-text.h"
#include "commands.h"
#include "run-options.h"
#include "sandbox/sandbox.h"

static void stream_output(int stream, const char *data, size_t len, void *userdata)
{
        FILE *f = stream == 1 ? stdout : stderr;

        fwrite(data, 1, len, f);
        fflush(f);
}

/* --events: one JSON line per event, flushed at once, so that `tail -f` sees the run live. */
static void write_event(const AuditEvent *ev, void *userdata)
{
        FILE *f = userdata;

        if (audit_event_write_json_line(ev, f) == 0)
                (void)fflush(f);
}

static FILE *open_events(const char *path)
{
        int fd;

        if (strcmp(path, "-") == 0)
                return stderr;
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
        return fd < 0 ? NULL : fdopen(fd, "w");
}

static void print_error_line(const AirlockError *err)
{
        char line[512];

        airlock_error_format(err, line, sizeof(line));
        fprintf(stderr, "airlock: %s\n", line);
}

static int report(const RunOptions *o, const RunResult *res)
{
        if (o->result_path && result_write_json_file(res, o->result_path) < 0)
                fprintf(stderr, "airlock: write result to %s: %m\n", o->result_path);
        if (o->json) {
                (void)result_write_json(res, stdout);
                fflush(stdout);
        } else if (res->status == RUN_SETUP_ERROR) {
                print_error_line(&res->error);
        } else if (!(o->quiet && res->status == RUN_OK)) {
                result_write_text(res, stderr);
        }
        return run_result_exit_code(res);
}

int cmd_run(int argc, char **argv)
{
        RunOptions o;
        RunResult res;
        AirlockError err = {0};
        SandboxHooks hooks = {.on_output = stream_output};
        FILE *events = NULL;
        int code;

        run_options_init(&o);
        if (run_options_parse(argc, argv, &o, &err) < 0) {
                print_error_line(&err);
                /* --json promises a JSON answer, even to a bad command line (if --json itself
                 * was read before the mistake). */
                if (o.json) {
                        run_result_init(&res);
                        res.status = RUN_SETUP_ERROR;
                        res.error = err;
                        res.limits = o.config.limits;
                        (void)result_write_json(&res, stdout);
                }
                run_options_done(&o);
                return AIRLOCK_EXIT_USAGE;
        }
        if (o.help) {
                run_options_usage(stdout);
                run_options_done(&o);
                return 0;
        }
        /* The program's stdin pipe may close early; that is its business, not a reason for
         * airlock to die. */
        (void)signal(SIGPIPE, SIG_IGN);
        if (o.events_path) {
                events = open_events(o.events_path);
                if (!events) {
                        fprintf(stderr, "airlock: --events: %s: %m\n", o.events_path);
                        run_options_done(&o);
                        return AIRLOCK_EXIT_USAGE;
                }
                hooks.on_event = write_event;
                hooks.userdata = events;
        }
        /* --json: the output goes into the result, not to our stdout */
        if (o.json)
                hooks.on_output = NULL;
        if (sandbox_run(&o.config, &hooks, &res) < 0) {
                fprintf(stderr, "airlock: out of memory\n");
                run_options_done(&o);
                return AIRLOCK_EXIT_INTERNAL;
        }
        if (events && events != stderr && fclose(events) == EOF)
                fprintf(stderr, "airlock: --events: %s: %m\n", o.events_path);
        code = report(&o, &res);
        run_result_done(&res);
        run_options_done(&o);
        return code;
}
