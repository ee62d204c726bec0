#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: ratios against baselines taken in the same run.
#   VM (per kernel): median load time through test_firmware of 4 KiB, 1 MiB
#   and 16 MiB signed blobs, mode=off vs mode=enforce; the module on 6.1 and
#   6.12, and the built-in LSM too once `make intree` has built its kernel
#   (KERNELS="..." picks).
#   Host (tests/bench/tool-bench.sh): `fwverify sign -jN` and `verify` of 2000
#   files vs shell loops of `openssl cms`, and SHA-256 through the tool's digest
#   path vs `openssl speed`.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -n "${FWVERIFY_SKIP_SETUP:-}" ] || scripts/setup.sh >/dev/null
scripts/vm-prepare.sh
make -s -C tests/bench

fw=build/vm/bench-firmware
stamp=$(md5sum <"$0")
if [ "$(cat "$fw/.stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$fw"
	mkdir -p "$fw/fwverify-bench"
	b=$fw/fwverify-bench
	sign() { userspace/fwverify sign --key build/pki/rsa-signer.key \
		--cert build/pki/rsa-signer.crt "$@" >/dev/null; }
	for s in 4k:4096 1m:1048576 16m:16777216; do
		head -c "${s#*:}" /dev/urandom >"$b/${s%%:*}.bin"
		sign "$b/${s%%:*}.bin"
	done
	head -c 1000 /dev/urandom >"$b/partial.bin"
	sign "$b/partial.bin"
	# 1 MiB that compresses about 2:1.
	for c in xz-stored xz-content; do
		openssl rand -hex 524288 >"$b/$c.bin"
	done
	xz -q -C crc32 "$b/xz-stored.bin"
	sign "$b/xz-stored.bin.xz"
	sign "$b/xz-content.bin"
	xz -q -C crc32 "$b/xz-content.bin"
	echo "$stamp" >"$fw/.stamp"
fi

declare -A res
default_kernels="6.1 6.12"
[ -e build/kernels/intree-6.12/builtin ] && default_kernels+=" intree-6.12"
kernels=(${KERNELS:-$default_kernels})
for k in "${kernels[@]}"; do
	out=$(VM_FIRMWARE=$fw VM_WORK=build/vm-bench scripts/vm-test.sh "$k" tests/bench/run_vm.sh build/bench/fwbench 2>&1) ||
		{ echo "$out" >&2; echo "bench: VM run on $k failed" >&2; exit 1; }
	while read -r _ case mode med _; do
		res[$k,$case,$mode]=$med
	done < <(grep '^BENCH ' <<<"$out")
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "Median time of one load through test_firmware (us), QEMU TCG; ratios against mode=off"
printf '%-11s %-10s %10s %12s %12s %10s %11s\n' kernel case off "enforce 1st" "enforce hit" "1st/off" "hit/off"
for k in "${kernels[@]}"; do
	for c in 4k 1m 16m partial xz-stored xz-content; do
		off=${res[$k,$c,off]} first=${res[$k,$c,first]} hit=${res[$k,$c,cached]}
		printf '%-11s %-10s %10s %12s %12s %10s %11s\n' "$k" "$c" "$off" "$first" "$hit" \
			"$(ratio "$first" "$off")" "$(ratio "$hit" "$off")"
	done
done

# Host: the tool against openssl, signing, verifying and hashing
# (tests/bench/tool-bench.sh, also runnable alone).
echo
FWVERIFY=$top/userspace/fwverify tests/bench/tool-bench.sh
FWVERIFY=$top/userspace/fwverify FWVERIFY_SIGND=$top/userspace/fwverify-signd tests/bench/signd-bench.sh
