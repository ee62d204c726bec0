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
#
# Series of the host's own release resolve through the host's apt sources.
# Series of another suite (7.3: Debian 13's trixie-backports) resolve through
# a private apt configuration in $FWVERIFY_CACHE/apt/<suite>, which leaves the
# host's /etc/apt alone.  Such a series names the version its meta-package
# resolves to today; when the suite moves on (7.4), the fetch stops with a
# message saying so, rather than calling a 7.4 kernel "7.3".
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${FWVERIFY_CACHE:-/var/cache/fwverify}
# shellcheck source=scripts/kernel-series.sh
. "$top/scripts/kernel-series.sh"

fetch_one() {
	local series=$1 imeta hmeta suite image split headers common kbuild rel dest root dl
	read -r imeta hmeta _ <<<"${META[$series]}"
	suite=$(suite_of "$series")
	apt_for "$suite"
	apt_update "$suite" "$imeta"
	image=$(dep_of "$imeta" '^linux-image-')
	headers=$(dep_of "$hmeta" '^linux-headers-')
	common=$(dep_of "$headers" '^linux-headers-.*-common')
	kbuild=$(dep_of "$headers" '^linux-kbuild-')
	rel=${image#linux-image-}
	case $rel in
	"$series".*|"$series"-*|"$series"+*) ;;
	*) die "series $series: $imeta${suite:+ of $suite} now resolves to $rel; name a series for it in scripts/kernel-series.sh" ;;
	esac
	# Debian 13's newer kernels split the image into linux-binary-<rel>
	# (vmlinuz) and linux-modules-<rel>, and linux-base-<rel> (config).
	split=$( (deps_of "$image" '^linux-(binary|modules|base)-' 2>/dev/null || true) |
		grep -Fx -e "linux-binary-$rel" -e "linux-modules-$rel" -e "linux-base-$rel" || true)
	dest=$cache/kernels/$rel
	root=$dest/root

	if [ ! -e "$dest/.done" ]; then
		echo "fetch-kernels: $series -> $rel${suite:+ ($suite)}"
		rm -rf "$dest"
		dl=$dest/debs
		mkdir -p "$root"
		# shellcheck disable=SC2086 # split is a list of names
		apt_download "$dl" "$image" $split "$headers" "$common" "$kbuild"
		for deb in "$dl"/*.deb; do
			dpkg-deb -x "$deb" "$root"
		done
		fix_build_tree "$root" "$rel"
		rm -rf "$dl"
		touch "$dest/.done"
	fi

	# Bookworm's kernels install in /boot and /lib/modules; the split ones
	# under a merged /usr only.
	local out=$top/build/kernels/$series mods=$root/lib/modules/$rel vmlinuz=$root/boot/vmlinuz-$rel
	[ -d "$mods" ] || mods=$root/usr/lib/modules/$rel
	[ -f "$vmlinuz" ] || vmlinuz=$mods/vmlinuz
	[ -f "$vmlinuz" ] || die "$rel: no vmlinuz in $root"
	mkdir -p "$out"
	ln -sfn "$vmlinuz" "$out/vmlinuz"
	ln -sfn "$mods" "$out/modules"
	ln -sfn "$root/usr/src/linux-headers-$rel" "$out/kdir"
	echo "$rel" >"$out/release"
}

# The headers packages refer to each other and to kbuild by absolute paths
# under /usr; point them into the unpacked root instead.
fix_build_tree() {
	local root=$1 rel=$2 f
	for f in "$root/usr/src/linux-headers-$rel/Makefile" \
		 "$root"/usr/src/linux-headers-*-common/Makefile; do
		[ -f "$f" ] && sed -i "s#^include /usr/#include $root/usr/#; s#^\(\s*\(KBUILD_OUTPUT\|srctree\)\s*:\?=\s*\)/usr/#\1$root/usr/#" "$f"
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
[ ${#series[@]} -gt 0 ] || series=(6.1 6.12 7.3)
for s in "${series[@]}"; do
	suite_of "$s" >/dev/null
	fetch_one "$s"
done
