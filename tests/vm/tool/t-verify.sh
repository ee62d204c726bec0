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

# --- the offline verdict agrees with the module's -----------------------------
# verify --ca (userspace/lib/check.c, the running kernel's rules, the kernel's
# revoke list read) against verify --kernel (the check file), on every file
# the suites built: the test firmware tree in /lib/firmware, what the other
# t-*.sh left in their directories, and the cases below.  Result names and
# exit codes must agree; the module's reasons are compared too.
ag=$T/agree
mkdir -p "$ag"
sigbytes() { wc -c <"$1" | tr -d ' '; }
# setbyte FILE OFFSET: that byte becomes 0xff, or 0x00 where it was 0xff.
setbyte() {
	if [ "$(dd if="$1" bs=1 skip="$2" count=1 2>/dev/null | od -An -tx1 | tr -d ' ')" = ff ]; then
		printf '\000' | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
	else
		printf '\377' | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
	fi
}
head -c 3000 /dev/urandom >"$ag/base.bin"
$fwverify sign --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt" "$ag/base.bin" >/dev/null
# One byte of the signature changed, every 7th: the certificate it carries,
# its SignerInfo, its framing.
size=$(sigbytes "$ag/base.bin.p7s") off=0
while [ "$off" -lt "$size" ]; do
	cp "$ag/base.bin" "$ag/flip-$off.bin"
	cp "$ag/base.bin.p7s" "$ag/flip-$off.bin.p7s"
	setbyte "$ag/flip-$off.bin.p7s" "$off"
	off=$((off + 7))
done
head -c 3000 /dev/urandom >"$ag/ec.bin"
$fwverify sign --key "$pki/ec-signer.key" --cert "$pki/ec-signer.crt" "$ag/ec.bin" >/dev/null
head -c 3000 /dev/urandom >"$ag/ec-nocerts.bin"
$fwverify sign --no-certs --key "$pki/ec-signer.key" --cert "$pki/ec-signer.crt" "$ag/ec-nocerts.bin" >/dev/null
head -c 3000 /dev/urandom >"$ag/nocerts.bin"
$fwverify sign --no-certs --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt" "$ag/nocerts.bin" >/dev/null
head -c 3000 /dev/urandom >"$ag/sha512.bin"
$fwverify sign --hash sha512 --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt" "$ag/sha512.bin" >/dev/null
cp "$ag/base.bin" "$ag/renamed.bin"
cp "$ag/base.bin.p7s" "$ag/renamed.bin.p7s"
mkdir -p "$ag/vendor"
head -c 3000 /dev/urandom >"$ag/vendor/named.bin"
$fwverify sign --name vendor/named.bin --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt" \
	"$ag/vendor/named.bin" >/dev/null
cp "$ag/vendor/named.bin" "$ag/named.bin"
cp "$ag/vendor/named.bin.p7s" "$ag/named.bin.p7s"
# Signed at a time before the signer's certificate was valid: the module
# verifies a signer .fwverify holds without the certificate carried.
now=$(date -u '+%Y-%m-%d %H:%M:%S')
if date -u -s '2001-01-01 00:00:00' >/dev/null 2>&1; then
	head -c 3000 /dev/urandom >"$ag/early.bin"
	$fwverify sign --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt" "$ag/early.bin" >/dev/null
	date -u -s "$now" >/dev/null
fi

cas="--ca $pki/rsa-signer.crt --ca $pki/ec-signer.crt"
# What t-state.sh added to .fwverify is trusted too.
for c in /payload/pki-trust/*.crt; do
	$fwverify keys show "$c" 2>/dev/null | grep -q "in .fwverify: *yes" && cas="$cas --ca $c"
done
agree_conf=$T/agree.conf
echo "state_dir = $T/agree-state" >"$agree_conf"
field() { sed -n "s/^      \"$1\": \"\\(.*\\)\",\\{0,1\\}\$/\\1/p" | head -n 1; }
files=$T/agree.list
{
	find /lib/firmware -type f ! -name '*.p7s' ! -name 'regulatory.db*'
	for d in /tmp/tmp.*; do
		[ "$d" = "$T" ] || find "$d" -type f ! -name '*.p7s'
	done
	find "$ag" -type f ! -name '*.p7s'
	# Signatures read as firmware: the good, a renamed one, one without its file.
	echo "$ag/base.bin.p7s"
	echo "$ag/renamed.bin.p7s"
	echo "$ag/flip-0.bin.p7s"
} | sort -u >"$files"
total=0 disagree= reasons= nreasons=0 stricter= nstricter=0
while read -r f; do
	[ -f "$f" ] || continue
	kj=$($fwverify verify --kernel --json "$f" 2>/dev/null)
	krc=$?
	oj=$(FWVERIFY_CONFIG=$agree_conf $fwverify verify --json $cas "$f" 2>/dev/null)
	orc=$?
	kr=$(echo "$kj" | field result) or=$(echo "$oj" | field result)
	total=$((total + 1))
	if [ -z "$kr" ] || [ -z "$or" ]; then
		disagree="$disagree
$f: no verdict (kernel exit $krc '$kr', offline exit $orc '$or')"
		continue
	fi
	if [ "$kr" != "$or" ] || [ "$krc" != "$orc" ]; then
		# OpenSSL's DER parser refuses what the kernel's reads (a name that
		# is not UTF-8, an OID's bad encoding): both refuse, counted apart.
		if [ "$or" = malformed ] && [ "$kr" != verified ] && [ "$krc" = 1 ] && [ "$orc" = 1 ] &&
		   echo "$oj" | field detail | grep -q '^not a DER CMS message'; then
			nstricter=$((nstricter + 1))
			stricter="$stricter
$f: kernel $kr ($(echo "$kj" | field reason)), offline: $(echo "$oj" | field detail)"
			continue
		fi
		disagree="$disagree
$f: kernel $kr (exit $krc: $(echo "$kj" | field reason)), offline $or (exit $orc: $(echo "$oj" | field detail))"
		continue
	fi
	kw=$(echo "$kj" | field reason) ow=$(echo "$oj" | field reason)
	if [ "$kw" != "$ow" ]; then
		nreasons=$((nreasons + 1))
		reasons="$reasons
$f ($kr): kernel '$kw', offline '$ow'"
	fi
done <"$files"
echo "# verify --ca and verify --kernel on $total files on Linux $(uname -r)"
[ "$total" -gt 100 ] && [ -z "$disagree" ]
ok "verify --ca and verify --kernel agree on the result and exit code of every file the suites built ($total)" \
	$? "$disagree"
[ "$nreasons" = 0 ]
ok "... and on the module's reason ($nreasons differ)" $? "$reasons"
echo "# $nstricter refused by both, malformed offline only because OpenSSL cannot parse them:$stricter" |
	sed '2,$s/^/#   /'
done_testing
