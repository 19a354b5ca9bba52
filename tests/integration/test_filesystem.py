"""The filesystem boundary: host secrets stay unreadable, host directories stay unwritten, and
each run starts from empty scratch space."""
import os

import pytest

import hostcheck as hc


def test_cannot_read_host_shadow(run_json, shadow_fingerprint):
    # The mount namespace alone: with --audit (the default) a rule kills the run first
    # (test_audit.py).
    r = run_json("--audit", "off", "--", "cat", "/etc/shadow")
    assert r["status"] == "exit_nonzero", r
    assert r.rc != 0
    assert "root:" not in r["stdout"]


def test_cannot_list_root_home(run_json):
    # --audit off: at alerts, /root holds the audit's canaries (the next test)
    r = run_json("--audit", "off", "--", "ls", "-la", "/root")
    assert r.rc != 0, r
    assert r["stdout"] == ""


def test_what_the_audit_adds_is_empty_canaries(run_json):
    # /root, /run, /var/run, /etc/ssh and the shadow files exist at --audit alerts, as empty
    # files of airlock's (test_canaries.py): nothing of the host's
    r = run_json("--", "sh", "-c", "find /root /run /var /etc/ssh /etc/shadow /etc/gshadow "
                 "/etc/security /tmp/home -type f ! -empty; find /root /run /var /etc/ssh "
                 "/etc/security -type f | wc -l")
    assert r["status"] == "ok", r
    assert r["stdout"].split() == ["17"], r["stdout"]


@pytest.mark.parametrize("path", ["/home", "/var", "/opt", "/run", "/srv", "/mnt", "/boot", "/sys",
                                  "/etc/ssh", "/etc/sudoers", "/etc/gshadow"])
def test_host_paths_absent(run_json, path):
    # --audit off: the audit's canaries aside (test_what_the_audit_adds_is_empty_canaries)
    r = run_json("--audit", "off", "--", "sh", "-c",
                 f"test -e {path} && ls -la {path}; test ! -e {path}")
    assert r["status"] == "ok", f"{path} visible inside: {r['stdout']}"


def test_secret_file_unreadable(run_json, secret):
    d = os.path.dirname(secret.path)
    r = run_json("--", "sh", "-c", f"cat {secret.path}; ls -la {d}; cat {d}/*")
    assert r.rc != 0, r
    assert secret.text not in r["stdout"] + r["stderr"]


@pytest.mark.rootless_only
@pytest.mark.parametrize("how", ["copy", "stdin", "ro-bind"])
def test_rootless_airlock_is_no_confused_deputy(airlock, secret, how):
    """Run by nobody, airlock must not read a root-only file on the caller's behalf."""
    opt = {"copy": ["--copy", f"{secret.path}:s.txt"], "stdin": ["--stdin", secret.path],
           "ro-bind": ["--ro-bind", f"{secret.path}:/work/s.txt"]}[how]
    cmd = "cat" if how == "stdin" else "cat /work/s.txt"
    p = airlock("run", "--json", *opt, "--", "sh", "-c", cmd)
    assert secret.text.encode() not in p.stdout + p.stderr
    # Refused up front, or (a bind of a path nobody may not read) shown but unreadable inside.
    if p.returncode not in (hc.EXIT_SETUP, hc.EXIT_USAGE):
        r = hc.parse_result(p.returncode, p.stdout, p.stderr)
        assert how == "ro-bind" and r["status"] == "exit_nonzero", r
        assert "Permission denied" in r["stderr"], r


@pytest.mark.parametrize("where", ["/usr", "/etc", "/", "/usr/local/bin", "/bin"])
def test_host_dirs_not_writable(run_json, where):
    probe = os.path.join(where, f"airlock-probe-{hc.rand()}")
    r = run_json("--", "sh", "-c", f"echo x > {probe} || mkdir {probe}")
    assert r.rc != 0, r
    assert r["status"] == "exit_nonzero"
    assert not os.path.lexists(probe), f"{probe} was created on the host"


def test_cannot_modify_existing_host_file(run_json):
    before = os.stat("/etc/hostname")
    r = run_json("--", "sh", "-c", "echo pwned >> /etc/hostname; chmod 777 /etc/hostname")
    assert r.rc != 0, r
    after = os.stat("/etc/hostname")
    assert (after.st_size, after.st_mtime_ns, after.st_mode) == (before.st_size, before.st_mtime_ns, before.st_mode)


def test_sandbox_tmp_is_not_host_tmp(run_json):
    name = f"airlock-probe-{hc.rand()}"
    r = run_json("--", "sh", "-c", f"echo x > /tmp/{name} && echo y > /dev/shm/{name} && ls /tmp /dev/shm")
    assert r["status"] == "ok", r
    assert name in r["stdout"]
    assert not os.path.lexists(f"/tmp/{name}")
    assert not os.path.lexists(f"/dev/shm/{name}")


def test_runs_do_not_share_files(run_json):
    name = f"left-{hc.rand()}"
    r1 = run_json("--", "sh", "-c", f"echo 1 > /work/{name}; echo 2 > /tmp/{name}; echo 3 > /dev/shm/{name};"
                  f" mkdir -p /tmp/home/.cache && echo 4 > /tmp/home/.cache/{name}; ls /work /tmp")
    assert r1["status"] == "ok", r1
    assert name in r1["stdout"]
    r2 = run_json("--", "sh", "-c", f"ls -laR /work /tmp /dev/shm; cat /work/{name} /tmp/{name}")
    assert name not in r2["stdout"], r2["stdout"]
    assert r2.rc != 0  # the cat fails


def test_proc_sys_read_only(run_json):
    with open("/proc/sys/kernel/hostname") as f:
        host = f.read()
    r = run_json("--", "sh", "-c", "echo pwned > /proc/sys/kernel/hostname; hostname pwned2; echo > /proc/sysrq-trigger")
    assert r.rc != 0, r
    with open("/proc/sys/kernel/hostname") as f:
        assert f.read() == host


def test_copy_in(run_json, tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / "f.txt").write_text("copied-" + hc.rand())
    (tmp_path / "one.txt").write_text("single")
    r = run_json("--copy", str(src), "--copy", f"{tmp_path / 'one.txt'}:data/x.txt", "--",
                 "sh", "-c", "cat /work/in/sub/f.txt /work/data/x.txt; touch /work/in/sub/new")
    assert r["status"] == "ok", r
    assert r["stdout"] == (src / "sub" / "f.txt").read_text() + "single"
    assert not (src / "sub" / "new").exists(), "a copy-in wrote back to the host"


def test_copy_in_symlink_in_source_dir_is_not_followed(run_json, tmp_path, secret):
    """A symlink inside a copied directory must not pull the file it points to into /work."""
    if not hc.IS_ROOT:
        pytest.skip("rootless: the secret is unreadable to airlock anyway")
    src = tmp_path / "tree"
    src.mkdir()
    (src / "link").symlink_to(secret.path)
    r = run_json("--copy", str(src), "--", "sh", "-c", "ls -la /work/tree; cat /work/tree/link")
    assert secret.text not in r["stdout"] + r["stderr"], r


def test_bind_writable_and_ro_bind_read_only(run_json, bind_dir):
    (bind_dir / "in.txt").write_text("from host\n")
    os.chmod(bind_dir / "in.txt", 0o644)
    r = run_json("--bind", f"{bind_dir}:/work/rw", "--", "sh", "-c", "cat /work/rw/in.txt; echo out > /work/rw/out.txt")
    assert r["status"] == "ok", r
    assert r["stdout"] == "from host\n"
    assert (bind_dir / "out.txt").read_text() == "out\n"
    r = run_json("--ro-bind", f"{bind_dir}:/work/ro", "--", "sh", "-c",
                 "cat /work/ro/in.txt; echo x > /work/ro/new.txt; echo y >> /work/ro/in.txt; rm /work/ro/out.txt")
    assert r.rc != 0 and r["stdout"] == "from host\n", r
    assert sorted(p.name for p in bind_dir.iterdir()) == ["in.txt", "out.txt"]
    assert (bind_dir / "in.txt").read_text() == "from host\n"


@pytest.mark.parametrize("dst", ["/work", "/proc", "/tmp", "/", "relative"])
def test_bind_onto_sandbox_layout_refused(airlock, bind_dir, dst):
    p = airlock("run", "--bind", f"{bind_dir}:{dst}", "--", "sh", "-c", "touch /work/ran /tmp/ran; echo hi")
    assert p.returncode in (hc.EXIT_USAGE, hc.EXIT_SETUP), p
    assert p.stdout == b""
    assert list(bind_dir.iterdir()) == []
