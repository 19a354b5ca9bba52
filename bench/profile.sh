#!/bin/bash
# Where the time of one `airlock run -q -- CMD` goes, phase by phase.
#
#   bench/profile.sh [-n RUNS] [-s PAUSE] [AIRLOCK] [-- CMD...]   (root; default CMD /bin/true)
#
# -n RUNS   traced runs (default 20); -s PAUSE  seconds to sleep between runs (default 0: back
#           to back). A pause of 0.05 or more shows what an isolated run pays: on cgroup v1 the
#           first cgroup.procs write after a quiet spell waits for a full RCU grace period.
#
# Traces RUNS sequential runs with the kernel's own tracepoints (every syscall's entry and exit,
# fork/exec/exit, cgroup mkdir/attach/rmdir) in a private ftrace instance, filtered to the runs'
# process trees, and hands the trace to bench/profile.py, which splits each run into phases
# (cgroup setup, janitor fork, clone of the namespaces, cgroup attach, rootfs, worker setup,
# program, teardown...) and prints the median of each. Tracepoints cost about a microsecond per
# syscall, so the phases add up to a little more than an untraced run; strace or perf trace would
# inflate them tenfold. Nothing is written outside a temporary directory (BENCH_KEEP=1 keeps it).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
python=/usr/bin/python3
runs=20
pause=0
airlock=
while [ $# -gt 0 ]; do
        case $1 in
        -n) runs=$2; shift ;;
        -s) pause=$2; shift ;;
        --) shift; break ;;
        -h | --help) sed -n '2,17s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
        *) airlock=$1 ;;
        esac
        shift
done
[ $# -gt 0 ] || set -- /bin/true
airlock=$(realpath "${airlock:-$repo/build/src/cli/airlock}")
[ "$(id -u)" = 0 ] || { echo "profile.sh: needs root (ftrace)" >&2; exit 1; }

tracefs=/sys/kernel/tracing
[ -e $tracefs/instances ] || tracefs=/sys/kernel/debug/tracing
inst=$tracefs/instances/airlock-profile-$$
tmp=$(mktemp -d "${TMPDIR:-/tmp}/airlock-profile.XXXXXX")
cleanup() {
        if [ -d "$inst" ]; then
                echo 0 >"$inst/tracing_on" || true
                echo 0 >"$inst/events/enable" || true
                rmdir "$inst" || true
        fi
        if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "trace kept in $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

mkdir "$inst"
echo 0 >"$inst/tracing_on"
echo mono >"$inst/trace_clock"
echo 16384 >"$inst/buffer_size_kb"
echo 1 >"$inst/options/event-fork" # children of a traced pid are traced too
echo 1 >"$inst/events/syscalls/enable"
for e in sched/sched_process_fork sched/sched_process_exec sched/sched_process_exit \
        cgroup/cgroup_mkdir cgroup/cgroup_rmdir cgroup/cgroup_attach_task; do
        echo 1 >"$inst/events/$e/enable"
done

# A few untraced runs first, so that page cache and dentries are warm.
for _ in 1 2 3; do "$airlock" run -q -- "$@" </dev/null >/dev/null 2>&1 || true; done

# The tracer follows this shell and everything it starts; events of other processes are dropped
# before they reach the buffer.
bash -c 'echo $$ >"$1/set_event_pid"; echo 1 >"$1/tracing_on"; shift
        n=$1 pause=$2 a=$3; shift 3
        for ((i = 0; i < n; i++)); do
                [ "$pause" = 0 ] || sleep "$pause"
                "$a" run -q -- "$@" </dev/null >/dev/null 2>&1
        done
        echo 0 >"'"$inst"'/tracing_on"' _ "$inst" "$runs" "$pause" "$airlock" "$@"
cat "$inst/trace" >"$tmp/trace.txt"
if grep -q "LOST.*EVENTS" "$tmp/trace.txt"; then
        echo "profile.sh: the trace buffer overflowed; use fewer runs (-n)" >&2
fi
cp /proc/cgroups "$tmp/cgroups.txt"

"$python" "$here/profile.py" "$tmp/trace.txt" "$tmp/cgroups.txt" "$airlock"
