# SPDX-License-Identifier: GPL-2.0
# verify --kernel: the module's check file decides (a fake sysfs tree here;
# tests/vm/tool/t-verify.sh asks the real module).  Sourced by run.sh.

vk=$tmp/verify-kernel
mkdir -p "$vk/sys/kernel/security/fwverify" "$vk/fw"
printf 'firmware' >"$vk/fw/a.bin"

usage_error "verify with neither --ca nor --kernel" verify "$vk/fw/a.bin"
usage_error "verify --kernel with --ca" verify --kernel --ca "$pki/rsa-signer.crt" "$vk/fw/a.bin"
usage_error "verify --kernel with --sig" verify --kernel --sig x "$vk/fw/a.bin"

run env FWVERIFY_SYSFS="$tmp/verify-kernel-none" "$fwverify" verify --kernel "$vk/fw/a.bin"
expect "verify --kernel without the module: exit 2" 2 '^$' 'module is not loaded'

# The fake check file holds a canned answer; the tool appends the path it asks about.
printf 'result=verified\naction=allowed\nreason=\nerrno=0\nsigner=Test Signer\ndigest=sha256:00\nsize=8\nname=a.bin\npath=%s\n' \
	"$vk/fw/a.bin" >"$vk/sys/kernel/security/fwverify/check"
run env -C "$vk/fw" FWVERIFY_SYSFS="$vk/sys" "$fwverify" verify --kernel a.bin
expect "verify --kernel: verified by the module, exit 0" 0 '^a\.bin: verified \(signer: Test Signer\)$'
result "verify --kernel asks about the absolute path" \
	"$(grep -qx "$vk/fw/a.bin" "$vk/sys/kernel/security/fwverify/check"; echo $?)" "the path in the check file"

printf 'result=unsigned\naction=denied\nreason=no signature\nerrno=61\nsigner=\n' \
	>"$vk/sys/kernel/security/fwverify/check"
run env FWVERIFY_SYSFS="$vk/sys" "$fwverify" verify --kernel "$vk/fw/a.bin"
expect "verify --kernel: unsigned, denied: exit 1" 1 'a\.bin: unsigned: no signature \(a load would be denied\)$'

run env FWVERIFY_SYSFS="$vk/sys" "$fwverify" verify --kernel "$vk/fw/missing.bin"
expect "verify --kernel of a missing file: exit 2" 2 '^$' 'missing\.bin: cannot resolve'
