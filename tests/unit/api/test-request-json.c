#include <criterion/criterion.h>
#include <string.h>

#include "api/request-json.h"

static const char *const py_run[] = {"python3", "main.py", NULL};
static const char *const c_compile[] = {"gcc", "-o", "main", "main.c", NULL};
static const char *const c_run[] = {"./main", NULL};
static const Runtime rt_python = {
    .id = "python", .name = "Python 3", .file = "main.py", .run = py_run};
static const Runtime rt_c = {
    .id = "c", .name = "C", .file = "main.c", .compile = c_compile, .output = "main", .run = c_run};
static const Runtime rt_node = {.id = "node", .name = "Node.js", .file = "main.js", .run = py_run};

static ServeConfig config;
static RuntimeInfo runtimes[3];
static RequestJsonContext ctx;

static void setup(void)
{
        serve_config_init(&config);
        runtimes[0] = (RuntimeInfo){.runtime = &rt_python, .available = true};
        runtimes[1] = (RuntimeInfo){.runtime = &rt_c, .available = true};
        runtimes[2] = (RuntimeInfo){.runtime = &rt_node, .available = false};
        ctx = (RequestJsonContext){.config = &config, .runtimes = runtimes, .n_runtimes = 3};
}

static void teardown(void)
{
        serve_config_done(&config);
}

TestSuite(request_json, .init = setup, .fini = teardown);

static void parse_ok(const char *body, ServeRequest *req)
{
        ApiError err = {0};
        int r = request_json_parse(body, strlen(body), &ctx, req, &err);

        cr_assert_eq(r, 0, "%s: %d %s %s", body, err.status, err.code, err.message);
}

/* Fails with status and code, and a message that contains want. */
static void parse_bad(const char *body, int status, const char *code, const char *want)
{
        ApiError err = {0};
        ServeRequest req;

        cr_assert_lt(request_json_parse(body, strlen(body), &ctx, &req, &err), 0, "%s", body);
        cr_assert_eq(err.status, status, "%s: %d %s", body, err.status, err.message);
        cr_assert_str_eq(err.code, code, "%s: %s %s", body, err.code, err.message);
        cr_assert(strstr(err.message, want), "%s: message '%s' lacks '%s'", body, err.message,
                  want);
}

Test(request_json, command)
{
        ServeRequest req;

        parse_ok("{\"command\": [\"echo\", \"hi\"]}", &req);
        cr_assert_eq(req.n_argv, 2);
        cr_assert_str_eq(req.argv[0], "echo");
        cr_assert_null(req.language);
        cr_assert_eq(req.limits_set, 0);
        cr_assert_eq(req.limits.memory_bytes, config.default_limits.memory_bytes);
        cr_assert_not(req.has_stdin);
        serve_request_done(&req);
}

Test(request_json, language_code_and_everything)
{
        ServeRequest req;

        config.allow_net = true;
        parse_ok("{\"language\": \"python\", \"code\": \"print(1)\","
                 " \"files\": [{\"path\": \"./data/in.csv\", \"content\": \"AP8=\","
                 " \"encoding\": \"base64\"}, {\"path\": \"run.sh\", \"content\": \"x\","
                 " \"executable\": true}],"
                 " \"stdin\": {\"content\": \"aGk=\", \"encoding\": \"base64\"},"
                 " \"env\": {\"A_1\": \"b=c\"},"
                 " \"limits\": {\"memory_bytes\": 536870912, \"cpus\": 0.5, \"wall_ms\": 100},"
                 " \"network\": {\"allow\": [\"pypi.org\", \"*.example.org:8443\"]},"
                 " \"collect\": [\"/work/out/*.png\", \"b\"]}",
                 &req);
        cr_assert_str_eq(req.language, "python");
        cr_assert_eq(req.code_len, 8);
        cr_assert(memcmp(req.code, "print(1)", 8) == 0);
        cr_assert_eq(req.n_files, 2);
        cr_assert_str_eq(req.files[0].path, "data/in.csv");
        cr_assert_eq(req.files[0].len, 2);
        cr_assert(memcmp(req.files[0].data, "\0\377", 2) == 0);
        cr_assert_not(req.files[0].executable);
        cr_assert(req.files[1].executable);
        cr_assert(req.has_stdin);
        cr_assert_eq(req.stdin_len, 2);
        cr_assert_str_eq(req.env[0], "A_1=b=c");
        cr_assert_eq(req.limits.memory_bytes, 536870912);
        cr_assert_eq(req.limits.cpu_milli, 500);
        cr_assert_eq(req.limits.wall_ms, 100);
        cr_assert_eq(req.limits_set, SERVE_LIMIT_MEMORY | SERVE_LIMIT_CPUS | SERVE_LIMIT_WALL);
        cr_assert_eq(req.n_allow_net, 2);
        cr_assert_str_eq(req.collect[0], "out/*.png");
        serve_request_done(&req);
}

Test(request_json, stdin_string_and_nul_in_content)
{
        ServeRequest req;

        parse_ok("{\"command\": [\"cat\"], \"stdin\": \"a\\u0000b\"}", &req);
        cr_assert_eq(req.stdin_len, 3);
        cr_assert(memcmp(req.stdin_data, "a\0b", 3) == 0);
        serve_request_done(&req);
}

Test(request_json, malformed_json_is_400_with_position)
{
        parse_bad("{\"command\": [1,", 400, "invalid_json", "line 1, column");
        parse_bad("", 400, "invalid_json", "line");
        parse_bad("{\"command\": [\"a\"], \"command\": [\"b\"]}", 400, "invalid_json", "duplicate");
        parse_bad("[]", 422, "invalid_type", "body: expected a JSON object, got an array");
}

Test(request_json, what_to_run)
{
        parse_bad("{}", 422, "missing_field", "command: required");
        parse_bad("{\"command\": [\"a\"], \"language\": \"python\", \"code\": \"\"}", 422,
                  "invalid_request", "not both");
        parse_bad("{\"language\": \"python\"}", 422, "missing_field", "code: required");
        parse_bad("{\"command\": [\"a\"], \"code\": \"x\"}", 422, "invalid_request",
                  "only with language");
        parse_bad("{\"command\": []}", 422, "invalid_value", "command: must not be empty");
        parse_bad("{\"command\": [\"\"]}", 422, "invalid_value", "command[0]");
        parse_bad("{\"command\": \"ls\"}", 422, "invalid_type",
                  "command: expected an array of strings, got a string");
        parse_bad("{\"command\": [\"a\", 2]}", 422, "invalid_type", "command[1]");
        parse_bad("{\"command\": [\"a\\u0000b\"]}", 422, "invalid_value",
                  "command[0]: must "
                  "not contain NUL");
        parse_bad("{\"language\": \"cobol\", \"code\": \"x\"}", 422, "unknown_language",
                  "language: unknown language \"cobol\" (GET /v1/runtimes lists them)");
        parse_bad("{\"language\": \"node\", \"code\": \"x\"}", 422, "runtime_unavailable", "node");
}

Test(request_json, unknown_fields)
{
        parse_bad("{\"command\": [\"a\"], \"comand\": 1}", 422, "unknown_field", "comand: unknown");
        parse_bad("{\"command\": [\"a\"], \"files\": [{\"path\": \"a\", \"content\": \"\","
                  " \"mode\": 1}]}",
                  422, "unknown_field", "files[0].mode");
        parse_bad("{\"command\": [\"a\"], \"limits\": {\"memory\": 1}}", 422, "unknown_field",
                  "limits.memory: unknown limit");
        parse_bad("{\"command\": [\"a\"], \"stdin\": {\"content\": \"\", \"x\": 1}}", 422,
                  "unknown_field", "stdin.x");
}

Test(request_json, file_paths)
{
        static const char *const bad[] = {"../x", "a/../../x", "/etc/passwd", "a//b", "a/",
                                          "",     ".",         "..",          NULL};

        for (size_t i = 0; bad[i]; i++) {
                char body[256];

                snprintf(body, sizeof(body),
                         "{\"command\": [\"a\"], \"files\": [{\"path\": \"ok\", \"content\": \"\"},"
                         " {\"path\": \"%s\", \"content\": \"\"}]}",
                         bad[i]);
                parse_bad(body, 422, "invalid_path", "files[1].path");
        }
        parse_bad("{\"command\": [\"a\"], \"files\": [{\"path\": \"a\", \"content\": \"\"},"
                  " {\"path\": \"a/b\", \"content\": \"\"}]}",
                  422, "invalid_path", "clashes with files[0].path");
        parse_bad("{\"language\": \"python\", \"code\": \"\", \"files\": [{\"path\": \"main.py\","
                  " \"content\": \"\"}]}",
                  422, "invalid_path", "where the python code goes");
        parse_bad("{\"language\": \"c\", \"code\": \"\", \"files\": [{\"path\": \"main\","
                  " \"content\": \"\"}]}",
                  422, "invalid_path", "files[0].path");
        parse_bad("{\"command\": [\"a\"], \"files\": [{\"content\": \"\"}]}", 422, "missing_field",
                  "files[0].path: required");
        parse_bad("{\"command\": [\"a\"], \"files\": [{\"path\": \"a\"}]}", 422, "missing_field",
                  "files[0].content: required");
}

Test(request_json, encodings)
{
        parse_bad("{\"command\": [\"a\"], \"files\": [{\"path\": \"a\", \"content\": \"!!!!\","
                  " \"encoding\": \"base64\"}]}",
                  422, "invalid_base64", "files[0].content: not valid base64 (at character 0)");
        parse_bad("{\"command\": [\"a\"], \"files\": [{\"path\": \"a\", \"content\": \"\","
                  " \"encoding\": \"latin1\"}]}",
                  422, "invalid_value", "unknown encoding \"latin1\"");
        parse_bad("{\"command\": [\"a\"], \"stdin\": 5}", 422, "invalid_type", "stdin");
}

Test(request_json, limits)
{
        ServeRequest req;

        parse_bad("{\"command\": [\"a\"], \"limits\": {\"memory_bytes\": 8589934592}}", 422,
                  "over_limit",
                  "limits.memory_bytes: 8589934592 is over the server's maximum 1073741824");
        parse_bad("{\"command\": [\"a\"], \"limits\": {\"memory_bytes\": 1024}}", 422,
                  "invalid_value", "limits.memory_bytes: 1024 is under the minimum 4194304");
        parse_bad("{\"command\": [\"a\"], \"limits\": {\"pids\": -1}}", 422, "invalid_value",
                  "limits.pids: must not be negative");
        parse_bad("{\"command\": [\"a\"], \"limits\": {\"wall_ms\": 1.5}}", 422, "invalid_type",
                  "limits.wall_ms: expected a whole number, got a fractional number");
        parse_bad("{\"command\": [\"a\"], \"limits\": {\"cpus\": \"2\"}}", 422, "invalid_type",
                  "limits.cpus");
        parse_bad("{\"command\": [\"a\"], \"limits\": {\"cpus\": 64}}", 422, "over_limit",
                  "limits.cpus: 64 is over the server's maximum 4");
        parse_bad("{\"command\": [\"a\"], \"limits\": []}", 422, "invalid_type", "limits");
        config.default_limits.scratch_bytes = 4;
        parse_bad("{\"command\": [\"a\"], \"code\": \"\", \"files\": [{\"path\": \"a\","
                  " \"content\": \"0123456789\"}]}",
                  422, "invalid_request", "code: only with language");
        parse_bad(
            "{\"command\": [\"a\"], \"files\": [{\"path\": \"a\", \"content\": \"0123456789\"}]}",
            422, "over_limit", "files: 10 bytes in all do not fit in limits.scratch_bytes (4)");
        config.default_limits.scratch_bytes = 1 << 20;
        parse_ok("{\"command\": [\"a\"], \"limits\": {\"cpus\": 1, \"nofile\": 16}}", &req);
        cr_assert_eq(req.limits.cpu_milli, 1000);
        cr_assert_eq(req.limits.nofile, 16);
        serve_request_done(&req);
}

Test(request_json, env_network_collect)
{
        parse_bad("{\"command\": [\"a\"], \"env\": {\"1A\": \"x\"}}", 422, "invalid_value",
                  "env.1A: not a valid variable name");
        parse_bad("{\"command\": [\"a\"], \"env\": {\"A\": 1}}", 422, "invalid_type", "env.A");
        parse_bad("{\"command\": [\"a\"], \"env\": [\"A=1\"]}", 422, "invalid_type", "env");
        parse_bad("{\"command\": [\"a\"], \"network\": {\"allow\": [\"a.org\"]}}", 422,
                  "network_disabled", "network");
        config.allow_net = true;
        parse_bad("{\"command\": [\"a\"], \"network\": {\"allow\": [\"a.org:99999\"]}}", 422,
                  "invalid_value", "network.allow[0]");
        parse_bad("{\"command\": [\"a\"], \"network\": {}}", 422, "missing_field",
                  "network.allow: required");
        parse_bad("{\"command\": [\"a\"], \"collect\": [\"../x\"]}", 422, "invalid_path",
                  "collect[0]");
        parse_bad("{\"command\": [\"a\"], \"collect\": \"x\"}", 422, "invalid_type", "collect");
}
