#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel.sh [test]: a 6.12 kernel with the checkers Debian's kernels
# lack (KASAN, lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS, KFENCE), built
# from Debian's linux-source-6.12 on tinyconfig + scripts/debug-kernel.fragment
# and registered as the VM kernel "debug-6.12" (build/kernels/debug-6.12:
# vmlinuz, modules, kdir, release), so that `make module KVER=debug-6.12`
# and scripts/vm-test.sh take it as they take Debian's.
#
# Built once: the tree (the kdir fwverify.ko is built against) is kept in
# $FWVERIFY_CACHE/debug-kernel/<key> (default /var/cache/fwverify) and reused
# while the tarball, the fragment, the compiler and RECIPE are the same.
#
#   debug-kernel.sh        build if needed, register
#   debug-kernel.sh test   then the kselftests on it (DEBUG_PAYLOAD, default
#                          tests/kselftest/run_vm.sh), failing on any report
#                          of the checkers in the kernel log
#
# DEBUG_KERNEL_JOBS=N: build parallelism (default 2), run under nice -n 10.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# Bump when the way the kernel is built changes (not the fragment: its
# content is in the key already).
RECIPE=1
series=debug-6.12
tarball=/usr/src/linux-source-6.12.tar.xz
fragment=scripts/debug-kernel.fragment
cache=${FWVERIFY_CACHE:-/var/cache/fwverify}/debug-kernel
jobs=${DEBUG_KERNEL_JOBS:-2}
t0=$SECONDS

die() { echo "debug-kernel: $*" >&2; exit 2; }
step() { echo "# debug-kernel: $1 ($((SECONDS - t0)) s)"; t0=$SECONDS; }

[ -f "$tarball" ] || die "$tarball missing (scripts/setup.sh installs linux-source-6.12)"
command -v gcc >/dev/null || die "no gcc (scripts/setup.sh)"

key=$( { stat -c '%s %Y' "$tarball"; cat "$fragment"; gcc --version | head -n 1; echo "$RECIPE"; } |
	sha256sum | cut -c1-16)
dir=$cache/6.12-$key
src=$dir/linux

# Every line of the fragment, as .config must have it after olddefconfig.
check_config() {
	local line bad=0
	while read -r line; do
		case $line in
		CONFIG_*=*|"# CONFIG_"*" is not set")
			grep -qxF "$line" "$src/.config" ||
				{ echo "debug-kernel: not in .config: $line" >&2; bad=1; } ;;
		esac
	done <"$fragment"
	return $bad
}

build() {
	local start=$SECONDS
	rm -rf "$dir"
	mkdir -p "$src" || die "cannot create $src"
	tar -C "$src" --strip-components=1 -xJf "$tarball" || die "cannot unpack $tarball"
	step "unpacked $tarball"
	(
		cd "$src" &&
		make -s tinyconfig &&
		scripts/kconfig/merge_config.sh -m .config "$top/$fragment" >/dev/null &&
		scripts/config --set-str LOCALVERSION "-fwverify-debug" --disable LOCALVERSION_AUTO &&
		make -s olddefconfig
	) || die "configuration failed"
	check_config || die "the fragment's options do not all apply ($fragment: dependencies?)"
	step "configured (tinyconfig + $fragment)"
	nice -n 10 make -C "$src" -s -j"$jobs" bzImage modules 2>&1 | grep -v '^Skipping BTF'
	[ "${PIPESTATUS[0]}" = 0 ] || die "kernel build failed (tree left in $src)"
	step "built bzImage and modules with -j$jobs"
	make -C "$src" -s INSTALL_MOD_PATH="$dir/mods" modules_install >/dev/null ||
		die "modules_install failed"
	echo $((SECONDS - start)) >"$dir/build-seconds"
	touch "$dir/.done"
	# Trees of other keys are stale: a tarball, fragment or compiler ago.
	find "$cache" -mindepth 1 -maxdepth 1 -name '6.12-*' ! -name "6.12-$key" -exec rm -rf {} +
	echo "# debug-kernel: built in $(<"$dir/build-seconds") s, $(du -sh "$dir" | cut -f1) in $dir"
}

mkdir -p "$cache" || die "cannot create $cache"
exec 9>"$cache/lock"
flock 9 || die "cannot lock $cache/lock"
[ -e "$dir/.done" ] || build
release=$(make -C "$src" -s kernelrelease) || die "no kernel release in $src"
out=build/kernels/$series
mkdir -p "$out"
ln -sfn "$src/arch/x86/boot/bzImage" "$out/vmlinuz"
ln -sfn "$dir/mods/lib/modules/$release" "$out/modules"
ln -sfn "$src" "$out/kdir"
echo "$release" >"$out/release"
flock -u 9
[ "${1:-}" = test ] || exit 0

# --- the suite ---------------------------------------------------------------

logdir=build/vm-logs/debug
t0=$SECONDS
KMOD_OUT=build/kmod-debug VM_WORK=build/vm-debug VM_LOGDIR=$logdir \
	VM_TIMEOUT=${VM_TIMEOUT:-3000} scripts/vm-test.sh "$series" "${DEBUG_PAYLOAD:-tests/kselftest/run_vm.sh}"
rc=$?
step "the payload on $series (exit $rc)"

# What the checkers print.  A WARN or an oops already ended the run (init
# sets panic_on_warn); lockdep and might_sleep() only print, and turn
# themselves off, so the log is read whatever the payload's status.
reports='BUG: |WARNING:|Oops|general protection fault|kernel BUG at|Kernel panic|ODEBUG:|UBSAN:'
reports+='|INFO: possible|INFO: task .* blocked|detected stall|DEBUG_LOCKS_WARN_ON'
reports+='|turning off the locking correctness validator'
console=$logdir/console.log
n=0
tap() {	# tap OK DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $series: $2"; else echo "not ok $n - $series: $2"; rc=1; fi
}
[ -f "$console" ] || die "no $console"
# The checkers must have been on, or a clean log means nothing.
grep -q 'KernelAddressSanitizer initialized' "$console"
tap $? "KASAN initialized"
grep -q 'kfence: initialized' "$console"
tap $? "KFENCE initialized"
grep -q 'Lock dependency validator' "$console"
tap $? "lockdep initialized"
if grep -qE "$reports" "$console"; then
	tap 1 "reports in the kernel log ($console):"
	grep -nE -A 40 "$reports" "$console" | head -n 200 | sed 's/^/# /'
else
	tap 0 "no KASAN, KFENCE, lockdep, atomic-sleep, DEBUG_OBJECTS or WARN report in the kernel log"
fi
exit $rc
