#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Generate the test PKI into DIR (default build/pki).  Nothing here is a
# secret: these keys exist only to test fwverify and are made anew per build.
#
#   rsa-signer.{key,crt}   RSA-2048 firmware signer, embedded in the test module
#   ec-signer.{key,crt}    ECDSA P-256 firmware signer, embedded in the test module
#   untrusted.{key,crt}    RSA-2048 signer that no keyring trusts
#   trusted.list           comma-separated certificate list for FWVERIFY_CERTS=
set -euo pipefail
dir=${1:-build/pki}
mkdir -p "$dir"
cd "$dir"
# Suites running side by side may ask for the same PKI: one makes it.
exec 6>.lock
flock 6
[ -f .done ] && exit 0

selfsigned() { # name subject keyspec...
	local name=$1 subj=$2
	shift 2
	openssl req -new -x509 -nodes -days 3650 -sha256 -subj "$subj" \
		-newkey "$@" -keyout "$name.key" -out "$name.crt" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,digitalSignature,keyCertSign" \
		-addext "subjectKeyIdentifier=hash" 2>/dev/null
}

selfsigned rsa-signer "/O=fwverify tests/CN=fwverify test RSA signer" rsa:2048
selfsigned ec-signer "/O=fwverify tests/CN=fwverify test ECDSA signer" ec -pkeyopt ec_paramgen_curve:P-256
selfsigned untrusted "/O=nobody/CN=untrusted signer" rsa:2048
echo "$PWD/rsa-signer.crt,$PWD/ec-signer.crt" >trusted.list
touch .done
