#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# VM payload of `make bench`: median load time through test_firmware per blob
# size, with fwverify in mode off and in mode enforce.
# Prints "BENCH <size> <mode> <median us> <min us>" lines.
insmod /lib/modules/extra/fwverify.ko || exit 1
mode=/sys/module/fwverify/parameters/mode
rc=0
for size in 4k 1m 16m; do
	case $size in 16m) n=9 ;; *) n=31 ;; esac
	for m in off enforce; do
		echo $m >$mode || exit 1
		# One load first, so that both modes start with a warm page cache.
		/payload/fwbench fwverify-bench/$size.bin 1 >/dev/null || rc=1
		r=$(/payload/fwbench fwverify-bench/$size.bin $n) || rc=1
		echo "BENCH $size $m $r"
	done
done
grep . /sys/kernel/fwverify/stats/* | sed 's/^/# /'
exit $rc
