#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mkfwtree.sh OUT PKI FWVERIFY: make the firmware tree the VM tests load, in
# OUT/fwverify-test/ (OUT becomes /lib/firmware in the VM).  PKI is a
# directory made by tests/pki/gen.sh, FWVERIFY the fwverify tool.
set -euo pipefail
out=$1/fwverify-test
pki=$2
tool=$3
top=$(cd "$(dirname "$0")/../.." && pwd)
# Signatures with name attributes the tool does not write (tests/helpers).
make -s -C "$top/tests/helpers" >&2
signattrs=$top/build/test-helpers/cms-sign-attrs
rm -rf "$out"
mkdir -p "$out"
cd "$out"

blob() { head -c "${2:-4096}" /dev/urandom >"$1"; }
fsign() { # file key-name [extra args]
	local f=$1 k=$2
	shift 2
	"$tool" sign --key "$pki/$k.key" --cert "$pki/$k.crt" "$@" "$f" >/dev/null
}
osign() { # file key-name [extra openssl args]
	local f=$1 k=$2
	shift 2
	openssl cms -sign -binary -nosmimecap -md sha256 -outform DER \
		-signer "$pki/$k.crt" -inkey "$pki/$k.key" -in "$f" -out "$f.p7s" "$@"
}
asign() { # file key-name OID=TEXT...: as fwverify sign, with those attributes
	local f=$1 k=$2
	shift 2
	"$signattrs" "$pki/$k.key" "$pki/$k.crt" "$f" "$f.p7s" "$@"
}
flip() { # file offset: invert one byte
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((255 - b)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

blob rsa-sha256.bin; fsign rsa-sha256.bin rsa-signer
blob rsa-sha512.bin; fsign rsa-sha512.bin rsa-signer --hash sha512
blob nocerts.bin; fsign nocerts.bin rsa-signer --no-certs
blob ecdsa.bin; fsign ecdsa.bin ec-signer --hash sha384
blob openssl.bin; osign openssl.bin rsa-signer
blob noattr.bin; osign noattr.bin rsa-signer -noattr
blob partial-noattr.bin 262144; osign partial-noattr.bin rsa-signer -noattr
blob unsigned.bin
blob tampered.bin; fsign tampered.bin rsa-signer; flip tampered.bin 100
blob badsig.bin; fsign badsig.bin rsa-signer
flip badsig.bin.p7s $(($(stat -c %s badsig.bin.p7s) - 1))
blob untrusted.bin; fsign untrusted.bin untrusted
blob empty-sig.bin; : >empty-sig.bin.p7s
blob truncated-sig.bin; fsign truncated-sig.bin rsa-signer
truncate -s $(($(stat -c %s truncated-sig.bin.p7s) / 2)) truncated-sig.bin.p7s
blob garbage-sig.bin; blob garbage-sig.bin.p7s 512
blob oversized-sig.bin; blob oversized-sig.bin.p7s $((64 * 1024 + 1))
# Their signatures are made in the VM: a directory, a FIFO, symlinks.
blob dir-sig.bin
blob fifo-sig.bin
blob zero-sig.bin
# A copy of a blob whose signature names no firmware (openssl cms): its
# signature, reached through a symlink, fits any name.
cp openssl.bin link-sig.bin
# One whose signature names rsa-sha256.bin: refused by any other name.
cp rsa-sha256.bin link-named.bin
blob big.bin $((4 << 20)); fsign big.bin rsa-signer
# The firmware name under the OID fwverify sign wrote before id-at-name
# (2.5.4.41): still bound to its name.  Under both OIDs: two name attributes.
legacy=2.25.196871091086757864271009421185200544841
blob legacy-name.bin; asign legacy-name.bin rsa-signer "$legacy=legacy-name.bin"
cp legacy-name.bin legacy-renamed.bin; cp legacy-name.bin.p7s legacy-renamed.bin.p7s
blob both-names.bin
asign both-names.bin rsa-signer "2.5.4.41=both-names.bin" "$legacy=both-names.bin"

# Compressed firmware: a signature of the stored file, or of the content.
xzc() { xz -q -C crc32 "$1"; }
blob comp-stored.bin; xzc comp-stored.bin; fsign comp-stored.bin.xz rsa-signer
blob comp-content.bin; fsign comp-content.bin rsa-signer; xzc comp-content.bin
blob comp-unsigned.bin; xzc comp-unsigned.bin
blob comp-wrong.bin; fsign comp-wrong.bin rsa-signer; blob comp-wrong.bin; xzc comp-wrong.bin
# A small file that grows: 8 MiB of zeros, signed as content.
head -c $((8 << 20)) /dev/zero >bomb.bin; fsign bomb.bin rsa-signer; xzc bomb.bin
blob compz-stored.bin; zstd -q --rm compz-stored.bin; fsign compz-stored.bin.zst rsa-signer
blob compz-content.bin; fsign compz-content.bin rsa-signer; zstd -q --rm compz-content.bin
head -c $((8 << 20)) /dev/zero >zbomb.bin; fsign zbomb.bin rsa-signer; zstd -q --rm zbomb.bin

# Symlinked blobs: signature beside the file a link leads to, or beside
# the requested name.  Signed without the firmware-name attribute (osign):
# the links are requested by names other than the signed file's.
mkdir -p link-target
blob link-target/real.bin; osign link-target/real.bin rsa-signer
ln -s link-target/real.bin link-resolved.bin
blob link-target/real2.bin; osign link-target/real2.bin rsa-signer
mv link-target/real2.bin.p7s link-requested.bin.p7s
ln -s link-target/real2.bin link-requested.bin
ln -s link-target/real.bin link-dangling-sig.bin
ln -s no-such-file.p7s link-dangling-sig.bin.p7s

# A bad copy in /lib/firmware/updates, a good one in /lib/firmware.
mkdir -p ../updates/fwverify-test
blob fallthrough.bin; fsign fallthrough.bin rsa-signer
blob ../updates/fwverify-test/fallthrough.bin
blob updates-only.bin
mv updates-only.bin ../updates/fwverify-test/

# Partial reads and reads into a driver's buffer (test_firmware: <= 1 KiB);
# a fresh name per load.
for i in 1 2 3 4 5 6; do
	blob "partial-$i.bin" 1000; fsign "partial-$i.bin" rsa-signer
	blob "partial-unsigned-$i.bin" 1000
	blob "intobuf-$i.bin" 1000; fsign "intobuf-$i.bin" rsa-signer
	blob "intobuf-unsigned-$i.bin" 1000
done

# --- Attacks (fwverify_attack_test.c, issue 14) -----------------------------
# attack/plain/ holds what the loader decodes from each compressed fixture,
# for the tests to compare the driver's bytes with.
mkdir -p attack/plain attack/rev-alt attack/oops attack/oops-store
content() { # name size: attack/NAME signed as content (NAME.p7s), kept in plain/
	blob "attack/$1" "$2"; fsign "attack/$1" rsa-signer; cp "attack/$1" "attack/plain/$1"
}
# Whether the loader knows .zst: a signed one.
content zprobe.bin 1000; zstd -q --rm attack/zprobe.bin
# 1. zsplice: a frame of signed content, then a frame of other bytes (into a
# driver's buffer the loader decodes both); zskip: a skippable frame after.
content zsplice.bin 600; zstd -q --rm attack/zsplice.bin
blob attack/zsplice-tail 300; cat attack/zsplice-tail >>attack/plain/zsplice.bin
zstd -q -c attack/zsplice-tail >>attack/zsplice.bin.zst; rm attack/zsplice-tail
content zskip.bin 1000; zstd -q --rm attack/zskip.bin
{ printf '\x50\x2a\x4d\x18\x10\x00\x00\x00'; head -c 16 /dev/urandom; } >>attack/zskip.bin.zst
# One xz stream of signed content, then garbage, a second stream, or padding.
content xtrail.bin 1000; xzc attack/xtrail.bin; head -c 64 /dev/urandom >>attack/xtrail.bin.xz
content xtwo.bin 1000; xzc attack/xtwo.bin
blob attack/xtwo-2 500; xz -q -C crc32 -c attack/xtwo-2 >>attack/xtwo.bin.xz; rm attack/xtwo-2
content xpad.bin 1000; xzc attack/xpad.bin; head -c 4 /dev/zero >>attack/xpad.bin.xz
# 2. The same signed content compressed twice, with other settings.
content rev.bin 4096
echo "sha256:$(sha256sum attack/rev.bin | cut -d' ' -f1)" >attack/plain/rev.bin.sha256
xz -q -C none -0 -e -c attack/rev.bin >attack/rev-alt/rev.bin.xz; xzc attack/rev.bin
if cmp -s attack/rev.bin.xz attack/rev-alt/rev.bin.xz; then
	echo "mkfwtree: the two compressions of rev.bin are the same file" >&2; exit 1
fi
# 3. Compressed names linked to files without the suffix: blob is not xz
# (oops/fw.bin.p7s signs its raw bytes), blob2 is xz of signed content.
blob attack/oops-store/blob 1000; osign attack/oops-store/blob rsa-signer
mv attack/oops-store/blob.p7s attack/oops/fw.bin.p7s
ln -s ../oops-store/blob attack/oops/fw.bin.xz
blob attack/oops/fw2.bin 1000; fsign attack/oops/fw2.bin rsa-signer
cp attack/oops/fw2.bin attack/plain/oops-fw2.bin
xz -q -C crc32 -c attack/oops/fw2.bin >attack/oops-store/blob2; rm attack/oops/fw2.bin
ln -s ../oops-store/blob2 attack/oops/fw2.bin.xz
# 4. t-xz.bin.xz and t-zst.bin.zst: compressed signed content (t-*.bin.p7s
# signs the content), beside a t-*.bin that signature does not cover.
mkdir -p attack/sfx
for s in xz zst; do
	blob "attack/sfx/t-$s.bin" 1000; fsign "attack/sfx/t-$s.bin" rsa-signer
	case $s in
	xz) xzc "attack/sfx/t-$s.bin" ;;
	zst) zstd -q --rm "attack/sfx/t-$s.bin" ;;
	esac
	blob "attack/sfx/t-$s.bin" 1000
done

# --- Stress (fwverify_stress_test.c, issue 14) -------------------------------
# A pool of signed firmware that the stress test copies into its own tree
# (/lib/firmware/fwverify-stress/, made in the VM) and mutates there: the VM
# has no xz or zstd compressor, and signing there is slow.  One line of
# stress-pool/MANIFEST per item, "KIND FILE NAME":
#   plain FILE NAME  FILE and FILE.p7s, its signature for the firmware name
#                    NAME ("-": an openssl signature without a name)
#   xz FILE NAME     the same, and FILE.xz (xz of FILE) with FILE.xz.p7s, the
#                    stored file's signature for NAME.xz
#   zst FILE NAME    the same with zstd: FILE.zst, FILE.zst.p7s for NAME.zst
#   xz-alt FILE NAME FILE.alt.xz, FILE compressed with other settings, and
#                    no signature of its own: only FILE.p7s covers it
#   zst-alt FILE NAME the same with zstd: FILE.alt.zst
mkdir -p stress-pool
(
	cd stress-pool
	sizes=(1 17 200 700 1000 1024 1500 3000 4096 5000 12000 70000)
	n=0
	for i in 0 1 2 3 4 5; do
		for v in a b; do
			blob "s$i.bin-$v" "${sizes[n++ % ${#sizes[@]}]}"
			fsign "s$i.bin-$v" rsa-signer --name "s$i.bin"
			echo "plain s$i.bin-$v s$i.bin" >>MANIFEST
		done
	done
	for i in 0 1 2 3; do
		blob "any-$i" "${sizes[n++ % ${#sizes[@]}]}"
		osign "any-$i" rsa-signer
		echo "plain any-$i -" >>MANIFEST
	done
	csizes=(300 1000 3000 20000)
	for i in 0 1 2 3; do
		f=s$i.bin-c
		blob "$f" "${csizes[i]}"
		fsign "$f" rsa-signer --name "s$i.bin"
		xz -q -k -C crc32 "$f"
		fsign "$f.xz" rsa-signer --name "s$i.bin.xz"
		zstd -q -k "$f" -o "$f.zst"
		fsign "$f.zst" rsa-signer --name "s$i.bin.zst"
		xz -q -C none -0 -e -c "$f" >"$f.alt.xz"
		zstd -q -19 --no-check -c "$f" >"$f.alt.zst"
		echo "xz $f s$i.bin" >>MANIFEST
		echo "zst $f s$i.bin" >>MANIFEST
		echo "xz-alt $f s$i.bin" >>MANIFEST
		echo "zst-alt $f s$i.bin" >>MANIFEST
	done
	# "SHA256 NAME" of every signed content: the check file reports the
	# content's digest for compressed firmware, which the VM cannot decode.
	for f in s*.bin-c; do
		echo "$(sha256sum <"$f" | cut -d' ' -f1) ${f%-c}"
	done >DIGESTS
)
