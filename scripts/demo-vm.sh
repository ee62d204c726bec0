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
echo "keyring .fwverify, the certificates built into the module:"
keyctl show %:.fwverify
# What each key is: the module the VM suites build embeds build/vm/trusted.list,
# the test PKI's signers and Debian's wireless-regdb signer.
echo "of which:"
keyctl show %:.fwverify | sed -n 's/.*\\_ asymmetric: \(.*\): [0-9a-f]*$/\1/p' | while read -r key; do
	case $key in
	"fwverify test RSA signer") echo "  $key: signed the demo's firmware on the host" ;;
	"fwverify test "*) echo "  $key: another key of the test PKI (build/pki), for the VM suites" ;;
	*) echo "  $key: Debian's wireless-regdb signer.  Debian ships regulatory.db"
	   echo "    signed by this key, and cfg80211 loads it; the VM suites' module trusts it" ;;
	esac
done

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
