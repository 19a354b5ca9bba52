#!/bin/bash
# make check-v2: boots Debian's own kernel under qemu (software emulation is fine) on a pure
# cgroup v2 hierarchy and runs the limits and cleanup tests there (tests/vm/vm-tests.sh). The
# root filesystem is an initramfs of the project's making: busybox-static, airlock and the
# libraries it links, two small static test helpers. The kernel package is downloaded once (apt)
# and cached in $AIRLOCK_VM_CACHE (default build/vm).
#
#   tests/vm/run-v2.sh [AIRLOCK]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
airlock=$(readlink -f "${1:-$repo/build/src/cli/airlock}")
cache=${AIRLOCK_VM_CACHE:-$repo/build/vm}
timeout_s=${AIRLOCK_VM_TIMEOUT:-300}
mkdir -p "$cache"

die() { echo "check-v2: $*" >&2; exit 1; }
[ -x "$airlock" ] || die "no airlock binary at $airlock"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (scripts/install-deps)"
[ -x /bin/busybox ] || die "busybox-static missing (scripts/install-deps)"

# The kernel: Debian's linux-image-amd64, unpacked, never installed on this machine.
kernel=$(ls "$cache"/kernel/boot/vmlinuz-* 2>/dev/null | head -n 1 || true)
if [ -z "$kernel" ]; then
        pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ {print $2; exit}')
        [ -n "$pkg" ] || die "cannot find the package behind linux-image-amd64 (apt-get update?)"
        (cd "$cache" && apt-get download "$pkg" >/dev/null 2>&1) || die "apt-get download $pkg failed"
        dpkg-deb -x "$cache/$pkg"_*.deb "$cache/kernel"
        rm -f "$cache/$pkg"_*.deb
        kernel=$(ls "$cache"/kernel/boot/vmlinuz-* | head -n 1)
fi

# The root filesystem: merged /usr like Debian's, so airlock's rootfs code sees a normal host.
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/usr/bin "$root"/usr/lib "$root"/usr/lib64 "$root"/proc "$root"/sys "$root"/dev \
        "$root"/tmp "$root"/etc "$root"/root
for l in bin sbin; do ln -s usr/bin "$root/$l"; done
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
cp /bin/busybox "$root/usr/bin/busybox"
for applet in $(/bin/busybox --list); do
        [ -e "$root/usr/bin/$applet" ] || ln -s busybox "$root/usr/bin/$applet"
done
cp "$airlock" "$root/usr/bin/airlock"
# Every library airlock links, at its own path (the loader included).
for lib in $(ldd "$airlock" | grep -o '/[^ ]*'); do
        real=$(readlink -f "$lib")
        dest="$root/usr${lib#/usr}"
        mkdir -p "$(dirname "$dest")"
        cp "$real" "$dest"
done
gcc -static -O2 -o "$root/usr/bin/memhog" "$here/helpers/memhog.c"
gcc -static -O2 -o "$root/usr/bin/runas" "$here/helpers/runas.c"
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/tmp:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' > "$root/etc/group"
cp "$here/init" "$root/init"
cp "$here/vm-tests.sh" "$root/vm-tests.sh"
(cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) > "$cache/initramfs.gz"

log="$cache/console.log"
echo "check-v2: booting $(basename "$kernel") under qemu (log: $log)"
timeout "$timeout_s" qemu-system-x86_64 -m 1024 -smp 2 -nographic -no-reboot \
        -kernel "$kernel" -initrd "$cache/initramfs.gz" \
        -append "console=ttyS0 panic=-1 quiet rdinit=/init cgroup_no_v1=all" \
        </dev/null >"$log" 2>&1 || true
tr -d '\r' <"$log" >"$log.txt"

grep -E '^VM-(KERNEL|CGROUP)' "$log.txt" || die "the VM did not boot (see $log)"
grep -qE '^VM-CGROUP: 1 cgroup2 and 0 cgroup v1 mounts' "$log.txt" || die "the VM is not on a pure cgroup v2 hierarchy"
grep -E '^(PASS|FAIL) ' "$log.txt"
sed -n '/^VM-CHECK-BEGIN$/,/^VM-CHECK-END$/p' "$log.txt" | sed '1d;$d' >"$cache/check-v2.json"
result=$(grep -E '^VM-RESULT: ' "$log.txt" | tail -n 1 | sed 's/^VM-RESULT: //')
[ -n "$result" ] || die "the tests did not finish (see $log)"

# airlock check --json from both kernels: the same keys, each reporting its own cgroup mode.
"$airlock" check --json >"$cache/check-v1.json" || true
/usr/bin/python3 - "$cache/check-v1.json" "$cache/check-v2.json" "$repo"/tests/fixtures/check-v[12].json <<'PY' || die "check --json differs in shape between v1 and v2"
import json, sys
def keys(o, p=""):
    out = set()
    for k, v in o.items():
        out.add(p + k)
        if isinstance(v, dict):
            out |= keys(v, p + k + ".")
    return out
v1, v2, fix1, fix2 = (json.load(open(f)) for f in sys.argv[1:5])
# Both kernels, and the fixtures recorded from each (tests/fixtures), have the same shape.
for other in (v2, fix1, fix2):
    assert keys(v1) == keys(other), keys(v1) ^ keys(other)
assert fix1["cgroup"]["version"] == "v1" and fix2["cgroup"]["version"] == "v2"
assert v2["cgroup"]["version"] == "v2" and v2["can_run"] is True, v2["cgroup"]
print(f"check-v2: check --json: same keys on both kernels; here cgroup {v1['cgroup']['version']}, in the VM v2")
PY
echo "check-v2: $result"
echo "$result"
case $result in
*" 0 failed") ;;
*) exit 1 ;;
esac
