"""Fixtures for the airlock integration suite (see scripts/run-integration-tests).

The suite runs once as root and once as nobody (uid 65534) with a delegated cgroup subtree.
Tests attack and then check the host side: processes by marker, cgroup directories, host files.
"""
import hashlib
import os
import socket
import subprocess
import sys
import threading
from collections import namedtuple
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import hostcheck as hc  # noqa: E402

Secret = namedtuple("Secret", "path text")


def pytest_report_header(config):
    who = "root" if hc.IS_ROOT else f"uid {os.geteuid()} (rootless)"
    return f"airlock: {hc.AIRLOCK}, running as {who}"


def pytest_collection_modifyitems(config, items):
    for item in items:
        m = item.get_closest_marker("root_only")
        if m and not hc.IS_ROOT:
            why = m.kwargs.get("reason", "per-run host uids and uid-N groups exist only as root")
            item.add_marker(pytest.mark.skip(reason="needs root: " + why))
        m = item.get_closest_marker("rootless_only")
        if m and hc.IS_ROOT:
            why = m.kwargs.get("reason", "root may read any host file, so this attack needs an ordinary user")
            item.add_marker(pytest.mark.skip(reason="rootless only: " + why))


@pytest.fixture(scope="session", autouse=True)
def _binary_exists():
    if not os.access(hc.AIRLOCK, os.X_OK):
        pytest.exit(f"airlock binary not found or not executable: {hc.AIRLOCK}", returncode=2)


@pytest.fixture
def airlock():
    """airlock(*args, input=None, env=None, timeout=60) -> CompletedProcess (bytes)."""

    def run(*args, input=None, env=None, timeout=60):
        kw = {"input": input} if input is not None else {"stdin": subprocess.DEVNULL}
        return subprocess.run(
            [hc.AIRLOCK, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env if env is not None else hc.clean_env(),
            timeout=timeout,
            **kw,
        )

    return run


@pytest.fixture
def run_json(airlock):
    """run_json(*run_args, ...) runs `airlock run --json ARGS` -> Result (dict, .rc, .err)."""

    def run(*args, **kw):
        p = airlock("run", "--json", *args, **kw)
        return hc.parse_result(p.returncode, p.stdout, p.stderr)

    return run


def _fingerprint(path):
    st = os.stat(path)
    digest = None
    if os.access(path, os.R_OK):
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_mode, st.st_uid, digest)


@pytest.fixture
def secret(tmp_path_factory):
    """A file the sandbox must never read. As root: 0600 in a 0700 root-only directory made
    here. Rootless: a root-owned 0600 file the runner made (AIRLOCK_TEST_ROOT_SECRET, with its
    text in AIRLOCK_TEST_ROOT_SECRET_TEXT, which clean_env() keeps away from airlock)."""
    if hc.IS_ROOT:
        d = tmp_path_factory.mktemp("rootonly")
        os.chmod(d, 0o700)
        path = d / "secret.txt"
        text = "airlock-secret-" + hc.rand()
        path.write_text(text + "\n")
        os.chmod(path, 0o600)
    else:
        p = os.environ.get("AIRLOCK_TEST_ROOT_SECRET")
        text = os.environ.get("AIRLOCK_TEST_ROOT_SECRET_TEXT")
        if not p or not text:
            pytest.skip("rootless pass needs the runner's root-owned secret (AIRLOCK_TEST_ROOT_SECRET)")
        path = Path(p)
        assert os.stat(path).st_uid == 0 and not os.access(path, os.R_OK), "secret must be root-only"
    before = _fingerprint(path)
    yield Secret(str(path), text)
    assert _fingerprint(path) == before, "the host secret file changed"


@pytest.fixture
def shadow_fingerprint():
    before = _fingerprint("/etc/shadow")
    yield
    assert _fingerprint("/etc/shadow") == before, "host /etc/shadow changed"


@pytest.fixture
def listener():
    """A TCP listener on 127.0.0.1 (ephemeral port); yields the socket."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    yield s
    s.close()


@pytest.fixture
def host_sleeper():
    """A host process `sleep 60 MARKER` the sandbox must not see; yields the marker."""
    mark = hc.marker()
    p = subprocess.Popen(["sleep", "60", mark])
    yield mark, p.pid
    p.kill()
    p.wait()


@pytest.fixture
def out_dir(tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    return d


@pytest.fixture
def victim(tmp_path):
    """A host file that a symlink planted by an attacker points at; must stay unchanged."""
    v = tmp_path / "victim"
    text = "victim-" + hc.rand() + "\n"
    v.write_text(text)
    before = _fingerprint(v)
    yield v
    assert _fingerprint(v) == before, "the victim file was written through a symlink"
    assert v.read_text() == text


@pytest.fixture
def watched():
    """watched(args, marker) -> hc.Watched; killed at teardown if still running."""
    runs = []

    def start(args, mark, env=None):
        w = hc.Watched(args, mark, env=env)
        runs.append(w)
        return w

    yield start
    for w in runs:
        w.kill()


@pytest.fixture
def bind_dir(tmp_path):
    """A world-writable host dir to --bind in: a run that happened leaves a file here."""
    d = tmp_path / "bind"
    d.mkdir()
    os.chmod(d, 0o777)
    os.chmod(tmp_path, 0o755)
    return d


@pytest.fixture
def echo():
    """A TCP echo server on 127.0.0.1, for CONNECT tunnels (what TLS clients do through a
    proxy); yields (port, connection count)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(4)
    count = {"n": 0}

    def serve():
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            count["n"] += 1
            with c:
                while data := c.recv(4096):
                    c.sendall(data)

    threading.Thread(target=serve, daemon=True).start()
    yield s.getsockname()[1], count
    s.close()
