#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-test.sh SERIES [PAYLOAD] [EXTRA-FILES...]: build fwverify.ko (with the
# test PKI's certificates embedded), the tool and its signing server, the
# kselftests and the test firmware tree, and run PAYLOAD (default:
# tests/kselftest/run_vm.sh) in the VM on kernel SERIES, with each
# EXTRA-FILE under /payload.  Exit status and TAP output are the payload's.
# VM_UDEV=1 adds systemd-udevd, udevadm and userspace/udev/*.rules to the image.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
series=${1:?usage: vm-test.sh SERIES [PAYLOAD] [EXTRA-FILES...]}
payload=${2:-tests/kselftest/run_vm.sh}
shift $(($# >= 2 ? 2 : 1))
vm=build/vm
work=${VM_WORK:-$vm}	# payload and image: separate runs use separate VM_WORK
j=-j$(nproc)

scripts/vm-prepare.sh
kout=${KMOD_OUT:-build/kmod/$series}	# separate trees for concurrent builds
[[ $kout == /* ]] || kout=$top/$kout
modargs=()
if [ -e "build/kernels/$series/builtin" ]; then
	# A kernel with fwverify built in (scripts/intree/build.sh): no module.
	:
else
	# Suites of one kernel share its module tree: one builds at a time, and
	# holds it until its initramfs has the module.
	mkdir -p "$kout"
	exec 7>"$kout/.build.lock"
	flock 7
	rm -f "$kout/kmod/fwverify.ko"
	make -s "$j" module KVER="$series" KMOD_OUT="$kout" FWVERIFY_CERTS="$(cat build/vm/trusted.list)" \
		2>&1 | grep -v '^Skipping BTF' || true
	[ -f "$kout/kmod/fwverify.ko" ] || { echo "vm-test: module build failed" >&2; exit 2; }
	modargs+=(--module "$kout/kmod/fwverify.ko")
fi

pl=$work/payload-$series
rm -rf "$pl"
mkdir -p "$pl"
cp "$payload" "$pl/run"
cp build/kselftest/* "$pl/"
# The test keys: tests sign firmware they make at run time.
mkdir -p "$pl/pki"
cp build/pki/*.key build/pki/*.crt "$pl/pki/"
cp -r build/pki-trust "$pl/pki-trust"
for f in "$@"; do cp -r "$f" "$pl/"; done

# Kernel modules the tests need that are not built in: test_firmware, and
# the hashes a signature may use (only modules in the image can be
# modprobed).  Not sha256-ssse3, which udev loads on hardware and fwverify
# asks for: under TCG its emulated AVX2 is about 3x slower than generic C.
kmods=(--kmod test_firmware)
for m in sha512_generic fuse ${VM_KMODS:-}; do
	if find "build/kernels/$series/modules/kernel" -name "$m.ko*" | grep -q .; then
		kmods+=(--kmod "$m")
	fi
done

mkdir -p "$work"
cfg80211=$(find "build/kernels/$series/modules/kernel/net/wireless" -name 'cfg80211.ko*' 2>/dev/null | head -n 1)
[ -z "$cfg80211" ] || modargs+=(--module "$cfg80211")
scripts/mkinitramfs.sh --kernel "$series" --out "$work/initrd-$series.cpio.gz" \
	"${modargs[@]}" "${kmods[@]}" \
	--payload "$pl" --firmware "${VM_FIRMWARE:-$vm/firmware}" --bin userspace/fwverify --bin userspace/fwverify-signd \
	--bin "$(command -v keyctl)" \
	${VM_UDEV:+--udev}
exec 7>&-
exec scripts/vm-run.sh --kernel "$series" --initrd "$work/initrd-$series.cpio.gz" \
	--timeout "${VM_TIMEOUT:-900}" --log-dir "${VM_LOGDIR:-build/vm-logs/$series}" \
	--append "${VM_APPEND:-}"
