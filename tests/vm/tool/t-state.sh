# SPDX-License-Identifier: GPL-2.0
# status, keys, revoke and apply against the real module (busybox sh, TAP).
# Firmware is made under /lib/firmware/fwvt-state/ and loaded with test_firmware.
. /payload/tool/lib.sh
pkit=/payload/pki-trust
trigger=/sys/devices/virtual/misc/test_firmware/trigger_request
params=/sys/module/fwverify/parameters
table=/sys/kernel/fwverify/firmware
dir=/lib/firmware/fwvt-state
mkdir -p "$dir" "$T/state"
export FWVERIFY_CONFIG=$T/fwverify.conf
echo "state_dir = $T/state" >"$FWVERIFY_CONFIG"

mkfw() { # NAME [SIGNER]: a fresh blob, signed by the test key SIGNER
	head -c 4096 /dev/urandom >"$dir/$1"
	rm -f "$dir/$1.p7s"
	[ -z "${2:-}" ] || $fwverify sign --key "$pki/$2.key" --cert "$pki/$2.crt" "$dir/$1" >/dev/null
	sleep 0.05 2>/dev/null || sleep 1	# past the verdict cache's window for fresh files
}
load() { printf '%s' "fwvt-state/$1" >"$trigger" 2>/dev/null; } # 0 when the driver got it
field() { cat "$table/fwvt-state!$1/$2" 2>/dev/null; }
flat() { tr '\n' ' ' | sed 's/  */ /g'; } # pretty JSON on one line

# --- status -------------------------------------------------------------------
echo log >"$params/mode"
mkfw signed.bin rsa-signer
mkfw unsigned.bin
load signed.bin
ok "log mode: a signed blob loads" $?
load unsigned.bin
ok "log mode: an unsigned blob loads" $?

check "status exits 0" 0 $fwverify status
bad=
for d in "$table"/*; do
	line="$(cat "$d/name") +$(cat "$d/result") +$(cat "$d/action") +$(cat "$d/loads") "
	echo "$out" | grep -Eq "^$line" || bad="$bad $(cat "$d/name")"
done
[ -z "$bad" ]
ok "status: one line per firmware table entry, with its name, result, action and loads" $? "missing:$bad; $out"
echo "$out" | grep -q "^fwverify: mode log, unlocked, trust $(cat $params/trust)\$"
ok "status: mode, lock and trust as in sysfs" $? "$out"

check "status --json exits 0" 0 $fwverify status --json
j=$(echo "$out" | flat)
bad=
for s in verified unsigned denied allowed; do
	echo "$j" | grep -q "\"$s\": $(cat /sys/kernel/fwverify/stats/$s)[,}]" || bad="$bad $s"
done
[ -z "$bad" ]
ok "status --json: counters as in sysfs" $? "differ:$bad; $j"
echo "$j" | grep -q "{ \"name\": \"fwvt-state/signed.bin\", \"dir\": \"fwvt-state!signed.bin\", \"result\": \"verified\", \"action\": \"allowed\", \"signer\": \"$(field signed.bin signer)\", \"digest\": \"$(field signed.bin digest)\", \"size\": 4096,"
ok "status --json: the signed blob, by its real name, as in sysfs" $? "$j"
echo "$j" | grep -q "{ \"name\": \"fwvt-state/unsigned.bin\", \"dir\": \"fwvt-state!unsigned.bin\", \"result\": \"unsigned\", \"action\": \"allowed\", \"signer\": \"\","
ok "status --json: the unsigned blob" $? "$j"
echo "$j" | grep -q '^{ "schema_version": 1, "loaded": true, "mode": "log", "locked": false,'
ok "status --json: schema_version, mode and lock first" $? "$j"

# --- keys ---------------------------------------------------------------------
check "keys list exits 0" 0 $fwverify keys list
echo "$out" | grep -q "asymmetric  fwverify test RSA signer: "
ok "keys list: the embedded RSA signer is in .fwverify" $? "$out"

check "keys show of a certificate not yet added" 0 $fwverify keys show "$pkit/rt-leaf.crt"
desc=$(echo "$out" | sed -n 's/^  description: *//p')
echo "$out" | grep -q "in .fwverify: *no\$"
ok "keys show: not in .fwverify before it is added" $? "$out"
check "keys add of a certificate signed by a trusted key (PEM)" 0 $fwverify keys add "$pkit/rt-leaf.crt"
echo "$out" | grep -q "added '$desc' to .fwverify (key [0-9]*)"
ok "keys add: names the key as keys show computed it" $? "$out"
check "keys list after the add" 0 $fwverify keys list
echo "$out" | grep -q "asymmetric  $desc\$"
ok "keys list: the added certificate, with the description keys show computed" $? "$out"
check "keys show after the add" 0 $fwverify keys show --json "$pkit/rt-leaf.crt"
echo "$out" | flat | grep -q '"in_keyring": true, "key": [0-9]'
ok "keys show --json: now in .fwverify" $? "$out"
check "keys add of a certificate already there" 0 $fwverify keys add "$pkit/rt-leaf.der"
echo "$out" | grep -q "is already in .fwverify"
ok "keys add (DER) of a certificate already there: says so" $? "$out"
check "keys add of a self-signed stranger: refused, exit 1" 1 $fwverify keys add "$pki/untrusted.crt"
echo "$err" | grep -q "refused: not signed by a key in .fwverify"
ok "keys add refusal: a clear message" $? "$err"
check "keys add of a leaf under an untrusted root: refused, exit 1" 1 $fwverify keys add "$pkit/ut-leaf.crt"
check "keys list --json" 0 $fwverify keys list --json
echo "$out" | flat | grep -q "\"description\": \"$desc\""
ok "keys list --json: the added key" $? "$out"
echo "$out" | flat | grep -q "nobody"
[ $? != 0 ]
ok "keys list --json: no refused key" $? "$out"
echo builtin >"$params/trust"
check "keys list with trust=builtin" 0 $fwverify keys list
echo "$out" | grep -q "^.builtin_trusted_keys (keyring [0-9]*, trust=builtin"
ok "keys list: says which other keyring is consulted" $? "$out"
echo none >"$params/trust"

# --- revoke -------------------------------------------------------------------
echo enforce >"$params/mode"
mkfw good.bin rsa-signer
load good.bin
ok "enforce: a signed blob loads before it is revoked" $?
check "revoke FILE" 0 $fwverify revoke "$dir/good.bin"
load good.bin
[ $? != 0 ]
ok "revoke: the kernel refuses the blob it accepted before" $?
[ "$(field good.bin result)" = revoked ]
ok "revoke: the firmware table says revoked" $? "result: $(field good.bin result)"
check "revoke --list" 0 $fwverify revoke --list
echo "$out" | grep -q "^$(field good.bin digest) *yes *yes\$"
ok "revoke --list: saved and in the kernel" $? "$out"
grep -qx "$(field good.bin digest)" "$T/state/revoked"
ok "revoke: the persistent list holds the digest" $?
check "revoke of a bad digest" 2 $fwverify revoke sha256:1234

# --- apply --------------------------------------------------------------------
# A digest only in the persistent list (as after a reboot), a policy and a mode.
echo log >"$params/mode"
mkfw later.bin rsa-signer
mkfw fresh.bin rsa-signer
mkfw exempt.bin
mkfw unsigned2.bin
mkdir -p "$T/nosys"
check "revoke without the module saves the list only" 0 env FWVERIFY_SYSFS="$T/nosys" $fwverify revoke "$dir/later.bin"
load later.bin
ok "before apply: a blob revoked only in the persistent list still loads" $?
echo "log fwvt-state/exempt.bin" >"$T/policy"
{ echo "mode = enforce"; echo "policy = $T/policy"; } >>"$FWVERIFY_CONFIG"
check "apply" 0 $fwverify apply
[ "$(cat $params/mode)" = enforce ]
ok "apply: the configured mode is in force" $? "mode: $(cat $params/mode)"
grep -qx "log fwvt-state/exempt.bin" /sys/kernel/security/fwverify/policy
ok "apply: the configured policy is in force" $? "$(cat /sys/kernel/security/fwverify/policy)"
load later.bin
[ $? != 0 ] && [ "$(field later.bin result)" = revoked ]
ok "apply: the persistent list is re-applied (revoked blob refused)" $? "result: $(field later.bin result)"
load fresh.bin
ok "apply: a signed blob still loads" $?
load unsigned2.bin
[ $? != 0 ]
ok "apply: enforce refuses an unsigned blob" $?
load exempt.bin
ok "apply: the policy's log rule lets its unsigned blob load" $?
check "apply again is harmless" 0 $fwverify apply
echo >/sys/kernel/security/fwverify/policy	# one blank line: an empty policy
echo log >"$params/mode"
done_testing
