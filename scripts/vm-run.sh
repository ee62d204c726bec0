#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a Debian kernel from build/kernels in QEMU (TCG) with an initramfs made
# by mkinitramfs.sh, stream the payload's output and exit with its status.
#
#   ttyS0  kernel console -> LOGDIR/console.log (its tail is shown on failure)
#   ttyS1  payload output -> stdout, live, and LOGDIR/output.log
#
# Exit status: the payload's, from the "FWVERIFY-VM-EXIT: <n>" line init
# prints after it; 124 when the timeout struck; 125 when the guest ended
# without that line (panic, oops, WARN, init failure, QEMU failure).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

usage() {
	cat <<EOF
usage: ${0##*/} --kernel SERIES --initrd FILE [options]
  --kernel SERIES     a kernel under build/kernels (6.1, 6.12)
  --initrd FILE       an image from scripts/mkinitramfs.sh
  --timeout SECONDS   kill the VM and fail after this long (default 600)
  --log-dir DIR       console.log, output.log, qemu.log (default build/vm-logs/SERIES)
  --append ARGS       more kernel parameters (fwverify.*=..., KEY=VALUE for the payload's environment)
  --mem MB            guest memory (default 1024)
VM_ICOUNT=OPTS in the environment adds "-icount OPTS": the guest's clock
counts instructions (make bench: shift=0,sleep=off).  VM_SMP=N gives the
guest N vCPUs (default 2); Debian's 6.1 does not bring up a second one
under -icount.
EOF
}

die() { echo "vm-run: $*" >&2; exit 125; }

series='' initrd='' timeout=600 logdir='' append='' mem=1024
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	--kernel|--initrd|--timeout|--log-dir|--append|--mem)
		[ $# -ge 2 ] || die "$1 needs a value"
		case $1 in
		--kernel) series=$2 ;;
		--initrd) initrd=$2 ;;
		--timeout) timeout=$2 ;;
		--log-dir) logdir=$2 ;;
		--append) append=$2 ;;
		--mem) mem=$2 ;;
		esac
		shift 2 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
done
if [ -z "$series" ] || [ -z "$initrd" ]; then
	usage >&2
	die "--kernel and --initrd are required"
fi
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout wants whole seconds, not '$timeout'"
[[ $mem =~ ^[1-9][0-9]*$ ]] || die "--mem wants megabytes, not '$mem'"
kernel=$top/build/kernels/$series/vmlinuz
[ -r "$kernel" ] || die "no kernel '$series' in build/kernels (run scripts/fetch-kernels.sh)"
[ -r "$initrd" ] || die "cannot read initrd '$initrd'"
logdir=${logdir:-$top/build/vm-logs/$series}
[[ $logdir != *,* ]] || die "the log directory must not contain a comma (QEMU option syntax)"
mkdir -p "$logdir"
console=$logdir/console.log output=$logdir/output.log qemulog=$logdir/qemu.log
rm -f "$console" "$output" "$qemulog"

cmdline="console=ttyS0 panic=-1 oops=panic mitigations=off printk.devkmsg=on $append"
# shellcheck disable=SC2054 # commas separate QEMU suboptions
qemu=(qemu-system-x86_64 -nodefaults -nographic -no-reboot
	-machine q35 -cpu max -accel tcg,thread=single -m "$mem" -smp "${VM_SMP:-2}"
	${VM_ICOUNT:+-icount "$VM_ICOUNT"}
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline"
	-serial "file:$console"
	-chardev stdio,id=out,signal=off -serial chardev:out)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fwverify-vm.XXXXXX")
qpid=
# shellcheck disable=SC2317 # called from the trap
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill -TERM "$qpid" 2>/dev/null	# timeout(1) passes it on to QEMU
		wait "$qpid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "vm-run: interrupted" >&2; exit 130' INT TERM HUP

# timeout(1) runs QEMU in its own process group, so a ^C reaches it only
# through cleanup().  The output goes through a FIFO to keep QEMU's PID.
mkfifo "$tmp/out"
start=$EPOCHREALTIME
timeout --kill-after=10 "$timeout" "${qemu[@]}" <"/dev/null" >"$tmp/out" 2>"$qemulog" &
qpid=$!
sed -u 's/\r//g' <"$tmp/out" | tee "$output" &
rpid=$!
qrc=0
wait "$qpid" || qrc=$?
qpid=
wait "$rpid" || true
elapsed=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
[ ! -f "$console" ] || sed -i 's/\r//g' "$console"

status=$(sed -n 's/.*FWVERIFY-VM-EXIT: \([0-9]\{1,3\}\)$/\1/p' "$output" | tail -n 1)
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "vm-run: $series: timed out after ${timeout}s, QEMU killed" >&2
	status=124
elif [ -z "$status" ]; then
	echo "vm-run: $series: the guest ended without reporting the payload's exit status (panic, oops, WARN or init failure; QEMU status $qrc)" >&2
	[ ! -s "$qemulog" ] || { echo "---- $qemulog ----" >&2; cat "$qemulog" >&2; }
	status=125
fi
# The last 60 lines of the console, reaching back to the first WARN, BUG or
# panic report so that its first lines are not cut off (at most 200 lines).
console_tail() {
	awk '{ line[NR] = $0 }
	     !mark && /cut here|BUG:|Oops|WARNING:|Kernel panic/ { mark = NR }
	     END {
		from = NR - 59
		if (mark && mark < from) from = mark
		if (from < NR - 199) from = NR - 199
		if (from < 1) from = 1
		for (i = from; i <= NR; i++) print line[i]
	     }' "$1"
}

if [ "$status" != 0 ] && [ -f "$console" ]; then
	echo "---- end of $console ----" >&2
	console_tail "$console" >&2
	echo "----" >&2
fi
echo "vm-run: $series: exit $status after ${elapsed}s (logs in $logdir)" >&2
exit "$status"
