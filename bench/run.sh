#!/bin/bash
# Start-up overhead of airlock against the bare command and against bubblewrap.
#
#   bench/run.sh [--write-docs] [--quick] [AIRLOCK]      (make bench: bench/run.sh build/src/cli/airlock)
#
# For each workload, ONE hyperfine invocation times the bare command, `airlock run -q -- CMD`
# (default limits, cgroups on) and bubblewrap with the same namespaces, so that the three are
# compared within one run on a noisy machine. Then a sequential shell loop of `/bin/true` under
# each runner gives runs per second. Raw results go to a temporary directory (kept with
# BENCH_KEEP=1); bench/summarize.py turns them into the markdown printed at the end. Nothing in
# the repository changes unless --write-docs is given: then the figures section of
# docs/BENCHMARKS.md is rewritten.
#
# Knobs (environment): BENCH_RUNS_TRUE (100), BENCH_RUNS_ISOLATED (40), BENCH_PAUSE (0.1 s
# before each isolated run), BENCH_RUNS_PY (40), BENCH_WARMUP (5),
# BENCH_LOOP (200 runs per loop), BENCH_LOOP_REPS (3 loops per runner, interleaved),
# BENCH_KEEP=1 (keep the raw results and print where), BENCH_AIRLOCK_REV (what to call the
# binary in the figures when it was not built from this checkout, e.g. "d29f208").
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
python=/usr/bin/python3 # Debian's, never whatever python3 is first on PATH
write_docs=0
quick=0
airlock=

usage() {
        sed -n '2,19s/^# \{0,1\}//p' "$0" >&2
        exit 2
}

while [ $# -gt 0 ]; do
        case $1 in
        --write-docs) write_docs=1 ;;
        --quick) quick=1 ;;
        -h | --help) usage ;;
        -*) echo "run.sh: unknown option $1" >&2; usage ;;
        *) [ -z "$airlock" ] || usage; airlock=$1 ;;
        esac
        shift
done
airlock=${airlock:-$repo/build/src/cli/airlock}

runs_true=${BENCH_RUNS_TRUE:-100}
runs_py=${BENCH_RUNS_PY:-40}
runs_isolated=${BENCH_RUNS_ISOLATED:-40}
pause=${BENCH_PAUSE:-0.1}
warmup=${BENCH_WARMUP:-5}
loop_n=${BENCH_LOOP:-200}
loop_reps=${BENCH_LOOP_REPS:-3}
if [ "$quick" = 1 ]; then
        runs_true=10 runs_py=5 runs_isolated=5 warmup=1 loop_n=20 loop_reps=1
fi

die() {
        echo "run.sh: $*" >&2
        exit 1
}

for tool in hyperfine bwrap; do
        command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install $tool)"
done
[ -x "$python" ] || die "$python is missing"
[ -x "$airlock" ] || die "$airlock is not an executable (build it: ninja -C build)"
airlock=$(realpath "$airlock")

# bubblewrap with airlock's namespaces (user, pid, net, ipc, uts, cgroup; airlock's mount
# namespace is implied by bwrap's), /usr read-only, the merged-/usr top-level links recreated
# as on the host, fresh /proc and /dev, and a tmpfs /tmp to run in.
bwrap_cmd="bwrap --unshare-user --unshare-pid --unshare-net --unshare-ipc --unshare-uts"
bwrap_cmd+=" --unshare-cgroup --die-with-parent --ro-bind /usr /usr"
for d in bin sbin lib lib32 lib64 libx32; do
        if [ -L "/$d" ]; then
                bwrap_cmd+=" --symlink $(readlink "/$d") /$d"
        elif [ -d "/$d" ]; then
                bwrap_cmd+=" --ro-bind /$d /$d"
        fi
done
bwrap_cmd+=" --proc /proc --dev /dev --tmpfs /tmp --chdir /tmp --"
airlock_cmd="$airlock run -q --"

# name <TAB> pause <TAB> command, in print order. hyperfine runs the commands without a shell
# (-N): each is split like a shell would, so the single quotes below group the -c argument.
# pause: seconds slept before each timed run (hyperfine --prepare), 0 for back to back. The
# isolated row exists because on cgroup v1 the first cgroup.procs write after a quiet spell
# waits for an RCU grace period, which back-to-back runs mostly skip (docs/BENCHMARKS.md).
workloads=(
        "true	0	/bin/true"
        "true-isolated	$pause	/bin/true"
        "python-S	0	/usr/bin/python3 -S -c pass"
        "python-import	0	/usr/bin/python3 -c 'import json,csv,re'"
)

results=$(mktemp -d "${TMPDIR:-/tmp}/airlock-bench.XXXXXX")
if [ "${BENCH_KEEP:-0}" = 1 ]; then
        trap 'echo "raw results kept in $results" >&2' EXIT
else
        trap 'rm -rf "$results"' EXIT
fi

# Every runner must really run every workload: a runner that fails fast would look fast.
echo "== sanity: every runner runs every workload" >&2
for w in "${workloads[@]}"; do
        cmd=${w#*	*	}
        for prefix in "" "$airlock_cmd " "$bwrap_cmd "; do
                if ! out=$(eval "$prefix$cmd" </dev/null 2>&1); then
                        die "fails: $prefix$cmd: $out"
                fi
        done
done
# The sandboxes must really be sandboxes: a different pid namespace (the program is not pid 1's
# sibling on the host) and no network but loopback.
for prefix in "$airlock_cmd " "$bwrap_cmd "; do
        check=$(eval "$prefix/usr/bin/python3 -S -c 'import os; import socket; print(os.getpid() < 10, sorted(n for _, n in socket.if_nameindex()))'" </dev/null 2>&1) ||
                die "fails: ${prefix}python3 namespace check: $check"
        case $check in
        "True ['lo']"*) ;;
        *) die "${prefix%% *} does not look sandboxed: $check" ;;
        esac
done

# Machine facts for the record.
cgroup_fs=$(stat -fc %T /sys/fs/cgroup 2>/dev/null || echo "?")
airlock_cg=$("$airlock" run --json -- /bin/true </dev/null 2>/dev/null |
        "$python" -c 'import json,sys; print(json.load(sys.stdin)["sandbox"]["cgroup"])' ||
        echo "?")
case $cgroup_fs in
cgroup2fs) cg_desc="cgroup v2 (unified)" ;;
tmpfs)
        if [ -d /sys/fs/cgroup/unified ]; then cg_desc="cgroup v1 (hybrid: v1 controllers, empty v2 at /sys/fs/cgroup/unified)"; else cg_desc="cgroup v1 (legacy)"; fi ;;
*) cg_desc="cgroup: $cgroup_fs" ;;
esac
cg_desc+="; airlock uses $airlock_cg"
# Which airlock: BENCH_AIRLOCK_REV names it when the binary was not built from this checkout.
if [ -n "${BENCH_AIRLOCK_REV:-}" ]; then
        airlock_rev=$BENCH_AIRLOCK_REV
else
        airlock_rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo "?")
        if [ -n "$(git -C "$repo" status --porcelain -- src meson.build meson_options.txt 2>/dev/null)" ]; then
                airlock_rev+="+uncommitted changes"
        fi
fi
airlock_rev="$("$airlock" --version 2>/dev/null | head -1) ($airlock_rev)"
{
        printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
        printf 'nproc\t%s\n' "$(nproc)"
        printf 'cpu\t%s\n' "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
        printf 'kernel\t%s\n' "$(uname -r)"
        printf 'cgroup\t%s\n' "$cg_desc"
        printf 'distro\t%s\n' "$(. /etc/os-release && echo "$PRETTY_NAME")"
        printf 'hyperfine\t%s\n' "$(hyperfine --version)"
        printf 'bwrap\t%s\n' "$(bwrap --version)"
        printf 'airlock\t%s\n' "$airlock_rev"
        printf 'user\t%s\n' "$(id -un) (uid $(id -u))"
        printf 'loadavg\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
        printf 'hyperfine_args\t%s\n' "-N --warmup $warmup; --runs $runs_true for /bin/true, $runs_isolated for isolated /bin/true (--prepare 'sleep $pause'), $runs_py for python"
        printf 'loop_desc\t%s\n' "for i in 1..$loop_n; do RUNNER /bin/true; done, timed; $loop_reps loops per runner, interleaved"
} >"$results/meta.tsv"

for w in "${workloads[@]}"; do
        IFS='	' read -r name wpause cmd <<<"$w"
        extra=()
        case $name in
        true) runs=$runs_true ;;
        true-isolated) runs=$runs_isolated extra=(--prepare "sleep $wpause") ;;
        *) runs=$runs_py ;;
        esac
        printf '%s\t%s\t%s\n' "$name" "$wpause" "$cmd" >>"$results/workloads.tsv"
        echo "== hyperfine: $cmd ($runs runs each${extra:+, sleep $wpause before each})" >&2
        hyperfine -N --warmup "$warmup" --runs "$runs" --style basic "${extra[@]}" \
                --export-json "$results/$name.json" \
                -n bare "$cmd" \
                -n airlock "$airlock_cmd $cmd" \
                -n bwrap "$bwrap_cmd $cmd" >&2
done

# The sequential loop: what a caller running sandboxes back to back gets. Runners interleaved so
# that a noisy minute does not land on one runner alone.
loop_once() { # tool rep command...
        local tool=$1 rep=$2 fails=0 start end i
        shift 2
        start=$(date +%s%N)
        for ((i = 0; i < loop_n; i++)); do
                "$@" </dev/null >/dev/null 2>&1 || fails=$((fails + 1))
        done
        end=$(date +%s%N)
        printf '%s\t%s\t%s\t%s\t%s\n' "$tool" "$rep" "$loop_n" \
                "$(awk -v ns=$((end - start)) 'BEGIN { printf "%.6f", ns / 1e9 }')" "$fails" \
                >>"$results/loop.tsv"
}
read -ra bwrap_argv <<<"$bwrap_cmd"
for ((rep = 1; rep <= loop_reps; rep++)); do
        echo "== loop $rep/$loop_reps: $loop_n × /bin/true per runner" >&2
        loop_once bare "$rep" /bin/true
        loop_once airlock "$rep" "$airlock" run -q -- /bin/true
        loop_once bwrap "$rep" "${bwrap_argv[@]}" /bin/true
done

printf 'loadavg_end\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$results/meta.tsv"

echo >&2
if [ "$write_docs" = 1 ]; then
        "$python" "$here/summarize.py" "$results" --write-docs "$repo/docs/BENCHMARKS.md"
else
        "$python" "$here/summarize.py" "$results"
fi
