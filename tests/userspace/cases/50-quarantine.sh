# SPDX-License-Identifier: GPL-2.0
# fwverify quarantine: what it moves and records, and what it refuses to
# touch when a uevent names something hostile: paths outside the search
# directories, symlinks, '..', newlines, cut values.  A fake sysfs tree
# stands in for the module (firmware table, check file, firmware_class.path).
# Sourced by tests/userspace/run.sh: uses its run, expect, usage_error, result.

qt=$tmp/quarantine
qfw=$qt/fw			# a search directory: firmware_class.path in the fake tree
qdir=$qt/evidence
mkdir -p "$qfw" "$qt/sys/module/firmware_class/parameters" "$qt/nosys/module/firmware_class/parameters"
printf '%s' "$qfw" >"$qt/sys/module/firmware_class/parameters/path"
printf '%s' "$qfw" >"$qt/nosys/module/firmware_class/parameters/path"
printf 'quarantine_dir = %s\n' "$qdir" >"$qt/conf"
Q_SYS=$qt/nosys Q_CONF=$qt/conf

q_skip() { # DESC REASON
	n=$((n + 1)) passed=$((passed + 1))
	echo "ok $n - $1 # SKIP $2"
}

# q ARGS...: fwverify quarantine with the test's configuration and sysfs tree.
q() {
	run env FWVERIFY_SYSFS="$Q_SYS" FWVERIFY_CONFIG="$Q_CONF" "$fwverify" quarantine "$@"
}

# qu NAME RESULT ACTION SOURCE PATH [ARGS...]: as udev runs it for a uevent.
qu() {
	local name=$1 res=$2 act=$3 src=$4 path=$5
	shift 5
	run env FWVERIFY_SYSFS="$Q_SYS" FWVERIFY_CONFIG="$Q_CONF" FWVERIFY_NAME="$name" \
		FWVERIFY_RESULT="$res" FWVERIFY_ACTION="$act" FWVERIFY_SOURCE="$src" \
		FWVERIFY_PATH="$path" "$fwverify" quarantine --from-uevent "$@"
}

# jq_ FILE EXPR: print a Python expression over the JSON document r in FILE.
jq_() {
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
print(eval("(" + sys.argv[2] + ")"))' "$1" "$2" 2>&1
}

qblob() { # NAME SIZE: a firmware file in the search directory, and a signature beside it
	mkdir -p "$(dirname "$qfw/$1")"
	head -c "$2" /dev/urandom >"$qfw/$1"
	head -c 300 /dev/urandom >"$qfw/$1.p7s"
}

# The record directory a successful run printed ("PATH: quarantined in DIR").
qrec() { printf '%s' "${out##* quarantined in }"; }

nrecords() { find "$qdir" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l; }

# --- an admin quarantines a file ------------------------------------------
qblob vendor/a.bin 4000
sum=$(sha256sum "$qfw/vendor/a.bin" | cut -d' ' -f1)
sigsum=$(sha256sum "$qfw/vendor/a.bin.p7s" | cut -d' ' -f1)
q --result bad-signature "$qfw/vendor/a.bin"
expect "quarantine PATH: exit 0, names the record directory" 0 "vendor/a\\.bin: quarantined in $qdir/"
rec=$(qrec)
ok=1
[[ ! -e $qfw/vendor/a.bin && ! -e $qfw/vendor/a.bin.p7s && -f $rec/firmware/a.bin &&
   -f $rec/firmware/a.bin.p7s && -f $rec/record.json ]] && ok=0
result "the blob and its .p7s left the search directory for <record>/firmware/" $ok \
	"a.bin and a.bin.p7s under $rec/firmware, none in $qfw/vendor"
got=$(jq_ "$rec/record.json" '"|".join(str(r[k]) for k in ("name", "path", "result", "action", "trigger", "digest", "size"))')
want="vendor/a.bin|$qfw/vendor/a.bin|bad-signature|None|admin|sha256:$sum|4000"
rc=- out=$got
result "record.json: name, path, --result, trigger, SHA-256 and size of what was moved" \
	"$([[ $got == "$want" ]]; echo $?)" "$want"
got=$(jq_ "$rec/record.json" '[(f["role"], f["to"], f["digest"]) for f in r["files"]]')
want="[('firmware', 'firmware/a.bin', 'sha256:$sum'), ('signature', 'firmware/a.bin.p7s', 'sha256:$sigsum')]"
rc=- out=$got
result "record.json lists both files with their digests" "$([[ $got == "$want" ]]; echo $?)" "$want"
got=$(jq_ "$rec/record.json" 'r["time"]')
rc=- out=$got
result "record.json has a UTC time" "$([[ $got =~ ^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-9:]{8}Z$ ]]; echo $?)" \
	"an ISO 8601 UTC time"
rc=- out=$(stat -c %a "$qdir" "$rec" "$rec/firmware" "$rec/record.json" | tr '\n' ' ')
result "the quarantine is private to root" "$([[ $out == "700 700 700 600 " ]]; echo $?)" \
	"700 700 700 600"

qblob vendor/a.bin 10
q "$qfw/vendor/a.bin"
rec2=$(qrec)
ok=1
[[ $rc == 0 && $rec2 != "$rec" && -f $rec/record.json && -f $rec2/record.json && $(nrecords) == 2 ]] && ok=0
result "a second quarantine of the same name gets its own record" $ok "two record directories"

q "$qfw/vendor/a.bin"
expect "quarantine PATH of a missing file: exit 2" 2 '' 'a\.bin: cannot open: No such file'

mkdir -p "$qfw/rel"
qblob rel/r.bin 10
(cd "$qfw/rel" && run env FWVERIFY_SYSFS="$Q_SYS" FWVERIFY_CONFIG="$Q_CONF" "$fwverify" quarantine r.bin &&
	[[ $rc == 0 && ! -e r.bin ]])
result "a relative PATH is taken from the working directory" $? "exit 0, r.bin moved"

# --- udev: --from-uevent ----------------------------------------------------
qblob vendor/u.bin 1000
sum=$(sha256sum "$qfw/vendor/u.bin" | cut -d' ' -f1)
qu vendor/u.bin unsigned denied file "$qfw/vendor/u.bin"
expect "uevent, denied: quarantined" 0 'u\.bin: quarantined in '
rec=$(qrec)
got=$(jq_ "$rec/record.json" '"|".join(str(r[k]) for k in ("name", "result", "action", "source", "trigger", "digest"))')
want="vendor/u.bin|unsigned|denied|file|uevent|sha256:$sum"
rc=- out=$got
result "uevent record: name, result, action and source of the uevent" "$([[ $got == "$want" ]]; echo $?)" "$want"

qu vendor/u.bin unsigned denied file "$qfw/vendor/u.bin"
expect "uevent for a file quarantined already: exit 0, nothing to do" 0 'not there'

qblob vendor/l.bin 10
before=$(nrecords)
qu vendor/l.bin unsigned allowed file "$qfw/vendor/l.bin"
expect "uevent, allowed (mode log): exit 0, nothing moved" 0 'allowed by the kernel'
rc=- out=$(nrecords)
result "... and the file stays" "$([[ -f $qfw/vendor/l.bin && $out == "$before" ]]; echo $?)" "no new record"

qu "(sysfs)" unsigned denied fallback ""
expect "uevent without a file (fallback): exit 0" 0 'no file'

# --- hostile uevents ------------------------------------------------------------
qu passwd unsigned denied file /etc/passwd
expect "a path outside the search directories is refused" 1 '' 'refused: not in a firmware search directory'

qu x unsigned denied file "$qfw/../conf"
expect "a path with '..' is refused" 1 '' "refused: '\\.', '\\.\\.'"
rc=- out=
result "... and the file it points to stays" "$([[ -f $qt/conf ]]; echo $?)" "$qt/conf still there"

echo secret >"$qt/outside.bin"
ln -s "$qt/outside.bin" "$qfw/link.bin"
qu link.bin unsigned denied file "$qfw/link.bin"
expect "a symlink as the file is refused" 1 '' 'refused: a symlink'
rc=- out=
result "... the link and its target stay" "$([[ -L $qfw/link.bin && -f $qt/outside.bin ]]; echo $?)" "both there"

mkdir -p "$qt/elsewhere"
echo secret >"$qt/elsewhere/t.bin"
ln -s "$qt/elsewhere" "$qfw/ldir"
qu ldir/t.bin unsigned denied file "$qfw/ldir/t.bin"
expect "a symlinked directory on the way is refused" 1 '' 'refused: a symlink'
rc=- out=
result "... and the file behind it stays" "$([[ -f $qt/elsewhere/t.bin ]]; echo $?)" "still there"

mkfifo "$qfw/fifo.bin"
qu fifo.bin unsigned denied file "$qfw/fifo.bin"
expect "a FIFO is refused, without hanging" 1 '' 'refused: not a regular file'
mkdir "$qfw/dir.bin"
qu dir.bin unsigned denied file "$qfw/dir.bin"
expect "a directory is refused" 1 '' 'refused: not a regular file'

printf 'nl' >"$qfw/new"$'\n'"line.bin"
qu 'new\x0aline.bin' unsigned denied file "$qfw/new\\x0aline.bin"
expect "a name with a newline (escaped \\x0a, as the kernel sends it) is quarantined" 0 'quarantined in '
rec=$(qrec)
got=$(jq_ "$rec/record.json" 'r["path"] + "|" + r["name"] + "|" + r["files"][0]["to"]')
want="$qfw/new\\x0aline.bin|new\\x0aline.bin|firmware/new_line.bin"
rc=- out=$got
result "... its record keeps the kernel's escaped form, its file a safe name" "$([[ $got == "$want" && \
	! -e $qfw/new$'\n'line.bin && $rec != *$'\n'* ]]; echo $?)" "$want"

long=$qfw/$(printf 'a%.0s' $(seq 1 $((256 - ${#qfw} - 1))))
head -c 10 /dev/urandom >"$long"
qu long unsigned denied file "$long"
expect "a path of 256 bytes (the kernel cuts values there) is refused" 1 '' 'may have been cut'
rm -f "$long"

qu x unsigned denied file "$qfw/a\\qb"
expect "a path with a malformed escape is refused" 1 '' 'malformed path'
qu x unsigned denied file "$qfw/a\\x00b"
expect "a path with an escaped NUL is refused" 1 '' 'malformed path'
qu x unsigned denied file "relative/x.bin"
expect "a relative path in a uevent is refused" 1 '' 'not an absolute path'

# --- a file that verifies now ------------------------------------------------
printf 'quarantine_dir = %s\nca = %s\n' "$qdir" "$pki/rsa-signer.crt" >"$qt/conf-ca"
head -c 3000 /dev/urandom >"$qfw/good.bin"
sign rsa-signer "$pki" "$qfw/good.bin"
Q_CONF=$qt/conf-ca
q "$qfw/good.bin"
expect "PATH that verifies now (offline, against the configured ca): refused, left in place" 1 '' \
	'verifies now \(offline check, signer fwverify test RSA signer\): left in place'
qu good.bin bad-signature denied file "$qfw/good.bin"
expect "uevent for a file that verifies now (replaced since): exit 0, left in place" 0 'verifies now'
rc=- out=
result "... both times the file stays" "$([[ -f $qfw/good.bin && -f $qfw/good.bin.p7s ]]; echo $?)" "still there"
q --force "$qfw/good.bin"
expect "--force quarantines it anyway" 0 'quarantined in '
rec=$(qrec)
got=$(jq_ "$rec/record.json" 'r["now"]["by"] + "|" + r["now"]["result"] + "|" + r["result"]')
rc=- out=$got
result "... and records the verdict just before the move" "$([[ $got == "offline|verified|verified" ]]; echo $?)" \
	"offline|verified|verified"

# The offline verdict is the module's (userspace/lib/check.c): a digest on the
# persistent revoke list is revoked, whatever its signature.
head -c 3000 /dev/urandom >"$qfw/rev.bin"
sign rsa-signer "$pki" "$qfw/rev.bin"
printf 'quarantine_dir = %s\nca = %s\nstate_dir = %s\n' "$qdir" "$pki/rsa-signer.crt" "$qt/state" \
	>"$qt/conf-rev"
mkdir -p "$qt/state"
printf 'sha256:%s\n' "$(sha256sum "$qfw/rev.bin" | cut -d' ' -f1)" >"$qt/state/revoked"
Q_CONF=$qt/conf-rev
q "$qfw/rev.bin"
expect "PATH with a good signature over a revoked digest (offline): quarantined, not 'verifies now'" 0 \
	'quarantined in '
rec=$(qrec)
got=$(jq_ "$rec/record.json" 'r["now"]["by"] + "|" + r["now"]["result"]')
rc=- out=$got
result "... and records the offline verdict revoked" "$([[ $got == "offline|revoked" ]]; echo $?)" \
	"offline|revoked"
Q_CONF=$qt/conf

# --- the kernel's table entry and check file (fake sysfs) ----------------------
ent="$qt/sys/kernel/fwverify/firmware/intel!k.bin"
mkdir -p "$ent" "$qt/sys/kernel/security/fwverify" "$qt/sys/module/fwverify/parameters"
echo enforce >"$qt/sys/module/fwverify/parameters/mode"
printf 'intel/k.bin\n' >"$ent/name"
printf 'unsigned\n' >"$ent/result"
printf 'denied\n' >"$ent/action"
printf '\n' >"$ent/signer"
printf 'sha256:%064d\n' 0 >"$ent/digest"
printf '77\n' >"$ent/size"
printf '%s/intel/k.bin\n' "$qfw" >"$ent/path"
printf '3\n' >"$ent/loads"
printf '1700000000\n' >"$ent/last_load"
printf '%s/intel/k.bin unsigned denied\n' "$qfw" >"$ent/reads"
printf 'result=unsigned\naction=denied\nreason=no signature file\nerrno=61\n' \
	>"$qt/sys/kernel/security/fwverify/check"
qblob intel/k.bin 77
rm "$qfw/intel/k.bin.p7s"
Q_SYS=$qt/sys
q --json "$qfw/intel/k.bin"
printf '%s' "$out" >"$qt/k.json"
got=$(jq_ "$qt/k.json" 'r["status"] + "|" + r["record"]["result"] + "|" + r["record"]["kernel"]["mode"] + "|" +
	r["record"]["kernel"]["entry"]["name"] + "|" + str(r["record"]["kernel"]["entry"]["loads"]) + "|" +
	r["record"]["kernel"]["entry"]["reads"][0] + "|" + r["record"]["now"]["by"] + "|" + r["record"]["now"]["reason"]')
want="quarantined|unsigned|enforce|intel/k.bin|3|$qfw/intel/k.bin unsigned denied|kernel|no signature file"
result "--json: the kernel's table entry for the derived name, its mode and its check verdict" \
	"$([[ $rc == 0 && $got == "$want" ]]; echo $?)" "$want, saw $got"
rc=- out=$(tail -n 1 "$qt/sys/kernel/security/fwverify/check")
result "... the file was checked through the check file first" "$([[ $out == "$qfw/intel/k.bin" ]]; echo $?)" \
	"$qfw/intel/k.bin written to the check file"
got=$(jq_ "$qt/k.json" 'r["record"] == json.load(open(r["directory"] + "/record.json"))')
rc=- out=$got
result "... and printed the record it wrote" "$([[ $got == True ]]; echo $?)" "the same record"

printf 'result=verified\naction=allowed\nsigner=fwverify test RSA signer\n' \
	>"$qt/sys/kernel/security/fwverify/check"
qblob intel/k.bin 77
q --json "$qfw/intel/k.bin"
printf '%s' "$out" >"$qt/k.json"
got=$(jq_ "$qt/k.json" 'r["status"] + "|" + str(r["record"])')
result "the kernel says it verifies now: status verifies, exit 1, no record" \
	"$([[ $rc == 1 && $got == "verifies|None" && -f $qfw/intel/k.bin ]]; echo $?)" "verifies|None, saw $got"
Q_SYS=$qt/nosys

# --- across file systems ------------------------------------------------------
shm=$(mktemp -d /dev/shm/fwverify-q.XXXXXX 2>/dev/null)
if [[ -n $shm && $(stat -c %d "$shm") != $(stat -c %d "$qfw") ]]; then
	printf 'quarantine_dir = %s/q\n' "$shm" >"$qt/conf-shm"
	qblob vendor/x.bin 300000
	touch -d '2020-01-02 03:04:05' "$qfw/vendor/x.bin"
	sum=$(sha256sum "$qfw/vendor/x.bin" | cut -d' ' -f1)
	Q_CONF=$qt/conf-shm
	q "$qfw/vendor/x.bin"
	rec=$(qrec)
	ok=1
	[[ $rc == 0 && ! -e $qfw/vendor/x.bin && ! -e $qfw/vendor/x.bin.p7s &&
	   $(sha256sum "$rec/firmware/x.bin" | cut -d' ' -f1) == "$sum" && -f $rec/firmware/x.bin.p7s &&
	   $(stat -c %Y "$rec/firmware/x.bin") == $(date -d '2020-01-02 03:04:05' +%s) &&
	   -z $(find "$rec" -name '.*') ]] && ok=0
	result "across file systems: copied whole with its mtime, original removed, no temporary left" $ok \
		"x.bin in $rec with sha256 $sum"
	Q_CONF=$qt/conf
else
	q_skip "across file systems: copied whole with its mtime, original removed, no temporary left" \
		"no /dev/shm on another file system"
fi
[[ -z $shm ]] || rm -rf "$shm"

# --- compressed firmware, signatures that are not files, dry run ---------------
head -c 500 /dev/urandom >"$qfw/z.bin.xz"
head -c 100 /dev/urandom >"$qfw/z.bin.xz.p7s"
head -c 100 /dev/urandom >"$qfw/z.bin.p7s"
q "$qfw/z.bin.xz"
rec=$(qrec)
ok=1
[[ $rc == 0 && -f $rec/firmware/z.bin.xz && -f $rec/firmware/z.bin.xz.p7s && -f $rec/firmware/z.bin.p7s &&
   ! -e $qfw/z.bin.p7s && $(jq_ "$rec/record.json" 'r["name"]') == z.bin ]] && ok=0
result "compressed: z.bin.xz moves with z.bin.xz.p7s and z.bin.p7s; its name is z.bin" $ok \
	"three files in $rec/firmware"

head -c 500 /dev/urandom >"$qfw/s.bin"
ln -s "$qt/outside.bin" "$qfw/s.bin.p7s"
q "$qfw/s.bin"
rec=$(qrec)
got=$(jq_ "$rec/record.json" 'r["left"]')
ok=1
[[ $rc == 0 && -L $qfw/s.bin.p7s && -f $qt/outside.bin && $got == "[{'path': '$qfw/s.bin.p7s', 'why': 'symlink'}]" ]] && ok=0
result "a .p7s that is a symlink stays where it is, listed under left" $ok "left: s.bin.p7s symlink, saw $got"

qblob d.bin 1234
sum=$(sha256sum "$qfw/d.bin" | cut -d' ' -f1)
before=$(nrecords)
q --dry-run --json "$qfw/d.bin"
printf '%s' "$out" >"$qt/d.json"
got=$(jq_ "$qt/d.json" 'r["status"] + "|" + str(r["directory"]) + "|" + r["record"]["digest"] + "|" + str(r["record"]["files"][1]["to"])')
ok=1
[[ $rc == 0 && $got == "dry-run|None|sha256:$sum|None" && -f $qfw/d.bin && -f $qfw/d.bin.p7s &&
   $(nrecords) == "$before" ]] && ok=0
result "--dry-run: hashes and prints the record, moves nothing" $ok "dry-run|None|sha256:$sum|None, saw $got"

# --- configuration mistakes and usage --------------------------------------------
printf 'quarantine_dir = %s/inside\n' "$qfw" >"$qt/conf-inside"
Q_CONF=$qt/conf-inside
q "$qfw/d.bin"
expect "a quarantine_dir inside a search directory is an error" 2 '' 'lies in a firmware search directory'
rc=- out=
result "... and nothing moved" "$([[ -f $qfw/d.bin && ! -e $qfw/inside ]] || [[ -f $qfw/d.bin && -z $(ls -A "$qfw/inside") ]]; echo $?)" \
	"d.bin still there"
Q_CONF=$qt/conf

usage_error "quarantine without PATH" quarantine
usage_error "quarantine with two PATHs" quarantine /lib/firmware/a /lib/firmware/b
usage_error "quarantine --from-uevent with a PATH" quarantine --from-uevent /lib/firmware/a
usage_error "quarantine --result with an unknown result" quarantine --result fine /lib/firmware/a
usage_error "quarantine --from-uevent without FWVERIFY_* in the environment" quarantine --from-uevent
qu x nonsense denied file "$qfw/d.bin"
expect "an unknown FWVERIFY_RESULT is a usage error" 2 '' 'FWVERIFY_RESULT: missing or not valid'
run "$fwverify" quarantine --help
expect "quarantine --help" 0 '--from-uevent'
