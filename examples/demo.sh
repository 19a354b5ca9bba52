#!/bin/sh
# The main job on a real example: a chart script over a CSV, run in a sandbox, its PNG
# collected out; then a hostile script: killed by the audit rules at its first credential read,
# and, with the audit off, contained by the kernel layers alone.
set -eu
airlock=${1:-build/src/cli/airlock}
here=$(cd "$(dirname "$0")" && pwd)
out=${AIRLOCK_DEMO_OUT:-demo-out}
mkdir -p "$out"

echo "== 1. a chart script over a CSV file =="
"$airlock" run --copy "$here/sales.csv" --copy "$here/chart.py" \
        --collect '*.png' --out-dir "$out" --result "$out/chart-result.json" \
        -- python3 chart.py
test -s "$out/chart.png"
echo "chart collected: $out/chart.png ($(wc -c < "$out/chart.png") bytes)"

echo
echo "== 2. a hostile script =="
set +e
"$airlock" run --memory 128M --time 10s --copy "$here/hostile.py" --prescreen warn \
        --result "$out/hostile-result.json" -- python3 hostile.py
code=$?
set -e
status=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' \
        "$out/hostile-result.json")
echo "hostile script: status $status, airlock exit code $code"
/usr/bin/python3 - "$out/hostile-result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
found = [f for file in r["prescreen"]["files"] for f in file["findings"]]
print(f"pre-screen (warn): {len(found)} findings, e.g.",
      ", ".join(sorted({f["rule"] for f in found})[:5]))
PY
test "$status" = policy_violation

echo
echo "== 3. the same script with --audit off: the kernel layers alone =="
set +e
"$airlock" run --audit off --memory 128M --time 10s --copy "$here/hostile.py" \
        --result "$out/hostile-noaudit-result.json" -- python3 hostile.py
code=$?
set -e
status=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' \
        "$out/hostile-noaudit-result.json")
echo "hostile script, no audit: status $status, airlock exit code $code"
test "$status" = memory_limit
echo
echo "results: $out/chart-result.json, $out/hostile-result.json, $out/hostile-noaudit-result.json"
