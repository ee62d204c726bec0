#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Unpack from Debian's linux-source packages the parts fwverify builds with:
# checkpatch and its data files, kernel-doc, the kselftest headers and the upstream
# firmware selftests.  Result: build/linux-source/<series>/ (a symlink into
# $FWVERIFY_CACHE).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${FWVERIFY_CACHE:-/var/cache/fwverify}

PARTS=(
	scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
	scripts/kernel-doc
	tools/testing/selftests/kselftest.h tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/firmware
	kernel/configs.c kernel/Makefile
)

for series in "${@:-6.1 6.12}"; do
	for s in $series; do
		tarball=/usr/src/linux-source-$s.tar.xz
		[ -f "$tarball" ] || { echo "fetch-source: $tarball missing (install linux-source-$s)" >&2; exit 2; }
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
done
