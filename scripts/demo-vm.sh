#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The demo's VM payload (busybox sh): fwverify.ko in enforce mode refuses
# what is not signed by a key it trusts.
trigger=/sys/devices/virtual/misc/test_firmware/trigger_request
say() { printf '\n== %s\n' "$*"; }

say "offline, with the tool: would these pass?"
fwverify verify --ca /payload/demo-ca.crt /lib/firmware/demo/*.bin

say "insmod fwverify.ko mode=enforce"
insmod /lib/modules/extra/fwverify.ko mode=enforce || exit 1
echo "mode: $(cat /sys/module/fwverify/parameters/mode)"
echo "keyring .fwverify:"
keyctl show %:.fwverify

say "a driver (test_firmware) requests each firmware"
ok=0
load() { # name expected
	if printf %s "$1" | dd of=$trigger 2>/tmp/err; then
		same=no
		cmp -s /dev/test_firmware "/lib/firmware/$1" && same=yes
		echo "$1: LOADED, the driver got $(wc -c </dev/test_firmware) bytes (identical to the file: $same)"
		[ "$2" = loaded ] && [ $same = yes ] || ok=1
	else
		echo "$1: REFUSED: $(sed -n 's/.*error writing.*: //p' /tmp/err)"
		[ "$2" = refused ] || ok=1
	fi
}
load demo/signed.bin loaded
load demo/unsigned.bin refused
load demo/tampered.bin refused

say "what the kernel logged"
dmesg | grep 'fwverify: /lib/firmware' | sed 's/^\[[ 0-9.]*\] //'

say "/sys/kernel/fwverify/stats/"
for f in /sys/kernel/fwverify/stats/*; do
	printf '  %-14s %s\n' "${f##*/}" "$(cat "$f")"
done
exit $ok
