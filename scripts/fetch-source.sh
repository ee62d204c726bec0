#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fetch-source.sh [SERIES...]: unpack from Debian's linux-source packages the
# parts fwverify builds with: checkpatch and its data files, kernel-doc, the
# kselftest headers and the upstream firmware selftests.  Result:
# build/linux-source/<series>/ (a symlink into $FWVERIFY_CACHE).
#
# The host's series (6.1, 6.12) come from /usr/src/linux-source-<series>.tar.xz,
# installed by scripts/setup.sh.  A series of another suite (7.3, from
# trixie-backports) is not installed on the host: linux-source-<series> of the
# version of the kernel scripts/fetch-kernels.sh fetched is downloaded through
# the same private apt configuration (scripts/kernel-series.sh) and its tarball
# kept in $FWVERIFY_CACHE/linux-source-tar/<release>/; apt is asked only
# the first time.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${FWVERIFY_CACHE:-/var/cache/fwverify}
# shellcheck source=scripts/kernel-series.sh
. "$top/scripts/kernel-series.sh"

PARTS=(
	scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
	scripts/kernel-doc
	tools/testing/selftests/kselftest.h tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/firmware
	kernel/configs.c kernel/Makefile
)

# The path of linux-source-SERIES's tarball, fetched first if it must be.
tarball_of() {
	local s=$1 suite rel ver dest deb
	suite=$(suite_of "$s")
	if [ -z "$suite" ]; then
		echo "/usr/src/linux-source-$s.tar.xz"
		return 0
	fi
	# The source of the kernel the VM runs: linux-source-<series> at the
	# version of that kernel's image package.
	[ -f "$top/build/kernels/$s/release" ] || "$top/scripts/fetch-kernels.sh" "$s" >&2
	rel=$(cat "$top/build/kernels/$s/release")
	dest=$cache/linux-source-tar/$rel
	if [ ! -e "$dest/.done" ]; then
		apt_for "$suite"
		apt_update "$suite" "linux-source-$s"
		ver=$(version_of "linux-image-$rel")
		echo "fetch-source: linux-source-$s $ver ($suite), for $rel" >&2
		rm -rf "$dest"
		apt_download "$dest/deb" "linux-source-$s=$ver"
		for deb in "$dest"/deb/*.deb; do
			dpkg-deb --fsys-tarfile "$deb" |
				tar -C "$dest" -x --strip-components=3 "./usr/src/linux-source-$s.tar.xz" ||
				die "$deb holds no usr/src/linux-source-$s.tar.xz"
		done
		rm -rf "$dest/deb"
		touch "$dest/.done"
	fi
	echo "$dest/linux-source-$s.tar.xz"
}

# --tarball SERIES: only print the path of its whole tarball (fetched if
# need be), for scripts/intree/build.sh.
if [ "${1:-}" = --tarball ]; then
	tarball_of "${2:?usage: fetch-source.sh --tarball SERIES}"
	exit 0
fi

series=("$@")
[ ${#series[@]} -gt 0 ] || series=(6.1 6.12 7.3)
for s in "${series[@]}"; do
	tarball=$(tarball_of "$s")
	[ -f "$tarball" ] || die "$tarball missing (install linux-source-$s)"
	# The stamp names the parts too, so a longer PARTS list unpacks again.
	stamp="$(stat -c %Y-%s "$tarball") $(echo "${PARTS[*]}" | md5sum | cut -c1-12)"
	dest=$cache/linux-source/$s
	if [ "$(cat "$dest/.stamp" 2>/dev/null)" != "$stamp" ]; then
		echo "fetch-source: unpacking parts of linux-source-$s"
		rm -rf "$dest"
		mkdir -p "$dest"
		tar -C "$dest" --strip-components=1 -xJf "$tarball" \
			"${PARTS[@]/#/linux-source-$s/}"
		echo "$stamp" >"$dest/.stamp"
	fi
	mkdir -p "$top/build/linux-source"
	ln -sfn "$dest" "$top/build/linux-source/$s"
done
