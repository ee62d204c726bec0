#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The demo's VM payload (busybox sh): fwverify.ko in enforce mode refuses
# what is not signed by a key it trusts, and says why.
trigger=/sys/devices/virtual/misc/test_firmware/trigger_request
say() { printf '\n== %s\n' "$*"; }

say "offline, with the tool: would these pass?"
fwverify verify --ca /payload/demo-ca.crt /lib/firmware/demo/*.bin

say "insmod fwverify.ko mode=enforce"
insmod /lib/modules/extra/fwverify.ko mode=enforce || exit 1
echo "mode: $(cat /sys/module/fwverify/parameters/mode)"
echo "keyring .fwverify (the certificates built into the module):"
keyctl show %:.fwverify
echo "  'fwverify test RSA signer' signed the demo's firmware on the host.  The other"
echo "  key, 'sforshee', is Debian's wireless-regdb signer: the module the VM tests"
echo "  build trusts it too (build/vm/trusted.list), so that cfg80211 can load the"
echo "  regulatory.db that Debian ships signed by it while fwverify enforces."

say "a driver (test_firmware) requests each firmware"
ok=0
# load NAME RESULT: the driver asks for NAME; fwverify's result must be RESULT,
# and the driver must get the file's bytes exactly when it is verified.
load() {
	printf %s "$1" | dd of=$trigger 2>/dev/null
	loaded=$?
	result=$(cat "/sys/kernel/fwverify/firmware/$(printf %s "$1" | tr / '!')/result" 2>/dev/null)
	if [ $loaded = 0 ]; then
		same=no
		cmp -s /dev/test_firmware "/lib/firmware/$1" && same=yes
		echo "$1: LOADED ($result), the driver got $(wc -c </dev/test_firmware) bytes (identical to the file: $same)"
		[ "$2" = verified ] && [ "$result" = verified ] && [ $same = yes ] || ok=1
	else
		# The reason, from the module's check file: what this file gets now.
		why=$(fwverify verify --kernel "/lib/firmware/$1" 2>&1)
		why=${why#"/lib/firmware/$1: "}
		why=${why% (a load would be *}
		echo "$1: REFUSED by fwverify: ${why:-$result}"
		[ "$2" = "$result" ] || ok=1
	fi
}
load demo/signed.bin verified
load demo/unsigned.bin unsigned
load demo/tampered.bin bad-signature

say "what the kernel logged"
dmesg | grep 'fwverify: /lib/firmware' | sed 's/^\[[ 0-9.]*\] //'

say "/sys/kernel/fwverify/stats/"
for f in /sys/kernel/fwverify/stats/*; do
	printf '  %-14s %s\n' "${f##*/}" "$(cat "$f")"
done
exit $ok
