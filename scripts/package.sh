#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# package.sh [OUT]: build the Debian packages (debian/) from a copy of the
# working tree: what git tracks plus new files it does not ignore, so the
# tree itself stays clean and build/ is left out.  The source package, the
# .debs and the .changes land in OUT (default build/packaging); the name of
# the .changes file is printed last.  Extra dpkg-buildpackage options may
# come in DPKG_BUILDPACKAGE_OPTS (default "-us -uc": unsigned).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$top/build/packaging}")

version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src=$out/fwverify-$version
# Only what an earlier build made: OUT may hold other things (the test's chroot).
rm -rf "$src" "$out"/fwverify*_"$version"* "$out/build.log"
mkdir -p "$src"

# Tracked and new files; a tracked file deleted in the tree is skipped.
(cd "$top" && git ls-files -z -co --exclude-standard) |
	while IFS= read -r -d '' f; do
		[ -e "$top/$f" ] || [ -L "$top/$f" ] && printf '%s\0' "$f"
	done |
	(cd "$top" && tar --null -T - -cf -) | tar -C "$src" -xf -

cd "$src"
# shellcheck disable=SC2086
nice dpkg-buildpackage ${DPKG_BUILDPACKAGE_OPTS:--us -uc} -j"$(nproc)" >"$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	echo "package: dpkg-buildpackage failed (log: $out/build.log)" >&2
	exit 1
}
ls "$out"/fwverify_"$version"_*.changes | tail -n 1
