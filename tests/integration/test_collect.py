"""--collect/--out-dir: files come out, host files never do, and nothing is written through a
symlink, whoever planted it."""
import base64
import os

import hostcheck as hc


def _tree(d):
    """{relative path: ('link', target) | ('file', bytes) | ('dir',)} of everything under d."""
    out = {}
    for root, dirs, files in os.walk(d):
        for n in dirs + files:
            p = os.path.join(root, n)
            rel = os.path.relpath(p, d)
            if os.path.islink(p):
                out[rel] = ("link", os.readlink(p))
            elif os.path.isdir(p):
                out[rel] = ("dir",)
            else:
                with open(p, "rb") as f:
                    out[rel] = ("file", f.read())
    return out


def _files(r):
    return {f["path"]: f for f in r["files"]}


def test_regular_file_collected(run_json, out_dir):
    text = "result-" + hc.rand()
    r = run_json("--collect", "*.txt", "--out-dir", str(out_dir), "--", "sh", "-c",
                 f"printf {text} > result.txt; echo no > other.bin")
    assert r["status"] == "ok", r
    assert _files(r) == {"result.txt": {"path": "result.txt", "size": len(text)}}
    assert _tree(out_dir) == {"result.txt": ("file", text.encode())}


def test_symlinks_to_host_files_are_refused(run_json, out_dir, secret):
    with open("/etc/hostname", "rb") as f:
        hostname = f.read()
    r = run_json("--collect", "*", "--out-dir", str(out_dir), "--", "sh", "-c",
                 f"ln -s /etc/hostname out.txt; ln -s {secret.path} secret.txt; ln -s /etc/shadow shadow.txt;"
                 " ln -s /etc etcdir; echo fine > ok.txt")
    assert r["status"] == "ok", r
    files = _files(r)
    for name in ("out.txt", "secret.txt", "shadow.txt"):
        assert "skipped" in files[name], files
        assert "size" not in files[name]
    assert _tree(out_dir) == {"ok.txt": ("file", b"fine\n")}
    for rel, entry in _tree(out_dir).items():
        blob = entry[1] if entry[0] == "file" else b""
        assert secret.text.encode() not in blob
        assert blob != hostname


def test_collect_through_symlinked_dir_refused(run_json, out_dir, secret):
    d = os.path.dirname(secret.path)
    r = run_json("--collect", "d/*", "--collect", "d/secret.txt", "--out-dir", str(out_dir), "--",
                 "sh", "-c", f"ln -s {d} d; ln -s /etc e")
    assert secret.text not in str(r)
    assert _tree(out_dir) == {}


def test_special_files_and_oversize_skipped(run_json, out_dir):
    r = run_json("--collect", "*", "--collect-max", "1K", "--out-dir", str(out_dir), "--time", "5s", "--",
                 "sh", "-c", "mkfifo pipe.txt; head -c 5000 /dev/zero > big.bin; echo s > small.txt")
    assert r["status"] == "ok", r
    assert r["wall_ms"] < 3000, "collecting a FIFO must not block"
    files = _files(r)
    assert "skipped" in files["pipe.txt"] and "skipped" in files["big.bin"], files
    assert _tree(out_dir) == {"small.txt": ("file", b"s\n")}


def test_collect_total_cap(run_json, out_dir):
    r = run_json("--collect", "*", "--collect-max", "10K", "--out-dir", str(out_dir), "--", "sh", "-c",
                 "for i in 1 2 3 4 5; do head -c 4000 /dev/zero > f$i; done")
    assert r["status"] == "ok", r
    total = sum(p.stat().st_size for p in out_dir.iterdir())
    assert total <= 10 * 1024
    assert len(list(out_dir.iterdir())) == 2
    assert sum("skipped" in f for f in r["files"]) == 3, r["files"]


def test_non_utf8_file_name_collected(run_json, out_dir):
    r = run_json("--collect", "*", "--out-dir", str(out_dir), "--", "sh", "-c",
                 "printf x > \"$(printf 'a\\377b')\"")
    assert r["status"] == "ok", r
    (f,) = r["files"]
    assert base64.b64decode(f["path_base64"]) == b"a\xffb"
    assert os.listdir(os.fsencode(out_dir)) == [b"a\xffb"]


def test_planted_symlink_in_out_dir_not_written_through(run_json, out_dir, victim):
    (out_dir / "x.png").symlink_to(victim)
    r = run_json("--collect", "*.png", "--out-dir", str(out_dir), "--", "sh", "-c", "echo PNGDATA > x.png")
    assert r["status"] == "ok", r
    t = _tree(out_dir)
    # Replaced by the collected file, or refused and left alone; never written through.
    assert t["x.png"] in (("file", b"PNGDATA\n"), ("link", str(victim))), t


def test_planted_symlinked_subdir_in_out_dir_not_written_through(run_json, out_dir, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out_dir / "sub").symlink_to(elsewhere)
    r = run_json("--collect", "sub/*", "--out-dir", str(out_dir), "--", "sh", "-c",
                 "mkdir sub; echo data > sub/b.txt")
    assert r["status"] == "ok", r
    assert list(elsewhere.iterdir()) == [], "collected through a symlinked directory"


def test_collected_png_from_pandas_matplotlib(run_json, out_dir):
    prog = """
import pandas as pd, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
df = pd.DataFrame({"x": range(10), "y": [i * i for i in range(10)]})
df.plot(x="x", y="y")
plt.savefig("plot.png")
print(int(df.y.sum()))
"""
    r = run_json("--collect", "*.png", "--out-dir", str(out_dir), "--time", "30s", "--", "python3", "-c", prog)
    assert r["status"] == "ok", r
    assert r["stdout"].strip() == "285"
    data = (out_dir / "plot.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert _files(r)["plot.png"]["size"] == len(data)
