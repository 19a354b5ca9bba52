#!/bin/bash
# What `airlock serve` costs over `airlock run` (issue #7): runs/s and p50/p99 latency of
# `/bin/true` and `python3 -c pass` at concurrency 1, 2, 8 and 32, through the service (POST
# /v1/runs, a kept-alive connection per client) and as parallel `airlock run -q` processes (a
# slot starts the next process when its last one ends, as `xargs -P` does). Each cell runs both
# ways back to back, the order alternating between rounds, so both see the same machine; the
# table gives the median of the rounds. Goals: under 1 ms added per run at concurrency 1, and
# at concurrency 8 at least 90 % of the CLI's throughput.
#
#   bench/serve.sh [AIRLOCK]
#   knobs: BENCH_ROUNDS (3), BENCH_CONCURRENCY ("1 2 8 32"), BENCH_MIN_RUNS (60; a cell runs
#          max(BENCH_MIN_RUNS, 10 x concurrency)), BENCH_KEEP=1 keeps the raw JSON lines.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${1:-$(dirname "$here")/build/src/cli/airlock}
rounds=${BENCH_ROUNDS:-3}
concurrency=${BENCH_CONCURRENCY:-1 2 8 32}
min_runs=${BENCH_MIN_RUNS:-60}
py=/usr/bin/python3
load="$py $here/serve-load.py"

tmp=$(mktemp -d /tmp/airlock-bench-serve.XXXXXX)
server=
cleanup() {
        [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null
        if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "raw results kept in $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
# A copy of the binary: a rebuild while the benchmark runs must not change what is measured.
cp "$src" "$tmp/airlock"
airlock=$tmp/airlock
chmod 0755 "$tmp" "$airlock"

max_c=0
for c in $concurrency; do [ "$c" -gt "$max_c" ] && max_c=$c; done
port=$($py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# As many sandboxes as the largest concurrency, so that neither side queues where the other
# does not; the access log goes to a file, as a deployment's would.
"$airlock" serve --listen "127.0.0.1:$port" --max-concurrent "$max_c" --queue 256 \
        --access-log "$tmp/access.log" 2>"$tmp/serve.log" &
server=$!
url="http://127.0.0.1:$port"
for _ in $(seq 100); do
        curl -sf "$url/healthz" >/dev/null 2>&1 && break
        sleep 0.1
done
curl -sf "$url/healthz" >/dev/null || { cat "$tmp/serve.log" >&2; exit 1; }

started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
results=$tmp/results.jsonl
: >"$results"
workloads=("/bin/true" "/usr/bin/python3 -c pass")
for round in $(seq "$rounds"); do
        for w in "${workloads[@]}"; do
                read -r -a cmd <<<"$w"
                for c in $concurrency; do
                        n=$((10 * c > min_runs ? 10 * c : min_runs))
                        # Warm both paths (page cache, the server's threads) without timing.
                        $load http "$url" "$c" "$((2 * c))" -- "${cmd[@]}" >/dev/null
                        $load cli "$airlock" "$c" "$((2 * c))" -- "${cmd[@]}" >/dev/null
                        if [ $((round % 2)) = 1 ]; then order="http cli"; else order="cli http"; fi
                        for mode in $order; do
                                target=$url
                                [ "$mode" = cli ] && target=$airlock
                                $load "$mode" "$target" "$c" "$n" -- "${cmd[@]}" |
                                        $py -c 'import json, sys; r = json.load(sys.stdin); r.update(mode=sys.argv[1], workload=sys.argv[2], round=int(sys.argv[3])); print(json.dumps(r))' \
                                                "$mode" "$w" "$round" >>"$results"
                        done
                done
        done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

$py - "$results" "$started" "$load_start" "$load_end" "$("$airlock" --version 2>&1 | head -1)" <<'PY'
import collections, json, os, statistics, sys
path, started, load0, load1, version = sys.argv[1:6]
rows = [json.loads(l) for l in open(path)]
cells = collections.defaultdict(list)
for r in rows:
    cells[(r["workload"], r["concurrency"], r["mode"])].append(r)
med = lambda rs, k: statistics.median(r[k] for r in rs)
print(f"### airlock serve against airlock run, {started}\n")
print(f"Machine: {os.cpu_count()} CPUs, kernel {os.uname().release}; {version}; running as "
      f"{'root' if os.geteuid() == 0 else 'uid %d' % os.geteuid()}. Load average at start: "
      f"{load0}, at the end: {load1}. Medians of {max(r['round'] for r in rows)} rounds; "
      f"service started with --max-concurrent {max(r['concurrency'] for r in rows)}.\n")
print("| workload | concurrency | runs/cell | serve runs/s | CLI runs/s | serve / CLI | "
      "serve p50 ms | CLI p50 ms | serve − CLI p50 ms | serve p99 ms | CLI p99 ms | failures |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
verdicts = []
for w in dict.fromkeys(r["workload"] for r in rows):
    for c in sorted({r["concurrency"] for r in rows}):
        s, k = cells[(w, c, "http")], cells[(w, c, "cli")]
        srps, crps = med(s, "runs_per_s"), med(k, "runs_per_s")
        s50, c50 = med(s, "p50_ms"), med(k, "p50_ms")
        fails = sum(r["failures"] for r in s + k)
        print(f"| `{w}` | {c} | {s[0]['runs']} | {srps:.1f} | {crps:.1f} | {srps / crps:.2f} | "
              f"{s50:.1f} | {c50:.1f} | {s50 - c50:+.1f} | {med(s, 'p99_ms'):.1f} | "
              f"{med(k, 'p99_ms'):.1f} | {fails} |")
        if c == 1:
            verdicts.append(f"`{w}`, concurrency 1: the service adds {s50 - c50:+.2f} ms per run "
                            f"(p50; goal < 1 ms): **{'met' if s50 - c50 < 1 else 'NOT met'}**")
        if c == 8:
            verdicts.append(f"`{w}`, concurrency 8: the service reaches {srps / crps:.0%} of the "
                            f"CLI's throughput (goal ≥ 90 %): "
                            f"**{'met' if srps / crps >= 0.9 else 'NOT met'}**")
print("\nVerdict against the goals:\n")
for v in verdicts:
    print(f"- {v}")
PY
