#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Generate the mutual-TLS test PKI of the signing server fwverify-signd into
# DIR (default build/pki-signd).  Like gen.sh, nothing here is a secret.  Keys
# are ECDSA P-256 unless noted; "10 years" counts from the day of the run.
#
#   server-ca.{key,crt}         self-signed CA of the server certificate
#   server.{key,crt}            CN=localhost, SAN DNS:localhost and IP:127.0.0.1,
#                               serverAuth, issued by server-ca, 10 years
#   client-ca.{key,crt}         self-signed CA of the client certificates
#   {alice,bob,carol,dave,erin}.{key,crt}
#                               clients "/O=fwverify tests/CN=<name>", clientAuth,
#                               issued by client-ca, 10 years
#   expired.{key,crt}           client issued by client-ca, valid 2020-01-01..2021-01-01
#   notyet.{key,crt}            client issued by client-ca, valid 2090-01-01..2091-01-01
#   rogue-ca.{key,crt}          a self-signed CA that no server trusts
#   rogue-alice.{key,crt}       CN=alice issued by rogue-ca: a real client's name
#                               under another CA
#   selfsigned-frank.{key,crt}  self-signed client CN=frank, clientAuth
#   clients.list.pem            alice.crt and selfsigned-frank.crt: a list of
#                               accepted client certificates, not a CA bundle
#   server-only-eku.{key,crt}   CN=bob2 issued by client-ca for serverAuth only:
#                               a certificate of the wrong usage for a client
#   rsa-alice.{key,crt}         CN=alice-rsa, RSA-2048 client issued by client-ca
set -euo pipefail
dir=${1:-build/pki-signd}
mkdir -p "$dir"
cd "$dir"
[ -f .done ] && exit 0

ec=(ec -pkeyopt ec_paramgen_curve:P-256)
now=$(date -u +%Y%m%d%H%M%SZ)
decade=$(date -u -d '+10 years' +%Y%m%d%H%M%SZ)

selfsigned() { # name subject extension...
	local name=$1 subj=$2 add=() e
	shift 2
	for e; do add+=(-addext "$e"); done
	openssl req -new -x509 -nodes -days 3650 -sha256 -subj "$subj" \
		-newkey "${ec[@]}" -keyout "$name.key" -out "$name.crt" \
		-addext "subjectKeyIdentifier=hash" "${add[@]}" 2>/dev/null
}

mkca() { # name subject
	selfsigned "$1" "$2" "basicConstraints=critical,CA:TRUE" \
		"keyUsage=critical,keyCertSign,cRLSign"
}

leaf() { # EKU [subjectAltName]
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
		"keyUsage=critical,digitalSignature" "extendedKeyUsage=$1" \
		"subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid:always" \
		${2:+"subjectAltName=$2"}
}

# openssl x509 -req cannot set a start date; openssl ca can.
mkdir -p signd.ca
: >signd.ca/index.txt
cat >signd.ca/ca.cnf <<CNF
[ca]
default_ca = signd
[signd]
database = signd.ca/index.txt
new_certs_dir = signd.ca
rand_serial = yes
unique_subject = no
default_md = sha256
policy = any
[any]
organizationName = optional
commonName = supplied
CNF

issue() { # name subject issuer start end extensions keyspec...
	local name=$1 subj=$2 ca=$3 start=$4 end=$5 ext=$6
	shift 6
	openssl req -new -nodes -subj "$subj" -newkey "$@" -keyout "$name.key" \
		-out "$name.csr" 2>/dev/null
	openssl ca -batch -config signd.ca/ca.cnf -cert "$ca.crt" -keyfile "$ca.key" \
		-extfile <(printf '%s\n' "$ext") -in "$name.csr" \
		-startdate "$start" -enddate "$end" -notext -out "$name.crt" 2>/dev/null
	rm -f "$name.csr"
}

client=$(leaf clientAuth)
mkca server-ca "/O=fwverify tests/CN=fwverify-signd test server CA"
mkca client-ca "/O=fwverify tests/CN=fwverify-signd test client CA"
mkca rogue-ca "/O=nobody/CN=rogue CA"
issue server "/CN=localhost" server-ca "$now" "$decade" \
	"$(leaf serverAuth DNS:localhost,IP:127.0.0.1)" "${ec[@]}"
for name in alice bob carol dave erin; do
	issue "$name" "/O=fwverify tests/CN=$name" client-ca "$now" "$decade" "$client" "${ec[@]}"
done
issue expired "/O=fwverify tests/CN=expired" client-ca 20200101000000Z 20210101000000Z \
	"$client" "${ec[@]}"
issue notyet "/O=fwverify tests/CN=notyet" client-ca 20900101000000Z 20910101000000Z \
	"$client" "${ec[@]}"
issue rogue-alice "/O=fwverify tests/CN=alice" rogue-ca "$now" "$decade" "$client" "${ec[@]}"
issue server-only-eku "/O=fwverify tests/CN=bob2" client-ca "$now" "$decade" \
	"$(leaf serverAuth)" "${ec[@]}"
issue rsa-alice "/O=fwverify tests/CN=alice-rsa" client-ca "$now" "$decade" "$client" rsa:2048
selfsigned selfsigned-frank "/O=fwverify tests/CN=frank" "basicConstraints=critical,CA:FALSE" \
	"keyUsage=critical,digitalSignature" "extendedKeyUsage=clientAuth"
cat alice.crt selfsigned-frank.crt >clients.list.pem
rm -rf signd.ca
touch .done
