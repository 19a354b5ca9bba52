"""Real workloads must work with the default limits (the PNG case is in test_collect.py)."""

C_PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
int main(void)
{
        long sum = 0;
        for (int i = 1; i <= 100; i++)
                sum += i;
        printf("sum=%ld\n", sum);
        return 0;
}
"""


def test_bash_pipeline_with_coreutils(run_json):
    r = run_json("--", "bash", "-c",
                 "set -o pipefail; seq 1 1000 | sort -rn | head -n 3 | paste -sd, - | tr , ' ';"
                 " printf 'b\\na\\nb\\n' | sort | uniq -c | awk '{print $1 $2}' | xargs echo;"
                 " echo hello | sha256sum | cut -c1-16; date +%Y >/dev/null; ls / | wc -l >/dev/null")
    assert r["status"] == "ok", r
    assert r["stdout"].splitlines() == ["1000 999 998", "1a 2b", "5891b5b522d5df08"]


def test_node(run_json):
    r = run_json("--", "node", "-e", "console.log(JSON.stringify([1,2,3].map(x => x * 2)))")
    assert r["status"] == "ok", r
    assert r["stdout"] == "[2,4,6]\n"


def test_gcc_compiles_and_runs(run_json):
    r = run_json("--time", "30s", "--cpu-time", "30s", "--", "sh", "-c",
                 f"cat > t.c <<'EOF'\n{C_PROGRAM}\nEOF\ngcc -O2 -Wall -o t t.c && ./t")
    assert r["status"] == "ok", r
    assert r["stdout"] == "sum=5050\n"


def test_gcc_with_default_limits(run_json):
    r = run_json("--", "sh", "-c", f"cat > t.c <<'EOF'\n{C_PROGRAM}\nEOF\ngcc -o t t.c && ./t")
    assert r["status"] == "ok", r
    assert r["stdout"] == "sum=5050\n"


def test_python_stdlib(run_json):
    r = run_json("--", "python3", "-c",
                 "import json, sqlite3, hashlib; c = sqlite3.connect(':memory:'); c.execute('create table t(x)');"
                 "c.execute('insert into t values (42)'); print(json.dumps(c.execute('select x from t').fetchall()))")
    assert r["status"] == "ok", r
    assert r["stdout"] == "[[42]]\n"
