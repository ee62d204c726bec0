#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# host.sh [RELEASE]: a new user's first steps on a Debian RELEASE host
# (default trixie), in TAP, as far as a chroot can show them: in a clean
# chroot of RELEASE (tests/packaging/chroot.sh) with a copy of the tree,
#
#   scripts/setup.sh installs every package it names, by its exact name, and
#   a second run installs nothing (FWVERIFY_SETUP_PACKAGES_ONLY: a chroot
#   neither fetches kernels nor makes build roots);
#   the tool builds (make -C userspace) with the release's compiler;
#   tests/userspace/run.sh, the tool's host tests under ASan and UBSan: each
#   of its results is one here.
#
# Not here: the VM suites (QEMU in a chroot runs, but the kernels, their
# sources and build roots are fetched by scripts that take the host's release
# from the host) and tests/fuzz (its Makefile names clang-14).
#
# Environment: as tests/packaging/run.sh (FWVERIFY_CACHE, FWVERIFY_MIRROR,
# KEEP_CHROOT).  Logs: build/host-RELEASE/*.log.  Must run as root.  The
# first run downloads about 700 MB of packages, kept for the next.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
suite=${1:-trixie}
out=$top/build/host-$suite
root=$out/chroot
# shellcheck source=tests/packaging/chroot.sh
. "$top/tests/packaging/chroot.sh"
src=/src/fwverify

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
diag() { sed 's/^/# /'; }
finish() {
	echo "1..$n"
	echo "# host-$suite: $((n - failed)) passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}
# step DESCRIPTION LOG CMD...: one result; on failure the end of LOG.
step() {
	local desc=$1 log=$2 start=$SECONDS
	shift 2
	if "$@" >"$log" 2>&1; then
		ok "$desc ($((SECONDS - start))s)"
	else
		fail "$desc"
		tail -n 30 "$log" | diag
		return 1
	fi
}
# As the user: in the copy of the tree.
in_tree() { in_chroot /bin/bash -c "cd $src && $*"; }

[ "$(id -u)" = 0 ] || { echo "host: must run as root" >&2; exit 2; }
mkdir -p "$out" "$cache"
trap chroot_cleanup EXIT
trap 'exit 130' INT TERM

echo "TAP version 13"
chroot_down || { fail "a chroot from an earlier run is still mounted under $root"; finish; }
step "a clean $suite chroot (debootstrap --variant=minbase)" "$out/chroot.log" chroot_up || finish
"$top/scripts/package.sh" --tree "$root$src"

step "scripts/setup.sh installs the packages fwverify needs on $suite" "$out/setup.log" \
	in_tree FWVERIFY_SETUP_PACKAGES_ONLY=1 scripts/setup.sh || finish
if in_tree FWVERIFY_SETUP_PACKAGES_ONLY=1 scripts/setup.sh >"$out/setup-again.log" 2>&1 &&
	! grep -q 'installing' "$out/setup-again.log"; then
	ok "a second scripts/setup.sh finds everything installed"
else
	fail "a second scripts/setup.sh finds everything installed"
	diag <"$out/setup-again.log"
fi
echo "# $(in_chroot gcc --version | head -n 1); $(in_chroot dpkg-query -W -f='${Package} ${Version}  ' libjson-c-dev libssl-dev)"
step "the tool builds with $suite's compiler (make -C userspace)" "$out/build.log" \
	in_tree "nice -n 10 make -C userspace -j$(nproc) O=$src/build/userspace"

# Its results, numbered on here.
start=$SECONDS
in_tree tests/userspace/run.sh >"$out/userspace.log" 2>&1
rc=$?
while IFS= read -r line; do
	case $line in
	"ok "*) ok "userspace: ${line#ok * - }" ;;
	"not ok "*) fail "userspace: ${line#not ok * - }" ;;
	"Bail out!"*) fail "userspace: $line" ;;
	esac
done <"$out/userspace.log"
if [ "$rc" != 0 ]; then
	fail "tests/userspace/run.sh exits 0 (exit $rc)"
	grep -vE '^(ok|not ok) ' "$out/userspace.log" | tail -n 30 | diag
fi
echo "# tests/userspace/run.sh: $((SECONDS - start))s"
finish
