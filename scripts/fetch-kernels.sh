#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch the Debian kernels the VM runs, resolved through their meta-packages
# (never a hard-coded ABI), and unpack image, modules and a build tree:
#
#   build/kernels/<series>/vmlinuz    the kernel image
#   build/kernels/<series>/modules    /lib/modules/<release> of that kernel
#   build/kernels/<series>/kdir       a tree to build external modules against
#   build/kernels/<series>/release    the release string (uname -r)
#
# Unpacked trees live in $FWVERIFY_CACHE (default /var/cache/fwverify) and are
# reused while the meta-package resolves to the same version.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${FWVERIFY_CACHE:-/var/cache/fwverify}

# series -> "image meta-package headers meta-package"
declare -A META=(
	[6.1]="linux-image-amd64 linux-headers-amd64"
	[6.12]="linux-image-6.12-amd64 linux-headers-6.12-amd64"
)

die() { echo "fetch-kernels: $*" >&2; exit 2; }

# The one package a meta-package (or headers package) depends on by pattern.
dep_of() {
	local pkg=$1 pattern=$2 d
	d=$(apt-cache depends --no-recommends --no-suggests "$pkg" 2>/dev/null |
		awk -v p="$pattern" '$1 == "Depends:" && $2 ~ p { print $2; exit }')
	[ -n "$d" ] || die "cannot resolve '$pattern' from $pkg (run apt-get update?)"
	echo "$d"
}

fetch_one() {
	local series=$1 imeta hmeta image headers common kbuild rel dest root dl
	read -r imeta hmeta <<<"${META[$series]}"
	apt-cache show "$imeta" >/dev/null 2>&1 || apt-get update -qq
	image=$(dep_of "$imeta" '^linux-image-')
	headers=$(dep_of "$hmeta" '^linux-headers-')
	common=$(dep_of "$headers" '^linux-headers-.*-common')
	kbuild=$(dep_of "$headers" '^linux-kbuild-')
	rel=${image#linux-image-}
	dest=$cache/kernels/$rel
	root=$dest/root

	if [ ! -e "$dest/.done" ]; then
		echo "fetch-kernels: $series -> $rel"
		rm -rf "$dest"
		dl=$dest/debs
		mkdir -p "$dl" "$root"
		(cd "$dl" && apt-get download -q "$image" "$headers" "$common" "$kbuild" >/dev/null) ||
			die "apt-get download failed for $rel"
		for deb in "$dl"/*.deb; do
			dpkg-deb -x "$deb" "$root"
		done
		fix_build_tree "$root" "$rel"
		rm -rf "$dl"
		touch "$dest/.done"
	fi

	local out=$top/build/kernels/$series
	mkdir -p "$out"
	ln -sfn "$root/boot/vmlinuz-$rel" "$out/vmlinuz"
	ln -sfn "$root/lib/modules/$rel" "$out/modules"
	ln -sfn "$root/usr/src/linux-headers-$rel" "$out/kdir"
	echo "$rel" >"$out/release"
}

# The headers packages refer to each other and to kbuild by absolute paths
# under /usr; point them into the unpacked root instead.
fix_build_tree() {
	local root=$1 rel=$2 f
	for f in "$root/usr/src/linux-headers-$rel/Makefile" \
		 "$root"/usr/src/linux-headers-*-common/Makefile; do
		[ -f "$f" ] && sed -i "s|include /usr/|include $root/usr/|; s|^\(\s*\)\(KBUILD_OUTPUT\|srctree\)\s*:\?=\s*/usr/|&|" "$f"
	done
	# Symlinks such as scripts -> /usr/lib/linux-kbuild-X/scripts.
	find "$root/usr/src" -maxdepth 2 -type l | while read -r l; do
		local t
		t=$(readlink "$l")
		case $t in
		/usr/*) ln -sfn "$root$t" "$l" ;;
		esac
	done
}

series=("$@")
[ ${#series[@]} -gt 0 ] || series=(6.1 6.12)
for s in "${series[@]}"; do
	[ -n "${META[$s]:-}" ] || die "unknown kernel series '$s' (known: ${!META[*]})"
	fetch_one "$s"
done
