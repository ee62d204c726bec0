# SPDX-License-Identifier: GPL-2.0
# The signing server end to end, inside the VM (busybox sh, TAP):
# fwverify-signd on loopback, with a development PEM key the module trusts,
# signs for a client with a TLS certificate, and the .p7s it returns loads
# through test_firmware in mode enforce.  The kernel ignores the firmware
# name attribute (a renamed copy loads) where the tool refuses it; a blob
# changed after its digest was signed is refused; the server's audit log is
# a valid chain that records the blob's digest and ends with "stop".
# Needs the TLS PKI of tests/pki/gen-signd.sh as /payload/pki-signd.
. /payload/tool/lib.sh
signd=/usr/bin/fwverify-signd
tls=/payload/pki-signd
trigger=/sys/devices/virtual/misc/test_firmware/trigger_request
param=/sys/module/firmware_class/parameters/path
mode=/sys/module/fwverify/parameters/mode
table=/sys/kernel/fwverify/firmware
dir=$T/fw
port=7443
log=$T/signd-audit.log

if [ ! -x "$signd" ] || [ ! -f "$tls/alice.crt" ]; then
	ok "fwverify-signd and its TLS PKI in the image # SKIP no $signd or $tls" 0
	done_testing
	exit
fi

# loads NAME FILE: test_firmware gets NAME, and what it holds is FILE.
loads() {
	printf '%s' "$1" >"$trigger" 2>/dev/null && cmp -s /dev/test_firmware "$2"
}
result() { cat "$table/$1/result" 2>&1; }
sign() { # FILE: signed by the server's key fw-dev, asked for as alice
	$fwverify sign --server "signd://127.0.0.1:$port" --key fw-dev --timeout 60 \
		--tls-cert "$tls/alice.crt" --tls-key "$tls/alice.key" --tls-ca "$tls/server-ca.crt" "$1"
}
# not_before CERT: the start of CERT's validity, in seconds since the epoch.
not_before() {
	date -u -d "$($fwverify keys show --json "$1" |
		sed -n 's/^ *"not_before": "\(.*\)T\(.*\)Z",$/\1 \2/p')" +%s 2>/dev/null
}
# exited PID: PID is gone or a zombie (kill -0 succeeds on a zombie).
exited() { [ ! -e "/proc/$1" ] || grep -q '^[0-9]* (.*) Z ' "/proc/$1/stat" 2>/dev/null; }

mkdir -p "$dir"
old_mode=$(cat "$mode")
printf '%s' "$dir" >"$param"

ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
ip -4 addr show dev lo 2>/dev/null | grep -q 'inet 127\.0\.0\.1/8'
ok "loopback is up with 127.0.0.1" $? "$(ip addr 2>&1)"

# The TLS certificates start when gen-signd.sh ran on the host: the VM's
# clock (the host's, through the emulated RTC) must be past that.
now=$(date -u +%s)
bad= starts=
for c in server alice; do
	nb=$(not_before "$tls/$c.crt")
	starts="$starts $c.crt $nb"
	[ -n "$nb" ] && [ "$now" -ge "$nb" ] || bad="$bad $c.crt starts at '$nb', the VM's clock is $now ($(date -u));"
done
[ -z "$bad" ]
ok "the VM's clock is past the start of the server's and alice's certificates" $? "$bad"
echo "# the VM's clock: $now;$starts"

cat >"$T/signd.conf" <<EOF
[server]
listen = 127.0.0.1:$port
certificate = $tls/server.crt
private_key = $tls/server.key
client_ca = $tls/client-ca.crt
audit_log = $log
allow_pem_keys = yes

[key fw-dev]
private_key = $pki/rsa-signer.key
certificate = $pki/rsa-signer.crt

[client alice]
keys = fw-dev
names = *
EOF
"$signd" --config "$T/signd.conf" 2>"$T/signd.err" &
spid=$!
i=0
while [ $i -lt 300 ] && ! grep -q 'listening on' "$T/signd.err" && ! exited $spid; do
	sleep 0.1
	i=$((i + 1))
done
grep -q "listening on 127.0.0.1:$port with 1 key(s)" "$T/signd.err"
ok "fwverify-signd starts with a PEM key and listens on 127.0.0.1:$port" $? "$(cat "$T/signd.err")"

echo enforce >"$mode" 2>/dev/null && [ "$(cat "$mode")" = enforce ]
ok "mode enforce" $? "mode: $(cat "$mode")"

# (1) The server's signature loads under enforce.
head -c 8192 /dev/urandom >"$dir/sd-good.bin"
good_sum=$(sha256sum "$dir/sd-good.bin" | cut -d' ' -f1)
check "sign --server as alice with key fw-dev" 0 sign "$dir/sd-good.bin"
[ -s "$dir/sd-good.bin.p7s" ]
ok "the server's signature is written to sd-good.bin.p7s" $? "$(ls -l "$dir")"
check "verify --ca: the server-signed blob is verified offline" 0 \
	$fwverify verify --ca "$pki/rsa-signer.crt" "$dir/sd-good.bin"
loads sd-good.bin "$dir/sd-good.bin"
ok "enforce: the server-signed blob loads, and test_firmware holds its bytes" $?
[ "$(result sd-good.bin)" = verified ]
ok "the kernel's result for it is verified" $? "result: $(result sd-good.bin)"

# (2) The name the signature carries binds it, in the kernel as in the tool.
cp "$dir/sd-good.bin" "$dir/sd-renamed.bin"
cp "$dir/sd-good.bin.p7s" "$dir/sd-renamed.bin.p7s"
! loads sd-renamed.bin "$dir/sd-good.bin" && [ "$(result sd-renamed.bin)" = bad-signature ]
ok "enforce: a renamed copy with the same .p7s is refused (bad-signature: signed for sd-good.bin)" $? \
	"result: $(result sd-renamed.bin)"
check "verify --ca: the renamed copy is refused" 1 \
	$fwverify verify --ca "$pki/rsa-signer.crt" "$dir/sd-renamed.bin"
echo "$out" | grep -q 'sd-renamed\.bin: bad-signature: signed for the firmware name "sd-good\.bin"'
ok "verify --ca: it was signed for the firmware name sd-good.bin" $? "$out"

# (3) The server signed a digest: content changed after that is refused.
head -c 8192 /dev/urandom >"$dir/sd-tampered.bin"
printf 'A' | dd of="$dir/sd-tampered.bin" bs=1 seek=100 conv=notrunc 2>/dev/null
signed_sum=$(sha256sum "$dir/sd-tampered.bin" | cut -d' ' -f1)
check "sign --server signs sd-tampered.bin before it changes" 0 sign "$dir/sd-tampered.bin"
printf 'B' | dd of="$dir/sd-tampered.bin" bs=1 seek=100 conv=notrunc 2>/dev/null
tampered_sum=$(sha256sum "$dir/sd-tampered.bin" | cut -d' ' -f1)
printf '%s' sd-tampered.bin >"$trigger" 2>/dev/null
[ $? != 0 ]
ok "enforce: the blob changed after signing is refused" $?
[ "$(result sd-tampered.bin)" = bad-signature ]
ok "the kernel's result for it is bad-signature" $? "result: $(result sd-tampered.bin)"

# (4) Stop the server; its log is a valid chain with what it signed.
kill -TERM $spid 2>/dev/null
i=0
while [ $i -lt 300 ] && ! exited $spid; do
	sleep 0.1
	i=$((i + 1))
done
exited $spid || kill -KILL $spid 2>/dev/null
wait $spid
rc=$?
[ "$i" -lt 300 ] && [ "$rc" = 0 ] && grep -q 'stopped (Terminated)' "$T/signd.err"
ok "SIGTERM: fwverify-signd stops within 30 s with exit status 0" $? "exit $rc after $i ticks; $(cat "$T/signd.err")"
tail -n 1 "$log" | grep -q '"event":"stop"'
ok "the last audit record is stop" $? "$(tail -n 1 "$log")"
check "audit verify: the server's log is a valid chain" 0 $fwverify audit verify "$log"
echo "$out" | grep -q ": a valid chain of [0-9]* records; head [0-9a-f]\{64\}\$"
ok "audit verify says valid" $? "$out"
grep '"event":"sign"' "$log" | grep '"client":"alice"' | grep '"name":"sd-good.bin"' |
	grep -q "\"sha256\":\"$good_sum\""
ok "a sign record has sd-good.bin's sha256, for alice" $? "want $good_sum; $(cat "$log")"
grep '"event":"sign"' "$log" | grep -q "\"sha256\":\"$signed_sum\"" &&
	! grep -q "\"sha256\":\"$tampered_sum\"" "$log"
ok "the log has the digest signed for sd-tampered.bin, not the changed content's" $? \
	"signed $signed_sum, changed $tampered_sum; $(cat "$log")"
sed 's/^/# /' "$log"

echo "$old_mode" >"$mode" 2>/dev/null
printf '\000' >"$param"
done_testing
