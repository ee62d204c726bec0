# SPDX-License-Identifier: GPL-2.0
# libfwverify's C unit tests (tests/lib): one program per unit, built
# against the library of this ASan and UBSan build.  Each TAP line a
# program prints is one result here, named after the program; a program
# that exits non-zero, stops before its plan or makes a sanitizer report
# fails one more.
# Sourced by tests/userspace/run.sh: uses its run, result, $top, $build.

lt=$build/lib-tests
run make -s -C "$top/tests/lib" LIB="$build" O="$lt"
lib_built=$rc
if [[ $lib_built != 0 ]]; then
	result "tests/lib builds against $build/libfwverify.a" 1 "make exits 0"
fi

# lib_result UNIT LINE DIAG: one TAP line of a unit test as a result.
lib_result() {
	local desc=${2#not ok }

	desc=${desc#ok }
	desc=${desc#*[0-9] - }
	rc=- out='' err=''
	result "lib/$1: $desc" "$([[ $2 == ok* ]]; echo $?)" "the check to hold; the program says: $3"
}

for src in "$top"/tests/lib/test-*.c; do
	[[ $lib_built == 0 ]] || break
	unit=${src##*/test-} unit=${unit%.c}
	run "$lt/test-$unit"
	prog_rc=$rc prog_err=$err lines=$out
	pending='' diag='' planned='' count=0
	while IFS= read -r line; do
		case $line in
		ok\ * | not\ ok\ *)
			[[ -n $pending ]] && lib_result "$unit" "$pending" "$diag"
			pending=$line diag='' count=$((count + 1)) ;;
		\#*) diag+=${diag:+ | }$line ;;
		1..*) planned=${line#1..} ;;
		esac
	done <<<"$lines"
	[[ -n $pending ]] && lib_result "$unit" "$pending" "$diag"
	rc=$prog_rc out=$(tail -n 3 <<<"$lines") err=$prog_err
	result "lib/$unit: ran to its end (exit 0, plan 1..$count, no sanitizer report)" \
		"$([[ $rc == 0 && $planned == "$count" && $count -gt 0 &&
			$err != *Sanitizer* && $err != *"runtime error"* ]]; echo $?)" \
		"exit 0, the plan 1..N after N results, nothing on stderr from ASan or UBSan"
done
rc=- out='' err=''
