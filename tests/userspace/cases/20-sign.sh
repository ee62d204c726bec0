# SPDX-License-Identifier: GPL-2.0
# fwverify sign: keys in a PKCS#11 token (SoftHSM2), PINs, the certificates
# carried, many files in parallel, and the release manifest.
# Sourced by tests/userspace/run.sh: uses its run, expect, usage_error, result.

skip() { # DESC REASON
	n=$((n + 1)) passed=$((passed + 1))
	echo "ok $n - $1 # SKIP $2"
}

# ncerts P7S: how many certificates a signature carries.
ncerts() {
	openssl pkcs7 -inform DER -in "$1" -print_certs 2>/dev/null | grep -c '^subject=' || true
}


sfw=$tmp/sign-fw.bin
head -c 70000 /dev/urandom >"$sfw"

# --- the certificates a signature carries -----------------------------------
sign chain-signer "$chain" "$sfw"
ok=$(ncerts "$sfw.p7s")
rc=- out="$ok certificates"
result "default: the signature carries the signer's certificate alone" "$([[ $ok == 1 ]]; echo $?)" "1 certificate"

sign chain-signer "$chain" "$sfw" --chain "$chain/chain-inter.crt"
ok=$(ncerts "$sfw.p7s")
run "$fwverify" verify --ca "$chain/chain-root.crt" "$sfw"
result "--chain adds the intermediate: 2 certificates, verified through the root" \
	"$([[ $ok == 2 && $rc == 0 ]]; echo $?)" "2 certificates and exit 0, saw $ok"

sign rsa-signer "$pki" "$sfw" --no-certs
ok=$(ncerts "$sfw.p7s")
rc=- out="$ok certificates"
result "--no-certs: the signature carries no certificate" "$([[ $ok == 0 ]]; echo $?)" "0 certificates"

usage_error "--no-certs with --chain" sign --key "$chain/chain-signer.key" --cert "$chain/chain-signer.crt" \
	--no-certs --chain "$chain/chain-inter.crt" "$sfw"

# --- many files in parallel ---------------------------------------------------
pdir=$tmp/parallel
mkdir "$pdir"
for i in $(seq -w 1 50); do head -c $((RANDOM * 3 + 1)) /dev/urandom >"$pdir/fw$i.bin"; done
run "$fwverify" sign -j 4 --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt" "$pdir"/*.bin
ok=$rc
expect "sign: one line on success: the files signed, the key, the time, how long" 0 \
	"^signed 50 files \\(sha256\\) with ${pki//./\\.}/rsa-signer\\.key at 20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z in [0-9]+\\.[0-9]{2} s\$" '^$'
run "$fwverify" sign -q -j 4 --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt" "$pdir"/*.bin
expect "sign -q: nothing printed on success" 0 '^$' '^$'
run "$fwverify" verify --ca "$pki/rsa-signer.crt" "$pdir"/*.bin
nver=$(grep -c ': verified (signer: fwverify test RSA signer)$' <<<"$out")
nsig=$(find "$pdir" -name '*.p7s' | wc -l)
result "-j 4 on 50 files: 50 signatures, all verify" \
	"$([[ $ok == 0 && $rc == 0 && $nver == 50 && $nsig == 50 ]]; echo $?)" "50 verified of 50, saw $nver of $nsig"

rm -f "$pdir"/*.p7s
mv "$pdir/fw10.bin" "$pdir/fw10.bin.gone"
mkdir "$pdir/fw10.bin"
mkfifo "$pdir/fw30.bin.fifo"
files=("$pdir"/fw0*.bin "$pdir/fw10.bin" "$pdir"/fw1[1-9].bin "$pdir"/fw2*.bin "$pdir/fw30.bin.fifo" "$pdir"/fw3[1-9].bin "$pdir/missing.bin")
run "$fwverify" sign -j 4 --key "$pki/ec-signer.key" --cert "$pki/ec-signer.crt" "${files[@]}"
err4=$err
nsig=$(find "$pdir" -name '*.p7s' | wc -l)
expect "unreadable files among many: one line each, in order, exit 2" 2 '' \
	"^fwverify: $pdir/fw10\\.bin: cannot open: Is a directory"$'\n'"fwverify: $pdir/fw30\\.bin\\.fifo: cannot open: not a regular file"$'\n'"fwverify: $pdir/missing\\.bin: cannot open: No such file or directory\$"
rc=- out="$nsig signatures"
result "unreadable files among many: every other file is signed" "$([[ $nsig == $((${#files[@]} - 3)) ]]; echo $?)" \
	"$((${#files[@]} - 3)) signatures"
run "$fwverify" sign -j 1 --key "$pki/ec-signer.key" --cert "$pki/ec-signer.crt" "${files[@]}"
result "error lines are the same with -j 1 and -j 4" "$([[ $err == "$err4" ]]; echo $?)" "$err4"
rmdir "$pdir/fw10.bin"
mv "$pdir/fw10.bin.gone" "$pdir/fw10.bin"
rm -f "$pdir/fw30.bin.fifo"

usage_error "-j 0" sign -j 0 --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt" "$sfw"
usage_error "-j beyond the limit" sign -j 100000 --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt" "$sfw"
usage_error "--pin-file with a key file" sign --pin-file /dev/null --key "$pki/rsa-signer.key" \
	--cert "$pki/rsa-signer.crt" "$sfw"
usage_error "sign with a key file and no --cert" sign --key "$pki/rsa-signer.key" "$sfw"

# --- release manifest ---------------------------------------------------------
rel=$tmp/release
mkdir -p "$rel/vendor"
head -c 5000 /dev/urandom >"$rel/vendor/a.bin"
head -c 6000 /dev/urandom >"$rel/b.bin"
run "$fwverify" sign --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt" \
	--manifest --base "$rel" --generation 7 --expires +30d "$rel/vendor/a.bin" "$rel/b.bin"
ok=$rc
expect "sign --manifest: its line counts the manifest" 0 "^signed 2 files and ${rel//./\\.}/fwverify\\.manifest \\(sha256\\) with "
run "$fwverify" verify --ca "$pki/rsa-signer.crt" "$rel/fwverify.manifest" "$rel/vendor/a.bin" "$rel/b.bin"
result "--manifest: files and the manifest signed, the manifest verifies" \
	"$([[ $ok == 0 && $rc == 0 ]] && grep -q '^generation 7$' "$rel/fwverify.manifest"; echo $?)" \
	"exit 0 and 3 verified, generation 7"
run "$fwverify" sign --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt" \
	--manifest --base "$rel/vendor" --generation 8 --expires 2099-01-01 "$rel/vendor/a.bin" "$rel/b.bin"
expect "--manifest with a file outside --base: exit 2, named" 2 '' 'b\.bin: not under the release directory'
run "$fwverify" sign --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt" \
	--manifest --base "$rel" --generation 9 --expires +1d "$rel/b.bin" "$rel/missing.bin"
expect "--manifest when a FILE cannot be signed: the manifest is not written, exit 2" 2 '' \
	$'missing\\.bin: cannot open: [^\n]*\nfwverify: [^\n]*fwverify\\.manifest: not written'
result "--manifest when a FILE cannot be signed: the old manifest is left as it was" \
	"$(grep -q '^generation 7$' "$rel/fwverify.manifest"; echo $?)" "generation 7 still"
for args in "--manifest --generation 1 --expires +1d" "--generation 1" "--manifest --base $rel --generation 0 --expires +1d" \
	"--manifest --base $rel --generation 1 --expires tomorrow" "--manifest --base $rel --generation 1 --expires 2001-01-01" \
	"--manifest --base $rel --generation 1 --expires 2030-02-30"; do
	# shellcheck disable=SC2086 # split the option list
	usage_error "sign $args" sign --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt" $args "$rel/b.bin"
done

# --- the firmware name, a signed attribute ------------------------------------------
# Its OIDs: id-at-name, which fwverify sign writes and the kernel's PKCS#7
# parser knows, and the one it wrote before, which that parser logs.
at_name=2.5.4.41
legacy=2.25.196871091086757864271009421185200544841
# name_of P7S: the firmware name the signature carries, as openssl prints it.
name_of() {
	signed_utf8 "$1" "$at_name" | head -n 1
}
nm=$tmp/names
mkdir -p "$nm/intel"
head -c 3000 /dev/urandom >"$nm/intel/fw.bin"
sign rsa-signer "$pki" "$nm/intel/fw.bin"
result "sign: the firmware name defaults to the file's own name" \
	"$([[ $rc == 0 && $(name_of "$nm/intel/fw.bin.p7s") == fw.bin ]]; echo $?)" "fw.bin, saw '$(name_of "$nm/intel/fw.bin.p7s")'"
out="id-at-name: '$(signed_utf8 "$nm/intel/fw.bin.p7s" "$at_name")', legacy: '$(signed_utf8 "$nm/intel/fw.bin.p7s" "$legacy")'"
result "sign: the name is signed under id-at-name ($at_name) alone, not the legacy OID" \
	"$([[ $out == "id-at-name: 'fw.bin', legacy: ''" ]]; echo $?)" "id-at-name: 'fw.bin', legacy: ''"
sign rsa-signer "$pki" "$nm/intel/fw.bin" --base "$nm"
result "sign --base: the firmware name is the path under it" \
	"$([[ $rc == 0 && $(name_of "$nm/intel/fw.bin.p7s") == intel/fw.bin ]]; echo $?)" "intel/fw.bin"
run "$fwverify" verify --ca "$pki/rsa-signer.crt" "$nm/intel/fw.bin"
expect "verify: a file at the path its signature names is verified" 0 'fw\.bin: verified'
cp "$nm/intel/fw.bin" "$nm/fw.bin"
cp "$nm/intel/fw.bin.p7s" "$nm/fw.bin.p7s"
run "$fwverify" verify --ca "$pki/rsa-signer.crt" "$nm/fw.bin"
expect "verify: the same file and signature outside intel/ are refused" 1 \
	'fw\.bin: bad-signature: signed for the firmware name "intel/fw\.bin", not this file.s'
cp "$nm/intel/fw.bin" "$nm/intel/other.bin"
cp "$nm/intel/fw.bin.p7s" "$nm/intel/other.bin.p7s"
run "$fwverify" verify --ca "$pki/rsa-signer.crt" "$nm/intel/other.bin"
expect "verify: a signed file renamed is refused" 1 'other\.bin: bad-signature: signed for the firmware name'
sign rsa-signer "$pki" "$nm/intel/other.bin" --name intel/other.bin
run "$fwverify" verify --ca "$pki/rsa-signer.crt" "$nm/intel/other.bin"
expect "sign --name: the name given is signed" 0 'other\.bin: verified'
ossl_sign rsa-signer "$pki" "$nm/intel/other.bin" -nosmimecap
run "$fwverify" verify --ca "$pki/rsa-signer.crt" "$nm/intel/other.bin"
expect "verify: a signature that names no firmware (a vendor's) is judged as before" 0 'other\.bin: verified'

# Signatures made before carry the name under the legacy OID: still bound.
cp "$nm/intel/fw.bin" "$nm/intel/legacy.bin"
sign_attrs rsa-signer "$pki" "$nm/intel/legacy.bin" "$legacy=intel/legacy.bin"
run "$fwverify" verify --ca "$pki/rsa-signer.crt" "$nm/intel/legacy.bin"
expect "verify: a signature naming its firmware under the legacy OID is verified" 0 'legacy\.bin: verified'
cp "$nm/intel/legacy.bin" "$nm/intel/legacy-copy.bin"
cp "$nm/intel/legacy.bin.p7s" "$nm/intel/legacy-copy.bin.p7s"
run "$fwverify" verify --ca "$pki/rsa-signer.crt" "$nm/intel/legacy-copy.bin"
expect "verify: a legacy-OID signature renamed is refused" 1 \
	'legacy-copy\.bin: bad-signature: signed for the firmware name "intel/legacy\.bin", not this file.s'
# One name attribute a SignerInfo, under either OID.
sign_attrs rsa-signer "$pki" "$nm/intel/legacy.bin" "$at_name=intel/legacy.bin" "$legacy=intel/legacy.bin"
run "$fwverify" verify --ca "$pki/rsa-signer.crt" "$nm/intel/legacy.bin"
expect "verify: the same name under both OIDs is malformed" 1 \
	'legacy\.bin: malformed: its firmware name attribute is malformed: one under each OID'
sign_attrs rsa-signer "$pki" "$nm/intel/legacy.bin" "$legacy=intel/legacy.bin" "$at_name=intel/other.bin"
run "$fwverify" verify --ca "$pki/rsa-signer.crt" "$nm/intel/legacy.bin"
# As the kernel (kmod/der.c): attributes in their stored (DER-sorted) order,
# and id-at-name sorts first: its name does not fit before a second is seen.
expect "verify: two names, one under each OID, the first not this file's: refused as the kernel does" 1 \
	'legacy\.bin: bad-signature: signed for the firmware name "intel/other\.bin"'
sign_attrs rsa-signer "$pki" "$nm/intel/legacy.bin" "$at_name=intel/legacy.bin" "$at_name=intel/legacy.bin"
run "$fwverify" verify --ca "$pki/rsa-signer.crt" "$nm/intel/legacy.bin"
expect "verify: two id-at-name attributes are malformed" 1 'legacy\.bin: malformed: its firmware name attribute is malformed$'

for bad in ../fw.bin /abs.bin intel//fw.bin "" "intel/./fw.bin"; do
	usage_error "sign --name '$bad': not a firmware name" sign --key "$pki/rsa-signer.key" \
		--cert "$pki/rsa-signer.crt" --name "$bad" "$nm/intel/fw.bin"
done
usage_error "sign --name with two FILEs" sign --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt" \
	--name x.bin "$nm/intel/fw.bin" "$nm/fw.bin"
usage_error "sign --name with --base" sign --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt" \
	--name x.bin --base "$nm" "$nm/intel/fw.bin"

# --- keys in a PKCS#11 token (SoftHSM2) -------------------------------------------
module=${SOFTHSM2_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
if ! command -v softhsm2-util >/dev/null || ! command -v pkcs11-tool >/dev/null || [ ! -r "$module" ]; then
	skip "PKCS#11 token tests" "softhsm2, opensc (pkcs11-tool) or $module missing"
	return 0
fi
hsm=$tmp/softhsm
mkdir -p "$hsm/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$hsm/tokens" >"$hsm/softhsm2.conf"
export SOFTHSM2_CONF=$hsm/softhsm2.conf
pin=4711
printf '%s\n' "$pin" >"$hsm/pin"
{
	softhsm2-util --init-token --free --label fwverify-test --so-pin 1234567 --pin "$pin" &&
	softhsm2-util --import "$pki/rsa-signer.key" --token fwverify-test --label rsa-signer --id 01 --pin "$pin" &&
	softhsm2-util --import "$pki/ec-signer.key" --token fwverify-test --label ec-signer --id 02 --pin "$pin" &&
	openssl x509 -in "$pki/rsa-signer.crt" -outform DER -out "$hsm/rsa.der" &&
	pkcs11-tool --module "$module" --token-label fwverify-test --login --pin "$pin" \
		--write-object "$hsm/rsa.der" --type cert --id 01 --label rsa-signer
} >"$hsm/setup.log" 2>&1 || { cat "$hsm/setup.log" >&2; echo "Bail out! cannot set up the SoftHSM token"; exit 1; }

T=("$fwverify" sign --pkcs11-module "$module")
rsa_uri='pkcs11:token=fwverify-test;object=rsa-signer'
ec_uri='pkcs11:token=fwverify-test;object=ec-signer'

run "${T[@]}" --key "$rsa_uri" --pin-file "$hsm/pin" "$sfw"
expect "token RSA key, certificate from the token, PIN from a file: signed" 0 \
	"^signed 1 file \\(sha256\\) with pkcs11:token=fwverify-test;object=rsa-signer at " '^$'
verified_both "token RSA key" "$pki/rsa-signer.crt" "$sfw"

run "${T[@]}" --key "$ec_uri" --cert "$pki/ec-signer.crt" --hash sha384 --pin-fd 3 "$sfw" 3<"$hsm/pin"
expect "token EC key, --cert, PIN from a descriptor: signed" 0 '' '^$'
verified_both "token EC key with sha384" "$pki/ec-signer.crt" "$sfw"

FWVERIFY_PIN=$pin run "${T[@]}" --key 'pkcs11:token=fwverify-test;id=%02' --cert "$pki/ec-signer.crt" "$sfw"
expect "token key by id=, PIN from \$FWVERIFY_PIN: signed" 0 '' '^$'
run "$fwverify" verify --ca "$pki/ec-signer.crt" "$sfw"
expect "token key by id=: verified" 0 'verified \(signer: fwverify test ECDSA signer\)'

FWVERIFY_PIN=$pin FWVERIFY_PKCS11_MODULE=$module run "$fwverify" sign --key "$rsa_uri" "$sfw"
expect "module from \$FWVERIFY_PKCS11_MODULE: signed" 0 '' '^$'

FWVERIFY_PIN=$pin run "$fwverify" sign --key "$rsa_uri?module-path=$module" "$sfw"
expect "module from the URI's module-path: signed" 0 '' '^$'

FWVERIFY_PIN=1111 run "${T[@]}" --key "$rsa_uri" "$sfw"
expect "wrong PIN: exit 2, the token's reason" 2 '' \
	"^fwverify: $rsa_uri: cannot log in to token 'fwverify-test': .*PIN incorrect\$"

run "${T[@]}" --key "$rsa_uri" "$sfw"
expect "no PIN: exit 2, says how to give one" 2 '' 'needs a PIN: give it with --pin-file, --pin-fd or \$FWVERIFY_PIN$'

usage_error "a PIN in the URI (pin-value=) is refused" sign --pkcs11-module "$module" --key "$rsa_uri?pin-value=$pin" "$sfw"
result "the refusal names pin-value and does not echo the PIN" \
	"$([[ $err == *pin-value* && $err != *"$pin"* ]]; echo $?)" "pin-value named, no PIN"
usage_error "pin-source= in the URI is refused" sign --pkcs11-module "$module" --key "$rsa_uri?pin-source=file:$hsm/pin" "$sfw"
usage_error "an unknown URI attribute is refused" sign --pkcs11-module "$module" --key "$rsa_uri;x-vendor=1" "$sfw"
usage_error "--pin-file with --pin-fd" sign --pkcs11-module "$module" --key "$rsa_uri" --pin-file "$hsm/pin" --pin-fd 0 "$sfw"

FWVERIFY_PIN=$pin run "${T[@]}" --key 'pkcs11:token=fwverify-test;object=nothing' "$sfw"
expect "no such key in the token: exit 2, said so" 2 '' "no private key in token 'fwverify-test' matches"
FWVERIFY_PIN=$pin run "${T[@]}" --key 'pkcs11:token=fwverify-test' "$sfw"
expect "a URI that matches two keys: exit 2, ambiguous" 2 '' '2 private keys .* match the URI: name one'
FWVERIFY_PIN=$pin run "${T[@]}" --key 'pkcs11:token=no-such-token' "$sfw"
expect "no such token: exit 2, said so" 2 '' 'no token matches the URI'
FWVERIFY_PIN=$pin run "${T[@]}" --key "$ec_uri" "$sfw"
expect "token key without a certificate and no --cert: exit 2, asks for --cert" 2 '' 'no certificate .* give --cert$'
FWVERIFY_PIN=$pin run "$fwverify" sign --pkcs11-module "$tmp/no-such-module.so" --key "$rsa_uri" "$sfw"
expect "missing PKCS#11 module: exit 2, named" 2 '' 'no-such-module\.so: No such file or directory$'
: >"$hsm/empty"
run "${T[@]}" --key "$rsa_uri" --pin-file "$hsm/empty" "$sfw"
expect "empty PIN file: exit 2" 2 '' "empty: cannot read the PIN: empty file\$"

rm -f "$pdir"/*.p7s
run "${T[@]}" -j 4 --key "$ec_uri" --cert "$pki/ec-signer.crt" --pin-file "$hsm/pin" "$pdir"/*.bin
ok=$rc
run "$fwverify" verify --ca "$pki/ec-signer.crt" "$pdir"/*.bin
nver=$(grep -c ': verified (signer: fwverify test ECDSA signer)$' <<<"$out")
result "token key, -j 4 on 50 files: 50 signatures, all verify" \
	"$([[ $ok == 0 && $rc == 0 && $nver == 50 ]]; echo $?)" "50 verified, saw $nver"

unset SOFTHSM2_CONF
