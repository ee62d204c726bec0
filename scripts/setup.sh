#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install everything fwverify needs on Debian 12, fetch the kernels the VM
# runs and make the build roots of those built with a compiler Debian 12 lacks
# (scripts/buildroot.sh).  Idempotent: a second run only checks.  Must run as
# root.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

PACKAGES=(
	build-essential bc bison flex libelf-dev kmod cpio xz-utils zstd file
	dwarves sparse openssl libssl-dev libkcapi-dev libkeyutils-dev keyutils
	libjson-c-dev liblzma-dev libzstd-dev pkg-config qemu-system-x86 busybox-static strace hyperfine
	linux-source-6.1 linux-source-6.12 clang-14 libclang-rt-14-dev
	softhsm2 libp11-dev libengine-pkcs11-openssl opensc e2fsprogs bash-completion
	udev python3
	debhelper dh-dkms dkms lintian debootstrap initramfs-tools-core
)

if [ "$(id -u)" != 0 ]; then
	echo "setup: must run as root (apt-get install)" >&2
	exit 2
fi

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

"$top/scripts/fetch-kernels.sh"
# The build root of each kernel whose compiler the host lacks (7.3: gcc-14),
# made now rather than by the first build against it.
for kdir in "$top"/build/kernels/*/kdir; do
	if [ -e "$kdir" ]; then "$top/scripts/buildroot.sh" run "$kdir" -- true; fi
done
"$top/scripts/fetch-source.sh"
