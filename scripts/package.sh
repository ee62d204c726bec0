#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# package.sh [OUT]: build the Debian packages (debian/) from a copy of the
# working tree: what git tracks plus new files it does not ignore, so the
# tree itself stays clean and build/ is left out.  The source package, the
# .debs and the .changes land in OUT (default build/packaging); the name of
# the .changes file is printed last.  Extra dpkg-buildpackage options may
# come in DPKG_BUILDPACKAGE_OPTS (default "-us -uc": unsigned).
#
# package.sh --tree DIR only copies the tree into DIR (tests/packaging/host.sh).
#
# PACKAGE_CHROOT=DIR builds in the chroot DIR instead of on the host (a Debian
# release other than the host's: tests/packaging/run.sh trixie), with the
# build dependencies apt installs there; OUT must be under DIR.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

# copy_tree DIR: what git tracks and new files it does not ignore; a tracked
# file deleted in the tree is skipped.
copy_tree() {
	mkdir -p "$1"
	(cd "$top" && git ls-files -z -co --exclude-standard) |
		while IFS= read -r -d '' f; do
			[ -e "$top/$f" ] || [ -L "$top/$f" ] && printf '%s\0' "$f"
		done |
		(cd "$top" && tar --null -T - -cf -) | tar -C "$1" -xf -
}

if [ "${1:-}" = --tree ]; then
	copy_tree "${2:?usage: package.sh --tree DIR}"
	exit
fi
out=$(realpath -m "${1:-$top/build/packaging}")

version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src=$out/fwverify-$version
# Only what an earlier build made: OUT may hold other things (the test's chroot).
rm -rf "$src" "$out"/fwverify*_"$version"* "$out/build.log"
copy_tree "$src"

cd "$src"
build() {
	# shellcheck disable=SC2086
	nice -n 10 dpkg-buildpackage ${DPKG_BUILDPACKAGE_OPTS:--us -uc} -j"$(nproc)"
}
in_chroot() {
	local croot=$1 dir=$2
	shift 2
	chroot "$croot" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
		DPKG_BUILDPACKAGE_OPTS="${DPKG_BUILDPACKAGE_OPTS:-}" \
		/bin/bash -c "cd \"\$1\" && shift && \"\$@\"" sh "$dir" "$@"
}
chroot_build() {
	local croot dir
	croot=$(realpath "$PACKAGE_CHROOT")
	case $src in
	"$croot"/*) dir=${src#"$croot"} ;;
	*) echo "package: $out is not under PACKAGE_CHROOT=$croot" >&2; return 1 ;;
	esac
	in_chroot "$croot" "$dir" apt-get -y -q -o Dpkg::Use-Pty=0 --no-install-recommends build-dep ./ &&
		in_chroot "$croot" "$dir" bash -c "$(declare -f build); build"
}
if [ -n "${PACKAGE_CHROOT:-}" ]; then
	chroot_build
else
	build
fi >"$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	echo "package: dpkg-buildpackage failed (log: $out/build.log)" >&2
	exit 1
}
ls "$out"/fwverify_"$version"_*.changes | tail -n 1
