#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo: build everything, boot each Debian kernel in QEMU with
# fwverify.ko in enforce mode, and show a signed firmware accepted, an
# unsigned and a tampered one refused with fwverify's reason, and the
# counters.  Ends with one line: passed, or the step that failed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

step=
trap '[ $? = 0 ] || [ -z "$step" ] || { echo; echo "demo: FAILED at: $step"; }' EXIT

step="set-up (scripts/setup.sh; its log: build/setup.log)"
[ -n "${FWVERIFY_SKIP_SETUP:-}" ] || scripts/setup.sh
step="building the tool, the test keys and the test firmware (scripts/vm-prepare.sh)"
scripts/vm-prepare.sh

step="signing the demo's firmware on the host"
fw=build/vm/demo-firmware
rm -rf "$fw"
mkdir -p "$fw/demo"
echo "== on the host: a vendor signs its firmware with fwverify sign"
head -c 65536 /dev/urandom >"$fw/demo/signed.bin"
head -c 65536 /dev/urandom >"$fw/demo/unsigned.bin"
head -c 65536 /dev/urandom >"$fw/demo/tampered.bin"
userspace/fwverify sign --key build/pki/rsa-signer.key --cert build/pki/rsa-signer.crt \
	"$fw/demo/signed.bin" "$fw/demo/tampered.bin"
echo "== in the supply chain: one byte of tampered.bin changes"
printf '\x42' | dd of="$fw/demo/tampered.bin" bs=1 seek=1000 conv=notrunc status=none
ls -l "$fw/demo"
cp build/pki/rsa-signer.crt build/vm/demo-ca.crt

failed='' passed=''
for k in ${KERNELS:-6.1 6.12}; do
	step="the VM on Debian's $k kernel"
	rel=$(cat "build/kernels/$k/release")
	echo
	echo "######## Debian kernel $rel in QEMU"
	if VM_FIRMWARE=$fw scripts/vm-test.sh "$k" scripts/demo-vm.sh build/vm/demo-ca.crt; then
		passed+=" $rel"
	else
		failed+=" $k (build/vm-logs/$k/)"
	fi
done
step=
echo
if [ -n "$failed" ]; then
	echo "demo: FAILED: the VM on kernel$failed${passed:+; passed on$passed}"
	exit 1
fi
echo "demo: passed on Debian kernels$passed: signed firmware loaded, unsigned and tampered firmware refused"
