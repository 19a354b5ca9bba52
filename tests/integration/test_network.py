"""No network: the sandbox has its own network namespace with only a loopback device."""
import json
import socket

import hostcheck as hc

CONNECT = """
import socket, sys
for host in sys.argv[1:-1]:
    s = socket.socket()
    s.settimeout(1)
    try:
        s.connect((host, int(sys.argv[-1])))
        s.sendall(b"escaped")
        print(host, "CONNECTED")
    except OSError as e:
        print(host, "refused", type(e).__name__)
"""


def _host_ip():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))  # TEST-NET-1: no packet is sent
        return s.getsockname()[0]
    except OSError:
        return None
    finally:
        s.close()


def test_host_loopback_listener_unreachable(run_json, listener):
    port = listener.getsockname()[1]
    r = run_json("--", "python3", "-c", CONNECT, "127.0.0.1", str(port))
    assert r["status"] == "ok", r
    assert "CONNECTED" not in r["stdout"], r["stdout"]
    listener.settimeout(0.5)
    try:
        conn, peer = listener.accept()
    except socket.timeout:
        return
    conn.close()
    raise AssertionError(f"the host listener got a connection from the sandbox ({peer})")


def test_host_external_address_unreachable(run_json):
    ip = _host_ip()
    s = socket.socket()
    s.bind(("0.0.0.0", 0))
    s.listen(4)
    port = s.getsockname()[1]
    try:
        targets = ["127.0.0.1"] + ([ip] if ip else []) + ["1.1.1.1"]
        r = run_json("--", "python3", "-c", CONNECT, *targets, str(port))
        assert "CONNECTED" not in r["stdout"], r["stdout"]
        s.settimeout(0.5)
        try:
            conn, peer = s.accept()
        except socket.timeout:
            return
        conn.close()
        raise AssertionError(f"the host got a connection from the sandbox ({peer})")
    finally:
        s.close()


def test_abstract_unix_socket_unreachable(run_json):
    name = "airlock-test-" + hc.rand()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind("\0" + name)
    s.listen(4)
    try:
        prog = ("import socket,sys\ns=socket.socket(socket.AF_UNIX)\n"
                "try:\n s.connect('\\0'+sys.argv[1]); print('CONNECTED')\n"
                "except OSError as e: print('refused', e)")
        r = run_json("--", "python3", "-c", prog, name)
        assert r["status"] == "ok", r
        assert "CONNECTED" not in r["stdout"]
        s.settimeout(0.3)
        try:
            s.accept()[0].close()
        except socket.timeout:
            return
        raise AssertionError("the host's abstract socket accepted the sandbox")
    finally:
        s.close()


def test_only_loopback_exists(run_json):
    prog = """
import json, socket
out = {"ifaces": [n for _, n in socket.if_nameindex()], "hostname": socket.gethostname()}
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.connect(("192.0.2.1", 9))
    out["route"] = s.getsockname()[0]
except OSError as e:
    out["route"] = None
print(json.dumps(out))
"""
    r = run_json("--", "python3", "-c", prog)
    assert r["status"] == "ok", r
    out = json.loads(r["stdout"])
    assert out["ifaces"] == ["lo"], out
    assert out["route"] is None, f"the sandbox has a route out: {out}"
    assert out["hostname"] == "airlock"


def test_dns_fails(run_json):
    r = run_json("--", "python3", "-c",
                 "import socket\ntry:\n print(socket.gethostbyname('example.com'))\nexcept OSError as e: print('nodns')")
    assert r["stdout"].strip() == "nodns", r
