#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: ratios against baselines taken in the same run.
#   VM (per kernel): median load time through test_firmware of 4 KiB, 1 MiB
#   and 16 MiB signed blobs, mode=off vs mode=enforce.
#   Host: `fwverify sign` over 500 files vs a shell loop of `openssl cms -sign`.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -n "${FWVERIFY_SKIP_SETUP:-}" ] || scripts/setup.sh >/dev/null
scripts/vm-prepare.sh
make -s -C tests/bench

fw=build/vm/bench-firmware
if [ ! -f "$fw/.stamp" ]; then
	rm -rf "$fw"
	mkdir -p "$fw/fwverify-bench"
	for s in 4k:4096 1m:1048576 16m:16777216; do
		f=$fw/fwverify-bench/${s%%:*}.bin
		head -c "${s#*:}" /dev/urandom >"$f"
		userspace/fwverify sign --key build/pki/rsa-signer.key \
			--cert build/pki/rsa-signer.crt "$f" >/dev/null
	done
	touch "$fw/.stamp"
fi

declare -A res
for k in ${KERNELS:-6.1 6.12}; do
	out=$(VM_FIRMWARE=$fw scripts/vm-test.sh "$k" tests/bench/run_vm.sh build/bench/fwbench 2>&1) ||
		{ echo "$out" >&2; echo "bench: VM run on $k failed" >&2; exit 1; }
	while read -r _ size mode med min; do
		res[$k,$size,$mode]=$med
	done < <(grep '^BENCH ' <<<"$out")
done

printf '\n%-6s %-5s %12s %12s %8s\n' kernel size "off (us)" "enforce (us)" ratio
for k in ${KERNELS:-6.1 6.12}; do
	for size in 4k 1m 16m; do
		off=${res[$k,$size,off]} enf=${res[$k,$size,enforce]}
		printf '%-6s %-5s %12s %12s %8s\n' "$k" "$size" "$off" "$enf" \
			"$(awk -v a="$enf" -v b="$off" 'BEGIN { printf "%.2f", a / b }')"
	done
done

# Host: signing 500 files.
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
for i in $(seq 500); do head -c 4096 /dev/urandom >"$d/f$i.bin"; done
key=build/pki/rsa-signer.key crt=build/pki/rsa-signer.crt
t0=$EPOCHREALTIME
userspace/fwverify sign --key "$key" --cert "$crt" "$d"/*.bin >/dev/null
t1=$EPOCHREALTIME
for f in "$d"/*.bin; do
	openssl cms -sign -binary -nosmimecap -md sha256 -outform DER \
		-signer "$crt" -inkey "$key" -in "$f" -out "$f.p7s"
done
t2=$EPOCHREALTIME
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
	printf "\nsign 500 x 4 KiB: fwverify %.2f s, openssl loop %.2f s, ratio fwverify/openssl %.3f\n",
		b - a, c - b, (b - a) / (c - b) }'
