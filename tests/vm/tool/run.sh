#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The VM payload of the tool's tests: load fwverify and run every
# /payload/tool/t-*.sh (TAP each).  A separate boot from the kselftests,
# because those lock the module and revocation only grows until reboot.
# Built in (scripts/intree), fwverify is there from boot.
[ -d /sys/module/fwverify/parameters ] || insmod /lib/modules/extra/fwverify.ko || exit 1
rc=0
for t in /payload/tool/t-*.sh; do
	[ -e "$t" ] || continue
	echo "# $t"
	sh "$t" || rc=1
done
exit $rc
