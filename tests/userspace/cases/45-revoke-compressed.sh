# SPDX-License-Identifier: GPL-2.0
# revoke FILE writes the digest the kernel matches: for fw.bin.xz or
# fw.bin.zst signed by fw.bin.p7s (a signature of the content, and no
# fw.bin.xz.p7s) the SHA-256 of the decompressed content, else that of the
# file as stored.  Compressed files the kernel would not decode (data after
# the .xz stream, a check other than none or CRC32, zstd bytes that are not
# frames, a truncated frame, more than 256 MiB of content) are refused and
# nothing is written.  Expected digests come from sha256sum of the content
# before xz or zstd compressed it.
# Sourced by tests/userspace/run.sh: uses its run, expect, result and sign.

rc_dir=$tmp/revoke-compressed
rc_sys=$rc_dir/sys rc_state=$rc_dir/state
rc_kfile=$rc_sys/kernel/security/fwverify/revoke
RC=(env FWVERIFY_SYSFS="$rc_sys" FWVERIFY_CONFIG="$rc_dir/conf" "$fwverify")
mkdir -p "$rc_dir/fw"
printf 'state_dir = %s\n' "$rc_state" >"$rc_dir/conf"

# rc_fresh: empty persistent list and an empty revoke file of a loaded module.
rc_fresh() {
	rm -rf "$rc_state" "$rc_sys"
	mkdir -p "$(dirname "$rc_kfile")"
	: >"$rc_kfile"
}

# rc_written DESC HEX: both lists hold exactly sha256:HEX.
rc_written() {
	local p k
	p=$(cat "$rc_state/revoked" 2>/dev/null) k=$(cat "$rc_kfile")
	rc=- out="persistent: $p; kernel: $k"
	result "$1" "$([[ $p == "sha256:$2" && $k == "sha256:$2" ]]; echo $?)" \
		"sha256:$2 on the persistent list and in the kernel's revoke file"
}

# rc_revoke DESC FILE WANT-HEX content|stored: revoke FILE; exit 0, its line
# says which digest ("decompressed content of FILE, ..." or "stored file FILE"),
# and WANT-HEX is what both lists received.
rc_revoke() {
	local what="stored file"
	[[ $4 == content ]] && what="decompressed content of"
	rc_fresh
	run "${RC[@]}" revoke "$2"
	expect "$1: exit 0, the line says the $4 digest" 0 \
		"^revoked sha256:$3 \\($what [^)]*$(basename "$2")[,)]"
	rc_written "$1: the lists receive the $4 digest" "$3"
}

# rc_refused DESC FILE STDERR-REGEX: revoke FILE; exit 2, "cannot decompress", nothing written.
rc_refused() {
	rc_fresh
	run "${RC[@]}" revoke "$2"
	local ok=1
	[[ $rc == 2 && -z $out && $err =~ $3 && ! -e $rc_state/revoked && ! -s $rc_kfile ]] && ok=0
	result "$1: exit 2, nothing written anywhere" $ok "exit 2, stderr =~ /$3/, both lists empty"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# zstd skippable frame: magic 0x184D2A5?, little-endian length, payload.
skippable() { printf '\x50\x2a\x4d\x18\x03\x00\x00\x00abc'; }

# 256 KiB: a multiple of the decoder's output chunk, so the last read ends exactly at a frame's end.
c=$rc_dir/fw/c.bin
head -c 262144 /dev/urandom >"$c"
want=$(sha "$c")
xz -q -k -C crc32 "$c" && zstd -q -k "$c"
sign rsa-signer "$pki" "$c"
rc_revoke "content-signed .xz" "$c.xz" "$want" content
rc_revoke "content-signed .zst" "$c.zst" "$want" content

run "${RC[@]}" revoke "$c.xz"
expect "content-signed .xz: the line names the signature of the content" 0 \
	"\\(decompressed content of $c\\.xz, which $c\\.p7s signs\\)\$"

m=$rc_dir/fw/m.bin
head -c 70001 /dev/urandom >"$rc_dir/m1"
head -c 5000 /dev/urandom >"$rc_dir/m2"
cat "$rc_dir/m1" "$rc_dir/m2" >"$m"
{ skippable; zstd -q -c "$rc_dir/m1"; skippable; zstd -q -c "$rc_dir/m2"; skippable; } >"$m.zst"
sign rsa-signer "$pki" "$m"
rc_revoke "content-signed .zst of two frames and skippable frames: content of both frames" \
	"$m.zst" "$(sha "$m")" content

s=$rc_dir/fw/s.bin
head -c 30000 /dev/urandom >"$s"
xz -q -k -C crc32 "$s"
sign rsa-signer "$pki" "$s"
sign rsa-signer "$pki" "$s.xz"
rc_revoke "stored-signed .xz (s.bin.xz.p7s, taken before s.bin.p7s)" "$s.xz" "$(sha "$s.xz")" stored

u=$rc_dir/fw/u.bin
head -c 30000 /dev/urandom >"$u"
zstd -q -k "$u"
rc_revoke "unsigned .zst" "$u.zst" "$(sha "$u.zst")" stored

rc_revoke "plain signed file" "$c" "$want" stored

# The format is the requested name's, not the symlink target's.
mkdir -p "$rc_dir/store" "$rc_dir/fw/link"
cp "$c.xz" "$rc_dir/store/blob"
ln -s ../../store/blob "$rc_dir/fw/link/l.bin.xz"
cp "$c.p7s" "$rc_dir/fw/link/l.bin.p7s"
rc_revoke "content-signed l.bin.xz -> blob (no suffix): decoded as xz" "$rc_dir/fw/link/l.bin.xz" \
	"$want" content

rc_fresh
run "${RC[@]}" revoke --json "$c.xz" "$s.xz" "$want"
j_ok=1
python3 -c 'import json, sys
d = json.loads(sys.argv[1])
sys.exit(0 if d["digest_of"] == ["content", "stored", "argument"] and len(d["digests"]) == 3 else 1)' "$out" 2>/dev/null &&
	[[ $rc == 0 ]] && j_ok=0
result "revoke --json: digest_of says content, stored, argument in order" $j_ok \
	'digest_of == ["content", "stored", "argument"]'

# --- refused ------------------------------------------------------------------
xz_rule='cannot decompress: not one whole \.xz stream'
zst_rule='cannot decompress: not whole zstd frames up to the end of the file'
b=$rc_dir/fw/bad.bin
cp "$c.p7s" "$rc_dir/fw/bad.bin.p7s"
{ cat "$c.xz"; printf 'x'; } >"$b.xz"
rc_refused "content-signed .xz with a byte of trailing data" "$b.xz" "bad\\.bin\\.xz: $xz_rule"
{ cat "$c.xz"; printf '\0\0\0\0'; } >"$b.xz"
rc_refused "content-signed .xz with stream padding" "$b.xz" "$xz_rule"
cat "$c.xz" "$s.xz" >"$b.xz"
rc_refused "content-signed .xz of two streams" "$b.xz" "$xz_rule"
xz -q -c -C crc64 "$c" >"$b.xz"
rc_refused "content-signed .xz with a CRC64 check (the kernel knows none and CRC32)" "$b.xz" "$xz_rule"
head -c -1 "$c.xz" >"$b.xz"
rc_refused "content-signed .xz cut by one byte" "$b.xz" "$xz_rule"

{ cat "$c.zst"; printf 'x'; } >"$b.zst"
rc_refused "content-signed .zst with a byte of trailing data" "$b.zst" "bad\\.bin\\.zst: $zst_rule"
{ cat "$c.zst"; printf 'garbage!'; } >"$b.zst"
rc_refused "content-signed .zst with trailing bytes that are not a frame" "$b.zst" "$zst_rule"
head -c -1 "$c.zst" >"$b.zst"
rc_refused "content-signed .zst cut by one byte" "$b.zst" "$zst_rule"
: >"$b.zst"
rc_refused "content-signed empty .zst (no frame)" "$b.zst" "$zst_rule"

head -c $((256 * 1024 * 1024 + 1)) /dev/zero | zstd -q -c >"$b.zst"
rc_refused "content-signed .zst of 256 MiB and one byte of zeros (a bomb)" "$b.zst" \
	'bad\.bin\.zst: cannot decompress: the content exceeds 256 MiB'
rm -f "$b.zst" "$b.xz"
