# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Sourced by scripts/fetch-kernels.sh and scripts/fetch-source.sh: the kernel
# series the VM runs, where apt finds each, and apt helpers that reach a suite
# other than the host's through a private configuration in
# $FWVERIFY_CACHE/apt/<suite>, leaving the host's /etc/apt alone.
# The including script sets top and cache and defines nothing named here.

: "${top:?}" "${cache:?}"
mirror=${FWVERIFY_MIRROR:-http://deb.debian.org/debian}

# series -> "image meta-package headers meta-package suite": the suite
# whose meta-packages name the series.  On a host of that release its own
# apt sources are used; on any other (Debian 13 for 6.1 and 6.12) a private
# configuration, so that a series means the same kernel on every host.
declare -A META=(
	[6.1]="linux-image-amd64 linux-headers-amd64 bookworm"
	[6.12]="linux-image-6.12-amd64 linux-headers-6.12-amd64 bookworm"
	[7.3]="linux-image-amd64 linux-headers-amd64 trixie-backports"
)
host_release=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")

prog=$(basename "$0" .sh)
die() { echo "$prog: $*" >&2; exit 2; }

# The suite of SERIES, "" when it is the host's own release.
suite_of() {
	local f
	[ -n "${META[$1]:-}" ] || die "unknown kernel series '$1' (known: ${!META[*]})"
	read -r -a f <<<"${META[$1]}"
	[ "${f[2]}" = "$host_release" ] || echo "${f[2]}"
}

# apt-get/apt-cache options for SUITE ("" for the host's configuration).
APT=()
apt_for() {
	local suite=$1 d
	APT=()
	[ -n "$suite" ] || return 0
	d=$cache/apt/$suite
	mkdir -p "$d/parts" "$d/prefs" "$d/lists/partial" "$d/cache/archives/partial"
	{
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main"
		# A release's kernels are updated through its security suite
		# (bookworm's 6.12 is only there).
		[[ $suite == *-* ]] ||
			echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror%/debian}/debian-security $suite-security main"
	} >"$d/sources.list"
	touch "$d/status"
	APT=(-o Dir::Etc::SourceList="$d/sources.list" -o Dir::Etc::SourceParts="$d/parts"
	     -o Dir::Etc::Preferences="$d/prefs/none" -o Dir::Etc::PreferencesParts="$d/prefs"
	     -o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" -o Dir::State::Status="$d/status")
}

# Refresh the package lists: the host's only when they lack the package, a
# private suite's when they are a day old.
apt_update() {
	local suite=$1 pkg=$2 d=$cache/apt/$1
	if [ -z "$suite" ]; then
		apt-cache show "$pkg" >/dev/null 2>&1 || apt-get update -qq
		return 0
	fi
	[ -n "$(find "$d/updated" -mmin -1440 2>/dev/null)" ] && return 0
	# apt-get update exits 0 when a mirror does not answer, with a warning.
	if apt-get "${APT[@]}" update -qq >/dev/null 2>"$d/update.log" &&
	   ! grep -q '^[EW]:' "$d/update.log" &&
	   [ -n "$(find "$d/lists" -maxdepth 1 -name '*_Packages*')" ]; then
		touch "$d/updated"
		return 0
	fi
	if [ -n "$(find "$d/lists" -maxdepth 1 -name '*_Packages*')" ]; then
		echo "$prog: cannot refresh $suite's package lists, using the old ones" >&2
		return 0
	fi
	die "cannot fetch $suite's package lists from $mirror: $(grep -m 1 '^[EW]:' "$d/update.log")"
}

# The packages PKG depends on whose names match PATTERN (at least one).
deps_of() {
	local pkg=$1 pattern=$2 d
	d=$(apt-cache "${APT[@]}" depends --no-recommends --no-suggests "$pkg" 2>/dev/null |
		awk -v p="$pattern" '$1 == "Depends:" && $2 ~ p { print $2 }')
	[ -n "$d" ] || die "cannot resolve '$pattern' from $pkg (run apt-get update?)"
	echo "$d"
}
# The one package PKG depends on by PATTERN.
dep_of() {
	local d
	d=$(deps_of "$@") || exit 2
	echo "${d%%$'\n'*}"
}

# The version of PKG that apt would fetch.
version_of() {
	local v
	v=$(apt-cache "${APT[@]}" show --no-all-versions "$1" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)
	[ -n "$v" ] || die "no package $1${APT:+ in the private lists}"
	echo "$v"
}

# Download PKG... (name or name=version) into DIR without installing them.
# apt downloads as its unprivileged user _apt, which must be able to write
# DIR: DIR is given to it.  Only where _apt cannot reach DIR (a cache under
# /root) is the download made as root, which apt would do anyway, warning.
apt_download() {
	local dir=$1 as_root=()
	shift
	mkdir -p "$dir"
	if ! { id -u _apt >/dev/null 2>&1 && chown _apt "$dir" &&
	       runuser -u _apt -- test -w "$dir" -a -x "$dir"; } 2>/dev/null; then
		as_root=(-o APT::Sandbox::User=root)
	fi
	(cd "$dir" && apt-get "${APT[@]}" "${as_root[@]}" download -q "$@" >/dev/null) ||
		die "apt-get download failed for $*"
}
