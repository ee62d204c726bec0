#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host benchmark of the signing server fwverify-signd, against baselines
# taken in the same run with the same firmware key (build/pki/rsa-signer,
# RSA-2048), kept in a SoftHSM2 token as the server's keys are:
#   local    `fwverify sign -j1` and `-j2` of FILES 4 KiB files with the token
#            key (pkcs11:token=signd;object=fw-dev) and with the PEM key:
#            the baseline, in files/s
#   server   signatures/s through the server with the token key, from
#            tests/bench/signd-load.c (built here; LOADGEN=py: signd-load.py,
#            which costs about twice the CPU per request): 1, 8 and 64
#            persistent TLS connections doing back-to-back sign requests; and
#            the end-to-end CLI, `fwverify sign --server` of the FILES files
#            over one connection
#   fsync    the same with audit_fsync = yes (the default) and no: the cost of
#            the audit log's fdatasync, which is on the real disk here
#            (build/bench-signd), never a tmpfs
#   pem      the server again with the PEM key (allow_pem_keys): a key that a
#            provider holds is used by many threads at once, a token key gets
#            one signature at a time (userspace/lib/cms.c)
#   speed    `openssl speed -multi NCPU rsa2048`'s sign rate, taken before the
#            server runs and after each of its configurations (the best is
#            kept, as for the server): the server's rate at 64 clients as a
#            share of what the machine's CPUs can sign.  openssl speed divides
#            by its own CPU time, so other processes on a shared machine do not
#            lower its figure, while they do lower the server's signatures per
#            second of wall-clock time: the C load generator reads /proc/stat
#            and the server's /proc/PID/stat over its run, and the share of the
#            machine's CPU time that other processes took is shown beside the
#            ratio, to tell a busy machine from a slow server
# Each figure is the best of REPEAT runs (the worst is shown beside it: an
# fsync's cost on a shared virtual disk varies from run to run); the server
# runs with 1 and 8 clients make REQUESTS signatures, with 64 REQUESTS64.
# About 40 s on 2 CPUs.  Leaves the token in build/bench-signd/token.
#
#   tests/bench/signd-bench.sh                 run alone (also the last part of `make bench`)
#   FILES=100 REQUESTS=200 REPEAT=1 tests/bench/signd-bench.sh   shorter
#   FWVERIFY=... FWVERIFY_SIGND=... tests/bench/signd-bench.sh   bench those binaries
#                                              instead of a fresh plain build
#   SOFTHSM2_MODULE=path                       another libsofthsm2.so
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
files=${FILES:-200}
reqs=${REQUESTS:-500}		# per run with 1 and 8 clients
reqs64=${REQUESTS64:-$((2 * reqs))}	# with 64 clients
repeat=${REPEAT:-3}		# runs of each measurement; the best is shown
module=${SOFTHSM2_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
cpus=$(nproc)

if [ -z "${FWVERIFY:-}" ] || [ -z "${FWVERIFY_SIGND:-}" ]; then
	make -s -C "$top/userspace" O="$top/build/bench-userspace" >&2
	FWVERIFY=$top/build/bench-userspace/fwverify
	FWVERIFY_SIGND=$top/build/bench-userspace/fwverify-signd
fi
for t in softhsm2-util pkcs11-tool python3 openssl cc; do
	command -v "$t" >/dev/null || { echo "signd-bench: skipped: no $t (scripts/setup.sh installs it)"; exit 0; }
done
[ -r "$module" ] || { echo "signd-bench: skipped: $module: not readable (set SOFTHSM2_MODULE)"; exit 0; }

pki=$top/build/pki spki=$top/build/pki-signd
"$top/tests/pki/gen.sh" "$pki"
"$top/tests/pki/gen-signd.sh" "$spki"
key=$pki/rsa-signer.key crt=$pki/rsa-signer.crt
# Everything on the disk of the build tree: the audit log's fsync must reach
# a real disk, and the local signer's .p7s files (written and fsync'd too)
# go to the same one.
work=$top/build/bench-signd
"$top/tests/pki/signd-token.sh" "$work/token" "$spki" "$key" "$crt"
export SOFTHSM2_CONF=$work/token/softhsm2.conf
pin=$work/token/pin
uri='pkcs11:token=signd;object=fw-dev'
run=$work/run
rm -rf "$run"
mkdir -p "$run/fw"

srv_pid=
stop_server() {
	[ -n "$srv_pid" ] || return 0
	kill -TERM "$srv_pid" 2>/dev/null || true
	wait "$srv_pid" 2>/dev/null || true
	srv_pid=
}
trap 'stop_server; rm -rf "$run" "$work"/audit-*.log' EXIT
trap 'exit 130' INT TERM

fstype() { # DIR: "ext4 (/dev/vda, statfs ext2/ext3)"
	local t
	t=$(findmnt -n -o FSTYPE,SOURCE -T "$1" 2>/dev/null | awk '{ printf "%s (%s, ", $1, $2 }')
	echo "${t}statfs $(stat -f -c %T "$1")${t:+)}"
}

loadgen=(python3 "$top/tests/bench/signd-load.py")
pid_arg=()
if [ "${LOADGEN:-c}" = c ]; then
	cc -O2 -Wall -Wextra -Werror -o "$run/signd-load" "$top/tests/bench/signd-load.c" -lssl -lcrypto -lpthread
	loadgen=("$run/signd-load")
fi

# openssl speed's RSA-2048 sign rate on every CPU; the best of the runs is kept
speed=0
openssl_speed() {
	local v
	v=$(openssl speed -multi "$cpus" -seconds 2 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ { v = $(NF - 1) } END { print v }')
	[ -n "$v" ] || { echo "signd-bench: cannot read openssl speed's sign rate" >&2; exit 1; }
	speed=$(awk -v a="$v" -v b="$speed" 'BEGIN { print (a > b ? a : b) }')
}
openssl_speed

python3 - "$run/fw" "$files" <<'EOF'
import os, sys
out, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(out, "fw%05d.bin" % i), "wb") as f:
        f.write(os.urandom(4096))
EOF
fw=("$run/fw"/*.bin)

# What one fdatasync costs on that disk: appends of an audit record's size.
fsync_us=$(python3 - "$run/fsync.test" <<'EOF'
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
line = b"x" * 400 + b"\n"
t = []
for _ in range(200):
    a = time.monotonic()
    os.write(fd, line)
    os.fdatasync(fd)
    t.append(time.monotonic() - a)
t.sort()
print("%.0f %.0f" % (t[len(t) // 2] * 1e6, t[len(t) * 99 // 100] * 1e6))
EOF
)
rm -f "$run/fsync.test"

now() { echo "$EPOCHREALTIME"; }
per_sec() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.1f", n / (b - a) }'; }

declare -A srv low lat cpu oth
# LABEL RATE [P50 P99 CPU [OTHERS%]]: keep the best of the repeats, and the lowest rate
keep() {
	if [ -z "${srv[$1]:-}" ] || awk -v a="$2" -v b="${srv[$1]}" 'BEGIN { exit !(a > b) }'; then
		srv[$1]=$2 lat[$1]=${3:+$3 $4} cpu[$1]=${5:-} oth[$1]=${6:-}
	fi
	if [ -z "${low[$1]:-}" ] || awk -v a="$2" -v b="${low[$1]}" 'BEGIN { exit !(a < b) }'; then
		low[$1]=$2
	fi
}
# --- local signing: the baselines -----------------------------------------
# LABEL CMD...: $repeat runs of CMD over the files, in files/s
timed() {
	local label=$1 t0 t1 i
	shift
	for ((i = 0; i < repeat; i++)); do
		rm -f "$run/fw"/*.p7s
		t0=$(now)
		timeout 60 "$@" "${fw[@]}" >/dev/null
		t1=$(now)
		keep "$label" "$(per_sec "$files" "$t0" "$t1")"
	done
}
for j in 1 2; do
	timed "local,token,$j" "$FWVERIFY" sign -j "$j" --key "$uri" --pin-file "$pin" \
		--pkcs11-module "$module"
	timed "local,pem,$j" "$FWVERIFY" sign -j "$j" --key "$key" --cert "$crt"
done

# --- the server -----------------------------------------------------------
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_server() { # NAME KEY(token|pem) FSYNC(yes|no): sets port, srv_pid
	local name=$1 conf=$run/$1.conf err=$run/$1.err try
	for try in 1 2 3 4 5; do
		port=$(free_port)
		rm -f "$work/audit-$name.log"
		{
			printf '[server]\nlisten = 127.0.0.1:%s\n' "$port"
			printf 'certificate = %s\nprivate_key = %s\nclient_ca = %s\n' \
				"$spki/server.crt" "$spki/server.key" "$spki/client-ca.crt"
			printf 'audit_log = %s\naudit_fsync = %s\n' "$work/audit-$name.log" "$3"
			printf 'pkcs11_module = %s\npin_file = %s\nmax_connections = 256\n' "$module" "$pin"
			[ "$2" = pem ] && printf 'allow_pem_keys = yes\n'
			printf '\n[key fw-dev]\n'
			if [ "$2" = pem ]; then
				printf 'private_key = %s\ncertificate = %s\n' "$key" "$crt"
			else
				printf 'pkcs11 = %s\n' "$uri"
			fi
			printf '\n[client alice]\nkeys = fw-dev\nnames = bench/*, *\n'
		} >"$conf"
		: >"$err"
		"$FWVERIFY_SIGND" --config "$conf" 2>"$err" &
		srv_pid=$!
		for _ in $(seq 100); do
			grep -q 'listening on' "$err" && return 0
			kill -0 "$srv_pid" 2>/dev/null || break
			sleep 0.05
		done
		stop_server
		grep -q 'Address already in use' "$err" || break
	done
	cat "$err" >&2
	echo "signd-bench: the server ($name) did not start" >&2
	exit 1
}

# LABEL CLIENTS REQUESTS: $repeat runs of the load generator against the server on $port
load() {
	local out i v o
	for ((i = 0; i < repeat; i++)); do
		out=$(timeout 120 "${loadgen[@]}" --port "$port" \
			--cert "$spki/alice.crt" --tls-key "$spki/alice.key" --ca "$spki/server-ca.crt" \
			--key fw-dev --clients "$2" --requests "$3" "${pid_arg[@]}") ||
			{ echo "signd-bench: $1: the load generator failed" >&2; exit 1; }
		v=$(sed -n 's/.* rps=\([0-9.]*\) p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\) .*client_cpu_us=\([0-9]*\).*/\1 \2 \3 \4/p' <<<"$out")
		[ -n "$v" ] || { echo "signd-bench: $1: cannot read '$out'" >&2; exit 1; }
		o=$(sed -n 's/.* others_pct=\([0-9.]*\).*/\1/p' <<<"$out")
		keep "$1" $v $o
	done
}
# LABEL: `fwverify sign --server` of every file, one connection
cli() {
	timed "$1" "$FWVERIFY" sign --server "signd://127.0.0.1:$port" --key fw-dev \
		--tls-cert "$spki/alice.crt" --tls-key "$spki/alice.key" --tls-ca "$spki/server-ca.crt"
}

for cfg in token,yes token,no pem,yes pem,no; do
	k=${cfg%,*} fs=${cfg#*,}
	start_server "$k-$fs" "$k" "$fs"
	[ "${LOADGEN:-c}" != c ] || pid_arg=(--server-pid "$srv_pid")
	cli "$k,$fs,cli"
	load "$k,$fs,1" 1 "$reqs"
	load "$k,$fs,8" 8 "$reqs"
	load "$k,$fs,64" 64 "$reqs64"
	stop_server
	openssl_speed
	nsig=$(grep -c '"event":"sign"' "$work/audit-$k-$fs.log")
	want=$((repeat * (files + 2 * reqs + reqs64)))
	[ "$nsig" = "$want" ] ||
		{ echo "signd-bench: $k-$fs: $nsig signatures in the audit log, not $want" >&2; exit 1; }
	rm -f "$work/audit-$k-$fs.log"
done

# --- table ----------------------------------------------------------------
r() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
line() { # LABEL TEXT UNIT BASELINE-LABEL
	local l=${lat[$1]:-}
	printf '%-40s %8s %8s %8s %7s %7s %14s\n' "$2" "${srv[$1]}" "${low[$1]}" "$3" \
		"$(r "${srv[$1]}" "${srv[$4,1]}")" "$(r "${srv[$1]}" "${srv[$4,2]}")" "${l:+${l% *}/${l#* }}"
}
echo
echo "fwverify-signd, host: $files files of 4 KiB, $cpus CPUs; firmware key rsa-signer (RSA-2048)"
echo "  in a SoftHSM2 token ($uri), or the same key as a PEM file"
echo "audit logs and signature files in $work: $(fstype "$work")"
[ "$(stat -f -c %T "$work")" != tmpfs ] || echo "  (a tmpfs: fsync costs nothing here, audit_fsync = yes is not measured)"
echo "  one 400-byte append + fdatasync there: ${fsync_us% *} us median, ${fsync_us#* } us p99"
echo "server: 1, 8, 64 persistent TLS 1.3 connections (client alice), back-to-back sign requests"
echo "  (${loadgen[*]##*/}, $reqs requests with 1 and 8 clients, $reqs64 with 64);"
echo "  CLI: \`fwverify sign --server\` of the $files files over one connection (hash, request,"
echo "  check the signature, write .p7s with fsync)"
echo "baseline: local \`fwverify sign -j1\` and \`-j2\` of the same files with the same key"
echo "best and worst of $repeat runs each; ratios and latencies of the best run"
echo
printf '%-40s %8s %8s %8s %7s %7s %14s\n' operation best worst unit "/j1" "/j2" "p50/p99 ms"
for k in token pem; do
	line "local,$k,1" "local sign -j1, $k key" files/s "local,$k"
	line "local,$k,2" "local sign -j2, $k key" files/s "local,$k"
done
for cfg in token,yes token,no pem,yes pem,no; do
	k=${cfg%,*} fs=${cfg#*,}
	echo "server, $k key, audit_fsync = $fs (ratios: against local sign, $k key)"
	line "$k,$fs,cli" "  CLI sign --server, 1 connection" files/s "local,$k"
	line "$k,$fs,1" "  1 client" sig/s "local,$k"
	line "$k,$fs,8" "  8 clients" sig/s "local,$k"
	line "$k,$fs,64" "  64 clients" sig/s "local,$k"
done
echo
echo "cost of the audit log's fsync (per signature 2 records, one fdatasync waited for, shared"
echo "by every request that wrote before it began): best rates with audit_fsync = yes and = no"
printf '%-40s %9s %9s %8s %7s\n' "" "fsync=yes" "fsync=no" unit "yes/no"
for k in token pem; do
	for n in cli 1 8 64; do
		case $n in
		cli) what="$k key, CLI, 1 connection" unit=files/s ;;
		1) what="$k key, 1 client" unit=sig/s ;;
		*) what="$k key, $n clients" unit=sig/s ;;
		esac
		printf '%-40s %9s %9s %8s %7s\n' "$what" "${srv[$k,yes,$n]}" "${srv[$k,no,$n]}" "$unit" \
			"$(r "${srv[$k,yes,$n]}" "${srv[$k,no,$n]}")"
	done
done
echo
echo "load generator CPU per request, best runs (us; one process, a thread per client):"
for k in token pem; do
	for fs in yes no; do
		printf '  %s key, fsync=%-3s  1 client %4s, 8 clients %4s, 64 clients %4s\n' "$k" "$fs" \
			"${cpu[$k,$fs,1]}" "${cpu[$k,$fs,8]}" "${cpu[$k,$fs,64]}"
	done
done
echo "(rates: higher is better; /j1, /j2: this rate over local sign's with the same key)"
echo
pct() { awk -v a="$1" -v b="$speed" 'BEGIN { printf "%.0f", 100 * a / b }'; }
echo "signing rate at 64 clients against \`openssl speed -multi $cpus rsa2048\` on this machine"
echo "($speed signs/s per CPU time, the best of a run before the server's and one after each"
echo " configuration; load generator: ${loadgen[*]##*/}; others: the share of the CPUs that other"
echo " processes took during the server's run)"
for cfg in pem,yes pem,no token,yes token,no; do
	k=${cfg%,*} fs=${cfg#*,} o=${oth[$k,$fs,64]:-}
	printf '  %s key, audit_fsync = %-3s %8s sig/s  %5s%% of openssl speed%s\n' "$k" "$fs" "${srv[$k,$fs,64]}" \
		"$(pct "${srv[$k,$fs,64]}")" "${o:+  (others $o%)}"
done
echo "(a token key signs one signature at a time: at most one CPU's share)"
