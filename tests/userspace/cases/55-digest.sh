# SPDX-License-Identifier: GPL-2.0
# Digests: OpenSSL gives the digests sha256sum gives, for empty, tiny, odd
# and sparse files; $FWVERIFY_DIGEST forces a back end; without AF_ALG (a
# host, or a sandbox) the automatic choice falls back to OpenSSL and a forced
# kcapi fails cleanly.  The kcapi side is tests/vm/tool/t-digest.sh.
# The digests are read from "fwverify quarantine --dry-run --json", whose
# record names the back end that computed them.
# Sourced by tests/userspace/run.sh: uses its run, expect, usage_error, result.

dg=$tmp/digest
mkdir -p "$dg/fw" "$dg/nosys/module/firmware_class/parameters"
printf '%s' "$dg/fw" >"$dg/nosys/module/firmware_class/parameters/path"
printf 'quarantine_dir = %s/q\n' "$dg" >"$dg/conf"

# dgst BACKEND FILE: run the dry run; set got to "<backend> <hex>" or an error.
dgst() {
	run env FWVERIFY_SYSFS="$dg/nosys" FWVERIFY_CONFIG="$dg/conf" FWVERIFY_DIGEST="$1" \
		"$fwverify" quarantine --dry-run --json "$2"
	got=$(printf '%s' "$out" | python3 -c 'import json, sys
r = json.load(sys.stdin)["record"]
print(r["digest_backend"], r["digest"].removeprefix("sha256:"))' 2>/dev/null)
}

af_alg=$(python3 -c 'import socket
try:
    socket.socket(socket.AF_ALG, socket.SOCK_SEQPACKET, 0).bind(("hash", "sha256"))
    print("yes")
except OSError:
    print("no")')

: >"$dg/fw/empty.bin"
printf 'x' >"$dg/fw/one.bin"
head -c $((1024 * 1024 + 1)) /dev/urandom >"$dg/fw/mib1.bin"
truncate -s 64M "$dg/fw/sparse.bin"
printf 'end' >>"$dg/fw/sparse.bin"
for f in empty one mib1 sparse; do
	want=$(sha256sum "$dg/fw/$f.bin" | cut -d' ' -f1)
	dgst openssl "$dg/fw/$f.bin"
	result "openssl: $f.bin has the SHA-256 sha256sum gives" "$([[ $rc == 0 && $got == "openssl $want" ]]; echo $?)" \
		"openssl $want, saw $got"
	dgst "" "$dg/fw/$f.bin"
	if [[ $af_alg == no ]]; then
		result "automatic without AF_ALG: $f.bin hashed by openssl, the same digest" \
			"$([[ $rc == 0 && $got == "openssl $want" ]]; echo $?)" "openssl $want, saw $got"
	else
		result "automatic with AF_ALG: $f.bin hashed by kcapi, the same digest" \
			"$([[ $rc == 0 && $got == "kcapi $want" ]]; echo $?)" "kcapi $want, saw $got"
	fi
done

ls_before=$(ls -A "$dg")
dgst kcapi "$dg/fw/one.bin"
if [[ $af_alg == no ]]; then
	expect "forced kcapi without AF_ALG: exit 2, a clear error, no fallback" 2 '' \
		'cannot hash: FWVERIFY_DIGEST=kcapi, and the kernel offers no AF_ALG hash'
	run env FWVERIFY_SYSFS="$dg/nosys" FWVERIFY_CONFIG="$dg/conf" FWVERIFY_DIGEST=kcapi \
		"$fwverify" quarantine "$dg/fw/one.bin"
	rc_move=$rc
	rc=- out=$(ls -A "$dg")
	result "... and a real quarantine then moves nothing and leaves no record directory" \
		"$([[ $rc_move == 2 && -f $dg/fw/one.bin && -z $(find "$dg/q" -mindepth 1 2>/dev/null) ]]; echo $?)" \
		"exit 2, one.bin in place, no directory under $dg/q; saw $(ls -A "$dg/q" 2>/dev/null)"
else
	result "forced kcapi with AF_ALG: kcapi" "$([[ $rc == 0 && $got == kcapi\ * ]]; echo $?)" "kcapi ..."
fi

dgst bogus "$dg/fw/one.bin"
expect "FWVERIFY_DIGEST naming no back end: exit 2" 2 '' 'FWVERIFY_DIGEST is not kcapi, openssl or auto'

# verify hashes through the same code.
head -c 5000 /dev/urandom >"$dg/v.bin"
sign rsa-signer "$pki" "$dg/v.bin"
run env FWVERIFY_DIGEST=openssl "$fwverify" verify --ca "$pki/rsa-signer.crt" "$dg/v.bin"
expect "verify with FWVERIFY_DIGEST=openssl" 0 'v\.bin: verified'
if [[ $af_alg == no ]]; then
	run env FWVERIFY_DIGEST=kcapi "$fwverify" verify --ca "$pki/rsa-signer.crt" "$dg/v.bin"
	expect "verify with FWVERIFY_DIGEST=kcapi and no AF_ALG: an error (exit 2), never verified" 2 'v\.bin: error: '
fi
