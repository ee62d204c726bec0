#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The test command: installs what is missing (scripts/setup.sh), then runs
# every suite and prints their TAP, then one summary line.
#
#   kmod-style   checkpatch --strict, sparse, W=1 on 6.1, 6.12 and 7.3
#   userspace    the tool's host tests under ASan and UBSan
#   crash        kill the tool at every system call of a stage and a rollback
#   fuzz         libFuzzer on every parser of untrusted input, FUZZ_SECONDS each
#   vm-6.1, vm-6.12, vm-7.3
#                the kselftests in QEMU on Debian's 6.1 and 6.12 kernels and
#                trixie-backports' 7.3 (Documentation/kernels.rst)
#   tool-6.1, tool-6.12, tool-7.3
#                the tool against the real module in QEMU (tests/vm/tool)
#   kfence-6.12, kfence-7.3
#                the kselftests with KFENCE sampling every 1 ms; any report
#                fails
#   debug-6.12   the kselftests on a 6.12 kernel built with KASAN, lockdep,
#                DEBUG_ATOMIC_SLEEP and DEBUG_OBJECTS; any report fails
#                (scripts/debug-kernel.sh; the first run builds the kernel)
#   upstream-6.1, upstream-6.12, upstream-7.3
#                the kernel's own firmware selftests, unmodified, with
#                fwverify in enforce mode over signed files (tests/upstream)
#   packaging    the Debian packages built, linted and installed in a
#                debootstrap chroot: DKMS for both kernels, signed; an
#                initramfs made by the hook, booted in QEMU (tests/packaging)
#   packaging-trixie
#                the same in a Debian 13 chroot, the packages built there:
#                DKMS for trixie's 6.12 and trixie-backports' 7.3
#   host-trixie  scripts/setup.sh and the userspace suite in a Debian 13
#                chroot (tests/packaging/host.sh): json-c 0.18, gcc 14
#
# SUITES="vm-6.12 userspace" runs a subset.  Exit status 0 only if all pass.
#
# The suites run TEST_JOBS at a time (default: one per core).  A VM suite
# keeps one core busy (QEMU's TCG runs on one thread), so on 2 cores two
# lanes take what is left of the queue, longest first.  Each suite's log is
# printed whole when it ends, with its result; TEST_JOBS=1 runs them one
# after another and prints as they go.  What two suites share is built
# under a lock (scripts/vm-prepare.sh, each module tree in
# scripts/vm-test.sh, the signing server's PKI here); the two that share
# trixie's chroot cache never overlap.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

if [ -z "${FWVERIFY_SKIP_SETUP:-}" ]; then
	scripts/setup.sh || { echo "test: set-up failed" >&2; exit 2; }
fi

# Longest first, so that the lanes end together; host-trixie far from
# packaging-trixie, which holds the lock it needs.
read -ra suites <<<"${SUITES:-debug-6.12 packaging packaging-trixie upstream-7.3 upstream-6.12 fuzz upstream-6.1 tool-7.3 tool-6.1 tool-6.12 userspace kfence-7.3 vm-7.3 vm-6.12 kfence-6.12 vm-6.1 host-trixie kmod-style crash}"
jobs=${TEST_JOBS:-$(nproc)}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "test: TEST_JOBS must be a number above 0, not '$jobs'" >&2; exit 2; }
# No more lanes than suites: one lane prints as it goes.
[ "$jobs" -le ${#suites[@]} ] || jobs=${#suites[@]}
[ "$jobs" -gt 0 ] || jobs=1
logdir=build/test-logs
mkdir -p "$logdir"
state=$(mktemp -d "${TMPDIR:-/tmp}/fwverify-test.XXXXXX") || exit 2
trap 'rm -rf "$state"' EXIT
trap 'kill $(jobs -p) 2>/dev/null; exit 130' INT TERM
echo 0 >"$state/next"
: >"$state/results"

run_suite() {
	case $1 in
	kmod-style) scripts/check-kmod.sh ;;
	userspace) tests/userspace/run.sh ;;
	crash) JOBS=2 tests/userspace/crash.sh ;;
	fuzz) tests/fuzz/run.sh ;;
	vm-*) scripts/vm-test.sh "${1#vm-}" ;;
	tool-*)
		# The signing server's TLS PKI, for t-signd.sh: /payload/pki-signd.
		flock build/.pki-signd.lock tests/pki/gen-signd.sh build/pki-signd || return
		VM_UDEV=1 VM_KMODS="af_alg algif_hash crypto_user" VM_WORK=${VM_WORK:-build/vm-tool} \
			VM_LOGDIR=${VM_LOGDIR:-build/vm-logs/tool-${1#tool-}} \
			scripts/vm-test.sh "${1#tool-}" tests/vm/tool/run.sh tests/vm/tool build/pki-signd ;;
	upstream-*) tests/upstream/run.sh "${1#upstream-}" enforce ;;
	packaging) tests/packaging/run.sh ;;
	# One release's chroot cache (tests/packaging/chroot.sh) at a time.
	packaging-*) flock "build/.chroot-${1#packaging-}.lock" tests/packaging/run.sh "${1#packaging-}" ;;
	host-*) flock "build/.chroot-${1#host-}.lock" tests/packaging/host.sh "${1#host-}" ;;
	debug-6.12) scripts/debug-kernel.sh test ;;
	kfence-*)
		# Each series its own work tree and console log.
		local klog=build/vm-logs/kfence-${1#kfence-}
		VM_APPEND="kfence.sample_interval=1" VM_WORK=build/vm-kfence-${1#kfence-} \
			VM_LOGDIR=$klog scripts/vm-test.sh "${1#kfence-}" || return
		if grep -q "BUG: KFENCE" "$klog/console.log"; then
			echo "not ok - KFENCE reported a memory error ($klog/console.log)"
			return 1
		fi ;;
	*) echo "test: unknown suite '$1'" >&2; return 2 ;;
	esac
}

# What most suites share (the PKI, the tool, the kselftests, the firmware
# tree) is built before the lanes start, so that no suite uses a file
# another one is rewriting (tests/fuzz/run.sh signs its seeds with the tool).
if [ "$jobs" -gt 1 ]; then
	scripts/vm-prepare.sh || { echo "test: scripts/vm-prepare.sh failed" >&2; exit 2; }
fi

# next_suite: the first suite no lane has taken yet; fails when none is left.
next_suite() {
	local i
	{
		flock 8
		i=$(cat "$state/next")
		echo $((i + 1)) >"$state/next"
	} 8>"$state/queue.lock"
	[ "$i" -lt ${#suites[@]} ] && echo "${suites[$i]}"
}

# lane: run suites until the queue is empty.  The log of each, its result
# line and its counts go out together, under a lock.
lane() {
	local s start rc p f
	while s=$(next_suite); do
		start=$SECONDS
		if [ "$jobs" = 1 ]; then
			echo "# suite $s"
			run_suite "$s" 2>&1 | tee "$logdir/$s.log"
			rc=${PIPESTATUS[0]}
		else
			run_suite "$s" >"$logdir/$s.log" 2>&1 </dev/null
			rc=$?
		fi
		p=$(grep -cE '^ok [0-9]+' "$logdir/$s.log")
		f=$(grep -cE '^not ok [0-9]+' "$logdir/$s.log")
		if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
			f=1	# it failed without saying which test: count the suite
		fi
		{
			flock 8
			[ "$jobs" = 1 ] || { echo "# suite $s"; cat "$logdir/$s.log"; }
			echo "# suite $s: $p passed, $f failed, exit $rc, $((SECONDS - start))s"
			echo "$s $p $f $rc" >>"$state/results"
		} 8>"$state/print.lock"
	done
}

for ((l = 0; l < jobs; l++)); do
	lane &
done
wait

passed=0 failed=0 bad=()
while read -r s p f rc; do
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$rc" = 0 ] && [ "$f" = 0 ] || bad+=("$s")
done <"$state/results"
if [ "$(wc -l <"$state/results")" != ${#suites[@]} ]; then
	echo "# a lane ended before its suites did: $(wc -l <"$state/results") of ${#suites[@]} reported"
	failed=$((failed + 1))
	bad+=(lost)
fi

[ ${#bad[@]} -eq 0 ] || echo "# failed suites: ${bad[*]} (logs in $logdir)"
echo "$passed passed, $failed failed"
[ ${#bad[@]} -eq 0 ]
