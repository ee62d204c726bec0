# SPDX-License-Identifier: GPL-2.0
# verify --kernel against the real module: it agrees with the offline verdict,
# and it sees what only the kernel knows (its revocations).  busybox sh, TAP.
. /payload/tool/lib.sh
dir=$T/fw
mkdir -p "$dir"
export FWVERIFY_CONFIG=$T/fwverify.conf
echo "state_dir = $T/state" >"$FWVERIFY_CONFIG"
echo enforce >/sys/module/fwverify/parameters/mode

head -c 65536 /dev/urandom >"$dir/signed.bin"
$fwverify sign --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt" "$dir/signed.bin" >/dev/null
head -c 4096 /dev/urandom >"$dir/unsigned.bin"
cp "$dir/signed.bin" "$dir/tampered.bin"
cp "$dir/signed.bin.p7s" "$dir/tampered.bin.p7s"
printf 'X' | dd of="$dir/tampered.bin" bs=1 seek=100 conv=notrunc 2>/dev/null
head -c 4096 /dev/urandom >"$dir/untrusted.bin"
$fwverify sign --key "$pki/untrusted.key" --cert "$pki/untrusted.crt" "$dir/untrusted.bin" >/dev/null

check "verify --kernel: a signed blob is verified" 0 $fwverify verify --kernel "$dir/signed.bin"
echo "$out" | grep -q 'signed.bin: verified (signer: '
ok "verify --kernel: the line names the signer" $? "$out"
check "verify --kernel: an unsigned blob is refused" 1 $fwverify verify --kernel "$dir/unsigned.bin"
echo "$out" | grep -q 'unsigned.bin: unsigned: .*(a load would be denied)'
ok "verify --kernel: unsigned, and a load would be denied in enforce mode" $? "$out"
check "verify --kernel: a tampered blob is refused" 1 $fwverify verify --kernel "$dir/tampered.bin"
echo "$out" | grep -q 'tampered.bin: bad-signature: '
ok "verify --kernel: the tampered blob is a bad signature" $? "$out"
check "verify --kernel: a blob by an untrusted key is refused" 1 $fwverify verify --kernel "$dir/untrusted.bin"
echo "$out" | grep -q 'untrusted.bin: untrusted: '
ok "verify --kernel: the untrusted key's blob is untrusted" $? "$out"

# Offline and kernel verdicts agree on every file.
bad=
for f in signed unsigned tampered untrusted; do
	k=$($fwverify verify --kernel "$dir/$f.bin" 2>/dev/null | cut -d: -f2 | cut -d' ' -f2)
	o=$($fwverify verify --ca "$pki/rsa-signer.crt" --ca "$pki/ec-signer.crt" "$dir/$f.bin" 2>/dev/null |
		cut -d: -f2 | cut -d' ' -f2)
	[ "$k" = "$o" ] || bad="$bad $f(kernel $k, offline $o)"
done
[ -z "$bad" ]
ok "verify --kernel and verify --ca give the same verdicts" $? "$bad"

# Only the kernel knows its revocations.
$fwverify revoke "$dir/signed.bin" >/dev/null 2>&1
check "verify --kernel: a revoked blob is refused though its signature is good" 1 \
	$fwverify verify --kernel "$dir/signed.bin"
echo "$out" | grep -q 'signed.bin: revoked: '
ok "verify --kernel: the revoked blob's result is revoked" $? "$out"
echo log >/sys/module/fwverify/parameters/mode
done_testing
