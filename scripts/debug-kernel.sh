#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel.sh [test | scan LOG]: a 6.12 kernel with the checkers
# Debian's kernels lack (KASAN, lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS,
# KFENCE, kmemleak), built from Debian's linux-source-6.12 on tinyconfig +
# scripts/debug-kernel.fragment and registered as the VM kernel "debug-6.12"
# (build/kernels/debug-6.12: vmlinuz, modules, kdir, release), so that
# `make module KVER=debug-6.12` and scripts/vm-test.sh take it as they take
# Debian's.
#
# Built once: the tree (the kdir fwverify.ko is built against) is kept in
# $FWVERIFY_CACHE/debug-kernel/<key> (default /var/cache/fwverify) and reused
# while the tarball, the fragment, the compiler and RECIPE are the same.
#
#   debug-kernel.sh            build if needed, register
#   debug-kernel.sh test       then the kselftests on it with kmemleak
#                              scanning (tests/vm/debug/run.sh; DEBUG_PAYLOAD=
#                              FILE runs FILE instead), and fail on any report
#                              of the checkers in the kernel log
#   debug-kernel.sh scan LOG   only that check, on a console log
#
# DEBUG_KERNEL_JOBS=N: build parallelism (default 2), run under nice -n 10.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
[ "${1:-}" != scan ] || [ $# != 2 ] || set -- scan "$(realpath -m -- "$2")"
cd "$top" || exit 2

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

# Build if need be (one build at a time), and register the tree as $series.
prepare() {
	local release out=build/kernels/$series
	mkdir -p "$cache" || die "cannot create $cache"
	exec 9>"$cache/lock"
	flock 9 || die "cannot lock $cache/lock"
	[ -e "$dir/.done" ] || build
	release=$(make -C "$src" -s kernelrelease) || die "no kernel release in $src"
	mkdir -p "$out"
	ln -sfn "$src/arch/x86/boot/bzImage" "$out/vmlinuz"
	ln -sfn "$dir/mods/lib/modules/$release" "$out/modules"
	ln -sfn "$src" "$out/kdir"
	echo "$release" >"$out/release"
	exec 9>&-
}

# --- the suite ---------------------------------------------------------------

# scan LOG: the checkers' reports in a kernel console log, as TAP.  The
# reports that panic (a WARN, an oops: tests/vm/init sets panic_on_warn) end
# the run; lockdep, might_sleep() and the hung task detector only print, so
# the log is read whatever the payload's status.  So is any other stack dump
# (sysfs's duplicate name, for one), except the allocation failures that the
# fault injection of fwverify_attack_test provokes.
scan() {
	local console=$1 n=0 bad=0 found
	tap() {	# tap STATUS DESCRIPTION
		n=$((n + 1))
		if [ "$1" = 0 ]; then echo "ok $n - $series: $2"; else echo "not ok $n - $series: $2"; bad=1; fi
	}
	[ -f "$console" ] || { tap 1 "no console log $console"; return 1; }
	# The checkers must have been on, or a clean log means nothing.
	grep -q 'KernelAddressSanitizer initialized' "$console"
	tap $? "KASAN initialized"
	grep -q 'kfence: initialized' "$console"
	tap $? "KFENCE initialized"
	grep -q 'Lock dependency validator' "$console"
	tap $? "lockdep initialized"
	grep -q 'kmemleak: Kernel memory leak detector initialized' "$console"
	tap $? "kmemleak initialized"
	found=$(awk '
		BEGIN { last = -1000000 }
		{ sub(/^\[ *[0-9.]+\] /, ""); line[NR] = $0 }
		/BUG: |WARNING:|Oops|general protection fault|kernel BUG at|Kernel panic|ODEBUG:|UBSAN:|INFO: possible|INFO: task .* blocked|detected stall|DEBUG_LOCKS_WARN_ON|turning off the locking correctness validator|Disabling lock debugging|leak detector disabled|unreferenced object|cannot create duplicate filename/ {
			print NR ": " $0; last = NR; next
		}
		/Call Trace:/ && NR - last > 150 {
			# A stack dump with no report in the 150 lines above it
			# (a lockdep report is that long): its first line is
			# the one before "CPU: ...".
			for (i = NR - 1; i > 0 && i > NR - 8; i--)
				if (line[i] ~ /vmalloc error:|page allocation failure:/)
					next
			for (i = NR - 1; i > 1 && line[i] !~ /^CPU: /; i--)
				;
			print i - 1 ": " line[i - 1]; last = NR
		}' "$console")
	if [ -z "$found" ]; then
		tap 0 "no KASAN, KFENCE, lockdep, atomic-sleep, DEBUG_OBJECTS, kmemleak, WARN or other stack dump in the kernel log"
		return $bad
	fi
	tap 1 "reports in $console (line of the first: first line, and how many alike):"
	# Alike: the same but for addresses and numbers (kmemleak's objects).
	echo "$found" | awk '{ k = $0; sub(/^[0-9]+: /, "", k); gsub(/0x[0-9a-f]+|[0-9]+/, "N", k)
		if (!(k in n)) order[++m] = k; n[k]++; if (!(k in first)) first[k] = $0 }
		END { for (i = 1; i <= m; i++) printf "#   %s (x%d)\n", first[order[i]], n[order[i]] }' |
		head -n 20
	echo "# the first, in full:"
	sed -n "${found%%:*},+45p" "$console" | sed 's/^/# /'
	return 1
}

case ${1:-} in
'') prepare; exit 0 ;;
scan) [ $# = 2 ] || die "usage: debug-kernel.sh scan CONSOLE-LOG"; scan "$2"; exit ;;
test) prepare ;;
*) die "usage: debug-kernel.sh [test | scan CONSOLE-LOG]" ;;
esac

logdir=build/vm-logs/debug
t0=$SECONDS
payload=(tests/vm/debug/run.sh tests/kselftest/run_vm.sh)
[ -z "${DEBUG_PAYLOAD:-}" ] || payload=("$DEBUG_PAYLOAD")
KMOD_OUT=build/kmod-debug VM_WORK=build/vm-debug VM_LOGDIR=$logdir \
	VM_TIMEOUT=${VM_TIMEOUT:-1200} VM_APPEND="kmemleak.verbose=1 ${VM_APPEND:-}" \
	scripts/vm-test.sh "$series" "${payload[@]}"
rc=$?
step "the payload on $series (exit $rc)"
scan "$logdir/console.log" || rc=1
exit $rc
