#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fuzz every parser of untrusted input the tool owns, the module's
# decompression against the firmware loader's (fuzz-decompress) and its DER
# reader against OpenSSL's and the kernel's PKCS#7 parsers (fuzz-der), each
# for a bounded time (FUZZ_SECONDS, default 30), from a seed corpus of valid
# inputs.
# Prints TAP: a target passes when libFuzzer found no crash, leak, hang or
# sanitizer report.  Findings are kept in build/fuzz/artifacts.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/fuzz
secs=${FUZZ_SECONDS:-30}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make -s -C "$top/tests/fuzz" O="$out" >&2 || { echo "Bail out! fuzz build failed"; exit 1; }
mkdir -p "$out/artifacts"

# Seeds that reach deep: real signatures of every form the tool meets.
seed_signatures() {
	local d=$1 pki=$tmp/pki
	"$top/tests/pki/gen.sh" "$pki" >/dev/null 2>&1 || return 1
	printf 'firmware' >"$tmp/blob"
	for k in rsa-signer ec-signer; do
		openssl cms -sign -binary -nosmimecap -md sha256 -outform DER -in "$tmp/blob" \
			-signer "$pki/$k.crt" -inkey "$pki/$k.key" -out "$d/$k.p7s" &&
		openssl cms -sign -binary -noattr -md sha256 -outform DER -in "$tmp/blob" \
			-signer "$pki/$k.crt" -inkey "$pki/$k.key" -out "$d/$k-noattr.p7s" &&
		openssl cms -sign -binary -nocerts -md sha512 -outform DER -in "$tmp/blob" \
			-signer "$pki/$k.crt" -inkey "$pki/$k.key" -out "$d/$k-nocerts.p7s" || return 1
	done
}

# fuzz-der: the openssl forms above, two SignerInfos, a subjectKeyIdentifier,
# BER (indefinite lengths, which the kernel takes and der.c does not read),
# and signatures of fwverify sign (with the firmware name attribute) kept in
# seeds/der, one re-signed by a second signer, and made afresh (RSA and EC,
# with the certificate) when the tool is built in the tree.  No S/MIME
# capabilities: the kernel refuses them outside Authenticode.  The ones of
# one SignerInfo with signed attributes (openssl's and fwverify sign's) are
# what fwverify_der_detach_attrs() rewrites (property 5).
seed_der() {
	local d=$1 pki=$tmp/pki s=$top/tests/fuzz/seeds/der
	seed_signatures "$d" || return 1
	cp "$s"/*.p7s "$d/" &&
	openssl cms -sign -binary -nosmimecap -md sha256 -outform DER -in "$tmp/blob" \
		-signer "$pki/rsa-signer.crt" -inkey "$pki/rsa-signer.key" \
		-signer "$pki/ec-signer.crt" -inkey "$pki/ec-signer.key" -out "$d/two-signers.p7s" &&
	openssl cms -sign -binary -nosmimecap -keyid -md sha256 -outform DER -in "$tmp/blob" \
		-signer "$pki/ec-signer.crt" -inkey "$pki/ec-signer.key" -out "$d/keyid.p7s" &&
	openssl cms -resign -binary -nosmimecap -inform DER -in "$s/rsa-named.p7s" -md sha256 \
		-signer "$pki/ec-signer.crt" -inkey "$pki/ec-signer.key" -outform DER \
		-out "$d/named-resigned.p7s" &&
	openssl cms -sign -binary -nosmimecap -stream -md sha256 -outform DER -in "$tmp/blob" \
		-signer "$pki/rsa-signer.crt" -inkey "$pki/rsa-signer.key" -out "$d/ber.p7s" ||
		return 1
	# fwverify sign's own, fresh, when the tool is built in the tree.
	[ -x "$top/userspace/fwverify" ] || return 0
	printf 'firmware' >"$tmp/fw.bin"
	for k in rsa-signer ec-signer; do
		"$top/userspace/fwverify" sign -q --key "$pki/$k.key" --cert "$pki/$k.crt" \
			"$tmp/fw.bin" && mv "$tmp/fw.bin.p7s" "$d/fwverify-$k.p7s" ||
			echo "# fwverify sign failed: no seed of it for $k" >&2
	done
}

n=0 failed=0
for t in $(make -s -C "$top/tests/fuzz" targets); do
	corpus=$tmp/corpus-$t
	mkdir -p "$corpus"
	case $t in
	signature) seed_signatures "$corpus" || { echo "Bail out! cannot make seeds"; exit 1; } ;;
	der) seed_der "$corpus" || { echo "Bail out! cannot make seeds"; exit 1; } ;;
	*) [ -d "$top/tests/fuzz/seeds/$t" ] && cp "$top/tests/fuzz/seeds/$t"/* "$corpus/" ;;
	esac
	dict=()
	[ -f "$top/tests/fuzz/$t.dict" ] && dict=(-dict="$top/tests/fuzz/$t.dict")
	n=$((n + 1))
	log=$out/$t.log
	if "$out/fuzz-$t" "${dict[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
		-max_len=65536 -artifact_prefix="$out/artifacts/$t-" "$corpus" >"$log" 2>&1; then
		runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -n 1)
		echo "ok $n - fuzz $t for ${secs}s: no finding (${runs:-?})"
	else
		echo "not ok $n - fuzz $t: libFuzzer found a problem (log $log)"
		grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -n 5 | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ "$failed" = 0 ]
