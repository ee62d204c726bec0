#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# VM payload of `make bench`: median load time through test_firmware per
# case (blob sizes, a partial read, compressed firmware with each signature
# form) with nothing guarding the load, with fwverify, and with IMA
# appraisal, in one boot.  IMA's policy cannot be taken back, so it is
# loaded first and holds only for files of one owner:
#   appraise func=FIRMWARE_CHECK fowner=4242 appraise_type=imasig
# and IMA loads copies of the blobs under ima/, owned by 4242 and signed in
# security.ima; fwverify's loads are of the root-owned blobs, which IMA
# only matches against its rule.  Then BENCH_ROUNDS rounds (3; given on
# the kernel command line; three times as many for the small cases, 4k and
# partial), a second apart.  Each column's loads of a round are split into
# blocks (5 for the small cases, 3 for the others), and the columns take
# turns block by block, in this order:
#   off            fwverify in mode off: the unguarded baseline
#   first, cached  fwverify in mode enforce: every load a first one
#                  (fwbench "expire"), then repeated loads
#   ima-first, ima-cached   as for fwverify, IMA's copies, fwverify in
#                  mode off
# so that every column of a round meets the same spells of the TCG host,
# which is slower by up to half for seconds at a time (under
# BENCH_CLOCK=wall; scripts/bench.sh's footnote).  A column's figures
# for a round are those of all its blocks' loads; the table takes each
# column's lowest median over the rounds.  Off runs once more at the end:
# the first seconds after boot are the noisiest.
# Prints "BENCH <case> <mode> <median us> <min us> p10= p90= max= mean=
# round=<n>" lines (round=last: off once more),
# and "NOTE" lines for the table's footnotes.  Fails if fwverify's or IMA's
# first loads are not verified afresh, or if IMA lets a file with a bad or
# no signature in.
# BENCH_CASES=4k,partial (on the kernel command line) runs fewer cases;
# BENCH_SETTLE (ms, 200) is the busy wait before each block.
# Built in (make intree), fwverify has no IMA beside it in that kernel: no
# IMA runs.
ima=/payload/bench-ima	# security.ima values, the signer's certificate
d=/lib/firmware/fwverify-bench
mode=/sys/module/fwverify/parameters/mode
cached=/sys/kernel/fwverify/stats/cached
rc=0

# The console takes emergencies only: writing to the emulated serial port
# is slow under TCG (a few hundred us a line), and would be timed:
# test_firmware's and the audit's lines, and for a signature made before
# fwverify sign named the firmware under id-at-name (2.5.4.41), the kernel
# PKCS#7 parser's "PKCS7: Unknown OID" for its legacy name OID.  dmesg
# still has every line.
dmesg -n 1
# Let what the boot left running settle before the first timed load.
sleep 3

fail() {
	echo "FAIL: $*"
	rc=1
}

# Every SHA-256 on sha256-generic, as scripts/vm-test.sh arranges.  7.x
# has one driver, sha256-lib: the library, which picks the CPU's
# instructions itself, for fwverify, IMA and the loader alike.
if grep -q '^driver *: sha256-lib' /proc/crypto; then
	echo "NOTE sha256 is the kernel library's (sha256-lib), for every column"
elif grep -q '^driver *: sha256-[^g]' /proc/crypto; then
	fail "an accelerated sha256 is loaded: $(grep '^driver *: sha256-' /proc/crypto | tr -s ' \n' ' ')"
fi

# case -> fwbench arguments: how it is loaded, its name, how many loads.
args() {
	case $1 in
	# Small loads vary most under TCG: more of them, for a steadier median.
	4k) echo "load fwverify-bench/4k.bin 101" ;;
	1m) echo "load fwverify-bench/1m.bin 31" ;;
	16m) echo "load fwverify-bench/16m.bin 9" ;;
	partial) echo "partial fwverify-bench/partial.bin 101" ;;
	xz-stored|xz-content) echo "load fwverify-bench/$1.bin 15" ;;
	*) return 1 ;;
	esac
}
cases=$(echo "${BENCH_CASES:-4k,1m,16m,partial,xz-stored,xz-content}" | tr , ' ')
for c in $cases; do
	args "$c" >/dev/null || { echo "FAIL: unknown case $c"; exit 1; }
done

# The name of IMA's copy of NAME.
imaname() {
	echo "${1%/*}/ima/${1##*/}"
}

# How many blocks a case's loads of a round are split into: more for the
# small cases, whose loads are many and short.
maxblocks=5
blocks() {
	case $1 in 4k|partial) echo $maxblocks ;; *) echo 3 ;; esac
}

samples=/tmp/bench-samples

# run CASE MODE BLOCK: the BLOCK-th block of CASE's loads of the round in
# MODE, their times added to the round's samples of CASE MODE; in the
# first block, one load first, so that every case starts with a warm page
# cache.  Modes ima-*: IMA's copy.  Modes *first: every load a first one.
run() {
	# shellcheck disable=SC2046 # args() gives three words
	set -- "$1" "$2" "$3" $(args "$1")
	case $2 in ima-*) set -- "$1" "$2" "$3" "$4" "$(imaname "$5")" "$6" ;; esac
	# This block's share of the round's loads.
	nb=$(blocks "$1")
	n=$(($6 / nb + ($3 <= $6 % nb)))
	expire=
	case $2 in *first) expire=expire ;; esac
	[ "$3" != 1 ] || /payload/fwbench "$4" "$5" 1 >/dev/null || rc=1
	# What the block before left to do after its loads (fwverify's
	# reports of its first verdicts: audit records, uevents) is done
	# before this one is timed (settle=): with one host thread for both
	# CPUs it would be charged to this block's loads, whichever column it
	# is.  fwbench waits busy: loads after an idle spell are slower.
	hits=$(cat $cached 2>/dev/null)
	/payload/fwbench "$4" "$5" "$n" $expire settle="${BENCH_SETTLE:-200}" \
		"samples=$samples/$1.$2" || rc=1
	# fwverify counts what it answers from its cache.
	case $2 in first|cached) hits=$(($(cat $cached) - hits)) ;; *) return ;; esac
	if [ "$2" = first ] && [ "$hits" != 0 ]; then
		fail "$1: $hits of $n fwverify first loads were answered from its cache"
	elif [ "$2" = cached ] && [ "$hits" != "$n" ]; then
		fail "$1: only $hits of $n fwverify repeated loads were answered from its cache"
	fi
}

# summary ROUND CASE...: BENCH lines of the round's samples of each CASE
# in each mode run.
summary() {
	in=$1
	shift
	for c in "$@"; do
		for m in off first cached ima-first ima-cached; do
			[ -e "$samples/$c.$m" ] || continue
			r=$(/payload/fwbench stats "$samples/$c.$m") || rc=1
			echo "BENCH $c $m $r round=$in"
		done
	done
	rm -rf $samples
}

# IMA's audit records (printk'd: no auditd runs) of refusals of a file.
refusals() {
	dmesg | grep -c "op=appraise_data .*name=\"/lib/firmware/$1"
}

# check ok|refused CASE|FILE [expire]: one load of IMA's copy of CASE, or
# of FILE; its outcome in $got, and false if not the one expected.  A
# refusal must be IMA's: EACCES and an appraise_data audit record.
check() {
	# shellcheck disable=SC2046 # args() gives three words
	if args "$2" >/dev/null; then set -- "$1" $(args "$2") "$3"
		set -- "$1" "$2" "$(imaname "$3")" "$4" "$5"
	else set -- "$1" load "$2" 1 "$3"; fi
	n=$(refusals "$3")
	if /payload/fwbench "$2" "$3" 1 ${5:+"$5"} >/dev/null 2>/tmp/err; then
		got=loaded
		[ "$1" = ok ]
		return
	fi
	# kauditd prints the record a little later.
	i=0
	while [ "$(refusals "$3")" = "$n" ] && [ $i -lt 50 ]; do
		usleep 100000
		i=$((i + 1))
	done
	cause='' audit='no audit record'
	if [ "$(refusals "$3")" != "$n" ]; then
		a=$(dmesg | grep "op=appraise_data .*name=\"/lib/firmware/$3" | tail -n 1)
		cause=$(echo "$a" | sed -n 's/.* cause=\([^ ]*\) .*/\1/p')
		a=$(echo "$a" | sed -n 's/.* name="\([^"]*\)".*/\1/p')
		audit="audit: $cause on ${a##*/}"
	fi
	got="refused ($audit; $(sed 's/.*: //' /tmp/err))"
	[ "$1" = refused ] && [ -n "$cause" ] && grep -q 'Permission denied' /tmp/err
}

# expect ok|refused WHAT CASE|FILE [expire]: check(), then a NOTE or a FAIL.
expect() {
	w=$2
	if check "$1" "$3" "$4"; then
		echo "NOTE IMA check: $w: $got"
	else
		fail "IMA check: $w: expected $1, got $got"
	fi
}

if [ ! -d /sys/module/fwverify/parameters ]; then
	insmod /lib/modules/extra/fwverify.ko || exit 1
fi
with_ima=
if [ -e /sys/kernel/security/ima/policy ]; then
	with_ima=1
else
	echo "NOTE no IMA in this kernel: no IMA runs"
fi

printk_ratelimit=$(sysctl -n kernel.printk_ratelimit) || exit 1

# IMA's copies, signed, and its policy, before anything is timed, so that
# every run sees the same files and the same rules.  ima-good.bin is
# 4k.bin, ima-tampered.bin 4k.bin and one more byte, both with 4k.bin's
# signature; ima-unsigned.bin has none.
if [ -n "$with_ima" ]; then
	key=$(/payload/fwbench imakey $ima/signer.der) || exit 1
	mkdir -p $d/ima || exit 1
	for v in "$ima"/*.ima; do
		f=${v##*/}
		f=${f%.ima}
		cp "$d/$f" "$d/ima/$f" &&
			/payload/fwbench imasig "$d/ima/$f" "$v" || exit 1
	done
	cp $d/4k.bin $d/ima/ima-good.bin && cp $d/4k.bin $d/ima/ima-unsigned.bin &&
		{ cat $d/4k.bin && echo; } >$d/ima/ima-tampered.bin &&
		/payload/fwbench imasig $d/ima/ima-good.bin $ima/4k.bin.ima &&
		/payload/fwbench imasig $d/ima/ima-tampered.bin $ima/4k.bin.ima &&
		chown -R 4242 $d/ima || exit 1
	# Every audit record into dmesg, for expect(); not while loads are
	# timed (below).
	sysctl -q -w kernel.printk_ratelimit=0 || exit 1
	echo "appraise func=FIRMWARE_CHECK fowner=4242 appraise_type=imasig" \
		>/sys/kernel/security/ima/policy || exit 1
	# IMA appraises its copies, and fwverify (mode off) lets them through.
	echo off >$mode || exit 1
	expect ok "ima-good.bin (4k.bin, its signature)" fwverify-bench/ima/ima-good.bin
	expect refused "ima-tampered.bin (4k.bin's signature, a byte more)" fwverify-bench/ima/ima-tampered.bin
	expect refused "ima-unsigned.bin (no security.ima)" fwverify-bench/ima/ima-unsigned.bin
	# fwverify's blobs are root's and carry no security.ima: not IMA's.
	expect ok "4k.bin, root's, no security.ima (fowner)" fwverify-bench/4k.bin
	# The timed loads run under printk's own rate limit, as on any
	# machine: without it kauditd would print each of fwverify's audit
	# records of a first load (no auditd runs here), and IMA audits no
	# success.  A machine with auditd prints none.
	sysctl -q -w kernel.printk_ratelimit="$printk_ratelimit" || exit 1
fi

# The small cases, whose loads take a few milliseconds, run three rounds
# to every one of the others: a slow spell of the host lasts longer than
# all their loads of a round, and their figures vary most.
small=
for c in $cases; do
	case $c in 4k|partial) small="$small $c" ;; esac
done
rounds=${BENCH_ROUNDS:-3}
for round in $(seq $((rounds * 3))); do
	these=$cases
	[ $((round % 3)) = 1 ] || these=$small
	[ -n "$these" ] || continue
	[ "$round" = 1 ] || sleep 1
	rm -rf $samples && mkdir $samples || exit 1
	for b in $(seq $maxblocks); do
		for c in $these; do
			[ "$b" -le "$(blocks "$c")" ] || continue
			echo off >$mode || exit 1
			run "$c" off "$b"
			echo enforce >$mode || exit 1
			run "$c" first "$b"
			run "$c" cached "$b"
			echo off >$mode || exit 1
			[ -n "$with_ima" ] || continue
			run "$c" ima-first "$b"
			run "$c" ima-cached "$b"
		done
	done
	# shellcheck disable=SC2086 # a list of cases
	summary "$round" $these
done
# Off once more, in blocks as before.
echo off >$mode || exit 1
mkdir $samples || exit 1
for b in $(seq $maxblocks); do
	for c in $cases; do
		[ "$b" -gt "$(blocks "$c")" ] || run "$c" off "$b"
	done
done
# shellcheck disable=SC2086 # a list of cases
summary last $cases
grep . /sys/kernel/fwverify/stats/* | sed 's/^/# /'
[ -n "$with_ima" ] || exit $rc

# The rewrite before each first load made IMA appraise afresh: with the key
# gone, a file loads on its cached verdict, and is refused once rewritten.
keyctl unlink "${key#* }" "${key% *}" >/dev/null || exit 1
sysctl -q -w kernel.printk_ratelimit=0 || exit 1
for c in $cases; do
	expect ok "key unlinked: $c, cached" "$c"
	expect refused "key unlinked: $c, rewritten" "$c" expire
done
exit $rc
