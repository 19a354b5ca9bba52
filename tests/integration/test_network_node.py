"""Node with --allow-net: Node 20 ignores HTTP(S)_PROXY, so airlock preloads its own shim
(/etc/airlock/node-proxy.js through NODE_OPTIONS) that sends http, https and fetch through the
egress gateway. Servers run on the host's loopback (127.0.0.1 allowed, 127.0.0.2 not) and record
what reached them: the host side says who got through."""
import http.server
import os
import shutil
import socket
import ssl
import subprocess
import threading

import pytest

import hostcheck as hc

NODE = "/usr/bin/node"
pytestmark = pytest.mark.skipif(not os.access(NODE, os.X_OK), reason=f"{NODE} is not installed")

SHIM = hc.REPO / "src/net/node-proxy.js"
# Node starts in well under a second; the defaults (5 s) are tight on a loaded machine.
LIMITS = ["--time", "20s", "--cpu-time", "10s"]


class Server:
    """An HTTP(S) server on ADDR:ephemeral that records (method, path, body) of each request
    and, with TLS, the SNI names of the handshakes."""

    def __init__(self, addr, tls=None):
        owner = self
        self.requests, self.connections, self.sni = [], 0, []

        class Handler(http.server.BaseHTTPRequestHandler):
            def setup(self):
                owner.connections += 1
                super().setup()

            def answer(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                owner.requests.append((self.command, self.path, body))
                out = f"node reached {self.command} {self.path}\n".encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = answer

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer((addr, 0), Handler)
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            ctx.sni_callback = lambda sock, name, c: self.sni.append(name)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers():
    a, b = Server("127.0.0.1"), Server("127.0.0.2")
    yield a, b
    a.close()
    b.close()


@pytest.fixture
def tls_server(tmp_path):
    """An HTTPS server on 127.0.0.1 with a self-signed certificate for localhost; yields it and
    the certificate's path (the program's only trust anchor for it)."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed: no certificate for the TLS server")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-days", "1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    s = Server("127.0.0.1", tls=(str(cert), str(key)))
    yield s, cert
    s.close()


attempts = hc.net_attempts


def allow(port):
    return ["--allow-net", f"127.0.0.1:{port}", "--allow-private", "127.0.0.1/32"]


# Each line the program prints is one outcome; a failure prints its cause's code or message.
CLIENTS = r"""
const http = require('http');
const [ok, no] = process.argv.slice(1);
const get = (url) => new Promise((done) => http.get(url, (res) => {
        let b = '';
        res.on('data', (d) => b += d).on('end', () => done(`${res.statusCode} ${b.trim()}`));
}).on('error', (e) => done(`error ${e.code}`)));
const post = (url, body) => new Promise((done) => {
        const req = http.request(url, { method: 'POST', headers: { 'content-length': body.length } },
                (res) => { res.resume(); res.on('end', () => done(`${res.statusCode}`)); });
        req.on('error', (e) => done(`error ${e.code}`));
        req.end(body);
});
const fetched = (url, init) => fetch(url, init).then(async (r) => `${r.status} ${(await r.text()).trim()}`,
        (e) => `error ${e.cause ? e.cause.code || e.cause.message : e.message}`);
(async () => {
        console.log('fetch', await fetched(ok + 'fetch?q=1'));
        console.log('fetch-post', await fetched(ok + 'fetch-post', { method: 'POST', body: 'from fetch' }));
        console.log('get', await get(ok + 'get'));
        console.log('post', await post(ok + 'post', 'from http.request'));
        console.log('fetch-other', await fetched(no + 'fetch'));
        console.log('get-other', await get(no + 'get'));
})();
"""


def outcomes(stdout):
    return dict(line.split(" ", 1) for line in stdout.splitlines() if " " in line)


def test_fetch_and_http_reach_the_allowed_server_only(run_json, servers):
    a, b = servers
    ok, no = f"http://127.0.0.1:{a.port}/", f"http://127.0.0.2:{b.port}/"
    r = run_json(*LIMITS, *allow(a.port), "--", NODE, "-e", CLIENTS, ok, no)
    assert r["status"] == "ok", r
    out = outcomes(r["stdout"])
    assert out["fetch"] == "200 node reached GET /fetch?q=1", r
    assert out["get"] == "200 node reached GET /get", r
    assert out["fetch-post"].startswith("200") and out["post"] == "200", r
    # The gateway answers for a host it refuses: 403, as curl and python see it.
    assert out["fetch-other"].startswith("403") and out["get-other"].startswith("403"), r
    assert sorted(a.requests) == sorted([
        ("GET", "/fetch?q=1", b""), ("POST", "/fetch-post", b"from fetch"),
        ("GET", "/get", b""), ("POST", "/post", b"from http.request")])
    assert b.connections == 0
    seen = attempts(r)
    assert seen.count(("http", "127.0.0.1", a.port, "allowed")) == 4, seen
    assert seen.count(("http", "127.0.0.2", b.port, "refused")) == 2, seen


def test_without_allow_net_node_gets_nothing(run_json, servers):
    a, _ = servers
    ok = f"http://127.0.0.1:{a.port}/"
    r = run_json(*LIMITS, "--", NODE, "-e",
                 "console.log('options', process.env.NODE_OPTIONS || 'none');" + CLIENTS, ok, ok)
    assert r["status"] == "ok", r
    out = outcomes(r["stdout"])
    assert out["options"] == "none"
    assert all(out[k].startswith("error") for k in ("fetch", "fetch-post", "get", "post")), r
    assert a.connections == 0
    assert r["network"] == {"enabled": False, "attempts": []}


def test_raw_connect_request_tunnels_to_echo(run_json, echo):
    port, count = echo
    prog = r"""
const http = require('http');
const req = http.request({ host: '127.0.0.1', port: 3128, method: 'CONNECT', path: process.argv[1] });
req.on('connect', (res, sock) => {
        console.log('status', res.statusCode);
        sock.end('ping through the tunnel');
        sock.on('data', (d) => console.log('echo', d.toString()));
});
req.on('error', (e) => console.log('error', e.code));
req.end();
"""
    r = run_json(*LIMITS, *allow(port), "--", NODE, "-e", prog, f"127.0.0.1:{port}")
    assert r["status"] == "ok", r
    out = outcomes(r["stdout"])
    assert out["status"] == "200" and out["echo"] == "ping through the tunnel", r
    assert count["n"] == 1
    rec = [x for x in r["network"]["attempts"] if x["kind"] == "connect"]
    assert rec and rec[0]["verdict"] == "allowed" and rec[0]["bytes_up"] >= 23, rec


HTTPS = r"""
const https = require('https'), fs = require('fs');
const url = process.argv[1];
const get = (opts) => new Promise((done) => https.get(url + 'https', opts, (res) => {
        let b = '';
        res.on('data', (d) => b += d).on('end', () => done(`${res.statusCode} ${b.trim()}`));
}).on('error', (e) => done(`error ${e.code}`)));
(async () => {
        console.log('https-ca', await get({ ca: fs.readFileSync('/work/ca.pem') }));
        console.log('https', await get({}));
        console.log('fetch', await fetch(url + 'fetch').then((r) => r.text().then((t) => `${r.status} ${t.trim()}`),
                (e) => `error ${e.cause && e.cause.code}`));
})();
"""


def test_https_and_fetch_tunnel_with_verified_tls(run_json, tls_server):
    s, cert = tls_server
    url = f"https://localhost:{s.port}/"
    args = [*LIMITS, "--allow-net", f"localhost:{s.port}", "--allow-private", "127.0.0.1/32",
            "--copy", f"{cert}:ca.pem"]
    # Certificates are checked as usual: without the self-signed one as an anchor, refused.
    r = run_json(*args, "--", NODE, "-e", HTTPS, url)
    assert r["status"] == "ok", r
    out = outcomes(r["stdout"])
    assert out["https-ca"] == "200 node reached GET /https", r
    assert out["https"] == "error DEPTH_ZERO_SELF_SIGNED_CERT", r
    assert out["fetch"] == "error DEPTH_ZERO_SELF_SIGNED_CERT", r
    assert s.requests == [("GET", "/https", b"")]
    # With it in node's store, fetch and plain https.get succeed too.
    r = run_json(*args, "--env", "NODE_EXTRA_CA_CERTS=/work/ca.pem", "--", NODE, "-e", HTTPS, url)
    out = outcomes(r["stdout"])
    assert out["https"] == "200 node reached GET /https" and out["fetch"] == "200 node reached GET /fetch", r
    assert set(s.sni) == {"localhost"}, s.sni  # SNI: the origin's name, not the proxy's
    seen = attempts(r)
    assert seen and all(x == ("connect", "localhost", s.port, "allowed") for x in seen), seen


def test_https_to_a_host_not_allowed_is_refused(run_json, tls_server, servers):
    s, _ = tls_server
    _, b = servers
    prog = ("require('https').get(process.argv[1], () => console.log('reached'))"
            ".on('error', (e) => console.log('error', e.message))")
    r = run_json(*LIMITS, "--allow-net", f"localhost:{s.port}", "--allow-private", "127.0.0.1/32",
                 "--", NODE, "-e", prog, f"https://127.0.0.2:{b.port}/")
    assert "403" in r["stdout"] and "host not allowed" in r["stdout"], r
    assert b.connections == 0 and s.connections == 0
    assert attempts(r) == [("connect", "127.0.0.2", b.port, "refused")]


def test_node_sockets_of_its_own_go_nowhere(run_json, servers):
    """The shim covers http, https and fetch; a program that opens its own socket (net.connect,
    a custom agent) has no way out, which is the point."""
    a, _ = servers
    prog = ("const s = require('net').connect(+process.argv[1], '127.0.0.1', () => console.log('connected'));"
            "s.on('error', (e) => console.log('error', e.code));"
            "require('http').get({ host: '127.0.0.1', port: +process.argv[1], agent: new (require('http').Agent)() })"
            ".on('error', (e) => console.log('agent', e.code));")
    r = run_json(*LIMITS, *allow(a.port), "--", NODE, "-e", prog, str(a.port))
    assert "connected" not in r["stdout"], r
    out = outcomes(r["stdout"])
    # EACCES from Landlock; ECONNREFUSED where the kernel has no Landlock TCP rules.
    assert out.keys() == {"error", "agent"}, r
    assert {out["error"], out["agent"]} <= {"EACCES", "ECONNREFUSED"}, r
    assert a.connections == 0


def test_shim_is_the_checked_in_file_and_read_only(run_json):
    r = run_json(*LIMITS, "--allow-net", "example.org", "--stdin", str(SHIM), "--", "/bin/sh", "-c",
                 "cmp /etc/airlock/node-proxy.js - && echo same; "
                 "echo x >>/etc/airlock/node-proxy.js || echo read-only; echo \"$NODE_OPTIONS\"")
    assert r["stdout"].split("\n")[:3] == ["same", "read-only", "--require /etc/airlock/node-proxy.js"], r


def test_node_options_of_the_caller_kept(run_json, servers):
    a, _ = servers
    prog = ("console.log(process.env.NODE_OPTIONS);"
            "console.log(require('v8').getHeapStatistics().heap_size_limit < 128 << 20);"
            "fetch(process.argv[1]).then((r) => console.log(r.status))")
    r = run_json(*LIMITS, *allow(a.port), "--env", "NODE_OPTIONS=--max-old-space-size=64", "--",
                 NODE, "-e", prog, f"http://127.0.0.1:{a.port}/")
    assert r["stdout"].split("\n")[:3] == [
        "--require /etc/airlock/node-proxy.js --max-old-space-size=64", "true", "200"], r
    assert len(a.requests) == 1


def test_a_bad_proxy_variable_breaks_nothing(run_json):
    r = run_json(*LIMITS, "--allow-net", "example.org", "--env", "HTTPS_PROXY=::not a url",
                 "--env", "https_proxy=", "--", NODE, "-e", "console.log('still runs')")
    assert r["status"] == "ok" and r["stdout"] == "still runs\n", r
