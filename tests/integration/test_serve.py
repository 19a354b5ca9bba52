"""`airlock serve` (issue #7), its API, against a real server the test starts: every language
runs, the CSV-to-chart example returns a PNG, the OpenAPI spec is true (every route answers with
a documented status, every answer fits its schema, every example works), bad inputs get their
status and a message naming the field and leave the service healthy (and nothing runs), output
streams, the config file, the listeners, and the front end holds no privileges.
test_serve_lifecycle.py has capacity, hang-ups, kill -9, leaks, drain and reload.

Every server is stopped at the end of its test or module, which checks (serve_fixture.finish)
that it exited cleanly and left no process of its group, no descendant and no airlock cgroup.
"""
import base64
import http.server
import json
import socket
import struct
import subprocess
import threading
import time

import pytest
import requests

import hostcheck as hc
import serve_fixture as sf
from serve_fixture import server  # noqa: F401 (a fixture)

LANGUAGES = ["python", "bash", "sh", "node", "c", "cpp"]
HELLO = {
    "python": 'print("hello from python")\n',
    "bash": 'echo "hello from bash"\n',
    "sh": 'echo "hello from sh"\n',
    "node": 'console.log("hello from node");\n',
    "c": '#include <stdio.h>\nint main(void) { puts("hello from c"); return 0; }\n',
    "cpp": '#include <iostream>\nint main() { std::cout << "hello from cpp" << std::endl; }\n',
}
MAX_BODY = 256 * 1024  # the module server's --max-body
# pandas and matplotlib take seconds to import on a loaded 2-core machine.
SLOW_LIMITS = {"wall_ms": 60000, "cpu_ms": 60000, "memory_bytes": 768 << 20}


@pytest.fixture(scope="module")
def serve(tmp_path_factory):
    """The module's shared server: defaults but a small body cap."""
    s = sf.start_server(tmp_path_factory.mktemp("serve"), "--max-body", str(MAX_BODY))
    yield s
    sf.finish(s)


# --- languages ------------------------------------------------------------------------------


def test_runtimes_lists_all_languages(serve):
    r = serve.get("/v1/runtimes")
    assert r.status_code == 200
    body = r.json()
    sf.validate(body, "Runtimes")
    assert [rt["id"] for rt in body["runtimes"]] == LANGUAGES
    for rt in body["runtimes"]:
        assert (rt["compile"] is not None) == (rt["id"] in ("c", "cpp")), rt
        if rt["available"] and rt["id"] != "sh":
            assert rt["version"] and rt["version"][0].isdigit(), rt


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_available_language_runs(serve, lang):
    rt = {r["id"]: r for r in serve.get("/v1/runtimes").json()["runtimes"]}[lang]
    if not rt["available"]:
        pytest.skip(f"{lang} is not installed on this host (GET /v1/runtimes)")
    res = serve.run({"language": lang, "code": HELLO[lang], "limits": {"wall_ms": 30000}})
    assert res["status"] == "ok", res
    assert res["stdout"] == f"hello from {lang}\n"
    assert res["language"] == lang
    if rt["compile"]:
        assert res["compile"]["status"] == "ok", res["compile"]
        assert "files" not in res["compile"]
    else:
        assert "compile" not in res


def test_c_compile_error_gives_compilers_message(serve):
    res = serve.run({"language": "c", "code": "int main(void) { return airlock_undeclared; }\n",
                     "limits": {"wall_ms": 30000}})
    assert res["status"] == "compile_error", res
    assert "airlock_undeclared" in res["stderr"] and "error" in res["stderr"], res["stderr"]
    assert res["exit_code"] not in (None, 0)
    assert res["language"] == "c" and "compile" not in res


def test_c_program_exit_code_and_stdin(serve):
    code = ('#include <stdio.h>\nint main(void) { char b[64]; if (!fgets(b, sizeof b, stdin))'
            ' return 9; printf("got %s", b); return 3; }\n')
    res = serve.run({"language": "c", "code": code, "stdin": "input line\n",
                     "limits": {"wall_ms": 30000}})
    assert res["status"] == "exit_nonzero" and res["exit_code"] == 3, res
    assert res["stdout"] == "got input line\n"
    assert res["compile"]["status"] == "ok"


def test_files_stdin_env_and_binary_output(serve):
    payload = bytes(range(256))
    res = serve.run({
        "command": ["sh", "-c", 'cat in.txt; printf "%s" "$GREETING"; cat; ./tool.sh; '
                    'cp blob.bin out.bin; printf "\\377\\376" >&2'],
        "files": [
            {"path": "in.txt", "content": "file text\n"},
            {"path": "blob.bin", "content": base64.b64encode(payload).decode(),
             "encoding": "base64"},
            {"path": "tool.sh", "content": "#!/bin/sh\necho tool ran\n", "executable": True},
        ],
        "stdin": {"content": base64.b64encode(b"from stdin\n").decode(), "encoding": "base64"},
        "env": {"GREETING": "hi "},
        "collect": ["*.bin"],
    })
    assert res["status"] == "ok", res
    assert res["stdout"] == "file text\nhi from stdin\ntool ran\n"
    assert base64.b64decode(res["stderr_base64"]) == b"\xff\xfe"
    got = {f["path"]: base64.b64decode(f["content_base64"]) for f in res["files"]}
    assert got == {"blob.bin": payload, "out.bin": payload}


CHART_PY = """\
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

df = pd.read_csv("data.csv")
ax = df.plot(x="month", y="sales", kind="bar", legend=False)
ax.set_ylabel("sales")
plt.tight_layout()
plt.savefig("chart.png", dpi=80)
print("wrote chart.png", len(df))
"""


def test_csv_to_chart_returns_png(serve):
    csv = "month,sales\n" + "".join(f"{m},{(m * 37) % 50 + 10}\n" for m in range(1, 13))
    res = serve.run({
        "command": ["python3", "chart.py"],
        "files": [{"path": "data.csv", "content": csv}, {"path": "chart.py", "content": CHART_PY}],
        "collect": ["*.png"],
        "limits": SLOW_LIMITS,
    }, timeout=120)
    assert res["status"] == "ok", (res["status"], res["stderr"][-2000:])
    assert res["stdout"] == "wrote chart.png 12\n"
    assert [f["path"] for f in res["files"]] == ["chart.png"]
    png = base64.b64decode(res["files"][0]["content_base64"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) == res["files"][0]["size"]
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert 100 < width < 4000 and 100 < height < 4000, (width, height)


# --- the spec is true -----------------------------------------------------------------------

METHODS = ["get", "post", "put", "delete", "patch"]


def _examples(op):
    if "requestBody" not in op:
        return {}
    return op["requestBody"]["content"]["application/json"]["examples"]


def _call(server, method, path, op, headers=None, example=None):
    """The operation, with its first (or the named) documented request body example."""
    headers = dict(headers or {})
    body = None
    if "requestBody" in op:
        examples = _examples(op)
        body = json.dumps(examples[example or next(iter(examples))]["value"])
        headers.setdefault("Content-Type", "application/json")
    return server.http.request(method.upper(), server.url(path), data=body, headers=headers,
                               timeout=120)


def _resolve(obj):
    while "$ref" in obj:
        node = sf.spec()
        for part in obj["$ref"].lstrip("#/").split("/"):
            node = node[part]
        obj = node
    return obj


def _check_documented(op, r, what):
    responses = op["responses"]
    assert str(r.status_code) in responses, \
        f"{what}: {r.status_code} is not documented: {r.text[:300]}"
    doc = _resolve(responses[str(r.status_code)])
    ctype = r.headers.get("Content-Type", "").split(";")[0].strip()
    assert ctype in doc.get("content", {}), f"{what}: Content-Type {ctype} not documented"
    schema = doc["content"][ctype].get("schema", {})
    if ctype == "application/json":
        sf.Draft202012Validator(schema, resolver=sf.RefResolver.from_schema(sf.spec())).validate(
            r.json())
    for h in doc.get("headers", {}):
        assert h in r.headers, f"{what}: documented header {h} missing"


def test_spec_routes_answer_with_documented_status(serve):
    spec = sf.spec()
    assert spec["openapi"].startswith("3.1")
    seen = 0
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            r = _call(serve, method, path, op)
            _check_documented(op, r, f"{method.upper()} {path}")
            assert r.status_code < 400 or path == "/readyz", (method, path, r.text)
            seen += 1
            for name in list(_examples(op))[1:]:
                # Every documented example works as documented.
                r = _call(serve, method, path, op, example=name)
                _check_documented(op, r, f"{method.upper()} {path}, example {name}")
                assert r.status_code == 200 and r.json()["status"] == "ok", (name, r.text[:1000])
                if name == "chart":
                    png = base64.b64decode(r.json()["files"][0]["content_base64"])
                    assert png.startswith(b"\x89PNG\r\n\x1a\n")
            if "requestBody" in op:
                # The streamed form of the same request.
                r = _call(serve, method, path, op, {"Accept": "text/event-stream"})
                assert r.status_code == 200
                assert r.headers["Content-Type"].startswith("text/event-stream")
                assert "text/event-stream" in op["responses"]["200"]["content"]
    assert seen == 5


def test_spec_undocumented_methods_get_405(serve):
    doc = _resolve({"$ref": "#/components/responses/MethodNotAllowed"})
    for path, item in sf.spec()["paths"].items():
        allowed = {m.upper() for m in METHODS if m in item}
        for method in METHODS:
            if method in item:
                continue
            r = serve.http.request(method.upper(), serve.url(path), timeout=10)
            assert r.status_code == 405, (method, path, r.status_code)
            sf.validate(r.json(), "Error")
            assert r.json()["error"]["code"] == "method_not_allowed"
            got = {m.strip() for m in r.headers["Allow"].split(",")}
            assert allowed <= got and got <= allowed | {"HEAD"}, (path, got)
            assert set(doc["headers"]) <= set(r.headers)


def test_spec_security_is_true(server):
    """With keys, the operations that list bearer need it; the others never do."""
    key = sf.secret()
    s = server(keys={"spec": key})
    for path, item in sf.spec()["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            needs = any("bearer" in req for req in op.get("security", sf.spec()["security"]))
            r = _call(s, method, path, op)
            if needs:
                assert r.status_code == 401, (method, path, r.status_code)
                _check_documented(op, r, f"{method.upper()} {path} without a key")
                assert r.headers["WWW-Authenticate"].startswith("Bearer")
                r = _call(s, method, path, op, {"Authorization": f"Bearer {key}"})
            assert r.status_code == 200, (method, path, r.status_code, r.text[:300])


# --- bad inputs -----------------------------------------------------------------------------


def _marked(mark):
    return ["sh", "-c", f"sleep 3; : {mark}"]


# name: (body (a dict gets the marked command unless it says otherwise), status, code, words
# the message must hold)
BAD_BODIES = {
    "malformed-json": (b'{"command": ["echo", ', 400, "invalid_json", ["line 1"]),
    "not-an-object": (b'["echo", "hi"]', 422, "invalid_type", ["body"]),
    "command-is-string": ({"command": "echo hi"}, 422, "invalid_type", ["command"]),
    "command-item-number": ({"command": ["echo", 5]}, 422, "invalid_type", ["command[1]"]),
    "files-is-object": ({"files": {"a": "b"}}, 422, "invalid_type", ["files"]),
    "file-content-number": ({"files": [{"path": "a", "content": 1}]}, 422, "invalid_type",
                            ["files[0].content"]),
    "limit-is-string": ({"limits": {"memory_bytes": "1G"}}, 422, "invalid_type",
                        ["limits.memory_bytes"]),
    "env-is-list": ({"env": ["A=1"]}, 422, "invalid_type", ["env"]),
    "env-bad-name": ({"env": {"1A": "x"}}, 422, "invalid_value", ["env.1A"]),
    "unknown-field": ({"comand": ["echo"]}, 422, "unknown_field", ["comand"]),
    "unknown-limit": ({"limits": {"memory": 5}}, 422, "unknown_field", ["limits.memory"]),
    "unknown-language": ({"command": None, "language": "cobol", "code": "x"}, 422,
                         "unknown_language", ["language", "cobol"]),
    "language-without-code": ({"command": None, "language": "python"}, 422, "missing_field",
                              ["code"]),
    "command-and-language": ({"language": "python", "code": "1"}, 422, "invalid_request",
                             ["command", "language"]),
    "path-dotdot": ({"files": [{"path": "../x", "content": ""}]}, 422, "invalid_path",
                    ["files[0].path"]),
    "path-dotdot-inner": ({"files": [{"path": "a/../../x", "content": ""}]}, 422,
                          "invalid_path", ["files[0].path"]),
    "path-absolute": ({"files": [{"path": "/etc/passwd", "content": ""}]}, 422, "invalid_path",
                      ["files[0].path"]),
    "path-clash": ({"files": [{"path": "a", "content": ""}, {"path": "a/b", "content": ""}]},
                   422, "invalid_path", ["files[1].path"]),
    "collect-dotdot": ({"collect": ["../*"]}, 422, "invalid_path", ["collect[0]"]),
    "collect-outside-work": ({"collect": ["/etc/*"]}, 422, "invalid_path", ["collect[0]"]),
    "bad-base64": ({"files": [{"path": "a", "content": "!!!", "encoding": "base64"}]}, 422,
                   "invalid_base64", ["files[0].content"]),
    "memory-over-cap": ({"limits": {"memory_bytes": 2 << 30}}, 422, "over_limit",
                        ["limits.memory_bytes"]),
    "wall-over-cap": ({"limits": {"wall_ms": 3600 * 1000}}, 422, "over_limit", ["limits.wall_ms"]),
    "pids-over-cap": ({"limits": {"pids": 100000}}, 422, "over_limit", ["limits.pids"]),
    "memory-under-min": ({"limits": {"memory_bytes": 1024}}, 422, "invalid_value",
                         ["limits.memory_bytes"]),
    "network-not-enabled": ({"network": {"allow": ["example.org"]}}, 422, "network_disabled",
                            ["network"]),
    "duplicate-key": (b'{"command": ["true"], "command": ["true"]}', 400, "invalid_json",
                      ["duplicate"]),
    "invalid-utf8": (b'{"command": ["echo", "\xff"]}', 400, "invalid_json", ["0xff"]),
    "too-deep": (b"[" * 100000 + b"]" * 100000, 400, "invalid_json", ["depth"]),
    "empty-body": (b"", 400, "invalid_json", ["line 1"]),
    "empty-command": ({"command": []}, 422, "invalid_value", ["command"]),
    "nul-in-argument": ({"command": ["echo", "a\0b"]}, 422, "invalid_value", ["command[1]"]),
    "code-without-language": ({"code": "x"}, 422, "invalid_request", ["code"]),
    "file-takes-code-path": ({"command": None, "language": "python", "code": "1",
                              "files": [{"path": "main.py", "content": ""}]}, 422,
                             "invalid_path", ["files[0].path"]),
    "files-over-scratch": ({"files": [{"path": "a", "content": "x" * 70000}],
                            "limits": {"scratch_bytes": 65536}}, 422, "over_limit",
                           ["scratch_bytes"]),
    "cpus-absurd": ({"limits": {"cpus": 1e308}}, 422, "invalid_value", ["limits.cpus"]),
}


def _assert_nothing_ran(serve, mark, before):
    assert not hc.find_procs(mark), "the command ran"
    assert not serve.leaked_cgroups(before, 0.3), "a sandbox cgroup was created"
    assert serve.healthy(), "the service is not healthy after a bad request"
    assert serve.proc.poll() is None


@pytest.mark.parametrize("case", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_body_refused(serve, case):
    body, status, code, words = case
    mark = hc.marker()
    before = hc.airlock_cgroup_dirs()
    if isinstance(body, dict):
        full = {"command": _marked(mark)}
        full.update(body)
        body = json.dumps({k: v for k, v in full.items() if v is not None}).encode()
    r = serve.post("/v1/runs", data=body, timeout=10)
    sf.check_error(r, status, code, words)
    _assert_nothing_ran(serve, mark, before)


def test_body_over_max_body_is_413(serve):
    mark = hc.marker()
    before = hc.airlock_cgroup_dirs()
    big = {"command": _marked(mark), "files": [{"path": "big", "content": "x" * MAX_BODY}]}
    r = serve.post("/v1/runs", big, timeout=10)
    sf.check_error(r, 413, "body_too_large", [str(MAX_BODY)])
    _assert_nothing_ran(serve, mark, before)


def test_zero_output_limit_keeps_nothing(serve):
    """limits.stdout_bytes 0 means what `airlock run --output 0` means: the program runs and
    none of its output is kept."""
    res = serve.run({"command": ["echo", "hello"], "limits": {"stdout_bytes": 0}})
    assert res["stdout"] == ""
    assert res["stdout_bytes"] == 6


def test_result_is_airlock_run_json(serve, run_json):
    """The service's answer is the result `airlock run --json` prints: the same keys, in the
    same order, and the same outcome."""
    cmd = ["sh", "-c", "echo out; echo err >&2; exit 4"]
    cli = run_json("--", *cmd)
    res = serve.run({"command": cmd})
    assert list(res) == list(cli), (list(res), list(cli))
    for k in ("status", "exit_code", "stdout", "stderr", "limits", "sandbox", "events"):
        assert res[k] == cli[k], k


def test_chunked_body_over_max_body_is_refused(serve):
    """Without a Content-Length the cap is found while reading: 413, or at least the upload is
    cut off; either way nothing runs and the service stays healthy."""
    mark = hc.marker()
    before = hc.airlock_cgroup_dirs()
    head = json.dumps({"command": _marked(mark), "stdin": ""})[:-3].encode()

    def chunks():
        yield head
        for _ in range(2 * MAX_BODY // 4096):
            yield b"x" * 4096
        yield b'"}'

    try:
        r = serve.post("/v1/runs", data=chunks(), timeout=10)
        sf.check_error(r, 413, "body_too_large", [str(MAX_BODY)])
    except requests.ConnectionError:
        pass
    _assert_nothing_ran(serve, mark, before)


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded", None,
                                   "application/jsonx"])
def test_wrong_content_type_is_415(serve, ctype):
    mark = hc.marker()
    before = hc.airlock_cgroup_dirs()
    headers = {"Content-Type": ctype} if ctype else {}
    r = serve.http.post(serve.url("/v1/runs"), data=json.dumps({"command": _marked(mark)}),
                        headers=headers, timeout=10)
    if ctype is None:
        assert "Content-Type" not in r.request.headers
    sf.check_error(r, 415, "unsupported_media_type", ["Content-Type"])
    _assert_nothing_ran(serve, mark, before)


@pytest.mark.parametrize("path", ["/", "/v1", "/v1/run", "/v2/runs", "/v1/runs/1",
                                  "/healthz/x", "/%2e%2e/etc/passwd"])
def test_unknown_route_is_404(serve, path):
    r = serve.http.get(serve.base + path, timeout=10)
    sf.check_error(r, 404, "not_found", ["no such route"])
    assert serve.healthy()


@pytest.mark.parametrize("method,path", [("GET", "/v1/runs"), ("DELETE", "/v1/runs"),
                                         ("POST", "/healthz"), ("PUT", "/v1/runtimes"),
                                         ("POST", "/metrics")])
def test_wrong_method_is_405(serve, method, path):
    r = serve.http.request(method, serve.url(path), timeout=10)
    body = sf.check_error(r, 405, "method_not_allowed", [path])
    assert "Allow" in r.headers, body
    assert serve.healthy()


def test_keys_missing_or_wrong_is_401(server):
    key = sf.secret()
    s = server(keys={"ci": key})
    mark = hc.marker()
    before = hc.airlock_cgroup_dirs()
    for headers in ({}, {"Authorization": f"Bearer {sf.secret()}"}, {"Authorization": key},
                    {"Authorization": f"Basic {key}"}, {"Authorization": f"Bearer {key[:-1]}"},
                    {"Authorization": f"Bearer {key}x"}):
        r = s.post("/v1/runs", {"command": _marked(mark)}, headers=headers, timeout=10)
        sf.check_error(r, 401, "unauthorized", ["key"])
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
        r = s.get("/v1/runtimes", headers=headers)
        assert r.status_code == 401
    _assert_nothing_ran(s, mark, before)
    assert s.run({"command": ["echo", "ok"]}, key=key)["stdout"] == "ok\n"
    assert s.get("/healthz").status_code == 200  # never needs a key
    runs = [r for r in s.access_log() if r["path"] == "/v1/runs"]
    assert [r["key"] for r in runs if r["status"] == 200] == ["ci"], runs
    assert all(r["key"] is None for r in runs if r["status"] == 401), runs
    assert key not in s.log(), "the secret reached the log"


# --- streaming ------------------------------------------------------------------------------


def test_stream_sends_output_before_result(serve):
    body = {"command": ["sh", "-c", "echo one; sleep 1.5; echo two >&2; sleep 0.1; echo three"]}
    t0 = time.monotonic()
    r = serve.post("/v1/runs", body, headers={"Accept": "text/event-stream"}, stream=True)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/event-stream")
    events = list(sf.sse_events(r))
    names = [e[1] for e in events]
    assert names[0] == "started" and names[-1] == "result", names
    assert names.count("result") == 1
    out = [(t, d["data"]) for t, n, d in events if n == "stdout"]
    err = [(t, d["data"]) for t, n, d in events if n == "stderr"]
    assert "".join(d for _, d in out) == "one\nthree\n"
    assert "".join(d for _, d in err) == "two\n"
    first_t = out[0][1] == "one\n" and out[0][0]
    result_t, _, result = events[-1]
    assert first_t and result_t - first_t > 1.0, "stdout was not streamed before the result"
    assert first_t - t0 < 5, "the first output came late"
    for t, n, d in events:
        sf.validate(d, sf.STREAM_SCHEMAS[n])
    sf.validate(result, "RunResult")
    assert result["status"] == "ok" and result["stdout"] == "one\nthree\n"


def test_stream_refusal_is_a_plain_error(serve):
    r = serve.post("/v1/runs", {"command": ["true"], "files": [{"path": "/x", "content": ""}]},
                   headers={"Accept": "text/event-stream"})
    sf.check_error(r, 422, "invalid_path", ["files[0].path"])


def test_stream_of_invalid_utf8_keeps_bytes(serve):
    r = serve.post("/v1/runs", {"command": ["printf", "ok \\303\\251 \\377"]},
                   headers={"Accept": "text/event-stream"}, stream=True)
    out = b""
    for _, name, d in sf.sse_events(r):
        if name == "stdout":
            out += base64.b64decode(d["base64"]) if "base64" in d else d["data"].encode()
    assert out == "ok é ".encode() + b"\xff"


# --- network ---------------------------------------------------------------------------------


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello from the host\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def test_network_allow_list_through_the_gateway(server):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = httpd.server_address[1]
    try:
        s = server("--allow-net", "--allow-private", "127.0.0.1/32")
        fetch = ("import sys, urllib.request as u\n"
                 "try:\n print(u.urlopen(sys.argv[1], timeout=10).read().decode(), end='')\n"
                 "except Exception as e:\n print('refused', type(e).__name__); sys.exit(3)\n")
        res = s.run({"command": ["python3", "-c", fetch, f"http://127.0.0.1:{port}/"],
                     "network": {"allow": [f"127.0.0.1:{port}"]}, "limits": {"wall_ms": 30000}})
        assert res["status"] == "ok" and res["stdout"] == "hello from the host\n", res
        assert res["network"]["enabled"] is True
        assert any(a["verdict"] == "allowed" and a["port"] == port
                   for a in res["network"]["attempts"]), res["network"]
        other = f"http://127.0.0.1:{port + 1 if port < 65535 else port - 1}/"
        res = s.run({"command": ["python3", "-c", fetch, other],
                     "network": {"allow": [f"127.0.0.1:{port}"]}, "limits": {"wall_ms": 30000}})
        assert res["status"] == "exit_nonzero" and res["stdout"].startswith("refused"), res
        assert all(a["verdict"] == "refused" for a in res["network"]["attempts"]), res["network"]
        r = s.post("/v1/runs", {"command": ["true"], "network": {"allow": ["bad host!"]}})
        sf.check_error(r, 422, "invalid_value", ["network.allow[0]"])
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_config_file(server, tmp_path):
    """--config sets what the flags set (same names); flags win over it."""
    cfg = tmp_path / "serve.json"
    cfg.write_text(json.dumps({
        "listen": "127.0.0.1:1",  # replaced by the fixture's --listen
        "max_inline_bytes": "1K",
        "max_limits": {"wall_ms": 2000},
        "default_limits": {"wall_ms": 1500, "memory_bytes": 128 << 20},
        "max_body_bytes": "64K",
    }))
    s = server("--config", str(cfg), "--max-body", "32K")
    res = s.run({"command": ["sh", "-c", "head -c 4096 /dev/zero > big.bin; echo hi > small.txt"],
                 "collect": ["*"]})
    assert res["limits"]["wall_ms"] == 1500 and res["limits"]["memory_bytes"] == 128 << 20
    files = {f["path"]: f for f in res["files"]}
    assert "skipped" in files["big.bin"] and "content_base64" not in files["big.bin"], files
    assert base64.b64decode(files["small.txt"]["content_base64"]) == b"hi\n"
    r = s.post("/v1/runs", {"command": ["true"], "limits": {"wall_ms": 3000}})
    sf.check_error(r, 422, "over_limit", ["limits.wall_ms", "2000"])
    r = s.post("/v1/runs", {"command": ["true"], "stdin": "x" * (40 << 10)})
    sf.check_error(r, 413, "body_too_large", [str(32 << 10)])


def test_config_file_errors_name_the_key(tmp_path):
    cfg = tmp_path / "serve.json"
    for text, words in (('{"max_concurent": 4}', ["max_concurent", "unknown key"]),
                        ('{"queue_size": "many"}', ["queue_size"]),
                        ('{"listen": ', ["line 1"])):
        cfg.write_text(text)
        p = subprocess.run([hc.AIRLOCK, "serve", "--config", str(cfg)], env=hc.clean_env(),
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
        lines = p.stderr.decode(errors="replace").splitlines()
        assert p.returncode == hc.EXIT_USAGE, (text, p.returncode, lines)
        assert lines and lines[0].startswith("airlock: ") and str(cfg) in lines[0], lines
        for w in words:
            assert w in lines[0], (w, lines)


def test_refuses_non_loopback_without_keys(tmp_path):
    port = sf.free_port()
    env = hc.clean_env()
    env.pop("AIRLOCK_API_KEYS", None)
    p = subprocess.run([hc.AIRLOCK, "serve", "--listen", f"0.0.0.0:{port}"], env=env,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    lines = p.stderr.decode(errors="replace").splitlines()
    assert p.returncode == hc.EXIT_USAGE, (p.returncode, lines)
    assert len(lines) == 1 and lines[0].startswith("airlock: "), lines
    assert "0.0.0.0" in lines[0] and "keys" in lines[0], lines
    with socket.socket() as c:
        assert c.connect_ex(("127.0.0.1", port)) != 0, "something listens after the refusal"


def _unix_http(path, request):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
        c.settimeout(20)
        c.connect(str(path))
        c.sendall(request)
        data = b""
        while chunk := c.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def test_unix_socket_listener(server, tmp_path):
    path = tmp_path / "airlock.sock"
    s = server("--listen", f"unix:{path}")  # beside the TCP one the fixture polls
    assert path.is_socket()
    status, body = _unix_http(path, b"GET /healthz HTTP/1.0\r\n\r\n")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    req = json.dumps({"command": ["echo", "over unix"]}).encode()
    status, body = _unix_http(path, b"POST /v1/runs HTTP/1.0\r\nContent-Type: application/json"
                              b"\r\nContent-Length: %d\r\n\r\n%s" % (len(req), req))
    assert status == 200 and json.loads(body)["stdout"] == "over unix\n"
    assert s.stop() == 0
    # The socket file stays after a stop (or a crash); the next start replaces it.
    s2 = server("--listen", f"unix:{path}")
    status, _ = _unix_http(path, b"GET /readyz HTTP/1.0\r\n\r\n")
    assert status == 200
    assert s2.stop() == 0


def test_listen_refuses_to_replace_a_regular_file(tmp_path):
    path = tmp_path / "not-a-socket"
    path.write_text("precious\n")
    p = subprocess.run([hc.AIRLOCK, "serve", "--listen", f"unix:{path}"], env=hc.clean_env(),
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    assert p.returncode in (hc.EXIT_USAGE, hc.EXIT_SETUP), p
    assert path.read_text() == "precious\n"


def test_frontend_holds_no_privileges(serve):
    fe = serve.frontend_pid()
    st = hc.proc_status(fe)
    assert st["NoNewPrivs"] == "1" and st["Seccomp"] == "2", st
    for cap in ("CapEff", "CapPrm", "CapInh", "CapAmb"):
        assert int(st[cap], 16) == 0, (cap, st[cap])
    if hc.IS_ROOT:
        assert all(u != 0 for u in hc.status_ids(st, "Uid")), st["Uid"]
        assert all(g != 0 for g in hc.status_ids(st, "Gid")), st["Gid"]
        assert int(st["CapBnd"], 16) == 0, st["CapBnd"]
        assert st["Groups"] == "", st["Groups"]
    # The launcher does not hand it a sandbox: runs are still made by the launcher's workers.
    res = serve.run({"command": ["echo", "x"]})
    assert res["status"] == "ok"


@pytest.mark.root_only(reason="only root can look into another uid's non-dumpable process")
def test_frontend_uid_is_not_root(serve):
    st = hc.proc_status(serve.frontend_pid())
    assert hc.status_ids(st, "Uid")[0] == 65534, st["Uid"]


def test_metrics_count_runs(serve):
    serve.run({"command": ["true"]})
    text = serve.get("/metrics").text
    assert 'airlock_runs_total{status="ok",language="command"}' in text, text
    assert "airlock_active_sandboxes" in text and "airlock_queue_depth" in text
    assert "airlock_rejected_requests_total" in text


def test_stream_carries_audit_events_and_the_kill(serve):
    """A streamed run sends its audit events as they happen: the alert for a credential read
    arrives before the result, which says policy_violation with the rule."""
    body = {"command": ["sh", "-c", "echo hi; cat /etc/shadow; echo after"]}
    r = serve.post("/v1/runs", body, headers={"Accept": "text/event-stream"}, stream=True)
    assert r.status_code == 200
    events = list(sf.sse_events(r))
    names = [n for _, n, _ in events]
    kinds = [d.get("kind") for _, n, d in events if n == "event"]
    assert "run.start" in kinds and "alert" in kinds, kinds
    alert_at = next(i for i, (_, n, d) in enumerate(events) if n == "event" and d["kind"] == "alert")
    assert alert_at < names.index("result")
    for _, n, d in events:
        sf.validate(d, sf.STREAM_SCHEMAS[n])
    result = events[-1][2]
    assert result["status"] == "policy_violation"
    assert result["violation"]["evidence"] == "/etc/shadow"
