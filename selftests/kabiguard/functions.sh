#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Shell helpers for the kabiguard selftests, in the manner of
# tools/testing/selftests/livepatch/functions.sh. Source it:
#
#	. "$(dirname "$0")/functions.sh"
#
# POSIX sh (the VM's /bin/sh is dash). Exit codes follow kselftest:
# 0 pass, 1 fail, 4 skip.
#
# Messages:      log MSG (stdout and the kernel log), skip MSG (exit 4),
#                die MSG (exit 1)
# Requirements:  require_root, require_kabiguard, require_test_modules
# Modules:       load_mod NAME [ARGS], load_mod_fail NAME [ARGS],
#                unload_mod NAME, is_loaded NAME, kg_mod_path NAME
#                (NAME is a test module; a path ending in .ko also works)
# Kernel log:    set_dmesg_marker, dmesg_since_marker, dmesg_has LINE,
#                check_dmesg EXPECTED (diff against the kabiguard lines)
# TAP:           selftests/lib/tap.sh's tap_begin, ok, not_ok, check,
#                check_diag, tap_end...

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

# Where the dummy modules are (the VM runner puts them here).
KG_TEST_MODULES=${KG_TEST_MODULES:-/kabiguard/test_modules}
# kabiguard.ko, for tests that load it themselves.
KG_MODULE=${KG_MODULE:-/kabiguard/kabiguard.ko}

log() {
	echo "$*"
	if [ -w /dev/kmsg ]; then echo "kabiguard-selftest: $*" >/dev/kmsg; fi
}

skip() {
	echo "SKIP: $*" >&2
	exit $KSFT_SKIP
}

die() {
	echo "ERROR: $*" >&2
	exit $KSFT_FAIL
}

require_root() {
	[ "$(id -u)" -eq 0 ] || skip "must run as root"
}

require_kabiguard() {
	[ -d /sys/module/kabiguard ] || skip "kabiguard.ko is not loaded"
}

require_test_modules() {
	[ -e "$KG_TEST_MODULES/kg_exporter.ko" ] ||
		skip "no test modules in $KG_TEST_MODULES (set KG_TEST_MODULES)"
}

# kg_mod_path NAME: the .ko file of test module NAME (or NAME itself if it
# already is a path).
kg_mod_path() {
	case $1 in
	*.ko | *.ko.*) echo "$1" ;;
	*) echo "$KG_TEST_MODULES/$1.ko" ;;
	esac
}

# kg_mod_name NAME: the kernel's name for it (basename, '-' as '_').
kg_mod_name() {
	basename "$1" | sed 's/\.ko.*$//; s/-/_/g'
}

is_loaded() {
	[ -d "/sys/module/$(kg_mod_name "$1")" ]
}

# load_mod NAME [ARGS...]: insmod (kmod's, one finit_module call) or die.
load_mod() {
	_m=$1
	shift
	insmod "$(kg_mod_path "$_m")" "$@" || die "insmod $_m failed"
	is_loaded "$_m" || die "$_m not loaded after insmod"
}

# load_mod_fail NAME [ARGS...]: insmod must fail; prints insmod's message.
load_mod_fail() {
	_m=$1
	shift
	if _out=$(insmod "$(kg_mod_path "$_m")" "$@" 2>&1); then
		die "insmod $_m succeeded, expected a failure"
	fi
	echo "$_out"
	! is_loaded "$_m" || die "$_m loaded after a failed insmod"
}

# unload_mod NAME: rmmod or die.
unload_mod() {
	rmmod "$(kg_mod_name "$1")" || die "rmmod $1 failed"
	! is_loaded "$1" || die "$1 still loaded after rmmod"
}

# --- kernel log: a unique marker, then what came after it.

KG_DMESG_MARKER=

set_dmesg_marker() {
	KG_DMESG_MARKER="kabiguard-selftest-marker-$$-$(date +%s)-${KG_MARKER_SEQ:-0}"
	KG_MARKER_SEQ=$((${KG_MARKER_SEQ:-0} + 1))
	echo "$KG_DMESG_MARKER" >/dev/kmsg || die "cannot write /dev/kmsg"
}

# dmesg_since_marker: the kernel log lines after the last marker, without
# timestamps.
dmesg_since_marker() {
	[ -n "$KG_DMESG_MARKER" ] || die "dmesg_since_marker without set_dmesg_marker"
	dmesg | sed 's/^\[[ 0-9.]*\] //' |
		awk -v m="$KG_DMESG_MARKER" 'on { print } index($0, m) { on = 1 }'
}

# dmesg_has LINE: the log since the marker has exactly LINE.
dmesg_has() {
	dmesg_since_marker | grep -Fxq -- "$1"
}

# check_dmesg EXPECTED: the "kabiguard: " lines since the marker are
# exactly EXPECTED (newline-separated); prints a diff otherwise.
check_dmesg() {
	_exp=$(printf '%s\n' "$1")
	_got=$(dmesg_since_marker | grep '^kabiguard: ' || true)
	if [ "$_exp" != "$_got" ]; then
		echo "# kernel log differs from the expected lines:"
		printf '%s\n' "$_exp" >"${TMPDIR:-/tmp}/kg-exp.$$"
		printf '%s\n' "$_got" >"${TMPDIR:-/tmp}/kg-got.$$"
		diff -u "${TMPDIR:-/tmp}/kg-exp.$$" "${TMPDIR:-/tmp}/kg-got.$$" | sed 's/^/# /'
		rm -f "${TMPDIR:-/tmp}/kg-exp.$$" "${TMPDIR:-/tmp}/kg-got.$$"
		return 1
	fi
}

# --- TAP 13: selftests/lib/tap.sh, which selftests/vm/run.sh puts next to
# this file.
# shellcheck source=selftests/lib/tap.sh
. /kabiguard/tap.sh
