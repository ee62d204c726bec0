# SPDX-License-Identifier: GPL-2.0
# The udev rule with the real systemd-udevd: in mode enforce, a refused
# firmware file and its signature leave the search path for the quarantine
# directory with a JSON record; a signed one and one allowed in mode log
# stay (busybox sh, TAP).  Needs an image made with VM_UDEV=1.  The firmware
# directory is on /tmp (firmware_class.path) and the quarantine on the root
# file system: every move crosses file systems.
. /payload/tool/lib.sh
udevd=/lib/systemd/systemd-udevd
trigger=/sys/devices/virtual/misc/test_firmware/trigger_request
param=/sys/module/firmware_class/parameters/path
mode=/sys/module/fwverify/parameters/mode
conf=/etc/fwverify/fwverify.conf
qdir=/var/lib/fwverify/quarantine
dir=$T/fw

if [ ! -x "$udevd" ]; then
	ok "systemd-udevd in the image # SKIP not built with VM_UDEV=1" 0
	done_testing
	exit
fi

mkdir -p "$dir" /etc/fwverify /run
[ ! -e "$conf" ] || cp "$conf" "$T/conf.saved"
echo "quarantine_dir = $qdir" >"$conf"
old_mode=$(cat "$mode")
printf '%s' "$dir" >"$param"

"$udevd" --daemon --resolve-names=never
udevadm control --ping --timeout=30
ok "systemd-udevd runs and answers" $?
udevadm monitor --kernel --property --subsystem-match=fwverify >"$T/monitor" 2>&1 &
monitor=$!
sleep 1

mkfw() { # NAME [signed|tampered]
	head -c 4096 /dev/urandom >"$dir/$1"
	rm -f "$dir/$1.p7s"
	[ -z "${2:-}" ] || $fwverify sign --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt" "$dir/$1" >/dev/null
	[ "${2:-}" != tampered ] || printf 'x' >>"$dir/$1"
	sha256sum "$dir/$1" | cut -d' ' -f1 >"$T/$1.sum"
	sleep 0.05 2>/dev/null || sleep 1	# past the verdict cache's window for fresh files
}
load() { printf '%s' "$1" >"$trigger" 2>/dev/null; }	# 0 when the driver got it
records() { ls -d "$qdir"/*-"$1"-* 2>/dev/null; }
# has REC KEY VALUE: a top-level "KEY": VALUE line in REC/record.json (json-c, pretty).
has() { grep -qx "  \"$2\": $3,\{0,1\}" "$1/record.json"; }

echo enforce >"$mode"
mkfw qt-unsigned.bin
mkfw qt-tampered.bin tampered
mkfw qt-good.bin signed
load qt-unsigned.bin
[ $? != 0 ]
ok "enforce: an unsigned blob is refused" $?
load qt-tampered.bin
[ $? != 0 ]
ok "enforce: a blob changed after signing is refused" $?
load qt-good.bin
ok "enforce: a signed blob loads" $?
udevadm settle --timeout=60
ok "udevadm settle" $?

grep -q '^SUBSYSTEM=fwverify$' "$T/monitor" && grep -q '^DEVPATH=/kernel/fwverify$' "$T/monitor" &&
	grep -q '^ACTION=change$' "$T/monitor" && grep -q '^FWVERIFY_NAME=qt-unsigned.bin$' "$T/monitor" &&
	grep -q '^FWVERIFY_ACTION=denied$' "$T/monitor" && grep -q "^FWVERIFY_PATH=$dir/qt-unsigned.bin\$" "$T/monitor"
ok "the uevent: ACTION=change SUBSYSTEM=fwverify DEVPATH=/kernel/fwverify, FWVERIFY_* as documented" $? \
	"$(cat "$T/monitor")"

rec=$(records qt-unsigned.bin)
[ -n "$rec" ] && [ "$(echo "$rec" | wc -l)" = 1 ] && [ ! -e "$dir/qt-unsigned.bin" ] &&
	[ "$(sha256sum "$rec/firmware/qt-unsigned.bin" | cut -d' ' -f1)" = "$(cat "$T/qt-unsigned.bin.sum")" ]
ok "udev ran quarantine: the unsigned blob moved, whole, to one record directory" $? \
	"records: $rec; $(ls -la "$dir" "$qdir" 2>&1)"
has "$rec" name '"qt-unsigned.bin"' && has "$rec" path "\"$dir/qt-unsigned.bin\"" &&
	has "$rec" result '"unsigned"' && has "$rec" action '"denied"' && has "$rec" source '"file"' &&
	has "$rec" trigger '"uevent"' && has "$rec" digest "\"sha256:$(cat "$T/qt-unsigned.bin.sum")\"" &&
	has "$rec" size 4096
ok "its record: name, path, result, action, source, trigger, digest and size" $? "$(cat "$rec/record.json" 2>&1)"
grep -q '^    "mode": "enforce",$' "$rec/record.json" &&
	grep -q "^      \"path\": \"$dir/qt-unsigned.bin\",\$" "$rec/record.json" &&
	grep -q '^    "by": "kernel",$' "$rec/record.json"
ok "its record: the kernel's mode, table entry, and check verdict before the move" $? "$(cat "$rec/record.json" 2>&1)"
sed 's/^/# /' "$rec/record.json"

rec=$(records qt-tampered.bin)
[ -n "$rec" ] && [ ! -e "$dir/qt-tampered.bin" ] && [ ! -e "$dir/qt-tampered.bin.p7s" ] &&
	[ -f "$rec/firmware/qt-tampered.bin.p7s" ] && has "$rec" result '"bad-signature"'
ok "the tampered blob and its .p7s moved; result bad-signature" $? "records: $rec; $(ls -la "$dir" 2>&1)"
$fwverify verify --ca "$pki/rsa-signer.crt" "$rec/firmware/qt-tampered.bin" >/dev/null
[ $? = 1 ]
ok "the evidence still fails verification as it did" $?

[ -f "$dir/qt-good.bin" ] && [ -f "$dir/qt-good.bin.p7s" ] && [ -z "$(records qt-good.bin)" ]
ok "the signed blob is untouched, and has no record" $?

# A link in the firmware directory to a file elsewhere: the kernel reads
# (and refuses) the target, and names it in the uevent; it is not moved.
echo 'not firmware' >/etc/fwverify/victim
ln -s /etc/fwverify/victim "$dir/qt-link.bin"
load qt-link.bin
[ $? != 0 ]
ok "enforce: a link to a file outside the search path is refused" $?
udevadm settle --timeout=60
[ -L "$dir/qt-link.bin" ] && [ "$(cat /etc/fwverify/victim)" = 'not firmware' ] && [ -z "$(records qt-link.bin)" ] &&
	grep -q '^FWVERIFY_PATH=/etc/fwverify/victim$' "$T/monitor"
ok "... the uevent names the target, and neither the target nor the link moves" $? \
	"$(ls -la "$dir" /etc/fwverify; records qt-link.bin)"
rm -f /etc/fwverify/victim "$dir/qt-link.bin"

# Mode log: the kernel allows the blob, and the rule does not fire.
echo log >"$mode"
mkfw qt-log.bin
load qt-log.bin
ok "log: an unsigned blob loads" $?
udevadm settle --timeout=60
[ -f "$dir/qt-log.bin" ] && [ -z "$(records qt-log.bin)" ]
ok "log: it stays where it is" $?

# The same name refused again gets a record of its own.
echo enforce >"$mode"
mkfw qt-unsigned.bin
load qt-unsigned.bin
udevadm settle --timeout=60
[ "$(records qt-unsigned.bin | wc -l)" = 2 ] && [ ! -e "$dir/qt-unsigned.bin" ]
ok "the same name quarantined twice: two records" $? "$(records qt-unsigned.bin)"

kill "$monitor" 2>/dev/null
wait "$monitor" 2>/dev/null
udevadm control --exit --timeout=30
echo "$old_mode" >"$mode"
printf '\000' >"$param"
rm -rf "$qdir"/*-qt-*
if [ -e "$T/conf.saved" ]; then cp "$T/conf.saved" "$conf"; else rm -f "$conf"; fi
done_testing
