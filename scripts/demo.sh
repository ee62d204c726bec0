#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo: build everything, boot each Debian kernel in QEMU with
# fwverify.ko in enforce mode, and show a signed firmware accepted, an
# unsigned and a tampered one refused, and the counters.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -n "${FWVERIFY_SKIP_SETUP:-}" ] || scripts/setup.sh
scripts/vm-prepare.sh

fw=build/vm/demo-firmware
rm -rf "$fw"
mkdir -p "$fw/demo"
echo "== on the host: a vendor signs its firmware with fwverify sign"
head -c 65536 /dev/urandom >"$fw/demo/signed.bin"
head -c 65536 /dev/urandom >"$fw/demo/unsigned.bin"
head -c 65536 /dev/urandom >"$fw/demo/tampered.bin"
for f in signed tampered; do
	userspace/fwverify sign --key build/pki/rsa-signer.key \
		--cert build/pki/rsa-signer.crt "$fw/demo/$f.bin"
done
echo "== in the supply chain: one byte of tampered.bin changes"
printf '\x42' | dd of="$fw/demo/tampered.bin" bs=1 seek=1000 conv=notrunc status=none
ls -l "$fw/demo"
cp build/pki/rsa-signer.crt build/vm/demo-ca.crt

rc=0
for k in ${KERNELS:-6.1 6.12}; do
	echo
	echo "######## Debian kernel $(cat "build/kernels/$k/release") in QEMU"
	VM_FIRMWARE=$fw scripts/vm-test.sh "$k" scripts/demo-vm.sh build/vm/demo-ca.crt || rc=1
done
exit $rc
