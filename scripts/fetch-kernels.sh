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
mirror=${FWVERIFY_MIRROR:-http://deb.debian.org/debian}

# series -> "image meta-package headers meta-package [suite]"
declare -A META=(
	[6.1]="linux-image-amd64 linux-headers-amd64"
	[6.12]="linux-image-6.12-amd64 linux-headers-6.12-amd64"
	[7.3]="linux-image-amd64 linux-headers-amd64 trixie-backports"
)

die() { echo "fetch-kernels: $*" >&2; exit 2; }

# apt-get/apt-cache options for SUITE ("" for the host's configuration).
APT=()
apt_for() {
	local suite=$1 d
	APT=()
	[ -n "$suite" ] || return 0
	d=$cache/apt/$suite
	mkdir -p "$d/parts" "$d/prefs" "$d/lists/partial" "$d/cache/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" >"$d/sources.list"
	touch "$d/status"
	APT=(-o Dir::Etc::SourceList="$d/sources.list" -o Dir::Etc::SourceParts="$d/parts"
	     -o Dir::Etc::Preferences="$d/prefs/none" -o Dir::Etc::PreferencesParts="$d/prefs"
	     -o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" -o Dir::State::Status="$d/status")
}

# Refresh the package lists: the host's only when they lack the package, a
# private suite's when they are a day old.
apt_update() {
	local suite=$1 pkg=$2 d=$cache/apt/$1
	if [ -z "$suite" ]; then
		apt-cache show "$pkg" >/dev/null 2>&1 || apt-get update -qq
		return 0
	fi
	[ -n "$(find "$d/updated" -mmin -1440 2>/dev/null)" ] && return 0
	# apt-get update exits 0 when a mirror does not answer, with a warning.
	if apt-get "${APT[@]}" update -qq >/dev/null 2>"$d/update.log" &&
	   ! grep -q '^[EW]:' "$d/update.log" &&
	   [ -n "$(find "$d/lists" -maxdepth 1 -name '*_Packages*')" ]; then
		touch "$d/updated"
		return 0
	fi
	if [ -n "$(find "$d/lists" -maxdepth 1 -name '*_Packages*')" ]; then
		echo "fetch-kernels: cannot refresh $suite's package lists, using the old ones" >&2
		return 0
	fi
	die "cannot fetch $suite's package lists from $mirror: $(grep -m 1 '^[EW]:' "$d/update.log")"
}

# The packages PKG depends on whose names match PATTERN (at least one).
deps_of() {
	local pkg=$1 pattern=$2 d
	d=$(apt-cache "${APT[@]}" depends --no-recommends --no-suggests "$pkg" 2>/dev/null |
		awk -v p="$pattern" '$1 == "Depends:" && $2 ~ p { print $2 }')
	[ -n "$d" ] || die "cannot resolve '$pattern' from $pkg (run apt-get update?)"
	echo "$d"
}
# The one package PKG depends on by PATTERN.
dep_of() {
	local d
	d=$(deps_of "$@") || exit 2
	echo "${d%%$'\n'*}"
}

fetch_one() {
	local series=$1 imeta hmeta suite image split headers common kbuild rel dest root dl
	read -r imeta hmeta suite <<<"${META[$series]}"
	apt_for "$suite"
	apt_update "$suite" "$imeta"
	image=$(dep_of "$imeta" '^linux-image-')
	headers=$(dep_of "$hmeta" '^linux-headers-')
	common=$(dep_of "$headers" '^linux-headers-.*-common')
	kbuild=$(dep_of "$headers" '^linux-kbuild-')
	rel=${image#linux-image-}
	case $rel in
	"$series".*|"$series"-*|"$series"+*) ;;
	*) die "series $series: $imeta${suite:+ of $suite} now resolves to $rel; name a series for it in META" ;;
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
		mkdir -p "$dl" "$root"
		# shellcheck disable=SC2086 # split is a list of names
		(cd "$dl" && apt-get "${APT[@]}" -o APT::Sandbox::User=root download -q \
			"$image" $split "$headers" "$common" "$kbuild" >/dev/null) ||
			die "apt-get download failed for $rel"
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
	[ -n "${META[$s]:-}" ] || die "unknown kernel series '$s' (known: ${!META[*]})"
	fetch_one "$s"
done
