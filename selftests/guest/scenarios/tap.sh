# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# In the Debian guest: the TAP helpers every scenario sources (as
# /kg/tap.sh, copied there by selftests/guest/lib.sh).  Test numbers go
# on across the boots of one run (/kg/tap.n).
n=$(cat /kg/tap.n 2>/dev/null || echo 0)
ok() { n=$((n + 1)); echo "$n" >/kg/tap.n; echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "$n" >/kg/tap.n; echo "not ok $n $*"; }
# t DESC CMD...: one test, CMD's output as diagnostics when it fails
t() {
	d=$1
	shift
	if out=$("$@" 2>&1); then ok "$d"; else
		not_ok "$d"
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/# /'
	fi
}
