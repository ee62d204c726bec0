# SPDX-License-Identifier: GPL-2.0
# Bash completion: commands and options come from the tool's help.
# Sourced by tests/userspace/run.sh.

# The completions bash offers after WORD...: run complete_bash WORD...
complete_bash=(env PATH="$(dirname "$fwverify"):$PATH" bash -c '
		source /usr/share/bash-completion/bash_completion
		source "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_fwverify
		printf "%s\n" "${COMPREPLY[@]}"
	' _ "$top/userspace/completion/fwverify")

if [ -r /usr/share/bash-completion/bash_completion ]; then
	run "${complete_bash[@]}" fwverify ""
	expect "completion offers every command" 0 'sign.*verify.*stage.*rollback.*status.*keys.*revoke.*quarantine'
	run "${complete_bash[@]}" fwverify sign --h
	expect "completion offers a command's options from its help" 0 '^--hash'$'\n''--help$'
	run "${complete_bash[@]}" fwverify sign --hash sha
	expect "completion offers the hash names" 0 '^sha256'$'\n''sha384'$'\n''sha512$'
	run "${complete_bash[@]}" fwverify stage --allow-
	expect "completion offers stage --allow-empty and --allow-downgrade" 0 '^--allow-downgrade'$'\n''--allow-empty$'
	run "${complete_bash[@]}" fwverify sign --q
	expect "completion offers sign --quiet" 0 '^--quiet$'
else
	rc=- out= err="no /usr/share/bash-completion/bash_completion"
	result "bash completion (bash-completion is installed by scripts/setup.sh)" 1 "bash-completion installed"
fi
