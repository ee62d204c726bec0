# SPDX-License-Identifier: GPL-2.0
# fwverify-signd, the signing server, with its keys in a SoftHSM2 token, and
# its clients (sign --server, approve, signd): who is refused and why, what
# is signed, M-of-N approval, and the audit record of each; then a client
# that misbehaves (signd-peer.py), 200 at once, a SIGKILL and a SIGTERM
# under load, a restart on the same log, and a log changed afterwards.
# Sourced by tests/userspace/run.sh: uses its run, expect, result, and
# verified_both of 20-sign.sh.

signd_skip() { # DESC REASON
	n=$((n + 1)) passed=$((passed + 1))
	echo "ok $n - $1 # SKIP $2"
}

module=${SOFTHSM2_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
if ! command -v softhsm2-util >/dev/null || ! command -v pkcs11-tool >/dev/null || [ ! -r "$module" ]; then
	signd_skip "fwverify-signd tests" "softhsm2, opensc (pkcs11-tool) or $module missing"
	return 0
fi
sd=$tmp/signd
spki=$sd/pki
hsm=$sd/hsm
mkdir -p "$sd"
{
	"$top/tests/pki/gen-signd.sh" "$spki" &&
	"$top/tests/pki/signd-token.sh" "$hsm" "$spki" "$pki/rsa-signer.key" "$pki/rsa-signer.crt" \
		"$pki/ec-signer.key" "$pki/ec-signer.crt"
} >"$sd/setup.log" 2>&1 || { cat "$sd/setup.log" >&2; echo "Bail out! cannot make the signd PKI and token"; exit 1; }
export SOFTHSM2_CONF=$hsm/softhsm2.conf

signd=$build/fwverify-signd
peer_py=(python3 "$top/tests/userspace/signd-peer.py")
slog=$sd/audit.log
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=signd://127.0.0.1:$port
signd_pids=()
mark=0

# server_conf AUDIT-LOG SETTING...: a [server] section on $port with the
# test TLS identity, these SETTINGs and the log.
server_conf() {
	printf '%s\n' "[server]" "listen = 127.0.0.1:$port" "certificate = $spki/server.crt" \
		"private_key = $spki/server.key" "audit_log = $1" "${@:2}"
}

# pem_conf FILE AUDIT-LOG SETTING...: a server whose one key, fw-pem
# (ec-signer), is in a PEM file.
pem_conf() {
	{
		server_conf "${@:2}"
		printf '%s\n' "" "[key fw-pem]" "private_key = $pki/ec-signer.key" "certificate = $pki/ec-signer.crt"
	} >"$1"
}

# The main server: keys in the token; alice may sign intel/* and fw*.bin
# with each key, bob only bob/* with fw-dev; carol and dave have no grant.
{
	server_conf "$slog" "client_ca = $spki/client-ca.crt" "client_names = alice, carol, dave, bob" \
		"handshake_timeout = 3" "request_timeout = 3" "refusal_interval = 2" \
		"pkcs11_module = $module" "pin_file = $hsm/pin"
	cat <<EOF

[key fw-dev]
pkcs11 = pkcs11:token=signd;object=fw-dev

[key fw-quota]
pkcs11 = pkcs11:token=signd;id=%01
per_hour = 3

[key fw-release]
pkcs11 = pkcs11:token=signd;object=fw-release
release = yes
approvals = 2
approvers = carol, dave, alice

[client alice]
keys = fw-dev, fw-quota, fw-release
names = intel/*, fw*.bin

[client bob]
keys = fw-dev
names = bob/*
EOF
} >"$sd/signd.conf"

# signd_start NAME CONF: start a server and wait until it listens; its pid in
# $spid, its stderr in $sd/NAME.err.  It is killed if this shell dies.
signd_start() {
	"$signd" --config "$2" </dev/null >"$sd/$1.out" 2>"$sd/$1.err" &
	spid=$!
	signd_pids+=("$spid")
	(
		while kill -0 $$ && kill -0 "$spid"; do sleep 1; done
		kill -0 $$ || kill -9 "$spid"
	) </dev/null >/dev/null 2>&1 &
	local end=$((SECONDS + 15))
	until grep -q 'listening on' "$sd/$1.err"; do
		if gone "$spid" || ((SECONDS > end)); then
			return 1
		fi
		sleep 0.1
	done
}

wait_for() { # SECONDS CMD...: run CMD every 0.1 s until it succeeds; 1 if it never did
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS <= end)) || return 1
		sleep 0.1
	done
}

gone() { ! kill -0 "$1" 2>/dev/null; }

# signd_stop PID SIGNAL SECONDS: signal the server and reap it: its exit
# status in $stop_rc ("hung" if SECONDS passed), how long it took in $stop_ms.
# (Quiet: bash would report a server it saw killed.)
signd_stop() {
	local t0 p
	t0=$(date +%s%N)
	kill -"$2" "$1"
	if wait_for "$3" gone "$1"; then
		wait "$1"
		stop_rc=$?
	else
		reap "$1"
		stop_rc=hung
	fi
	stop_ms=$((($(date +%s%N) - t0) / 1000000))
	for p in "${!signd_pids[@]}"; do
		[[ ${signd_pids[p]} != "$1" ]] || unset 'signd_pids[p]'
	done
} 2>/dev/null

reap() { # PID: end a process of ours (if it still runs) and reap it, quietly
	gone "$1" || kill -9 "$1"
	wait "$1"
} 2>/dev/null

signd_cleanup() { # stop every server still running
	local p
	for p in "${signd_pids[@]}"; do
		signd_stop "$p" KILL 5
	done
}

nsigned() { # how many "sign" records the log holds
	grep -c '"event":"sign"' "$slog"
}

# as WHO COMMAND ARG...: run fwverify COMMAND as client WHO of the main server.
as() {
	local who=$1 cmd=$2
	shift 2
	mark=$(wc -l <"$slog")
	run "$fwverify" "$cmd" --server "$url" --tls-ca "$spki/server-ca.crt" \
		--tls-cert "$spki/$who.crt" --tls-key "$spki/$who.key" "$@"
}

# peer [WHO] MODE ARG...: run signd-peer.py, with WHO's certificate if named.
peer() {
	local tls=()
	if [[ -e $spki/$1.crt ]]; then
		tls=(--tls-cert "$spki/$1.crt" --tls-key "$spki/$1.key")
		shift
	fi
	mark=$(wc -l <"$slog")
	run "${peer_py[@]}" --port "$port" --ca "$spki/server-ca.crt" "${tls[@]}" "$@"
}

# has_record EVENT [KEY=VALUE|KEY~PART]...: whether a record read from stdin
# is of EVENT (!EVENT: none is) with those members (KEY~PART: a substring).
has_record() {
	python3 -c 'import json, sys
event, want = sys.argv[1], sys.argv[2:]
def fits(r):
    if r.get("event") != event.lstrip("!"):
        return False
    for w in want:
        sub = "~" in w and ("=" not in w or w.index("~") < w.index("="))
        k, v = w.split("~" if sub else "=", 1)
        got = "None" if r.get(k) is None else str(r[k])
        if (v not in got) if sub else (got != v):
            return False
    return True
found = any(fits(json.loads(l)) for l in sys.stdin if l.strip())
sys.exit(found == (event[0] == "!"))' "$@"
}

# expect_audited DESC RC STDOUT-RE STDERR-RE EVENT [FIELD]...: the last run
# ended as expect() would check, and a record of EVENT with FIELDs (see
# has_record) was written since it began.
expect_audited() {
	local desc=$1 want=$2 o=$3 e=$4 ok=1 new
	shift 4
	new=$(tail -n +$((mark + 1)) "$slog")
	[[ $rc == "$want" && $out =~ $o && $err =~ $e ]] && has_record "$@" <<<"$new" && ok=0
	[[ $ok == 0 ]] || err+=$'\n'"audit records since: ${new:-none}"
	result "$desc" $ok "exit $want, stdout =~ /$o/, stderr =~ /$e/, an audit record: $*"
}

# refused_at_connect DESC WHO REASON: WHO's certificate is refused once the
# handshake is done: REASON in the reply and in a "connect" refusal record
# that names no client.
refused_at_connect() {
	local re
	re=$(sed 's/[][\.*^$(){}?+|/]/\\&/g' <<<"$3")
	as "$2" sign --key fw-dev "$sdfw"
	expect_audited "$1: refused with the reason, audited" 1 '^$' "refused by the server: $re\$" \
		refused op=connect client=None "reason=$3"
}

# fingerprint FILE: the SHA-256 fingerprint of the first certificate in FILE.
fingerprint() {
	openssl x509 -noout -fingerprint -sha256 -in "$1" 2>/dev/null
}

# --- the configuration ----------------------------------------------------------
run "$signd" --config "$sd/signd.conf" --check
expect "--check: the configuration, the token's keys and the TLS identity are usable" 0 \
	'signd\.conf: the configuration, 3 key\(s\) and the TLS identity are usable$'

# badconf DESC SED-SCRIPT LINE ERROR-RE: the configuration changed by
# SED-SCRIPT is refused with exit 2, naming its file, LINE and ERROR.
badconf() {
	sed "$2" "$sd/signd.conf" >"$sd/bad.conf"
	run "$signd" --config "$sd/bad.conf" --check
	expect "configuration error, $1: exit 2, file and line named" 2 '^$' \
		"^fwverify-signd: [^ ]*/bad\\.conf: line $3: $4\$"
}
line_of() { # REGEX: the line of the main configuration that matches
	grep -n -m1 -- "$1" "$sd/signd.conf" | cut -d: -f1
}
badconf "an unknown setting" 's/^request_timeout = 3$/request_timeut = 3/' "$(line_of '^request_timeout')" \
	"unknown setting 'request_timeut' in \\[server\\]"
badconf "listen on port 0" "s/^listen = .*/listen = 127.0.0.1:0/" "$(line_of '^listen')" \
	"listen: '127\\.0\\.0\\.1:0' is not HOST:PORT with a port from 1 to 65535"
badconf "listen on port 70000" "s/^listen = .*/listen = 127.0.0.1:70000/" "$(line_of '^listen')" \
	"listen: '127\\.0\\.0\\.1:70000' is not HOST:PORT with a port from 1 to 65535"
badconf "a [client] naming an unknown key" 's/^keys = fw-dev$/keys = fw-dev, fw-nothing/' \
	"($(line_of '^\[client bob\]')|$(line_of '^keys = fw-dev$'))" '\[client bob\]: no \[key fw-nothing\]'

pem_conf "$sd/pem.conf" "$sd/pem.log" "client_ca = $spki/client-ca.crt"
run timeout 10 "$signd" --config "$sd/pem.conf"
why='\[key fw-pem\]: a private key in a file is refused: keep it in a PKCS#11 token, or set allow_pem_keys = yes'
ok=1
[[ $rc == 2 && ! -e $sd/pem.log && $err =~ ^fwverify-signd:\ .*$why ]] && ok=0
result "a [key] with a PEM private_key and no allow_pem_keys: the server does not start (exit 2, says why)" $ok \
	"exit 2, 'a private key in a file is refused ... allow_pem_keys = yes', no audit log made"

# --- the main server: refusals --------------------------------------------------
if ! signd_start main "$sd/signd.conf"; then
	rc=- out= err=$(cat "$sd/main.err")
	result "the server starts with its keys in the SoftHSM token" 1 "'listening on' within 15 s"
	signd_cleanup
	unset SOFTHSM2_CONF
	return 0
fi
main=$spid
rc=- out= err=$(cat "$sd/main.err")
result "the server starts with its keys in the SoftHSM token" 0 ''

sdfw=$tmp/fw-signd.bin
head -c 50000 /dev/urandom >"$sdfw"
sdfwsha=$(sha256sum "$sdfw" | cut -d' ' -f1)

# Records 2 and 3 are these two refusals: the tampering test changes record 3.
peer noclient
expect_audited "no client certificate: refused with the reason, audited" 0 \
	'^refused: no client certificate; then closed$' '' refused op=connect 'reason=no client certificate'
refused_at_connect "CN alice from another CA" rogue-alice \
	"client certificate refused: unable to get local issuer certificate"
refused_at_connect "an expired client certificate" expired "client certificate refused: certificate has expired"
refused_at_connect "a client certificate not yet valid" notyet "client certificate refused: certificate is not yet valid"
refused_at_connect "a client certificate for serverAuth only" server-only-eku \
	"client certificate refused: unsuitable certificate purpose"
refused_at_connect "a common name not on client_names (erin)" erin "client 'erin' is not on the allowlist"
as bob sign --key fw-release --name bob/fw.bin "$sdfw"
expect_audited "a key the client has no grant for: refused, audited" 1 '^$' \
	'refused by the server: the client has no grant for this key$' \
	refused client=bob key=fw-release 'reason=the client has no grant for this key'
as alice sign --key fw-dev --name intel/sub/fw.bin "$sdfw"
expect_audited "a name outside the client's globs (intel/* does not match intel/sub/fw.bin): refused, audited" 1 '^$' \
	"refused by the server: the firmware name is outside the client's grant\$" \
	refused client=alice name=intel/sub/fw.bin "reason=the firmware name is outside the client's grant"
as carol sign --key fw-dev "$sdfw"
expect_audited "a client without a [client] section: refused, audited" 1 '^$' \
	'refused by the server: no grant for this client$' refused client=carol 'reason=no grant for this client'

qfw=$tmp/fw-quota.bin
for i in 1 2 3; do
	head -c $((1000 + i)) /dev/urandom >"$qfw"
	as alice sign --key fw-quota "$qfw"
	[[ $rc == 0 ]] || break
done
expect_audited "per_hour = 3: three signatures in the hour" 0 "^signed 1 file with signd://[^ ]*'s key fw-quota in [0-9.]+ s\$" '^$' sign key=fw-quota
as alice sign --key fw-quota "$qfw"
expect_audited "per_hour = 3: the fourth is refused, audited" 1 '^$' \
	'refused by the server: quota exceeded: key fw-quota signs at most 3 per hour$' \
	refused key=fw-quota 'reason=quota exceeded: key fw-quota signs at most 3 per hour'

# --- a release key: 2 approvals of carol, dave, alice ------------------------------
rel=$tmp/fw-rel.bin
head -c 7000 /dev/urandom >"$rel"
as alice sign --key fw-release --wait 0 "$rel"
id=
[[ $out =~ held\ for\ approval:\ request\ ([0-9a-f]{32}) ]] && id=${BASH_REMATCH[1]}
expect_audited "release key, --wait 0: held for approval, exit 1, the request's id" 1 \
	'fw-rel\.bin: held for approval: request [0-9a-f]{32} \(0 of 2 approvals\)$' '^$' \
	held "id=$id" client=alice key=fw-release name=fw-rel.bin required=2
as alice sign --request "$id" --wait 0 "$rel"
expect_audited "fetching it by id: still held, nothing signed" 1 \
	"held for approval: request $id \\(0 of 2 approvals\\)\$" '^$' '!sign' "id=$id"
as alice approve "$id"
expect_audited "the requester approving their own request: refused, audited" 1 '^$' \
	"^fwverify: $id: refused by the server: a requester cannot approve their own request\$" \
	refused op=approve client=alice "id=$id" 'reason=a requester cannot approve their own request'
as bob approve "$id"
expect_audited "a client who is not an approver (bob): refused, audited" 1 '^$' \
	"^fwverify: $id: refused by the server: not an approver of this key\$" \
	refused op=approve client=bob "id=$id" 'reason=not an approver of this key'
as carol approve "$id"
expect_audited "carol approves: 1 of 2, audited" 0 "^$id: approved \\(1 of 2 approvals\\)\$" '^$' \
	approve client=carol "id=$id" requester=alice approvals=1 required=2
as carol approve "$id"
expect_audited "carol approving again: refused as a duplicate, audited" 1 '^$' \
	"^fwverify: $id: refused by the server: already approved by this approver\$" \
	refused op=approve client=carol "id=$id" 'reason=already approved by this approver'
as bob sign --request "$id" --wait 0 "$rel"
expect_audited "another client fetching the request: refused, audited" 1 '^$' \
	"refused by the server: only the requester may fetch a request's signature\$" \
	refused client=bob "id=$id"
as alice sign --request "$id" --wait 0 "$rel"
expect_audited "one approval of two: fetching still says held" 1 "\\(1 of 2 approvals\\)\$" '^$' '!sign' "id=$id"

# The client waits (polling) while the approvers approve.
rel2=$tmp/fw-rel2.bin
head -c 9000 /dev/urandom >"$rel2"
mark=$(wc -l <"$slog")
"$fwverify" sign --server "$url" --tls-ca "$spki/server-ca.crt" --tls-cert "$spki/alice.crt" \
	--tls-key "$spki/alice.key" --key fw-release --wait 30 "$rel2" >"$sd/wait.out" 2>"$sd/wait.err" &
waiter=$!
pending_id() { # the id of the request for fw-rel2.bin that carol may approve, in $id2
	id2=$(FWVERIFY_SIGND=$url FWVERIFY_TLS_CA=$spki/server-ca.crt FWVERIFY_TLS_CERT=$spki/carol.crt \
		FWVERIFY_TLS_KEY=$spki/carol.key timeout 10 "$fwverify" approve --list --json |
		python3 -c 'import json, sys
print(*[r["id"] for r in json.load(sys.stdin)["requests"] if r["name"] == "fw-rel2.bin"])')
	[[ -n $id2 ]]
}
id2=
wait_for 10 pending_id
rc=- out=$id2 err=
result "approve --list --json (server and TLS files from the environment) shows the request waiting" \
	"$([[ $id2 =~ ^[0-9a-f]{32}$ ]]; echo $?)" "one request id for fw-rel2.bin"
m=$mark
as carol approve "$id2"
as dave approve "$id2"
expect_audited "dave approves: 2 of 2, audited" 0 "^$id2: approved \\(2 of 2 approvals\\)\$" '^$' \
	approve client=dave "id=$id2" approvals=2 required=2
wait_for 10 gone "$waiter"
reap "$waiter"
rc=$? out=$(cat "$sd/wait.out") err=$(cat "$sd/wait.err") mark=$m
expect_audited "sign --wait 30 in the background: signed once carol and dave approved, exit 0, audited" 0 \
	"held for approval: request $id2 \\(0 of 2 approvals\\)" '^$' \
	sign client=alice "id=$id2" key=fw-release name=fw-rel2.bin \
	"signature_sha256=$(sha256sum "$rel2.p7s" 2>/dev/null | cut -d' ' -f1)"
verified_both "the released signature, by fw-release (ec-signer)" "$pki/ec-signer.crt" "$rel2"

as dave approve "$id"
as alice sign --request "$id" --wait 0 "$rel"
expect_audited "the first request, approved by carol and dave: fetched signed, exit 0" 0 \
	"^signed 1 file, request $id, by signd://[^ ]* in [0-9.]+ s\$" '^$' \
	sign client=alice "id=$id" key=fw-release name=fw-rel.bin
run "$fwverify" verify --ca "$pki/ec-signer.crt" "$rel"
expect "the first request's signature verifies with ec-signer" 0 'verified \(signer: fwverify test ECDSA signer\)$'

# --- the main server: signatures ---------------------------------------------------
as alice sign --key fw-dev "$sdfw"
expect_audited "alice signs with fw-dev: exit 0, one line, audited with the digest and the signature's hash" 0 \
	"^signed 1 file with signd://[^ ]*'s key fw-dev in [0-9.]+ s\$" '^$' \
	sign client=alice key=fw-dev name=fw-signd.bin "sha256=$sdfwsha" size=50000 \
	"signature_sha256=$(sha256sum "$sdfw.p7s" 2>/dev/null | cut -d' ' -f1)"
verified_both "the server's signature, by fw-dev (rsa-signer)" "$pki/rsa-signer.crt" "$sdfw"
rc=- out=$(signed_utf8 "$sdfw.p7s" 2.5.4.41)
result "the server's signature names the firmware under id-at-name (2.5.4.41)" \
	"$([[ $out == fw-signd.bin ]]; echo $?)" "fw-signd.bin"
cp "$sdfw" "$tmp/renamed.bin"
cp "$sdfw.p7s" "$tmp/renamed.bin.p7s"
run "$fwverify" verify --ca "$pki/rsa-signer.crt" "$tmp/renamed.bin"
expect "the signature names the firmware: a renamed copy does not verify" 1 \
	'renamed\.bin: bad-signature: signed for the firmware name "fw-signd\.bin", not this file'"'"'s$'

mkdir -p "$tmp/signd-tree/intel"
cp "$sdfw" "$tmp/signd-tree/intel/ibt-0040.sfi"
as alice sign --key fw-dev --name intel/ibt-0040.sfi --tls-key 'pkcs11:token=client;object=alice-tls' \
	--pkcs11-module "$module" --pin-file "$hsm/pin" "$tmp/signd-tree/intel/ibt-0040.sfi"
expect_audited "the client's TLS key in a PKCS#11 token: signed as alice" 0 '^signed 1 file ' '^$' \
	sign client=alice name=intel/ibt-0040.sfi
run "$fwverify" verify --ca "$pki/rsa-signer.crt" "$tmp/signd-tree/intel/ibt-0040.sfi"
expect "signed for --name intel/ibt-0040.sfi: verifies as intel/ibt-0040.sfi" 0 'ibt-0040\.sfi: verified'

as bob signd certificates --key fw-dev
printf '%s\n' "$out" >"$sd/certs.pem"
ok=1
[[ $rc == 0 && $out == "# key fw-dev"$'\n'-----BEGIN\ CERTIFICATE-----* &&
   $(fingerprint "$sd/certs.pem") == "$(fingerprint "$pki/rsa-signer.crt")" ]] && ok=0
result "signd certificates --key fw-dev: the token's fw-dev certificate (rsa-signer)" $ok "# key fw-dev and rsa-signer's certificate"

lines=$(wc -l <"$slog")
run "$fwverify" audit verify "$slog"
head=${out##* }
as bob signd status --json
printf '%s' "$out" >"$sd/status.json"
ok=1
python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))["server"]
q = [k for k in s["keys"] if k["name"] == "fw-quota"][0]
sys.exit(not (s["audit_records"] == int(sys.argv[2]) and s["audit_head"] == sys.argv[3] and
              s["client_auth"] == "required" and q["used_hour"] == 3 and q["per_hour"] == 3))' \
	"$sd/status.json" "$lines" "$head" 2>/dev/null && ok=0
result "signd status --json: audit_records = the log's $lines lines, its head, fw-quota used 3 of 3" $ok \
	"audit_records $lines, audit_head $head, fw-quota used_hour 3"

# --- misbehaving clients -----------------------------------------------------------------
peer alice garbage
expect_audited "a frame that is not JSON: refused as malformed, audited" 0 \
	'^refused: malformed request: not one JSON object; then (closed|usable)$' '' \
	refused client=alice 'reason=malformed request: not one JSON object'
peer alice frame 2 '{}'
expect_audited "a JSON object without op: refused, the connection still usable" 0 \
	'^refused: malformed request: no op; then usable$' '' refused 'reason=malformed request: no op'
peer alice oversize
expect_audited "a frame of 100000 bytes: refused as larger than 16384, audited" 0 \
	'^refused: request larger than 16384 bytes; then (closed|usable)$' '' \
	refused client=alice 'reason=request larger than 16384 bytes'
as bob signd status
expect "after the bad frames the server still answers" 0 '^version [^ ]+, up '

# Strings that are not text: json-c keeps "\u0000" inside a string that C
# reads only up to it, and raw bytes that are not UTF-8 would reach the
# signature's UTF8String and the audit log.
before=$(nsigned)
peer alice hostile
new=$(tail -n +$((mark + 1)) "$slog")
expect "every request with a NUL, control character or invalid UTF-8 in a string is refused" 0 \
	'^NUL in name: refused: malformed request: name is not text \(a control character or invalid UTF-8\)'$'\n'
ok=1
[[ $(nsigned) == "$before" ]] && ! has_record sign <<<"$new" && ok=0
result "hostile strings: nothing signed (no sign record; the NUL name is not signed as intel/x)" $ok "no new sign record"
python3 -c 'import json, sys
sys.exit(not any(r.get("event") == "refused" and r.get("name") == "intel/x\0/../y" and
                 "name is not text" in r.get("reason", "") for r in map(json.loads, sys.stdin)))' <<<"$new"
result "hostile strings: the refusal's record keeps the whole name, NUL included" $? "name intel/x\\u0000/../y"
out=$(python3 -c 'import json, sys
bad = 0
for n, l in enumerate(open(sys.argv[1], "rb"), 1):
    try:
        r = json.loads(l.decode("utf-8", "strict"))
        for v in r.values():
            if isinstance(v, str):
                v.encode("utf-8", "strict")
    except (UnicodeError, ValueError) as e:
        print("line %d: %s" % (n, e))
        bad += 1
sys.exit(bad > 0)' "$slog")
rc=$? err=
expect "after hostile strings every audit line parses as JSON in valid UTF-8" 0 '^$'
has_record refused 'reason~not a firmware name' "name=intel/a$(printf 'é%.0s' {1..146})" <<<"$new"
result "a long non-ASCII name is cut in its record at a character boundary (299 bytes, not 300)" $? \
	"name intel/a + 146 é"
run "$fwverify" audit verify "$slog"
expect "after hostile strings the audit log is a valid chain" 0 'a valid chain of [0-9]+ records'

mark=$(wc -l <"$slog")
"${peer_py[@]}" --port "$port" --ca "$spki/server-ca.crt" --tls-cert "$spki/alice.crt" \
	--tls-key "$spki/alice.key" slow >"$sd/slow.out" 2>&1 &
slow=$!
"${peer_py[@]}" --port "$port" --ca "$spki/server-ca.crt" tcponly >"$sd/tcponly.out" 2>&1 &
tcponly=$!
m=$mark
sleep 1
t0=$(date +%s%N)
as alice sign --key fw-dev "$sdfw"
ms=$((($(date +%s%N) - t0) / 1000000))
result "while a client sends a byte a second, another is signed at once ($ms ms < 2000)" \
	"$([[ $rc == 0 && $ms -lt 2000 ]]; echo $?)" "exit 0 within 2 s"
wait_for 15 gone "$slow"
wait_for 15 gone "$tcponly"
reap "$slow"
rc=$? out=$(cat "$sd/slow.out") err= mark=$m
secs=$(sed -n 's/^dropped after \([0-9.]*\) s.*/\1/p' <<<"$out")
ok=1
[[ $secs ]] && python3 -c "import sys; sys.exit(not 2.5 <= $secs < 8)" && ok=0
[[ $ok == 1 ]] && rc=1
expect_audited "a byte a second: dropped at request_timeout = 3 ($secs s), audited" 0 '^dropped after ' '' \
	refused client=alice 'reason=no whole request within 3 s'
reap "$tcponly"
rc=$? out=$(cat "$sd/tcponly.out")
secs=$(sed -n 's/^dropped after \([0-9.]*\) s.*/\1/p' <<<"$out")
[[ $secs ]] && python3 -c "import sys; sys.exit(not 2.5 <= $secs < 8)" || rc=1
expect_audited "TCP without a TLS handshake: dropped at handshake_timeout = 3 ($secs s), audited" 0 '^dropped after ' '' \
	refused op=handshake 'reason=TLS handshake timed out'

# A flood of connections that never start TLS, from 127.0.0.2: 1000 at once,
# each reopened as soon as the server drops it.  They hold at most
# max_handshakes_per_address (8) handshake slots and wait for no more than
# handshake_timeout, so a client from another address is served at once;
# and their refusals are counted, not written one by one.
lines0=$(wc -l <"$slog")
"${peer_py[@]}" --port "$port" --ca "$spki/server-ca.crt" --source 127.0.0.2 flood 1000 7 \
	>"$sd/flood.out" 2>&1 &
flood=$!
sleep 1
ok=0 times=
for i in 1 2 3 4 5; do
	t0=$(date +%s%N)
	as bob signd status --timeout 3
	times+=" $((($(date +%s%N) - t0) / 1000000))"
	[[ $rc == 0 && $out =~ ^version ]] || ok=1
	sleep 0.5
done
result "during a flood of 1000 reconnecting sockets that never handshake, 5 of 5 status calls (--timeout 3) answered (ms:$times)" \
	$ok "exit 0 each time, within 3 s"
wait_for 15 gone "$flood"
reap "$flood"
rc=$? out=$(cat "$sd/flood.out") err=
made=$(sed -n 's/^flood: \([0-9]*\) connections.*/\1/p' <<<"$out")
expect "the flood ran (more than 1000 connections)" 0 '^flood: [0-9]+ connections from 127\.0\.0\.2'
summed() { tail -n +$((lines0 + 1)) "$slog" | grep -q '"event":"refusals".*"address":"127.0.0.2"'; }
wait_for 6 summed
grown=$(($(wc -l <"$slog") - lines0))
out=$(tail -n +$((lines0 + 1)) "$slog" | python3 -c 'import json, sys
recs = [json.loads(l) for l in sys.stdin]
full = sum(r["event"] == "refused" for r in recs)
counted = sum(r.get("count", 0) for r in recs if r["event"] == "refusals" and r.get("address") == "127.0.0.2")
other = [r["event"] for r in recs if r["event"] not in ("refused", "refusals")]
print("records %d: %d refused in full, %d counted in refusals records; other %s" % (len(recs), full, counted, other))')
ok=1
[[ ${made:-0} -gt 1000 && $grown -le 40 && $out =~ ([0-9]+)\ counted && $((2 * BASH_REMATCH[1])) -ge $made ]] && ok=0
rc=-
result "the flood's $made connections added $grown audit records (at most 40: a few per reason and 2 s interval, and a count)" \
	$ok "made > 1000, at most 40 records, refusals records counting at least half of the connections"

before=$(nsigned)
peer alice concurrent 200 --out "$sd/c200.sigs"
after=$(nsigned)
expect "200 clients at once: each gets a signature" 0 '^200 of 200 signed$'
grep -o '"signature_sha256":"[0-9a-f]*"' "$slog" | cut -d'"' -f4 | sort >"$sd/logged.sigs"
missing=$(sort "$sd/c200.sigs" | comm -23 - "$sd/logged.sigs" | wc -l)
rc=- out="$((after - before)) sign records, $missing signatures without one"
result "200 clients at once: exactly 200 more sign records, one for each signature returned" \
	"$([[ $((after - before)) == 200 && $missing == 0 ]]; echo $?)" "200 records, 0 missing"
run "$fwverify" audit verify "$slog"
expect "after 200 clients at once the audit log is a valid chain" 0 'a valid chain of [0-9]+ records'
as bob signd status
expect "after 200 clients at once the server still answers" 0 '^version '

# --- SIGKILL under load, restart on the same log ------------------------------------------
before=$(nsigned)
"${peer_py[@]}" --port "$port" --ca "$spki/server-ca.crt" --tls-cert "$spki/alice.crt" \
	--tls-key "$spki/alice.key" --repeat 40 --out "$sd/kill.sigs" concurrent 50 >"$sd/kill.out" 2>&1 &
load=$!
more_signed() { (($(nsigned) >= before + $1)); }
wait_for 10 more_signed 20
signd_stop "$main" KILL 10
wait_for 30 gone "$load"
reap "$load"
run "$fwverify" audit verify "$slog"
expect "SIGKILL while 50 clients sign: the audit log is still a valid chain" 0 'a valid chain of [0-9]+ records'
grep -o '"signature_sha256":"[0-9a-f]*"' "$slog" | cut -d'"' -f4 | sort >"$sd/logged.sigs"
missing=$(sort "$sd/kill.sigs" | comm -23 - "$sd/logged.sigs" | wc -l)
rc=- out="$(cat "$sd/kill.out"); $missing without a record"
result "SIGKILL while 50 clients sign: every signature a client got has its sign record" \
	"$([[ -s $sd/kill.sigs && $missing == 0 ]]; echo $?)" "some signatures, 0 missing"

if signd_start restarted "$sd/signd.conf"; then ok=0; else ok=1; fi
main=$spid
rc=- out= err=$(cat "$sd/restarted.err")
result "the server restarts on the log of the killed one" $ok "'listening on' within 15 s"
head -c 1004 /dev/urandom >"$qfw"
as alice sign --key fw-quota "$qfw"
expect_audited "after the restart the quota still counts the 3 signatures before it: refused" 1 '^$' \
	'quota exceeded: key fw-quota signs at most 3 per hour$' refused key=fw-quota 'reason~quota exceeded'

# --- SIGTERM under load ---------------------------------------------------------------------
before=$(nsigned)
"${peer_py[@]}" --port "$port" --ca "$spki/server-ca.crt" --tls-cert "$spki/alice.crt" \
	--tls-key "$spki/alice.key" --repeat 40 --out "$sd/term.sigs" concurrent 50 >"$sd/term.out" 2>&1 &
load=$!
wait_for 10 more_signed 20
signd_stop "$main" TERM 10
wait_for 30 gone "$load"
reap "$load"
after=$(nsigned)
rc=$stop_rc out=$(tail -1 "$slog") err=$(tail -1 "$sd/restarted.err")
ok=1
[[ $stop_rc == 0 && $stop_ms -lt 5000 ]] && has_record stop reason=Terminated <<<"$out" && ok=0
result "SIGTERM while 50 clients sign: exit 0 in $stop_ms ms, the last record is stop" $ok \
	"exit 0 within 5 s, last record event stop"
run "$fwverify" audit verify "$slog"
expect "after SIGTERM under load the audit log is a valid chain" 0 'a valid chain of [0-9]+ records'
got=$(wc -l <"$sd/term.sigs")
grep -o '"signature_sha256":"[0-9a-f]*"' "$slog" | cut -d'"' -f4 | sort >"$sd/logged.sigs"
missing=$(sort "$sd/term.sigs" | comm -23 - "$sd/logged.sigs" | wc -l)
rc=- out="$(cat "$sd/term.out"); $((after - before)) sign records; $missing without a record"
result "SIGTERM under load: signatures returned ($got) = sign records written, each matching" \
	"$([[ $got -gt 0 && $got == $((after - before)) && $missing == 0 ]]; echo $?)" \
	"as many records as signatures, 0 missing"

# --- a log changed afterwards ------------------------------------------------------------------
python3 -c 'import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
i = lines[2].find(b"\"reason\":\"") + 10
assert i >= 10, "record 3 has no reason"
lines[2] = lines[2][:i] + bytes([lines[2][i] ^ 0x20]) + lines[2][i + 1:]
open(sys.argv[2], "wb").write(b"\n".join(lines))' "$slog" "$sd/tampered.log"
run "$fwverify" audit verify "$sd/tampered.log"
expect "one byte of record 3's reason changed: audit verify exit 1, names line 3" 1 \
	'tampered\.log: line 3: record 3 was changed \(record 4 at line 4 does not chain to it\)$'

# --- a server that does not authenticate clients ---------------------------------------------
pem_conf "$sd/open.conf" "$sd/open.log" "client_auth = none" "allow_pem_keys = yes"
if signd_start open "$sd/open.conf"; then ok=0; else ok=1; fi
open=$spid
rc=- out= err=$(cat "$sd/open.err")
[[ $err == *"[key fw-pem]: warning: the private key is in a file"* ]] || ok=1
result "client_auth = none, a PEM key with allow_pem_keys = yes: starts, warns of the key file" $ok \
	"'listening on' and the warning"
slog=$sd/open.log
as alice signd certificates
printf '%s\n' "$out" >"$sd/certs.pem"
ok=1
[[ $rc == 0 && $(fingerprint "$sd/certs.pem") == "$(fingerprint "$pki/ec-signer.crt")" ]] && ok=0
result "client_auth = none: signd certificates is served" $ok "exit 0 and ec-signer's certificate"
as alice sign --key fw-pem "$sdfw"
expect_audited "client_auth = none: sign is refused with the server's reason, audited" 1 '^$' \
	'refused by the server: this server does not authenticate clients: it serves only certificates$' \
	refused op=sign 'reason~does not authenticate clients'
signd_stop "$open" TERM 10
rc=$stop_rc out= err=
result "client_auth = none: SIGTERM, exit 0" "$([[ $stop_rc == 0 ]]; echo $?)" "exit 0"

# --- what the servers' sanitizers said ------------------------------------------------------------
signd_cleanup
err=$(cat "$sd"/*.err)
if [[ $err == *Sanitizer* || $err == *"runtime error"* ]]; then
	printf '%s\n' "$err" >>"$tmp/sanitizer.log"
fi
rc=- out=
result "the servers' ASan and UBSan reported nothing" "$([[ $err != *Sanitizer* && $err != *"runtime error"* ]]; echo $?)" \
	"no sanitizer report in the servers' stderr"
unset SOFTHSM2_CONF
