"""Bad requests are refused before anything runs; check, gc and delegate do their one job."""
import json
import os
import subprocess
import time

import pytest

import hostcheck as hc

BAD_ARGS = {
    "unknown-flag": ["--no-such-flag"],
    "memory-negative": ["--memory", "-5"],
    "memory-bad-suffix": ["--memory", "5X"],
    "time-zero": ["--time", "0"],
    "pids-zero": ["--pids", "0"],
    "copy-missing": ["--copy", "/nonexistent/airlock-missing-file"],
    "copy-dest-dotdot": ["--copy", "/etc/hostname:../x"],
    "copy-dest-absolute": ["--copy", "/etc/hostname:/etc/x"],
    "collect-without-out-dir": ["--collect", "*.txt"],
    "missing-value": ["--memory"],
}


def _check_usage_error(p, marks, before, bind_dir=None):
    lines = p.stderr.decode(errors="replace").splitlines()
    assert p.returncode == hc.EXIT_USAGE, (p.returncode, lines)
    assert len(lines) == 1 and lines[0].startswith("airlock: "), lines
    assert p.stdout == b""
    for m in marks:
        assert not hc.find_procs(m), "the command ran"
    assert not hc.wait_no_new_dirs(before), "a sandbox cgroup was created"
    if bind_dir is not None:
        assert list(bind_dir.iterdir()) == [], "the command ran"


@pytest.mark.parametrize("args", BAD_ARGS.values(), ids=BAD_ARGS.keys())
def test_bad_arguments_refused(airlock, args, bind_dir):
    mark = hc.marker()
    before = hc.airlock_cgroup_dirs()
    t0 = time.monotonic()
    p = airlock("run", *args, "--bind", f"{bind_dir}:/work/host", "--",
                "sh", "-c", f"touch /work/host/ran; sleep 3; : {mark}")
    assert time.monotonic() - t0 < 2.5, "airlock ran the command before refusing"
    _check_usage_error(p, [mark], before, bind_dir)


def test_missing_command_refused(airlock):
    before = hc.airlock_cgroup_dirs()
    for args in ([], ["--"], ["--time", "1s", "--"]):
        p = airlock("run", *args)
        _check_usage_error(p, [], before)


def test_setup_failure_empty_rootfs(airlock, tmp_path, bind_dir):
    empty = tmp_path / "emptyroot"
    empty.mkdir()
    mark = hc.marker()
    before = hc.airlock_cgroup_dirs()
    p = airlock("run", "--json", "--rootfs", str(empty), "--bind", f"{bind_dir}:/work/host", "--",
                "sh", "-c", f"touch /work/host/ran; sleep 3; : {mark}")
    r = hc.parse_result(p.returncode, p.stdout, p.stderr)
    assert r.rc == hc.EXIT_SETUP, r
    assert r["status"] == "setup_error"
    assert r["exit_code"] is None and r["signal"] is None
    err = r["error"]
    assert err["kind"] == "setup" and "/usr" in err["step"], err
    assert err["step"] in err["text"] and "\n" not in err["text"]
    # --json replaces the text report; if a line is printed anyway it is the one error line.
    assert r.err.splitlines() in ([], [f"airlock: {err['text']}"]), r.err
    assert r["stdout"] == "" and r["wall_ms"] == 0
    assert not hc.find_procs(mark)
    assert list(bind_dir.iterdir()) == [], "the command ran"
    assert not hc.wait_no_new_dirs(before), "the failed setup left its cgroup"


def test_setup_failure_text_mode(airlock, tmp_path):
    p = airlock("run", "--rootfs", str(tmp_path), "--", "true")
    lines = p.stderr.decode().splitlines()
    assert p.returncode == hc.EXIT_SETUP
    assert len(lines) == 1 and lines[0].startswith("airlock: ") and "/usr" in lines[0], lines


def test_missing_program_is_setup_error(run_json):
    r = run_json("--", "/no/such/program")
    assert r["status"] == "setup_error", r
    assert r.rc == hc.EXIT_SETUP
    assert r["error"]["step"] == "exec"


def test_check_text(airlock):
    p = airlock("check")
    assert p.returncode == 0, p.stderr
    assert b"airlock can run here: yes" in p.stdout


def test_check_json(airlock):
    p = airlock("check", "--json")
    assert p.returncode == 0, p.stderr
    c = json.loads(p.stdout)
    assert c["can_run"] is True, c["reasons"]
    assert c["euid"] == os.geteuid()
    assert c["rootless"] is (not hc.IS_ROOT)
    assert c["cgroup"]["usable"] is True
    assert c["user_namespaces"]["available"] is True


def _make_stale_group(parents, name):
    dirs = []
    for parent in parents:
        d = os.path.join(parent, name)
        os.mkdir(d)
        dirs.append(d)
    return dirs


@pytest.mark.root_only
def test_gc_kills_and_removes_stale_group(airlock):
    ctrls = hc.v1_controllers_in_use()
    if not ctrls:
        pytest.skip("no airlock cgroup parent on this host yet")
    name = f"uid-{1999000000 + int(hc.rand(), 16) % 900000}"
    dirs = _make_stale_group([f"/sys/fs/cgroup/{c}/airlock" for c in ctrls], name)
    mark = hc.marker()
    sleeper = subprocess.Popen(["sleep", "60", mark])
    try:
        for d in dirs:
            with open(os.path.join(d, "cgroup.procs"), "w") as f:
                f.write(str(sleeper.pid))
        p = airlock("gc")
        assert p.returncode == 0, p.stderr
        assert not hc.wait_dirs_gone(dirs, 2.0), "gc left the stale group"
        assert sleeper.wait(timeout=3) != 0, "gc did not kill the stale group's process"
    finally:
        sleeper.kill()
        sleeper.wait()
        for d in dirs:
            try:
                os.rmdir(d)
            except OSError:
                pass


@pytest.mark.rootless_only(reason="as root, gc of uid-N groups is tested above")
def test_gc_removes_stale_group_rootless(airlock):
    parents = [str(p) for p in hc.CGROUP_ROOT.glob(f"*/airlock/user-{os.getuid()}")]
    if not parents:
        pytest.skip(f"no delegated subtree airlock/user-{os.getuid()} (run airlock delegate)")
    dirs = _make_stale_group(parents, f"run-999999-{hc.rand()[:8]}")
    try:
        p = airlock("gc")
        assert p.returncode == 0, p.stderr
        assert not hc.wait_dirs_gone(dirs, 2.0), "gc left the stale group"
    finally:
        for d in dirs:
            try:
                os.rmdir(d)
            except OSError:
                pass


def test_gc_spares_a_running_sandbox(airlock, watched):
    mark = hc.marker()
    w = watched(["--time", "10s", "--", "sh", "-c", f"sleep 1.5; echo alive; : {mark}"], mark)
    _, _, dirs = w.program()
    p = airlock("gc")
    assert p.returncode == 0, p.stderr
    assert all(os.path.isdir(d) for d in dirs), "gc removed a live run's cgroup"
    r = w.finish()
    assert r["status"] == "ok" and r["stdout"] == "alive\n", r


@pytest.mark.rootless_only(reason="root may delegate")
def test_delegate_needs_root(airlock):
    p = airlock("delegate", str(os.getuid()))
    assert p.returncode != 0
    assert p.stderr.decode().startswith("airlock: ")
