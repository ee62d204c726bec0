#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# install.sh KERNEL-TREE: put fwverify into a kernel source tree as a built-in
# LSM, so that CONFIG_SECURITY_FWVERIFY=y builds it in.
#
#   security/fwverify/          the module's sources (kmod/), its Kbuild and
#                               Kconfig, and certs-der.sh for the certificates
#   security/Kconfig            source "security/fwverify/Kconfig"
#   security/Makefile           obj-$(CONFIG_SECURITY_FWVERIFY) += fwverify/
#   include/linux/lsm_count.h   one more LSM to make room for
#   drivers/base/firmware_loader the loader patches of kmod/intree/patches/
#
# Running it again refreshes the sources and changes nothing else.  The
# tree must be Linux 6.12 or newer (tested: 6.12 and 7.3).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)

die() { echo "intree-install: $*" >&2; exit 2; }

tree=${1:-}
[ -n "$tree" ] || die "usage: ${0##*/} KERNEL-TREE"
[ -f "$tree/Makefile" ] && [ -f "$tree/security/Kconfig" ] ||
	die "'$tree' is not a kernel source tree"
ver=$(awk '$1 == "VERSION" { v = $3 } $1 == "PATCHLEVEL" { p = $3 }
	END { print v "." p }' "$tree/Makefile")
# 6.12 brought the LSM interface this form is written for (lsm_id,
# LSM_ORDER_LAST, lsm_count.h); tested on 6.12 and 7.3.
[ "$(printf '%s\n' 6.12 "$ver" | sort -V | head -n 1)" = 6.12 ] ||
	die "'$tree' is Linux $ver: the built-in form needs 6.12 or newer (its LSM interface: lsm_id, LSM_ORDER_LAST, lsm_count.h); older kernels use the module"

dest=$tree/security/fwverify
rm -rf "$dest"
mkdir -p "$dest/compat" "$dest/uapi"
cp "$top"/kmod/*.[chS] "$top/kmod/Kbuild" "$top/kmod/Kconfig" "$top/kmod/no-certs.der" "$dest/"
cp "$top"/kmod/compat/*.h "$dest/compat/"
cp "$top"/kmod/uapi/*.h "$dest/uapi/"
cp "$top/scripts/certs-der.sh" "$dest/"
rm -f "$dest/hook.c"	# the module's ftrace attachment: built in, lsm.c
cat >"$dest/README" <<EOF
fwverify, built in (installed by scripts/intree/install.sh from the fwverify
sources: $(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)).
Do not edit here: change kmod/ in the fwverify tree and install again.
EOF

# Idempotent edits: each checks for its own line first.
kconfig=$tree/security/Kconfig
if ! grep -q '^source "security/fwverify/Kconfig"' "$kconfig"; then
	grep -q '^source "security/integrity/Kconfig"' "$kconfig" ||
		die "security/Kconfig: no 'source \"security/integrity/Kconfig\"' line to put fwverify before"
	sed -i 's|^source "security/integrity/Kconfig"|source "security/fwverify/Kconfig"\n&|' "$kconfig"
fi

mk=$tree/security/Makefile
if ! grep -q 'CONFIG_SECURITY_FWVERIFY' "$mk"; then
	printf 'obj-$(CONFIG_SECURITY_FWVERIFY)\t+= fwverify/\n' >>"$mk"
fi

# Each LSM has static-call slots counted in lsm_count.h; without one more,
# security_add_hooks() runs out of slots and panics at boot.
count=$tree/include/linux/lsm_count.h
[ -f "$count" ] || die "no include/linux/lsm_count.h in '$tree'"
if ! grep -q FWVERIFY_ENABLED "$count"; then
	grep -q '^		IPE_ENABLED)$' "$count" ||
		die "include/linux/lsm_count.h: no 'IPE_ENABLED)' line at the end of MAX_LSM_COUNT"
	sed -i 's|^		IPE_ENABLED)$|		IPE_ENABLED		\\\n		FWVERIFY_ENABLED)|' "$count"
	sed -i 's|^#if IS_ENABLED(CONFIG_SECURITY_IPE)$|#if IS_ENABLED(CONFIG_SECURITY_FWVERIFY)\n#define FWVERIFY_ENABLED 1,\n#else\n#define FWVERIFY_ENABLED\n#endif\n\n&|' "$count"
fi
# The loader patches (kmod/intree/patches/, git format-patch form): the
# loader reads each path through fwverify, so that built in it sees the
# request as the module does.  Each is applied once: one that reverses
# cleanly is in already.
for p in "$top"/kmod/intree/patches/*.patch; do
	if patch -d "$tree" -p1 -R -s -f --dry-run <"$p" >/dev/null 2>&1; then
		continue
	fi
	patch -d "$tree" -p1 -N -s -f --dry-run <"$p" >/dev/null 2>&1 ||
		die "${p##*/} does not apply to '$tree' (Linux $ver): carry a version of it for this kernel"
	patch -d "$tree" -p1 -N -s -f <"$p"
	echo "intree-install: applied ${p##*/}"
done
echo "intree-install: fwverify installed in $dest (Linux $ver)"
