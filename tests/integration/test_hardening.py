"""Defense in depth (issue #3): the seccomp filter, Landlock, and the hardened /proc and /dev,
attacked for real from inside the sandbox by tests/integration/helpers/escape.c. Each attempt
runs in a process of its own and reports its errno; host-side facts are checked where the
attack has one (core_pattern, device nodes, listeners)."""
import os
import socket
import subprocess
from pathlib import Path

import pytest

import hostcheck as hc

HELPER_SRC = Path(__file__).parent / "helpers" / "escape.c"

# Denied by the seccomp policy with EPERM. Several of these also succeed without it (a new
# user namespace, io_uring, keyctl, perf_event_open, ptrace of a sibling, personality...),
# which is what makes this test fail when the filter is missing.
SECCOMP_EPERM = [
    "ptrace_sibling", "ptrace_init", "process_vm_readv", "unshare_user", "unshare_mount",
    "clone_newuser", "setns", "mount", "umount", "pivot_root", "open_tree", "fsopen", "keyctl",
    "add_key", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "kexec_load",
    "init_module", "finit_module", "delete_module", "reboot", "swapon", "acct", "settimeofday",
    "clock_settime", "syslog", "iopl", "ioperm", "open_by_handle_at", "name_to_handle_at",
    "personality", "mknod_disk", "socket_raw", "chroot", "tiocsti",
]

# Socket families and protocols the policy refuses, with the errno a program expects for an
# unsupported one (so libraries fall back instead of failing hard).
SOCKETS_REFUSED = {
    "socket_packet": {"EAFNOSUPPORT", "EPERM"},
    "socket_vsock": {"EAFNOSUPPORT", "EPERM"},
    "socket_netlink_audit": {"EPROTONOSUPPORT", "EAFNOSUPPORT", "EPERM"},
}


@pytest.fixture(scope="session")
def escape_bin(tmp_path_factory):
    d = tmp_path_factory.mktemp("escape")
    out = d / "escape"
    subprocess.run(["gcc", "-O1", "-o", str(out), str(HELPER_SRC)], check=True)
    return out


def attempt(run_json, escape_bin, *names, extra=()):
    r = run_json(*extra, "--copy", str(escape_bin), "--", "./escape", *names)
    assert r["status"] == "ok", r
    got = {}
    for line in r["stdout"].splitlines():
        name, _, outcome = line.partition(" ")
        got[name] = outcome.removeprefix("errno=").removeprefix("killed=")
    assert sorted(got) == sorted(names), r["stdout"]
    return got


@pytest.fixture(scope="session")
def alert_only_rules(tmp_path_factory):
    """--audit rules that alert where the built-in ones kill, so that a run goes on."""
    p = tmp_path_factory.mktemp("rules") / "alert-only.rules"
    p.write_text("include default\n" + "".join(
        f"action {r} alert\n" for r in ("cred-shadow", "cred-ssh-key", "cred-cloud", "cred-token",
                                        "proc-init", "escape-namespace", "net-scan")))
    os.chmod(p.parent, 0o755)
    os.chmod(p, 0o644)
    return p


# "off": the kernel's filter answers every denial. "watched" (--audit full): the supervisor
# answers it with the policy's errno, and must never let one through.
@pytest.mark.parametrize("audit", ["off", "watched"])
@pytest.mark.parametrize("name", SECCOMP_EPERM)
def test_denied_syscall_gets_eperm(run_json, escape_bin, alert_only_rules, name, audit):
    extra = ("--audit", "off") if audit == "off" else ("--audit", "full", "--rules",
                                                       str(alert_only_rules))
    assert attempt(run_json, escape_bin, name, extra=extra) == {name: "EPERM"}


@pytest.mark.parametrize("name", ["int80_getpid", "x32_getpid"])
def test_other_syscall_abis_are_killed(run_json, escape_bin, name):
    # i386 (int 0x80) and x32 numbers mean other calls than the filter's x86_64 table: the
    # process dies with SIGSYS rather than get an answer.
    assert attempt(run_json, escape_bin, name) == {name: "SYS"}


def test_clone3_gets_enosys_so_libc_falls_back(run_json, escape_bin):
    assert attempt(run_json, escape_bin, "clone3") == {"clone3": "ENOSYS"}


@pytest.mark.parametrize("name", sorted(SOCKETS_REFUSED))
def test_socket_family_is_refused(run_json, escape_bin, name):
    assert attempt(run_json, escape_bin, name)[name] in SOCKETS_REFUSED[name]


def test_allowed_neighbours_still_work(run_json, escape_bin):
    # The filter is precise: a fifo may be made, an inet socket opened.
    assert attempt(run_json, escape_bin, "mknod_fifo", "socket_inet") == {
        "mknod_fifo": "ok", "socket_inet": "ok"}


def test_filter_is_installed_in_every_process(run_json):
    r = run_json("--", "/bin/sh", "-c", "grep -E '^(Seccomp|NoNewPrivs)' /proc/self/status")
    fields = dict(line.split(":\t") for line in r["stdout"].splitlines())
    assert fields["Seccomp"] == "2" and fields["NoNewPrivs"] == "1", r["stdout"]


def test_core_pattern_and_sysrq_unreachable(run_json, escape_bin):
    before = Path("/proc/sys/kernel/core_pattern").read_bytes()
    got = attempt(run_json, escape_bin, "core_pattern", "sysrq")
    assert got["core_pattern"] != "ok" and got["sysrq"] != "ok"
    assert Path("/proc/sys/kernel/core_pattern").read_bytes() == before


def test_no_device_node_of_the_host_disk(run_json):
    r = run_json("--", "/bin/sh", "-c", "ls /dev; ls -d /sys 2>&1; test -e /dev/sda && echo HAVE-SDA")
    names = set(r["stdout"].split())
    assert {"null", "zero", "full", "random", "urandom", "pts", "shm", "ptmx"} <= names
    assert not names & {"sda", "vda", "mem", "kmem", "port", "kmsg", "tty", "console", "fuse"}
    assert "HAVE-SDA" not in r["stdout"]


def test_proc_shows_no_kernel_wide_files(run_json):
    r = run_json("--", "/bin/sh", "-c",
                 "for f in kcore kallsyms sysrq-trigger sys/kernel/core_pattern modules "
                 "timer_list kmsg; do test -e /proc/$f && echo EXISTS $f; done; ls /proc")
    assert "EXISTS" not in r["stdout"], r["stdout"]


def test_landlock_refuses_tcp_bind_even_on_loopback(run_json):
    # The network namespace alone allows a server on the sandbox's loopback; Landlock (ABI 4)
    # refuses it: no rule grants a port.
    r = run_json("--", "python3", "-c",
                 "import socket; s = socket.socket(); s.bind(('127.0.0.1', 8080)); s.listen()")
    assert r["status"] == "exit_nonzero"
    assert "PermissionError" in r["stderr"]


def test_landlock_refuses_what_an_extra_writable_bind_would_allow(run_json, tmp_path):
    # A writable --bind puts a host directory into the mount namespace at /data, outside the
    # sandbox's layout: the mount allows writes, Landlock (rights follow the place, not the
    # mount) refuses them. The same bind under /work is usable: that is the control.
    host_dir = tmp_path / "shared"
    host_dir.mkdir()
    os.chmod(host_dir, 0o777)
    script = "echo x > {d}/planted; mkdir {d}/dir; ln -s /etc/passwd {d}/link; ls {d}; echo done"
    r = run_json("--bind", f"{host_dir}:/data", "--", "/bin/sh", "-c", script.format(d="/data"))
    assert "done" in r["stdout"] and "Permission denied" in r["stderr"], r
    assert list(host_dir.iterdir()) == []
    r = run_json("--bind", f"{host_dir}:/work/data", "--", "/bin/sh", "-c",
                 "echo x > /work/data/planted")
    assert r["status"] == "ok", r
    assert [p.name for p in host_dir.iterdir()] == ["planted"]


def test_python_numpy_pandas_matplotlib_under_the_filter(run_json, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    # The wall clock is generous: the import alone takes seconds on a loaded CI machine.
    r = run_json("--collect", "*.png", "--out-dir", str(out), "--time", "30s", "--", "python3", "-c",
                 "import numpy, pandas, matplotlib.pyplot as plt\n"
                 "df = pandas.DataFrame({'x': numpy.arange(10), 'y': numpy.arange(10) ** 2})\n"
                 "df.plot(x='x', y='y'); plt.savefig('p.png')")
    assert r["status"] == "ok", r
    assert (out / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_gcc_node_and_bash_under_the_filter(run_json):
    script = ("printf '#include <stdio.h>\\nint main(void){puts(\"c-ok\");return 0;}' > t.c && "
              "gcc -O2 -o t t.c && ./t && node -e 'console.log(\"node-ok\")' && "
              "seq 1 1000 | sort -n | tail -1 | xargs -I{} echo bash-ok-{}")
    r = run_json("--time", "20s", "--", "/bin/bash", "-c", script)
    assert r["status"] == "ok", r
    assert r["stdout"].split() == ["c-ok", "node-ok", "bash-ok-1000"]


def test_strict_profile_refuses_fork(run_json):
    r = run_json("--seccomp", "strict", "--", "python3", "-c",
                 "import os\ntry:\n    os.fork()\nexcept OSError as e:\n    print(e.errno)")
    assert r["status"] == "ok", r
    assert r["stdout"].strip() == "1"  # EPERM


def test_policy_file_can_deny_more(run_json, airlock, tmp_path):
    policy = tmp_path / "policy.txt"
    policy.write_text("include default\n# no system information\ndeny uname EPERM\n")
    assert airlock("policy", "check", str(policy)).returncode == 0
    r = run_json("--seccomp", str(policy), "--", "/bin/uname")
    assert r["status"] == "exit_nonzero", r
    assert "Operation not permitted" in r["stderr"]


def test_bad_policy_file_is_refused_before_anything_runs(airlock, tmp_path):
    policy = tmp_path / "policy.txt"
    policy.write_text("include default\nallow bogus_call\n")
    p = airlock("policy", "check", str(policy))
    assert p.returncode == hc.EXIT_USAGE
    assert b":2: unknown syscall 'bogus_call'" in p.stderr
    p = airlock("run", "--seccomp", str(policy), "--", "/bin/true")
    assert p.returncode == hc.EXIT_USAGE
    assert p.stderr.decode().count("\n") == 1 and p.stderr.startswith(b"airlock: ")


def test_layers_in_force_are_reported(run_json):
    r = run_json("--", "/bin/true")
    assert r["sandbox"]["seccomp"] == "default" and r["sandbox"]["landlock_abi"] >= 1, r


def test_weaker_modes_only_by_name_and_reported(run_json, airlock):
    r = run_json("--seccomp", "off", "--landlock", "off", "--", "/bin/sh", "-c",
                 "grep '^Seccomp:' /proc/self/status")
    assert r["stdout"].split() == ["Seccomp:", "0"], r
    assert r["sandbox"]["seccomp"] == "off" and r["sandbox"]["landlock_abi"] == 0
    p = airlock("run", "--seccomp", "off", "--", "/bin/true")
    assert b"weaker isolation, as asked" in p.stderr
