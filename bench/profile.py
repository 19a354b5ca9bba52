#!/usr/bin/python3
"""Split traced `airlock run` invocations into phases (see bench/profile.sh).

Usage: profile.py TRACE CGROUPS AIRLOCK_PATH

TRACE is an ftrace text dump with syscalls:*, sched_process_{fork,exec,exit} and
cgroup_{mkdir,rmdir,attach_task} events; CGROUPS a copy of /proc/cgroups (to name the v1
hierarchies); AIRLOCK_PATH the binary whose exec starts a run.

The processes of a run: P, airlock itself; J, its janitor (first fork); S, pid 1 of the
sandbox (clone3); W, the worker that becomes the program. The phases follow the critical path
from P's exec to P's exit, so they add up to the total.
"""
import re
import statistics
import sys
from collections import defaultdict

LINE = re.compile(
    r"^\s*(?P<comm>.*?)-(?P<pid>\d+)\s+\[\d+\]\s+\S+\s+(?P<ts>\d+\.\d+): (?P<ev>\w+)(?P<rest>.*)$"
)


def parse(path):
    events = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if m:
                events.append(
                    (float(m["ts"]) * 1000.0, int(m["pid"]), m["ev"], m["rest"].strip(": "))
                )
    return events


def field(rest, name):
    m = re.search(rf"\b{name}=(\S+)", rest)
    return m.group(1) if m else None


class Proc:
    def __init__(self, pid):
        self.pid = pid
        self.calls = []  # (name, enter_ms, exit_ms, ret, args)
        self.open = None
        self.fork_ts = None
        self.exec = []  # (ts, filename)
        self.exit_ts = None
        self.children = []  # (ts, pid)
        self.cg = []  # (ts, event, rest)

    def first(self, name, after=float("-inf"), pred=None):
        for c in self.calls:
            if c[0] == name and c[1] >= after and (pred is None or pred(c)):
                return c
        return None


def build(events):
    procs = {}

    def proc(pid):
        if pid not in procs:
            procs[pid] = Proc(pid)
        return procs[pid]

    for ts, pid, ev, rest in events:
        p = proc(pid)
        if ev.startswith("sys_"):
            name = ev[4:]
            if rest.startswith("->"):
                if p.open and p.open[0] == name:
                    try:
                        ret = int(rest[2:].strip(), 16)
                    except ValueError:
                        ret = None
                    if ret is not None and ret >= 1 << 63:
                        ret -= 1 << 64
                    p.calls.append((name, p.open[1], ts, ret, p.open[2]))
                p.open = None
            else:
                p.open = (name, ts, rest)
        elif ev == "sched_process_fork":
            child = int(field(rest, "child_pid"))
            proc(int(field(rest, "pid"))).children.append((ts, child))
            proc(child).fork_ts = ts
        elif ev == "sched_process_exec":
            p.exec.append((ts, field(rest, "filename")))
            p.open = None
        elif ev == "sched_process_exit":
            p.exit_ts = ts
        elif ev.startswith("cgroup_"):
            p.cg.append((ts, ev, rest))
    return procs


def hierarchy_names(path):
    names = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            parts = line.split()
            if len(parts) >= 2 and parts[1] != "0":
                names[parts[1]].append(parts[0])
    return {k: ",".join(v) for k, v in names.items()}


def analyse_run(procs, P, hier):
    """Phase boundaries of one run, or None when the run is incomplete in the trace."""
    t0 = next(ts for ts, fn in P.exec)
    kids = [procs[c] for _, c in P.children]
    clone3 = P.first("clone3")
    fork = P.first("clone", pred=lambda c: c[3] and c[3] > 0)
    if not clone3 or not fork or P.exit_ts is None:
        return None
    S = procs.get(clone3[3])
    J = procs.get(fork[3])
    if S is None or J is None or S not in kids:
        return None
    W = None
    for _, c in S.children:
        if procs[c].exec:
            W = procs[c]
    if W is None or W.exit_ts is None or S.exit_ts is None:
        return None

    flocks = [c for c in P.calls if c[0] == "flock"]
    gc_lock = flocks[0] if flocks else None  # gc: LOCK_EX on the parent
    # The write(cgroup.procs) around each attach event. None on cgroup v2, where pid 1 is
    # cloned straight into its group.
    attach_writes = []
    for ts, _, rest in (e for e in P.cg if e[1] == "cgroup_attach_task"):
        w = next((c for c in P.calls if c[0] == "write" and c[1] <= ts <= c[2]), None)
        if w:
            attach_writes.append((hier.get(field(rest, "dst_root"), field(rest, "dst_root")), w))
    p_sync1 = P.first("sendmsg", after=clone3[2])
    s_recvs = [c for c in S.calls if c[0] == "recvmsg"]
    s_send2 = S.first("sendmsg")
    # Its return value is the worker's pid in the sandbox's pid namespace, not W.pid.
    s_fork = S.first("clone", pred=lambda c: c[3] is not None and c[3] > 0)
    w_exec = W.exec[0][0]
    p_wait_s = P.first("wait4", pred=lambda c: c[3] == S.pid)
    p_wait_j = P.first("wait4", pred=lambda c: c[3] == J.pid)
    j_read = J.first("read", pred=lambda c: c[3] is not None and c[3] >= 0)
    if len(s_recvs) < 2 or not all(
        (p_sync1, s_send2, s_fork, p_wait_s, p_wait_j, j_read, gc_lock)
    ):
        return None
    s_recv1, s_recv3 = s_recvs[0], s_recvs[1]
    mkdirs = [e[0] for e in P.cg if e[1] == "cgroup_mkdir"]
    rmdirs = [e for e in P.cg if e[1] == "cgroup_rmdir"]

    def between(proc, name, a, b):
        return [c for c in proc.calls if c[0] == name and a <= c[1] < b]

    teardown_sleeps = between(P, "nanosleep", p_wait_s[2], j_read[2]) + between(
        P, "clock_nanosleep", p_wait_s[2], j_read[2]
    )
    mounts = between(S, "mount", s_recv1[2], s_fork[1])
    attach_s = attach_writes[0][1][1] if attach_writes else None
    attach_e = attach_writes[-1][1][2] if attach_writes else None
    # Before 3c183a8 the attach came before sync #1; since, pid 1 builds while it runs and
    # waits for it at sync #3. The labels say which, the boundaries stay the same.
    early = attach_e is not None and attach_e <= p_sync1[1]
    late = attach_e is not None and not early
    phases = [
        ("exec, libc start-up, open/probe cgroup hierarchies", t0, gc_lock[1]),
        ("gc scan of stale groups (cgroup_gc)", gc_lock[1], mkdirs[0] if mkdirs else fork[1]),
        ("create group: mkdir ×%d, flock, limits" % len(mkdirs),
         mkdirs[0] if mkdirs else fork[1], fork[1]),
        ("fork the janitor", fork[1], fork[2]),
        ("environment, pipes, socketpair", fork[2], clone3[1]),
        ("clone3 (user, pid, mount, net, ipc, uts namespaces)", clone3[1], clone3[2]),
        ("write uid/gid maps" + (", cgroup attach (write cgroup.procs ×%d)"
                                 % len(attach_writes) if early else ""), clone3[2], p_sync1[1]),
        ("sync #1 until pid 1 runs", p_sync1[1], s_recv1[2]),
        ("pid 1: root tmpfs, /usr, /etc, /dev, /proc, /tmp, /work (%d mounts in all)"
         % len(mounts), s_recv1[2], s_send2[1]),
        ("pid 1: read-only tree, pivot_root, hostname, loopback", s_send2[1], s_recv3[1]),
        ("pid 1 waits for sync #3 (inputs copied%s)" % (", cgroup attach" if late else ""),
         s_recv3[1], s_recv3[2]),
        ("pid 1 forks the worker", s_recv3[2], W.fork_ts),
        ("worker: session, rlimits, fds, creds, caps, landlock, seccomp, exec",
         W.fork_ts, w_exec),
        ("the program itself (exec to exit)", w_exec, W.exit_ts),
        ("pid 1 reaps, reports, exits", W.exit_ts, S.exit_ts),
        ("airlock sees pid 1 gone, drains, reaps it", S.exit_ts, p_wait_s[2]),
        ("teardown: usage, freeze+kill, wait empty, rmdir ×%d" % len(rmdirs),
         p_wait_s[2], j_read[2]),
        ("janitor release: janitor exits, waitpid", j_read[2], p_wait_j[2]),
        ("report, exit", p_wait_j[2], P.exit_ts),
    ]
    detail = {
        "attach": [(name, w[2] - w[1]) for name, w in attach_writes],
        "mount_ms": sum(c[2] - c[1] for c in mounts),
        "mounts": len(mounts),
        "sleeps": len(teardown_sleeps),
        "sleep_ms": sum(c[2] - c[1] for c in teardown_sleeps),
        "janitor_fork_child_ms": (J.exit_ts - J.fork_ts) if J.exit_ts and J.fork_ts else None,
        "clone3_ms": clone3[2] - clone3[1],
    }
    per_call = defaultdict(float)
    for role, proc in (("airlock", P), ("pid 1", S), ("worker", W)):
        for c in proc.calls:
            per_call[(role, c[0])] += c[2] - c[1]
    return [(n, b - a) for n, a, b in phases], P.exit_ts - t0, detail, per_call


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    procs = build(parse(argv[1]))
    hier = hierarchy_names(argv[2])
    airlock = argv[3]
    runs = []
    for p in procs.values():
        if any(fn == airlock for _, fn in p.exec):
            r = analyse_run(procs, p, hier)
            if r:
                runs.append(r)
    if not runs:
        print("profile.py: no complete run in the trace", file=sys.stderr)
        return 1
    n = len(runs)
    total = med([r[1] for r in runs])
    print(f"{n} traced runs; median total {total:.2f} ms (exec of airlock to its exit)\n")
    print("| phase (critical path, in order) | median ms | p25–p75 ms | share |")
    print("|---|---:|---:|---:|")
    for i in range(len(runs[0][0])):
        names = [r[0][i][0] for r in runs]
        name = max(set(names), key=names.count)
        xs = [r[0][i][1] for r in runs]
        q = statistics.quantiles(xs, n=4) if len(xs) >= 2 else [xs[0]] * 3
        print(f"| {name} | {med(xs):.2f} | {q[0]:.2f}–{q[2]:.2f} | {100 * med(xs) / total:.0f}% |")
    print()
    by_ctrl = defaultdict(list)
    for r in runs:
        for name, ms in r[2]["attach"]:
            by_ctrl[name].append(ms)
    print("cgroup.procs writes, median ms per hierarchy, in order: " + ", ".join(
        f"{k} {med(v):.2f}" for k, v in by_ctrl.items()))
    slow = [sum(ms for _, ms in r[2]["attach"]) for r in runs]
    slow = [x for x in slow if x > 1.0]
    if slow:
        print(f"  attach over 1 ms (a writer waiting for an RCU grace period) in {len(slow)} of "
              f"{n} runs: median {med(slow):.2f} ms, max {max(slow):.2f} ms")
    print(f"mount(2) in pid 1: median {med([r[2]['mounts'] for r in runs]):.0f} calls, "
          f"{med([r[2]['mount_ms'] for r in runs]):.2f} ms inside the syscalls")
    print(f"sleeps in teardown: median {med([r[2]['sleeps'] for r in runs]):.0f} "
          f"nanosleep calls, {med([r[2]['sleep_ms'] for r in runs]):.2f} ms")
    print(f"janitor lifetime (off the critical path until release): median "
          f"{med([r[2]['janitor_fork_child_ms'] for r in runs if r[2]['janitor_fork_child_ms']]):.2f} ms")
    print("\nTime inside syscalls, by process and syscall (median per run, top 12):")
    keys = set()
    for r in runs:
        keys |= set(r[3])
    rows = sorted(((med([r[3].get(k, 0.0) for r in runs]), k) for k in keys), reverse=True)[:12]
    for ms, (role, name) in rows:
        print(f"  {role:8s} {name:16s} {ms:7.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
