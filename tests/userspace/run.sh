#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host tests of the fwverify tool: build it with ASan and UBSan, make a test
# PKI, and check what sign and verify do, by exit code and output.  Prints TAP.
#
#   tests/userspace/run.sh            build into build/userspace-asan and run
#   BUILD=DIR tests/userspace/run.sh  build elsewhere
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build/userspace-asan}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
make -s -C "$top/userspace" SANITIZE=1 O="$build" >&2 || { echo "Bail out! build failed"; exit 1; }
fwverify=$build/fwverify
make -s -C "$top/tests/helpers" O="$build/helpers" >&2 || { echo "Bail out! test helpers build failed"; exit 1; }
signattrs=$build/helpers/cms-sign-attrs
pki=$tmp/pki chain=$tmp/pki-chain
"$top/tests/pki/gen.sh" "$pki" && "$top/tests/pki/gen-chain.sh" "$chain" ||
	{ echo "Bail out! cannot make the test PKI"; exit 1; }

n=0 passed=0 failed=0
rc=0 out= err=

# run CMD...: run with a time limit; set rc, out (stdout) and err (stderr).
run() {
	out=$(timeout 10 "$@" 2>"$tmp/stderr")
	rc=$?
	err=$(<"$tmp/stderr")
	if [[ $err == *Sanitizer* || $err == *"runtime error"* ]]; then
		printf '%s\n' "$err" >>"$tmp/sanitizer.log"
	fi
}

result() { # DESC OK(0|1) EXPECTED
	n=$((n + 1))
	if [[ $2 == 0 ]]; then
		echo "ok $n - $1"
		passed=$((passed + 1))
	else
		echo "not ok $n - $1"
		echo "#   expected: $3"
		echo "#   saw: exit $rc, stdout: ${out//$'\n'/ | }"
		echo "#   stderr: ${err//$'\n'/ | }"
		failed=$((failed + 1))
	fi
}

# expect DESC RC STDOUT-REGEX [STDERR-REGEX]: check the last run().
expect() {
	local ok=1
	[[ $rc == "$2" && $out =~ $3 && $err =~ ${4:-} ]] && ok=0
	result "$1" $ok "exit $2, stdout =~ /$3/${4:+, stderr =~ /$4/}"
}

# verified_both DESC CA FILE: fwverify and openssl cms both accept FILE.p7s.
verified_both() {
	run "$fwverify" verify --ca "$2" "$3"
	expect "$1: fwverify verify accepts it" 0 ': verified \(signer: '
	run openssl cms -verify -binary -inform DER -in "$3.p7s" -content "$3" \
		-CAfile "$2" -purpose any -out /dev/null
	expect "$1: openssl cms -verify accepts it" 0 ''
}

# usage_error DESC CMD...: exit 2 with exactly one "fwverify: " line on stderr.
usage_error() {
	local desc=$1
	shift
	run "$fwverify" "$@"
	local ok=1
	[[ $rc == 2 && -z $out && $err =~ ^fwverify:\ [^$'\n']+$ ]] && ok=0
	result "$desc" $ok "exit 2, one line 'fwverify: ...' on stderr"
}

sign() { # KEY-NAME DIR FILE [OPTION]...: sign with a key pair of DIR
	local name=$1 dir=$2 file=$3
	shift 3
	run "$fwverify" sign --key "$dir/$name.key" --cert "$dir/$name.crt" "$@" "$file"
}

ossl_sign() { # KEY-NAME DIR FILE [OPTION]...: sign FILE.p7s with openssl cms
	local name=$1 dir=$2 file=$3
	shift 3
	openssl cms -sign -binary -outform DER -md sha256 -signer "$dir/$name.crt" \
		-inkey "$dir/$name.key" -in "$file" -out "$file.p7s" "$@"
}

# sign_attrs KEY-NAME DIR FILE OID=TEXT...: sign FILE.p7s as fwverify sign does,
# with a signed UTF8String TEXT under each OID (tests/helpers/cms-sign-attrs.c).
sign_attrs() {
	local name=$1 dir=$2 file=$3
	shift 3
	"$signattrs" "$dir/$name.key" "$dir/$name.crt" "$file" "$file.p7s" "$@"
}

# signed_utf8 P7S OID: the UTF8String values of P7S's signed attributes under
# OID, one a line, as openssl prints them.
signed_utf8() {
	openssl cms -cmsout -print -inform DER -in "$1" 2>/dev/null |
		awk -v oid="($2)" '/object:/ { f = index($0, oid) > 0 }
			f && /UTF8STRING:/ { sub(/.*UTF8STRING:/, ""); print }'
}

flip() { # FILE OFFSET: invert one byte (a negative offset counts from the end)
	local size off
	size=$(stat -c %s "$1")
	off=$(( $2 < 0 ? size + $2 : $2 ))
	python3 -c 'import sys
p, o = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read()); b[o] ^= 0xff; open(p, "wb").write(b)' "$1" "$off"
}

fw=$tmp/fw.bin
head -c 100000 /dev/urandom >"$fw"
V=("$fwverify" verify --ca "$pki/rsa-signer.crt" --ca "$pki/ec-signer.crt")
ok_re='^.*fw\.bin: verified \(signer: fwverify test '

# --- signing and verifying ------------------------------------------------
for key in rsa ec; do
	for hash in sha256 sha384 sha512; do
		sign "$key-signer" "$pki" "$fw" --hash "$hash"
		run "${V[@]}" "$fw"
		expect "$key $hash: fwverify signs, fwverify verifies" 0 "${ok_re}(RSA|ECDSA) signer\)$"
		run openssl cms -verify -binary -inform DER -in "$fw.p7s" -content "$fw" \
			-CAfile "$pki/$key-signer.crt" -purpose any -out /dev/null
		expect "$key $hash: openssl cms -verify accepts the signature" 0 ''
	done
done

sign rsa-signer "$pki" "$fw"
run openssl cms -cmsout -print -inform DER -in "$fw.p7s"
ok=1
[[ $out == *"contentType (1.2.840.113549.1.9.3)"* && $out == *"messageDigest ("* &&
   $out == *"signingTime ("* && $out != *SMIMECapabilities* &&
   $out == *d.issuerAndSerialNumber* && $out == *"eContent: <ABSENT>"* ]] && ok=0
result "signature is detached, by issuer+serial, with contentType, messageDigest, signingTime, no S/MIME caps" $ok \
	"those attributes in 'openssl cms -print'"

big=$tmp/big.bin
head -c $((3 * 1024 * 1024 + 17)) /dev/urandom >"$big"
sign ec-signer "$pki" "$big"
run "${V[@]}" "$big"
expect "a 3 MiB file signs and verifies" 0 'big\.bin: verified'

# --- signatures made by openssl -------------------------------------------
ossl_sign rsa-signer "$pki" "$fw" -nosmimecap
run "${V[@]}" "$fw"
expect "openssl signature with signed attributes verifies" 0 "${ok_re}RSA signer\)$"

ossl_sign ec-signer "$pki" "$fw" -noattr
run "${V[@]}" "$fw"
expect "openssl signature without signed attributes (-noattr) by a trusted key verifies" 0 "${ok_re}ECDSA signer\)$"

ossl_sign rsa-signer "$pki" "$fw" -noattr -nocerts
run "${V[@]}" "$fw"
expect "-noattr -nocerts signature by a trusted key verifies" 0 "${ok_re}RSA signer\)$"

ossl_sign rsa-signer "$pki" "$fw"
run "${V[@]}" "$fw"
expect "sMIMECapabilities attribute (refused by the kernel) is malformed" 1 'malformed: .*sMIMECapabilities'

ossl_sign rsa-signer "$pki" "$fw" -nosmimecap -keyid
run "${V[@]}" "$fw"
expect "signer named by subject key identifier verifies when it is trusted" 0 "${ok_re}RSA signer\)$"

openssl cms -sign -binary -outform DER -md sha256 -nosmimecap -in "$fw" -out "$fw.p7s" \
	-signer "$pki/untrusted.crt" -inkey "$pki/untrusted.key" \
	-signer "$pki/rsa-signer.crt" -inkey "$pki/rsa-signer.key"
run "${V[@]}" "$fw"
expect "two signers, one trusted: verified" 0 "${ok_re}RSA signer\)$"

# --- tampering --------------------------------------------------------------
sign rsa-signer "$pki" "$fw"
cp "$fw" "$tmp/orig.bin"
flip "$fw" 5000
run "${V[@]}" "$fw"
expect "firmware changed by one byte: bad-signature" 1 'fw\.bin: bad-signature: .*digest does not match'
cp "$tmp/orig.bin" "$fw"

ossl_sign ec-signer "$pki" "$fw" -noattr
flip "$fw" 0
run "${V[@]}" "$fw"
expect "firmware changed by one byte, signature without attributes: bad-signature" 1 'fw\.bin: bad-signature: '
cp "$tmp/orig.bin" "$fw"

sign rsa-signer "$pki" "$fw"
flip "$fw.p7s" -1
run "${V[@]}" "$fw"
expect "signature value changed by one byte: bad-signature" 1 'fw\.bin: bad-signature: .*does not verify'

sign rsa-signer "$pki" "$fw"
md=$(openssl dgst -sha256 -hex "$fw" | sed 's/.*= //')
off=$(python3 -c 'import sys; print(open(sys.argv[1], "rb").read().find(bytes.fromhex(sys.argv[2])))' "$fw.p7s" "$md")
flip "$fw.p7s" "$off"
run "${V[@]}" "$fw"
expect "messageDigest attribute changed by one byte: bad-signature" 1 'fw\.bin: bad-signature: '

sign rsa-signer "$pki" "$fw"
flip "$fw.p7s" 0
run "${V[@]}" "$fw"
expect "signature's first byte changed: malformed" 1 'fw\.bin: malformed: '

asn1_offset() { # FILE DEPTH TYPE: offset of the contents of the last such element
	openssl asn1parse -inform DER -in "$1" |
		awk -F: -v d="$2" -v t="$3" '$2 ~ "^d=" d " " && $0 ~ t { o = $1; sub(/ .*/, "", $3); h = $2 }
			END { sub(/.*hl=/, "", h); print o + h }'
}

sign rsa-signer "$pki" "$fw"
flip "$fw.p7s" "$(asn1_offset "$fw.p7s" 3 INTEGER)"
run "${V[@]}" "$fw"
expect "SignedData version changed (the kernel checks it): malformed" 1 'malformed: .*SignedData version'

sign rsa-signer "$pki" "$fw"
flip "$fw.p7s" "$(asn1_offset "$fw.p7s" 5 INTEGER)"
run "${V[@]}" "$fw"
expect "SignerInfo version changed (the kernel checks it): malformed" 1 'malformed: .*SignerInfo 1: .*version'

# The kernel ignores what it need not trust (the outer digestAlgorithms, a
# carried copy of a trusted certificate), but every byte of a SignerInfo counts.
sign ec-signer "$pki" "$fw"
cp "$fw.p7s" "$tmp/good.p7s"
size=$(stat -c %s "$fw.p7s") bad=
for ((off = $(asn1_offset "$fw.p7s" 3 SET); off < size; off += 2)); do
	cp "$tmp/good.p7s" "$fw.p7s"
	flip "$fw.p7s" $off
	run "${V[@]}" "$fw"
	[[ $rc == 1 && $out =~ (bad-signature|malformed|untrusted) ]] || bad+=" $off"
done
rc=- out= err=
result "every other byte of the SignerInfo changed: never verified, never a crash" "$([[ -z $bad ]]; echo $?)" \
	"failure at every offset, but not at:$bad"

# --- trust ------------------------------------------------------------------
sign untrusted "$pki" "$fw"
run "${V[@]}" "$fw"
expect "signer not trusted: untrusted" 1 'fw\.bin: untrusted: '

sign rsa-signer "$pki" "$fw" --no-certs
run "${V[@]}" "$fw"
expect "--no-certs signature verifies when the signer is a --ca" 0 "${ok_re}RSA signer\)$"
run "$fwverify" verify --ca "$pki/ec-signer.crt" "$fw"
expect "--no-certs signature by a signer not trusted: untrusted" 1 'fw\.bin: untrusted: '

cat "$chain/chain-signer.crt" "$chain/chain-inter.crt" >"$tmp/fullchain.pem"
sign chain-signer "$chain" "$fw" --chain "$chain/chain-inter.crt"
run "$fwverify" verify --ca "$chain/chain-root.crt" "$fw"
expect "signer -> intermediate carried -> trusted root: verified" 0 'verified \(signer: fwverify test chain signer\)$'
run "$fwverify" verify --ca "$chain/chain-inter.crt" "$fw"
expect "signer -> trusted intermediate: verified" 0 'verified \(signer: fwverify test chain signer\)$'
run "$fwverify" verify --ca "$pki/rsa-signer.crt" "$fw"
expect "chain to a root that is not trusted: untrusted" 1 'fw\.bin: untrusted: '
run "$fwverify" sign --key "$chain/chain-signer.key" --cert "$tmp/fullchain.pem" "$fw"
run "$fwverify" verify --ca "$chain/chain-root.crt" "$fw"
expect "--cert file holding signer and intermediate: verified through the root" 0 'verified \(signer: fwverify test chain signer\)$'

sign chain-signer "$chain" "$fw"
run "$fwverify" verify --ca "$chain/chain-root.crt" "$fw"
expect "intermediate missing from the signature: untrusted" 1 'fw\.bin: untrusted: '
run "$fwverify" verify --ca "$chain/chain-inter.crt" "$fw"
expect "signer alone, its issuer trusted: verified, named after the signer" 0 'verified \(signer: fwverify test chain signer\)$'

ossl_sign expired "$chain" "$fw" -noattr
run "$fwverify" verify --ca "$chain/expired.crt" "$fw"
expect "expired signer, no signing time: verified with a warning" 0 'verified' 'warning: signer certificate has expired'

# The module verifies a signer .fwverify holds without the certificates the
# signature carries (kmod/verify.c): the carried copy's validity is not read.
sign expired "$chain" "$fw"
run "$fwverify" verify --ca "$chain/expired.crt" "$fw"
expect "signing time outside the validity of a signer trusted itself: verified, as the module" 0 'verified'
# A signature read as firmware is verified whole, its certificates with it.
run "$fwverify" verify --ca "$chain/expired.crt" "$fw.p7s"
expect "the same signature read as firmware: bad-signature (signing time outside the carried signer's validity)" \
	1 'bad-signature: .*signing time'

# --- signature files that are missing or not signatures ---------------------
rm -f "$fw.p7s"
run "${V[@]}" "$fw"
expect "no .p7s: unsigned" 1 'fw\.bin: unsigned: '

malformed() { # DESC: fw.p7s is in place
	run "${V[@]}" "$fw"
	expect "$1: malformed" 1 'fw\.bin: malformed: '
	rm -rf "$fw.p7s"
}
sign rsa-signer "$pki" "$fw"
cp "$fw.p7s" "$tmp/good.p7s"
: >"$fw.p7s"
malformed "empty .p7s"
head -c 700 "$tmp/good.p7s" >"$fw.p7s"
malformed "truncated .p7s"
head -c 1500 /dev/urandom >"$fw.p7s"
malformed "garbage .p7s"
{ cat "$tmp/good.p7s"; head -c 65536 /dev/zero; } >"$fw.p7s"
malformed "a valid signature padded beyond 64 KiB"
mkdir "$fw.p7s"
malformed ".p7s that is a directory"
mkfifo "$fw.p7s"
malformed ".p7s that is a FIFO (no hang)"
ln -s /dev/zero "$fw.p7s"
malformed ".p7s that is a symlink to /dev/zero"

cp "$tmp/good.p7s" "$tmp/elsewhere.sig"
run "${V[@]}" --sig "$tmp/elsewhere.sig" "$fw"
expect "--sig names the signature file" 0 "${ok_re}RSA signer\)$"

# --- several files, exit codes ------------------------------------------------
mkdir "$tmp/many"
for i in $(seq 1 50); do head -c $((i * 97)) /dev/urandom >"$tmp/many/fw$i.bin"; done
sign ec-signer "$pki" "$tmp/many/"*.bin
ok=$rc
run "${V[@]}" "$tmp/many/"*.bin
nver=$(grep -c ': verified (signer: fwverify test ECDSA signer)$' <<<"$out")
nsig=$(find "$tmp/many" -name '*.p7s' | wc -l)
result "signing 50 files in one run makes 50 signatures that verify" \
	"$([[ $ok == 0 && $rc == 0 && $nver == 50 && $nsig == 50 ]]; echo $?)" "50 verified, saw $nver of $nsig"
left=$(find "$tmp/many" -name '.*')
rc=- out=$left
result "signing leaves no temporary file behind" "$([[ -z $left ]]; echo $?)" "no hidden files"

cp "$tmp/good.p7s" "$fw.p7s"
ino=$(stat -c %i "$fw.p7s")
sign rsa-signer "$pki" "$fw" -o "$fw.p7s"
result "an existing signature is replaced by rename, not rewritten in place" \
	"$([[ $rc == 0 && $(stat -c %i "$fw.p7s") != "$ino" && $(stat -c %a "$fw.p7s") == 644 ]]; echo $?)" \
	"exit 0, a new inode, mode 644"

chmod 0555 "$tmp/many"
if [[ ! -w $tmp/many ]]; then
	sign rsa-signer "$pki" "$tmp/many/fw1.bin"
	expect "signing into a read-only directory fails with exit 2" 2 '' 'fwverify: .*fw1\.bin\.p7s: cannot write signature'
else
	n=$((n + 1)) passed=$((passed + 1))
	echo "ok $n - signing into a read-only directory fails with exit 2 # SKIP running as root"
fi
chmod 0755 "$tmp/many"

rm -f "$tmp/many/fw2.bin.p7s"
run "${V[@]}" "$tmp/many/fw1.bin" "$tmp/many/fw2.bin"
expect "verified and unsigned files together: exit 1, one line each" 1 \
	$'fw1\\.bin: verified [^\n]*\n[^\n]*fw2\\.bin: unsigned: '
run "${V[@]}" "$tmp/many/fw1.bin" "$tmp/nonexistent.bin" "$tmp/many/fw2.bin"
expect "missing firmware file: error line, exit 2, the other files still checked" 2 \
	$'fw1\\.bin: verified [^\n]*\n[^\n]*nonexistent\\.bin: error: cannot open: No such file or directory\n[^\n]*fw2\\.bin: unsigned'

# --- usage ----------------------------------------------------------------------
usage_error "no command" 
usage_error "unknown command" frobnicate
usage_error "unknown option" verify --ca "$pki/rsa-signer.crt" --frob "$fw"
usage_error "option without its argument" verify "$fw" --ca
usage_error "verify without --ca" verify "$fw"
usage_error "verify without FILE" verify --ca "$pki/rsa-signer.crt"
usage_error "verify --sig with two files" verify --ca "$pki/rsa-signer.crt" --sig x "$fw" "$fw"
usage_error "verify with an unreadable --ca" verify --ca "$tmp/nonexistent.pem" "$fw"
usage_error "verify with a --ca that holds no certificate" verify --ca "$pki/rsa-signer.key" "$fw"
usage_error "sign without --key" sign --cert "$pki/rsa-signer.crt" "$fw"
usage_error "sign with an unknown hash" sign --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt" --hash md5 "$fw"
usage_error "sign -o with two files" sign --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt" -o x "$fw" "$fw"
usage_error "sign with a key that does not match the certificate" \
	sign --key "$pki/ec-signer.key" --cert "$pki/rsa-signer.crt" "$fw"
usage_error "sign a missing file" sign --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt" "$tmp/nonexistent.bin"

run "$fwverify" --help
expect "--help lists the commands" 0 'sign .*'$'\n''.*verify '
run "$fwverify" help verify
expect "help verify shows its options" 0 '--ca CERT\.pem'
run "$fwverify" --version
expect "--version" 0 '^fwverify [0-9]'

# Each command's cases live in their own file, sourced in name order.
# CASES="30 75" runs only the files whose names start so (while working on them).
for cases in "$top"/tests/userspace/cases/*.sh; do
	[ -e "$cases" ] || continue
	[[ -z ${CASES:-} || " $CASES " == *" $(basename "$cases" | cut -d- -f1) "* ]] || continue
	echo "# $(basename "$cases")"
	source "$cases"
done

rc=- out= err=$(cat "$tmp/sanitizer.log" 2>/dev/null)
result "ASan and UBSan reported nothing" "$([[ -z $err ]]; echo $?)" "no sanitizer report"

echo "1..$n"
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
