#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Set up the SoftHSM2 tokens of the fwverify-signd tests in DIR:
#   signd-token.sh DIR PKI SIGNER_KEY SIGNER_CRT [EXTRA_KEY EXTRA_CRT]
# PKI is the directory made by tests/pki/gen-signd.sh.  Like gen.sh, nothing
# here is a secret.  Regenerated when an input changes.
#
#   softhsm2.conf   export SOFTHSM2_CONF=DIR/softhsm2.conf to use the tokens
#   tokens/         token "signd": SIGNER_KEY and SIGNER_CRT as fw-dev (id 01),
#                   EXTRA_KEY and EXTRA_CRT as fw-release (id 02) if given;
#                   token "client": PKI/alice.{key,crt} as alice-tls (id 10)
#   pin             user PIN of both tokens, 123456 (mode 0600, no newline);
#                   the SO PIN is 12345678
#   setup.log       what the tools said, printed on failure
set -euo pipefail
if [ $# != 4 ] && [ $# != 6 ]; then
	echo "usage: $0 DIR PKI SIGNER_KEY SIGNER_CRT [EXTRA_KEY EXTRA_CRT]" >&2
	exit 1
fi
module=${SOFTHSM2_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
pin=123456
mkdir -p "$1"
dir=$(cd "$1" && pwd)
pki=$2
log=$dir/setup.log
stamp=$(cat "$pki/alice.key" "$pki/alice.crt" "${@:3}" | sha256sum | cut -d' ' -f1)
[ "$(cat "$dir/.done" 2>/dev/null)" = "$stamp" ] && exit 0
rm -rf "$dir/tokens" "$dir/.done"
: >"$log"

run() { # command...: its output goes to the log, shown if it fails
	"$@" >>"$log" 2>&1 || { cat "$log" >&2; exit 1; }
}

import() { # token label id key crt
	run openssl pkcs8 -topk8 -nocrypt -in "$4" -out "$dir/key.p8"
	run softhsm2-util --import "$dir/key.p8" --token "$1" --label "$2" --id "$3" --pin "$pin"
	run openssl x509 -in "$5" -outform DER -out "$dir/cert.der"
	run pkcs11-tool --module "$module" --token-label "$1" --login --pin "$pin" \
		--write-object "$dir/cert.der" --type cert --id "$3" --label "$2"
}

trap 'rm -f "$dir/key.p8" "$dir/cert.der"' EXIT
mkdir -p "$dir/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
	"$dir/tokens" >"$dir/softhsm2.conf"
export SOFTHSM2_CONF=$dir/softhsm2.conf
(umask 077 && printf '%s' "$pin" >"$dir/pin")
chmod 0600 "$dir/pin"
[ -r "$module" ] || { echo "$0: $module: not readable (set SOFTHSM2_MODULE)" >&2; exit 1; }
for token in signd client; do
	run softhsm2-util --init-token --free --label "$token" --so-pin 12345678 --pin "$pin"
done
import signd fw-dev 01 "$3" "$4"
if [ $# = 6 ]; then
	import signd fw-release 02 "$5" "$6"
fi
import client alice-tls 10 "$pki/alice.key" "$pki/alice.crt"
echo "$stamp" >"$dir/.done"
