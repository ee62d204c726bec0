# SPDX-License-Identifier: GPL-2.0
# TAP helpers for the tool's VM tests (busybox sh).  Source it, call ok/check,
# then done_testing, whose exit status is the script's.
n=0 failed=0
fwverify=/usr/bin/fwverify
pki=/payload/pki
T=$(mktemp -d)

ok() { # DESC STATUS(0 = pass) [DIAGNOSTIC]
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		[ -n "${3:-}" ] && echo "$3" | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
}

# check DESC EXPECTED-RC CMD...: run CMD, pass when its exit code is EXPECTED-RC.
check() {
	local desc=$1 want=$2 got
	shift 2
	out=$("$@" 2>"$T/stderr")
	got=$?
	err=$(cat "$T/stderr")
	[ "$got" = "$want" ]
	ok "$desc" $? "expected exit $want, saw $got; stdout: $out; stderr: $err"
}

done_testing() {
	echo "1..$n"
	[ "$failed" = 0 ]
}
