# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/packaging/run.sh and tests/packaging/host.sh: a clean
# minbase chroot of a Debian release, made from a debootstrap tarball kept in
# the cache, with the .debs apt fetched in earlier runs linked in and out.
# The including script sets suite (bookworm or trixie) and root (where the
# chroot goes), and calls save_debs and chroot_down when it ends
# (chroot_cleanup does both).
: "${suite:?}" "${root:?}"
cache=${FWVERIFY_CACHE:-/var/cache/fwverify}/chroot
mirror=${FWVERIFY_MIRROR:-http://deb.debian.org/debian}
security=${FWVERIFY_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
debs=$cache/archives-$suite
# The suites apt reads in the chroot, besides the release's security updates.
case $suite in
bookworm) SUITES=(bookworm bookworm-updates) ;;
trixie) SUITES=(trixie trixie-updates trixie-backports) ;;
*) echo "chroot: unknown release '$suite' (bookworm, trixie)" >&2; exit 2 ;;
esac

mounts_under() { awk -v r="$1" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts; }

chroot_down() {
	local m tries
	[ -d "$root" ] || return 0
	for tries in 1 2 3; do
		for m in $(mounts_under "$root" | sort -r); do
			umount "$m" 2>/dev/null || [ "$tries" != 3 ] || umount -l "$m"
		done
		[ -z "$(mounts_under "$root")" ] && break
		sleep 1
	done
	if [ -n "$(mounts_under "$root")" ]; then
		echo "# chroot: still mounted under $root, not removed" >&2
		return 1
	fi
	[ -n "${KEEP_CHROOT:-}" ] || rm -rf --one-file-system "$root"
}


in_chroot() {
	nice -n 10 chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
apt_in() { in_chroot apt-get -y -q -o Dpkg::Use-Pty=0 --no-install-recommends "$@"; }

# The .debs apt fetched in earlier runs are linked in, and the new ones out.
load_debs() {
	# Before there was a trixie run, bookworm's were in archives/.
	[ "$suite" != bookworm ] || [ -d "$debs" ] || [ ! -d "$cache/archives" ] ||
		mv "$cache/archives" "$debs"
	mkdir -p "$debs"
	find "$debs" -name '*.deb' -exec cp -l -t "$root/var/cache/apt/archives/" {} + 2>/dev/null ||
		find "$debs" -name '*.deb' -exec cp -t "$root/var/cache/apt/archives/" {} +
}
save_debs() {
	in_chroot apt-get -q autoclean >/dev/null 2>&1
	rm -rf "$debs.new"
	mkdir -p "$debs.new"
	find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' \
		-exec cp -l -t "$debs.new/" {} + 2>/dev/null ||
		find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' \
			-exec cp -t "$debs.new/" {} +
	rm -rf "$debs"
	mv "$debs.new" "$debs"
}

# A minbase chroot of the release, from a tarball remade when missing or 30
# days old, with the release's suites and its security updates.
chroot_up() {
	local tarball=$cache/$suite-minbase.tar.zst tmp s
	if [ -z "$(find "$tarball" -mtime -30 2>/dev/null)" ]; then
		tmp=$cache/debootstrap-$suite.tmp
		rm -rf --one-file-system "$tmp"
		nice debootstrap --variant=minbase "$suite" "$tmp" "$mirror" ||
			{ rm -rf --one-file-system "$tmp"; return 1; }
		tar -C "$tmp" --numeric-owner -I zstd -cf "$tarball.new" . &&
			mv "$tarball.new" "$tarball"
		rm -rf --one-file-system "$tmp"
	fi
	chroot_down || return 1
	rm -rf --one-file-system "$root"
	mkdir -p "$root"
	tar -C "$root" --numeric-owner -I zstd -xpf "$tarball" || return 1
	{
		for s in "${SUITES[@]}"; do echo "deb $mirror $s main"; done
		echo "deb $security $suite-security main"
	} >"$root/etc/apt/sources.list"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	# Nothing starts in the chroot (deb-systemd-invoke, invoke-rc.d).
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	mount -t proc proc "$root/proc" &&
		mount -t sysfs sysfs "$root/sys" &&
		mount --bind /dev "$root/dev" || return 1
	load_debs
	apt_in update
}

# The .debs kept, then the chroot removed (unless KEEP_CHROOT is set: then
# only unmounted).
chroot_cleanup() {
	[ -d "$root/var/cache/apt/archives" ] && save_debs
	[ -n "${KEEP_CHROOT:-}" ] && { mounts_under "$root" | sort -r | xargs -r umount -l; return; }
	chroot_down
}
