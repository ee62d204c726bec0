# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/userspace/run.sh: status, revoke, apply and keys against a
# fake kernel tree ($FWVERIFY_SYSFS) and a test configuration ($FWVERIFY_CONFIG).
st=$tmp/state-tests
st_sys=$st/sys st_conf=$st/fwverify.conf st_dir=$st/var
st_sfs=$st_sys/kernel/security/fwverify st_par=$st_sys/module/fwverify/parameters
st_fw=$st_sys/kernel/fwverify/firmware
F=(env FWVERIFY_SYSFS="$st_sys" FWVERIFY_CONFIG="$st_conf" "$fwverify")

# st_tree: a fake loaded module: mode log, unlocked, three firmware entries.
st_tree() {
	rm -rf "$st"
	mkdir -p "$st_sfs" "$st_par" "$st_sys/kernel/fwverify/stats" "$st_fw"
	local s v=1
	for s in verified unsigned bad_signature untrusted revoked malformed error denied allowed cached; do
		echo $v >"$st_sys/kernel/fwverify/stats/$s"
		v=$((v + 1))
	done
	echo log >"$st_par/mode"
	echo none >"$st_par/trust"
	echo 256 >"$st_par/max_entries"
	echo 268435456 >"$st_par/max_size"
	echo 0 >"$st_sfs/lock"
	: >"$st_sfs/revoke"
	: >"$st_sfs/policy"
	: >"$st_sfs/check"
	st_entry 'vendor!fw.bin' vendor/fw.bin verified allowed "fwverify test RSA signer: 1234abcd" \
		$'/lib/firmware/updates/vendor/fw.bin bad-signature allowed\n/lib/firmware/my dir/vendor/fw.bin verified allowed cached'
	st_entry 'plain.bin' plain.bin unsigned denied "" "/lib/firmware/plain.bin unsigned denied"
	# A name cut by the kernel: only the name file has the whole of it.
	st_entry 'very!long~0badf00d' very/long/name/that/the/kernel/cut.bin untrusted denied "id:abcd" ""
	cat >"$st_conf" <<CONF
state_dir = $st_dir
CONF
}

st_entry() { # DIR NAME RESULT ACTION SIGNER READS
	local d=$st_fw/$1
	mkdir -p "$d"
	echo "$2" >"$d/name"
	echo "$3" >"$d/result"
	echo "$4" >"$d/action"
	echo "$5" >"$d/signer"
	echo "sha256:$(printf '%064d' 7)" >"$d/digest"
	echo 4096 >"$d/size"
	echo "/lib/firmware/$2" >"$d/path"
	echo 3 >"$d/loads"
	echo 1700000000 >"$d/last_load"
	printf '%s\n' "$6" >"$d/reads"
}

# st_json DESC RC PYTHON-CONDITION: the last run exited RC and its stdout is
# one JSON document d for which the condition holds.
st_json() {
	local ok=1
	if [[ $rc == "$2" ]] && python3 -c 'import json, sys
d = json.loads(sys.stdin.read())
sys.exit(0 if eval(sys.argv[1]) else 1)' "$3" <<<"$out" 2>/dev/null; then
		ok=0
	fi
	result "$1" $ok "exit $2, one JSON document with $3"
}

st_same() { # DESC FILE EXPECTED-CONTENT
	local got
	got=$(cat "$2" 2>/dev/null)
	rc=- out=$got
	result "$1" "$([[ $got == "$3" ]]; echo $?)" "$2 holding: ${3//$'\n'/ | }"
}

# --- status ---------------------------------------------------------------
st_tree
run "${F[@]}" status
expect "status: mode, lock, trust and counters" 0 \
	'^fwverify: mode log, unlocked, trust none'$'\n''.*counters: verified 1 unsigned 2 bad_signature 3 .* cached 10'
expect "status: one line per firmware, by its real name ('!' undone)" 0 \
	$'\nvendor/fw\\.bin +verified +allowed +3 +[0-9-]+ [0-9:]+ +fwverify test RSA signer: 1234abcd'
expect "status: a name the kernel cut is shown whole, from the name file" 0 \
	$'\nvery/long/name/that/the/kernel/cut\\.bin +untrusted +denied '
run "${F[@]}" status --long
expect "status --long: every read of the latest request" 0 \
	'read: +/lib/firmware/my dir/vendor/fw\.bin verified allowed cached'

run "${F[@]}" status --json
st_json "status --json: schema_version 1, mode, lock, trust, limits" 0 \
	'd["schema_version"] == 1 and d["loaded"] is True and d["mode"] == "log" and d["locked"] is False and d["trust"] == "none" and d["max_entries"] == 256 and d["revoked"] == 0 and d["policy"] == []'
st_json "status --json: every counter as a number" 0 \
	'd["stats"] == {"verified": 1, "unsigned": 2, "bad_signature": 3, "untrusted": 4, "revoked": 5, "malformed": 6, "error": 7, "denied": 8, "allowed": 9, "cached": 10}'
st_json "status --json: firmware sorted by real name, with every field" 0 \
	'[f["name"] for f in d["firmware"]] == ["plain.bin", "vendor/fw.bin", "very/long/name/that/the/kernel/cut.bin"] and d["firmware"][1]["dir"] == "vendor!fw.bin" and d["firmware"][1]["size"] == 4096 and d["firmware"][1]["loads"] == 3 and d["firmware"][1]["last_load"] == 1700000000 and d["firmware"][1]["digest"] == "sha256:" + "0" * 63 + "7"'
st_json "status --json: reads split into path (spaces kept), result, action, cached" 0 \
	'd["firmware"][1]["reads"] == [{"path": "/lib/firmware/updates/vendor/fw.bin", "result": "bad-signature", "action": "allowed", "cached": False}, {"path": "/lib/firmware/my dir/vendor/fw.bin", "result": "verified", "action": "allowed", "cached": True}]'

printf 'enforce vendor/*\n# a comment\nlog *\n' >"$st_sfs/policy"
echo 1 >"$st_sfs/lock"
printf 'sha256:%064d\nsha256:%064d\n' 1 2 >"$st_sfs/revoke"
echo enforce >"$st_par/mode"
rm "$st_sys/kernel/fwverify/stats/cached"
run "${F[@]}" status --json
st_json "status --json: policy rules, lock, revocation count; a missing counter is null" 0 \
	'd["policy"] == ["enforce vendor/*", "log *"] and d["locked"] is True and d["revoked"] == 2 and d["mode"] == "enforce" and d["stats"]["cached"] is None'

chmod 000 "$st_sfs/lock"
if [[ ! -r $st_sfs/lock ]]; then
	run "${F[@]}" status --json
	st_json "status --json: an unreadable lock (not root) is null, not an error" 0 'd["locked"] is None'
else
	n=$((n + 1)) passed=$((passed + 1))
	echo "ok $n - status --json: an unreadable lock (not root) is null, not an error # SKIP running as root"
fi
chmod 600 "$st_sfs/lock"

rm -rf "$st_fw"
run "${F[@]}" status
expect "status: an empty firmware table says so" 0 'no firmware decided on yet'

mkdir -p "$st/empty"
run env FWVERIFY_SYSFS="$st/empty" "$fwverify" status
expect "status without the module: exit 2 and a clear message" 2 '^$' '^fwverify: the fwverify module is not loaded'
run env FWVERIFY_SYSFS="$st/empty" "$fwverify" status --json
st_json "status --json without the module: the error as JSON (ENODEV), exit 2" 2 \
	'd["schema_version"] == 1 and d["error"]["errno"] == 19 and "not loaded" in d["error"]["message"]'
run "${F[@]}" status --json --frob
st_json "status --json with a bad option: the usage error as JSON, exit 2" 2 \
	'd["schema_version"] == 1 and d["error"]["errno"] == 22 and "--frob" in d["error"]["message"]'
usage_error "status with an argument" status extra

# --- status: the gap before fwverify, from the kernel log -------------------
st_tree
kl=$st/kmsg cl=$st/cmdline
echo 'BOOT_IMAGE=/vmlinuz quiet' >"$cl"
G=(env FWVERIFY_SYSFS="$st_sys" FWVERIFY_KMSG="$kl" FWVERIFY_CMDLINE="$cl" "$fwverify")
# As 6.1 logs: info-level direct loads, a warning for a missing file.
cat >"$kl" <<'LOG'
6,100,1500000,-;misc test_firmware: firmware: direct-loading firmware early/a.bin
 SUBSYSTEM=misc
 DEVICE=c10:123
4,101,1600000,-;misc test_firmware: Direct firmware load for early/missing.bin failed with error -2
6,102,2000000,-;fwverify: guarding firmware loads (module, ftrace hooks)
6,103,2100000,-;misc test_firmware: firmware: direct-loading firmware guarded.bin
6,104,3000000,-;fwverify: no longer guarding firmware loads
6,105,3100000,-;misc test_firmware: firmware: direct-loading firmware while-unloaded.bin
6,106,3200000,-;fwverify: guarding firmware loads (module, ftrace hooks)
6,107,3300000,-;misc test_firmware: firmware: direct-loading firmware guarded-again.bin
LOG
run "${G[@]}" status
expect "status: loads the log shows before fwverify started are listed, with the start" 0 \
	$'before fwverify: 3 firmware requests unguarded \\(fwverify started at 2\\.000000 s\\):\n +1\\.500000  loaded +early/a\\.bin\n +1\\.600000  failed +early/missing\\.bin\n +3\\.100000  loaded +while-unloaded\\.bin\n'
[[ $out != *guarded.bin* && $out != *guarded-again.bin* && $out != *firmware_class.dyndbg* ]]
result "status: loads while fwverify guarded are not in the gap; 6.1 logs loads, so no dyndbg hint" $? \
	"no guarded.bin, guarded-again.bin or dyndbg hint in: $out"
run "${G[@]}" status --json
st_json "status --json: before_start lists each unguarded request with its time and kind" 0 \
	'd["before_start"]["log"] == "complete" and d["before_start"]["started_usec"] == 2000000 and d["before_start"]["successful_loads_logged"] is True and [(r["name"], r["event"], r["time_usec"]) for r in d["before_start"]["requests"]] == [("early/a.bin", "loaded", 1500000), ("early/missing.bin", "failed", 1600000), ("while-unloaded.bin", "loaded", 3100000)]'

# As 6.12 logs without dyndbg: no successful load, only fwverify's start.
printf '6,1,1000,-;Linux version 6.12\n6,2,2500000,-;fwverify: guarding firmware loads (module, ftrace hooks)\n' >"$kl"
run "${G[@]}" status
expect "status: no request before the start; a kernel that does not log loads gets the dyndbg hint" 0 \
	'before fwverify: the kernel log shows no firmware request before fwverify started at 2\.500000 s'$'\n''.*firmware_class\.dyndbg=\+p'
echo 'quiet firmware_class.dyndbg=+p' >"$cl"
printf '7,1,1000000,-;misc test_firmware: Loaded FW: dbg.bin, sha256: 00ff\n7,2,1000001,-;misc test_firmware: direct-loading dbg.bin\n6,3,2500000,-;fwverify: guarding firmware loads (module, ftrace hooks)\n' >"$kl"
run "${G[@]}" status --json
st_json "status --json: 6.12's debug lines (with firmware_class.dyndbg) name the load once, without the hint" 0 \
	'd["before_start"]["successful_loads_logged"] is True and [(r["name"], r["event"], r["records"]) for r in d["before_start"]["requests"]] == [("dbg.bin", "loaded", 2)]'

# Built in: fwverify's own line for what came before it was ready.
printf '4,1,900000,-;fwverify: fwvt/early.bin: read before fwverify was ready, denied\n4,2,950000,-;fwverify: blob before fwverify was ready, allowed\n6,3,2000000,-;fwverify: guarding firmware loads (built-in LSM)\n' >"$kl"
run "${G[@]}" status --json
st_json "status --json: built in, what was read before fwverify was ready is unguarded" 0 \
	'[(r["name"], r["event"]) for r in d["before_start"]["requests"]] == [("fwvt/early.bin", "unguarded"), ("blob", "unguarded")]'

# The ring buffer wrapped: the start is gone.
printf '6,900,9000000,-;misc test_firmware: firmware: direct-loading firmware late.bin\n' >"$kl"
run "${G[@]}" status
expect "status: a log that no longer reaches back to fwverify's start says there may be more" 0 \
	"no longer reaches back to fwverify's start, so there may be more:"
: >"$kl"
run "${G[@]}" status --json
st_json "status --json: an empty log: the start is unknown (no-start), no requests" 0 \
	'd["before_start"]["log"] == "no-start" and d["before_start"]["started_usec"] is None and d["before_start"]["requests"] == []'
run env FWVERIFY_SYSFS="$st_sys" FWVERIFY_KMSG="$st/no-such-log" "$fwverify" status
expect "status: an unreadable kernel log is named, and status still succeeds" 0 \
	"before fwverify: unknown \\($st/no-such-log: No such file or directory\\)"

# --- revoke -----------------------------------------------------------------
st_tree
blob=$st/blob.bin
head -c 5000 /dev/urandom >"$blob"
hb=$(sha256sum "$blob" | cut -d' ' -f1)
ha=$(printf 'a%.0s' {1..64}) hc=$(printf 'C%.0s' {1..64}) hc_low=$(printf 'c%.0s' {1..64})
want=$(printf 'sha256:%s\n' "$hb" "$ha" "$hc_low")
run "${F[@]}" revoke "$blob" "sha256:$ha" "$hc"
expect "revoke FILE sha256:HEX HEX: exit 0, one line each" 0 \
	"^revoked sha256:$hb \\(.*blob\\.bin\\)"$'\n'"revoked sha256:$ha"$'\n'"revoked sha256:$hc_low"
st_same "revoke: the persistent list holds sha256:<lowercase hex>, one a line, in order" "$st_dir/revoked" "$want"
rc=- out=
result "revoke: the persistent list ends with a newline" "$([[ $(tail -c 1 "$st_dir/revoked" | od -An -c) == *'\n'* ]]; echo $?)" "a final newline"
st_same "revoke: the kernel's revoke file receives the same lines" "$st_sfs/revoke" "$want"
rc=- out=$(ls -A "$st_dir")
result "revoke: no temporary file left in state_dir" "$([[ $out == $'.revoked.lock\nrevoked' ]]; echo $?)" ".revoked.lock and revoked only"

ino=$(stat -c %i "$st_dir/revoked")
run "${F[@]}" revoke "$ha" "$blob"
st_same "revoke of digests already listed: the list is unchanged (deduplicated)" "$st_dir/revoked" "$want"
rc=- out=
result "revoke of digests already listed: the file is not rewritten" "$([[ $(stat -c %i "$st_dir/revoked") == "$ino" ]]; echo $?)" "the same inode"

: >"$st_sfs/revoke"
hd=$(printf 'd%.0s' {1..64})
for bad in "sha256:${ha:0:63}" "sha256:${ha:0:63}g" "${ha}0" "sha512:$ha" "$st/nonexistent.bin"; do
	run "${F[@]}" revoke "$hd" "$bad"
	ok=1
	[[ $rc == 2 && -z $out && $err == fwverify:* && $(cat "$st_dir/revoked") == "$want" && ! -s $st_sfs/revoke ]] && ok=0
	result "revoke with a bad argument ($(basename "$bad")): exit 2, nothing written anywhere" $ok \
		"exit 2, an error line, both lists unchanged"
done

run "${F[@]}" revoke --list
expect "revoke --list: every digest, saved and in the kernel or not" 0 \
	"^DIGEST +SAVED +KERNEL"$'\n'"sha256:$hb +yes +no"$'\n'"sha256:$ha +yes +no"
printf 'sha256:%s\nsha256:%s\n' "$ha" "$hd" >"$st_sfs/revoke"
run "${F[@]}" revoke --list --json
st_json "revoke --list --json: the persistent and the kernel's list" 0 \
	'd["schema_version"] == 1 and d["loaded"] is True and d["path"].endswith("/var/revoked") and d["persistent"] == ["sha256:'"$hb"'", "sha256:'"$ha"'", "sha256:'"$hc_low"'"] and d["kernel"] == ["sha256:'"$ha"'", "sha256:'"$hd"'"]'
run "${F[@]}" revoke --json "$hd"
st_json "revoke --json: the digests and how many were new" 0 \
	'd["added"] == 1 and d["kernel"] is True and d["digests"] == ["sha256:'"$hd"'"]'

rm -rf "$st_dir"
run env FWVERIFY_SYSFS="$st/empty" FWVERIFY_CONFIG="$st_conf" "$fwverify" revoke "$ha"
expect "revoke without the module: state_dir made, list saved, a warning, exit 0" 0 "^revoked sha256:$ha\$" \
	'warning: the fwverify module is not loaded: saved to .*/var/revoked'
st_same "revoke without the module: the persistent list is written" "$st_dir/revoked" "sha256:$ha"
run env FWVERIFY_SYSFS="$st/empty" FWVERIFY_CONFIG="$st_conf" "$fwverify" revoke --list --json
st_json "revoke --list --json without the module: kernel is null" 0 \
	'd["loaded"] is False and d["kernel"] is None and d["persistent"] == ["sha256:'"$ha"'"]'

printf 'sha256:%s\nnot a digest\n' "$ha" >"$st_dir/revoked"
run "${F[@]}" revoke --list
expect "revoke --list of a corrupt list: exit 2" 2 '^$' 'revoked: not a revocation list'
run "${F[@]}" revoke "$hd"
expect "revoke onto a corrupt list: exit 2, the list left as it is" 2 '^$' 'cannot save the revocation list'

usage_error "revoke without an argument" revoke
usage_error "revoke --list with an argument" revoke --list "$ha"
run "${F[@]}" revoke --json
st_json "revoke --json without an argument: the usage error as JSON" 2 'd["error"]["errno"] == 22'

# --- apply -----------------------------------------------------------------
st_apply_tree() { # the fake tree, a policy file, and mode and policy configured
	st_tree
	printf 'enforce vendor/*\nlog *\n' >"$st/policy"
	printf 'mode = enforce\npolicy = %s\n' "$st/policy" >>"$st_conf"
	mkdir -p "$st_dir"
}

st_apply_tree
printf 'sha256:%s\nsha256:%s\n' "$ha" "$hb" >"$st_dir/revoked"
run "${F[@]}" apply
expect "apply: revocations, then policy, then mode" 0 \
	"^revoked: 2 digests from .*/var/revoked"$'\n'"policy: .*/policy"$'\n'"mode: enforce\$"
st_same "apply: the kernel's revoke file receives the persistent list" "$st_sfs/revoke" \
	"$(printf 'sha256:%s\nsha256:%s' "$ha" "$hb")"
st_same "apply: the policy file receives the configured policy" "$st_sfs/policy" "$(cat "$st/policy")"
rc=- out=$(cat "$st_par/mode")
result "apply: the mode parameter receives exactly 'enforce'" "$([[ $(cat "$st_par/mode") == enforce ]]; echo $?)" "enforce"

st_apply_tree
echo "sha256:$ha" >"$st_dir/revoked"
echo 1 >"$st_sfs/lock"
run "${F[@]}" apply
expect "apply to a locked module: revocations only, and says so" 0 "^revoked: 1 digest from " \
	'fwverify is locked: the policy and mode stay as they are'
st_same "apply to a locked module: revocations applied" "$st_sfs/revoke" "sha256:$ha"
ok=1
[[ $(cat "$st_par/mode") == log && ! -s $st_sfs/policy ]] && ok=0
result "apply to a locked module: mode and policy untouched" $ok "mode log, empty policy"

echo 0 >"$st_sfs/lock"
: >"$st_sfs/revoke"
rm "$st/policy"
run "${F[@]}" apply
expect "apply with a missing policy file: exit 2, but the other steps are done" 2 \
	"^revoked: 1 digest from .*"$'\n'"mode: enforce\$" 'policy: cannot read the policy'
st_same "apply with a missing policy file: revocations still applied" "$st_sfs/revoke" "sha256:$ha"

: >"$st/policy"
rm "$st_dir/revoked"
echo 0 >"$st_sfs/lock"
run "${F[@]}" apply --lock
expect "apply --lock: empty list and policy applied, then locked" 0 \
	"^revoked: 0 digests from .*"$'\n'"policy: .*"$'\n'"mode: enforce"$'\n'"locked\$"
st_same "apply --lock: the lock file receives 1" "$st_sfs/lock" 1

run env FWVERIFY_SYSFS="$st/empty" FWVERIFY_CONFIG="$st_conf" "$fwverify" apply
expect "apply without the module: exit 2" 2 '^$' 'the fwverify module is not loaded'
run env FWVERIFY_SYSFS="$st_sys" FWVERIFY_CONFIG="$st/nonexistent.conf" "$fwverify" apply
expect "apply with a missing configuration file: exit 2" 2 '^$' 'nonexistent\.conf'
usage_error "apply with an argument" apply extra

# --- keys (no keyring on the host: show and usage only) ---------------------
skid() { openssl x509 -in "$1" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' :\n' | tr A-F a-f; }
run "$fwverify" keys show "$pki/rsa-signer.crt"
expect "keys show: subject, issuer, serial, validity, key id and the kernel's description" 0 \
	"subject: +O = fwverify tests, CN = fwverify test RSA signer.*serial: +[0-9a-f]+.*valid: +[0-9T:-]+Z to [0-9T:-]+Z.*key id: +$(skid "$pki/rsa-signer.crt").*description: +fwverify test RSA signer: $(skid "$pki/rsa-signer.crt")"
openssl x509 -in "$pki/untrusted.crt" -outform DER -out "$st/untrusted.der"
run "$fwverify" keys show --json "$st/untrusted.der"
st_json "keys show --json of a DER certificate: O and CN that differ make 'O: CN'" 0 \
	'd["schema_version"] == 1 and d["certificates"][0]["description"] == "nobody: untrusted signer: '"$(skid "$pki/untrusted.crt")"'" and d["certificates"][0]["key_id"] == "'"$(skid "$pki/untrusted.crt")"'" and d["certificates"][0]["in_keyring"] is None'
openssl req -new -x509 -nodes -days 30 -subj "/CN=fwverify no skid" -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	-keyout "$st/noskid.key" -out "$st/noskid.crt" -set_serial 0x8001 \
	-addext "subjectKeyIdentifier=none" -addext "authorityKeyIdentifier=none" 2>/dev/null
run "$fwverify" keys show --json "$st/noskid.crt"
st_json "keys show --json without a SKID: the kernel names the key by its raw serial" 0 \
	'd["certificates"][0]["description"] == "fwverify no skid: 008001" and d["certificates"][0]["key_id"] is None and d["certificates"][0]["serial"] == "8001"'
cat "$pki/rsa-signer.crt" "$pki/ec-signer.crt" >"$st/two.pem"
run "$fwverify" keys show --json "$st/two.pem"
st_json "keys show --json of a PEM with two certificates: both" 0 \
	'[c["description"].split(":")[0] for c in d["certificates"]] == ["fwverify test RSA signer", "fwverify test ECDSA signer"]'
run "$fwverify" keys show --json "$st/nonexistent.pem"
st_json "keys show --json of a missing file: the error as JSON" 2 'd["error"]["errno"] == 2'
run "$fwverify" keys show "$pki/rsa-signer.key"
expect "keys show of a file with no certificate: exit 2" 2 '^$' 'rsa-signer\.key: cannot load a certificate'
usage_error "keys without a subcommand" keys
usage_error "keys with an unknown subcommand" keys frob
usage_error "keys add without CERT" keys add
usage_error "keys list with an argument" keys list extra
run "$fwverify" keys add --json "$pki/rsa-signer.crt"
st_json "keys add --json (add has no JSON output): the usage error as JSON" 2 'd["error"]["errno"] == 22'

for c in status keys revoke apply; do
	run "$fwverify" $c --help
	expect "$c --help" 0 "^Usage: fwverify $c"
done
unset -f st_tree st_entry st_json st_same st_apply_tree skid
