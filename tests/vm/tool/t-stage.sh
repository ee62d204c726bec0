# SPDX-License-Identifier: GPL-2.0
# fwverify stage and rollback with the real module (busybox sh, TAP): the
# kernel's check file is asked before activation, so a blob the kernel
# refuses (a key it does not trust, a digest it revoked) is not activated
# even when the configured CAs accept it; after each switch test_firmware
# loads from the new generation through the search_dir symlink, in mode
# enforce as well; rollback brings the old blobs back.
. /payload/tool/lib.sh
trigger=/sys/devices/virtual/misc/test_firmware/trigger_request
param=/sys/module/firmware_class/parameters/path
mode=/sys/module/fwverify/parameters/mode
revoke=/sys/kernel/security/fwverify/revoke
table=/sys/kernel/fwverify/firmware

mkdir -p "$T/fw"
export FWVERIFY_CONFIG="$T/stage.conf"
# The untrusted key is trusted offline here: only the kernel can refuse it.
cat >"$FWVERIFY_CONFIG" <<EOF
search_dir = $T/fw/updates
state_dir = $T/state
ca = $pki/rsa-signer.crt
ca = $pki/untrusted.crt
keep = 2
EOF
old_param=$(cat "$param")
old_mode=$(cat "$mode")
printf '%s' "$T/fw/updates" >"$param"

mkfw() { # DIR NAME [KEY]: a random firmware file signed by KEY (rsa-signer)
	mkdir -p "$(dirname "$1/$2")"
	head -c 6000 /dev/urandom >"$1/$2"
	$fwverify sign --key "$pki/${3:-rsa-signer}.key" --cert "$pki/${3:-rsa-signer}.crt" "$1/$2" >/dev/null
}
# loads NAME FILE: test_firmware gets NAME, and what it holds is FILE.
loads() {
	printf '%s' "$1" >"$trigger" 2>/dev/null && cmp -s /dev/test_firmware "$2"
}

r1=$T/r1
mkfw "$r1" st-a.bin
mkfw "$r1" st-sub/st-b.bin
check "stage a release with the module loaded" 0 $fwverify stage "$r1"
[ "$(readlink "$T/fw/updates")" = "$T/state/generations/1/tree" ]
ok "search_dir is a symlink to generation 1" $? "$(ls -l "$T/fw")"
loads st-a.bin "$r1/st-a.bin" && loads st-sub/st-b.bin "$r1/st-sub/st-b.bin"
ok "test_firmware loads both blobs of generation 1 through the symlink" $?
[ "$(cat "$table/st-a.bin/result" 2>/dev/null)" = verified ]
ok "the kernel verified it (firmware table: result verified)" $? "$(cat "$table/st-a.bin/result" 2>&1)"

r2=$T/r2
cp -r "$r1" "$r2"
mkfw "$r2" st-a.bin
check "stage release 2 (st-a.bin changed)" 0 $fwverify stage "$r2"
echo "$out" | grep -q '^changed *st-a\.bin$' && echo "$out" | grep -q '^unchanged *st-sub/st-b\.bin$'
ok "stage lists the changed and the unchanged blob" $? "$out"
loads st-a.bin "$r2/st-a.bin"
ok "test_firmware loads the new st-a.bin" $?

if echo enforce >"$mode" 2>/dev/null; then
	loads st-a.bin "$r2/st-a.bin" && loads st-sub/st-b.bin "$r2/st-sub/st-b.bin"
	ok "mode enforce: both blobs of the active generation load, each with its own signature" $?
	echo "$old_mode" >"$mode"
else
	ok "mode enforce: the active generation loads # SKIP the mode is locked" 0
fi

# Refused by the kernel, accepted offline: nothing is activated.
r3=$T/r3
cp -r "$r2" "$r3"
mkfw "$r3" st-a.bin untrusted
check "a blob signed by a key the kernel does not trust: refused" 1 $fwverify stage "$r3"
echo "$err" | grep -q 'st-a\.bin: kernel: untrusted'
ok "the refusal names the kernel's verdict" $? "$err"
[ "$(readlink "$T/fw/updates")" = "$T/state/generations/2/tree" ] && loads st-a.bin "$r2/st-a.bin" &&
	[ -z "$(ls -d "$T/state"/staging.* 2>/dev/null)" ]
ok "generation 2 stays active and loads; no staging area is left" $?

mkfw "$r3" st-a.bin
sha256sum "$r3/st-a.bin" | cut -d' ' -f1 >"$revoke"
check "a blob whose digest the kernel revoked: refused" 1 $fwverify stage "$r3"
# The offline verdict reads the running kernel's revoke list itself.
echo "$err" | grep -q "st-a\.bin: revoked: sha256:$(sha256sum "$r3/st-a.bin" | cut -d' ' -f1) is on the revoke list"
ok "the refusal names the revocation, read from the kernel's list" $? "$err"

check "rollback to generation 1" 0 $fwverify rollback
loads st-a.bin "$r1/st-a.bin"
ok "after rollback test_firmware loads generation 1's st-a.bin again" $?

printf '%s' "$old_param" >"$param"
echo "$old_mode" >"$mode" 2>/dev/null
done_testing
