#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# man_test.sh: every man page in userspace/doc/ renders without a single
# warning from groff (-man -ww -z), mandoc (-T lint, every level) and
# `man -l`, names itself in .TH as its file name says; the pages an admin
# needs exist (kabiguardctl(8), kabiguard-policy(5); kabiguardd(8) and
# kabiguard.conf(5) once the daemon is in the tree); kabiguard-policy(5)
# shows every rule kind and option in its examples.  TAP output.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DOC=$ROOT/userspace/doc

# shellcheck source=selftests/lib/tap.sh
. "$ROOT/selftests/lib/tap.sh"
# quiet DESC CMD...: ok if CMD succeeds and prints nothing
quiet() {
	local d=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
		ok "$d"
	else
		not_ok "$d"
		[ -z "$out" ] || printf "%s\n" "$out" | sed "s/^/# /"
	fi
}

for tool in groff mandoc man; do
	command -v "$tool" >/dev/null ||
		{ echo "man_test: $tool missing (scripts/install-deps.sh)" >&2; exit 1; }
done

pages=("$DOC"/*.[1-8])
for m in "${pages[@]}"; do
	[ -e "$m" ] || continue
	b=${m##*/}
	quiet "$b: groff -man -ww -z" groff -man -ww -z "$m"
	quiet "$b: mandoc -T lint" mandoc -T lint "$m"
	# man's own pipeline (preconv, tbl, groff -mandoc) with warnings on;
	# only its diagnostics are kept.
	# shellcheck disable=SC2016 # $1 expands in that sh
	quiet "$b: man -l" sh -c 'MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$1" >/dev/null' sh "$m"
	name=${b%.*} sect=${b##*.}
	th=$(sed -n 's/^\.TH[[:space:]]\{1,\}\([^[:space:]]*\)[[:space:]]\{1,\}\([^[:space:]]*\).*/\1 \2/p' "$m" | head -n1)
	want="$(tr '[:lower:]' '[:upper:]' <<<"$name" | sed 's/-/\\-/g') $sect"
	want_plain="$(tr '[:lower:]' '[:upper:]' <<<"$name") $sect"
	if [ "$th" = "$want" ] || [ "$th" = "$want_plain" ]; then
		ok "$b: .TH $th"
	else
		not_ok "$b: .TH says \"$th\", the file name \"$want_plain\""
	fi
done

need=(kabiguardctl.8 kabiguard-policy.5)
if [ -d "$ROOT/userspace/daemon" ]; then need+=(kabiguardd.8 kabiguard.conf.5); fi
for p in "${need[@]}"; do
	if [ -e "$DOC/$p" ]; then ok "page $p exists"; else not_ok "page $p exists"; fi
done
[ -d "$ROOT/userspace/daemon" ] ||
	echo "ok $((n += 1)) pages kabiguardd.8, kabiguard.conf.5 # SKIP no userspace/daemon yet"

# Every rule kind and option appears in a kabiguard-policy(5) example.
pol=$DOC/kabiguard-policy.5
if [ -e "$pol" ]; then
	ex=$(sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$pol" | sed 's/\\-/-/g')
	for w in 'symbol ' 'namespace ' 'any ' 'ns=' 'from=' 'crc=' 'module=' 'signed-only'; do
		if grep -q -- "$w" <<<"$ex"; then
			ok "kabiguard-policy.5: EXAMPLES use '${w% }'"
		else
			not_ok "kabiguard-policy.5: EXAMPLES use '${w% }'"
		fi
	done
fi

tap_end
