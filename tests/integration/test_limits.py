"""Resource limits: each one is hit on purpose, and the run must end with the right status,
exit code and counters, leaving nothing behind on the host."""
import hostcheck as hc

MIB = 1024 * 1024

MEMORY_BOMB = """
hog = []
while True:
    hog.append(bytearray(1 << 20))
"""


def test_infinite_loop_times_out(watched):
    mark = hc.marker()
    w = watched(["--time", "1s", "--", "sh", "-c", f"while :; do :; done; : {mark}"], mark)
    _, _, dirs = w.program()
    assert dirs, "the program is in no airlock cgroup"
    r = w.finish()
    assert r["status"] == "timeout", r
    assert r.rc == hc.EXIT_TIMEOUT
    assert r["limits"]["wall_ms"] == 1000
    assert 1000 <= r["wall_ms"] <= 2500, r["wall_ms"]
    assert not hc.wait_gone(mark), "the looping program survived its timeout"
    assert not hc.wait_dirs_gone(dirs), "the run's cgroup is left behind"


def test_sleeping_program_times_out(run_json):
    r = run_json("--time", "1s", "--", "sleep", "100")
    assert r["status"] == "timeout", r
    assert r.rc == hc.EXIT_TIMEOUT
    assert 1000 <= r["wall_ms"] <= 2500


def test_cpu_time_limit(run_json):
    r = run_json("--cpu-time", "1s", "--time", "10s", "--", "sh", "-c", "while :; do :; done")
    assert r["status"] == "cpu_limit", r
    assert r.rc == hc.EXIT_CPU
    assert r["cpu_user_ms"] + r["cpu_sys_ms"] >= 900
    assert r["wall_ms"] < 8000


def test_cpus_quota_throttles(run_json):
    """Two busy processes with --cpus 0.5 get at most half a core between them."""
    r = run_json("--cpus", "0.5", "--time", "2s", "--", "sh", "-c",
                 "while :; do :; done & while :; do :; done")
    assert r["status"] == "timeout", r
    cpu = r["cpu_user_ms"] + r["cpu_sys_ms"]
    assert cpu <= 0.5 * r["wall_ms"] + 300, (cpu, r["wall_ms"])


def test_memory_bomb_is_oom_killed(run_json):
    cap = 64 * MIB
    r = run_json("--memory", "64M", "--time", "10s", "--", "python3", "-c", MEMORY_BOMB)
    assert r["status"] == "memory_limit", r
    assert r.rc == hc.EXIT_MEMORY
    assert r["limits"]["memory_bytes"] == cap
    assert r["events"]["oom_kills"] >= 1
    assert cap * 0.5 <= r["memory_peak_bytes"] <= cap + 2 * MIB, r["memory_peak_bytes"]


def test_memory_limit_covers_tmpfs(run_json):
    """Files in /tmp are memory too: filling /tmp past --memory must not escape the cap."""
    r = run_json("--memory", "32M", "--tmp", "256M", "--time", "10s", "--", "sh", "-c",
                 "head -c 100M /dev/zero > /tmp/fill; echo done")
    assert r["status"] != "ok", r
    assert r["memory_peak_bytes"] <= 32 * MIB + 2 * MIB


def test_fork_bomb_hits_pids_limit(run_json):
    mark = hc.marker()
    # The program waits for its bomb: a run ends when its main program exits, so a bomb whose
    # parent returns at once is torn down before it ever reaches the limit.
    bomb = f":(){{ :|:& }};:; wait; sleep 10 # {mark}"
    baseline = hc.host_process_count()
    r = run_json("--pids", "16", "--time", "2s", "--", "bash", "-c", bomb)
    assert r["events"]["pids_max_hits"] > 0, r
    assert r["status"] in ("pids_limit", "timeout"), r
    if r["status"] == "pids_limit":
        assert r.rc == hc.EXIT_PIDS
    assert not hc.wait_gone(mark, 3.0), "fork bomb processes survived the run"
    # The exact check is the marker above; the host-wide count allows for other users' noise.
    assert hc.wait_until(lambda: hc.host_process_count() <= baseline + 8, 3.0), (
        baseline, hc.host_process_count())


def test_literal_fork_bomb_contained(run_json):
    """The classic bomb's parent returns at once; the run ends then, and its bomb with it."""
    mark = hc.marker()
    r = run_json("--pids", "16", "--time", "2s", "--", "bash", "-c", f":(){{ :|:& }};: # {mark}")
    assert r["status"] in ("ok", "pids_limit", "timeout"), r
    assert not hc.wait_gone(mark, 3.0), "fork bomb processes survived the run"


def test_pids_limit_counts_threads(run_json):
    prog = """
import threading, time
n = 0
try:
    for _ in range(200):
        threading.Thread(target=time.sleep, args=(5,), daemon=True).start(); n += 1
except RuntimeError:
    pass
print(n)
"""
    r = run_json("--pids", "8", "--time", "3s", "--", "python3", "-c", prog)
    assert int(r["stdout"].strip() or 0) < 8, r
    assert r["events"]["pids_max_hits"] > 0


def test_output_flood_is_cut(run_json):
    cap = 64 * 1024
    r = run_json("--output", "64K", "--", "yes", "A" * 40)
    assert r["status"] == "output_limit", r
    assert r.rc == hc.EXIT_OUTPUT
    assert r["stdout_truncated"] is True
    assert len(r["stdout"].encode()) == cap
    assert r["stdout_bytes"] >= cap


def test_stderr_flood_is_cut(run_json):
    r = run_json("--output", "64K", "--", "sh", "-c", "yes EEEE >&2")
    assert r["status"] == "output_limit", r
    assert r.rc == hc.EXIT_OUTPUT
    assert r["stderr_truncated"] is True
    assert len(r["stderr"].encode()) == 64 * 1024
    assert r["stdout"] == ""


def test_tmp_and_scratch_sizes_are_enforced(run_json):
    r = run_json("--tmp", "8M", "--scratch", "8M", "--", "sh", "-c",
                 "head -c 16M /dev/zero > /tmp/big; a=$?; head -c 16M /dev/zero > /work/big;"
                 " b=$?; echo $a $b; du -sk /tmp/big /work/big")
    assert r["status"] == "ok", r
    a, b = r["stdout"].splitlines()[0].split()
    assert a != "0" and b != "0", r["stdout"]
    assert "No space left" in r["stderr"]


def test_fsize_limit(run_json):
    r = run_json("--fsize", "1M", "--", "sh", "-c", "head -c 4M /dev/zero > /work/f; echo rc=$?; wc -c < /work/f")
    assert "rc=0" not in r["stdout"], r
    assert int(r["stdout"].split()[-1]) <= 1024 * 1024
