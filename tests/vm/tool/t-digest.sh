# SPDX-License-Identifier: GPL-2.0
# Digests through the kernel crypto API (libkcapi, AF_ALG) and through
# OpenSSL agree, on empty, tiny, odd and sparse files; the kcapi back end
# really goes through AF_ALG: without algif_hash a forced kcapi fails and the
# automatic choice falls back to OpenSSL (busybox sh, TAP).  The digests are
# read from "fwverify quarantine --dry-run --json", whose record names the
# back end that computed them.
. /payload/tool/lib.sh
dir=$T/fw
param=/sys/module/firmware_class/parameters/path
modprobe_path=$(cat /proc/sys/kernel/modprobe)
mkdir -p "$dir"
printf '%s' "$dir" >"$param"

# dgst BACKEND FILE: set got to "<backend> <hex>" from a dry run, or "" on failure.
dgst() {
	out=$(FWVERIFY_DIGEST=$1 $fwverify quarantine --dry-run --json "$2" 2>"$T/stderr")
	rc=$?
	err=$(cat "$T/stderr")
	got="$(echo "$out" | sed -n 's/^    "digest_backend": "\(.*\)",$/\1/p') $(echo "$out" |
		sed -n 's/^    "digest": "sha256:\([0-9a-f]*\)",$/\1/p')"
	[ "$rc" = 0 ] || got=
}

# libkcapi needs algif_hash, and crypto_user to ask the kernel about the algorithm.
if ! grep -q '^algif_hash ' /proc/modules || ! grep -q '^crypto_user ' /proc/modules; then
	ok "algif_hash and crypto_user are loaded (VM_KMODS=\"af_alg algif_hash crypto_user\") # SKIP not in this image" 0
	printf '\000' >"$param"
	done_testing
	exit
fi

: >"$dir/empty.bin"
printf 'x' >"$dir/one.bin"
dd if=/dev/urandom of="$dir/mib1.bin" bs=1048577 count=1 2>/dev/null
truncate -s 64M "$dir/sparse.bin"
printf 'end' >>"$dir/sparse.bin"
for f in empty one mib1 sparse; do
	want=$(sha256sum "$dir/$f.bin" | cut -d' ' -f1)
	dgst kcapi "$dir/$f.bin"
	k=$got
	[ "$k" = "kcapi $want" ]
	ok "kcapi: $f.bin has the SHA-256 sha256sum gives" $? "want kcapi $want, saw '$k' (exit $rc: $err)"
	dgst openssl "$dir/$f.bin"
	[ "$got" = "openssl $want" ]
	ok "openssl: $f.bin, the same digest" $? "want openssl $want, saw '$got' (exit $rc: $err)"
done
dgst "" "$dir/one.bin"
[ "$got" = "kcapi $(sha256sum "$dir/one.bin" | cut -d' ' -f1)" ]
ok "automatic with AF_ALG: kcapi" $? "saw '$got' (exit $rc: $err)"

# Take AF_ALG's hash type away (and stop the kernel from loading it again).
echo /nonexistent >/proc/sys/kernel/modprobe
if rmmod algif_hash; then
	dgst kcapi "$dir/one.bin"
	[ "$rc" = 2 ] && echo "$err" | grep -q 'cannot hash: no SHA-256 in the back end FWVERIFY_DIGEST chose'
	ok "without algif_hash, forced kcapi fails: the kcapi back end is AF_ALG" $? "exit $rc: $err"
	dgst "" "$dir/one.bin"
	[ "$got" = "openssl $(sha256sum "$dir/one.bin" | cut -d' ' -f1)" ]
	ok "without algif_hash, the automatic choice falls back to openssl" $? "saw '$got' (exit $rc: $err)"
	echo "$modprobe_path" >/proc/sys/kernel/modprobe
	modprobe algif_hash
	ok "algif_hash loads again" $?
else
	ok "rmmod algif_hash" 1 "in use?"
fi
echo "$modprobe_path" >/proc/sys/kernel/modprobe
dgst kcapi "$dir/one.bin"
[ "$got" = "kcapi $(sha256sum "$dir/one.bin" | cut -d' ' -f1)" ]
ok "with algif_hash back, kcapi again" $? "saw '$got' (exit $rc: $err)"

printf '\000' >"$param"
rm -rf "$dir"
done_testing
