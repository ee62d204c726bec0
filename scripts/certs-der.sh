#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# certs-der.sh OUT [CERTS]: write the certificates named in CERTS (comma
# separated; PEM files may hold several, DER files one) to OUT as the
# concatenated DER list the module embeds.  OUT is replaced only when its
# content changes, so an unchanged list does not rebuild the module.
set -euo pipefail
out=$1
list=${2:-}
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT

IFS=, read -r -a certs <<<"$list"
for c in "${certs[@]}"; do
	[ -n "$c" ] || continue
	if [ ! -r "$c" ]; then
		echo "certs-der: cannot read certificate '$c'" >&2
		exit 2
	fi
	if grep -q -- '-----BEGIN CERTIFICATE-----' "$c"; then
		# Split a PEM bundle and convert each certificate.
		awk -v d="$tmp.pem" '/-----BEGIN CERTIFICATE-----/ { n++ }
			n { print > (d "." n) }' "$c"
		for p in "$tmp".pem.*; do
			openssl x509 -in "$p" -outform DER >>"$tmp" ||
				{ echo "certs-der: bad certificate in '$c'" >&2; rm -f "$tmp".pem.*; exit 2; }
		done
		rm -f "$tmp".pem.*
	else
		openssl x509 -inform DER -in "$c" -outform DER >>"$tmp" 2>/dev/null ||
			{ echo "certs-der: '$c' is neither PEM nor a DER certificate" >&2; exit 2; }
	fi
done

if ! cmp -s "$tmp" "$out" 2>/dev/null; then
	mv "$tmp" "$out"
fi
