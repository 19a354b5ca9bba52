#!/usr/bin/python3
"""Load for bench/serve.sh: N runs of one command at concurrency C, either through `airlock
serve` (POST /v1/runs, one kept-alive HTTP connection per client thread) or as parallel
`airlock run -q` processes (one thread per slot, each starting the next process when its last
one ends: what `xargs -P C` does). Prints one JSON object: runs/s over the whole batch, the
p50 and p99 latency of single runs, and the failures (a run counts only if it answered status
ok / exit 0).

  serve-load.py http URL C N -- CMD...
  serve-load.py cli AIRLOCK C N -- CMD...
"""
import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse


def http_client(url, cmd):
    u = urllib.parse.urlsplit(url)
    body = json.dumps({"command": cmd}).encode()
    headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}

    def make():
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)

        def one():
            nonlocal conn
            try:
                conn.request("POST", "/v1/runs", body, headers)
                r = conn.getresponse()
                data = r.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
                return False
            return r.status == 200 and json.loads(data)["status"] == "ok"

        return one

    return make


def cli_client(airlock, cmd):
    argv = [airlock, "run", "-q", "--", *cmd]

    def make():
        def one():
            p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            return p.returncode == 0

        return one

    return make


def run(make, concurrency, n):
    lock = threading.Lock()
    next_i = 0
    latencies, failures = [], 0

    def worker():
        nonlocal next_i, failures
        one = make()
        while True:
            with lock:
                if next_i >= n:
                    return
                next_i += 1
            t = time.perf_counter()
            ok = one()
            dt = time.perf_counter() - t
            with lock:
                latencies.append(dt)
                failures += not ok

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    latencies.sort()
    return {
        "runs": n,
        "concurrency": concurrency,
        "wall_s": round(wall, 3),
        "runs_per_s": round(n / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 2),
        "failures": failures,
    }


def main(argv):
    if len(argv) < 6 or argv[4] != "--" or argv[0] not in ("http", "cli"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, target, c, n, cmd = argv[0], argv[1], int(argv[2]), int(argv[3]), argv[5:]
    make = http_client(target, cmd) if mode == "http" else cli_client(target, cmd)
    print(json.dumps(run(make, c, n)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
