#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# matrix.sh: the upstream firmware selftests in every mode (none, log,
# enforce) on both kernels (6.1, 6.12), two VMs at a time (one per kernel).
# Prints one TAP stream, each line naming kernel and mode, then
# "N passed, M failed".  Exit status 0 only if every run met its
# expectations.  Each run's own output: build/upstream/matrix-SERIES-MODE.tap
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
read -ra series <<<"${SERIES:-6.1 6.12}"
read -ra modes <<<"${MODES:-none log enforce}"
out=build/upstream
mkdir -p "$out"

# Build once, before runs share the results.
for s in "${series[@]}"; do
	tests/upstream/run.sh --build-only "$s" enforce || exit 2
done

start=$SECONDS
rcs=()
for m in "${modes[@]}"; do
	pids=()
	for s in "${series[@]}"; do
		tests/upstream/run.sh --no-build "$s" "$m" >"$out/matrix-$s-$m.tap" 2>"$out/matrix-$s-$m.err" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p"
		rcs+=($?)
	done
done

n=0 passed=0 failed=0
for m in "${modes[@]}"; do
	for s in "${series[@]}"; do
		echo "# $s $m"
		while IFS= read -r line; do
			if [[ $line =~ ^(not\ ok|ok)\ [0-9]+\ -\ (.*)$ ]]; then
				n=$((n + 1))
				echo "${BASH_REMATCH[1]} $n - $s $m: ${BASH_REMATCH[2]}"
				if [ "${BASH_REMATCH[1]}" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
			elif [[ $line =~ ^# ]]; then
				echo "$line"
			fi
		done <"$out/matrix-$s-$m.tap"
	done
done
bad=0
for rc in "${rcs[@]}"; do
	[ "$rc" = 0 ] || bad=1
done
if [ "$bad" = 1 ] && [ "$failed" = 0 ]; then
	echo "not ok $((n + 1)) - a run failed without a result (see $out/matrix-*.err)"
	n=$((n + 1)) failed=1
fi
echo "1..$n"
echo "# matrix: $((SECONDS - start))s"
echo "$passed passed, $failed failed"
[ "$bad" = 0 ] && [ "$failed" = 0 ]
