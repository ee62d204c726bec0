#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# VM payload of `make bench`: median load time through test_firmware with
# fwverify in mode off and in mode enforce, first loads (verdicts expired
# before each load) and cached repeat loads, per blob size; partial reads;
# compressed firmware with each signature form.
# Prints "BENCH <case> <mode> <median us> <min us>" lines.
# Built in (make intree), fwverify is there from boot.
[ -d /sys/module/fwverify/parameters ] || insmod /lib/modules/extra/fwverify.ko || exit 1
mode=/sys/module/fwverify/parameters/mode
rc=0
run() { # case mode fwbench-args...
	c=$1 m=$2
	shift 2
	case $m in off) echo off ;; *) echo enforce ;; esac >$mode || exit 1
	# One load first, so that every case starts with a warm page cache.
	/payload/fwbench "$1" "$2" 1 >/dev/null || rc=1
	r=$(/payload/fwbench "$@") || rc=1
	echo "BENCH $c $m $r"
}
for size in 4k 1m 16m; do
	case $size in 16m) n=9 ;; *) n=31 ;; esac
	f=fwverify-bench/$size.bin
	run "$size" off load "$f" "$n"
	run "$size" first load "$f" "$n" uncached
	run "$size" cached load "$f" "$n"
done
run partial off partial fwverify-bench/partial.bin 31
run partial first partial fwverify-bench/partial.bin 31 uncached
run partial cached partial fwverify-bench/partial.bin 31
for c in xz-stored xz-content; do
	run "$c" off load "fwverify-bench/$c.bin" 15
	run "$c" first load "fwverify-bench/$c.bin" 15 uncached
	run "$c" cached load "fwverify-bench/$c.bin" 15
done
grep . /sys/kernel/fwverify/stats/* | sed 's/^/# /'
exit $rc
