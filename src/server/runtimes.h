/* The languages `POST /v1/runs` accepts by name: a table of file name, compile command and run
 * command (data, runtimes.c), and which of them this host has, with versions, detected once at
 * start. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define RUNTIME_VERSION_MAX 64

typedef struct Runtime {
        const char *id;   /* what requests say: "python", "bash", "sh", "node", "c", "cpp" */
        const char *name; /* for people: "Python 3" */
        const char *file; /* the source file the code is written to, in the work directory */
        const char *const *compile; /* NULL, or argv run in a sandbox of its own */
        const char *output;         /* with compile: the file it produces, carried over */
        const char *const *run;     /* argv */
        const char *const *version; /* argv run on the host at start; first line kept */
} Runtime;

typedef struct RuntimeInfo {
        const Runtime *runtime;
        bool available;
        char version[RUNTIME_VERSION_MAX]; /* "3.11.2"; empty when unavailable */
} RuntimeInfo;

/* The table, in order; *ret_n entries. */
const Runtime *runtimes_table(size_t *ret_n);

/* NULL when id names no runtime. */
const Runtime *runtime_find(const char *id);

/* Fills info[] (one per table entry, up to n) by running each version command on the host with
 * a short timeout. Returns the number filled. */
size_t runtimes_detect(RuntimeInfo *info, size_t n);
