# SPDX-License-Identifier: GPL-2.0
# The signing server's audit log: "fwverify audit verify" finds where a
# chain written in the canonical form (by Python here, the server being
# another program) was changed, cut, reordered or torn, and says so by
# line; signlog-test.c drives the writer (threads, limits, the lock, a
# failed write, torn-line recovery) and the shell checks its logs read
# back as the same canonical form.
# Sourced by tests/userspace/run.sh: uses its run, expect, usage_error, result.

au=$tmp/audit
mkdir -p "$au"

# mklog FILE N: a valid log of N records, as the server writes them.
mklog() {
	python3 - "$1" "$2" <<'EOF'
import hashlib, json, sys
path, n = sys.argv[1], int(sys.argv[2])
prev = "0" * 64
with open(path, "w", encoding="utf-8", newline="\n") as f:
    for i in range(1, n + 1):
        rec = {"seq": i, "time": "2026-11-25T10:00:%02d.%03dZ" % (i % 60, i), "prev": prev,
               "event": "start" if i == 1 else "sign", "file": "/lib/firmware/fw%d.bin" % i}
        line = json.dumps(rec, separators=(",", ":"), ensure_ascii=False)
        f.write(line + "\n")
        prev = hashlib.sha256(line.encode()).hexdigest()
EOF
}

# linehash FILE N: the SHA-256 of line N of FILE, without its newline.
linehash() {
	sed -n "$2p" "$1" | tr -d '\n' | sha256sum | cut -d' ' -f1
}

# reorder FILE N...: the lines of FILE in the order given.
reorder() {
	local f=$1
	shift
	awk -v order="$*" '{ l[NR] = $0 } END { n = split(order, o, " "); for (i = 1; i <= n; i++) print l[o[i]] }' "$f"
}

# broken DESC FILE WHY-REGEX: verify finds the chain broken, and says why.
broken() {
	run "$fwverify" audit verify "$2"
	expect "$1" 1 "^${2//./\\.}: $3\$"
}

genesis=0000000000000000000000000000000000000000000000000000000000000000
log=$au/log
mklog "$log" 10
head10=$(linehash "$log" 10)
run "$fwverify" audit verify "$log"
expect "a valid log of 10 records: exit 0, the count and the head" 0 \
	"^${log//./\\.}: a valid chain of 10 records; head $head10\$"

: >"$au/empty"
run "$fwverify" audit verify "$au/empty"
expect "an empty log is a valid chain of 0 records, its head the genesis" 0 \
	"a valid chain of 0 records; head $genesis\$"

mklog "$au/one" 1
run "$fwverify" audit verify "$au/one"
expect "a log of one record: '1 record'" 0 "a valid chain of 1 record; head $(linehash "$au/one" 1)\$"

sed '5s/"event":"sign"/"event":"SIGN"/' "$log" >"$au/changed"
broken "record 5 changed: names line 5 and record 5" "$au/changed" \
	'line 5: record 5 was changed \(record 6 at line 6 does not chain to it\)'

sed '5s/"seq":5,"time":"2026-11-25T10:00:05/"seq":5,"time":"2026-11-25T10:00:06/' "$log" >"$au/retimed"
broken "record 5's time changed by one second: names line 5" "$au/retimed" \
	'line 5: record 5 was changed \(record 6 at line 6 does not chain to it\)'

sed 5d "$log" >"$au/removed"
broken "record 5 removed: names it missing at line 5" "$au/removed" 'line 5: record 5 is missing \(removed\)'

sed 5,7d "$log" >"$au/removed3"
broken "records 5 to 7 removed: names them" "$au/removed3" 'line 5: records 5 to 7 are missing \(removed\)'

reorder "$log" 1 2 3 5 4 6 7 8 9 10 >"$au/swapped"
broken "records 4 and 5 swapped: out of order at line 4" "$au/swapped" \
	'line 4: record 5 is out of order, before record 4 at line 5 \(reordered\)'

reorder "$log" 1 2 4 5 6 7 8 9 10 3 >"$au/moved"
broken "record 3 moved to the end: out of order at line 3, found at line 10" "$au/moved" \
	'line 3: record 4 is out of order, before record 3 at line 10 \(reordered\)'

sed 3p "$log" >"$au/repeated"
broken "record 3 repeated: out of order at line 4" "$au/repeated" \
	'line 4: record 3 is out of order after record 3 \(reordered or repeated\)'

sed 1d "$log" >"$au/nostart"
broken "first record removed: line 1 does not start a chain" "$au/nostart" \
	"line 1: record 2 does not start a chain \\(the log's beginning was removed\\)"

sed '1s/"prev":"0/"prev":"1/' "$log" >"$au/badgenesis"
broken "first record's prev not the genesis: does not start a chain" "$au/badgenesis" \
	"line 1: record 1 does not start a chain \\(the log's beginning was removed\\)"

cp "$log" "$au/torn"
printf '{"seq":11,"time":"2026-11-25T10:00:1' >>"$au/torn"
broken "a torn last line: incomplete at line 11" "$au/torn" \
	'line 11: record is incomplete \(no newline at the end\)'

# malformed LINE WHY-REGEX: line 3 of the valid log replaced by LINE.
malformed() {
	python3 -c 'import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
lines[2] = sys.argv[2].encode()
open(sys.argv[3], "wb").write(b"\n".join(lines))' "$log" "$1" "$au/malformed"
	broken "a malformed line 3 (${1:0:40}): not a record: $2" "$au/malformed" "line 3: not a record: $2"
}
prev2=$(linehash "$log" 2)
malformed 'garbage' 'invalid JSON \(unexpected character\)'
malformed '' 'an empty line'
malformed '[1,2]' 'not a JSON object'
malformed '{"seq":3,"time":"t"' 'the JSON text is cut short'
malformed "{\"seq\":3,\"time\":\"t\",\"prev\":\"$prev2\",\"event\":\"x\"}{}" 'bytes after the JSON text'
malformed "{\"seq\":\"3\",\"time\":\"t\",\"prev\":\"$prev2\",\"event\":\"x\"}" '"seq" is missing or not a positive integer'
malformed "{\"seq\":3,\"prev\":\"$prev2\",\"event\":\"x\"}" '"time" is missing or not a string'
malformed '{"seq":3,"time":"t","prev":"ab","event":"x"}' '"prev" is missing or not 64 lowercase hex digits'
malformed "{\"seq\":3,\"time\":\"t\",\"prev\":\"${prev2^^}\",\"event\":\"x\"}" '"prev" is missing or not 64 lowercase hex digits'
malformed "{\"seq\":3,\"time\":\"t\",\"prev\":\"$prev2\"}" '"event" is missing or not a string'
printf '%s\n' "$(head -2 "$log")" >"$au/nul"
printf '{"seq":3,"time":"t","prev":"%s","event":"x\0"}\n' "$prev2" >>"$au/nul"
broken "a NUL byte in line 3: not a record" "$au/nul" 'line 3: not a record: a NUL byte in the line'

python3 -c 'import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
lines[3] = lines[3][:-1] + b",\"pad\":\"" + b"x" * 9000 + b"\"}"
open(sys.argv[2], "wb").write(b"\n".join(lines))' "$log" "$au/long"
broken "a line over 8192 bytes: named, not read on" "$au/long" 'line 4: longer than 8192 bytes'

# --- --head: what the chain alone cannot show ---------------------------------
run "$fwverify" audit verify --head "$head10" "$log"
expect "--head with the head's hash: exit 0" 0 "a valid chain of 10 records; head $head10\$"
run "$fwverify" audit verify --head "${head10^^}" "$log"
expect "--head in uppercase: the same" 0 "a valid chain of 10 records; head $head10\$"

sed 10d "$log" >"$au/cut"
head9=$(linehash "$log" 9)
run "$fwverify" audit verify --head "$head10" "$au/cut"
expect "--head, the last record removed: exit 1, says so" 1 \
	"cut: head is $head9, expected $head10: the last record was changed or records were removed from the end\$"

sed '10s/"event":"sign"/"event":"SIGN"/' "$log" >"$au/lastchanged"
run "$fwverify" audit verify "$au/lastchanged"
expect "the last record changed: the chain alone cannot see it (exit 0)" 0 'a valid chain of 10 records'
run "$fwverify" audit verify --head "$head10" "$au/lastchanged"
expect "--head, the last record changed: exit 1" 1 \
	"head is [0-9a-f]{64}, expected $head10: the last record was changed or records were removed from the end\$"

run "$fwverify" audit verify --head "$(linehash "$log" 7)" "$log"
expect "--head naming line 7's hash: the log grew: exit 0, 3 records added after line 7" 0 \
	"a valid chain of 10 records; head $head10; 3 records were added after the expected head, line 7's\$"

run "$fwverify" audit verify --head "$(linehash "$log" 9)" "$log"
expect "--head naming line 9's hash: '1 record was added'" 0 '1 record was added after the expected head, line 9.s$'

run "$fwverify" audit verify --head "$genesis" "$log"
expect "--head the genesis, with records: all 10 were added after an empty log" 0 \
	'all 10 records were added after the expected head, an empty log.s$'

run "$fwverify" audit verify --head "$genesis" "$au/empty"
expect "--head the genesis on an empty log: exit 0" 0 'a valid chain of 0 records'

run "$fwverify" audit verify --head "$head10" "$au/changed"
expect "--head on a broken chain: the break is reported" 1 'line 5: record 5 was changed'

# --- --json ---------------------------------------------------------------------
# jfields: the members of the document in $out, one line, for comparison.
jfields() {
	printf '%s' "$out" | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(" ".join("%s=%s" % (k, json.dumps(d.get(k, "ABSENT"))) for k in
      ("schema_version", "log", "valid", "records", "head", "expected_head", "line", "error")))' 2>&1
}
run "$fwverify" audit verify --json "$log"
got=$(jfields)
result "--json, a valid log: valid, 10 records, the head, no line, no error" \
	"$([[ $rc == 0 && $got == "schema_version=1 log=\"$log\" valid=true records=10 head=\"$head10\" expected_head=null line=null error=null" ]]; echo $?)" \
	"valid=true records=10 ... saw: $got"

run "$fwverify" audit verify --json "$au/changed"
got=$(jfields)
result "--json, record 5 changed: not valid, 4 records, the head of line 4, line 5, the error" \
	"$([[ $rc == 1 && $got == "schema_version=1 log=\"$au/changed\" valid=false records=4 head=\"$(linehash "$log" 4)\" expected_head=null line=5 error=\"line 5: record 5 was changed (record 6 at line 6 does not chain to it)\"" ]]; echo $?)" \
	"valid=false records=4 line=5 ... saw: $got"

run "$fwverify" audit verify --json --head "$head10" "$au/cut"
got=$(jfields)
result "--json --head, the last record removed: not valid, line null, the error" \
	"$([[ $rc == 1 && $got == *"valid=false records=9 head=\"$head9\" expected_head=\"$head10\" line=null error=\"head is $head9, expected $head10: the last record was changed or records were removed from the end\"" ]]; echo $?)" \
	"valid=false records=9 ... saw: $got"

run "$fwverify" audit verify --json "$au/nonexistent"
got=$(printf '%s' "$out" | python3 -c 'import json, sys; e = json.load(sys.stdin)["error"]; print(e["errno"], e["message"])' 2>&1)
result "--json, a missing log: exit 2, an error document" \
	"$([[ $rc == 2 && $got == "2 $au/nonexistent: cannot open: No such file or directory" ]]; echo $?)" \
	"2 ...: cannot open: No such file or directory, saw: $got"

# --- errors and usage -------------------------------------------------------------
run "$fwverify" audit verify "$au/nonexistent"
expect "a missing log: exit 2, cannot open" 2 '^$' "^fwverify: ${au//./\\.}/nonexistent: cannot open: No such file or directory\$"
run "$fwverify" audit verify "$au"
expect "a directory: exit 2" 2 '^$' 'cannot open: Is a directory$'

usage_error "audit without a subcommand" audit
usage_error "audit with an unknown subcommand" audit check "$log"
usage_error "audit verify without LOG" audit verify
usage_error "audit verify with two LOGs" audit verify "$log" "$log"
usage_error "audit verify --head that is not 64 hex digits" audit verify --head abc "$log"
usage_error "audit verify --head with a non-hex digit" audit verify --head "${head10:0:63}g" "$log"
usage_error "audit verify --head without its argument" audit verify "$log" --head
usage_error "audit verify with an unknown option" audit verify --frob "$log"

run "$fwverify" help audit
expect "help audit shows the synopsis and --head" 0 '^Usage: fwverify audit verify \[--head HEX\] \[--json\] LOG.*--head HEX'
run "$fwverify" --help
expect "--help lists audit" 0 $'\n  audit +check the signing server'

# --- the writer ---------------------------------------------------------------------
mkdir "$au/writer"
run cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -fsanitize=address,undefined \
	-I"$top/userspace/lib" -o "$au/signlog-test" "$top/tests/userspace/signlog-test.c" \
	"$build/lib/signlog.o" "$build/lib/error.o" "$build/lib/util.o" $(pkg-config --cflags --libs libcrypto json-c) -pthread
if [[ $rc == 0 ]]; then
	run "$au/signlog-test" "$au/writer"
	checks=$out
	while IFS= read -r line; do
		case $line in
		"ok - "*) result "signlog: ${line#ok - }" 0 "" ;;
		"not ok - "*) out=$line; result "signlog: ${line#not ok - }" 1 "see the line above" ;;
		esac
	done <<<"$checks"
	out=$checks
	result "signlog-test ran to its end (exit 0, no sanitizer report)" \
		"$([[ $rc == 0 && $checks == *"a FIFO is refused"* ]]; echo $?)" "exit 0 and every check"
else
	result "signlog-test.c builds against the tool's objects" 1 "cc exits 0"
fi

# What C writes is what Python writes: the canonical form both sides hash.
got=$(python3 - "$au/writer/concurrent.log" <<'EOF' 2>&1
import hashlib, json, sys
prev, n = "0" * 64, 0
for raw in open(sys.argv[1], "rb").read().split(b"\n")[:-1]:
    n += 1
    rec = json.loads(raw)
    if json.dumps(rec, separators=(",", ":"), ensure_ascii=False).encode() != raw:
        print("line %d is not canonical: %r" % (n, raw)); break
    if list(rec)[:4] != ["seq", "time", "prev", "event"] or rec["seq"] != n or rec["prev"] != prev:
        print("line %d does not chain: %r" % (n, raw)); break
    prev = hashlib.sha256(raw).hexdigest()
else:
    print("%d %s" % (n, prev))
EOF
)
run "$fwverify" audit verify "$au/writer/concurrent.log"
result "the C writer's lines are what Python's json.dumps gives, and fwverify agrees on the head" \
	"$([[ $rc == 0 && $got =~ ^102\ ([0-9a-f]{64})$ && $out == *"; head ${BASH_REMATCH[1]}" ]]; echo $?)" \
	"102 canonical records and the same head, saw: $got"
run "$fwverify" audit verify "$au/writer/torn.log"
expect "a log recovered from two torn lines verifies" 0 'a valid chain of 5 records'
