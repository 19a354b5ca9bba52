#!/bin/bash
# What the egress gateway adds to a request (issue #4: under 1 ms over a loopback round trip).
# A server on the host's 127.0.0.1 answers 200 small GETs, each on a new connection (the
# gateway closes after one request): once straight from the host, once from inside a sandbox
# through the gateway. Both loops run python's urllib; the difference of the medians is the
# gateway's cost per request (thread, policy, resolve, connect, relay).
#
#   bench/gateway.sh [AIRLOCK]        knobs: BENCH_REQUESTS (200)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
airlock=${1:-$(dirname "$here")/build/src/cli/airlock}
n=${BENCH_REQUESTS:-200}
py=/usr/bin/python3

port_file=$(mktemp)
trap 'kill $server 2>/dev/null; rm -f "$port_file"' EXIT
$py - "$port_file" <<'PY' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
server=$!
for _ in $(seq 50); do [ -s "$port_file" ] && break; sleep 0.1; done
port=$(cat "$port_file")

loop='import statistics, sys, time, urllib.request as u
url, n = sys.argv[1], int(sys.argv[2])
t = []
for _ in range(n):
    s = time.perf_counter(); u.urlopen(url, timeout=5).read(); t.append(time.perf_counter() - s)
print(f"{statistics.median(t) * 1000:.3f}")'

direct=$(env -u http_proxy -u HTTP_PROXY $py -c "$loop" "http://127.0.0.1:$port/" "$n")
gateway=$("$airlock" run -q --time 60s --allow-net "127.0.0.1:$port" --allow-private 127.0.0.1/32 \
        -- /usr/bin/python3 -c "$loop" "http://127.0.0.1:$port/" "$n")
echo "| path | median ms per request |"
echo "|---|---:|"
echo "| host, direct | $direct |"
echo "| sandbox, through the gateway | $gateway |"
$py -c "d, g = $direct, $gateway; print(f'\nThe gateway adds {g - d:.3f} ms per request (goal: under 1 ms).')"
