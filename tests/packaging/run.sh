#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run.sh [RELEASE]: the packaging suite, in TAP, on Debian RELEASE: bookworm
# (Debian 12, the default) or trixie (Debian 13).  It builds the Debian
# packages from a copy of the tree (scripts/package.sh) and runs lintian, then
# installs them in a clean chroot of RELEASE made by debootstrap:
#
#   build          bookworm: on the host (a Debian 12); trixie: in the trixie
#                  chroot, with its build dependencies from trixie, and
#                  trixie's lintian.
#   fwverify       apt brings its dependencies from the mirror; "fwverify
#                  --version" says debian/changelog's version; systemd-analyze
#                  verify accepts each unit.
#   fwverify-dkms  with a MOK key in /var/lib/dkms, the headers of the
#                  release's first kernel (HEADERS[0]) and a fake 5.10 tree,
#                  installing it builds, signs and installs fwverify.ko for
#                  that kernel and skips 5.10; the second kernel's image and
#                  headers installed afterwards get it too.  Each module's
#                  signature is checked against the MOK certificate, "dkms
#                  build" for 5.10 is refused, and a purge removes everything.
#                  The module embeds the test PKI's signer, from
#                  /etc/fwverify/module-certs; make.log warns of a kernel
#                  newer than the tested range, and only of such a kernel.
#                      bookworm: 6.1 (linux-headers-amd64), then 6.12
#                                (linux-headers-6.12-amd64)
#                      trixie:   6.12 (linux-headers-amd64), then 7.3
#                                (linux-headers-amd64 of trixie-backports)
#   early loading  the second kernel's image, in the chroot, makes its
#                  initramfs with fwverify's initramfs-tools hook, over a
#                  test firmware tree (signed, unsigned, tampered); the image
#                  is checked, then booted in QEMU with a test boot script
#                  (tests/packaging/early): fwverify loads first, in enforce
#                  mode, the signed blob loads, the others are refused, and
#                  "fwverify status" shows what a driver got before it.
#
# Kernels are named by the meta-package of their headers, never an ABI number.
#
# Environment:
#   FWVERIFY_CACHE    cache root (default /var/cache/fwverify); chroot/ keeps
#                     each release's debootstrap tarball (remade after 30
#                     days) and the .debs apt fetched (archives-<release>)
#   FWVERIFY_MIRROR   Debian mirror (default http://deb.debian.org/debian)
#   FWVERIFY_SECURITY_MIRROR  (default http://deb.debian.org/debian-security)
#   KEEP_CHROOT=1     leave the chroot in build/packaging[-RELEASE]/chroot
# Logs: build/packaging/*.log (bookworm), build/packaging-trixie/*.log.
# Must run as root.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
suite=${1:-bookworm}
# Per release (the suites apt reads are in chroot.sh): the headers
# meta-packages of the two kernels DKMS builds for ("PACKAGE" or
# "PACKAGE/SUITE"), the second one's image booted; whether the packages are built in the chroot (on a host of
# another release) or on the host.
case $suite in
bookworm)
	out=$top/build/packaging
	HEADERS=(linux-headers-amd64 linux-headers-6.12-amd64)
	BUILD_IN_CHROOT=
	LIBROOT=/lib
	;;
trixie)
	out=$top/build/packaging-trixie
	HEADERS=(linux-headers-amd64 linux-headers-amd64/trixie-backports)
	BUILD_IN_CHROOT=1
	LIBROOT=/usr/lib
	;;
*)
	echo "packaging: unknown release '$suite' (bookworm, trixie)" >&2
	exit 2
	;;
esac
root=$out/chroot
# shellcheck source=tests/packaging/chroot.sh
. "$top/tests/packaging/chroot.sh"
FAKE_KERNEL=5.10.0-fake

EARLY_TESTS=10
PLAN=$((25 + EARLY_TESTS))
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

trap chroot_cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------ module checks

# The one package META ("PACKAGE" or "PACKAGE/SUITE") depends on whose name
# matches PATTERN.
dep_of() {
	local opt=()
	[ "${1%/*}" = "$1" ] || opt=(-o APT::Default-Release="${1#*/}")
	in_chroot apt-cache "${opt[@]}" depends --no-recommends --no-suggests "${1%/*}" |
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

# dkms's installation LOG says the fake kernel was skipped, "should not be
# built" (dkms 3.0, Debian 12: "Building initial module for K" ... "Skipped.";
# dkms 3.2, Debian 13: "Building initial module fwverify/V for K" and a
# warning), and built nothing for it.
skipped_fake() {
	awk -v k="$FAKE_KERNEL" '
		/^Building initial module / { f = ($NF == k); next }
		f && /should not be built/ { skipped = 1 }
		f && /^(Done\.|Installing |Building module)/ { built = 1 }
		END { exit !(skipped && !built) }' "$1"
}

refused() {
	local res rc
	res=$(in_chroot dkms build "fwverify/$upstream" -k "$FAKE_KERNEL" 2>&1)
	rc=$?
	printf '%s\n' "$res" >"$out/dkms-refuse.log"
	[ "$rc" = 77 ] || { echo "dkms build for $FAKE_KERNEL: expected exit 77, saw $rc:"; echo "$res"; return 1; }
	tr '\n' ' ' <<<"$res" | grep -q "BUILD_EXCLUSIVE directive which does not match this kernel" ||
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

# The newest series FWVERIFY_TESTED names in the kmod/Kbuild the package
# installed.
tested_newest() {
	sed -n 's/^FWVERIFY_TESTED *:= *//p' "$root/usr/src/fwverify-$upstream/kmod/Kbuild" | awk '{ print $NF }'
}

# Each RELEASE newer than the tested range built with kmod/Kbuild's warning;
# the others without.
range_warnings() {
	local rel series newest log rc=0 want
	newest=$(tested_newest)
	for rel in "$@"; do
		series=$(sed 's/^\([0-9]*\.[0-9]*\).*/\1/' <<<"$rel")
		log=$root/var/lib/dkms/fwverify/$upstream/$rel/x86_64/log/make.log
		want="fwverify is tested on Linux [0-9.]* to $newest, not on $series: building it anyway"
		if [ "$(printf '%s\n' "$newest" "$series" | sort -V | tail -n 1)" != "$newest" ]; then
			grep -q "$want" "$log" || { echo "$log: expected '$want'"; rc=1; }
			echo "$rel is newer than the tested $newest: make.log warns" | diag >&3
		elif grep -q "building it anyway" "$log"; then
			echo "$log: a warning for $series, within the tested range:"
			grep "building it anyway" "$log"
			rc=1
		fi
	done
	return $rc
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
	$LIBROOT/udev/rules.d/60-fwverify.rules
	$LIBROOT/systemd/system/fwverify-apply.service
	$LIBROOT/systemd/system/fwverify-signd.service
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

# CHANGES: the host's lintian, or the chroot's for a build in it.
lintian_clean() {
	local res
	if [ -n "$BUILD_IN_CHROOT" ]; then
		res=$(in_chroot lintian -I --show-overrides "${1#"$root"}" 2>&1)
	else
		res=$(lintian -I --show-overrides "$1" 2>&1)
	fi
	res=$(grep -v '^running with root privileges' <<<"$res")
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
	in_chroot fwverify sign -q --key /tmp/rsa-signer.key --cert /tmp/rsa-signer.crt \
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

# The kernel image of RELEASE: in /boot, or where Debian 13's split
# packages (linux-binary-<release>) put it.
image_of() {
	local f
	for f in "$root/boot/vmlinuz-$1" "$root/usr/lib/modules/$1/vmlinuz"; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	echo "$root/boot/vmlinuz-$1"
}

early_loading() {
	local rel=$1 img=$out/initrd.img-$1 kernel=$out/vmlinuz-$1 log=$out/early-boot.log line desc
	local hooklog=$out/update-initramfs.log guest=0 st start attempt
	cp "$top/build/pki/rsa-signer.key" "$top/build/pki/rsa-signer.crt" "$root/tmp/"
	start=$SECONDS
	if apt_in install initramfs-tools busybox >"$out/install-image.log" 2>&1 &&
		early_tree >>"$out/install-image.log" 2>&1 &&
		apt_in install "${from2[@]}" "linux-image-$rel" >>"$out/install-image.log" 2>&1 &&
		in_chroot update-initramfs -u -k "$rel" >"$hooklog" 2>&1 &&
		cp "$(image_of "$rel")" "$kernel" && cp "$root/boot/initrd.img-$rel" "$img"; then
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

	# A kernel that panics before the initramfs's first script (which
	# prints "FWVT: # init-top") never ran fwverify: that is the emulator
	# or the kernel's own boot, seen once in CI under TCG, and is booted
	# again, once, saying so.  Any later failure counts.
	for attempt in 1 2; do
		timeout 300 qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m 1024 -smp 2 \
			-nographic -no-reboot -kernel "$kernel" -initrd "$img" \
			-append "console=ttyS0 quiet boot=fwvtest panic=-1 firmware_class.dyndbg=+p" \
			</dev/null >"$log" 2>&1
		st=$?
		[ "$attempt" = 1 ] && ! grep -q 'FWVT: ' "$log" && grep -q 'Kernel panic' "$log" || break
		echo "# the kernel panicked before the initramfs ran (qemu exit $st), booting again; the panic:"
		tr -d '\r' <"$log" | grep -m 1 -B 2 -A 12 -E 'BUG:|Oops|general protection|invalid opcode|Kernel panic' | diag
		cp "$log" "$log.1"
	done
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

# ---------------------------------------------------------- build and chroot

# The packages, their lintian and payload checks.  In the chroot, trixie's
# lintian judges them.
build_packages() {
	local start=$SECONDS where=host pkgout=$out f
	if [ -n "$BUILD_IN_CHROOT" ]; then
		where="$suite chroot"
		pkgout=$root/build
	fi
	if changes=$(PACKAGE_CHROOT=${BUILD_IN_CHROOT:+$root} "$top/scripts/package.sh" "$pkgout" 2>"$out/package.err"); then
		ok "dpkg-buildpackage builds fwverify $version and fwverify-dkms (on the $where, $((SECONDS - start))s)"
	else
		fail "dpkg-buildpackage builds fwverify and fwverify-dkms (on the $where)"
		tail -n 30 "$out/package.err" | diag
		abandon "the packages did not build"
	fi
	if [ "$pkgout" != "$out" ]; then
		for f in "$pkgout"/fwverify*_"$version"[_.]*; do
			[ -f "$f" ] && cp "$f" "$out/"
		done
		cp "$pkgout/build.log" "$out/build.log"
	fi
	tool_deb=$out/fwverify_${version}_$(dpkg --print-architecture).deb
	dkms_deb=$out/fwverify-dkms_${version}_all.deb
	if [ -n "$BUILD_IN_CHROOT" ] && ! apt_in install lintian >"$out/install-lintian.log" 2>&1; then
		fail "lintian: no error or warning without an override (lintian does not install)"
		tail -n 20 "$out/install-lintian.log" | diag
	else
		check "lintian: no error or warning without an override ($(basename "$changes"))" lintian_clean "$changes"
	fi
	check "each lintian override says why" overrides_documented
	check "fwverify-dkms holds the module sources, dkms.conf ($upstream), modprobe.d and modules-load.d" \
		dkms_payload "$dkms_deb"
	check "fwverify holds the tool, the server, man pages, completion, udev rule, units, conffiles" \
		tool_payload "$tool_deb"
}

make_chroot() {
	local start=$SECONDS
	if chroot_up >"$out/chroot.log" 2>&1; then
		ok "a clean $suite chroot (debootstrap --variant=minbase, $((SECONDS - start))s)"
	else
		fail "a clean $suite chroot (debootstrap --variant=minbase)"
		tail -n 30 "$out/chroot.log" | diag
		abandon "no chroot"
	fi
}

# ------------------------------------------------------------------ the run

echo "TAP version 13"
echo "1..$PLAN"
# A chroot left by a killed run.
chroot_down || abandon "a chroot from an earlier run is still mounted under $root"

exec 3>&1
# Bookworm builds on the host, trixie in its chroot: the chroot comes first.
if [ -n "$BUILD_IN_CHROOT" ]; then
	make_chroot
	build_packages
else
	build_packages
	make_chroot
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
	if res=$(in_chroot systemd-analyze verify "$LIBROOT/systemd/system/$unit" 2>&1); then
		ok "systemd-analyze verify $unit"
		[ -z "$res" ] || printf '%s\n' "$res" | diag
	else
		fail "systemd-analyze verify $unit"
		printf '%s\n' "$res" | diag
	fi
done

# DKMS: a MOK key made as dkms makes it, with a name of our own; the first
# kernel's headers; a fake 5.10 tree whose build fails loudly if dkms ever tries it.
mkdir -p "$root/var/lib/dkms"
mok_cn="fwverify packaging test MOK $(date +%s)"
openssl req -new -x509 -nodes -days 36500 -subj "/CN=$mok_cn" \
	-newkey rsa:2048 -keyout "$root/var/lib/dkms/mok.key" \
	-outform DER -out "$root/var/lib/dkms/mok.pub" >/dev/null 2>&1
mkdir -p "$root/lib/modules/$FAKE_KERNEL/build/include"
printf 'all modules clean:\n\t@echo "fake $(FAKE_KERNEL) tree: dkms must not build here"; false\n' \
	>"$root/lib/modules/$FAKE_KERNEL/build/Makefile"
rel1=$(dep_of "${HEADERS[0]}" '^linux-headers-') rel1=${rel1#linux-headers-}
rel2=$(dep_of "${HEADERS[1]}" '^linux-headers-') rel2=${rel2#linux-headers-}
echo "# kernels: ${HEADERS[0]} -> $rel1, ${HEADERS[1]} -> $rel2"
# apt-get's options for the second kernel's suite (-t SUITE).
from2=()
[ "${HEADERS[1]%/*}" = "${HEADERS[1]}" ] || from2=(-t "${HEADERS[1]#*/}")
[ -n "$rel1" ] && [ -n "$rel2" ] || abandon "the headers meta-packages ${HEADERS[*]} resolve to no kernel"

# The certificate the module embeds: the test PKI's RSA signer.
"$top/tests/pki/gen.sh" "$top/build/pki" >/dev/null
mkdir -p "$root/etc/fwverify/module-certs"
cp "$top/build/pki/rsa-signer.crt" "$root/etc/fwverify/module-certs/"

start=$SECONDS
if apt_in install "${HEADERS[0]}" >"$out/install-dkms.log" 2>&1 &&
	apt_in install "/tmp/$(basename "$dkms_deb")" >>"$out/install-dkms.log" 2>&1 &&
	skipped_fake "$out/install-dkms.log" &&
	[ -n "$(module_of "$rel1")" ]; then
	ok "installing fwverify-dkms builds for $rel1 and skips $FAKE_KERNEL ($((SECONDS - start))s)"
else
	fail "installing fwverify-dkms builds for $rel1 and skips $FAKE_KERNEL"
	tail -n 30 "$out/install-dkms.log" | diag
fi
# The second kernel as a kernel upgrade brings it: its image and its headers
# (Debian 13's 7.3 headers do not depend on the image, and without its modules
# there is no modules.dep), from the suite they are in.
start=$SECONDS
if apt_in install "${from2[@]}" "${HEADERS[1]%/*}" "$(sed 's/^linux-headers-/linux-image-/' <<<"${HEADERS[1]%/*}")" \
	>"$out/install-headers.log" 2>&1 && [ -n "$(module_of "$rel2")" ]; then
	ok "installing the $rel2 image and headers afterwards builds fwverify for it (autoinstall, $((SECONDS - start))s)"
else
	fail "installing the $rel2 image and headers afterwards builds fwverify for it (autoinstall)"
	tail -n 30 "$out/install-headers.log" | diag
	find "$root/var/lib/dkms/fwverify" -name make.log -exec tail -n 20 {} \; 2>/dev/null | diag
fi

for rel in "$rel1" "$rel2"; do
	check "dkms status: fwverify installed for $rel, in updates/dkms, in modules.dep" dkms_installed "$rel"
done
for rel in "$rel1" "$rel2"; do
	check "fwverify.ko for $rel: modinfo names the MOK certificate (signer, sig_key, PKCS#7)" \
		signed_by_mok "$rel"
done
for rel in "$rel1" "$rel2"; do
	check "fwverify.ko for $rel: its signature verifies against mok.pub; a changed byte does not" \
		sig_verifies "$rel"
done
check "the module embeds the certificates of /etc/fwverify/module-certs (dkms-make.sh)" \
	grep -q "embedding 1 certificate file(s) from /etc/fwverify/module-certs: rsa-signer.crt" \
	"$root/var/lib/dkms/fwverify/$upstream/$rel2/x86_64/log/make.log"
check "dkms's make.log for each kernel newer than the package's tested range, and only there, has the warning that names the range" \
	range_warnings "$rel1" "$rel2"
early_loading "$rel2"
check "dkms build for $FAKE_KERNEL is refused (BUILD_EXCLUSIVE, exit 77) and builds nothing" refused
check "purging fwverify-dkms removes the modules, the sources and the configuration" \
	purged "$rel1" "$rel2"

[ "$n" = "$PLAN" ] || fail "the plan said $PLAN tests, $n ran"
finish
