#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the initramfs of the fwverify test VM: a static busybox with
# tests/vm/init as PID 1, kernel modules that init loads (decompressed, with
# their dependencies and a load order), modules under test that the payload
# loads itself, the payload, firmware files and host programs with their
# shared libraries, and always what init needs to put /lib/firmware on ext4.
# The image depends only on its inputs (fixed times, owners and order), so
# two builds of the same inputs are byte-identical.
#
# Layout of the image:
#   /init                          tests/vm/init
#   /bin/busybox + applet links
#   /lib/modules/<release>/        kernel/... (from --kmod), modules.dep,
#                                  modules.alias, modules.builtin, and
#                                  modules.load (init's load order)
#   /lib/modules/extra/            --module files; <release>/extra links here
#   /payload                       --payload
#   /lib/firmware                  --firmware
#   /usr/bin                       --bin programs and mke2fs; their
#                                  libraries keep their host paths
#   /usr/lib/udev/rules.d          --udev: userspace/udev/*.rules, with
#                                  udevadm in /usr/bin and systemd-udevd
#                                  (a link to it) in /lib/systemd
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
umask 022

usage() {
	cat <<EOF
usage: ${0##*/} --kernel SERIES --out FILE [options]
  --kernel SERIES   a kernel under build/kernels (6.1, 6.12)
  --out FILE        the image: .gz gzip, .zst zstd, anything else plain cpio
  --module PATH     external module (.ko, .ko.xz, .ko.zst) for /lib/modules/extra;
                    not loaded by init (its kernel dependencies are)
  --kmod NAME       kernel module that init loads, dependencies first
  --payload DIR     copied to /payload; /payload/run is the test
  --firmware DIR    copied to /lib/firmware (symlinks kept)
  --bin PATH        host program for /usr/bin, with the libraries ldd lists
  --udev            systemd-udevd and udevadm (package udev), and our udev rules
All options but --kernel, --out and --udev may be repeated.
EOF
}

die() { echo "mkinitramfs: $*" >&2; exit 2; }

series='' out='' udev=''
modules=() kmods=() payloads=() firmwares=() bins=()
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	--udev) udev=1; shift; continue ;;
	--kernel|--out|--module|--kmod|--payload|--firmware|--bin)
		[ $# -ge 2 ] || die "$1 needs a value"
		case $1 in
		--kernel) series=$2 ;;
		--out) out=$2 ;;
		--module) modules+=("$2") ;;
		--kmod) kmods+=("$2") ;;
		--payload) payloads+=("$2") ;;
		--firmware) firmwares+=("$2") ;;
		--bin) bins+=("$2") ;;
		esac
		shift 2 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
done
if [ -z "$series" ] || [ -z "$out" ]; then
	usage >&2
	die "--kernel and --out are required"
fi

kdir=$top/build/kernels/$series
[ -r "$kdir/release" ] || die "no kernel '$series' in build/kernels (run scripts/fetch-kernels.sh)"
release=$(<"$kdir/release")
kmoddir=$kdir/modules/

root=$(mktemp -d "${TMPDIR:-/tmp}/fwverify-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
moddir=$root/lib/modules/$release

# --- busybox, init, skeleton -------------------------------------------------

add_base() {
	local applet
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root,etc,payload} \
		"$root/lib/firmware" "$root/lib/modules/extra" "$moddir"
	ln -s ../extra "$moddir/extra"
	ldd /bin/busybox >/dev/null 2>&1 &&
		die "/bin/busybox is dynamically linked (install busybox-static)"
	cp /bin/busybox "$root/bin/busybox"
	for applet in $(/bin/busybox --list-full); do
		[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
	done
	install -m 0755 "$top/tests/vm/init" "$root/init"
	# The kernel opens /dev/console for init before devtmpfs is mounted;
	# without root this fails and init reopens it after mounting /dev.
	mknod -m 0600 "$root/dev/console" c 5 1 2>/dev/null || true
}

# --- kernel modules ------------------------------------------------------------

declare -A kmod_src	# module name -> file under $kmoddir
declare -A kmod_dst	# module name -> file under $moddir, once added
declare -A kmod_deps	# module name -> names it depends on
load_order=()		# files under $moddir, dependencies first

modname() {
	local n=${1##*/}
	n=${n%%.ko*}
	echo "${n//-/_}"
}

index_kmods() {
	local f n
	while IFS= read -r f; do
		n=${f##*/} n=${n%%.ko*}	# modname without a fork per file
		kmod_src[${n//-/_}]=$f
	done < <(cd "$kmoddir" && find kernel updates extra -name '*.ko*' 2>/dev/null)
}

is_builtin() {
	sed 's/-/_/g' "$kmoddir/modules.builtin" 2>/dev/null | grep -q "/$1\.ko\$"
}

# Copy a module, decompressing it: busybox insmod takes plain ELF only.
put_module() {
	local src=$1 dst=$2
	mkdir -p "$(dirname "$dst")"
	case $src in
	*.ko.xz) xz -dc "$src" >"$dst" ;;
	*.ko.zst) zstd -qdc "$src" >"$dst" ;;
	*.ko.gz) gzip -dc "$src" >"$dst" ;;
	*.ko) cp "$src" "$dst" ;;
	*) die "$src: not a kernel module (.ko, .ko.xz, .ko.zst, .ko.gz)" ;;
	esac
}

depends_of() {
	modinfo -F depends "$1" | tr ',' ' '
}

# Add a kernel module and, first, what it depends on.  QUIET=1: no note
# when it is built in.
add_kmod() {
	local name
	name=$(modname "$1")
	[ -z "${kmod_dst[$name]:-}" ] || return 0
	if [ -z "${kmod_src[$name]:-}" ]; then
		is_builtin "$name" || die "kernel module '$1' not found in $kmoddir"
		[ -n "${QUIET:-}" ] || echo "mkinitramfs: note: $name is built into $release" >&2
		return 0
	fi
	local rel=${kmod_src[$name]} dep
	rel=${rel%.xz} rel=${rel%.zst} rel=${rel%.gz}
	kmod_dst[$name]=$rel
	put_module "$kmoddir/${kmod_src[$name]}" "$moddir/$rel"
	kmod_deps[$name]=$(depends_of "$moddir/$rel")
	for dep in ${kmod_deps[$name]}; do
		add_kmod "$dep"
	done
	load_order+=("$rel")
}

add_external() {
	local src=$1 name vermagic dep
	[ -f "$src" ] || die "--module $src: no such file"
	name=$(modname "$src")
	[ -z "${kmod_dst[$name]:-}" ] || die "--module $src: a module '$name' is already in the image"
	put_module "$src" "$root/lib/modules/extra/$name.ko"
	vermagic=$(modinfo -F vermagic "$root/lib/modules/extra/$name.ko")
	[ "${vermagic%% *}" = "$release" ] ||
		echo "mkinitramfs: warning: $src is built for '${vermagic%% *}', the kernel is '$release'" >&2
	kmod_dst[$name]=extra/$name.ko
	kmod_deps[$name]=$(depends_of "$root/lib/modules/extra/$name.ko")
	for dep in ${kmod_deps[$name]}; do
		add_kmod "$dep"
	done
}

# Every module a module needs, each once, in load order.
closure() {
	local dep
	for dep in ${kmod_deps[$1]}; do
		dep=$(modname "$dep")
		[ -n "${kmod_dst[$dep]:-}" ] || continue	# built in
		closure "$dep"
		echo "${kmod_dst[$dep]}"
	done
}

# modules.dep as busybox modprobe reads it: dependencies in reverse load order.
write_module_index() {
	local name
	for name in "${!kmod_dst[@]}"; do
		echo "${kmod_dst[$name]}: $(closure "$name" | awk '!seen[$0]++' | tac | tr '\n' ' ')"
	done | sed 's/ $//' | LC_ALL=C sort >"$moddir/modules.dep"
	# For the kernel's request_module() ("crypto-sha512"), which runs
	# busybox modprobe: it finds modules of the image by alias.
	for name in "${!kmod_dst[@]}"; do
		modinfo -F alias "$moddir/${kmod_dst[$name]}" | sed "s/^/alias /; s/\$/ $name/"
	done | LC_ALL=C sort >"$moddir/modules.alias"
	printf '%s\n' "${load_order[@]}" | sed '/^$/d' >"$moddir/modules.load"
	[ ! -f "$kmoddir/modules.builtin" ] || cp "$kmoddir/modules.builtin" "$moddir/"
}

# --- payload, firmware, programs -----------------------------------------------

copy_tree() {
	[ -d "$1" ] || die "$1: not a directory"
	cp -a --no-preserve=ownership "$1/." "$2/"
}

# The files ldd names for a program: libraries and the dynamic loader.
shared_libs() {
	ldd "$1" 2>/dev/null | awk '
		$2 == "=>" && $3 == "not" { print "?" $1; next }
		$2 == "=>" && $3 ~ /^\// { print $3; next }
		$1 ~ /^\// { print $1 }'
}

add_bin() {
	local src=$1 lib
	if [ ! -f "$src" ] || [ ! -x "$src" ]; then
		die "--bin $src: not an executable file"
	fi
	rm -f "$root/usr/bin/${src##*/}"
	cp -L "$src" "$root/usr/bin/"
	for lib in $(shared_libs "$src"); do
		[[ $lib != \?* ]] || die "--bin $src: library ${lib#?} not found"
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# udevadm is systemd-udevd too: it acts on the name it runs under.
add_udev() {
	local udevadm
	udevadm=$(command -v udevadm) || die "--udev: no udevadm (run scripts/setup.sh)"
	add_bin "$udevadm"
	mkdir -p "$root/lib/systemd" "$root/usr/lib/udev/rules.d" "$root/run"
	ln -sf /usr/bin/udevadm "$root/lib/systemd/systemd-udevd"
	cp "$top"/userspace/udev/*.rules "$root/usr/lib/udev/rules.d/"
}

# What tests/vm/init needs to put /lib/firmware on ext4 (a loop device on an
# image that mke2fs makes and fills): the modules, dependencies first, where
# they are not built in, and e2fsprogs' mke2fs (busybox's makes ext2 only).
# crc32c_generic (ext4's metadata checksums) is loaded before ext4 where it is
# a module: busybox modprobe does not follow ext4's softdep on it.
add_firmware_fs() {
	local mke2fs
	QUIET=1 add_kmod loop
	if [ -n "${kmod_src[crc32c_generic]:-}" ]; then
		QUIET=1 add_kmod crc32c_generic
	fi
	QUIET=1 add_kmod ext4
	mke2fs=$(PATH=$PATH:/usr/sbin:/sbin command -v mke2fs) ||
		die "no mke2fs (package e2fsprogs)"
	add_bin "$mke2fs"
}

# --- archive -------------------------------------------------------------------

write_archive() {
	local tmp=$out.tmp.$$ compress
	case $out in
	*.gz) compress="gzip -n -6" ;;
	*.zst) compress="zstd -q -10" ;;
	*) compress="cat" ;;
	esac
	find "$root" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} +
	(cd "$root" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 --reproducible) | $compress >"$tmp"
	mv "$tmp" "$out"
}

add_base
index_kmods
add_firmware_fs
for m in "${kmods[@]}"; do add_kmod "$m"; done
for m in "${modules[@]}"; do add_external "$m"; done
write_module_index
for d in "${payloads[@]}"; do copy_tree "$d" "$root/payload"; done
for d in "${firmwares[@]}"; do copy_tree "$d" "$root/lib/firmware"; done
for b in "${bins[@]}"; do add_bin "$b"; done
[ -z "$udev" ] || add_udev
[ ${#payloads[@]} -eq 0 ] || [ -x "$root/payload/run" ] ||
	echo "mkinitramfs: warning: the payload has no executable 'run'" >&2
write_archive
