#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The VM payload of the debug kernel (scripts/debug-kernel.sh): the
# kselftests (run_vm.sh, beside it in /payload) with kmemleak's scan thread
# running every 20 s.  The thread is started first, as fwverify_trust_test
# ends in lockdown, which closes debugfs; booted with kmemleak.verbose=1, it
# prints each leak to the console, which the host reads with the other
# checkers' reports.
KMEMLEAK=/sys/kernel/debug/kmemleak

if ! err=$({ echo scan=20 >"$KMEMLEAK"; } 2>&1); then
	echo "not ok 1 - kmemleak: cannot start its scan thread: $err"
	exit 1
fi
/payload/run_vm.sh
rc=$?
# An object is reported once unreferenced for 5 s: wait for a scan after that.
sleep 30
exit $rc
