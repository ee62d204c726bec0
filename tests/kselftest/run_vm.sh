#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The VM payload of the kselftests: load fwverify, run every test binary.
# Built in (scripts/intree), fwverify is there from boot.
[ -d /sys/module/fwverify/parameters ] || insmod /lib/modules/extra/fwverify.ko || exit 1
rc=0
for t in /payload/*_test; do
	echo "# $t"
	case $t in
	# Its locked fixture waits for fwverify_trust_test, which locks fwverify.
	*/fwverify_attack_test) "$t" -F locked || rc=1 ;;
	*) "$t" || rc=1 ;;
	esac
done
# The attacks on a locked fwverify; the last may unload it where that works.
if [ -x /payload/fwverify_attack_test ]; then
	echo "# /payload/fwverify_attack_test -f locked"
	/payload/fwverify_attack_test -f locked || rc=1
fi
exit $rc
