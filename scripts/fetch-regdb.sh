#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fetch-regdb.sh OUT: lay out Debian's wireless-regdb in the firmware tree
# OUT as the package's postinst does (alternatives links, debian first), and
# write OUT/../regdb-signer.pem, the certificate its signature carries.
set -euo pipefail
out=$1
cache=${FWVERIFY_CACHE:-/var/cache/fwverify}/regdb
mkdir -p "$cache"
if ! ls "$cache"/wireless-regdb_*.deb >/dev/null 2>&1; then
	# apt downloads as _apt, which must be able to write there.
	chown _apt "$cache" 2>/dev/null || true
	(cd "$cache" && apt-get download -q wireless-regdb >/dev/null 2>&1) ||
		{ echo "fetch-regdb: apt-get download wireless-regdb failed" >&2; exit 2; }
fi
deb=$(ls "$cache"/wireless-regdb_*.deb | tail -n 1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp"
cp "$tmp"/lib/firmware/regulatory.db* "$out/"
# /etc/alternatives/<name> points at the -debian files; the VM makes those.
ln -sfn /etc/alternatives/regulatory.db "$out/regulatory.db"
ln -sfn /etc/alternatives/regulatory.db.p7s "$out/regulatory.db.p7s"
openssl pkcs7 -inform DER -print_certs -in "$out/regulatory.db.p7s-debian" |
	sed -n '/BEGIN CERT/,/END CERT/p' >"$out/../regdb-signer.pem"
