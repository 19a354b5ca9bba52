#!/bin/bash
# What seccomp and Landlock cost a real workload: `python3 -c "import pandas"` in the sandbox
# with both layers (the default) against the same run with `--seccomp off --landlock off`,
# in one hyperfine invocation. Goal (issue #3): within 5 %.
#
#   bench/hardening.sh [AIRLOCK]        knobs: BENCH_RUNS (30), BENCH_WARMUP (3)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
airlock=${1:-$(dirname "$here")/build/src/cli/airlock}
runs=${BENCH_RUNS:-30}
warmup=${BENCH_WARMUP:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cmd="/usr/bin/python3 -c 'import pandas'"

"$airlock" run -q -- /usr/bin/python3 -c 'import pandas' || { echo "hardening.sh: workload fails" >&2; exit 1; }
hyperfine -N --warmup "$warmup" --runs "$runs" --export-json "$out/h.json" \
        -n "layers on" "$airlock run -q -- $cmd" \
        -n "seccomp and Landlock off" "$airlock run -q --seccomp off --landlock off -- $cmd" >&2
/usr/bin/python3 - "$out/h.json" <<'PY'
import json, statistics, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
on, off = (statistics.median(r[k]["times"]) * 1000 for k in ("layers on", "seccomp and Landlock off"))
print("| runner | median ms |\n|---|---:|")
print(f"| airlock, seccomp and Landlock on (default) | {on:.1f} |")
print(f"| airlock, `--seccomp off --landlock off` | {off:.1f} |")
print(f"\nOverhead of the two layers: {on - off:+.1f} ms, {100 * (on / off - 1):+.1f} % "
      f"(goal: within 5 %: {'met' if on <= off * 1.05 else 'NOT met'}).")
PY
