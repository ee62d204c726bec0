# SPDX-License-Identifier: GPL-2.0
# Every command's help: the same for "help COMMAND" and "COMMAND --help", and
# its option lines (the -h, --help line the tool adds included) in one column.
# Sourced by tests/userspace/run.sh: uses its run, expect, result.

# misaligned: print each option line, or continuation of one, of the help on
# stdin whose description does not start where that of "-h, --help" does.
misaligned() {
	awk '
	function column(s,   o, g) {	# where the text after the option starts; 0: none
		o = match(s, /[^ ]/)
		g = match(substr(s, o), /  +[^ ]/)
		return g ? o + g + RLENGTH - 2 : 0
	}
	{ line[NR] = $0 }
	/^  -h, --help / { help = column($0) }
	END {
		if (!help) { print "no \"-h, --help\" line"; exit }
		for (i = 1; i <= NR; i++) {
			if (line[i] ~ /^(  -|      --)/) {
				opt = 1
				c = column(line[i])
				if (c && c != help) print line[i]
			} else if (line[i] == "") {
				opt = 0
			} else if (opt && line[i] ~ /^      +[^ ]/ && match(line[i], /[^ ]/) != help) {
				print line[i]
			}
		}
	}'
}

commands=$("$fwverify" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
bad=
for c in $commands; do
	run "$fwverify" help "$c"
	h=$out
	run "$fwverify" "$c" --help
	[[ $rc == 0 && $out == "$h" ]] || bad+=" $c: 'help $c' and '$c --help' differ or fail;"
	m=$(misaligned <<<"$h")
	[[ -z $m ]] || bad+=" $c: ${m//$'\n'/ | };"
done
rc=- out=$commands err=
result "every command's help: its options and -h, --help in one column ($(wc -w <<<"$commands") commands)" \
	"$([[ -n $commands && -z $bad ]]; echo $?)" "aligned; not so:$bad"
