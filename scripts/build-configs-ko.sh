#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-configs-ko.sh SERIES: build configs.ko for a kernel in build/kernels
# from that kernel's own kernel/configs.c (build/linux-source/SERIES), with
# the kernel's .config embedded, so that the guest has /proc/config.gz.
# Debian builds without CONFIG_IKCONFIG, and the upstream firmware selftests
# read the loader's options from /proc/config.gz.
# Result: build/configs-ko/SERIES/configs.ko
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
series=${1:?usage: build-configs-ko.sh SERIES}

kdir=$top/build/kernels/$series/kdir
src=$top/build/linux-source/$series/kernel/configs.c
out=$top/build/configs-ko/$series
[ -f "$kdir/.config" ] || { echo "build-configs-ko: no $kdir/.config (run scripts/fetch-kernels.sh)" >&2; exit 2; }
[ -f "$src" ] || { echo "build-configs-ko: no $src (run scripts/fetch-source.sh)" >&2; exit 2; }

if [ -f "$out/configs.ko" ] && [ -z "$(find "$src" "$kdir/.config" "$0" -newer "$out/configs.ko" | head -1)" ]; then
	exit 0
fi
rm -rf "$out"
mkdir -p "$out/kernel"
cp "$src" "$out/configs.c"
# What kernel/Makefile does for configs.o: config_data.gz is the .config,
# gzipped; configs.c includes it with .incbin "kernel/config_data.gz".
gzip -n -9 <"$kdir/.config" >"$out/kernel/config_data.gz"
# The assembler looks for the .incbin in its -I directories; the module's
# /proc interface is compiled only under CONFIG_IKCONFIG_PROC, which the
# kernel's own configuration does not set.
cat >"$out/Kbuild" <<KBUILD
obj-m := configs.o
ccflags-y := -DCONFIG_IKCONFIG_PROC -Wa,-I$out
KBUILD
# With the kernel's own compiler (7.3: in the trixie build root).
"$top/scripts/buildroot.sh" run "$kdir" -- make -s -C "$kdir" M="$out" modules 2>&1 | grep -v '^Skipping BTF' || true
[ -f "$out/configs.ko" ] || { echo "build-configs-ko: build failed" >&2; exit 2; }
# The embedded data must be the kernel's .config, byte for byte (gzip stops
# at the end of its stream, the rest of the module is trailing garbage).
off=$(grep -abo IKCFG_ST "$out/configs.ko" | head -n 1 | cut -d: -f1)
tail -c +$((${off:-0} + 9)) "$out/configs.ko" >"$out/embedded.gz"
if [ -z "$off" ] || ! { gzip -dc "$out/embedded.gz" 2>/dev/null || true; } | cmp -s - "$kdir/.config"; then
	echo "build-configs-ko: $out/configs.ko does not carry $kdir/.config" >&2
	rm -f "$out/configs.ko"
	exit 2
fi
rm -f "$out/embedded.gz"
