# SPDX-License-Identifier: GPL-2.0
# stage and rollback of compressed firmware signed as content: c.bin.xz or
# c.bin.zst with c.bin.p7s beside it (and no c.bin.xz.p7s), which the kernel
# verifies against the decompressed content and revokes by its digest.  Stage
# verifies the content offline too, refuses a file whose content is revoked
# however it was compressed, and --revoke-replaced revokes the content's
# digest, in the persistent list and in the (fake) kernel's revoke file.
# Expected digests are sha256sum of the content before xz or zstd compressed it.
# Sourced by tests/userspace/run.sh: uses its run, expect, result and sign.

sc=$tmp/stage-compressed
sc_sfs=$sc/sys/kernel/security/fwverify sc_state=$sc/state
sc_active=$sc/fw/updates
SC=(env FWVERIFY_CONFIG="$sc/conf" FWVERIFY_SYSFS="$sc/sys" "$fwverify")
mkdir -p "$sc/fw" "$sc_sfs"
cat >"$sc/conf" <<EOF
search_dir = $sc_active
state_dir = $sc_state
ca = $pki/rsa-signer.crt
keep = 3
EOF
# A loaded module as the tool sees it: the check file answers "verified"
# and keeps the paths asked about; the revoke file keeps what is written.
printf 'result=verified\naction=allowed\nerrno=0\n' >"$sc_sfs/check"
: >"$sc_sfs/revoke"

sc_sha() { sha256sum "$1" | cut -c1-64; }

# sc_release DIR CONTENT XZ-OPTION...: DIR holds c.bin.xz, CONTENT compressed
# with those options, signed as content by c.bin.p7s; and p.bin, signed.
sc_release() {
	local dir=$1 content=$2
	shift 2
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$content" "$dir/c.bin"
	xz -q "$@" "$dir/c.bin"
	cp "$content" "$dir/c.bin"
	sign rsa-signer "$pki" "$dir/c.bin"
	rm "$dir/c.bin"
	cp "$sc/p.bin" "$sc/p.bin.p7s" "$dir/"
}

# Compressible contents, so that xz's settings change the stored bytes.
for i in 1 2 3; do
	head -c 60000 /dev/urandom | base64 >"$sc/content$i"
done
head -c 3000 /dev/urandom >"$sc/p.bin"
sign rsa-signer "$pki" "$sc/p.bin"
c1=$(sc_sha "$sc/content1") c2=$(sc_sha "$sc/content2")

sc_release "$sc/r1" "$sc/content1" -C crc32 -6
run "${SC[@]}" stage "$sc/r1"
expect "content-signed c.bin.xz (c.bin.p7s, no c.bin.xz.p7s): staged" 0 \
	$'^added +c\\.bin\\.xz\nadded +p\\.bin\nactivated generation 1$'
ok=1
[[ -f $sc_active/c.bin.xz && -f $sc_active/c.bin.p7s && ! -e $sc_active/c.bin.xz.p7s ]] &&
	grep -q "/gen/tree/c\\.bin\\.xz\$" "$sc_sfs/check" && ok=0
result "the tree holds c.bin.xz with c.bin.p7s, and the kernel was asked about the staged c.bin.xz" $ok \
	"c.bin.xz and c.bin.p7s active; a staged c.bin.xz path in the check file"

# The same content compressed otherwise replaces it: nothing is revoked,
# since the kernel would refuse the new file by the content's digest.
sc_release "$sc/r1b" "$sc/content1" -C none -1
old_stored=$(sc_sha "$sc_active/c.bin.xz")
run "${SC[@]}" stage --revoke-replaced "$sc/r1b"
expect "the same content recompressed, --revoke-replaced: changed, nothing revoked" 0 \
	$'^changed +c\\.bin\\.xz\nunchanged +p\\.bin\nactivated generation 2 \\(was 1\\)$'
ok=1
[[ $(sc_sha "$sc_active/c.bin.xz") != "$old_stored" && ! -s $sc_state/revoked && ! -s $sc_sfs/revoke ]] && ok=0
rc=- out="persistent: $(cat "$sc_state/revoked" 2>/dev/null); kernel: $(cat "$sc_sfs/revoke")"
result "the recompressed content differs as stored, and neither list got a digest" $ok "both lists empty"

sc_release "$sc/r2" "$sc/content2" -C crc32
run "${SC[@]}" stage --revoke-replaced "$sc/r2"
expect "new content, --revoke-replaced: the replaced c.bin.xz is revoked" 0 \
	$'changed +c\\.bin\\.xz\n.*revoked 1 replaced file'
ok=1
[[ $(cat "$sc_state/revoked" 2>/dev/null) == "sha256:$c1" && $(cat "$sc_sfs/revoke") == "sha256:$c1" ]] && ok=0
rc=- out="persistent: $(cat "$sc_state/revoked" 2>/dev/null); kernel: $(cat "$sc_sfs/revoke")"
result "--revoke-replaced of a content-signed .xz: the content's digest, on the persistent list and in the kernel" \
	$ok "sha256:$c1 (sha256sum of the content) alone on both"

# --- what is refused ----------------------------------------------------------------
# sc_refused DESC DIR STDERR-REGEX: stage DIR; exit 1, the active tree unchanged.
sc_refused() {
	local was
	was=$(readlink "$sc_active")
	run "${SC[@]}" stage "$2"
	expect "$1: refused (exit 1), named" 1 '' "$3"
	rc="active: $(readlink "$sc_active")"
	result "$1: the active generation is unchanged" "$([[ $(readlink "$sc_active") == "$was" ]]; echo $?)" "$was"
}

sc_release "$sc/bad" "$sc/content1" -C crc32 -9e
[[ $(sc_sha "$sc/bad/c.bin.xz") != "$(sc_sha "$sc/r1/c.bin.xz")" &&
   $(sc_sha "$sc/bad/c.bin.xz") != "$(sc_sha "$sc/r1b/c.bin.xz")" ]] ||
	echo "Bail out! xz -9e made the bytes of another setting"
sc_refused "revoked content recompressed with other settings (.xz)" "$sc/bad" \
	'c\.bin\.xz: revoked: the digest of its decompressed content, sha256:[0-9a-f]{64}, is on the revoke list'
rm "$sc/bad/c.bin.xz"
zstd -q -o "$sc/bad/c.bin.zst" "$sc/content1"
sc_refused "revoked content as .zst" "$sc/bad" \
	'c\.bin\.zst: revoked: the digest of its decompressed content'

sc_release "$sc/bad" "$sc/content3" -C crc32
printf 'x' >>"$sc/bad/c.bin.xz"
sc_refused "content-signed .xz with data after its stream" "$sc/bad" \
	'c\.bin\.xz: malformed: cannot decompress: not one whole \.xz stream'
sc_release "$sc/bad" "$sc/content3" -C crc64
sc_refused "content-signed .xz with a CRC64 check (the kernel knows none and CRC32)" "$sc/bad" \
	'c\.bin\.xz: malformed: cannot decompress'
sc_release "$sc/bad" "$sc/content3" -C crc32
cp "$sc/r2/c.bin.p7s" "$sc/bad/c.bin.p7s"
sc_refused "content-signed .xz whose content the signature does not cover" "$sc/bad" \
	'c\.bin\.xz: bad-signature: '
sc_release "$sc/bad" "$sc/content3" -C crc32
cp "$sc/content3" "$sc/bad/c.bin"
sc_refused "c.bin.p7s would sign both c.bin and c.bin.xz" "$sc/bad" \
	'c\.bin\.p7s: the signature of more than one firmware file'

# --- FILEs, rollback ------------------------------------------------------------------
sc_release "$sc/r3" "$sc/content3" -C crc32
run "${SC[@]}" stage --revoke-replaced -C "$sc/r3" c.bin.xz
expect "stage FILE c.bin.xz, signed as content, --revoke-replaced" 0 \
	$'changed +c\\.bin\\.xz\n.*revoked 1 replaced file'
ok=1
grep -qx "sha256:$c2" "$sc_state/revoked" && grep -qx "sha256:$c2" "$sc_sfs/revoke" && ok=0
rc=- out="persistent: $(cat "$sc_state/revoked" 2>/dev/null)"
result "stage FILE: the replaced content's digest on both lists" $ok "sha256:$c2 on both"

: >"$sc_state/revoked"
run "${SC[@]}" rollback
expect "rollback refused while the running kernel's list still holds the content's digest" 1 '' \
	"c\\.bin\\.xz: revoked: the digest of its decompressed content, sha256:$c2, is on the revoke list"
: >"$sc_sfs/revoke"
run "${SC[@]}" rollback
expect "rollback to a generation of content-signed files, once neither list holds it" 0 \
	'^activated generation 3 \(was 4\)$'
printf 'sha256:%s\n' "$c1" >"$sc_state/revoked"
run "${SC[@]}" rollback
expect "rollback to a generation whose content is revoked (stored otherwise): refused" 1 '' \
	'c\.bin\.xz: revoked: the digest of its decompressed content.*generation 2 does not verify any more'
