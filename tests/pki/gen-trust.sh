#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Generate certificates for the runtime trust, chain and pinning tests
# (tests/kselftest/fwverify_trust_test.c) into DIR (default build/pki-trust),
# issued under the test PKI of tests/pki/gen.sh in PKI (default build/pki).
# Like gen.sh, nothing here is a secret.  Regenerated when PKI changes.
#
#   rt-leaf.{key,crt,der}   RSA signer issued by rsa-signer: root adds it to
#                           .fwverify at run time
#   rt-self.{key,crt,der}   self-signed RSA signer: .fwverify must refuse it
#   tr-inter.{key,crt,der}   intermediate CA issued by rsa-signer; never trusted
#                           itself, signatures carry it
#   tr-leaf1, tr-leaf2      two short-lived signers issued by tr-inter (rotation)
#   tr-old.{key,crt}        signer issued by tr-inter that expired two seconds
#                           after it signed old.bin (old.bin.p7s carries tr-inter)
#   ut-root, ut-inter, ut-leaf   a chain under a root no keyring trusts
set -euo pipefail
dir=${1:-build/pki-trust}
pki=$(cd "${2:-build/pki}" && pwd)
fwverify=$(cd "$(dirname "$0")/../.." && pwd)/userspace/fwverify
mkdir -p "$dir"
cd "$dir"
stamp=$(sha256sum "$pki/rsa-signer.crt" | cut -d' ' -f1)
[ "$(cat .done 2>/dev/null)" = "$stamp" ] && exit 0
rm -f ./*.key ./*.crt ./*.der ./*.bin ./*.p7s .done

ext() { # basicConstraints
	printf '%s\n' "basicConstraints=critical,$1" \
		"keyUsage=critical,digitalSignature,keyCertSign" \
		"subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid:always"
}

csr() { # name subject
	openssl req -new -nodes -subj "$2" -newkey rsa:2048 -keyout "$1.key" \
		-out "$1.csr" 2>/dev/null
}

issue() { # name subject issuer-dir/issuer basicConstraints
	csr "$1" "$2"
	openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" \
		-set_serial "0x$(openssl rand -hex 16)" -days 3650 -sha256 \
		-extfile <(ext "$4") -out "$1.crt" 2>/dev/null
	rm -f "$1.csr"
}

selfsigned() { # name subject
	openssl req -new -x509 -nodes -days 3650 -sha256 -subj "$2" \
		-newkey rsa:2048 -keyout "$1.key" -out "$1.crt" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,digitalSignature,keyCertSign" \
		-addext "subjectKeyIdentifier=hash" 2>/dev/null
}

issue rt-leaf "/O=fwverify tests/CN=fwverify test runtime leaf" "$pki/rsa-signer" CA:FALSE
selfsigned rt-self "/O=fwverify tests/CN=fwverify test self-signed stranger"
issue tr-inter "/O=fwverify tests/CN=fwverify test trust intermediate" "$pki/rsa-signer" CA:TRUE
issue tr-leaf1 "/O=fwverify tests/CN=fwverify test rotated leaf 1" tr-inter CA:FALSE
issue tr-leaf2 "/O=fwverify tests/CN=fwverify test rotated leaf 2" tr-inter CA:FALSE
selfsigned ut-root "/O=nobody/CN=untrusted root CA"
issue ut-inter "/O=nobody/CN=untrusted intermediate" ut-root CA:TRUE
issue ut-leaf "/O=nobody/CN=untrusted leaf" ut-inter CA:FALSE
for c in rt-leaf rt-self tr-inter; do
	openssl x509 -in "$c.crt" -outform DER -out "$c.der"
done

# A leaf that expires right after it signs: openssl x509 cannot set an end
# time in seconds, openssl ca can.
csr tr-old "/O=fwverify tests/CN=fwverify test expired leaf"
mkdir -p old.ca
: >old.ca/index.txt
openssl rand -hex 16 >old.ca/serial
ext CA:FALSE >old.ca/ext
cat >old.ca/ca.cnf <<CNF
[ca]
default_ca = old
[old]
database = old.ca/index.txt
new_certs_dir = old.ca
serial = old.ca/serial
default_md = sha256
policy = any
[any]
organizationName = optional
commonName = supplied
CNF
openssl ca -batch -config old.ca/ca.cnf -cert tr-inter.crt -keyfile tr-inter.key \
	-extfile old.ca/ext -in tr-old.csr \
	-startdate "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)" \
	-enddate "$(date -u -d '+2 seconds' +%Y%m%d%H%M%SZ)" \
	-notext -out tr-old.crt 2>/dev/null
rm -rf old.ca tr-old.csr
head -c 4096 /dev/urandom >old.bin
"$fwverify" sign --key tr-old.key --cert tr-old.crt --chain tr-inter.crt old.bin >/dev/null
sleep 3
echo "$stamp" >.done
