#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: ratios against baselines taken in the same run.
#   VM (per kernel, one boot each; tests/bench/run_vm.sh): median load time
#   through test_firmware of 4 KiB, 1 MiB and 16 MiB signed blobs, a partial
#   read and xz-compressed firmware, unguarded (fwverify mode=off), with
#   fwverify (mode=enforce) and with IMA appraisal (appraise
#   func=FIRMWARE_CHECK fowner=4242 appraise_type=imasig, on copies owned by
#   uid 4242, security.ima made here with openssl), first and repeated
#   loads, in BENCH_ROUNDS (1; 3 on the wall clock) rounds of off,
#   fwverify and IMA taking turns
#   in blocks of loads (three times as many rounds for the small cases, 4k
#   and partial);
#   the module on 6.1, 6.12 and 7.3,
#   and the built-in LSM too once `make intree` has built its kernels
#   (KERNELS="..." picks; those kernels have no IMA).  BENCH_CASES=4k,partial runs fewer cases;
#   BENCH_HOST=0 skips the host part; BENCH_VM_WORK, BENCH_KMOD_OUT and
#   BENCH_LOGS move the VM's work, module and log directories.
#   BENCH_CLOCK=icount (the default) times the guest in instructions
#   (QEMU -icount: one nanosecond each, the same on any host, whatever
#   else it runs); BENCH_CLOCK=wall in the host's time, as TCG runs it.
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
	# More than the 1000 bytes fwbench asks for: a real partial read.
	head -c 4096 /dev/urandom >"$b/partial.bin"
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

# IMA's signatures, set in the VM (its /lib/firmware is made there): for each
# stored file F, $ima/F.ima holds F's security.ima in signature format v2
# (struct signature_v2_hdr): type 3 (EVM_IMA_XATTR_DIGSIG), version 2, hash
# algorithm 4 (sha256), key id (the last 4 bytes of the certificate's subject
# key identifier), the signature's length (16 bits, big endian), then the RSA
# PKCS#1 v1.5 signature of F's SHA-256 digest.  IMA appraises what the
# loader reads: the .xz file in both xz cases.  $ima/signer.der: the key's
# certificate, for IMA's keyring.
ima=build/vm/bench-ima
rm -rf "$ima"
mkdir -p "$ima"
key=build/pki/rsa-signer.key crt=build/pki/rsa-signer.crt
openssl x509 -in "$crt" -outform DER -out "$ima/signer.der"
skid=$(openssl x509 -in "$crt" -noout -ext subjectKeyIdentifier | tail -n 1 | tr -d ' :\n')
[[ $skid =~ ^[0-9A-Fa-f]{8,}$ ]] || { echo "bench: $crt has no subject key identifier" >&2; exit 1; }
bytes() {	# hex digits -> bytes
	local h=$1 e=
	while [ -n "$h" ]; do e+="\\x${h:0:2}" h=${h:2}; done
	printf '%b' "$e"
}
for f in "$fw"/fwverify-bench/*; do
	[[ $f != *.p7s ]] || continue
	openssl dgst -sha256 -binary "$f" |
		openssl pkeyutl -sign -inkey "$key" -pkeyopt digest:sha256 >"$ima/sig"
	{ bytes 030204"${skid: -8}$(printf %04x "$(stat -c %s "$ima/sig")")"
	  cat "$ima/sig"; } >"$ima/${f##*/}.ima"
done
rm "$ima/sig"

# What fwverify.ko is built from (vm-test.sh builds it from the work tree).
kmod_state() {
	local head dirty
	head=$(git rev-parse --short HEAD)
	dirty=$({ git diff HEAD -- Kbuild kmod
		git ls-files -oz --exclude-standard -- kmod | xargs -0r cat; } | sha256sum)
	if git diff --quiet HEAD -- Kbuild kmod && [ -z "$(git ls-files -o --exclude-standard -- kmod)" ]; then
		echo "$head"
	else
		echo "$head with uncommitted changes (${dirty:0:8})"
	fi
}

# The guest's clock.  icount: QEMU counts the instructions the guest
# executes and its time is their count, a nanosecond each; idle time is
# skipped (sleep=off).  A load's time is
# then the work done during it, reproducible to a fraction of a percent,
# where the wall clock of a TCG guest on a shared host varies by half
# within a boot.  Every instruction counts the same: a byte moved by
# "rep movsb" costs as much as a round of SHA-256.  The busy wait before
# each block only has to let the reports of the block before go out.  One
# vCPU: Debian's 6.1 does not bring up a second under -icount, and the
# instructions of both would be counted on one clock anyway.  One round
# (three for the small cases): the next ones repeat its medians to 1%.
clock=${BENCH_CLOCK:-icount}
case $clock in
icount) icount=shift=0,sleep=off settle=20 smp=1 rounds=1 ;;
wall) icount='' settle=200 smp=2 rounds=3 ;;
*) echo "bench: BENCH_CLOCK is icount or wall, not '$clock'" >&2; exit 1 ;;
esac

declare -A res per mean note built
default_kernels="6.1 6.12 7.3"
for k in intree-6.12 intree-7.3; do
	[ ! -e "build/kernels/$k/builtin" ] || default_kernels+=" $k"
done
read -ra kernels <<<"${KERNELS:-$default_kernels}"
IFS=, read -ra cases <<<"${BENCH_CASES:-}"
rounds=${BENCH_ROUNDS:-$rounds}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "bench: BENCH_ROUNDS wants a count, not '$rounds'" >&2; exit 1; }
[ ${#cases[@]} -gt 0 ] || cases=(4k 1m 16m partial xz-stored xz-content)
logs=${BENCH_LOGS:-build/vm-logs/bench}
load=$(cut -d' ' -f1-3 /proc/loadavg)
for k in "${kernels[@]}"; do
	built[$k]=$(kmod_state)
	out=$(VM_FIRMWARE=$fw VM_WORK=${BENCH_VM_WORK:-build/vm-bench} VM_LOGDIR=$logs-$k \
		KMOD_OUT=${BENCH_KMOD_OUT:-build/kmod-bench}/$k \
		VM_ICOUNT=$icount VM_SMP=$smp VM_TIMEOUT=${VM_TIMEOUT:-2400} \
		VM_APPEND="BENCH_CASES=$(IFS=,; echo "${cases[*]}") BENCH_ROUNDS=$rounds BENCH_SETTLE=$settle" \
		scripts/vm-test.sh "$k" tests/bench/run_vm.sh build/bench/fwbench "$ima" 2>&1) ||
		{ echo "$out" >&2; echo "bench: VM run on $k failed (logs in $logs-$k)" >&2; exit 1; }
	# A mode run in every round: its lowest median, and each round's
	# median and mean.
	while read -r _ case mode med _ _ _ _ avg round; do
		prev=${res[$k,$case,$mode]:-}
		[ -n "$prev" ] && [ "$prev" -le "$med" ] || res[$k,$case,$mode]=$med
		per[$k,$case,$mode]+=" ${round#round=}:$med"
		mean[$k,$case,$mode]+=" ${round#round=}:${avg#mean=}"
	done < <(grep '^BENCH ' <<<"$out")
	note[$k]=$(sed -n 's/^NOTE //p' <<<"$out")
	# IMA's figures are part of the bench wherever fwverify is a module.
	if [ ! -e "build/kernels/$k/builtin" ] && [ -z "${res[$k,${cases[0]},ima-first]:-}" ]; then
		echo "$out" >&2
		echo "bench: no IMA figures on $k" >&2
		exit 1
	fi
done

# ratio KERNEL CASE A B [mean]: the median over the rounds of the ratio of
# mode A's median (or mean) to mode B's in the same round, to two places,
# or "-" where they share no round.  The columns of a round met the same
# spells of the host; the lowest medians of two columns may come from
# different rounds.
ratio() {
	local a=${per[$1,$2,$3]:-} b=${per[$1,$2,$4]:-}
	[ "${5:-}" != mean ] || a=${mean[$1,$2,$3]:-} b=${mean[$1,$2,$4]:-}
	awk -v a="$a" -v b="$b" 'BEGIN {
		n = split(a, x, " ")
		for (i = 1; i <= n; i++) { split(x[i], p, ":"); A[p[1]] = p[2] }
		n = split(b, x, " ")
		for (i = 1; i <= n; i++) {
			split(x[i], p, ":")
			if (!(p[1] in A) || p[1] == "last" || p[2] <= 0) continue
			v = A[p[1]] / p[2]
			for (j = ++m; j > 1 && r[j - 1] > v; j--) r[j] = r[j - 1]
			r[j] = v
		}
		if (!m) { print "-"; exit }
		printf "%.2f", m % 2 ? r[(m + 1) / 2] : (r[m / 2] + r[m / 2 + 1]) / 2
	}'
}
row='%-11s %-10s %7s %8s %7s %8s %7s %9s %7s %10s %12s %9s\n'
echo
case $clock in
icount) echo "Median time of one load through test_firmware (us of guest instructions, 1 ns each), QEMU TCG -icount, one boot per kernel" ;;
wall) echo "Median time of one load through test_firmware (us), QEMU TCG, one boot per kernel" ;;
esac
# shellcheck disable=SC2059 # the format is $row
printf "$row" kernel case off "fw 1st" "fw hit" "IMA 1st" "IMA hit" \
	fw1st/off hit/off IMA1st/off fw1st/IMA1st "by mean"
for k in "${kernels[@]}"; do
	for c in "${cases[@]}"; do
		off=${res[$k,$c,off]} first=${res[$k,$c,first]} hit=${res[$k,$c,cached]}
		ifirst=${res[$k,$c,ima-first]:--} ihit=${res[$k,$c,ima-cached]:--}
		# shellcheck disable=SC2059
		printf "$row" "$k" "$c" "$off" "$first" "$hit" "$ifirst" "$ihit" \
			"$(ratio "$k" "$c" first off)" "$(ratio "$k" "$c" cached off)" \
			"$(ratio "$k" "$c" ima-first off)" "$(ratio "$k" "$c" first ima-first)" \
			"$(ratio "$k" "$c" first ima-first mean)"
	done
done
cat <<EOF
off: fwverify loaded, mode off.  fw: fwverify, mode enforce.  IMA: fwverify
  in mode off, IMA's policy "appraise func=FIRMWARE_CHECK fowner=4242
  appraise_type=imasig" (loaded first: every column pays its rule check) on
  copies of the blobs owned by uid 4242, the key in the _ima keyring.  Each
  time: the lowest median of its rounds ($rounds, a second apart; $((rounds * 3)) for
  4k and partial; off once more at the end); each ratio: the median of the
  rounds' ratios of their own medians ("by mean": of their means, which
  charge the loads with the reports fwverify sends after them, wherever
  those ran between two timed loads).  In a round each column's loads are
  split into blocks (5 for 4k and partial, 3 for the others), and the
  columns take turns block by block.  Each block is timed from
  $settle ms after the one before, waited busy, so that no column pays for
  the reports of another's loads (the guest's vCPUs share one host thread), and
  under printk's default rate limit (kauditd prints fwverify's audit
  records: no auditd runs).  Every SHA-256 on sha256-generic.
EOF
case $clock in
icount) cat <<EOF
Clock (BENCH_CLOCK=icount): the guest's time is the count of instructions
  it executed, a nanosecond each (QEMU -icount shift=0,sleep=off; one vCPU,
  which runs fwverify's reports between the loads): the same on any host,
  whatever else the host runs.  It weighs every instruction
  alike, where a CPU does not (a byte moved by "rep movsb" counts as much as
  a round of SHA-256).  BENCH_CLOCK=wall times the host's clock instead.
EOF
;;
wall) cat <<EOF
Clock (BENCH_CLOCK=wall): the host's time, as TCG runs the guest.  The
  host slows down by up to half for seconds at a time; the blocks let
  every column of a round meet the same spells, and a load after an idle
  spell is slower for a while (hence the busy wait).
EOF
;;
esac
cat <<EOF
1st: before each load (untimed) the stored file's first byte is written over
  with itself: its change counter moves, fwverify's and IMA's cached verdicts
  expire.  hit: the same load repeated.
partial: 1000 bytes at offset 0 of a 4 KiB file: fwverify and IMA read and
  verify the whole file in the pre-read hook.
xz-stored, xz-content: IMA can only sign the stored .xz file, so for both its
  signature is over the stored file (fwverify's: over the .xz file for
  xz-stored, over the decompressed content for xz-content).
EOF
# Debian's 6.12 has CONFIG_FW_LOADER_DEBUG=y: fw_log_firmware_info() hashes
# every firmware loaded, in every column.
for k in "${kernels[@]}"; do
	! grep -qx CONFIG_FW_LOADER_DEBUG=y "build/kernels/$k/kdir/.config" 2>/dev/null ||
		echo "$k: CONFIG_FW_LOADER_DEBUG=y: the loader itself SHA-256s every firmware it loads (all columns)."
done
for k in "${kernels[@]}"; do
	[ -e "build/kernels/$k/builtin" ] || echo "$k: fwverify.ko from kmod/ at ${built[$k]}"
	[ -z "${note[$k]}" ] || while read -r l; do echo "$k: $l"; done <<<"${note[$k]}"
done
echo "Host load average before the VM runs: $load (1, 5, 15 min), after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Every run's figures: $logs-<kernel>/output.log"

[ "${BENCH_HOST:-1}" != 0 ] || exit 0
# Host: the tool against openssl, signing, verifying and hashing
# (tests/bench/tool-bench.sh, also runnable alone).
echo
FWVERIFY=$top/userspace/fwverify tests/bench/tool-bench.sh
FWVERIFY=$top/userspace/fwverify FWVERIFY_SIGND=$top/userspace/fwverify-signd tests/bench/signd-bench.sh
