#!/bin/sh
# The limits and cleanup tests, run inside the VM against the real cgroup v2 hierarchy. Each
# checks what the kernel shows (cgroup directories, processes), not only airlock's report.
A=/usr/bin/airlock
R=/sys/fs/cgroup/airlock
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
# field FILE KEY: the first value of "KEY": in a JSON file (numbers, strings, booleans)
field() { grep -o "\"$2\": *[^,}]*" "$1" | head -n 1 | sed 's/^[^:]*: *//; s/"//g; s/ *$//'; }
run_groups() { ls "$R" 2>/dev/null | grep -E '^(uid|run)-' ; }
procs_with() { for p in /proc/[0-9]*; do grep -q "$1" "$p/cmdline" 2>/dev/null && echo "${p#/proc/}"; done; }
expect() { # expect NAME FILE KEY VALUE
        v=$(field "$2" "$3")
        if [ "$v" = "$4" ]; then ok "$1"; else bad "$1" "$3 is '$v', wanted '$4'"; cat "$2"; fi
}

$A check --json > /tmp/check.json
echo "VM-CHECK-BEGIN"; cat /tmp/check.json; echo "VM-CHECK-END"
expect "check: can run" /tmp/check.json can_run true
grep -q '"version": "v2"' /tmp/check.json && ok "check: cgroup v2" || bad "check: cgroup v2" "$(grep version /tmp/check.json)"

$A run --json -- /usr/bin/true > /tmp/r.json
expect "a plain run is ok" /tmp/r.json status ok
expect "on cgroup v2" /tmp/r.json cgroup v2

# --audit alerts (the default): a canary read is a policy violation here too (inotify and the
# Landlock rule for the canary, on this kernel and hierarchy).
$A run --json -- /usr/bin/cat /etc/shadow > /tmp/r.json
expect "audit: a canary read is a violation" /tmp/r.json status policy_violation
expect "audit: the canary's rule" /tmp/r.json rule cred-shadow

# Memory: a 128 MiB bomb against a 32 MiB limit; the peak comes from memory.peak.
$A run --json --memory 32M --time 20s -- /usr/bin/memhog 128 > /tmp/r.json
expect "memory bomb: memory_limit" /tmp/r.json status memory_limit
peak=$(field /tmp/r.json memory_peak_bytes)
if [ "${peak:-0}" -ge $((16 << 20)) ] && [ "$peak" -le $((34 << 20)) ]; then ok "memory peak near the cap ($peak)"
else bad "memory peak near the cap" "$peak"; fi

# pids: 20 background sleepers against pids.max 8.
$A run --json --pids 8 --time 3s -- /usr/bin/sh -c 'i=0; while [ $i -lt 20 ]; do sleep 10 & i=$((i+1)); done; wait' > /tmp/r.json
hits=$(field /tmp/r.json pids_max_hits)
if [ "${hits:-0}" -gt 0 ]; then ok "pids limit refused forks ($hits)"; else bad "pids limit" "pids_max_hits=$hits"; cat /tmp/r.json; fi
expect "pids: status pids_limit" /tmp/r.json status pids_limit

# CPU time: the tree's CPU counter (cpu.stat) ends the run.
$A run --json --cpu-time 300ms --time 20s -- /usr/bin/sh -c 'while :; do :; done' > /tmp/r.json
expect "cpu time: cpu_limit" /tmp/r.json status cpu_limit

# CPU quota: a quarter of a core for 2 s gives about 0.5 s of CPU, never the full 2 s.
$A run --json --cpus 0.25 --cpu-time 20s --time 2s -- /usr/bin/sh -c 'while :; do :; done' > /tmp/r.json
cpu=$(( $(field /tmp/r.json cpu_user_ms) + $(field /tmp/r.json cpu_sys_ms) ))
if [ "$cpu" -ge 200 ] && [ "$cpu" -le 900 ]; then ok "cpu quota holds ($cpu ms of 2000)"; else bad "cpu quota" "$cpu ms"; fi

# A whole tree, daemons included, dies at the deadline.
$A run --json --time 1s -- /usr/bin/sh -c 'for i in 1 2 3; do sleep 1000.0427 & done; setsid sleep 1000.0427 & wait' > /tmp/r.json
expect "tree: timeout" /tmp/r.json status timeout
sleep 0.5
left=$(procs_with 1000.0427)
[ -z "$left" ] && ok "tree: nothing survives" || bad "tree: nothing survives" "pids $left"

# SIGKILL of airlock itself: the sandbox dies with it, the janitor removes the cgroup.
$A run --time 60s -- /usr/bin/sleep 1000.0731 > /dev/null 2>&1 &
apid=$!
sleep 1
[ -n "$(procs_with 1000.0731)" ] && ok "sigkill: program started" || bad "sigkill: program started" "no process"
kill -9 $apid
sleep 3
left=$(procs_with 1000.0731)
[ -z "$left" ] && ok "sigkill: no process left" || bad "sigkill: no process left" "pids $left"
groups=$(run_groups)
[ -z "$groups" ] && ok "no run cgroup left (root)" || bad "no run cgroup left (root)" "$groups"

# The service on cgroup v2: the launcher makes the sandbox, the front end (dropped to uid 1000)
# only speaks HTTP; a memory bomb sent over the API is held by memory.max, and a drained server
# leaves nothing behind.
ip link set lo up
$A serve --listen 127.0.0.1:8080 --user 1000 --grace 5s --access-log /dev/null 2> /tmp/serve.err &
spid=$!
i=0
while [ $i -lt 50 ] && ! wget -q -O /dev/null http://127.0.0.1:8080/healthz 2> /dev/null; do
        sleep 0.1; i=$((i + 1))
done
wget -q -O /tmp/s.json --header 'Content-Type: application/json' \
        --post-data '{"command":["/usr/bin/memhog","128"],"limits":{"memory_bytes":33554432,"wall_ms":20000}}' \
        http://127.0.0.1:8080/v1/runs
expect "serve: memory bomb: memory_limit" /tmp/s.json status memory_limit
wget -q -O /tmp/s.json --header 'Content-Type: application/json' \
        --post-data '{"command":["/usr/bin/true"]}' http://127.0.0.1:8080/v1/runs
expect "serve: on cgroup v2" /tmp/s.json cgroup v2
kill -TERM $spid
wait $spid && ok "serve: drained and exited" || bad "serve: drained and exited" "exit $?; $(cat /tmp/serve.err)"
groups=$(run_groups)
[ -z "$groups" ] && ok "serve: no run cgroup left" || bad "serve: no run cgroup left" "$groups"

# Rootless, in a delegated subtree as systemd gives a user session: the user's processes live
# in a leaf below airlock/user-1000, and runs are made beside it.
$A delegate 1000:1000 > /dev/null && ok "delegate" || bad "delegate" "exit $?"
mkdir -p $R/user-1000/session
chown 1000:1000 $R/user-1000/session $R/user-1000/session/cgroup.procs
echo $$ > $R/user-1000/session/cgroup.procs
/usr/bin/runas 1000 1000 $A run --json -- /usr/bin/id -u > /tmp/r.json
expect "rootless: ok" /tmp/r.json status ok
expect "rootless: reported" /tmp/r.json rootless true
/usr/bin/runas 1000 1000 $A run --json --memory 32M --time 20s -- /usr/bin/memhog 128 > /tmp/r.json
expect "rootless: memory bomb held" /tmp/r.json status memory_limit
/usr/bin/runas 1000 1000 $A run --json --pids 8 --time 3s -- /usr/bin/sh -c 'i=0; while [ $i -lt 20 ]; do sleep 10 & i=$((i+1)); done; wait' > /tmp/r.json
expect "rootless: pids_limit" /tmp/r.json status pids_limit
echo $$ > /sys/fs/cgroup/cgroup.procs
left=$(ls $R/user-1000 | grep -E '^run-')
[ -z "$left" ] && ok "rootless: no run cgroup left" || bad "rootless: no run cgroup left" "$left"

echo "VM-RESULT: $pass passed, $fail failed"
