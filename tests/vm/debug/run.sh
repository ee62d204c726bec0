#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The VM payload of the debug kernel (scripts/debug-kernel.sh): the
# kselftests (run_vm.sh, beside it in /payload), then a kmemleak scan.  Any
# object the scan finds unreferenced fails the run, with its backtrace.
# The other checkers print to the console, which the host reads.
KMEMLEAK=/sys/kernel/debug/kmemleak

/payload/run_vm.sh
rc=$?
if [ ! -w "$KMEMLEAK" ]; then
	echo "not ok 1 - kmemleak: no $KMEMLEAK (CONFIG_DEBUG_KMEMLEAK)"
	exit 1
fi
# kmemleak reports an object only once it has been unreferenced for 5 s,
# and may miss a pointer held in a register during one scan: wait, and
# take what two scans agree on.
sleep 6
# A write fails once kmemleak has turned itself off (its pool ran out).
if ! { echo scan >"$KMEMLEAK" && echo scan >"$KMEMLEAK"; } 2>/dev/null; then
	echo "not ok 1 - kmemleak: cannot scan: it has turned itself off (see the console)"
	exit 1
fi
leaks=$(cat "$KMEMLEAK")
if [ -n "$leaks" ]; then
	echo "not ok 1 - kmemleak: $(echo "$leaks" | grep -c 'unreferenced object') objects leaked:"
	echo "$leaks" | sed 's/^/# /'
	rc=1
else
	echo "ok 1 - kmemleak: no leak after the tests"
fi
exit $rc
