#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Generate certificates for chain and validity tests into DIR (default
# build/pki-chain).  Like gen.sh, nothing here is a secret.
#
#   chain-root.{key,crt}    self-signed RSA root CA, the one a keyring holds
#   chain-inter.{key,crt}   intermediate CA signed by the root; its AKID names
#                           the root by key id and by issuer + serial number
#   chain-signer.{key,crt}  ECDSA firmware signer signed by the intermediate;
#                           its AKID holds the key id only
#   expired.{key,crt}       self-signed RSA signer valid 2020-01-01..2021-01-01
set -euo pipefail
dir=${1:-build/pki-chain}
mkdir -p "$dir"
cd "$dir"
[ -f .done ] && exit 0

ext() { # basicConstraints AKID
	printf '%s\n' "basicConstraints=critical,$1" \
		"keyUsage=critical,digitalSignature,keyCertSign" \
		"subjectKeyIdentifier=hash" "authorityKeyIdentifier=$2"
}

issue() { # name subject issuer basicConstraints AKID keyspec...
	local name=$1 subj=$2 ca=$3 bc=$4 akid=$5
	shift 5
	openssl req -new -nodes -subj "$subj" -newkey "$@" -keyout "$name.key" \
		-out "$name.csr" 2>/dev/null
	openssl x509 -req -in "$name.csr" -CA "$ca.crt" -CAkey "$ca.key" \
		-set_serial "0x$(openssl rand -hex 16)" -days 3650 -sha256 \
		-extfile <(ext "$bc" "$akid") -out "$name.crt" 2>/dev/null
	rm -f "$name.csr"
}

openssl req -new -x509 -nodes -days 3650 -sha256 -newkey rsa:2048 \
	-subj "/O=fwverify tests/CN=fwverify test root CA" \
	-keyout chain-root.key -out chain-root.crt \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,digitalSignature,keyCertSign" \
	-addext "subjectKeyIdentifier=hash" 2>/dev/null
issue chain-inter "/O=fwverify tests/CN=fwverify test intermediate CA" chain-root \
	CA:TRUE "keyid:always,issuer:always" rsa:2048
issue chain-signer "/O=fwverify tests/CN=fwverify test chain signer" chain-inter \
	CA:FALSE "keyid:always" ec -pkeyopt ec_paramgen_curve:P-256

# openssl req cannot back-date a certificate; openssl ca can.
mkdir -p expired.ca
: >expired.ca/index.txt
cat >expired.ca/ca.cnf <<CNF
[ca]
default_ca = expired
[expired]
database = expired.ca/index.txt
new_certs_dir = expired.ca
serial = expired.ca/serial
default_md = sha256
policy = any
copy_extensions = copy
[any]
organizationName = optional
commonName = supplied
CNF
openssl rand -hex 16 >expired.ca/serial
openssl req -new -nodes -newkey rsa:2048 -keyout expired.key -out expired.csr \
	-subj "/O=fwverify tests/CN=fwverify test expired signer" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "subjectKeyIdentifier=hash" 2>/dev/null
openssl ca -batch -config expired.ca/ca.cnf -selfsign -keyfile expired.key \
	-in expired.csr -startdate 20200101000000Z -enddate 20210101000000Z \
	-notext -out expired.crt 2>/dev/null
rm -rf expired.ca expired.csr
touch .done
