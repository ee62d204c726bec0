#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Quality gates for kmod/: checkpatch --strict, then a W=1 build with sparse
# (C=2) against each VM kernel.  Any warning fails.  Prints TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
series=(${KERNELS:-6.1 6.12})
n=0 fail=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$2"; }

echo "TAP version 13"
echo "1..$((1 + ${#series[@]}))"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
checkpatch=build/linux-source/6.12/scripts/checkpatch.pl
# CAMELCASE: the kernel's zstd API names its frame header's fields so
# (zstd_frame_header.frameContentSize), and --no-tree cannot know it.
if perl "$checkpatch" --strict --no-tree --quiet --show-types --ignore CAMELCASE \
	-f kmod/*.[ch] kmod/compat/*.h >"$log" 2>&1; then
	ok "checkpatch --strict clean"
else
	notok "checkpatch --strict clean" "$log"
fi

for s in "${series[@]}"; do
	rm -rf "build/kmod-check/$s"
	if make -s module KVER="$s" KMOD_OUT="$top/build/kmod-check/$s" KBUILD_ARGS="W=1 C=2 CHECK=sparse" \
		>"$log" 2>&1 && ! grep -E "warning|error|: note:" "$log" >/dev/null; then
		ok "$s: W=1 and sparse clean"
	else
		notok "$s: W=1 and sparse clean" "$log"
	fi
done
echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
