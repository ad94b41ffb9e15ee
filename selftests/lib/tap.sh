# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# tap.sh: TAP 13 for every shell test of kabiguard, on the host (bash) and
# in the VMs (dash: POSIX sh only).  Source it:
#
#	. "$ROOT/selftests/lib/tap.sh"
#
# In a selftests/vm/run.sh VM it is /kabiguard/tap.sh; in the Debian guest
# of selftests/guest, /kg/tap.sh.
#
#   tap_begin [N]        "TAP version 13", and the plan 1..N when N is given
#                        (otherwise tap_end prints it last)
#   ok DESC, not_ok DESC one test line
#   tap_skip DESC WHY    one skipped test
#   diag TEXT...         each line of each TEXT as a "# " comment
#   check DESC CMD...    ok if CMD succeeds; CMD's output is left alone
#   check_diag DESC CMD... ok if CMD succeeds; if it fails, the last 30
#                        lines of its output (stdout and stderr) as comments
#   check_log DESC LOG CMD...  as check_diag, but CMD's output is appended
#                        to the file LOG as it runs (a slow or stuck step,
#                        such as apt building a DKMS module in a guest,
#                        shows there while it runs)
#   skip_all WHY         "1..0 # SKIP WHY", exit 4 (kselftest's skip)
#   bail DESC            a failed test, the plan, exit 1: for a missing
#                        input that the set-up should have installed
#   tap_end              the plan if tap_begin gave none; exit 1 if a test
#                        failed, else 0
#
# Tests split across a host part and a VM part carry the numbering over:
#   tap_state TAG        (in the VM) "# TAG-state N FAILS" for the host
#   tap_take_state TAG FILE RC  (on the host) continue from the last such
#                        line in FILE, the VM's output; a VM part that
#                        printed none, or a non-zero RC (run.sh's exit
#                        status) without a failed test, is a failure.
# KG_TAP_N sets the number of the last test already printed. With
# KG_TAP_COUNTER=FILE the count also goes on across processes (the
# guest's boots): it is read at sourcing time and written at each test.

KG_TAP_N=${KG_TAP_N:-0}
KG_TAP_FAILS=0
KG_TAP_PLANNED=
if [ -n "${KG_TAP_COUNTER:-}" ] && [ -r "$KG_TAP_COUNTER" ]; then
	KG_TAP_N=$(cat "$KG_TAP_COUNTER")
fi

tap_begin() {
	echo "TAP version 13"
	if [ $# -gt 0 ]; then
		echo "1..$1"
		KG_TAP_PLANNED=$1
	fi
}

tap_next_() {
	KG_TAP_N=$((KG_TAP_N + 1))
	if [ -n "${KG_TAP_COUNTER:-}" ]; then echo "$KG_TAP_N" >"$KG_TAP_COUNTER"; fi
}

ok() {
	tap_next_
	echo "ok $KG_TAP_N - $*"
}

not_ok() {
	tap_next_
	KG_TAP_FAILS=$((KG_TAP_FAILS + 1))
	echo "not ok $KG_TAP_N - $*"
}

tap_skip() {
	tap_next_
	echo "ok $KG_TAP_N - $1 # SKIP $2"
}

diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

check() {
	kg_tap_d_=$1
	shift
	if "$@"; then ok "$kg_tap_d_"; else not_ok "$kg_tap_d_"; fi
}

check_diag() {
	kg_tap_d_=$1
	shift
	if kg_tap_out_=$("$@" 2>&1); then
		ok "$kg_tap_d_"
	else
		not_ok "$kg_tap_d_"
		if [ -n "$kg_tap_out_" ]; then
			printf '%s\n' "$kg_tap_out_" | tail -n 30 | sed 's/^/# /'
		fi
	fi
}

check_log() {
	kg_tap_d_=$1
	kg_tap_log_=$2
	shift 2
	if "$@" >>"$kg_tap_log_" 2>&1; then
		ok "$kg_tap_d_"
	else
		not_ok "$kg_tap_d_"
		tail -n 30 "$kg_tap_log_" | sed 's/^/# /'
	fi
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 4
}

tap_end() {
	[ -n "$KG_TAP_PLANNED" ] || echo "1..$KG_TAP_N"
	[ "$KG_TAP_FAILS" -eq 0 ] || exit 1
	exit 0
}

bail() {
	not_ok "$*"
	tap_end
}

tap_state() {
	echo "# $1-state $KG_TAP_N $KG_TAP_FAILS"
}

tap_take_state() {
	kg_tap_st_=$(sed -n "s/^# $1-state \([0-9][0-9]*\) \([0-9][0-9]*\)\$/\1 \2/p" "$2" | tail -n 1)
	if [ -z "$kg_tap_st_" ]; then
		not_ok "the VM part ran to its end (run.sh exit status $3)"
		return
	fi
	KG_TAP_N=${kg_tap_st_% *}
	KG_TAP_FAILS=$((KG_TAP_FAILS + ${kg_tap_st_#* }))
	if [ "$3" -ne 0 ] && [ "${kg_tap_st_#* }" -eq 0 ]; then
		not_ok "run.sh exit status $3"
	fi
}
