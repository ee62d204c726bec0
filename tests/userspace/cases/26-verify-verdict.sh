# SPDX-License-Identifier: GPL-2.0
# verify --ca predicts the module's verdict (userspace/lib/check.c): revocation
# by the persistent list and by the running kernel's, the kernel's rules
# per version (6.1 has no ECDSA), a damaged certificate carried beside a
# trusted signer (the module leaves carried certificates out), algorithms
# the kernel's parser does not know (untrusted, as -ENOPKG), a signature
# read as firmware, and --json.  tests/vm/tool/t-verify.sh compares the
# same verdicts with the real module's.  Sourced by run.sh.

vv=$tmp/verify-verdict
vv_sys=$vv/sys
VV=(env FWVERIFY_SYSFS="$vv_sys" FWVERIFY_CONFIG="$vv/conf" "$fwverify")
mkdir -p "$vv/fw" "$vv/state"
# vv_json FILTER: 0 if stdout holds a JSON document FILTER is true of (jq -e passes empty input).
vv_json() { [[ -n $out ]] && jq -e "$@" <<<"$out" >/dev/null; echo $?; }
printf 'state_dir = %s\n' "$vv/state" >"$vv/conf"
head -c 4096 /dev/urandom >"$vv/fw/a.bin"
sign rsa-signer "$pki" "$vv/fw/a.bin"
vv_hex=$(sha256sum "$vv/fw/a.bin" | cut -d' ' -f1)

run "${VV[@]}" verify --ca "$pki/rsa-signer.crt" "$vv/fw/a.bin"
expect "verify: signed, nothing revoked: verified" 0 'a\.bin: verified \(signer: '

printf 'sha256:%s\n' "$vv_hex" >"$vv/state/revoked"
run "${VV[@]}" verify --ca "$pki/rsa-signer.crt" "$vv/fw/a.bin"
expect "verify: a good signature over a digest on the persistent revoke list: revoked, exit 1" 1 \
	"a\\.bin: revoked: sha256:$vv_hex is on the revoke list\$"
rm "$vv/state/revoked"

# A loaded module's list (a fake sysfs tree): it may hold more than the persistent one.
mkdir -p "$vv_sys/kernel/security/fwverify" "$vv_sys/kernel/fwverify"
printf 'sha256:%s\n' "$vv_hex" >"$vv_sys/kernel/security/fwverify/revoke"
run "${VV[@]}" verify --ca "$pki/rsa-signer.crt" "$vv/fw/a.bin"
expect "verify: a digest only the running kernel revoked: revoked" 1 'a\.bin: revoked: '
run "${VV[@]}" verify --json --ca "$pki/rsa-signer.crt" "$vv/fw/a.bin"
result "verify --json: schema_version 1, the kernel's result and reason, its list read" \
	"$(vv_json --arg d "sha256:$vv_hex" '.schema_version == 1 and .by == "offline" and
		.kernel_revocations == true and .files[0].result == "revoked" and
		.files[0].reason == "digest on the revocation list" and .files[0].digest == $d and
		.files[0].exit == 1')" "a JSON document: $out"
: >"$vv_sys/kernel/security/fwverify/revoke"

# 6.1 is built without CONFIG_CRYPTO_ECDSA: an ECDSA signature is untrusted there.
head -c 4096 /dev/urandom >"$vv/fw/ec.bin"
sign ec-signer "$pki" "$vv/fw/ec.bin"
run "${VV[@]}" verify --kernel-version 6.1 --ca "$pki/ec-signer.crt" "$vv/fw/ec.bin"
expect "verify --kernel-version 6.1: an ECDSA signature is untrusted, and says why" 1 \
	'ec\.bin: untrusted: .*ECDSA.*Linux 6\.1'
run "${VV[@]}" verify --json --kernel-version 6.1 --ca "$pki/ec-signer.crt" "$vv/fw/ec.bin"
result "verify --json --kernel-version 6.1: reason \"unsupported crypto\", the rules named" \
	"$(vv_json '.kernel.version == "6.1" and .kernel.ecdsa == false and .kernel.running == false and
		.files[0].result == "untrusted" and .files[0].reason == "unsupported crypto"')" "a JSON document: $out"
run "${VV[@]}" verify --kernel-version 6.12 --ca "$pki/ec-signer.crt" "$vv/fw/ec.bin"
expect "verify --kernel-version 6.12: the same ECDSA signature is verified" 0 'ec\.bin: verified'
run "${VV[@]}" verify --kernel-version 5.10 --ca "$pki/ec-signer.crt" "$vv/fw/ec.bin"
expect "verify --kernel-version 5.10: a usage error, fwverify supports 6.1 on" 2 '^$' '6\.1 and later'

# A byte of the carried certificate's subject made invalid UTF-8: OpenSSL
# refuses the certificate; the kernel does not read names' strings, and
# verifies a signer .fwverify holds without the certificates carried.
cp "$vv/fw/a.bin" "$vv/fw/dmg.bin"
sign rsa-signer "$pki" "$vv/fw/dmg.bin"
python3 - "$vv/fw/dmg.bin.p7s" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
cn = b"fwverify test RSA signer"
i = b.find(cn, b.find(cn) + 1)	# the certificate's subject, after its issuer
b[i + 8] = 0xff
open(p, "wb").write(b)
EOF
run "${VV[@]}" verify --ca "$pki/rsa-signer.crt" "$vv/fw/dmg.bin"
expect "verify: a damaged certificate carried beside a trusted signer: verified, as the module" 0 \
	'dmg\.bin: verified \(signer: fwverify test RSA signer\)$'
run "${VV[@]}" verify --ca "$pki/ec-signer.crt" "$vv/fw/dmg.bin"
expect "verify: the same signature when its signer is not trusted: malformed" 1 'dmg\.bin: malformed: '

# Algorithms the kernel's PKCS#7 parser does not know: -ENOPKG, untrusted.
openssl cms -sign -binary -outform DER -md sha512-224 -nosmimecap -in "$vv/fw/a.bin" -out "$vv/fw/a.bin.p7s" \
	-signer "$pki/rsa-signer.crt" -inkey "$pki/rsa-signer.key"
run "${VV[@]}" verify --ca "$pki/rsa-signer.crt" "$vv/fw/a.bin"
expect "verify: a SHA-512/224 signature (unknown to the kernel's parser): untrusted, unsupported" 1 \
	'a\.bin: untrusted: .*digest algorithm'
openssl cms -sign -binary -outform DER -md sha3-256 -nosmimecap -in "$vv/fw/a.bin" -out "$vv/fw/a.bin.p7s" \
	-signer "$pki/rsa-signer.crt" -inkey "$pki/rsa-signer.key"
run "${VV[@]}" verify --kernel-version 6.1 --ca "$pki/rsa-signer.crt" "$vv/fw/a.bin"
expect "verify --kernel-version 6.1: a SHA3-256 signature (its parser lacks SHA-3 before 6.7): untrusted" 1 \
	'a\.bin: untrusted: .*digest algorithm'
run "${VV[@]}" verify --kernel-version 6.12 --ca "$pki/rsa-signer.crt" "$vv/fw/a.bin"
expect "verify --kernel-version 6.12: the same SHA3-256 signature is verified" 0 'a\.bin: verified'

# A signature read as firmware (cfg80211's regulatory.db.p7s) is judged as the
# signature of the file beside it.
sign rsa-signer "$pki" "$vv/fw/a.bin"
run "${VV[@]}" verify --ca "$pki/rsa-signer.crt" "$vv/fw/a.bin.p7s"
expect "verify X.p7s: a good signature of X is verified" 0 'a\.bin\.p7s: verified'
cp "$vv/fw/a.bin.p7s" "$vv/fw/lonely.bin.p7s"
run "${VV[@]}" verify --ca "$pki/rsa-signer.crt" "$vv/fw/lonely.bin.p7s"
expect "verify X.p7s without X: unsigned" 1 'lonely\.bin\.p7s: unsigned: '

# The kernel's reason for a signature that cannot be parsed, and the tool's detail.
head -c 300 /dev/urandom >"$vv/fw/a.bin.p7s"
run "${VV[@]}" verify --json --ca "$pki/rsa-signer.crt" "$vv/fw/a.bin"
result "verify --json: garbage signature: malformed, \"signature cannot be parsed\", a detail" \
	"$(vv_json '.files[0].result == "malformed" and .files[0].reason == "signature cannot be parsed" and
		(.files[0].detail | length > 0)')" "a JSON document: $out"
rm -f "$vv/fw/a.bin.p7s"
run "${VV[@]}" verify --json --ca "$pki/rsa-signer.crt" "$vv/fw/a.bin"
result "verify --json: no signature: unsigned, \"no signature file\", exit 1" \
	"$(vv_json '.files[0].result == "unsigned" and .files[0].reason == "no signature file" and
		.files[0].exit == 1')" "a JSON document: $out"

# Debian's 6.1 loader has no zstd: a signature of a .zst file's content cannot hold there.
head -c 4096 /dev/urandom >"$vv/fw/z.bin"
sign rsa-signer "$pki" "$vv/fw/z.bin"
zstd -q -f --rm "$vv/fw/z.bin" -o "$vv/fw/z.bin.zst"
run "${VV[@]}" verify --kernel-version 6.1 --ca "$pki/rsa-signer.crt" "$vv/fw/z.bin.zst"
expect "verify --kernel-version 6.1: a content-signed .zst is malformed (no zstd in its loader)" 1 \
	'z\.bin\.zst: malformed: .*zstd'
run "${VV[@]}" verify --kernel-version 6.12 --ca "$pki/rsa-signer.crt" "$vv/fw/z.bin.zst"
expect "verify --kernel-version 6.12: the same .zst is verified against its content's signature" 0 \
	'z\.bin\.zst: verified'
