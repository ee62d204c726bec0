#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A Debian build root for kernels whose compiler the host cannot run.
#
#   buildroot.sh suite KDIR         the suite whose compiler built the kernel
#                                   of KDIR ("" when the host has that compiler)
#   buildroot.sh make SUITE         make (or remake) the build root of SUITE
#   buildroot.sh exec SUITE -- CMD...
#                                   run CMD in SUITE's build root (the
#                                   project bind-mounted): its newer
#                                   sparse for a kernel built on the host
#   buildroot.sh run KDIR [--bind DIR]... -- CMD...
#                                   run CMD on the host when it has the
#                                   kernel's compiler, else in the build root
#                                   with KDIR, the project and each DIR
#                                   bind-mounted at the same paths
#
# A kernel names its compiler in its headers' Makefile ("CC = ... gcc-14");
# a Debian 7.3 kernel is built with trixie's gcc-14, which needs a newer glibc
# than Debian 12 has, and so do the kbuild tools its headers ship (fixdep,
# modpost, objtool).  The build root is a debootstrap --variant=minbase of the
# suite with that compiler and what kbuild needs for external modules, kept
# in $FWVERIFY_CACHE/buildroot/<suite> and remade when PACKAGES changes.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${FWVERIFY_CACHE:-/var/cache/fwverify}
mirror=${FWVERIFY_MIRROR:-http://deb.debian.org/debian}

# compiler -> the Debian suite that has it
declare -A SUITE_OF=(
	[gcc-12]=bookworm
	[gcc-14]=trixie
)
# What an external module build runs: the compiler, make, the libraries the
# prebuilt kbuild tools link (linux-kbuild-*'s Depends), and sparse for
# scripts/check-kmod.sh.
PACKAGES=(make libc6-dev libelf1t64 libssl3t64 zlib1g pahole sparse)

die() { echo "buildroot: $*" >&2; exit 2; }

# The compiler a kernel build tree names, e.g. "gcc-14".
kernel_cc() {
	local kdir=$1 cc
	# .kernelvariables: "CC = $(if ...) $(CROSS_COMPILE)gcc-14"; else
	# compile.h: "x86_64-linux-gnu-gcc-14 (Debian 14.2.0-19) 14.2.0, ...".
	cc=$(sed -n 's/^\s*CC\s*:\?=.*\s\(\S*\)$/\1/p' "$kdir/.kernelvariables" 2>/dev/null | head -n 1)
	[ -n "$cc" ] ||
		cc=$(sed -n 's/.*LINUX_COMPILER\s*"\(\S*\) .*/\1/p' "$kdir/include/generated/compile.h" 2>/dev/null)
	cc=${cc##*)}
	echo "${cc#*-linux-gnu-}"
}

# The suite to build against KDIR in, or nothing when the host will do.
suite_for() {
	local kdir=$1 cc
	cc=$(kernel_cc "$kdir")
	[ -n "$cc" ] || return 0
	command -v "$cc" >/dev/null 2>&1 && return 0
	[ -n "${SUITE_OF[$cc]:-}" ] || die "$kdir needs $cc, which the host lacks and no known suite has (known: ${!SUITE_OF[*]})"
	echo "${SUITE_OF[$cc]}"
}

# The packages of SUITE's build root: PACKAGES and each compiler it provides.
packages_of() {
	local suite=$1 cc list=("${PACKAGES[@]}")
	for cc in "${!SUITE_OF[@]}"; do
		[ "${SUITE_OF[$cc]}" = "$suite" ] && list+=("$cc")
	done
	printf '%s\n' "${list[@]}" | sort
}

make_root() {
	local suite=$1 dest=$cache/buildroot/$1 want tmp start
	want=$(packages_of "$suite" | tr '\n' ' ')
	[ "$(cat "$dest/.packages" 2>/dev/null)" = "$want" ] && return 0
	command -v debootstrap >/dev/null || die "debootstrap missing (scripts/setup.sh installs it)"
	# One maker at a time; the others find the root made when they get in.
	mkdir -p "$cache/buildroot"
	exec 9>"$cache/buildroot/.lock"
	flock 9
	if [ "$(cat "$dest/.packages" 2>/dev/null)" = "$want" ]; then
		exec 9>&-
		return 0
	fi
	echo "buildroot: debootstrap --variant=minbase $suite with ${want% } (once, cached in $dest)" >&2
	tmp=$dest.tmp
	rm -rf --one-file-system "$tmp"
	start=$SECONDS
	nice debootstrap --variant=minbase --include="$(echo "${want% }" | tr ' ' ,)" \
		"$suite" "$tmp" "$mirror" >"$cache/buildroot/$suite.log" 2>&1 || {
		rm -rf --one-file-system "$tmp"
		die "debootstrap $suite failed (is $mirror reachable?): see $cache/buildroot/$suite.log"
	}
	# Downloaded .debs are not needed once installed.
	rm -f "$tmp"/var/cache/apt/archives/*.deb
	echo "$want" >"$tmp/.packages"
	rm -rf --one-file-system "$dest"
	mv "$tmp" "$dest"
	exec 9>&-
	echo "buildroot: $suite ready in $((SECONDS - start))s ($(du -sh "$dest" | cut -f1))" >&2
}

# The kernel's sparse check wants a sparse that knows its C: 7.x's
# scripts/checker-valid.sh feeds it __typeof_unqual__, which the 0.6.4 of
# bookworm and trixie rejects, and kbuild then drops C=1/C=2 with a word on
# stderr and goes on.  sid's sparse (0.6.5) knows it and runs on trixie's
# libc: it goes to the build root's /usr/local/bin, ahead of the suite's.
declare -A SPARSE_FROM=([trixie]=sid)
add_sparse() {
	local suite=$1 root=$cache/buildroot/$1 from ver dl
	from=${SPARSE_FROM[$suite]:-}
	[ -n "$from" ] || return 0
	[ -x "$root/usr/local/bin/sparse" ] && return 0
	# shellcheck source=scripts/kernel-series.sh
	source "$top/scripts/kernel-series.sh"
	apt_for "$from"
	apt_update "$from" sparse
	ver=$(version_of sparse)
	dl=$cache/buildroot/$from-sparse
	rm -rf "$dl"
	apt_download "$dl" "sparse=$ver"
	dpkg-deb -x "$dl"/sparse_*.deb "$dl/x" || die "cannot unpack $from's sparse"
	install -D -m 0755 "$dl/x/usr/bin/sparse" "$root/usr/local/bin/sparse"
	rm -rf "$dl"
	echo "buildroot: $suite has $from's sparse $ver in /usr/local/bin" >&2
}

# run KDIR [--bind DIR]... -- CMD...
run() {
	local kdir=$1 suite binds=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		[ "$1" = --bind ] || die "run: unknown option $1"
		binds+=("$(realpath -m "$2")")
		shift 2
	done
	[ "${1:-}" = -- ] || die "usage: buildroot.sh run KDIR [--bind DIR]... -- CMD..."
	shift
	suite=$(suite_for "$kdir")
	[ -n "$suite" ] || exec "$@"
	enter "$suite" "$kdir" "${binds[@]}" -- "$@"
}

# enter SUITE KDIR [DIR]... -- CMD...: CMD in SUITE's build root, with the
# project, KDIR (may be "") and each DIR bind-mounted at the same paths.
enter() {
	local suite=$1 kdir=$2 root d binds=()
	shift 2
	while [ "$1" != -- ]; do binds+=("$1"); shift; done
	shift
	make_root "$suite"
	add_sparse "$suite"
	root=$cache/buildroot/$suite
	# The kernel tree as unpacked (fetch-kernels.sh: its Makefiles and links
	# name paths in the cache), the project and the caller's directories.
	binds+=("$top")
	if [ -n "$kdir" ]; then
		d=$(realpath "$kdir")
		binds+=("$d")
		case $d in "$cache"/kernels/*/root/*)
			d=${d#"$cache"/kernels/}
			binds+=("$cache/kernels/${d%%/*}") ;;
		esac
	fi
	# A private mount namespace: the mounts vanish with the command.
	exec unshare --mount --propagation private -- /bin/bash -euc '
		root=$1 cwd=$2; shift 2
		binds=()
		while [ "$1" != -- ]; do binds+=("$1"); shift; done
		shift
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		for b in "${binds[@]}"; do
			[ -d "$b" ] || continue
			mkdir -p "$root$b"
			mount --bind "$b" "$root$b"
		done
		exec chroot "$root" /bin/sh -c "cd \"\$1\" && shift && exec \"\$@\"" sh "$cwd" "$@"
	' sh "$root" "$(pwd)" "${binds[@]}" -- "$@"
}

case ${1:-} in
suite)	suite_for "${2:?usage: buildroot.sh suite KDIR}" ;;
make)	make_root "${2:?usage: buildroot.sh make SUITE}"; add_sparse "$2" ;;
run)	shift; run "$@" ;;
exec)	[ "${3:-}" = -- ] || die "usage: buildroot.sh exec SUITE -- CMD..."
	suite=$2; shift 3; enter "$suite" "" -- "$@" ;;
*)	die "usage: buildroot.sh suite KDIR | make SUITE | exec SUITE -- CMD... | run KDIR [--bind DIR]... -- CMD..." ;;
esac
