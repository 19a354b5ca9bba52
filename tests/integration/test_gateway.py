"""Network with --allow-net (issue #4): the only way out is airlock's egress gateway, and every
attempt is recorded. Servers run on the host's loopback (127.0.0.1 and 127.0.0.2) and count
their connections: the host side says who got through."""
import http.server
import socket
import subprocess
import threading

import pytest

import hostcheck as hc

BODY = b"hello from the allowed server\n"


class Server:
    """An HTTP server on ADDR:ephemeral that counts connections and serves BODY (or SIZE
    bytes at /big)."""

    def __init__(self, addr, big=0):
        owner = self
        self.connections = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def setup(self):
                owner.connections += 1
                super().setup()

            def do_GET(self):
                body = b"x" * big if self.path == "/big" else BODY
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer((addr, 0), Handler)
        self.port = self.httpd.server_address[1]
        self.addr = addr
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers():
    a, b = Server("127.0.0.1", big=8 << 20), Server("127.0.0.2")
    yield a, b
    a.close()
    b.close()


attempts = hc.net_attempts


def test_without_allow_net_nothing_arrives(run_json, servers):
    a, _ = servers
    r = run_json("--", "python3", "-c",
                 f"import urllib.request as u; u.urlopen('http://127.0.0.1:{a.port}/', timeout=2)")
    assert r["status"] == "exit_nonzero"
    assert a.connections == 0
    assert r["network"] == {"enabled": False, "attempts": []}


@pytest.mark.parametrize("client", ["requests", "urllib", "curl", "wget"])
def test_allowed_server_reached_other_refused(run_json, servers, client):
    a, b = servers
    url_a, url_b = f"http://127.0.0.1:{a.port}/", f"http://127.0.0.2:{b.port}/"
    cmd = {
        "requests": ["python3", "-c", "import requests, sys\n"
                     "print(requests.get(sys.argv[1], timeout=5).text, end='')\n"
                     "try:\n requests.get(sys.argv[2], timeout=5).raise_for_status()\n"
                     "except Exception as e:\n print('refused', type(e).__name__)", url_a, url_b],
        "urllib": ["python3", "-c", "import urllib.request as u, sys\n"
                   "print(u.urlopen(sys.argv[1], timeout=5).read().decode(), end='')\n"
                   "try:\n u.urlopen(sys.argv[2], timeout=5)\n"
                   "except Exception as e:\n print('refused', type(e).__name__)", url_a, url_b],
        "curl": ["/bin/sh", "-c", f"curl -sS --max-time 5 {url_a}; curl -sS -f --max-time 5 {url_b} "
                 "|| echo refused"],
        "wget": ["/bin/sh", "-c", f"wget -q -O - -T 5 {url_a}; wget -q -O - -T 5 {url_b} "
                 "|| echo refused"],
    }[client]
    r = run_json("--allow-net", f"127.0.0.1:{a.port}", "--allow-private", "127.0.0.1/32",
                 "--", *cmd)
    assert r["stdout"].startswith(BODY.decode()), r
    assert "refused" in r["stdout"]
    assert a.connections >= 1 and b.connections == 0
    seen = attempts(r)
    assert ("http", "127.0.0.1", a.port, "allowed") in seen, seen
    assert any(h == "127.0.0.2" and v == "refused" for _, h, _, v in seen), seen


def test_connect_tunnel_relays_bytes(run_json, echo):
    port, count = echo
    script = ("import socket, sys\n"
              "s = socket.create_connection(('127.0.0.1', 3128), timeout=5)\n"
              f"s.sendall(b'CONNECT 127.0.0.1:{port} HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')\n"
              "head = b''\n"
              "while not head.endswith(b'\\r\\n\\r\\n'): head += s.recv(1)\n"
              "print(head.split(b'\\r\\n')[0].decode())\n"
              "s.sendall(b'ping through the tunnel')\n"
              "print(s.recv(100).decode())")
    r = run_json("--allow-net", f"127.0.0.1:{port}", "--allow-private", "127.0.0.1/32",
                 "--", "python3", "-c", script)
    assert r["stdout"].split("\n")[1] == "ping through the tunnel", r
    assert " 200 " in r["stdout"].split("\n")[0]
    assert count["n"] == 1
    rec = [a for a in r["network"]["attempts"] if a["kind"] == "connect"]
    assert rec and rec[0]["verdict"] == "allowed" and rec[0]["bytes_up"] >= 23


def test_private_answer_refused_without_allow_private(run_json, servers):
    a, _ = servers
    r = run_json("--allow-net", f"localhost:{a.port}", "--", "python3", "-c",
                 f"import urllib.request as u\n"
                 f"try:\n u.urlopen('http://localhost:{a.port}/', timeout=5)\n"
                 f"except Exception as e:\n print('refused', e)")
    assert "refused" in r["stdout"], r
    assert a.connections == 0
    assert any(v == "refused" for *_, v in attempts(r))


def test_raw_connect_goes_nowhere(run_json, servers):
    a, _ = servers
    r = run_json("--allow-net", f"127.0.0.1:{a.port}", "--allow-private", "127.0.0.1/32",
                 "--", "python3", "-c",
                 f"import socket\ntry:\n socket.create_connection(('127.0.0.1', {a.port}), 2)\n"
                 f"except OSError as e:\n print('blocked', e.errno)")
    assert "blocked" in r["stdout"], r
    assert a.connections == 0


def test_dns_of_a_name_not_allowed_fails(run_json, servers):
    a, _ = servers
    r = run_json("--allow-net", f"127.0.0.1:{a.port}", "--allow-private", "127.0.0.1/32",
                 "--", "python3", "-c",
                 "import socket\ntry:\n print(socket.getaddrinfo('example.com', 80))\n"
                 "except socket.gaierror as e:\n print('no answer', e.errno)")
    assert "no answer" in r["stdout"], r
    assert ("dns", "example.com", 0, "refused") in [(k, h, 0, v) for k, h, _, v in attempts(r)]


def test_byte_cap_cuts_a_large_download(run_json, servers):
    a, _ = servers
    r = run_json("--allow-net", f"127.0.0.1:{a.port}", "--allow-private", "127.0.0.1/32",
                 "--net-bytes", "1M", "--", "/bin/sh", "-c",
                 f"curl -s --max-time 10 http://127.0.0.1:{a.port}/big | wc -c")
    got = int(r["stdout"].split()[0])
    assert got < 2 << 20, r
    rec = [x for x in r["network"]["attempts"] if x["verdict"] == "allowed"]
    assert rec and rec[0]["bytes_down"] <= (1 << 20) + 65536


def listeners():
    """The host's TCP listeners, with their owners ("users:((name,pid=N,fd=M))")."""
    out = subprocess.run(["ss", "-Htlnp"], capture_output=True, text=True).stdout
    return set(out.splitlines())


def test_nothing_left_listening(run_json, servers):
    # Only listeners of airlock's own processes count: other jobs on the machine come and go
    a, _ = servers
    before = listeners()
    run_json("--allow-net", f"127.0.0.1:{a.port}", "--allow-private", "127.0.0.1/32",
             "--", "/bin/true")
    new = listeners() - before
    assert not [line for line in new if '"airlock' in line], new


def test_bad_specs_are_usage_errors(airlock):
    for args in (["--allow-net", ""], ["--allow-net", "a.*.b"], ["--allow-net", "x:99999"],
                 ["--allow-net", "x", "--allow-private", "10.0.0.0/99"],
                 ["--allow-private", "10.0.0.0/8"]):
        p = airlock("run", *args, "--", "/bin/true")
        assert p.returncode == 112, (args, p.stderr)
        assert p.stderr.startswith(b"airlock: ") and p.stderr.count(b"\n") == 1, p.stderr
