#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install everything fwverify needs on Debian 12 (bookworm) or 13 (trixie),
# fetch the kernels the VM runs and make the build roots of those built with a
# compiler the host lacks (scripts/buildroot.sh).  Idempotent: a second run
# only checks.  Must run as root.
#
#   FWVERIFY_SETUP_PACKAGES_ONLY=1   install the packages, fetch nothing (a
#                                    chroot test: tests/packaging/host.sh)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

PACKAGES=(
	build-essential bc bison flex libelf-dev kmod cpio xz-utils zstd file
	dwarves sparse openssl libssl-dev libkcapi-dev libkeyutils-dev keyutils
	libjson-c-dev liblzma-dev libzstd-dev pkgconf qemu-system-x86 busybox-static strace hyperfine
	softhsm2 libp11-dev libengine-pkcs11-openssl opensc e2fsprogs bash-completion
	udev python3
	debhelper dh-dkms dkms lintian debootstrap initramfs-tools-core
)
# What differs by release, checked against each release's package lists:
# the kernel sources on the host (trixie has no linux-source-6.1:
# scripts/fetch-source.sh) and the clang with libFuzzer (tests/fuzz: bookworm
# has clang-14 to 16, trixie 17 to 19 and 22).
declare -A RELEASE_PACKAGES=(
	[bookworm]="linux-source-6.1 linux-source-6.12 clang-14 libclang-rt-14-dev"
	[trixie]="linux-source-6.12 clang-19 libclang-rt-19-dev"
)

if [ "$(id -u)" != 0 ]; then
	echo "setup: must run as root (apt-get install)" >&2
	exit 2
fi

release=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
if [ -z "${RELEASE_PACKAGES[$release]:-}" ]; then
	echo "setup: Debian 12 (bookworm) or 13 (trixie) needed, not '${release:-unknown}'" >&2
	exit 2
fi
read -r -a more <<<"${RELEASE_PACKAGES[$release]}"
PACKAGES+=("${more[@]}")

installed() { dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

missing=()
for p in "${PACKAGES[@]}"; do
	installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	apt-get update -qq
	# apt takes a name it does not know as a pattern ("linux-source-6.1"
	# matches linux-source-6.12): each must be a package of this release.
	for p in "${missing[@]}"; do
		grep -qxF "$p" <<<"$(apt-cache pkgnames "$p")" ||
			{ echo "setup: $release has no package $p" >&2; exit 2; }
	done
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
	for p in "${missing[@]}"; do
		installed "$p" || { echo "setup: $p is still not installed" >&2; exit 2; }
	done
fi
[ -z "${FWVERIFY_SETUP_PACKAGES_ONLY:-}" ] || exit 0

"$top/scripts/fetch-kernels.sh"
# The build root of each kernel whose compiler the host lacks (7.3: gcc-14),
# made now rather than by the first build against it.
for kdir in "$top"/build/kernels/*/kdir; do
	if [ -e "$kdir" ]; then "$top/scripts/buildroot.sh" run "$kdir" -- true; fi
done
"$top/scripts/fetch-source.sh"
