#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run_vm_tests.sh KVER|SERIES: run the kabiguard selftests for kernel KVER in QEMU
# (selftests/vm/run.sh), each part in a fresh boot with a freshly loaded
# kabiguard.ko:
#
#   1. the policy_*_test programs (modes, rules, signed, module_ns), then
#      the netlink_*_test programs (access, malformed, txn, verdict), then
#      refs_test and match_test (kabiguard reloaded in between, so each
#      starts from the defaults);
#   2. lock_test (the lock lasts until reboot), then a shell check that
#      `rmmod kabiguard` is refused;
#   3. the events_*_test programs (fields, ring, scan, bounds;
#      ring_size=16), then the daemon_*_test programs (verdict, follow,
#      signal, scan: kabiguardd, built with ASan/UBSan, end to end);
#   3b. flood_test (ring_size=16; the kernel's af_alg module installed in
#      the guest, so that socket(AF_ALG) makes modprobe load it);
#   4. guard_test (two CPUs: it races lock against rmmod; it loads,
#      unloads and force-unloads kabiguard.ko itself), then audit_test.sh
#      in a boot with audit=1 (the verdicts' audit records);
#   4c. genl_fuzz_test -L: KG_FUZZ_MESSAGES (default 100000) generic
#      netlink messages built from the family's own policy, as root and
#      as nobody, while test modules load; then it locks the guard and
#      fuzzes on (the lock lasts until reboot: last in its own boot).
#      KG_FUZZ_SEED replays a run (the seed is printed first);
#   5. realmod_test.sh KVER, if it exists (on the host: it boots its own
#      VM with real Debian modules);
#   6. realtree_test.sh KVER (host and its own VM: check's verdict equals
#      the guard's on a few hundred real modules).
#   7. signed_test.sh KVER (host and its own VM under OVMF: the shipped
#      default policy against modules signed with a key the kernel trusts).
#
# Prints each part's TAP output after a "# KVER: part" comment line and
# exits non-zero if any part fails. Builds what is missing first:
# build/KVER/src (scripts/build-kernel-objs.sh) and the test programs.
# RUN_VM_ARGS adds options to run.sh (e.g. "-m 2048"). KG_VM_ONLY=1 runs
# parts 1-4c only (the debug kernel of `make check-debug` has neither
# Debian's module tree nor its signing key, which parts 5-7 test against).
# The in-VM half of each boot is vm_parts.sh.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# A release, or a series of the matrix (its newest release).
KVER=$("$ROOT/scripts/kernels.sh" "${1:?usage: run_vm_tests.sh KVER|SERIES}") || exit 1
RUN=$ROOT/selftests/vm/run.sh
OBJ=$ROOT/build/$KVER/src

say() { echo "run_vm_tests: $KVER: $*" >&2; }

[ -x "$RUN" ] || { say "missing $RUN"; exit 1; }
if [ ! -e "$OBJ/kmod/kabiguard.ko" ] ||
	[ ! -e "$OBJ/selftests/kabiguard/test_modules/kg_exporter.ko" ]; then
	say "building the kernel objects"
	"$ROOT/scripts/build-kernel-objs.sh" "$KVER" || exit 1
fi
[ -e "$OBJ/kmod/kabiguard.ko" ] || { say "no $OBJ/kmod/kabiguard.ko"; exit 1; }
progs_built=1
for t in policy_modes_test policy_rules_test policy_signed_test \
	policy_module_ns_test lock_test refs_test match_test \
	events_fields_test events_ring_test events_scan_test \
	events_bounds_test daemon_verdict_test daemon_follow_test \
	daemon_signal_test daemon_scan_test guard_test flood_test \
	genl_fuzz_test netlink_access_test netlink_malformed_test \
	netlink_txn_test netlink_verdict_test; do
	[ -x "$HERE/$t" ] || progs_built=
done
if [ -z "$progs_built" ]; then
	say "building the test programs"
	make -C "$HERE" >&2 || exit 1
fi

rc=0
TMP=$(mktemp -d /tmp/kg-vm-tests.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
# vm DESC PART [ARGS...]: one VM boot running vm_parts.sh PART ARGS (the
# in-VM half); prints its output but for "@kgdlog " lines (kabiguardd's
# log, for the host to validate), keeps it all in $TMP/vm.out, records
# failure.
vm() {
	local desc=$1 st
	shift
	echo "# $KVER: VM boot for $desc"
	# shellcheck disable=SC2086 # RUN_VM_ARGS is a list of options
	"$RUN" -k "$KVER" ${RUN_VM_ARGS:-} -- "sh ./vm_parts.sh $*" |
		tee "$TMP/vm.out" | grep -v '^@kgdlog '
	st=${PIPESTATUS[0]}
	if [ "$st" -ne 0 ]; then
		say "$desc: failed (exit status $st)"
		rc=1
	fi
}

# 1. policy_*_test, the netlink_*_test programs, refs_test, match_test.
vm "policy_*_test + netlink_*_test + refs_test + match_test" policy

# 2. lock_test, then rmmod from the shell.
vm lock_test lock

# 3. events_*_test (a 16-event ring, to reach overflow quickly), then
# daemon_*_test with the default ring and the sanitized kabiguardd; the test
# modules are installed under /lib/modules/KVER/extra, as a host would
# have them, so that the daemon's retro scan finds their files.
san=()
if make -s -C "$ROOT/userspace" SANITIZE=1 "$ROOT/userspace/.obj-san/kabiguardd" >&2; then
	san=(-a "$ROOT/userspace/.obj-san/kabiguardd:/usr/local/bin/kabiguardd")
else
	say "cannot build the sanitized kabiguardd"
	rc=1
fi
RUN_VM_ARGS="${RUN_VM_ARGS:-} ${san[*]}" vm "events_*_test + daemon_*_test" events-daemon
# Every line kabiguardd wrote to its log files in daemon_*_test, against the
# event schema (userspace/tests/jsoncheck.py: strict, no duplicate key).
sed -n 's/^@kgdlog //p' "$TMP/vm.out" | tr -d '\r' >"$TMP/kgd.jsonl"
n=$(grep -c . "$TMP/kgd.jsonl")
echo "# $KVER: kabiguardd's log files"
echo "1..1"
if [ "$n" -gt 0 ] &&
	/usr/bin/python3 "$ROOT/userspace/tests/jsoncheck.py" --lines event "$TMP/kgd.jsonl" >"$TMP/kgd.v" 2>&1; then
	echo "ok 1 - daemon_*_test: kabiguardd's log files, $n lines, each valid against userspace/doc/schema/event.schema.json"
else
	sed 's/^/# /' "$TMP/kgd.v" 2>/dev/null | head -20
	echo "not ok 1 - daemon_*_test: kabiguardd's log files ($n lines) valid against userspace/doc/schema/event.schema.json"
	rc=1
fi

# 3b. flood_test: 500 unprivileged AF_ALG autoloads of the kernel's own
# af_alg module (denied), and a userfaultfd command line.
# shellcheck source=scripts/kernel-lib.sh
. "$ROOT/scripts/kernel-lib.sh"
alg=$(ls "$(kg_moddir "$KVER")"/kernel/crypto/af_alg.ko* 2>/dev/null | head -n 1)
if [ -n "$alg" ]; then
	RUN_VM_ARGS="${RUN_VM_ARGS:-} -a $alg:/usr/lib/modules/$KVER/kernel/crypto/${alg##*/}" vm flood_test flood
else
	say "flood_test: no af_alg module for $KVER (its modules are not set up)"
	rc=1
fi

# 4. guard_test: parameter bounds, out-of-memory events, dumps and rmmod,
# lock racing rmmod (on two CPUs, so that they really run at once).
RUN_VM_ARGS="${RUN_VM_ARGS:-} -c 2" vm guard_test guard

# 4b. audit_test.sh: the verdicts' audit records. audit=1 enables audit
# without auditd, so the kernel prints each record to its log.
KG_VM_CMDLINE="${KG_VM_CMDLINE:-} audit=1" vm audit_test.sh audit

# 4c. genl_fuzz_test: the netlink fuzzer, then the lock fuzzed last.
fuzz_args="-L -n ${KG_FUZZ_MESSAGES:-100000}${KG_FUZZ_SEED:+ -s $KG_FUZZ_SEED}"
# shellcheck disable=SC2086 # a list of options
vm "genl_fuzz_test $fuzz_args" fuzz $fuzz_args

if [ -n "${KG_VM_ONLY:-}" ]; then
	say "KG_VM_ONLY: parts 5-7 (realmod, realtree, signed) not run"
	exit $rc
fi

# 5. realmod_test.sh: runs on the host and boots its own VM (it loads
# kabiguard.ko there itself). Exit status 4 means skipped.
if [ -e "$HERE/realmod_test.sh" ]; then
	echo "# $KVER: realmod_test.sh"
	sh "$HERE/realmod_test.sh" "$KVER"
	st=$?
	if [ "$st" -ne 0 ] && [ "$st" -ne 4 ]; then
		say "realmod_test.sh: failed (exit status $st)"
		rc=1
	fi
else
	say "no realmod_test.sh, skipped"
fi

# 6. realtree_test.sh: check's verdicts against the guard's on a few
# hundred real modules of the kernel (host and its own VM).
echo "# $KVER: realtree_test.sh"
if ! bash "$HERE/realtree_test.sh" "$KVER"; then
	say "realtree_test.sh: failed"
	rc=1
fi

# 7. signed_test.sh: the shipped default policy against modules signed
# with a key the kernel trusts (host and its own VM, under OVMF). Every
# matrix kernel has dummy.ko and CONFIG_MODULE_SIG: a skip is a failure.
echo "# $KVER: signed_test.sh"
sh "$HERE/signed_test.sh" "$KVER"
st=$?
if [ "$st" -ne 0 ]; then
	say "signed_test.sh: failed (exit status $st)"
	rc=1
fi

exit $rc
