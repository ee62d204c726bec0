#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dkms-make.sh KERNEL-BUILD-DIR: what dkms.conf runs, in the DKMS build
# tree, to build fwverify.ko for one kernel.  The certificates the module
# embeds in its .fwverify keyring are the files in $FWVERIFY_CERT_DIR
# (default /etc/fwverify/module-certs: *.pem, *.crt, *.der), as
# CONFIG_SYSTEM_TRUSTED_KEYS is for the kernel; without any, the module
# trusts no key of its own (its "trust" parameter may add the kernel's).
# The module must be rebuilt for a change to take effect
# (Documentation/integrators.rst).
set -euo pipefail
kdir=${1:?usage: dkms-make.sh KERNEL-BUILD-DIR}
here=$(pwd)
certdir=${FWVERIFY_CERT_DIR:-/etc/fwverify/module-certs}

certs=()
for f in "$certdir"/*.pem "$certdir"/*.crt "$certdir"/*.der; do
	[ -f "$f" ] && certs+=("$f")
done
list=$(IFS=,; echo "${certs[*]}")
bash scripts/certs-der.sh "$here/certs.der" "$list"
echo "dkms-make: embedding ${#certs[@]} certificate file(s) from $certdir${certs[*]:+: ${certs[*]##*/}}"
exec make -C "$kdir" M="$here" FWVERIFY_CERTS_DER="$here/certs.der" modules
