#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The VM payload of the kselftests: load fwverify, run every test binary.
# Built in (scripts/intree), fwverify is there from boot.
[ -d /sys/module/fwverify/parameters ] || insmod /lib/modules/extra/fwverify.ko || exit 1
rc=0
for t in /payload/*_test; do
	echo "# $t"
	"$t" || rc=1
done
exit $rc
