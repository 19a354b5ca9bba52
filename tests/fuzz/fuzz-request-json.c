/* POST /v1/runs bodies: whatever request_json_parse() accepts must be a request the launcher's
 * decoder accepts too (the front end and the launcher must agree on what is valid), with paths
 * normalised and limits within the server's maximum; whatever it refuses must say why. */
#include <string.h>

#include "api/limits-json.h"
#include "api/request-json.h"
#include "basic/path.h"
#include "fuzz-util.h"

static const char *const run_argv[] = {"python3", "main.py", NULL};
static const Runtime python = {
    .id = "python", .name = "Python", .file = "main.py", .run = run_argv};
static const Runtime c = {
    .id = "c", .name = "C", .file = "main.c", .output = "main", .run = run_argv};

static void check_relative(const char *p)
{
        char *again = NULL;

        FUZZ_ASSERT(path_normalize_relative(p, NULL, &again) == 0);
        FUZZ_ASSERT(strcmp(p, again) == 0);
        free(again);
}

static void check_accepted(const ServeRequest *req, const ServeConfig *config)
{
        ServeRequest back;
        AirlockError err = {0};
        uint8_t *buf = NULL;
        size_t len = 0;

        FUZZ_ASSERT((req->n_argv > 0) != (req->language != NULL));
        FUZZ_ASSERT(!req->language || req->code || req->code_len == 0);
        for (size_t i = 0; i < req->n_files; i++)
                check_relative(req->files[i].path);
        for (size_t i = 0; i < req->n_collect; i++)
                check_relative(req->collect[i]);
        FUZZ_ASSERT(!limits_json_first_over(&req->limits, &config->max_limits));

        FUZZ_ASSERT(serve_request_encode(req, &buf, &len) == 0);
        FUZZ_ASSERT(serve_request_decode(buf, len, &back, &err) == 0);
        FUZZ_ASSERT(back.n_argv == req->n_argv && back.n_files == req->n_files);
        serve_request_done(&back);
        free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static ServeConfig config;
        static bool ready;
        RuntimeInfo runtimes[2] = {{.runtime = &python, .available = true},
                                   {.runtime = &c, .available = true}};
        RequestJsonContext ctx = {.config = &config, .runtimes = runtimes, .n_runtimes = 2};
        ApiError err = {0};
        ServeRequest req;
        int r;

        if (!ready) {
                serve_config_init(&config);
                config.allow_net = true;
                ready = true;
        }
        r = request_json_parse((const char *)data, size, &ctx, &req, &err);
        if (r == 0) {
                check_accepted(&req, &config);
                serve_request_done(&req);
                return 0;
        }
        if (r == -ENOMEM)
                return 0;
        FUZZ_ASSERT(err.status == 400 || err.status == 422);
        FUZZ_ASSERT(err.code[0] && err.message[0]);
        return 0;
}
