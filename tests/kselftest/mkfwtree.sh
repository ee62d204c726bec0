#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mkfwtree.sh OUT PKI FWVERIFY: make the firmware tree the VM tests load, in
# OUT/fwverify-test/ (OUT becomes /lib/firmware in the VM).  PKI is a
# directory made by tests/pki/gen.sh, FWVERIFY the fwverify tool.
set -euo pipefail
out=$1/fwverify-test
pki=$2
tool=$3
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
cp rsa-sha256.bin link-sig.bin
blob big.bin $((4 << 20)); fsign big.bin rsa-signer
