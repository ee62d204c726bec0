#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build what every VM run shares: the test PKI, the tool, the kselftests and
# the test firmware tree (build/vm/firmware, /lib/firmware in the VM).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# Suites run side by side (scripts/test.sh): one of them builds, the others
# wait and find it done.
mkdir -p build/vm
exec 7>build/vm/.prepare.lock
flock 7
tests/pki/gen.sh "$top/build/pki"
make -s -C userspace
tests/pki/gen-trust.sh
make -s -C tests/kselftest
stamp=build/vm/firmware/.stamp
if [ ! -f "$stamp" ] || [ -n "$(find tests/kselftest/mkfwtree.sh userspace/fwverify build/pki -newer "$stamp" | head -1)" ]; then
	rm -rf build/vm/firmware
	tests/kselftest/mkfwtree.sh "$top/build/vm/firmware" "$top/build/pki" "$top/userspace/fwverify"
	scripts/fetch-regdb.sh "$top/build/vm/firmware"
	touch "$stamp"
fi
# The test module trusts the test PKI and Debian's regulatory.db signer.
# Replaced whole: a run that did not wait for the lock may be reading it.
echo "$(cat build/pki/trusted.list),$top/build/vm/regdb-signer.pem" >build/vm/trusted.list.tmp
mv build/vm/trusted.list.tmp build/vm/trusted.list
