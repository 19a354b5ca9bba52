"""`airlock serve` (issue #7) under load and over its life, checked from the host: queue
overflow and per-key limits answer 429, a client that hangs up (or stalls) frees its sandbox at
once, kill -9 of the service during 16 runs leaves no sandbox process or cgroup, 500 requests
at concurrency 32 leak no fd, memory, process or cgroup, SIGTERM drains (and cancels after the
grace), a crash's leftovers go at start, SIGHUP reloads the keys.
"""
import json
import os
import secrets
import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

import hostcheck as hc
import serve_fixture as sf
from serve_fixture import server  # noqa: F401 (a fixture)


# --- capacity -------------------------------------------------------------------------------


def test_queue_overflow_is_429_with_retry_after(server):
    s = server("--max-concurrent", "1", "--queue", "1")
    marks = [hc.marker() for _ in range(3)]
    with ThreadPoolExecutor(3) as pool:
        first = sf.post_async(pool, s, {"command": sf.sleeper(marks[0], 2)})
        assert hc.wait_until(lambda: hc.find_procs(marks[0]), 10), "the first run never started"
        second = sf.post_async(pool, s, {"command": sf.sleeper(marks[1], 0.1)})
        assert hc.wait_until(lambda: s.metric("airlock_queue_depth") == 1, 5), "not queued"
        third = s.post("/v1/runs", {"command": sf.sleeper(marks[2], 0.1)}, timeout=10)
        sf.check_error(third, 429, "queue_full", [])
        assert int(third.headers["Retry-After"]) >= 0
        assert not hc.find_procs(marks[2])
        for f in (first, second):
            r = f.result()
            assert r.status_code == 200 and r.json()["status"] == "ok", r.text[:300]
    assert s.healthy()


def test_per_key_concurrency_is_429(server):
    key = sf.secret()
    s = server("--max-concurrent", "4", keys=f"one:{key}:1\n")
    mark = hc.marker()
    with ThreadPoolExecutor(1) as pool:
        first = sf.post_async(pool, s, {"command": sf.sleeper(mark, 2)},
                            headers={"Authorization": f"Bearer {key}"})
        assert hc.wait_until(lambda: hc.find_procs(mark), 10)
        r = s.post("/v1/runs", {"command": ["true"]}, headers={"Authorization": f"Bearer {key}"})
        sf.check_error(r, 429, "key_busy", ["one"])
        assert "Retry-After" in r.headers
        assert first.result().json()["status"] == "ok"


# --- a client that hangs up -----------------------------------------------------------------


@pytest.mark.parametrize("accept", ["application/json", "text/event-stream"])
def test_client_hangup_frees_sandbox_at_once(server, accept):
    s = server("--max-concurrent", "1")
    mark = hc.marker()
    before = hc.airlock_cgroup_dirs()
    sock = s.raw_run({"command": sf.sleeper(mark)}, headers={"Accept": accept})
    procs = hc.wait_until(lambda: hc.find_procs(mark), 10)
    assert procs, "the run never started"
    dirs = set().union(*(hc.proc_cgroup_dirs(p) for p in procs))
    assert dirs, "the sandbox is in no airlock cgroup"
    sock.close()
    t0 = time.monotonic()
    assert not hc.wait_gone(mark, 2.0), "the sandbox outlived its client"
    assert not hc.wait_dirs_gone(dirs, 2.0), "the sandbox's cgroup outlived its client"
    assert time.monotonic() - t0 < 2.5
    # Its slot is free: with --max-concurrent 1 a new run gets in straight away.
    t1 = time.monotonic()
    assert s.run({"command": ["echo", "next"]}, timeout=10)["stdout"] == "next\n"
    assert time.monotonic() - t1 < 5
    assert not s.leaked_cgroups(before, 2.0)


def test_client_hangup_while_queued_leaves_queue(server):
    s = server("--max-concurrent", "1", "--queue", "1")
    running, queued = hc.marker(), hc.marker()
    a = s.raw_run({"command": sf.sleeper(running)})
    assert hc.wait_until(lambda: hc.find_procs(running), 10)
    b = s.raw_run({"command": sf.sleeper(queued)})
    assert hc.wait_until(lambda: s.metric("airlock_queue_depth") == 1, 5)
    b.close()
    assert hc.wait_until(lambda: s.metric("airlock_queue_depth") == 0, 2), "still queued"
    a.close()
    assert not hc.wait_gone(running, 2.0)
    assert not hc.find_procs(queued), "the run of a client that left the queue started"
    assert s.run({"command": ["true"]}, timeout=10)["status"] == "ok"


def test_slow_client_does_not_hold_a_sandbox(server):
    """A client that sends half a body and stalls is dropped after --client-timeout, without
    ever holding a sandbox slot: meanwhile another run goes through."""
    s = server("--max-concurrent", "1", "--client-timeout", "1s")
    sock = socket.create_connection(("127.0.0.1", s.port))
    sock.sendall(b"POST /v1/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 100\r\n\r\n{\"command\": ")
    assert s.run({"command": ["true"]}, timeout=10)["status"] == "ok"
    sock.settimeout(5)
    t0 = time.monotonic()
    try:
        data = sock.recv(4096)
    except (ConnectionResetError, socket.timeout):
        data = b""
    assert time.monotonic() - t0 < 4, "the stalled client was not dropped"
    assert not data.startswith(b"HTTP/1.1 200"), data
    sock.close()


def test_stalled_stream_reader_does_not_hold_a_sandbox(server):
    """A streaming client that stops reading while its program floods stdout: the sandbox
    blocks on the full channel, and after --client-timeout the client is dropped, its run
    cancelled and its slot freed."""
    s = server("--max-concurrent", "1", "--client-timeout", "1s")
    mark = hc.marker()
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.connect(("127.0.0.1", s.port))
    body = json.dumps({"command": ["sh", "-c", f"while :; do echo {'x' * 100}; done; : {mark}"],
                       "limits": {"wall_ms": 60000, "stdout_bytes": 16 << 20}}).encode()
    c.sendall(b"POST /v1/runs HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n"
              b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
              % (len(body), body))
    try:
        assert c.recv(1000).startswith(b"HTTP/1.1 200"), "the stream did not start"
        assert hc.wait_until(lambda: hc.find_procs(mark), 10)
        assert not hc.wait_gone(mark, 8.0), "a stalled reader kept its sandbox"
        assert s.metric("airlock_active_sandboxes") == 0
        assert s.run({"command": ["true"]}, timeout=10)["status"] == "ok"
    finally:
        c.close()


# --- kill -9 of the service ------------------------------------------------------------------


def test_kill9_during_runs_leaves_nothing(server, tmp_path):
    n = 16
    s = server("--max-concurrent", str(n), "--queue", "4")
    mark = hc.marker()
    before = set(s.cgroups_before)
    socks = [s.raw_run({"command": sf.sleeper(mark, 60)}) for _ in range(n)]
    try:
        procs = hc.wait_until(lambda: len(hc.find_procs(mark)) >= n and hc.find_procs(mark), 30)
        assert procs and len(procs) == n, f"only {len(hc.find_procs(mark))} of {n} runs started"
        dirs = set().union(*(hc.proc_cgroup_dirs(p) for p in procs))
        assert len(dirs) >= n, "the sandboxes are not in cgroups of their own"
        s.note_descendants()
        s.kill9()
        s.expect_rc = None
        # The sandboxes die with the service, not when it restarts.
        left = hc.wait_gone(mark, 5.0)
        assert not left, f"sandbox processes outlived the service: {left}"
        # The restarted service removes what a crash left (the janitors normally have).
        # Sixteen janitors each remove a group of four or five v1 directories: on a loaded
        # 2-core machine that can take a few seconds.
        s2 = server("--max-concurrent", str(n))
        assert not hc.wait_dirs_gone(dirs, 10.0), "sandbox cgroups outlived the service"
        hc.wait_until(lambda: not sf.still_alive(s.seen), 5.0)
        left = {p: (hc.proc_status(p) or {}).get("Name") for p in sf.still_alive(s.seen)}
        assert not left, f"processes of the killed service are left: {left}"
        assert s2.run({"command": ["echo", "again"]})["stdout"] == "again\n"
        assert not sf.leaked_cgroups(before, s.ours() | s2.ours(), 10.0)
    finally:
        for k in socks:
            k.close()


def test_frontend_killed_takes_the_service_down_cleanly(server):
    """The front end is the process that faces the network: if it dies (a crash, or an
    attacker who took it over kills it), the launcher cancels what runs and exits non-zero, so
    that a supervisor restarts the whole service; nothing is left."""
    s = server()
    mark = hc.marker()
    sock = s.raw_run({"command": sf.sleeper(mark, 60)})
    try:
        assert hc.wait_until(lambda: hc.find_procs(mark), 10)
        s.note_descendants()
        os.kill(s.frontend_pid(), signal.SIGKILL)
        assert not hc.wait_gone(mark, 5.0), "a run outlived the front end"
        rc = s.wait(timeout=20)
        assert rc != 0, "the launcher exited 0 after losing its front end"
        s.expect_rc = None
    finally:
        sock.close()


# --- 500 requests ---------------------------------------------------------------------------


def _resources(s, fe):
    return {
        "launcher_fds": sf.fd_count(s.pid),
        "frontend_fds": sf.fd_count(fe),
        "launcher_rss": sf.rss_kib(s.pid),
        "frontend_rss": sf.rss_kib(fe),
        "threads": int(hc.proc_status(fe)["Threads"]),
    }


def test_500_requests_at_concurrency_32(server):
    s = server()
    fe = s.frontend_pid()
    before_dirs = hc.airlock_cgroup_dirs()

    def batch(n_requests, concurrency):
        def worker(w):
            http = sf.session()
            bad = []
            for i in range(w, n_requests, concurrency):
                token = f"req-{i}-{hc.rand()}"
                r = http.post(s.url("/v1/runs"), data=json.dumps({"command": ["echo", token]}),
                              headers={"Content-Type": "application/json"}, timeout=120)
                if r.status_code != 200:
                    bad.append((i, r.status_code, r.text[:200]))
                    continue
                res = r.json()
                if res["status"] != "ok" or res["stdout"] != token + "\n":
                    bad.append((i, res["status"], res["stdout"], res.get("error")))
            http.close()
            return bad

        with ThreadPoolExecutor(concurrency) as pool:
            return [b for bad in pool.map(worker, range(concurrency)) for b in bad]

    # Warm up first: lazily made state (malloc arenas, MHD's pools) is not a leak.
    assert batch(64, 32) == []
    time.sleep(0.5)
    before = _resources(s, fe)
    t0 = time.monotonic()
    bad = batch(500, 32)
    elapsed = time.monotonic() - t0
    assert bad == [], bad[:5]
    # Connections close and their threads end asynchronously.
    def back_to_before():
        now = _resources(s, fe)
        return now["frontend_fds"] in (None, before["frontend_fds"]) and \
            now["threads"] <= before["threads"]

    settled = hc.wait_until(back_to_before, 5)
    after = _resources(s, fe)
    print(f"500 runs in {elapsed:.1f} s; before {before}, after {after}")
    assert settled, f"front end did not settle: before {before}, after {after}"
    for k in ("launcher_fds", "frontend_fds"):
        if before[k] is not None:
            assert after[k] <= before[k], (k, before, after)
    assert after["launcher_rss"] <= before["launcher_rss"] + 2048, (before, after)
    assert after["frontend_rss"] <= before["frontend_rss"] + 4096, (before, after)
    assert sf.children(s.pid) == [fe], "run workers were left"
    assert not s.leaked_cgroups(before_dirs, 2.0)
    ok = [r for r in s.access_log() if r["path"] == "/v1/runs" and r["status"] == 200]
    assert len(ok) == 564


# --- lifecycle ------------------------------------------------------------------------------


def test_sigterm_drain_lets_runs_finish(server):
    s = server(grace="20s")
    mark = hc.marker()
    with ThreadPoolExecutor(1) as pool:
        f = sf.post_async(pool, s, {"command": sf.sleeper(mark, 3)})
        assert hc.wait_until(lambda: hc.find_procs(mark), 10)
        t0 = time.monotonic()
        s.signal(signal.SIGTERM)
        # Draining: not ready, and no new runs. The listener is closed, so a new connection is
        # refused; the session's kept-alive one still gets answers.
        time.sleep(0.3)
        for path, body in (("/readyz", None), ("/v1/runs", {"command": ["true"]})):
            try:
                r = s.get(path, timeout=5) if body is None else s.post(path, body, timeout=5)
                sf.check_error(r, 503, "draining", ["shutting down"])
                assert "Retry-After" in r.headers
            except requests.ConnectionError:
                pass
        with socket.socket() as c:
            assert c.connect_ex(("127.0.0.1", s.port)) != 0, "still accepting while draining"
        r = f.result()
    assert r.status_code == 200
    res = r.json()
    assert res["status"] == "ok" and res["wall_ms"] >= 2500, res
    rc = s.wait(timeout=10)
    assert rc == 0, s.log()
    assert time.monotonic() - t0 < 10
    assert "draining" in s.log()


def test_sigterm_short_grace_cancels_runs(server):
    s = server(grace="1s")
    mark = hc.marker()
    with ThreadPoolExecutor(2) as pool:
        plain = sf.post_async(pool, s, {"command": sf.sleeper(mark, 60)})
        streamed = sf.post_async(pool, s, {"command": sf.sleeper(mark, 60)},
                               headers={"Accept": "text/event-stream"}, stream=True)
        assert hc.wait_until(lambda: len(hc.find_procs(mark)) == 2, 10)
        t0 = time.monotonic()
        s.signal(signal.SIGTERM)
        r = plain.result()
        assert r.status_code == 200, r.text
        res = r.json()
        sf.validate(res, "RunResult")
        assert res["status"] == "cancelled", res
        events = list(sf.sse_events(streamed.result()))
        assert events[-1][1] == "result" and events[-1][2]["status"] == "cancelled", events
    assert time.monotonic() - t0 < 8
    assert s.wait(timeout=10) == 0, s.log()
    assert not hc.wait_gone(mark, 2.0)


def test_start_removes_crash_leftovers(server):
    """A cgroup a crashed server left (no airlock holds it) is removed when the service starts,
    and a process still in it is killed (as root; rootless groups are empty ones)."""
    if hc.IS_ROOT:
        parents = [f"/sys/fs/cgroup/{c}/airlock" for c in hc.v1_controllers_in_use()]
        name = f"uid-{1999000000 + secrets.randbelow(900000)}"
    else:
        parents = [str(p) for p in hc.CGROUP_ROOT.glob(f"*/airlock/user-{os.getuid()}")]
        name = f"run-999999-{hc.rand()[:8]}"
    if not parents:
        pytest.skip("no airlock cgroup parent on this host yet")
    dirs = []
    sleeper_proc = None
    try:
        for parent in parents:
            os.mkdir(os.path.join(parent, name))
            dirs.append(os.path.join(parent, name))
        if hc.IS_ROOT:
            sleeper_proc = subprocess.Popen(["sleep", "60", hc.marker()])
            for d in dirs:
                with open(os.path.join(d, "cgroup.procs"), "w") as f:
                    f.write(str(sleeper_proc.pid))
        s = server()
        assert not hc.wait_dirs_gone(dirs, 3.0), "the stale group outlived the start"
        assert "stale cgroup" in s.log(), s.log()
        if sleeper_proc:
            assert sleeper_proc.wait(timeout=3) != 0, "the stale group's process lives on"
    finally:
        if sleeper_proc:
            sleeper_proc.kill()
            sleeper_proc.wait()
        for d in dirs:
            try:
                os.rmdir(d)
            except OSError:
                pass


def test_second_sigterm_skips_the_grace(server):
    s = server(grace="60s")
    mark = hc.marker()
    with ThreadPoolExecutor(1) as pool:
        f = sf.post_async(pool, s, {"command": sf.sleeper(mark, 60)})
        assert hc.wait_until(lambda: hc.find_procs(mark), 10)
        s.signal(signal.SIGTERM)
        time.sleep(0.5)
        assert hc.find_procs(mark), "the first SIGTERM did not leave a grace period"
        t0 = time.monotonic()
        s.signal(signal.SIGTERM)
        assert f.result().json()["status"] == "cancelled"
    assert time.monotonic() - t0 < 5
    assert s.wait(timeout=10) == 0


def test_sighup_reloads_keys(server):
    old, new = sf.secret(), sf.secret()
    s = server(keys={"old": old})

    def status(key):
        return s.post("/v1/runs", {"command": ["true"]},
                      headers={"Authorization": f"Bearer {key}"}).status_code

    assert status(old) == 200 and status(new) == 401
    s.write_keys({"new": new})
    s.signal(signal.SIGHUP)
    assert hc.wait_until(lambda: status(old) == 401, 5), "old key still accepted"
    assert status(new) == 200
    # A keys file that does not parse keeps the keys in force.
    s.write_keys("not a valid key line\n")
    s.signal(signal.SIGHUP)
    time.sleep(0.5)
    assert status(new) == 200 and status(old) == 401
    assert s.healthy()


def test_sighup_with_no_keys_left_fails_closed(server):
    """An operator who empties the keys file to revoke every key must not open the service to
    every local user: a server started with keys keeps requiring one."""
    key = sf.secret()
    s = server(keys={"ci": key})
    s.write_keys("# every key revoked\n")
    s.signal(signal.SIGHUP)
    time.sleep(0.5)
    r = s.post("/v1/runs", {"command": ["true"]})
    assert r.status_code == 401, f"no key needed after revoking every key: {r.status_code}"
