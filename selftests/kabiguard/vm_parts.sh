#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vm_parts.sh PART [ARGS...]: the in-VM half of run_vm_tests.sh, one part
# per boot, run by selftests/vm/run.sh in /kabiguard (where it puts the
# test programs, the test modules and kabiguard.ko):
#
#   policy           the policy_*_test programs (POLICY_TESTS, in one
#                    load of kabiguard), the netlink_*_test programs
#                    (NETLINK_TESTS), refs_test, match_test, kabiguard
#                    reloaded before each of these
#   lock             lock_test, then rmmod must be refused
#   events-daemon    the events_*_test programs (EVENTS_TESTS, in one load
#                    with ring_size=16), then the daemon_*_test programs
#                    (DAEMON_TESTS) with the test modules installed under
#                    /lib/modules/KVER/extra; kabiguardd's log lines follow
#                    as "@kgdlog " lines
#   flood            flood_test (ring_size=16)
#   guard            guard_test
#   audit            audit_test.sh
#   fuzz ARGS...     genl_fuzz_test ARGS...
#
# Each part loads kabiguard.ko first (a failed load is a TAP failure) and
# shows the end of the kernel log when something failed. Exit status: 0
# pass, 1 fail. POSIX sh (the VM's /bin/sh is dash).
set -u

cd /kabiguard || exit 1
# shellcheck source=selftests/kabiguard/functions.sh
. ./functions.sh

# kg_insmod [PARAM...]: load kabiguard.ko with PARAMs, by default with no
# rate limit on the log: the tests read verdict lines from the kernel log
# after bursts of loads (flood_test, with the defaults, tests the limit).
kg_insmod() {
	[ $# -gt 0 ] || set -- log_burst=10000
	if ! insmod /kabiguard/kabiguard.ko "$@"; then
		echo "not ok 1 insmod /kabiguard/kabiguard.ko failed"
		dmesg | tail -n 30 | sed "s/^/# dmesg: /"
		exit 1
	fi
}

kg_reload() {
	if ! rmmod kabiguard; then
		echo "not ok 1 rmmod kabiguard failed (between tests)"
		exit 1
	fi
	kg_insmod "$@"
}

# kg_run PROGRAM [ARGS...]: one test program under its "# KVER: " header;
# a ./PROGRAM that is missing is a TAP failure of its own.
kg_run() {
	echo "# $(uname -r): $*"
	case $1 in
	./*)
		if [ ! -x "$1" ]; then
			echo "1..1"
			echo "not ok 1 $1 is missing (not built?)"
			rc=1
			return
		fi
		;;
	esac
	"$@" || rc=1
}

# The generic netlink family's tests, one concern each (netlink_fixture.h).
NETLINK_TESTS="netlink_access_test netlink_malformed_test netlink_txn_test
netlink_verdict_test"
# The verdicts on real loads (policy_fixture.h), in this order in one load
# of kabiguard: policy_modes_test first, on the freshly loaded guard.
POLICY_TESTS="policy_modes_test policy_rules_test policy_signed_test
policy_module_ns_test"
# Events and the ring (events_fixture.h), in this order in one load.
EVENTS_TESTS="events_fields_test events_ring_test events_scan_test
events_bounds_test"
# kabiguardd end to end (daemon_fixture.h), in this order.
DAEMON_TESTS="daemon_verdict_test daemon_follow_test daemon_signal_test
daemon_scan_test"

part_policy() {
	for t in $POLICY_TESTS; do
		kg_run "./$t"
	done
	for t in $NETLINK_TESTS; do
		kg_reload
		kg_run "./$t"
	done
	kg_reload
	kg_run ./refs_test
	kg_reload
	kg_run ./match_test
}

part_lock() {
	kg_run ./lock_test
	echo "# $(uname -r): rmmod after lock"
	tap_begin 2
	if out=$(rmmod kabiguard 2>&1); then
		not_ok "rmmod kabiguard refused while locked"
	else
		ok "rmmod kabiguard refused while locked"
	fi
	echo "# rmmod: $out"
	check_diag "kabiguard still loaded" is_loaded kabiguard
	[ "$KG_TAP_FAILS" -eq 0 ] || rc=1
}

part_events_daemon() {
	kg_reload ring_size=16
	for t in $EVENTS_TESTS; do
		kg_run "./$t"
	done
	kg_reload
	d=/lib/modules/$(uname -r)/extra
	mkdir -p "$d" && cp test_modules/*.ko "$d"/ && depmod || rc=1
	for t in $DAEMON_TESTS; do
		echo "# $(uname -r): $t (kabiguardd: $(command -v kabiguardd))"
		if [ ! -x "./$t" ]; then
			echo "1..1"
			echo "not ok 1 ./$t is missing (not built?)"
			rc=1
			continue
		fi
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			KG_DAEMON_LOG_COPY=/tmp/kgd-logs.jsonl "./$t" || rc=1
	done
	if [ -e /tmp/kgd-logs.jsonl ]; then sed "s/^/@kgdlog /" /tmp/kgd-logs.jsonl; fi
}

part_flood() {
	kg_reload ring_size=16
	kg_run ./flood_test
}

part_guard() {
	kg_run ./guard_test
}

part_audit() {
	kg_run sh ./audit_test.sh
}

part_fuzz() {
	kg_run ./genl_fuzz_test "$@"
}

rc=0
part=${1:?usage: vm_parts.sh PART [ARGS...]}
shift
case $part in
policy | lock | flood | guard | audit | fuzz) ;;
events-daemon) part=events_daemon ;;
*) die "vm_parts.sh: no part $part" ;;
esac
kg_insmod
"part_$part" "$@"
[ "$rc" -eq 0 ] || dmesg | tail -n 60 | sed "s/^/# dmesg: /"
exit "$rc"
