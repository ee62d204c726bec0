#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install everything fwverify needs on Debian 12 (bookworm) or 13 (trixie),
# fetch the kernels the VM runs and make the build roots of those built with a
# compiler the host lacks (scripts/buildroot.sh).  Idempotent: a second run
# only checks.  Must run as root.
#
# Prints one line per step; what apt, dpkg and the fetch scripts print goes to
# build/setup.log (written anew by each run), whose end is shown when a step
# fails.  It says which packages it installs and which installed ones apt
# upgrades for them, and records the ones it installed in
# $FWVERIFY_CACHE/setup-packages, so that they can be removed (README.md,
# "What set-up leaves on the machine").
#
#   FWVERIFY_SETUP_PACKAGES_ONLY=1   install the packages, fetch nothing (a
#                                    chroot test: tests/packaging/host.sh)
#   FWVERIFY_CACHE=DIR               where downloads and unpacked kernels go
#                                    (default /var/cache/fwverify)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${FWVERIFY_CACHE:-/var/cache/fwverify}
log=$top/build/setup.log

PACKAGES=(
	build-essential bc bison flex libelf-dev kmod cpio xz-utils zstd file
	dwarves sparse openssl libssl-dev libkcapi-dev libkeyutils-dev keyutils
	libjson-c-dev liblzma-dev libzstd-dev pkgconf qemu-system-x86 busybox-static strace hyperfine
	softhsm2 libp11-dev libengine-pkcs11-openssl opensc e2fsprogs bash-completion
	udev python3 jq
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

mkdir -p "$top/build"
echo "== scripts/setup.sh on $release, $(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$log"
echo "setup: the details go to $log"

# fail WHAT: the step failed; show the end of the log, and where it is.
fail() {
	echo "setup: $1 failed; the end of $log:" >&2
	tail -n 25 "$log" | sed 's/^/  | /' >&2
	echo "setup: the whole output is in $log" >&2
	exit 2
}

# step DESCRIPTION COMMAND...: one line for the step, its output in the log.
step() {
	local what=$1 t0=$SECONDS
	shift
	printf 'setup: %s ... ' "$what"
	echo "== $what: $*" >>"$log"
	if "$@" >>"$log" 2>&1; then
		echo "done ($((SECONDS - t0)) s)"
	else
		echo "FAILED"
		fail "$what"
	fi
}

installed() { dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

# apt takes a name it does not know as a pattern ("linux-source-6.1" matches
# linux-source-6.12): each must be a package of this release.
check_names() {
	local p
	for p in "$@"; do
		grep -qxF "$p" <<<"$(apt-cache pkgnames "$p")" ||
			{ echo "setup: $release has no package $p"; return 1; }
	done
}

missing=()
for p in "${PACKAGES[@]}"; do
	installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "setup: all ${#PACKAGES[@]} Debian packages it needs are installed"
else
	step "apt-get update" apt-get update -q
	step "checking the ${#missing[@]} package names" check_names "${missing[@]}"
	# What apt will do, said before it does it: the packages named, the
	# dependencies they pull in, and the installed packages upgraded for them.
	sim=$(DEBIAN_FRONTEND=noninteractive apt-get -s install -y --no-install-recommends "${missing[@]}" 2>>"$log") ||
		fail "apt-get install (simulated)"
	deps=$(awk '$1 == "Inst" && $3 !~ /^\[/ { print $2 }' <<<"$sim" | grep -cvxF -f <(printf '%s\n' "${missing[@]}")) || true
	upgrades=$(awk '$1 == "Inst" && $3 ~ /^\[/ { printf "%s ", $2 }' <<<"$sim")
	echo "setup: installing ${missing[*]}"
	echo "setup: with $deps more packages they depend on${upgrades:+, and upgrading ${upgrades% } (which they need newer)}"
	step "apt-get install (${#missing[@]} + $deps packages)" \
		env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends "${missing[@]}"
	for p in "${missing[@]}"; do
		installed "$p" || { echo "setup: $p is still not installed" >>"$log"; fail "installing $p"; }
	done
	# What set-up installed, for its removal (README.md).
	mkdir -p "$cache"
	printf '%s\n' "${missing[@]}" >>"$cache/setup-packages"
fi
[ -z "${FWVERIFY_SETUP_PACKAGES_ONLY:-}" ] || exit 0

step "kernels 6.1, 6.12 and 7.3 from Debian's packages, unpacked in $cache/kernels" \
	"$top/scripts/fetch-kernels.sh"
# The build root of each kernel whose compiler the host lacks (7.3: gcc-14),
# made now rather than by the first build against it.
buildroots() {
	local kdir
	for kdir in "$top"/build/kernels/*/kdir; do
		if [ -e "$kdir" ]; then "$top/scripts/buildroot.sh" run "$kdir" -- true || return 1; fi
	done
}
step "build roots for the kernels built by another gcc, in $cache/buildroot" buildroots
step "kernel sources (checkpatch, the selftests), in $cache/linux-source" "$top/scripts/fetch-source.sh"
echo "setup: ready; $cache holds $(du -sh "$cache" 2>/dev/null | cut -f1) ('make distclean' removes it and build/)"
