# SPDX-License-Identifier: GPL-2.0
# The configuration file: every command that reads it refuses a bad one with
# the file, the line and the reason, and does nothing.  Sourced by run.sh.

cf=$tmp/config
mkdir -p "$cf/state"
bad_config() { # DESC TEXT STDERR-REGEX
	printf '%b' "$2" >"$cf/conf"
	run env FWVERIFY_CONFIG="$cf/conf" "$fwverify" revoke --list
	expect "config: $1" 2 '^$' "$3"
}
bad_config "an unknown key is refused, with its line" \
	'state_dir = /x\nstat_dir = /y\n' "$cf/conf: line 2: unknown key 'stat_dir'"
bad_config "a line without '=' is refused" '# comment\n\nmode enforce\n' 'line 3: expected .key = value.'
bad_config "a relative path is refused" 'search_dir = lib/firmware\n' 'line 1: search_dir must be an absolute path'
bad_config "an unknown mode is refused" 'mode = strict\n' 'line 1: mode must be off, log or enforce'
bad_config "keep out of range is refused" 'keep = 101\n' 'line 1: keep must be a number from 0 to 100'
bad_config "keep that is not a number is refused" 'keep = -1\n' 'line 1: keep must be a number'
bad_config "a NUL byte is refused" 'mode = log\0\n' 'contains a NUL byte'
run env FWVERIFY_CONFIG="$cf/missing.conf" "$fwverify" revoke --list
expect "config: a named file that is missing is an error" 2 '^$' 'missing\.conf: No such file'

printf 'state_dir = %s\n  # indented comment\r\nmode=enforce\t\n\n' "$cf/state" >"$cf/conf"
run env FWVERIFY_CONFIG="$cf/conf" FWVERIFY_SYSFS="$cf/nosys" "$fwverify" revoke --list
expect "config: comments, CRLF, tabs and no spaces around '=' are accepted" 0 ''
