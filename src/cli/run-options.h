#pragma once

#include <stdbool.h>

#include "config/config.h"

typedef struct RunOptions {
        AirlockConfig config;
        bool json;
        char *result_path;
        char *events_path; /* --events: JSON lines, "-" for stderr */
        bool quiet;
        bool help;
} RunOptions;

/* Parses `airlock run` arguments into opts (which the caller initialises and frees with
 * run_options_done). Every value is checked here; err names the option on failure. */
int run_options_parse(int argc, char **argv, RunOptions *opts, AirlockError *err);
void run_options_init(RunOptions *opts);
void run_options_done(RunOptions *opts);
void run_options_usage(FILE *f);
