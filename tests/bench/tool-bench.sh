#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host benchmark of the fwverify tool (no VM), against baselines taken in
# the same run on the same files:
#   sign    `fwverify sign -jN` of every file vs a shell loop of `openssl cms -sign`
#   verify  `fwverify verify --ca` of every file vs a shell loop of `openssl cms -verify`
#   digest  SHA-256 bytes per second through the tool's digest path (a large
#           sparse file through `fwverify verify`) vs `openssl speed -evp sha256`
#   stage   `fwverify stage` of the signed tree (first, again with some files
#           changed, rollback) vs `cp -a` of the tree + `fwverify verify --ca`
#
#   tests/bench/tool-bench.sh        run alone (also the last part of `make bench`)
#   FILES=500 tests/bench/tool-bench.sh   fewer files
#   FWVERIFY=path/to/fwverify ...    bench that binary instead of a fresh plain build
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
files=${FILES:-2000}
jobs=$(nproc)

if [ -z "${FWVERIFY:-}" ]; then
	make -s -C "$top/userspace" O="$top/build/tool-bench" >&2
	FWVERIFY=$top/build/tool-bench/fwverify
fi
pki=$top/build/pki
"$top/tests/pki/gen.sh" "$pki"
key=$pki/rsa-signer.key crt=$pki/rsa-signer.crt

d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mkdir "$d/fw"

# Mixed sizes, as a firmware tree has them: most 4-64 KiB, 5% 1 MiB, 0.5% 8 MiB.
python3 - "$d/fw" "$files" <<'EOF'
import os, random, sys
out, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(6)
pool = os.urandom(8 << 20)
for i in range(n):
    if i % 200 == 199:
        size = 8 << 20
    elif i % 20 == 19:
        size = 1 << 20
    else:
        size = rnd.randint(4, 64) << 10
    off = rnd.randrange(0, len(pool) - size + 1)
    with open(os.path.join(out, "fw%05d.bin" % i), "wb") as f:
        f.write(pool[off:off + size])
EOF
total=$(du -sb "$d/fw" | cut -f1)
fw=("$d/fw"/*.bin)

now() { echo "$EPOCHREALTIME"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# The rows of the table: operation, fwverify, baseline, unit.
rows=()
row() { rows+=("$1|$2|$3|$4"); }
kcapi=

# --- sign -----------------------------------------------------------------
t0=$(now)
"$FWVERIFY" sign -q -j "$jobs" --key "$key" --cert "$crt" "${fw[@]}"
t1=$(now)
rm -f "$d/fw"/*.p7s
"$FWVERIFY" sign -q -j 1 --key "$key" --cert "$crt" "${fw[@]}"
t2=$(now)
mkdir "$d/ossl"
for f in "${fw[@]}"; do
	openssl cms -sign -binary -nosmimecap -md sha256 -outform DER \
		-signer "$crt" -inkey "$key" -in "$f" -out "$d/ossl/${f##*/}.p7s"
done
t3=$(now)
row "sign $files files (-j$jobs)" "$(secs "$t0" "$t1")" "$(secs "$t2" "$t3")" s
row "sign $files files (-j1)" "$(secs "$t1" "$t2")" "$(secs "$t2" "$t3")" s

# --- verify ---------------------------------------------------------------
t0=$(now)
"$FWVERIFY" verify --ca "$crt" "${fw[@]}" >"$d/verify.out"
t1=$(now)
for f in "${fw[@]}"; do
	openssl cms -verify -binary -inform DER -in "$f.p7s" -content "$f" \
		-CAfile "$crt" -purpose any -out /dev/null 2>/dev/null
done
t2=$(now)
nver=$(grep -c ': verified' "$d/verify.out")
[ "$nver" = "$files" ] || { echo "tool-bench: only $nver of $files verified" >&2; exit 1; }
row "verify $files files" "$(secs "$t0" "$t1")" "$(secs "$t1" "$t2")" s

# --- stage ----------------------------------------------------------------
# `fwverify stage` of the signed tree into a temporary search_dir/state_dir
# (the same file system, so unchanged files can be hard links). The kernel
# check is skipped: FWVERIFY_SYSFS is an empty directory, as if fwverify.ko
# were not loaded. The stage times include its syncfs().
#   first    every file new: copy + verify + switch
#   again    the same tree with 20 files changed and re-signed: the others
#            hard links, the 20 copies, all files verified
#   rollback back to the first generation: all files verified again, switch
# The baseline of all three is a naive copy-and-verify of the whole tree:
# `cp -a` of it, then `fwverify verify --ca` of every blob of the copy.
st=$d/stage
mkdir -p "$st/fw" "$st/nosys"
printf 'search_dir = %s\nstate_dir = %s\nca = %s\n' "$st/fw/updates" "$st/state" "$crt" >"$st/conf"
stage() { FWVERIFY_CONFIG=$st/conf FWVERIFY_SYSFS=$st/nosys "$FWVERIFY" "$@"; }
stagefail() { echo "tool-bench: stage: $1" >&2; exit 1; }
usf() { awk -v a="$1" -v b="$2" -v n="$files" 'BEGIN { printf "%.0f", (b - a) * 1e6 / n }'; }
nchg=$(( files >= 200 ? 20 : 1 ))

sync
t0=$(now)
stage stage "$d/fw" >"$d/stage1.out"
t1=$(now)
grep -qx 'activated generation 1' "$d/stage1.out" || stagefail "first stage did not activate"
[ "$(grep -c '^added ' "$d/stage1.out")" = "$files" ] || stagefail "first stage did not add $files files"

# Baseline: copy the tree, verify the copy.
t2=$(now)
cp -a "$d/fw" "$d/cpfw"
"$FWVERIFY" verify --ca "$crt" "$d/cpfw"/*.bin >"$d/cpverify.out"
t3=$(now)
[ "$(grep -c ': verified' "$d/cpverify.out")" = "$files" ] || stagefail "baseline verify failed"
rm -rf "$d/cpfw"

# Change $nchg files (a new tail, re-signed), spread over the tree.
chg=()
for ((i = 0; i < nchg; i++)); do
	chg+=("${fw[i * files / nchg]}")
done
for f in "${chg[@]}"; do
	head -c 64 /dev/urandom | dd of="$f" bs=64 seek=1 conv=notrunc status=none
done
"$FWVERIFY" sign -q -j "$jobs" --key "$key" --cert "$crt" "${chg[@]}"
sync
t4=$(now)
stage stage "$d/fw" >"$d/stage2.out"
t5=$(now)
grep -q '^activated generation 2 (was 1)' "$d/stage2.out" || stagefail "second stage did not activate"
if [ "$(grep -c '^changed ' "$d/stage2.out")" != "$nchg" ] ||
	[ "$(grep -c '^unchanged ' "$d/stage2.out")" != $((files - nchg)) ]; then
	stagefail "second stage: not $nchg changed and $((files - nchg)) unchanged"
fi
u=${fw[1]##*/}
[ "$(stat -c %i "$st/state/generations/1/tree/$u")" = "$(stat -c %i "$st/state/generations/2/tree/$u")" ] ||
	stagefail "unchanged $u is not a hard link"

t6=$(now)
stage rollback >"$d/rollback.out"
t7=$(now)
grep -q '^activated generation 1 (was 2)' "$d/rollback.out" || stagefail "rollback did not activate generation 1"

row "stage $files files (all new)" "$(secs "$t0" "$t1")" "$(secs "$t2" "$t3")" s
row "  per file" "$(usf "$t0" "$t1")" "$(usf "$t2" "$t3")" us
row "stage again ($nchg changed)" "$(secs "$t4" "$t5")" "$(secs "$t2" "$t3")" s
row "  per file" "$(usf "$t4" "$t5")" "$(usf "$t2" "$t3")" us
row "rollback ($files files)" "$(secs "$t6" "$t7")" "$(secs "$t2" "$t3")" s
row "  per file" "$(usf "$t6" "$t7")" "$(usf "$t2" "$t3")" us

# --- digest ---------------------------------------------------------------
# A sparse file hashes like any other but costs no disk; the time of a
# verify of a 4 KiB file is taken off, which leaves the hashing.
big=$d/big.bin size=$((1024 << 20))
truncate -s "$size" "$big"
head -c 4096 /dev/urandom >"$d/small.bin"
"$FWVERIFY" sign -q -j 1 --key "$key" --cert "$crt" "$big" "$d/small.bin"
best() { # CMD...: the shortest of 3 runs, in seconds
	local b= t0 t1 t
	for _ in 1 2 3; do
		t0=$(now)
		"$@" >/dev/null
		t1=$(now)
		t=$(secs "$t0" "$t1")
		b=$(awk -v a="${b:-$t}" -v t="$t" 'BEGIN { print (t < a ? t : a) }')
	done
	echo "$b"
}
rate() { # BACKEND: MB/s of the digest path
	local tb ts
	tb=$(FWVERIFY_DIGEST=$1 best "$FWVERIFY" verify --ca "$crt" "$big")
	ts=$(FWVERIFY_DIGEST=$1 best "$FWVERIFY" verify --ca "$crt" "$d/small.bin")
	awk -v s="$size" -v tb="$tb" -v ts="$ts" 'BEGIN { printf "%.0f", s / (tb - ts) / 1e6 }'
}
speed=$(openssl speed -evp sha256 -bytes 16384 -seconds 2 2>/dev/null |
	awk '$1 == "sha256" { sub(/k$/, "", $2); printf "%.0f", $2 / 1000 }')
row "SHA-256, digest path (auto)" "$(rate auto)" "$speed" MB/s
if FWVERIFY_DIGEST=kcapi "$FWVERIFY" verify --ca "$crt" "$d/small.bin" >/dev/null 2>&1; then
	row "SHA-256, digest path (kcapi)" "$(rate kcapi)" "$speed" MB/s
else
	kcapi="no AF_ALG hash here: auto is OpenSSL"
fi
row "SHA-256, digest path (openssl)" "$(rate openssl)" "$speed" MB/s

# --- table ----------------------------------------------------------------
echo
echo "fwverify tool, host: $files files, $((total >> 20)) MiB, $jobs CPUs${kcapi:+ ($kcapi)}"
echo "baseline: a shell loop of openssl cms per file; openssl speed -evp sha256 -bytes 16384;"
echo "  stage/rollback: cp -a of the tree + fwverify verify --ca of the copy (no kernel check)"
printf '%-32s %12s %12s %6s %8s\n' operation fwverify baseline unit ratio
for r in "${rows[@]}"; do
	IFS='|' read -r op a b unit <<<"$r"
	printf '%-32s %12s %12s %6s %8s\n' "$op" "$a" "$b" "$unit" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')"
done
echo "(ratio: fwverify/baseline; for s lower is better, for MB/s higher is better)"
