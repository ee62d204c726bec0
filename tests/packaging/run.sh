#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The packaging suite, in TAP.  It builds the Debian packages from a copy of
# the tree (scripts/package.sh) and runs lintian, then installs them in a
# clean Debian 12 chroot made by debootstrap:
#
#   fwverify       apt brings its dependencies from the mirror; "fwverify
#                  --version" says debian/changelog's version; systemd-analyze
#                  verify accepts each unit.
#   fwverify-dkms  with a MOK key in /var/lib/dkms, the headers of Debian's 6.1
#                  kernel (through linux-headers-amd64) and a fake 5.10 tree,
#                  installing it builds, signs and installs fwverify.ko for 6.1
#                  and skips 5.10; the 6.12 headers installed afterwards
#                  (linux-headers-6.12-amd64) get it too.  Each module's
#                  signature is checked against the MOK certificate, "dkms build"
#                  for 5.10 is refused, and a purge removes everything.  The
#                  module embeds the test PKI's signer, from
#                  /etc/fwverify/module-certs.
#   early loading  Debian's 6.12 kernel image installed in the chroot makes
#                  its initramfs with fwverify's initramfs-tools hook, over a
#                  test firmware tree (signed, unsigned, tampered); the image
#                  is checked, then booted in QEMU with a test boot script
#                  (tests/packaging/early): fwverify loads first, in enforce
#                  mode, the signed blob loads, the others are refused, and
#                  "fwverify status" shows what a driver got before it.
#
# Environment:
#   FWVERIFY_CACHE    cache root (default /var/cache/fwverify); chroot/ keeps
#                     the debootstrap tarball (remade after 30 days) and the
#                     .debs apt fetched
#   FWVERIFY_MIRROR   Debian mirror (default http://deb.debian.org/debian)
#   FWVERIFY_SECURITY_MIRROR  (default http://deb.debian.org/debian-security)
#   KEEP_CHROOT=1     leave the chroot in build/packaging/chroot
# Logs: build/packaging/*.log.  Must run as root.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/packaging
root=$out/chroot
cache=${FWVERIFY_CACHE:-/var/cache/fwverify}/chroot
mirror=${FWVERIFY_MIRROR:-http://deb.debian.org/debian}
security=${FWVERIFY_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
suite=bookworm
# The kernels, by the meta-package of their headers (never an ABI number).
HEADERS_61=linux-headers-amd64
HEADERS_612=linux-headers-6.12-amd64
FAKE_KERNEL=5.10.0-fake

EARLY_TESTS=10
PLAN=$((24 + EARLY_TESTS))
n=0
failed=0

# ok|fail DESCRIPTION: one TAP line.  diag: stdin as TAP comments.
ok() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
diag() { sed 's/^/# /'; }
# check DESCRIPTION CMD...: ok if CMD succeeds; else not ok with its output.
check() {
	local desc=$1 res
	shift
	if res=$("$@" 2>&1); then
		ok "$desc"
	else
		fail "$desc"
		printf '%s\n' "$res" | tail -n 40 | diag
	fi
}
# The rest of the plan cannot run.
abandon() {
	while [ "$n" -lt "$PLAN" ]; do
		fail "not run: $*"
	done
	finish
}
finish() {
	echo "# packaging: $((n - failed)) passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}

[ "$(id -u)" = 0 ] || { echo "packaging: must run as root" >&2; exit 2; }
mkdir -p "$out" "$cache"

version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
upstream=${version#*:}
upstream=${upstream%-*}

# ---------------------------------------------------------------- the chroot

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
		echo "# packaging: still mounted under $root, not removed" >&2
		return 1
	fi
	[ -n "${KEEP_CHROOT:-}" ] || rm -rf --one-file-system "$root"
}

cleanup() {
	[ -d "$root/var/cache/apt/archives" ] && save_debs
	[ -n "${KEEP_CHROOT:-}" ] && { mounts_under "$root" | sort -r | xargs -r umount -l; return; }
	chroot_down
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_chroot() {
	nice -n 10 chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
apt_in() { in_chroot apt-get -y -q -o Dpkg::Use-Pty=0 --no-install-recommends "$@"; }

# The .debs apt fetched in earlier runs are linked in, and the new ones out.
load_debs() {
	mkdir -p "$cache/archives"
	find "$cache/archives" -name '*.deb' -exec cp -l -t "$root/var/cache/apt/archives/" {} + 2>/dev/null ||
		find "$cache/archives" -name '*.deb' -exec cp -t "$root/var/cache/apt/archives/" {} +
}
save_debs() {
	in_chroot apt-get -q autoclean >/dev/null 2>&1
	rm -rf "$cache/archives.new"
	mkdir -p "$cache/archives.new"
	find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' \
		-exec cp -l -t "$cache/archives.new/" {} + 2>/dev/null ||
		find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' \
			-exec cp -t "$cache/archives.new/" {} +
	rm -rf "$cache/archives"
	mv "$cache/archives.new" "$cache/archives"
}

# A minbase bookworm, from a tarball remade when missing or 30 days old.
chroot_up() {
	local tarball=$cache/$suite-minbase.tar.zst tmp
	if [ -z "$(find "$tarball" -mtime -30 2>/dev/null)" ]; then
		tmp=$cache/debootstrap.tmp
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
	cat >"$root/etc/apt/sources.list" <<-EOF
	deb $mirror $suite main
	deb $mirror $suite-updates main
	deb $security $suite-security main
	EOF
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

# ------------------------------------------------------------ module checks

# The one package META depends on whose name matches PATTERN.
dep_of() {
	in_chroot apt-cache depends --no-recommends --no-suggests "$1" |
		awk -v p="$2" '$1 == "Depends:" && $2 ~ p { print $2; exit }'
}

# The module dkms installed for RELEASE.
module_of() { find "$root/lib/modules/$1/updates/dkms" -name 'fwverify.ko*' 2>/dev/null | head -n 1; }

dkms_installed() {
	local rel=$1 st
	st=$(in_chroot dkms status fwverify)
	if ! grep -F "fwverify/$upstream, $rel, " <<<"$st" | grep -q ': installed'; then
		echo "expected 'fwverify/$upstream, $rel, ...: installed' in dkms status, saw:"
		echo "${st:-(nothing)}"
		return 1
	fi
	local ko vm
	ko=$(module_of "$rel")
	[ -n "$ko" ] || { echo "no fwverify.ko* under /lib/modules/$rel/updates/dkms"; return 1; }
	vm=$(modinfo -F vermagic "$ko")
	[ "${vm%% *}" = "$rel" ] || { echo "vermagic of $ko: expected $rel, saw '$vm'"; return 1; }
	grep -q "updates/dkms/fwverify.ko" "$root/lib/modules/$rel/modules.dep" ||
		{ echo "fwverify is not in /lib/modules/$rel/modules.dep (depmod)"; return 1; }
}

# modinfo's signer, key and signature type against the MOK certificate,
# which must still be the one the test made (dkms makes its own if it finds
# none).
signed_by_mok() {
	local ko cn serial signer key sig_id
	ko=$(module_of "$1")
	[ -n "$ko" ] || { echo "no module for $1"; return 1; }
	cn=$(openssl x509 -inform DER -in "$root/var/lib/dkms/mok.pub" -noout -subject -nameopt multiline |
		sed -n 's/^ *commonName *= *//p')
	[ "$cn" = "$mok_cn" ] ||
		{ echo "/var/lib/dkms/mok.pub: expected the test's key '$mok_cn', saw '$cn'"; return 1; }
	serial=$(openssl x509 -inform DER -in "$root/var/lib/dkms/mok.pub" -noout -serial | sed 's/^serial=//')
	signer=$(modinfo -F signer "$ko")
	key=$(modinfo -F sig_key "$ko")
	sig_id=$(modinfo -F sig_id "$ko")
	[ "$signer" = "$cn" ] || { echo "signer of $ko: expected '$cn', saw '$signer'"; return 1; }
	[ "$sig_id" = "PKCS#7" ] || { echo "sig_id of $ko: expected 'PKCS#7', saw '$sig_id'"; return 1; }
	norm() { tr -d ':\n' | tr a-f A-F | sed 's/^0*//'; }
	[ "$(norm <<<"$key")" = "$(norm <<<"$serial")" ] ||
		{ echo "sig_key of $ko: expected the MOK serial $serial, saw '$key'"; return 1; }
}

# Split the module into its content and its PKCS#7 signature (the layout
# scripts/sign-file appends: content, signature, struct module_signature,
# magic) and verify it with openssl against the MOK certificate; then check
# that a copy with one byte changed does not verify.
sig_verifies() {
	local ko tmp size siglen body rc=0
	ko=$(module_of "$1")
	[ -n "$ko" ] || { echo "no module for $1"; return 1; }
	tmp=$(mktemp -d)
	case $ko in
	*.xz) xz -dc "$ko" >"$tmp/m" ;;
	*.zst) zstd -qdc "$ko" >"$tmp/m" ;;
	*.gz) gzip -dc "$ko" >"$tmp/m" ;;
	*) cp "$ko" "$tmp/m" ;;
	esac
	if [ "$(tail -c 28 "$tmp/m")" != "~Module signature appended~" ]; then
		echo "$ko has no module signature at its end"
		rm -rf "$tmp"
		return 1
	fi
	size=$(stat -c %s "$tmp/m")
	siglen=$(tail -c 32 "$tmp/m" | head -c 4 | od -An -tu4 --endian=big | tr -d ' ')
	body=$((size - 28 - 12 - siglen))
	head -c "$body" "$tmp/m" >"$tmp/body"
	tail -c +$((body + 1)) "$tmp/m" | head -c "$siglen" >"$tmp/sig"
	openssl x509 -inform DER -in "$root/var/lib/dkms/mok.pub" -out "$tmp/mok.pem"
	verify() {
		openssl cms -verify -binary -inform DER -in "$tmp/sig" -content "$1" \
			-certfile "$tmp/mok.pem" -noverify -out /dev/null
	}
	if ! verify "$tmp/body"; then
		echo "the signature of $ko does not verify against /var/lib/dkms/mok.pub"
		rc=1
	fi
	cp "$tmp/body" "$tmp/tampered"
	printf 'X' | dd of="$tmp/tampered" bs=1 seek=0 conv=notrunc status=none
	if verify "$tmp/tampered" 2>/dev/null; then
		echo "a tampered copy of $ko verifies: the check proves nothing"
		rc=1
	fi
	rm -rf "$tmp"
	return $rc
}

refused() {
	local res rc
	res=$(in_chroot dkms build "fwverify/$upstream" -k "$FAKE_KERNEL" 2>&1)
	rc=$?
	printf '%s\n' "$res" >"$out/dkms-refuse.log"
	[ "$rc" = 77 ] || { echo "dkms build for $FAKE_KERNEL: expected exit 77, saw $rc:"; echo "$res"; return 1; }
	grep -q "BUILD_EXCLUSIVE directive which does not match this kernel" <<<"$res" ||
		{ echo "expected dkms's BUILD_EXCLUSIVE message, saw:"; echo "$res"; return 1; }
	[ ! -e "$root/var/lib/dkms/fwverify/$upstream/$FAKE_KERNEL" ] ||
		{ echo "dkms made /var/lib/dkms/fwverify/$upstream/$FAKE_KERNEL"; return 1; }
	[ -z "$(find "$root/lib/modules/$FAKE_KERNEL" -name 'fwverify.ko*')" ] ||
		{ echo "a fwverify.ko appeared under /lib/modules/$FAKE_KERNEL"; return 1; }
}

purged() {
	local rel leftovers
	apt_in purge fwverify-dkms >"$out/purge.log" 2>&1 ||
		{ tail -n 20 "$out/purge.log"; return 1; }
	leftovers=$(
		for rel in "$@"; do module_of "$rel"; done
		ls -d "$root/usr/src/fwverify-$upstream" "$root/var/lib/dkms/fwverify" \
			"$root/etc/modprobe.d/fwverify.conf" 2>/dev/null
	)
	[ -z "$leftovers" ] || { echo "left after purge:"; echo "$leftovers"; return 1; }
}

# ---------------------------------------------------------- payload checks

deb_files() { dpkg-deb --fsys-tarfile "$1" | tar -t | sed 's|^\./|/|'; }

# Each file of LIST is in the package (the list comes on stdin).
deb_has() {
	local deb=$1 files missing
	files=$(deb_files "$deb")
	missing=$(grep -vxF -f <(printf '%s\n' "$files") || true)
	[ -z "$missing" ] || { echo "missing from $(basename "$deb"):"; echo "$missing"; return 1; }
}

dkms_payload() {
	local deb=$1 src=/usr/src/fwverify-$upstream tmp conf
	{
		echo "$src/dkms.conf"
		(cd "$top" && ls Kbuild kmod/Kbuild kmod/no-certs.der kmod/*.[chS] kmod/compat/*.h kmod/uapi/*.h) |
			sed "s|^|$src/|"
		echo /etc/modprobe.d/fwverify.conf
		echo /usr/lib/modules-load.d/fwverify.conf
		for f in hooks/fwverify scripts/init-top/fwverify; do
			if [ -e "$top/initramfs-tools/$f" ]; then
				echo "/usr/share/initramfs-tools/$f"
			fi
		done
	} | deb_has "$deb" || return 1
	tmp=$(mktemp -d)
	dpkg-deb -x "$deb" "$tmp"
	conf=$tmp$src/dkms.conf
	grep -qx "PACKAGE_VERSION=\"$upstream\"" "$conf" ||
		{ echo "dkms.conf: expected PACKAGE_VERSION=\"$upstream\", saw:"; grep PACKAGE_VERSION "$conf"; rm -rf "$tmp"; return 1; }
	grep -qx fwverify "$tmp/usr/lib/modules-load.d/fwverify.conf" ||
		{ echo "modules-load.d/fwverify.conf does not load fwverify"; rm -rf "$tmp"; return 1; }
	dpkg-deb -I "$deb" conffiles | grep -qx /etc/modprobe.d/fwverify.conf ||
		{ echo "/etc/modprobe.d/fwverify.conf is not a conffile"; rm -rf "$tmp"; return 1; }
	rm -rf "$tmp"
}

tool_payload() {
	local deb=$1
	deb_has "$deb" <<-EOF || return 1
	/usr/bin/fwverify
	/usr/sbin/fwverify-signd
	/usr/share/man/man1/fwverify.1.gz
	/usr/share/man/man8/fwverify-signd.8.gz
	/usr/share/bash-completion/completions/fwverify
	/lib/udev/rules.d/60-fwverify.rules
	/lib/systemd/system/fwverify-apply.service
	/lib/systemd/system/fwverify-signd.service
	/etc/fwverify/fwverify.conf
	/etc/fwverify/signd.conf
	EOF
	[ "$(dpkg-deb -I "$deb" conffiles | sort | tr '\n' ' ')" = \
		"/etc/fwverify/fwverify.conf /etc/fwverify/signd.conf " ] ||
		{ echo "conffiles: expected the two /etc/fwverify files, saw:"; dpkg-deb -I "$deb" conffiles; return 1; }
}

# Every override in debian/ has a comment right above it (or above the block
# it belongs to) that says why.
overrides_documented() {
	local f bad=0
	for f in "$top"/debian/*lintian-overrides "$top"/debian/source/lintian-overrides; do
		[ -e "$f" ] || continue
		awk -v f="${f#"$top"/}" '
			/^[ \t]*#/ { c = 1; next }
			/^[ \t]*$/ { c = 0; next }
			!c { print f ": no comment says why: " $0; bad = 1 }
			END { exit bad }' "$f" || bad=1
	done
	return $bad
}

lintian_clean() {
	local res
	res=$(lintian -I --show-overrides "$1" 2>&1 | grep -v '^running with root privileges')
	printf '%s\n' "$res" >"$out/lintian.log"
	if grep -qE '^[EW]: ' <<<"$res"; then
		echo "lintian errors or warnings without an override:"
		grep -E '^[EW]: ' <<<"$res"
		return 1
	fi
	printf '%s\n' "$res" | grep -E '^[IO]: ' | diag >&3
}

# ------------------------------------------------------------ early loading

# The test firmware in the chroot: signed, unsigned, changed after signing,
# and one a driver loads before fwverify is there.
early_tree() {
	local d=$root/lib/firmware/fwverify-early pki=$top/build/pki
	rm -rf "$d"
	mkdir -p "$d"
	head -c 3000 /dev/urandom >"$d/good.bin"
	head -c 3000 /dev/urandom >"$d/unsigned.bin"
	head -c 3000 /dev/urandom >"$d/tampered.bin"
	head -c 3000 /dev/urandom >"$d/early.bin"
	in_chroot fwverify sign --key /tmp/rsa-signer.key --cert /tmp/rsa-signer.crt \
		/lib/firmware/fwverify-early/good.bin /lib/firmware/fwverify-early/tampered.bin
	printf 'X' | dd of="$d/tampered.bin" bs=1 seek=100 conv=notrunc status=none
	echo 'FIRMWARE="fwverify-early/*"' >"$root/etc/fwverify/initramfs.conf"
	echo 'options fwverify mode=enforce' >"$root/etc/modprobe.d/fwverify.conf"
	echo test_firmware >>"$root/etc/initramfs-tools/modules"
	sed -i 's/^BUSYBOX=.*/BUSYBOX=y/' "$root/etc/initramfs-tools/initramfs.conf"
	mkdir -p "$root/etc/initramfs-tools/scripts/init-top"
	cp "$top/tests/packaging/early/fwvtest" "$root/etc/initramfs-tools/scripts/"
	cp "$top/tests/packaging/early/early-fwvtest" "$root/etc/initramfs-tools/scripts/init-top/"
	[ -s "$pki/rsa-signer.key" ] && [ -f "$d/good.bin.p7s" ] && [ -f "$d/tampered.bin.p7s" ]
}

# What the hook put in: IMAGE holds each path of stdin (prefix "+") or not
# ("-"); paths are extended regular expressions, @REL@ the kernel release.
initrd_lists() {
	local img=$1 rel=$2 files want path missing='' relre
	files=$(lsinitramfs "$img")
	relre=$(sed 's/[.+]/\\&/g' <<<"$rel")
	while read -r want path; do
		path=${path//@REL@/"$relre"}
		case $want in
		+) grep -qE "^(usr/)?$path\$" <<<"$files" || missing+="missing: $path"$'\n' ;;
		-) ! grep -qE "^(usr/)?$path\$" <<<"$files" || missing+="present: $path"$'\n' ;;
		esac
	done
	[ -z "$missing" ] || { printf '%s' "$missing"; return 1; }
}

early_loading() {
	local rel=$1 img=$out/initrd.img-$1 kernel=$out/vmlinuz-$1 log=$out/early-boot.log line desc
	local hooklog=$out/update-initramfs.log guest=0 st start
	cp "$top/build/pki/rsa-signer.key" "$top/build/pki/rsa-signer.crt" "$root/tmp/"
	start=$SECONDS
	if apt_in install initramfs-tools busybox >"$out/install-image.log" 2>&1 &&
		early_tree >>"$out/install-image.log" 2>&1 &&
		apt_in install "linux-image-$rel" >>"$out/install-image.log" 2>&1 &&
		in_chroot update-initramfs -u -k "$rel" >"$hooklog" 2>&1 &&
		cp "$root/boot/vmlinuz-$rel" "$kernel" && cp "$root/boot/initrd.img-$rel" "$img"; then
		ok "update-initramfs for linux-image-$rel runs fwverify's hook ($((SECONDS - start))s)"
	else
		fail "update-initramfs for linux-image-$rel runs fwverify's hook"
		tail -n 30 "$out/install-image.log" "$hooklog" 2>/dev/null | diag
		local i
		for ((i = 0; i < EARLY_TESTS + 2; i++)); do fail "early loading: not run"; done
		return
	fi
	check "the initramfs holds fwverify.ko, its init-top script, its options, the tool and the signatures" \
		initrd_lists "$img" "$rel" <<-EOF
	+ lib/modules/@REL@/updates/dkms/fwverify\\.ko(\\.xz)?
	+ scripts/init-top/fwverify
	+ etc/modprobe.d/fwverify\\.conf
	+ bin/fwverify
	+ lib/modules/@REL@/kernel/lib/test_firmware\\.ko(\\.xz)?
	+ lib/firmware/fwverify-early/good\\.bin
	+ lib/firmware/fwverify-early/good\\.bin\\.p7s
	+ lib/firmware/fwverify-early/tampered\\.bin\\.p7s
	+ lib/firmware/fwverify-early/unsigned\\.bin
	- lib/firmware/fwverify-early/unsigned\\.bin\\.p7s
	EOF
	check "the hook warns of each firmware file it carries without a signature" grep -qx \
		"W: fwverify: /lib/firmware/fwverify-early/unsigned.bin has no signature: enforce mode refuses it at boot" "$hooklog"

	timeout 300 qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m 1024 -smp 2 \
		-nographic -no-reboot -kernel "$kernel" -initrd "$img" \
		-append "console=ttyS0 quiet boot=fwvtest panic=-1 firmware_class.dyndbg=+p" \
		</dev/null >"$log" 2>&1
	st=$?
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"FWVT: ok "*) desc=${line#FWVT: ok * - }; ok "early boot: $desc"; guest=$((guest + 1)) ;;
		"FWVT: not ok "*) desc=${line#FWVT: not ok * - }; fail "early boot: $desc"; guest=$((guest + 1)) ;;
		"FWVT: #"*) echo "# ${line#FWVT: #}" ;;
		esac
	done < <(tr -d '\r' <"$log" | grep -o 'FWVT: .*')
	if [ "$guest" != "$EARLY_TESTS" ]; then
		echo "# the guest was to run $EARLY_TESTS checks, ran $guest (qemu exit $st; log: $log):"
		tail -n 30 "$log" | diag
		while [ "$guest" -lt "$EARLY_TESTS" ]; do fail "early boot: not run"; guest=$((guest + 1)); done
	fi
}

# ------------------------------------------------------------------ the run

echo "TAP version 13"
echo "1..$PLAN"
# A chroot left by a killed run.
chroot_down || abandon "a chroot from an earlier run is still mounted under $root"

start=$SECONDS
if changes=$("$top/scripts/package.sh" "$out" 2>"$out/package.err"); then
	ok "dpkg-buildpackage builds fwverify $version and fwverify-dkms ($((SECONDS - start))s)"
else
	fail "dpkg-buildpackage builds fwverify and fwverify-dkms"
	tail -n 30 "$out/package.err" | diag
	abandon "the packages did not build"
fi
tool_deb=$out/fwverify_${version}_$(dpkg --print-architecture).deb
dkms_deb=$out/fwverify-dkms_${version}_all.deb

exec 3>&1
check "lintian: no error or warning without an override ($(basename "$changes"))" lintian_clean "$changes"
check "each lintian override says why" overrides_documented
check "fwverify-dkms holds the module sources, dkms.conf ($upstream), modprobe.d and modules-load.d" \
	dkms_payload "$dkms_deb"
check "fwverify holds the tool, the server, man pages, completion, udev rule, units, conffiles" \
	tool_payload "$tool_deb"

start=$SECONDS
if chroot_up >"$out/chroot.log" 2>&1; then
	ok "a clean $suite chroot (debootstrap --variant=minbase, $((SECONDS - start))s)"
else
	fail "a clean $suite chroot (debootstrap --variant=minbase)"
	tail -n 30 "$out/chroot.log" | diag
	abandon "no chroot"
fi

cp "$tool_deb" "$dkms_deb" "$root/tmp/"
start=$SECONDS
if apt_in install "/tmp/$(basename "$tool_deb")" systemd man-db >"$out/install-fwverify.log" 2>&1 &&
	in_chroot dpkg-query -W -f='${Status}\n' fwverify | grep -qx 'install ok installed'; then
	ok "apt installs fwverify with its dependencies from the mirror ($((SECONDS - start))s)"
else
	fail "apt installs fwverify with its dependencies from the mirror"
	tail -n 30 "$out/install-fwverify.log" | diag
fi

seen=$(in_chroot fwverify --version 2>&1)
if [ "$seen" = "fwverify $upstream" ]; then
	ok "fwverify --version says the changelog's version ($upstream)"
else
	fail "fwverify --version says the changelog's version"
	echo "expected 'fwverify $upstream', saw '$seen'" | diag
fi

for unit in fwverify-apply.service fwverify-signd.service; do
	if res=$(in_chroot systemd-analyze verify "/lib/systemd/system/$unit" 2>&1); then
		ok "systemd-analyze verify $unit"
		[ -z "$res" ] || printf '%s\n' "$res" | diag
	else
		fail "systemd-analyze verify $unit"
		printf '%s\n' "$res" | diag
	fi
done

# DKMS: a MOK key made as dkms makes it, with a name of our own; the 6.1
# headers; a fake 5.10 tree whose build fails loudly if dkms ever tries it.
mkdir -p "$root/var/lib/dkms"
mok_cn="fwverify packaging test MOK $(date +%s)"
openssl req -new -x509 -nodes -days 36500 -subj "/CN=$mok_cn" \
	-newkey rsa:2048 -keyout "$root/var/lib/dkms/mok.key" \
	-outform DER -out "$root/var/lib/dkms/mok.pub" >/dev/null 2>&1
mkdir -p "$root/lib/modules/$FAKE_KERNEL/build/include"
printf 'all modules clean:\n\t@echo "fake $(FAKE_KERNEL) tree: dkms must not build here"; false\n' \
	>"$root/lib/modules/$FAKE_KERNEL/build/Makefile"
rel61=$(dep_of "$HEADERS_61" '^linux-headers-') rel61=${rel61#linux-headers-}
rel612=$(dep_of "$HEADERS_612" '^linux-headers-') rel612=${rel612#linux-headers-}
echo "# kernels: $HEADERS_61 -> $rel61, $HEADERS_612 -> $rel612"

# The certificate the module embeds: the test PKI's RSA signer.
"$top/tests/pki/gen.sh" "$top/build/pki" >/dev/null
mkdir -p "$root/etc/fwverify/module-certs"
cp "$top/build/pki/rsa-signer.crt" "$root/etc/fwverify/module-certs/"

start=$SECONDS
if apt_in install "$HEADERS_61" >"$out/install-dkms.log" 2>&1 &&
	apt_in install "/tmp/$(basename "$dkms_deb")" >>"$out/install-dkms.log" 2>&1 &&
	[ "$(awk -v k="Building initial module for $FAKE_KERNEL" '$0 == k { f = 1; next }
		f && /^(Skipped|Done)\.$/ { print; exit }' "$out/install-dkms.log")" = Skipped. ] &&
	[ -n "$(module_of "$rel61")" ]; then
	ok "installing fwverify-dkms builds for $rel61 and skips $FAKE_KERNEL ($((SECONDS - start))s)"
else
	fail "installing fwverify-dkms builds for $rel61 and skips $FAKE_KERNEL"
	tail -n 30 "$out/install-dkms.log" | diag
fi
start=$SECONDS
if apt_in install "$HEADERS_612" >"$out/install-headers.log" 2>&1 && [ -n "$(module_of "$rel612")" ]; then
	ok "installing the $rel612 headers afterwards builds fwverify for it (autoinstall, $((SECONDS - start))s)"
else
	fail "installing the $rel612 headers afterwards builds fwverify for it (autoinstall)"
	tail -n 30 "$out/install-headers.log" | diag
	find "$root/var/lib/dkms/fwverify" -name make.log -exec tail -n 20 {} \; 2>/dev/null | diag
fi

for rel in "$rel61" "$rel612"; do
	check "dkms status: fwverify installed for $rel, in updates/dkms, in modules.dep" dkms_installed "$rel"
done
for rel in "$rel61" "$rel612"; do
	check "fwverify.ko for $rel: modinfo names the MOK certificate (signer, sig_key, PKCS#7)" \
		signed_by_mok "$rel"
done
for rel in "$rel61" "$rel612"; do
	check "fwverify.ko for $rel: its signature verifies against mok.pub; a changed byte does not" \
		sig_verifies "$rel"
done
check "the module embeds the certificates of /etc/fwverify/module-certs (dkms-make.sh)" \
	grep -q "embedding 1 certificate file(s) from /etc/fwverify/module-certs: rsa-signer.crt" \
	"$root/var/lib/dkms/fwverify/$upstream/$rel612/x86_64/log/make.log"
early_loading "$rel612"
check "dkms build for $FAKE_KERNEL is refused (BUILD_EXCLUSIVE, exit 77) and builds nothing" refused
check "purging fwverify-dkms removes the modules, the sources and the configuration" \
	purged "$rel61" "$rel612"

[ "$n" = "$PLAN" ] || fail "the plan said $PLAN tests, $n ran"
finish
