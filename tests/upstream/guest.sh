#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The VM side of tests/upstream/run.sh: run the kernel's own firmware
# selftests (/payload/firmware, the kernel's tools/testing/selftests/firmware,
# unmodified) the way fw_run_tests.sh does, one script at a time, each with a
# time box, in the mode named by /payload/mode:
#
#   none     fwverify not loaded
#   log      fwverify loaded with mode=log (nothing is signed)
#   enforce  fwverify loaded with mode=enforce, and fwsign-on-trigger signing
#            every file the tests create before the kernel is asked to load it
#
# Output, parsed by run.sh:
#   ### BEGIN <step>            a test script (or fw_namespace) starts
#   ...                         its output, stdout and stderr, as it comes
#   ### END <step> rc=N secs=S  it ended with status N (124: killed)
#   ### STAT <name> <value>     fwverify's counters after the run
#   # ...                       anything else worth reading
# Two markers can appear in a script's output, written by this watchdog:
#   <<fwv-upstream: stalled>>   no output for $STALL s: pending fallback
#                               loads were cancelled (writing -1 to loading)
#   <<fwv-upstream: killed>>    the script ran over $LIMIT s and was killed
set -u
P=/payload
T=$P/firmware
DIR=/sys/devices/virtual/misc/test_firmware
FW_PROC=/proc/sys/kernel/firmware_config
STALL=60	# seconds without a byte of output: a hung load
LIMIT=900	# seconds per script, at most
mode=$(cat "$P/mode")
# Enforce: fwverify in log mode around the platform test only (see
# fwsign-on-trigger.c); /payload/strict turns that off.
PLATFORM_LOG=1
[ ! -e "$P/strict" ] || PLATFORM_LOG=

setup_failed() {
	echo "### SETUP-FAILED $*"
	exit 2
}

uptime_s() {
	local u
	read -r u _ </proc/uptime
	echo "${u%.*}"
}

# Cancel every pending sysfs fallback load: what fw_fallback.sh does by hand.
cancel_loads() {
	local f
	for f in /sys/class/firmware/*/loading "$DIR"/*/loading; do
		[ -e "$f" ] && echo -1 >"$f" 2>/dev/null
	done
}

# A killed script did not run its EXIT trap (test_finish): do what it does.
restore_loader() {
	printf '\000' >/sys/module/firmware_class/parameters/path
	[ ! -f "$FW_PROC/force_sysfs_fallback" ] || echo -n 0 >"$FW_PROC/force_sysfs_fallback"
	[ ! -f "$FW_PROC/ignore_sysfs_fallback" ] || echo -n 0 >"$FW_PROC/ignore_sysfs_fallback"
	[ ! -f "$DIR/reset" ] || echo 1 >"$DIR/reset"
}

# A marker goes on the line in progress, or on a line of its own.
mark() {
	local log=$1 text=$2
	if [ -s "$log" ] && [ "$(tail -c 1 "$log")" != "" ]; then
		printf ' <<fwv-upstream: %s>> ' "$text" >>"$log"
	else
		printf '<<fwv-upstream: %s>>\n' "$text" >>"$log"
	fi
}

# run_step ID COMMAND...: run COMMAND in its own session, stream its output,
# cancel pending loads when it stalls, kill it when it runs too long.
run_step() {
	local id=$1 log=/tmp/step.log
	local pid start now last size off=0 rc=124 killed=0 stuck=0
	shift
	: >"$log"
	echo "### BEGIN $id"
	start=$(uptime_s)
	last=$start
	setsid "$@" </dev/null >>"$log" 2>&1 &
	pid=$!
	while [ -d "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; do
		sleep 1
		now=$(uptime_s)
		size=$(stat -c %s "$log")
		if [ "$size" -gt "$off" ]; then
			tail -c +$((off + 1)) "$log" | head -c $((size - off))
			off=$size
			last=$now
		elif [ $((now - last)) -ge "$STALL" ]; then
			mark "$log" stalled
			cancel_loads
			last=$now
		fi
		if [ $((now - start)) -ge "$LIMIT" ] && [ "$killed" = 0 ]; then
			mark "$log" killed
			cancel_loads
			kill -TERM -- "-$pid" 2>/dev/null
			sleep 5
			kill -KILL -- "-$pid" 2>/dev/null
			killed=1
		elif [ "$killed" = 1 ] && [ $((now - start)) -ge $((LIMIT + 60)) ]; then
			echo "# $id: does not die (blocked in the kernel); going on"
			stuck=1
			break
		fi
	done
	if [ "$stuck" = 0 ]; then
		wait "$pid" 2>/dev/null
		rc=$?
	fi
	[ "$killed" = 0 ] || { rc=124; restore_loader; }
	size=$(stat -c %s "$log")
	[ "$size" -le "$off" ] || tail -c +$((off + 1)) "$log"
	[ ! -s "$log" ] || [ "$(tail -c 1 "$log")" = "" ] || echo
	echo "### END $id rc=$rc secs=$(($(uptime_s) - start))"
}

# What run_tests() of fw_run_tests.sh does before each script.
set_fallback() {
	[ ! -f "$FW_PROC/force_sysfs_fallback" ] || echo -n "$1" >"$FW_PROC/force_sysfs_fallback"
	[ ! -f "$FW_PROC/ignore_sysfs_fallback" ] || echo -n "$2" >"$FW_PROC/ignore_sysfs_fallback"
}

run_config() {
	local n=$1 force=$2 ignore=$3 s
	for s in fw_filesystem fw_fallback fw_upload; do
		if grep -qx "$s" "$P/skip" 2>/dev/null; then
			echo "# config$n/$s: not run (SKIP)"
			continue
		fi
		set_fallback "$force" "$ignore"
		run_step "config$n/$s" "$T/$s.sh"
	done
}

start_signer() {
	/usr/bin/fwsign-on-trigger --signer /usr/bin/fwverify \
		--key "$P/pki/rsa-signer.key" --cert "$P/pki/rsa-signer.crt" \
		--ready /tmp/fwsign.ready ${PLATFORM_LOG:+--platform-log /sys/module/fwverify/parameters/mode} \
		"$DIR" 2>/tmp/fwsign.log &
	signer=$!
	for _ in $(seq 50); do
		[ ! -e /tmp/fwsign.ready ] || return 0
		kill -0 "$signer" 2>/dev/null || break
		sleep 0.2
	done
	cat /tmp/fwsign.log
	setup_failed "fwsign-on-trigger did not start"
}

stop_signer() {
	kill -TERM "$signer" 2>/dev/null
	wait "$signer"
	echo "# fwsign-on-trigger exit $?: $(grep -c ' signed$' /tmp/fwsign.log) signatures made"
	grep -v ' signed$' /tmp/fwsign.log | sed 's/^/# /'
}

# --- set-up --------------------------------------------------------------------

diff --version 2>/dev/null | grep -q 'GNU diffutils' || setup_failed "diff is not GNU diffutils' diff"
[ "$(command -v diff)" = /usr/bin/diff ] || setup_failed "diff is $(command -v diff), not /usr/bin/diff"
[ -d "$DIR" ] || setup_failed "test_firmware is not loaded"
insmod /lib/modules/extra/configs.ko || setup_failed "insmod configs.ko"
zgrep -q '^CONFIG_FW_LOADER=y' /proc/config.gz || setup_failed "/proc/config.gz does not say CONFIG_FW_LOADER=y"
case $mode in
none) ;;
log|enforce)
	insmod /lib/modules/extra/fwverify.ko mode="$mode" || setup_failed "insmod fwverify.ko mode=$mode"
	[ "$(cat /sys/module/fwverify/parameters/mode)" = "$mode" ] || setup_failed "fwverify is not in mode $mode"
	;;
*) setup_failed "unknown mode '$mode'" ;;
esac
[ "$mode" != enforce ] || start_signer

echo "# kernel $(uname -r), fwverify mode $mode"
echo "# $(zgrep -E '^(# )?CONFIG_(FW_LOADER_USER_HELPER|FW_LOADER_USER_HELPER_FALLBACK|FW_LOADER_COMPRESS_XZ|FW_LOADER_COMPRESS_ZSTD|FW_UPLOAD)[= ]' /proc/config.gz | tr '\n' ' ')"

# --- the tests, as fw_run_tests.sh runs them ------------------------------------

export HAS_FW_LOADER_USER_HELPER="" HAS_FW_LOADER_USER_HELPER_FALLBACK="" HAS_FW_LOADER_COMPRESS=""
run_step namespace "$T/fw_namespace" "$DIR/trigger_request"
if [ -f "$FW_PROC/force_sysfs_fallback" ]; then
	run_config 1 0 1	# rare: no usermode helper
	run_config 2 0 0	# distro: helper, no fallback by default
	run_config 3 1 0	# android: fallback forced
else
	run_config 0 "" ""	# "working with your config"
fi

# --- what fwverify saw ------------------------------------------------------------

[ "$mode" != enforce ] || stop_signer
if [ -d /sys/kernel/fwverify/stats ]; then
	for f in /sys/kernel/fwverify/stats/*; do
		echo "### STAT ${f##*/} $(cat "$f")"
	done
fi
exit 0
