#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run.sh [--record] [--no-build|--build-only|--reuse] SERIES MODE
#
# Run the kernel's own firmware selftests (tools/testing/selftests/firmware
# of linux-source-SERIES, unmodified) in QEMU on Debian's SERIES kernel, with
# fwverify in MODE (none: not loaded; log; enforce: over signed files), and
# compare each outcome with the expectations:
#
#   tests/upstream/expect-SERIES         what happens without fwverify
#   tests/upstream/expect-SERIES.MODE    the intended differences in MODE,
#                                        each with its reason (optional)
#
# Prints TAP, one line per script run (config N / script) and per test case
# (tries of one case counted together), then "N passed, M failed".  Exit
# status 0 only if every outcome is as expected.
#
#   --record     write what was seen into the expectations (MODE none: the
#                baseline; other modes: the differences from it), keeping
#                every line that still holds (with its comment)
#   --no-build   use what an earlier run built (for runs in parallel)
#   --build-only build what a run in MODE needs, and stop
#   --reuse      no VM: judge the guest output of the last run again
#
# Environment: VM_TIMEOUT (default 1800) bounds the whole VM run; VERBOSE=1
# streams the guest's output; STRICT=1 keeps fwverify in enforce mode for the
# platform test too (fw_filesystem.sh then ends there, see README.md);
# SKIP="fw_upload ..." leaves scripts out, to look at the rest while one of
# them crashes the guest (what they cover counts as absent).
# Work files: build/upstream/run-SERIES-MODE/.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
here=tests/upstream

record=0 build=1
while [ $# -gt 0 ]; do
	case $1 in
	--record) record=1; shift ;;
	--no-build) build=0; shift ;;
	--build-only) build=only; shift ;;
	--reuse) build=reuse; shift ;;
	-*) echo "usage: $0 [--record] [--no-build|--build-only|--reuse] SERIES none|log|enforce" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 2 ] || { echo "usage: $0 [--record] [--no-build|--build-only|--reuse] SERIES none|log|enforce" >&2; exit 2; }
series=$1 mode=$2
case $mode in none|log|enforce) ;; *) echo "run: unknown mode '$mode'" >&2; exit 2 ;; esac
[ -d "build/kernels/$series" ] || scripts/fetch-kernels.sh
[ -d "build/kernels/$series" ] || { echo "run: no kernel '$series'" >&2; exit 2; }

work=build/upstream/run-$series-$mode
src=build/linux-source/$series/tools/testing/selftests/firmware
kout=build/kmod-upstream/$series	# its own module tree: runs may overlap
base=$here/expect-$series
delta=$here/expect-$series.$mode

# --- build ---------------------------------------------------------------------

prepare() {
	scripts/fetch-source.sh "$series" >&2
	scripts/build-configs-ko.sh "$series" >&2
	make -s -C "$here" SERIES="$series" >&2
	if [ "$mode" != none ]; then
		scripts/vm-prepare.sh >&2
		make -s -j"$(nproc)" module KVER="$series" KMOD_OUT="$top/$kout" \
			FWVERIFY_CERTS="$(cat build/pki/trusted.list)" 2>&1 |
			{ grep -v '^Skipping BTF' || true; } >&2
		[ -f "$kout/kmod/fwverify.ko" ] || { echo "run: module build failed" >&2; exit 2; }
	fi
}

image() {
	local pl=$work/payload b
	rm -rf "$pl"
	mkdir -p "$pl/firmware"
	cp -a "$src/." "$pl/firmware/"
	cp "build/upstream/$series/fw_namespace" "$pl/firmware/"
	# /bin/bash for the scripts, /bin/sh is dash as on Debian: zgrep -q,
	# which kconfig_has() runs, fails with 141 (SIGPIPE) under busybox sh.
	printf '#!/bin/sh\nln -sf /usr/bin/bash /bin/bash\nln -sf /usr/bin/dash /bin/sh\nexec /bin/bash /payload/guest.sh\n' >"$pl/run"
	chmod 755 "$pl/run"
	cp "$here/guest.sh" "$pl/guest.sh"
	echo "$mode" >"$pl/mode"
	# SKIP="fw_upload ...": scripts not to run, to look at the rest while
	# one of them crashes the guest (the comparison then fails).
	# shellcheck disable=SC2086 # SKIP is a list
	printf "%s\n" ${SKIP:-} >"$pl/skip"
	local args=(--kernel "$series" --out "$work/initrd.cpio.gz" --kmod test_firmware
		--module "build/configs-ko/$series/configs.ko" --payload "$pl")
	if [ "$mode" != none ]; then
		cp "$kout/kmod/fwverify.ko" "$work/fwverify.ko"
		args+=(--module "$work/fwverify.ko" --bin userspace/fwverify)
		# The hashes a signature may use, where they are modules.
		if find "build/kernels/$series/modules/kernel" -name 'sha512_generic.ko*' | grep -q .; then
			args+=(--kmod sha512_generic)
		fi
	fi
	if [ "$mode" = enforce ]; then
		[ -z "${STRICT:-}" ] || touch "$pl/strict"
		mkdir -p "$pl/pki"
		cp build/pki/rsa-signer.key build/pki/rsa-signer.crt "$pl/pki/"
		args+=(--bin build/upstream/fwsign-on-trigger)
	fi
	# What the scripts call, GNU versions where busybox's differ: diff -Z
	# and cmp, sleep 1e-03, mktemp -p, real xz and zstd, zgrep.
	for b in bash dash diff cmp sleep mktemp seq date dd xz zstd zgrep gzip grep setsid; do
		args+=(--bin "$(command -v "$b")")
	done
	scripts/mkinitramfs.sh "${args[@]}"
}

# --- outcomes --------------------------------------------------------------------

# The guest's output -> "ID<TAB>OUTCOME" lines, in order of first appearance.
# A step is one script in one configuration; a case is one test function of
# a script in one section ("Testing with ..."), all its tries together:
# fail if a try failed, hang if a try stalled until the watchdog cancelled
# its loads, pass otherwise.
parse() {
	awk '
	function note(id, outcome) {
		if (!(id in seen)) { seen[id] = 1; order[++n] = id }
		if (!(id in result) || rank[outcome] > rank[result[id]]) result[id] = outcome
	}
	BEGIN { rank["pass"] = 1; rank["skip"] = 2; rank["hang"] = 3; rank["fail"] = 4 }
	/^### BEGIN / { step = $3; section = ""; ignored = 0; stalled = 0; next }
	/^### END / {
		rc = $4; sub(/^rc=/, "", rc)
		if (rc == 124) outcome = "timeout"
		else if (rc == 4 || (rc == 0 && ignored)) outcome = "skip"
		else if (rc == 0) outcome = "pass"
		else outcome = "fail"
		if (stalled && outcome == "pass") outcome = "hang"
		note(step, outcome)
		step = ""; next
	}
	step == "" { next }
	{
		line = $0; hang = 0
		if (match(line, /<<fwv-upstream: [a-z]+>>/)) {
			before = substr(line, 1, RSTART - 1)
			if (before ~ /^[ \t]*$/) stalled = 1; else hang = 1
			gsub(/ ?<<fwv-upstream: [a-z]+>> ?/, "", line)
		}
	}
	line ~ /^Testing with / {
		section = line; sub(/^Testing with /, "", section); sub(/\.\.\.$/, "", section)
		next
	}
	match(line, /^(Batched .* try #[0-9]+|Test request_partial_firmware_into_buf\(\) off=[0-9]+ size=[0-9]+( nofile)?): ?/) {
		name = substr(line, 1, RLENGTH); rest = substr(line, RLENGTH + 1)
		sub(/: ?$/, "", name); sub(/ try #[0-9]+$/, "", name)
		outcome = rest == "OK" ? (hang ? "hang" : "pass") : "fail"
		note(step "/" section "/" name, outcome)
		next
	}
	# "<script>: <what> works": a check of a script that passed.
	match(line, /^[^ ]*fw_[a-z]+\.sh: /) {
		what = substr(line, RLENGTH + 1)
		if (what ~ /ignoring test$/) { ignored = (what ~ /disabled so ignoring test$/); note(step "/" what, "skip") }
		else if (what ~ /(works|as expected)$/) note(step "/" what, hang ? "hang" : "pass")
		next
	}
	/(disabled|not present),? (so )?ignoring test$/ {
		ignored = (line ~ /disabled so ignoring test$/)
		note(step "/" line, "skip"); next
	}
	END { for (i = 1; i <= n; i++) print order[i] "\t" result[order[i]] }
	' "$1"
}

# The expectations in force: the baseline, with MODE's differences over it.
# Output: "ID<TAB>OUTCOMES<TAB>SOURCE-LINE".
expectations() {
	awk -F '\t' '
	/^#/ || NF < 2 { next }
	FILENAME == ARGV[1] { if (!($1 in want)) order[++n] = $1; want[$1] = $2; line[$1] = $0; next }
	{ if (!($1 in want)) order[++n] = $1; want[$1] = $2; line[$1] = $0 }
	END { for (i = 1; i <= n; i++) print order[i] "\t" want[order[i]] "\t" line[order[i]] }
	' "$( [ -f "$base" ] && echo "$base" || echo /dev/null)" \
		"$( [ -f "$delta" ] && echo "$delta" || echo /dev/null)"
}

# TAP: every expected and every seen ID, expected ones first.
compare() {
	awk -F '\t' '
	FILENAME == ARGV[1] { if (!($1 in want)) order[++n] = $1; want[$1] = $2; next }
	{ if (!($1 in want)) order[++n] = $1; seen[$1] = $2 }
	END {
		for (i = 1; i <= n; i++) {
			id = order[i]
			got = (id in seen) ? seen[id] : "absent"
			wanted = (id in want) ? want[id] : "(not expected)"
			k = split(wanted, alt, "|"); good = 0
			for (j = 1; j <= k; j++) if (alt[j] == got) good = 1
			if (good) { printf "ok %d - %s: %s\n", i, id, got; p++ }
			else { printf "not ok %d - %s: expected %s, saw %s\n", i, id, wanted, got; f++ }
		}
		printf "1..%d\n", n
		printf "%d passed, %d failed\n", p, f
		exit f > 0
	}' "$1" "$2"
}

# --record: lines that still hold stay as they are; the rest is what was seen.
record() {
	local seen=$1 out tmp
	if [ "$mode" = none ]; then out=$base; else out=$delta; fi
	tmp=$out.tmp.$$
	{
		if [ -f "$out" ]; then grep '^#' "$out" || true; else
			echo "# Outcomes of tests/upstream/run.sh $series ${mode/none/(all modes)}, ID<TAB>OUTCOME[|OUTCOME...][<TAB># why]."
			[ "$mode" = none ] || echo "# Only where $mode differs, by design, from expect-$series."
		fi
		awk -F '\t' -v mode="$mode" '
		function put(id, got,   k, j, alt) {
			k = split((id in old) ? old[id] : "", alt, "|")
			for (j = 1; j <= k; j++) if (alt[j] == got) { print oldline[id]; return }
			if (mode != "none") {
				k = split((id in base) ? base[id] : "", alt, "|")
				for (j = 1; j <= k; j++) if (alt[j] == got) return
			}
			print id "\t" got
		}
		FILENAME == ARGV[1] { if ($0 !~ /^#/ && NF >= 2) { base[$1] = $2; border[++nb] = $1 }; next }
		FILENAME == ARGV[2] { if ($0 !~ /^#/ && NF >= 2) { old[$1] = $2; oldline[$1] = $0 }; next }
		{ seen[$1] = 1; put($1, $2) }
		END {
			# What the baseline expects and this run never reached.
			for (i = 1; i <= nb; i++) if (!(border[i] in seen)) put(border[i], "absent")
		}' "$( [ "$mode" = none ] && echo /dev/null || echo "$base")" \
			"$( [ -f "$out" ] && echo "$out" || echo /dev/null)" "$seen"
	} >"$tmp"
	mv "$tmp" "$out"
	echo "# recorded $out" >&2
}

# --- run -------------------------------------------------------------------------

# One boot of the image: the guest's output in $work/logs (and on stdout
# with VERBOSE), vm-run.sh's last words in $work/vm-run.err.
boot() {
	if [ -n "${VERBOSE:-}" ]; then
		scripts/vm-run.sh --kernel "$series" --initrd "$work/initrd.cpio.gz" \
			--timeout "${VM_TIMEOUT:-1800}" --log-dir "$work/logs" 2>"$work/vm-run.err"
	else
		scripts/vm-run.sh --kernel "$series" --initrd "$work/initrd.cpio.gz" \
			--timeout "${VM_TIMEOUT:-1800}" --log-dir "$work/logs" >/dev/null 2>"$work/vm-run.err"
	fi
}

mkdir -p "$work"
start=$SECONDS
case $build in
1|only) prepare; [ "$build" != only ] || exit 0 ;;
esac
echo "# upstream firmware selftests, $series, mode $mode"
vmrc=0
if [ "$build" = reuse ]; then
	[ -f "$work/logs/output.log" ] || { echo "run: no output of an earlier run in $work" >&2; exit 2; }
	vmrc=$(sed -n 's/.*: exit \([0-9]*\) after .*/\1/p' "$work/vm-run.err" | tail -n 1)
else
	image >&2
	boot || vmrc=$?
	# The kernel's own race (README.md, "Known crash"): once more, the
	# first run's logs kept beside.
	if [ "$vmrc" != 0 ] && grep -q 'RIP: .*test_fw_run_batch_request' "$work/logs/console.log"; then
		echo "# test_firmware crashed in its batched-request race (README.md, \"Known crash\"): the VM runs once more; first logs in $work/logs-crashed"
		rm -rf "$work/logs-crashed"
		mv "$work/logs" "$work/logs-crashed"
		vmrc=0
		boot || vmrc=$?
	fi
fi
sed 's/^/# /' "$work/vm-run.err" | tail -n 5
out=$work/logs/output.log
grep '^### SETUP-FAILED' "$out" | sed 's/^###/#/' || true
grep -E '^(# fwsign|### STAT)' "$out" | sed 's/^### /# /' || true
awk '/^### END / { printf "# %s: exit %s, %s\n", $3, substr($4, 4), substr($5, 6) "s" }' "$out"

parse "$out" >"$work/outcomes"
if [ "$vmrc" != 0 ]; then
	printf 'vm\tfailed (exit %s)\n' "$vmrc" >>"$work/outcomes"
fi
[ "$record" = 0 ] || record "$work/outcomes"
expectations | cut -f1,2 >"$work/expected"
rc=0
compare "$work/expected" "$work/outcomes" || rc=1
echo "# $series $mode: $((SECONDS - start))s (guest output: $out)"
exit $rc
