#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Quality gates for kmod/: checkpatch --strict, no include cycle among its
# units, kerneldoc on every non-static function, then a W=1 build with
# sparse (C=2) against each VM kernel.  Any warning fails.  Prints TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
series=(${KERNELS:-6.1 6.12 7.3})
n=0 fail=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$2"; }

echo "TAP version 13"
echo "1..$((3 + ${#series[@]}))"

# The module's sources, not what a build in kmod/ leaves beside them
# (make -C KDIR M=kmod writes fwverify.mod.c).
csrc=()
for f in kmod/*.c; do
	[[ $f == *.mod.c ]] || csrc+=("$f")
done

log=$(mktemp)
trap 'rm -f "$log"' EXIT
checkpatch=build/linux-source/6.12/scripts/checkpatch.pl
# CAMELCASE: the kernel's zstd API names its frame header's fields so
# (zstd_frame_header.frameContentSize), and --no-tree cannot know it.
if perl "$checkpatch" --strict --no-tree --quiet --show-types --ignore CAMELCASE \
	-f "${csrc[@]}" kmod/*.h kmod/compat/*.h kmod/uapi/*.h >"$log" 2>&1; then
	ok "checkpatch --strict clean"
else
	notok "checkpatch --strict clean" "$log"
fi

# A unit is a file name without its extension (eval.c and eval.h are one;
# fwverify.h is vocab.c's); it depends on the units whose headers its files
# include.  The layering
# (kmod/fwverify.h) holds only while this graph has no cycle.
include_cycles() {
	python3 - "$1" <<'PY'
import os, re, sys
root = sys.argv[1]
unit_of = {"fwverify": "vocab"}	# fwverify.o is the module: vocab.c
deps = {}
for sub in ("", "compat", "uapi"):
    for f in sorted(os.listdir(os.path.join(root, sub))):
        if not f.endswith((".c", ".h")) or f.endswith(".mod.c"):
            continue
        unit = os.path.join(sub, os.path.splitext(f)[0])
        unit = unit_of.get(unit, unit)
        deps.setdefault(unit, set())
        for line in open(os.path.join(root, sub, f)):
            m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
            if m:
                inc = os.path.splitext(os.path.normpath(os.path.join(sub, m.group(1))))[0]
                inc = unit_of.get(inc, inc)
                if inc != unit:
                    deps[unit].add(inc)
state, path = {}, []
def visit(u):
    state[u] = "open"
    path.append(u)
    for v in sorted(deps.get(u, ())):
        if state.get(v) == "open":
            sys.exit("include cycle: " + " -> ".join(path[path.index(v):] + [v]))
        if v not in state:
            visit(v)
    path.pop()
    state[u] = "done"
for u in sorted(deps):
    if u not in state:
        visit(u)
PY
}
if include_cycles kmod >"$log" 2>&1; then
	ok "no include cycle among kmod's units"
else
	notok "no include cycle among kmod's units" "$log"
fi

# kernel-doc checks the comments there are (-Wall: a Return: section where a
# value is returned); the loop finds non-static functions with none.
undocumented() {
	python3 - "$@" <<'PY'
import re, sys
bad = 0
for path in sys.argv[1:]:
    lines = open(path).read().split("\n")
    for i, line in enumerate(lines):
        # A definition: "type name(" at the start of a line, not a declaration.
        m = re.match(r"([a-z_][a-z0-9_ ]*\**)?\b([a-z_][a-z0-9_]*)\(", line)
        if not m or line.startswith("static") or line.rstrip().endswith((";", ",")) or \
                m.group(2) in ("module_param_cb", "module_init", "module_exit", "late_initcall"):
            continue
        j = i - 1	# the return type may have a line of its own
        if j >= 0 and re.match(r"[a-z]", lines[j]) and not lines[j].rstrip().endswith((";", "*/", "}")):
            if lines[j].startswith("static"):
                continue
            j -= 1
        k = j
        while k >= 0 and lines[k].startswith(" *"):
            k -= 1
        if j < 0 or lines[j] != " */" or k < 0 or not lines[k].startswith("/**"):
            print("%s:%d: %s() has no kerneldoc comment" % (path, i + 1, m.group(2)))
            bad = 1
sys.exit(bad)
PY
}
kerneldoc=build/linux-source/6.12/scripts/kernel-doc
perl "$kerneldoc" -none -Wall "${csrc[@]}" >"$log" 2>&1
kd=$?
undocumented "${csrc[@]}" >>"$log" 2>&1
ud=$?
if [ "$kd" = 0 ] && [ "$ud" = 0 ] && ! [ -s "$log" ]; then
	ok "kernel-doc -Wall clean, every non-static function documented"
else
	notok "kernel-doc -Wall clean, every non-static function documented" "$log"
fi

# Each unit of the module form (lsm.c is the built-in form's).
units=0
for f in "${csrc[@]}"; do
	[ "${f##*/}" = lsm.c ] || units=$((units + 1))
done
for s in "${series[@]}"; do
	rm -rf "build/kmod-check/$s"
	# KBUILD_CHECKSRC on the command line: kbuild cannot drop the check.
	# It does, with a mere "not available or not up to date", when the
	# kernel's checker-valid.sh is missing (Debian's 7.3 headers lack it)
	# or refuses the checker.  Then every unit must show a CHECK line:
	# a sparse that did not run is not a clean one.
	make module KVER="$s" KMOD_OUT="$top/build/kmod-check/$s" \
		KBUILD_ARGS="W=1 C=2 KBUILD_CHECKSRC=2 CHECK=sparse" >"$log.raw" 2>&1
	rc=$?
	grep -v -e 'checker-valid\.sh: No such file' \
		-e 'C=2 specified, but sparse is not available or not up to date' "$log.raw" >"$log"
	checked=$(grep -cE '^ +CHECK +.*kmod/[a-z_]+\.c$' "$log")
	if [ "$rc" = 0 ] && [ "$checked" -ge "$units" ] &&
	   ! grep -E "warning|error|: note:" "$log" >/dev/null; then
		ok "$s: W=1 and sparse clean ($checked units checked)"
	else
		echo "sparse checked $checked of $units units" >>"$log"
		notok "$s: W=1 and sparse clean" "$log"
	fi
done
rm -f "$log.raw"
echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
