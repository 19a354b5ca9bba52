#!/bin/bash
# What --audit costs a real workload: `python3 -c "import pandas, matplotlib"` in the sandbox
# with --audit off (the plain seccomp filter), alerts (the default) and full. Each round is one
# hyperfine invocation with all three, so they see the same machine; short rounds, many of them,
# in a turning order, spread the drift of a shared machine over all three; the rounds' times
# are pooled and their medians compared. Goal (issue #5): alerts within 10 % of off.
#
# Then BENCH_PAIRS runs of off and alerts back to back, in alternating order, timed by this
# script: the median of the pairs' differences is the figure least moved by the machine's drift.
#
#   bench/audit.sh [AIRLOCK]        knobs: BENCH_RUNS (5 per round), BENCH_ROUNDS (6),
#                                   BENCH_WARMUP (2), BENCH_PAIRS (20)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
airlock=${1:-$(dirname "$here")/build/src/cli/airlock}
runs=${BENCH_RUNS:-5}
rounds=${BENCH_ROUNDS:-6}
warmup=${BENCH_WARMUP:-2}
pairs=${BENCH_PAIRS:-20}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cmd="/usr/bin/python3 -c 'import pandas, matplotlib'"
opts="-q --time 60s --cpu-time 60s --memory 1G"

for level in off alerts full; do
        # shellcheck disable=SC2086
        "$airlock" run $opts --audit "$level" -- /usr/bin/python3 -c 'import pandas, matplotlib' ||
                { echo "audit.sh: workload fails with --audit $level" >&2; exit 1; }
done
# hyperfine runs its commands one after the other: the order turns with each round, so that
# no level always comes first (or last) on a machine whose speed drifts
levels=(off alerts full)
for r in $(seq "$rounds"); do
        args=()
        for k in 0 1 2; do
                level=${levels[$(((r + k) % 3))]}
                args+=(-n "$level" "$airlock run $opts --audit $level -- $cmd")
        done
        hyperfine -N --warmup "$warmup" --runs "$runs" --export-json "$out/round-$r.json" \
                "${args[@]}" >&2
done
ms_of() {
        local t0 t1
        t0=$(date +%s%N)
        # shellcheck disable=SC2086
        "$airlock" run $opts --audit "$1" -- /usr/bin/python3 -c 'import pandas, matplotlib'
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000))
}
for i in $(seq "$pairs"); do
        if [ $((i % 2)) = 0 ]; then
                off=$(ms_of off)
                alerts=$(ms_of alerts)
        else
                alerts=$(ms_of alerts)
                off=$(ms_of off)
        fi
        echo "$off $alerts" >>"$out/pairs.txt"
done
# How many calls each level hands to the supervisor, counted on the bare workload.
strace -f -c -o "$out/strace.txt" -e trace=execve,execveat,open,openat,openat2,creat,connect,socket,bind \
        /usr/bin/python3 -c 'import pandas, matplotlib'
/usr/bin/python3 - "$out" "$rounds" "$(uptime)" <<'PY'
import glob, json, re, statistics, sys
out, rounds, load = sys.argv[1], int(sys.argv[2]), sys.argv[3]
times = {}
for path in sorted(glob.glob(f"{out}/round-*.json")):
    for x in json.load(open(path))["results"]:
        times.setdefault(x["command"], []).extend(t * 1000 for t in x["times"])
calls = {}
for line in open(f"{out}/strace.txt"):
    f = line.split()
    if len(f) >= 5 and f[-1].isidentifier() and f[-1] != "total" and f[3].isdigit():
        calls[f[-1]] = int(f[3])
# alerts: exec and connect (the credential rules use canaries); full: opens, socket, bind too
alerts_calls = sum(v for k, v in calls.items() if k in ("execve", "execveat", "connect"))
med = {k: statistics.median(v) for k, v in times.items()}
print("| `--audit` | median ms | IQR ms | runs |\n|---|---:|---:|---:|")
for k in ("off", "alerts", "full"):
    q = statistics.quantiles(times[k], n=4)
    print(f"| {k} | {med[k]:.1f} | {q[0]:.1f}–{q[2]:.1f} | {len(times[k])} |")
for k in ("alerts", "full"):
    d = med[k] - med["off"]
    print(f"\n{k} − off: {d:+.1f} ms ({100 * d / med['off']:+.1f} %)", end="")
    if k == "alerts":
        print(f" (goal: within 10 %: {'met' if med[k] <= med['off'] * 1.10 else 'NOT met'})", end="")
pairs = [tuple(int(x) / 1000 for x in line.split()) for line in open(f"{out}/pairs.txt")]
if pairs:
    diff = statistics.median(a - o for o, a in pairs)
    base = statistics.median(o for o, _ in pairs)
    print(f"\n\nInterleaved pairs ({len(pairs)}): off median {base:.1f} ms, alerts − off median "
          f"{diff:+.1f} ms ({100 * diff / base:+.1f} %)", end="")
print(f"\n\nCalls the supervisor receives (strace -f -c of the bare workload, denials aside): "
      f"{alerts_calls} at alerts, {sum(calls.values())} at full ({calls}).")
print(f"Load: {load.strip()}")
PY
