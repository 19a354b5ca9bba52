"""`airlock serve` for the integration tests: start it on a free loopback port, talk to it, and
check from the host, when it stops, that it left nothing behind.

A Server is started with start_new_session, so the launcher leads a process group of its own:
the front end and the run workers stay in it (the sandboxes' programs get sessions of their
own, and are found through their markers and their cgroups instead). Nothing here compares
global counts: another airlock may run on the machine at the same time.
"""
import json
import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
import yaml
from jsonschema import Draft202012Validator, RefResolver

import hostcheck as hc

SPEC_PATH = hc.REPO / "docs/openapi.yaml"
HEALTH_TIMEOUT = 20.0  # s: start-up probes every runtime's version on the host
STOP_TIMEOUT = 15.0  # s beyond the grace period
EXIT_USAGE = hc.EXIT_USAGE


# --- the spec -------------------------------------------------------------------------------

_spec = None


def spec():
    global _spec
    if _spec is None:
        with open(SPEC_PATH) as f:
            _spec = yaml.safe_load(f)
    return _spec


def validate(instance, schema_name):
    """Raises jsonschema.ValidationError unless instance fits components/schemas/NAME."""
    s = spec()
    v = Draft202012Validator({"$ref": f"#/components/schemas/{schema_name}"},
                             resolver=RefResolver.from_schema(s))
    v.validate(instance)


# --- processes ------------------------------------------------------------------------------


def proc_stat(pid):
    """(ppid, pgid, starttime) or None; the fields after comm, which may hold spaces."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[2]), int(fields[19])


def all_stats():
    out = {}
    for e in os.listdir("/proc"):
        if e.isdigit():
            st = proc_stat(int(e))
            if st:
                out[int(e)] = st
    return out


def children(pid):
    return sorted(p for p, st in all_stats().items() if st[0] == pid)


def descendants(pid):
    """{pid: starttime} of every live descendant (zombies included: they are still ours)."""
    stats = all_stats()
    found, todo = {}, [pid]
    while todo:
        parent = todo.pop()
        for p, st in stats.items():
            if st[0] == parent and p not in found:
                found[p] = st[2]
                todo.append(p)
    return found


def _zombie(pid):
    st = hc.proc_status(pid)
    return st is not None and st.get("State", "").startswith("Z")


def still_alive(snapshot):
    """Those of a {pid: starttime} snapshot that still exist (the same process, not a reuse),
    zombies excluded: an orphan waits there for init to reap it, holding nothing."""
    left = {}
    for p, start in snapshot.items():
        st = proc_stat(p)
        if st and st[2] == start and not _zombie(p):
            left[p] = st
    return left


def group_members(pgid):
    return sorted(p for p, st in all_stats().items() if st[1] == pgid and not _zombie(p))


def _is_airlock(pid):
    argv = hc._cmdline(pid)
    return bool(argv) and os.path.basename(argv[0]) == b"airlock"


def foreign(d, ours):
    """Whether cgroup directory d belongs to another airlock on this machine: every process in
    it descends from a live airlock process that is none of ours. An empty directory counts as
    ours (a leak), as does one whose processes were orphaned."""
    members = hc.cgroup_members([d])
    if not members:
        return False
    stats = all_stats()
    for pid in members:
        p, owner = pid, None
        while p in stats and p > 1:
            if p in ours:
                return False
            if p != pid and _is_airlock(p):
                owner = p
                break
            p = stats[p][0]
        if owner is None:
            return False
    return True


def leaked_cgroups(before, ours, timeout=5.0):
    """airlock cgroups that appeared since `before`, persist, and are not another airlock's."""
    left = set()

    def settled():
        nonlocal left
        left = {d for d in hc.airlock_cgroup_dirs() - before if not foreign(d, ours)}
        return not left

    hc.wait_until(settled, timeout)
    return left


def fd_count(pid):
    """Open fds of pid, or None when /proc does not let us look (a non-dumpable process of our
    own uid, rootless)."""
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except PermissionError:
        return None


def rss_kib(pid):
    st = hc.proc_status(pid)
    return int(st["VmRSS"].split()[0]) if st and "VmRSS" in st else None


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session():
    """A requests session that ignores the environment's proxies."""
    s = requests.Session()
    s.trust_env = False
    return s


# --- the server -----------------------------------------------------------------------------


class Server:
    """One `airlock serve` process. start() waits for /healthz; stop() sends SIGTERM and
    returns the exit code; check_clean() asserts nothing it made is left."""

    def __init__(self, workdir, *args, keys=None, env=None, listen=None, grace="5s"):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.args = list(args)
        self.grace = grace
        self.keys_path = None
        if keys is not None:
            self.keys_path = self.workdir / "keys"
            self.write_keys(keys)
        self.env = env
        self.listen = listen
        self.proc = None
        self.port = None
        self.log_path = self.workdir / f"serve-{hc.rand()}.log"
        self.http = session()
        self.cgroups_before = set()
        self.seen = {}  # {pid: starttime} of every descendant we saw
        self.stopped = False

    # the keys file: {name: secret}, or raw text
    def write_keys(self, keys):
        text = keys if isinstance(keys, str) else "".join(f"{n}:{s}\n" for n, s in keys.items())
        tmp = self.keys_path.with_suffix(".new")
        tmp.write_text(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.keys_path)

    def command(self, listen):
        cmd = [hc.AIRLOCK, "serve", "--listen", listen, "--grace", self.grace, *self.args]
        if self.keys_path is not None:
            cmd += ["--keys", str(self.keys_path)]
        return cmd

    def start(self):
        self.cgroups_before = hc.airlock_cgroup_dirs()
        for _ in range(3):
            if self.listen:
                listen = self.listen
            else:
                self.port = free_port()
                listen = f"127.0.0.1:{self.port}"
            self._spawn(listen)
            if self._wait_healthy():
                self.note_descendants()
                return self
            log = self.log()
            if self.proc.poll() is not None and "in use" in log and not self.listen:
                continue  # someone took the port between our probe and its bind
            self.kill9()
            raise AssertionError(f"airlock serve did not become healthy:\n{log}")
        raise AssertionError("no free port after three tries")

    def _spawn(self, listen):
        self.log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            self.command(listen),
            stdin=subprocess.DEVNULL,
            stdout=self.log_file,
            stderr=self.log_file,
            env=self.env if self.env is not None else hc.clean_env(),
            start_new_session=True,
        )
        self.stopped = False

    def _wait_healthy(self):
        deadline = time.monotonic() + HEALTH_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                if self.get("/healthz", timeout=2).status_code == 200:
                    return True
            except requests.RequestException:
                pass
            time.sleep(0.05)
        return False

    @property
    def pid(self):
        return self.proc.pid

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def url(self, path):
        return self.base + path

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def access_log(self):
        """The access log's records (JSON lines on stderr, among the launcher's own lines)."""
        return [json.loads(l) for l in self.log().splitlines() if l.startswith("{")]

    # --- talking to it --------------------------------------------------------------------

    def get(self, path, timeout=10, **kw):
        return self.http.get(self.url(path), timeout=timeout, **kw)

    def post(self, path, body=None, data=None, timeout=60, headers=None, **kw):
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        if body is not None:
            data = json.dumps(body)
        return self.http.post(self.url(path), data=data, headers=h, timeout=timeout, **kw)

    def run(self, body, timeout=60, key=None, **kw):
        """POST /v1/runs; asserts 200 and a valid result; returns the result."""
        validate(body, "RunRequest")  # what the server takes, the spec must allow
        headers = {"Authorization": f"Bearer {key}"} if key else None
        r = self.post("/v1/runs", body, timeout=timeout, headers=headers, **kw)
        assert r.status_code == 200, (r.status_code, r.text[:2000])
        res = r.json()
        validate(res, "RunResult")
        return res

    def raw_run(self, body, headers=None):
        """Sends POST /v1/runs on a socket of its own and returns the socket unread: a client
        that may hang up whenever the test wants."""
        data = json.dumps(body).encode()
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        head = (f"POST /v1/runs HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n")
        for k, v in (headers or {}).items():
            head += f"{k}: {v}\r\n"
        s.sendall(head.encode() + b"\r\n" + data)
        return s

    def healthy(self):
        try:
            return self.get("/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def metric(self, name):
        """The value of an unlabelled metric in /metrics."""
        for line in self.get("/metrics").text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        return None

    # --- its processes --------------------------------------------------------------------

    def note_descendants(self):
        if self.proc and self.proc.poll() is None:
            self.seen.update(descendants(self.pid))

    def frontend_pid(self):
        """The launcher's child that runs under a seccomp filter: the front end (run workers
        have none)."""
        for p in children(self.pid):
            st = hc.proc_status(p)
            if st and st.get("Seccomp") == "2":
                return p
        raise AssertionError(f"no front end among the launcher's children {children(self.pid)}")

    # --- stopping -------------------------------------------------------------------------

    def ours(self):
        return set(self.seen) | {self.pid}

    def leaked_cgroups(self, before, timeout=5.0):
        self.note_descendants()
        return leaked_cgroups(before, self.ours(), timeout)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=None):
        """SIGTERM, then wait; returns the exit code."""
        if self.proc.poll() is None:
            self.note_descendants()
            self.proc.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def wait(self, timeout=None):
        if timeout is None:
            timeout = _seconds(self.grace) + STOP_TIMEOUT
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill9()
            raise AssertionError(f"airlock serve did not exit within {timeout} s:\n{self.log()}")
        self.stopped = True
        self.log_file.close()
        return rc

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.note_descendants()
            os.kill(self.pid, signal.SIGKILL)
            self.proc.wait()
        self.stopped = True

    def check_clean(self, timeout=5.0):
        """After it exited: nothing of its process group, none of the processes it ever had,
        and no airlock cgroup that was not there before it started."""
        pgid = self.pid
        hc.wait_until(lambda: not group_members(pgid), timeout)
        left = group_members(pgid)
        assert not left, f"processes of the server's group left: {left}"
        hc.wait_until(lambda: not still_alive(self.seen), timeout)
        alive = still_alive(self.seen)
        assert not alive, f"descendants of the server left: {alive}"
        new = self.leaked_cgroups(self.cgroups_before, timeout)
        assert not new, f"airlock cgroups left behind: {sorted(new)}"
        for rec in self.access_log():
            assert {"time", "remote", "method", "path", "status", "bytes", "duration_ms", "key",
                    "run_status"} <= rec.keys(), rec
        # Its own lines name it; nothing else (a library's default logger) writes there.
        stray = [l for l in self.log().splitlines()
                 if l and not l.startswith("{") and not l.startswith("airlock: ")]
        assert not stray, f"stray lines on the server's stderr: {stray[:5]}"


def _seconds(d):
    d = str(d)
    if d.endswith("ms"):
        return float(d[:-2]) / 1000
    if d.endswith("s"):
        return float(d[:-1])
    if d.endswith("m"):
        return float(d[:-1]) * 60
    return float(d)


def start_server(workdir, *args, **kw):
    return Server(workdir, *args, **kw).start()


def finish(server, expect_rc=0):
    """The teardown every test server gets: stop it (unless the test did), check its exit code
    when it was stopped cleanly, and check it left nothing."""
    try:
        if not server.stopped:
            rc = server.stop()
            if expect_rc is not None:
                assert rc == expect_rc, f"airlock serve exited {rc}:\n{server.log()}"
    finally:
        server.kill9()
        server.check_clean()


@pytest.fixture
def server(tmp_path):
    """server(*args, **kw) starts a server of the test's own (Server's arguments); all are
    finished at teardown. A test that kills one on purpose sets its expect_rc to None."""
    started = []

    def start(*args, **kw):
        s = start_server(tmp_path / f"s{len(started)}", *args, **kw)
        started.append(s)
        return s

    yield start
    errors = []
    for s in started:
        try:
            finish(s, expect_rc=getattr(s, "expect_rc", 0))
        except AssertionError as e:
            errors.append(str(e))
    assert not errors, "\n".join(errors)


# --- what the tests share -------------------------------------------------------------------


def secret():
    """An API key secret."""
    return secrets.token_hex(16)


def sleeper(mark, seconds=30):
    """A command that sleeps and carries mark in its argv, so the host can find it."""
    return ["sleep", str(seconds), mark]


def post_async(pool, s, body, **kw):
    """POST /v1/runs on a thread of pool; returns the future of the response."""
    return pool.submit(lambda: s.post("/v1/runs", body, timeout=60, **kw))


def check_error(r, status, code, words):
    """r is an error answer with this status and code, in the spec's shape, whose message
    holds each of words."""
    assert r.status_code == status, (r.status_code, r.text[:500])
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    validate(body, "Error")
    assert body["error"]["code"] == code, body
    for w in words:
        assert w in body["error"]["message"], (w, body)
    return body


# Which schema the data of each Server-Sent Event has.
STREAM_SCHEMAS = {"started": "StreamStarted", "stdout": "StreamOutput", "stderr": "StreamOutput",
                  "event": "AuditEvent", "result": "RunResult", "error": "StreamError"}


def sse_events(resp):
    """(monotonic time, event, data) for each event of a streamed answer, as they arrive."""
    event, data = None, []
    for line in resp.iter_lines(chunk_size=1, decode_unicode=True):
        if line == "":
            if event is not None:
                yield time.monotonic(), event, json.loads("\n".join(data))
            event, data = None, []
        elif line.startswith(":"):
            continue
        elif line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            data.append(line[6:])
