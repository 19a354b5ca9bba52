/* `airlock run` argument parsing on fuzzed argument vectors: the input split on NUL is argv
 * after "run". Whatever it accepts, validation can then look at without crashing; whatever it
 * refuses is a usage error that names where. */
#include <errno.h>
#include <stdio.h>

#include "cli/run-options.h"
#include "fuzz-util.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *argv[MAX_ARGS + 2], *buf;
        size_t n = fuzz_split(data, size, argv + 1, MAX_ARGS, &buf);
        RunOptions o;
        AirlockError err = {0};
        int r;

        argv[0] = (char *)"run";
        argv[n + 1] = NULL;
        run_options_init(&o);
        r = run_options_parse((int)n + 1, argv, &o, &err);
        if (r < 0) {
                FUZZ_ASSERT(r == -ENOMEM || err.kind == AIRLOCK_ERR_USAGE);
                FUZZ_ASSERT(err.step[0]);
                FUZZ_ASSERT(memchr(err.step, '\0', sizeof(err.step)));
                FUZZ_ASSERT(memchr(err.message, '\0', sizeof(err.message)));
        } else if (!o.help) {
                /* The command is a tail of argv: the rest is the program's own. */
                FUZZ_ASSERT(o.config.argv >= argv + 1 && o.config.argv <= argv + n + 1);
                err = (AirlockError){0};
                r = airlock_config_validate(&o.config, &err);
                if (r < 0)
                        FUZZ_ASSERT(err.kind == AIRLOCK_ERR_USAGE && err.step[0]);
        }
        run_options_done(&o);
        free(buf);
        return 0;
}
