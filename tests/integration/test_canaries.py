"""--audit alerts watches the credential rules through canary files (docs/EVENTS.md), not by
notifying every open: the kernel tells airlock (inotify) when one is opened, by any name. Each
check reads the host side: the events file, the result airlock wrote."""
import os

import pytest

from test_audit import EXIT_POLICY, index_of, kinds, read_events


def stdout_of_ok_run(run_json, *args):
    r = run_json(*args)
    assert r["status"] == "ok", r
    assert r["audit"]["alerts"] == [], r["audit"]
    return r["stdout"]


@pytest.fixture
def events_file(tmp_path):
    os.chmod(tmp_path, 0o755)
    return tmp_path / "events.jsonl"


@pytest.mark.parametrize("path,rule", [
    ("/etc/shadow", "cred-shadow"),
    ("/etc/gshadow", "cred-shadow"),
    ("/etc/ssh/ssh_host_ed25519_key", "cred-ssh-key"),
    ("/root/.ssh/id_rsa", "cred-ssh-key"),
    ("/tmp/home/.ssh/id_ed25519", "cred-ssh-key"),
    ("/root/.aws/credentials", "cred-cloud"),
    ("/root/.netrc", "cred-cloud"),
    ("/var/run/secrets/kubernetes.io/serviceaccount/token", "cred-token"),
    ("/run/secrets/kubernetes.io/serviceaccount/token", "cred-token"),
])
def test_each_canary_kills_at_alerts(run_json, path, rule):
    r = run_json("--", "python3", "-c", f"open({path!r}).read()")
    assert r["status"] == "policy_violation", (path, r)
    assert r["violation"]["rule"] == rule
    assert r["violation"]["evidence"] == path
    assert r["audit"]["level"] == "alerts"


@pytest.mark.parametrize("script", [
    # a link the program made, to a path no rule pattern names
    "ln -s /etc/shadow /tmp/innocent && cat /tmp/innocent",
    # the root again, through /proc, and a relative walk
    "cat /proc/self/root/root/.aws/credentials",
    "cd /tmp/home && cat ./.ssh/../.ssh/id_rsa",
    # an fd opened for the path only (O_PATH is not an open of the file), then reopened
    "exec 3</dev/null; python3 -c \"import os; fd = os.open('/etc/gshadow', os.O_PATH); "
    "open(f'/proc/self/fd/{fd}').read()\"",
])
def test_any_name_of_a_canary_is_the_canary(run_json, script):
    r = run_json("--", "sh", "-c", script)
    assert r["status"] == "policy_violation", (script, r)
    assert r["violation"]["rule"] in ("cred-shadow", "cred-cloud", "cred-ssh-key"), r


def test_a_canary_read_just_before_exit_still_counts(run_json, events_file):
    # the program is gone before the kill could land: the verdict must not depend on that
    r = run_json("--events", str(events_file), "--", "python3", "-c",
                 "import sys; open('/etc/shadow').read(); sys.exit(0)")
    assert r["status"] == "policy_violation", r
    events = read_events(events_file)
    attempt = index_of(events, lambda e: e["kind"] == "file.open" and e["path"] == "/etc/shadow")
    alert = index_of(events, lambda e: e["kind"] == "alert")
    assert attempt < alert, "the attempt shows before the verdict"
    assert events[-1]["violation"] == "cred-shadow"


def test_text_report_and_exit_code(airlock):
    p = airlock("run", "--", "cat", "/root/.ssh/id_ecdsa")
    assert p.returncode == EXIT_POLICY
    assert "killed by rule cred-ssh-key (critical): /root/.ssh/id_ecdsa" in p.stderr.decode()


OPEN_LOOP = """
import os
for _ in range(3000):
    os.close(os.open('/usr/lib/os-release', os.O_RDONLY))
print('done')
"""


def test_alerts_does_not_watch_opens(run_json, events_file):
    # the opens never reach the supervisor: no file.open event, even for a path outside the
    # layout; full still sees them
    r = run_json("--events", str(events_file), "--", "python3", "-c",
                 OPEN_LOOP + "open('/nonexistent', 'a')")
    assert r["status"] == "exit_nonzero", r
    assert kinds(read_events(events_file), "file.open") == []
    r = run_json("--audit", "full", "--events", str(events_file), "--", "python3", "-c", OPEN_LOOP)
    assert r["status"] == "ok", r
    assert len(kinds(read_events(events_file), "file.open")) >= 3000


def test_looking_is_not_reading(run_json):
    # stat, listing and access() are what benign code does to find its config: no alert
    script = ("ls -la /etc/shadow /root /root/.ssh /tmp/home/.ssh >/dev/null && "
              "test -e /root/.aws/credentials && test -r /etc/gshadow && echo looked")
    assert stdout_of_ok_run(run_json, "--", "sh", "-c", script) == "looked\n"


def test_home_has_no_cloud_canaries(run_json):
    # requests reads ~/.netrc, boto3 ~/.aws/credentials, libpq ~/.pgpass when they exist: in
    # HOME they must stay absent, or a benign program would be killed
    prog = ("import os\n"
            "for p in ('~/.netrc', '~/.aws/credentials', '~/.aws/config', '~/.pgpass',\n"
            "          '~/.docker/config.json', '~/.kube/config', '~/.git-credentials'):\n"
            "    assert not os.path.exists(os.path.expanduser(p)), p\n"
            "print('absent')\n")
    assert stdout_of_ok_run(run_json, "--", "python3", "-c", prog) == "absent\n"


def test_canaries_are_empty_and_read_only(run_json):
    # a write that fails is no open the kernel reports: no kill either
    script = ("test ! -s /etc/shadow && test ! -s /tmp/home/.ssh/id_rsa && "
              "! sh -c 'echo x > /root/.ssh/id_rsa' 2>/dev/null && "
              "! sh -c 'echo x > /tmp/home/.ssh/id_rsa' 2>/dev/null && echo ok")
    assert stdout_of_ok_run(run_json, "--", "sh", "-c", script) == "ok\n"


def test_audit_off_has_no_canaries(run_json):
    r = run_json("--audit", "off", "--", "sh", "-c",
                 "test ! -e /etc/shadow && test ! -e /root && cat /etc/shadow; echo ran")
    assert r["status"] == "ok", r
    assert r["stdout"] == "ran\n"


@pytest.mark.parametrize("path,rule", [
    ("/tmp/home/.aws/credentials", "cred-cloud"),
    ("/proc/1/environ", "proc-init"),
    ("/work/.git-credentials", "cred-cloud"),
])
def test_paths_without_canaries_are_caught_at_full(run_json, path, rule):
    r = run_json("--audit", "full", "--", "python3", "-c", f"open({path!r})")
    assert r["status"] == "policy_violation", (path, r)
    assert r["violation"]["rule"] == rule


def test_a_rules_file_path_rule_watches_opens_at_alerts(run_json, tmp_path):
    rules = tmp_path / "rules"
    rules.write_text("include default\n"
                     "rule my-secret high kill open /work/secret*  # our own path rule\n")
    os.chmod(tmp_path, 0o755)
    r = run_json("--rules", str(rules), "--", "sh", "-c", "echo x > /work/secret.txt; echo ran")
    assert r["status"] == "policy_violation", r
    assert r["violation"]["rule"] == "my-secret"
    assert r["stdout"] == ""
