#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build.sh [SUITES...]: the in-tree form, proven.  Unpack Debian's
# linux-source-<V> (INTREE_SERIES=V, default 6.12; 7.3 too) into
# build/intree/linux-<V>, put fwverify in it (install.sh, with the loader
# patch), configure a small kernel (tinyconfig + config.fragment, the test
# PKI's certificates in CONFIG_SECURITY_FWVERIFY_CERTS), build it with W=1
# and sparse on security/fwverify, and register it as the VM kernel
# "intree-<V>".  Then run the VM suites on it (default: the kselftests and
# the tool's tests), with TAP output, and print how long each step took.
# The kernel is built from source with the host's compiler: only modules
# built against a packaged kernel need that kernel's own (buildroot.sh).
#
# Slow (minutes): not part of scripts/test.sh; `make intree` runs it.
# INTREE_JOBS=N overrides the build's parallelism (default: nproc).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

die() { echo "intree: $*" >&2; exit 2; }
step() { echo "# intree: $1 ($((SECONDS - t0)) s)"; t0=$SECONDS; }

ver=${INTREE_SERIES:-6.12}
series=intree-$ver
# Debian 12 installs linux-source-6.12; 7.3's comes from trixie-backports
# into the cache, at the version of the kernel the VM runs.
tarball=$(scripts/fetch-source.sh --tarball "$ver") || die "no linux-source-$ver"
work=build/intree
src=$work/linux-$ver
jobs=${INTREE_JOBS:-$(nproc)}
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(vm tool)
start=$SECONDS t0=$SECONDS

[ -f "$tarball" ] || die "$tarball missing (scripts/setup.sh installs linux-source-6.12)"
scripts/vm-prepare.sh >/dev/null || die "scripts/vm-prepare.sh failed"

# A tree per tarball: a new linux-source package unpacks afresh.
stamp=$(stat -c %Y-%s "$tarball")
if [ "$(cat "$src/.fwverify-stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$src"
	mkdir -p "$src"
	tar -C "$src" --strip-components=1 -xJf "$tarball" || die "cannot unpack $tarball"
	echo "$stamp" >"$src/.fwverify-stamp"
	step "unpacked linux-source-$ver"
fi

scripts/intree/install.sh "$src" || exit 2

certs=$(tr , ' ' <build/vm/trusted.list)
(
	cd "$src" &&
	make -s tinyconfig &&
	scripts/kconfig/merge_config.sh -m .config "$top/scripts/intree/config.fragment" >/dev/null &&
	scripts/config --set-str SECURITY_FWVERIFY_CERTS "$certs" &&
	make -s olddefconfig
) || die "configuration failed"
# Every line of the fragment must have survived olddefconfig, unless this
# version's Kconfig has no such option any more (7.x folded PROC_SYSCTL
# into SYSCTL): that is said, not fatal.
declared() {
	grep -rqs --include='Kconfig*' -E "^[[:space:]]*(menu)?config $1\$" "$src"
}
missing=0
while read -r line; do
	case $line in
	CONFIG_*=*|"# CONFIG_"*" is not set")
		grep -qxF "$line" "$src/.config" && continue
		opt=${line#"# "}
		opt=${opt#CONFIG_}
		opt=${opt%%[= ]*}
		if ! declared "$opt"; then
			echo "# intree: Linux $ver has no CONFIG_$opt: left out"
			continue
		fi
		echo "intree: not in .config: $line" >&2
		missing=1 ;;
	esac
done <scripts/intree/config.fragment
[ $missing = 0 ] || die "the fragment's options do not all apply (dependencies?)"
step "configured (tinyconfig + scripts/intree/config.fragment)"

nice make -C "$src" -s -j"$jobs" bzImage modules 2>&1 | grep -v '^Skipping BTF'
[ "${PIPESTATUS[0]}" = 0 ] || die "kernel build failed"
step "built bzImage and modules with -j$jobs"

# fwverify's own objects again with W=1 and sparse: any warning fails.
# The host's sparse (0.6.4) does not know 7.x's C (__typeof_unqual__):
# then the trixie build root's newer one checks (buildroot.sh exec), and
# KBUILD_CHECKSRC on the command line keeps kbuild from dropping the
# check, which it would after its own test of the checker (in the host's
# /tmp, which the build root does not see).  Every unit must be checked.
checker=sparse
[ "$("$src/scripts/checker-valid.sh" sparse -m64 2>/dev/null || echo 1)" = 1 ] ||
	checker="$top/scripts/buildroot.sh exec trixie -- sparse"
touch "$src"/security/fwverify/*.c
out=$(make -C "$src" -j"$jobs" W=1 KBUILD_CHECKSRC=1 CHECK="$checker" security/fwverify/ 2>&1 |
	grep -v -e 'specified, but .* is not available or not up to date')
# What is not kbuild's "  TAG     file" nor make's directory lines is a warning.
warn=$(grep -vE -e '^ +[A-Z][A-Z0-9_]* +[^ ]' -e '^make(\[[0-9]+\])?: (Entering|Leaving) directory' <<<"$out" || true)
files=("$src"/security/fwverify/*.c)
units=${#files[@]}
checked=$(grep -cE '^ +CHECK +security/fwverify/[a-z_]+\.c$' <<<"$out" || true)
if [ -n "$warn" ] || [ "$checked" -lt "$units" ]; then
	echo "$warn"
	die "W=1 or sparse warnings in security/fwverify, or sparse checked only $checked of $units units"
fi
# Back to the flags the kernel was built with.
make -C "$src" -s -j"$jobs" bzImage >/dev/null || die "rebuild failed"
step "security/fwverify clean with W=1 and sparse ($checked units, $checker)"

grep -q 'fwverify' "$src/System.map" || die "no fwverify symbols in the kernel"
release=$(make -C "$src" -s kernelrelease)
rm -rf "$work/mods"
make -C "$src" -s INSTALL_MOD_PATH="$top/$work/mods" modules_install >/dev/null ||
	die "modules_install failed"
kdir=build/kernels/$series
mkdir -p "$kdir"
ln -sfn "$top/$src/arch/x86/boot/bzImage" "$kdir/vmlinuz"
ln -sfn "$top/$work/mods/lib/modules/$release" "$kdir/modules"
echo "$release" >"$kdir/release"
echo "fwverify is built into this kernel (scripts/intree/build.sh)" >"$kdir/builtin"
echo "# intree: kernel $release, fwverify built in; total build $((SECONDS - start)) s"

rc=0
for s in "${suites[@]}"; do
	t0=$SECONDS
	case $s in
	vm)
		VM_WORK=build/vm-$series VM_LOGDIR=build/vm-logs/$series KMOD_OUT=build/kmod/$series \
			scripts/vm-test.sh "$series" || rc=1 ;;
	tool)
		tests/pki/gen-signd.sh build/pki-signd >/dev/null || die "gen-signd failed"
		VM_UDEV=1 VM_KMODS="af_alg algif_hash crypto_user" VM_WORK=build/vm-$series-tool \
			VM_LOGDIR=build/vm-logs/$series-tool \
			scripts/vm-test.sh "$series" tests/vm/tool/run.sh tests/vm/tool build/pki-signd || rc=1 ;;
	*) die "unknown suite '$s' (vm, tool)" ;;
	esac
	step "suite $s"
done
echo "# intree: done in $((SECONDS - start)) s"
exit $rc
