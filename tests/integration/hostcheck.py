"""Host-side observations for the integration tests.

Every guarantee is checked from outside the sandbox where possible: which processes exist
(found by a unique marker in their argv), which uid and capabilities they hold, and which
cgroup directories exist. Other airlock runs may happen on the same machine at the same time,
so nothing here compares global counts: everything is keyed to a marker or to one run's own
cgroup directories.
"""
import json
import os
import secrets
import signal
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
AIRLOCK = os.path.abspath(os.environ.get("AIRLOCK") or REPO / "build/src/cli/airlock")
IS_ROOT = os.geteuid() == 0
CGROUP_ROOT = Path("/sys/fs/cgroup")
# The first host uid a root-run sandbox gets (config/limits.h: AIRLOCK_DEFAULT_UID_BASE).
SANDBOX_UID_BASE = 2000000000
SANDBOX_UID = 1000
EXIT_SETUP, EXIT_USAGE = 111, 112
EXIT_TIMEOUT, EXIT_CPU, EXIT_MEMORY, EXIT_PIDS, EXIT_OUTPUT = 114, 115, 116, 117, 118


def marker():
    """A unique token that is also a valid `sleep` argument (sleep adds its arguments up), so
    it can sit in the argv of the sandboxed program and be found in the host's /proc."""
    return "0.000000%012d" % secrets.randbelow(10**12)


def rand():
    return secrets.token_hex(6)


def clean_env(**extra):
    """airlock's own environment: the caller's, minus the runner's fixture variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRLOCK_TEST_")}
    env.update(extra)
    return env


# --- processes ----------------------------------------------------------------------------


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().split(b"\0")[:-1]
    except OSError:
        return None


def find_procs(mark):
    """{pid: argv} of every host process with `mark` in one of its arguments, zombies
    excluded (a zombie holds no resources and is its parent's business)."""
    needle = mark.encode()
    me = os.getpid()
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        argv = _cmdline(entry)
        if not argv or not any(needle in a for a in argv):
            continue
        st = proc_status(int(entry))
        if st is None or st.get("State", "").startswith("Z"):
            continue
        found[int(entry)] = argv
    return found


def program_procs(mark):
    """Marker processes that are not airlock itself: airlock, its janitor and the sandbox's
    reaper all carry airlock's argv (which contains the marker too)."""
    me = os.fsencode(AIRLOCK)
    return {p: a for p, a in find_procs(mark).items() if a[0] != me}


def host_process_count():
    return sum(1 for e in os.listdir("/proc") if e.isdigit())


def wait_until(pred, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(interval)


def wait_gone(mark, timeout=2.0):
    """Polls until no process carries mark; returns what is left (empty when all gone)."""
    left = {}

    def gone():
        nonlocal left
        left = find_procs(mark)
        return not left

    wait_until(gone, timeout)
    return left


def proc_status(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    out = {}
    for line in lines:
        k, _, v = line.partition(":")
        out[k] = v.strip()
    return out


def status_ids(st, key):
    return [int(x) for x in st[key].split()]


# --- cgroups ------------------------------------------------------------------------------


def proc_cgroup_dirs(pid):
    """The host directories of the airlock cgroups pid is in (v1: one per hierarchy)."""
    dirs = set()
    try:
        with open(f"/proc/{pid}/cgroup") as f:
            lines = f.read().splitlines()
    except OSError:
        return dirs
    for line in lines:
        _, ctrl, path = line.split(":", 2)
        if "/airlock/" not in path:
            continue
        if ctrl == "":
            base = CGROUP_ROOT / "unified" if (CGROUP_ROOT / "unified").is_dir() else CGROUP_ROOT
        else:
            base = CGROUP_ROOT / ctrl
        dirs.add(str(base) + path)
    return dirs


def cgroup_members(dirs):
    """Every pid in any of the given cgroup directories."""
    pids = set()
    for d in dirs:
        try:
            with open(os.path.join(d, "cgroup.procs")) as f:
                pids.update(int(x) for x in f.read().split())
        except OSError:
            pass
    return pids


def airlock_cgroup_dirs():
    """Every run group under any airlock/ subtree (uid-N as root, user-U/run-* rootless)."""
    out = set()
    for top in CGROUP_ROOT.glob("*/airlock"):
        for d in top.iterdir():
            if not d.is_dir():
                continue
            if d.name.startswith("user-"):
                out.update(str(x) for x in d.iterdir() if x.is_dir())
            else:
                out.add(str(d))
    for d in CGROUP_ROOT.glob("airlock/*"):  # pure v2 layout
        if d.is_dir():
            out.add(str(d))
    return out


def wait_no_new_dirs(before, timeout=1.0):
    """Dirs that appeared since `before` and stay. Someone else's short run may create and
    remove a group meanwhile; only a group that persists is a leak."""
    new = set()

    def settled():
        nonlocal new
        new = airlock_cgroup_dirs() - before
        return not new

    wait_until(settled, timeout)
    return new


def wait_dirs_gone(dirs, timeout=3.0):
    """Polls until none of dirs exists; returns those still there."""
    left = []

    def gone():
        nonlocal left
        left = [d for d in dirs if os.path.isdir(d)]
        return not left

    wait_until(gone, timeout)
    return left


def v1_controllers_in_use():
    """The v1 hierarchies that hold an airlock/ parent (memory, pids, cpu...)."""
    return sorted(p.parent.name for p in CGROUP_ROOT.glob("*/airlock") if p.parent.name != "unified")


# --- a run watched from the host while it is going ------------------------------------------


class Watched:
    """An `airlock run --json` started in the background whose program carries a marker, so
    the test can look at the program from the host while it runs."""

    def __init__(self, args, mark, env=None):
        self.mark = mark
        self.proc = subprocess.Popen(
            [AIRLOCK, "run", "--json", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env or clean_env(),
        )

    def program(self, timeout=5.0):
        """Waits for the sandboxed program; returns (pid, status dict, cgroup dirs)."""
        procs = wait_until(lambda: program_procs(self.mark), timeout)
        assert procs, f"program with marker {self.mark} never appeared on the host"
        pid = min(procs)
        return pid, proc_status(pid), proc_cgroup_dirs(pid)

    def finish(self, timeout=30):
        out, err = self.proc.communicate(timeout=timeout)
        return parse_result(self.proc.returncode, out, err)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()


class Result(dict):
    """The parsed JSON result; .rc is airlock's exit code, .err its stderr text."""

    rc = None
    err = ""


def parse_result(rc, out, err):
    try:
        r = Result(json.loads(out))
    except ValueError as e:
        raise AssertionError(f"no JSON on stdout (rc={rc}): {out[:500]!r} stderr={err[:500]!r}") from e
    r.rc = rc
    r.err = err.decode(errors="replace")
    return r


def kill_pid(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def net_attempts(result):
    """(kind, host, port, verdict) of each attempt in a run result's network record."""
    return [(a["kind"], a["host"], a["port"], a["verdict"])
            for a in result["network"]["attempts"]]
