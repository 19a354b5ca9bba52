"""Process containment and identity, checked from the host's /proc and cgroup tree."""
import os
import signal
import subprocess
import time

import pytest

import hostcheck as hc


def test_double_forked_daemon_dies_with_the_run(run_json):
    mark = hc.marker()
    # setsid forks (its parent exits at once): the run may end before the daemon even starts.
    r = run_json("--", "setsid", "sh", "-c", f"sleep 1000 {mark} &")
    assert r["status"] == "ok", r
    assert not hc.wait_gone(mark, 2.0), "a setsid'd background process outlived the run"


def test_daemon_seen_alive_then_gone_after_the_run(watched):
    mark, main = hc.marker(), hc.marker()
    w = watched(["--", "sh", "-c", f"setsid sh -c 'sleep 1000 {mark} &'; sleep 1; : {main}"], main)
    w.program()
    assert hc.wait_until(lambda: hc.program_procs(mark), 3.0), "the daemon never started"
    assert w.finish()["status"] == "ok"
    assert not hc.wait_gone(mark, 2.0), "a double-forked daemon outlived the run"


def test_normal_run_removes_its_cgroup(watched):
    mark = hc.marker()
    w = watched(["--", "sleep", "0.5", mark], mark)
    _, _, dirs = w.program()
    assert dirs and all(os.path.isdir(d) for d in dirs)
    assert w.finish()["status"] == "ok"
    assert not hc.wait_dirs_gone(dirs, 2.0), "cgroup left after a normal run"
    assert not hc.wait_gone(mark), "a helper process (janitor?) outlived the run"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killing_airlock_leaves_nothing(watched, sig):
    mark = hc.marker()
    before = hc.airlock_cgroup_dirs()
    w = watched(["--time", "30s", "--", "sleep", "100", mark], mark)
    pid, _, dirs = w.program()
    assert dirs, "the program is in no airlock cgroup"
    t0 = time.monotonic()
    os.kill(w.proc.pid, sig)
    w.proc.wait(timeout=5)
    left = hc.wait_gone(mark, 3.0)
    assert not left, f"processes survived airlock's death: {left}"
    assert not hc.wait_dirs_gone(dirs, 3.0 - (time.monotonic() - t0) + 0.5), "cgroup dir leaked"
    assert not (hc.airlock_cgroup_dirs() & dirs)
    assert not hc.wait_no_new_dirs(before), "new cgroup dirs stayed behind"


def test_inside_no_capabilities_and_no_new_privs(run_json):
    r = run_json("--", "sh", "-c", "cat /proc/self/status; id -u; id -g")
    assert r["status"] == "ok", r
    st = dict(line.split(":", 1) for line in r["stdout"].splitlines() if ":" in line)
    st = {k: v.strip() for k, v in st.items()}
    for cap in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert int(st[cap], 16) == 0, (cap, st[cap])
    assert st["NoNewPrivs"] == "1"
    assert st["Uid"].split() == ["1000"] * 4
    assert st["Gid"].split() == ["1000"] * 4
    assert r["stdout"].splitlines()[-2:] == ["1000", "1000"]


def test_host_view_of_the_program(watched):
    mark = hc.marker()
    w = watched(["--", "sleep", "3", mark], mark)
    pid, st, _ = w.program()
    uids = hc.status_ids(st, "Uid")
    gids = hc.status_ids(st, "Gid")
    assert len(set(uids)) == 1 and len(set(gids)) == 1, st["Uid"]
    if hc.IS_ROOT:
        assert uids[0] >= hc.SANDBOX_UID_BASE, f"sandbox runs as host uid {uids[0]}"
        assert gids[0] >= hc.SANDBOX_UID_BASE
    else:
        assert uids[0] == os.getuid()
    assert int(st["CapEff"], 16) == 0 and int(st["CapPrm"], 16) == 0
    assert st["NoNewPrivs"] == "1"
    w.kill()


def test_no_process_of_the_run_holds_host_root(watched):
    """Every process of the run on the host side of the namespace, the reaper included, must
    hold no host privilege: no capabilities, and not host uid 0."""
    mark = hc.marker()
    w = watched(["--", "sleep", "3", mark], mark)
    _, _, dirs = w.program()
    inside = {p: hc.proc_status(p) for p in hc.cgroup_members(dirs)}
    inside = {p: st for p, st in inside.items() if st}
    assert len(inside) >= 2, f"expected the reaper and the program in the run's cgroup: {inside}"
    for p, st in inside.items():
        assert int(st["CapEff"], 16) == 0, (p, st["CapEff"])
        if hc.IS_ROOT:
            assert min(hc.status_ids(st, "Uid")) >= hc.SANDBOX_UID_BASE, (
                f"pid {p} (NSpid {st.get('NSpid')}) of the run has host Uid {st['Uid']}")
    w.kill()


def test_program_cannot_touch_its_reaper(run_json):
    # The namespaces alone: --audit's proc-init rule would kill the run at /proc/1/environ.
    r = run_json("--audit", "off", "--", "sh", "-c",
                 "kill -KILL 1; kill -STOP 1; kill -TERM 1; cat /proc/1/environ;"
                 " ls /proc/1/fd /proc/1/root/; echo still-here")
    # Refused (root: the reaper is another uid), or ignored (pid 1 ignores signals it has no
    # handler for from inside its namespace): either way the run goes on and ends normally.
    assert r["status"] == "ok", r
    assert r["stdout"] == "still-here\n", r["stdout"]
    # The reaper's environment, fds and root are off limits (or pid 1 is hidden altogether).
    denied = r["stderr"].count("Permission denied") + r["stderr"].count("No such file")
    assert denied == 3, r["stderr"]


@pytest.mark.root_only
def test_concurrent_runs_get_distinct_host_uids(watched):
    marks = [hc.marker(), hc.marker()]
    runs = [watched(["--", "sleep", "2", m], m) for m in marks]
    seen = []
    for w in runs:
        pid, st, dirs = w.program()
        seen.append((hc.status_ids(st, "Uid")[0], frozenset(dirs)))
    assert seen[0][0] != seen[1][0], "two concurrent runs share a host uid"
    assert all(u >= hc.SANDBOX_UID_BASE for u, _ in seen)
    assert not (seen[0][1] & seen[1][1]), "two concurrent runs share a cgroup"
    for w in runs:
        assert w.finish()["status"] == "ok"


@pytest.mark.root_only
def test_uid_range_is_honoured_and_exhaustion_refused(watched, run_json):
    base = 2100000000 + int(hc.rand(), 16) % 1000000
    mark = hc.marker()
    w = watched(["--uid-range", f"{base}:1", "--", "sleep", "2", mark], mark)
    _, st, _ = w.program()
    assert hc.status_ids(st, "Uid")[0] == base
    r = run_json("--uid-range", f"{base}:1", "--", "true")
    assert r["status"] == "setup_error", r
    assert r.rc == hc.EXIT_SETUP
    w.kill()


def test_proc_shows_only_the_sandbox(run_json, host_sleeper):
    mark, host_pid = host_sleeper
    prog = r"""
import json, os
out = {}
for p in sorted(int(x) for x in os.listdir('/proc') if x.isdigit()):
    try:
        out[p] = [open(f'/proc/{p}/comm').read().strip()]
        out[p] += [a.decode(errors='replace') for a in open(f'/proc/{p}/cmdline', 'rb').read().split(b'\0')[:-1]]
    except OSError as e:
        out[p] = ['ERR', str(e)]
print(json.dumps(out))
"""
    r = run_json("--", "python3", "-c", prog)
    assert r["status"] == "ok", r
    procs = {int(k): v for k, v in hc.json.loads(r["stdout"]).items()}
    assert mark not in r["stdout"], "a host process is visible inside"
    assert 1 <= len(procs) <= 3, procs
    assert max(procs) < 100, f"pids look like the host's: {sorted(procs)}"
    # pid 1 is airlock's reaper, unless /proc hides other users' processes (hidepid).
    if 1 in procs:
        assert procs[1][0].startswith("airlock"), f"pid 1 is not airlock's reaper: {procs[1]}"
    assert any(v[1:3] == ["python3", "-c"] for v in procs.values()), procs
    assert not any(v[0] == "sleep" for v in procs.values()), procs


def test_setuid_binaries_do_not_elevate(run_json):
    if not os.path.exists("/usr/bin/su"):
        pytest.skip("no /usr/bin/su on this host")
    # --audit off: its escape-namespace rule would kill the run at mount(2).
    r = run_json("--audit", "off", "--", "sh", "-c",
                 "su -c 'id -u' root </dev/null; mount -t tmpfs x /tmp; id -u")
    assert r["stdout"].split() == ["1000"], r


def test_sysv_ipc_is_private():
    """A host SysV shared-memory segment is not visible inside (own IPC namespace)."""
    made = subprocess.run(["ipcmk", "-M", "4096", "-p", "0666"], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"ipcmk failed: {made.stderr.strip()}")
    shmid = made.stdout.split()[-1]
    try:
        p = subprocess.run([hc.AIRLOCK, "run", "--json", "--", "ipcs", "-m"], capture_output=True,
                           stdin=subprocess.DEVNULL, env=hc.clean_env(), timeout=30)
        r = hc.parse_result(p.returncode, p.stdout, p.stderr)
        assert r["status"] == "ok", r
        ids = [line.split()[1] for line in r["stdout"].splitlines() if line.startswith("0x")]
        assert ids == [], f"host shm segments (ours: {shmid}) visible inside: {r['stdout']}"
    finally:
        subprocess.run(["ipcrm", "-m", shmid], capture_output=True)


def test_program_has_its_own_session_and_no_tty(run_json):
    prog = ("import os\nprint(os.getsid(0) == os.getpid(), os.isatty(0), os.isatty(1))\n"
            "try:\n open('/dev/tty'); print('tty')\nexcept OSError: print('notty')")
    r = run_json("--", "python3", "-c", prog)
    assert r["status"] == "ok", r
    assert r["stdout"].split() == ["True", "False", "False", "notty"], r["stdout"]


def test_sandbox_dies_with_airlock_even_without_the_janitor():
    # Both airlock and its janitor SIGKILLed: the sandbox must still die, through pid 1's
    # parent-death signal (which the kernel clears at every credential change, so pid 1 sets it
    # again after each).
    mark = hc.marker()
    p = subprocess.Popen([hc.AIRLOCK, "run", "--time", "60s", "--env", f"MARK={mark}", "--",
                          "sleep", "100", mark], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert hc.wait_until(lambda: hc.program_procs(mark), 5.0), "the program never started"
        ours = [pid for pid, argv in hc.find_procs(mark).items()
                if argv and argv[0] == os.fsencode(hc.AIRLOCK)]
        assert len(ours) >= 2, ours  # airlock and its janitor
        for pid in ours:
            hc.kill_pid(pid)
        assert not hc.wait_gone(mark, 3.0), "the sandbox outlived airlock and its janitor"
    finally:
        p.kill()
        p.wait()
        subprocess.run([hc.AIRLOCK, "gc"], capture_output=True)
