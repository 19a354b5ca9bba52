"""What goes in (environment, stdin) and what comes out (exit codes, signals, raw bytes)."""
import base64
import json

import pytest

import hostcheck as hc


def test_caller_environment_does_not_leak(airlock):
    token = "leak-" + hc.rand()
    greet = "hello-" + hc.rand()
    env = hc.clean_env(AIRLOCK_TEST_SECRET=token, AWS_SECRET_ACCESS_KEY=token, LD_PRELOAD="/nonexistent.so")
    p = airlock("run", "--json", "--env", f"GREETING={greet}", "--", "sh", "-c",
                "env; cat /proc/self/environ /proc/1/environ", env=env)
    r = hc.parse_result(p.returncode, p.stdout, p.stderr)
    assert token not in p.stdout.decode(errors="replace")
    lines = r["stdout"].splitlines()
    assert f"GREETING={greet}" in lines
    assert not any(line.startswith(("AIRLOCK_TEST_SECRET=", "AWS_SECRET", "LD_PRELOAD=")) for line in lines)


def test_env_rejects_bad_names(airlock):
    p = airlock("run", "--env", "NOEQUALS", "--", "true")
    assert p.returncode == hc.EXIT_USAGE
    assert p.stderr.decode().startswith("airlock: ")


def test_stdin_file(run_json, tmp_path):
    f = tmp_path / "in.txt"
    f.write_bytes(b"line one\nline two\x00\xff\n")
    r = run_json("--stdin", str(f), "--", "sh", "-c", "cat | od -An -tx1")
    assert r["status"] == "ok", r
    assert r["stdout"].split() == [f"{b:02x}" for b in f.read_bytes()]


def test_stdin_dash(run_json):
    data = ("piped-" + hc.rand() + "\n").encode()
    r = run_json("--stdin", "-", "--", "cat", input=data)
    assert r["status"] == "ok", r
    assert r["stdout"].encode() == data


def test_default_stdin_is_empty(run_json):
    r = run_json("--", "sh", "-c", "wc -c; readlink /proc/self/fd/0", input=b"must not arrive\n")
    assert r["status"] == "ok", r
    assert r["stdout"].split() == ["0", "/dev/null"]


def test_non_utf8_stdout_round_trips(run_json):
    data = bytes(range(256)) * 2
    r = run_json("--", "python3", "-c",
                 "import sys; d = bytes(range(256)) * 2; sys.stdout.buffer.write(d); sys.stderr.buffer.write(d[::-1])")
    assert r["status"] == "ok", r
    assert base64.b64decode(r["stdout_base64"]) == data
    assert base64.b64decode(r["stderr_base64"]) == data[::-1]
    assert r["stdout_bytes"] == len(data)
    assert "\ufffd" in r["stdout"]


def test_utf8_stdout_has_no_base64(run_json):
    r = run_json("--", "printf", "h\u00e9llo \u2603 \\000 end")
    assert r["stdout"] == "h\u00e9llo \u2603 \u0000 end"
    assert "stdout_base64" not in r and "stderr_base64" not in r


@pytest.mark.parametrize("cmd, status, rc, sig", [
    ("exit 0", "ok", 0, None),
    ("exit 3", "exit_nonzero", 3, None),
    ("exit 114", "exit_nonzero", 114, None),  # same code as a timeout: only the JSON can tell
    ("kill -SEGV $$", "signaled", 139, "SIGSEGV"),
    ("kill -ABRT $$", "signaled", 134, "SIGABRT"),
])
def test_exit_status_pass_through(run_json, cmd, status, rc, sig):
    r = run_json("--", "sh", "-c", cmd)
    assert r["status"] == status, r
    assert r.rc == rc
    if sig:
        assert r["exit_code"] is None and r["signal_name"] == sig and r["signal"] == rc - 128
    else:
        assert r["exit_code"] == rc and r["signal"] is None


def test_text_report_and_exit_code_without_json(airlock):
    p = airlock("run", "--", "sh", "-c", "echo out; echo err >&2; exit 7")
    assert p.returncode == 7
    assert p.stdout == b"out\n"
    lines = p.stderr.decode().splitlines()
    assert "err" in lines
    assert any(line.startswith("airlock: status exit_nonzero") for line in lines), lines


def test_result_file_matches_stdout(run_json, tmp_path):
    res = tmp_path / "result.json"
    r = run_json("--result", str(res), "--", "echo", "hi")
    assert json.loads(res.read_text()) == dict(r)
