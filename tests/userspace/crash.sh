#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Crash safety of fwverify stage and rollback: kill the tool (SIGKILL, with
# strace's fault injection) at every system call it makes, one run per
# system call, and check after each kill that
#   - search_dir points at the old or at the new generation, and the tree
#     it shows is exactly that generation, every file with its own signature;
# and that the next run cleans up what the dead one left and completes:
#   - no staging area, half-removed generation or temporary symlink is left,
#     the new generation is active, the manifest high-water mark and the
#     revocations of the interrupted stage are there.
# Prints TAP.  Uses the plain (not sanitized) build: ASan's own system calls
# would multiply the kill points without testing anything more.
#
#   tests/userspace/crash.sh              build into build/userspace-plain and run
#   BUILD=DIR tests/userspace/crash.sh    build elsewhere
#   JOBS=N tests/userspace/crash.sh       run N kill points at a time (default 1)
#
# strace counts injections per system call (when=K is the Kth call of that
# system call), so every kill point is named as (system call, K), taken in
# the order of a trace of an uninterrupted run.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build/userspace-plain}
jobs=${JOBS:-1}

if ! command -v strace >/dev/null || ! strace -e inject=getpid:error=EPERM:when=1 true 2>/dev/null; then
	echo "1..0 # SKIP strace with fault injection is not available"
	exit 0
fi
make -s -C "$top/userspace" O="$build" >&2 || { echo "Bail out! build failed"; exit 1; }
fwverify=$build/fwverify
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pki=$tmp/pki
"$top/tests/pki/gen.sh" "$pki" >/dev/null || { echo "Bail out! cannot make the test PKI"; exit 1; }

n=0 failed=0
ok() { # DESC STATUS [DIAGNOSTICS]
	n=$((n + 1))
	if [[ $2 == 0 ]]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		[[ -n ${3:-} ]] && sed 's/^/#   /' <<<"$3"
		failed=$((failed + 1))
	fi
}

# --- two releases and the state each run starts from ------------------------
S=("$fwverify" sign -q --key "$pki/rsa-signer.key" --cert "$pki/rsa-signer.crt")
r1=$tmp/r1 r2=$tmp/r2
mkdir -p "$r1/sub"
for f in a.bin b.bin sub/c.bin; do head -c 20000 /dev/urandom >"$r1/$f"; done
(cd "$r1" && "${S[@]}" --manifest --base . --generation 1 --expires +3650d a.bin b.bin sub/c.bin) ||
	{ echo "Bail out! cannot sign release 1"; exit 1; }
cp -a "$r1" "$r2"
sleep 1.1	# release 2's signatures must be newer than release 1's
head -c 100 /dev/urandom >>"$r2/a.bin"
head -c 3000 /dev/urandom >"$r2/sub/d.bin"
rm "$r2/b.bin" "$r2/b.bin.p7s"
(cd "$r2" && "${S[@]}" --manifest --base . --generation 2 --expires +3650d a.bin sub/c.bin sub/d.bin) ||
	{ echo "Bail out! cannot sign release 2"; exit 1; }
revoked_a=$(sha256sum "$r1/a.bin" | cut -c1-64) revoked_b=$(sha256sum "$r1/b.bin" | cut -c1-64)

# The work area of a run: <w>/fw/updates, <w>/state, <w>/conf.  The symlink
# is absolute, so each kill point restores <w> from copies saved at the
# same path: one work area per parallel job, <slot>/w.
export FWVERIFY_SYSFS=$tmp/nosys
make_base() { # SLOT: <slot>/stage (release 1 active) and <slot>/rollback (2 active, 1 kept)
	local w=$1/w
	mkdir -p "$w/fw"
	printf 'search_dir = %s\nstate_dir = %s\nca = %s\n' "$w/fw/updates" "$w/state" "$pki/rsa-signer.crt" >"$w/conf"
	FWVERIFY_CONFIG=$w/conf "$fwverify" stage "$r1" >/dev/null || return 1
	cp -a "$w" "$1/stage"
	FWVERIFY_CONFIG=$w/conf "$fwverify" stage "$r2" >/dev/null || return 1
	mv "$w" "$1/rollback"
}
for ((s = 0; s < jobs; s++)); do
	make_base "$tmp/slot$s" || { echo "Bail out! cannot stage the releases"; exit 1; }
done

# tree_is W RELEASE: the active tree of W is exactly RELEASE (its manifest aside).
tree_is() {
	diff -r -q --exclude='fwverify.manifest*' "$2" "$1/fw/updates/" >/dev/null 2>&1
}

# leftovers W: what an interrupted run may leave, listed (empty when clean).
leftovers() {
	find "$1/state" -maxdepth 1 -name 'staging.*'
	find "$1/state/generations" -mindepth 1 -maxdepth 1 -name '.*'
	find "$1/fw" -mindepth 1 -maxdepth 1 -name '.*'
	find "$1/state/generations" -mindepth 2 -maxdepth 2 -name replaced
}

# killed_ok PHASE W: after a kill, W shows release 1 (generation 1) or release 2 (a later one).
killed_ok() {
	local link
	link=$(readlink "$2/fw/updates")
	case $link in
	"$2/state/generations/1/tree")
		tree_is "$2" "$r1" || { echo "generation 1 active but not exactly release 1"; return 1; } ;;
	"$2/state/generations/"[1-9]*/tree)
		tree_is "$2" "$r2" || { echo "$link active but not exactly release 2"; return 1; } ;;
	*)
		echo "search_dir is '$link'"
		return 1 ;;
	esac
}

# next_ok PHASE W: the next, uninterrupted run completes and leaves W clean.
next_ok() {
	local out link left
	export FWVERIFY_CONFIG=$2/conf
	if [[ $1 == stage ]]; then
		out=$("$fwverify" stage --revoke-replaced "$r2" 2>&1) || { echo "next stage failed: $out"; return 1; }
		tree_is "$2" "$r2" || { echo "after the next stage: not release 2"; return 1; }
		[[ $(readlink "$2/fw/updates") != */generations/1/tree ]] || { echo "generation 1 still active"; return 1; }
		[[ $(cat "$2/state/manifest-generation" 2>/dev/null) == 2 ]] || { echo "high-water mark is not 2"; return 1; }
		grep -q "$revoked_a" "$2/state/revoked" 2>/dev/null && grep -q "$revoked_b" "$2/state/revoked" ||
			{ echo "release 1's a.bin and b.bin are not both revoked"; return 1; }
	else
		link=$(readlink "$2/fw/updates")
		if [[ $link == */generations/1/tree ]]; then
			out=$("$fwverify" stage "$r1" 2>&1) || { echo "next run (stage, no change) failed: $out"; return 1; }
		else
			out=$("$fwverify" rollback 2>&1) || { echo "next rollback failed: $out"; return 1; }
		fi
		[[ $(readlink "$2/fw/updates") == */generations/1/tree ]] && tree_is "$2" "$r1" ||
			{ echo "after the next run: generation 1 is not active with release 1"; return 1; }
		[[ $(ls "$2/state/generations") == 1 ]] || { echo "generations left: $(ls "$2/state/generations" | xargs)"; return 1; }
	fi
	left=$(leftovers "$2")
	[[ -z $left ]] || { echo "left behind: $left"; return 1; }
}

# cmd PHASE: the command under test.
cmd() {
	if [[ $1 == stage ]]; then
		echo "stage --revoke-replaced $r2"
	else
		echo "rollback"
	fi
}

# kill_at PHASE SYSCALL K SLOT: one kill point; prints nothing when all is well.
kill_at() {
	local phase=$1 sc=$2 k=$3 w=$4/w rc why
	rm -rf "$w"
	cp -a "$4/$phase" "$w"
	rc=$(FWVERIFY_CONFIG=$w/conf strace -f -o /dev/null -e "trace=$sc" \
		-e "inject=$sc:signal=SIGKILL:when=$k" "$fwverify" $(cmd "$phase") >/dev/null 2>&1; echo $?)
	if [[ $rc != 137 ]]; then
		echo "NOTREACHED $sc#$k (exit $rc)"
	elif ! why=$(killed_ok "$phase" "$w"); then
		echo "KILLED AT $sc#$k: $why"
	elif ! why=$(next_ok "$phase" "$w"); then
		echo "KILLED AT $sc#$k, THEN: $why"
	fi
}

# The kill points of PHASE: "SYSCALL K" for every system call of an uninterrupted run, in order.
kill_points() {
	local w=$tmp/slot0/w
	rm -rf "$w"
	cp -a "$tmp/slot0/$1" "$w"
	FWVERIFY_CONFIG=$w/conf strace -f -qq -o "$tmp/trace" "$fwverify" $(cmd "$1") >/dev/null 2>&1 || return 1
	# Left out: the execve that starts the tool (strace cannot fail it) and
	# exit_group (a kill there is no different from the exit it starts), and
	# getrandom, which OpenSSL calls a varying number of times from run to
	# run and which changes nothing on disk (a kill there is a kill at the
	# system call before it).
	awk '{ sub(/^[0-9]+ +/, ""); if (match($0, /^[a-z0-9_]+\(/)) { s = substr($0, 1, RLENGTH - 1); print s, ++c[s] } }' \
		"$tmp/trace" | grep -v -e '^execve 1$' -e '^exit_group ' -e '^getrandom '
}

for phase in stage rollback; do
	start=$SECONDS
	points=$(kill_points "$phase")
	ok "$phase runs to completion under strace" $?
	total=$(wc -l <<<"$points")
	for ((s = 0; s < jobs; s++)); do
		awk -v j="$jobs" -v s="$s" 'NR % j == s' <<<"$points" | while read -r sc k; do
			kill_at "$phase" "$sc" "$k" "$tmp/slot$s"
		done >"$tmp/report$s" &
	done
	wait
	report=$(cat "$tmp"/report*)
	bad=$(grep -v '^NOTREACHED' <<<"$report" | grep . || true)
	notreached=$(grep -c '^NOTREACHED' <<<"$report" || true)
	ok "$phase killed at each of its $total system calls ($((SECONDS - start))s): old or new generation, whole, then cleaned up" \
		"$([[ -z $bad ]]; echo $?)" "$(head -n 20 <<<"$bad")"
	ok "$phase: every kill point was reached (the runs make the same system calls)" \
		"$([[ $notreached == 0 ]]; echo $?)" "$(grep '^NOTREACHED' <<<"$report" | head -n 10)"
done

echo "1..$n"
[[ $failed == 0 ]]
