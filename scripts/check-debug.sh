#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-debug.sh (`make check-debug`): the VM suite and the netlink fuzzer
# (selftests/kabiguard/run_vm_tests.sh, parts 1-4c) on a debug kernel
# built from Debian's linux-source-6.1 (scripts/debug-kernel.sh: KASAN,
# KFENCE, PROVE_LOCKING, PROVE_RCU, DEBUG_ATOMIC_SLEEP, SLUB_DEBUG_ON),
# each boot's kernel log searched for the checkers' reports
# (KG_VM_KLOG_CHECK). Passes only if every test passes and no boot has a
# report. Logs: build/logs/check-debug.log; the figures are the last lines.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
LOG=$ROOT/build/logs/check-debug.log
mkdir -p "$ROOT/build/logs"
say() { echo "check-debug: $*" >&2; }
T0=$SECONDS

scripts/install-deps.sh --debug-kernel
t=$SECONDS
KVER=$(scripts/debug-kernel.sh)
tk=$((SECONDS - t))
say "kernel $KVER ($tk s)"
make -s -C userspace
make -s -C selftests/kabiguard KVER="$KVER"
scripts/build-kernel-objs.sh "$KVER"

# KASAN and lockdep make the guest several times slower under TCG: more
# time and memory per boot, and a log buffer that keeps a whole part.
t=$SECONDS
rc=0
KG_VM_ONLY=1 KG_VM_KLOG_CHECK=1 KG_VM_CMDLINE="log_buf_len=16M" \
	RUN_VM_ARGS="-t 3600 -m 2048" \
	selftests/kabiguard/run_vm_tests.sh "$KVER" 2>&1 | tee "$LOG" || rc=$?
tv=$((SECONDS - t))

p=$(grep -E '^ok ' "$LOG" | grep -cvE '#[[:space:]]*SKIP' || true)
s=$(grep -E '^ok ' "$LOG" | grep -cE '#[[:space:]]*SKIP' || true)
f=$(grep -cE '^not ok ' "$LOG" || true)
boots=$(grep -c '^kg-klog: ' "$LOG" || true)
reports=$(sed -n 's/^kg-klog: \([0-9]*\) report.*/\1/p' "$LOG" | awk '{ n += $1 } END { print n + 0 }')
# genl_fuzz_test's figures: "# total: N messages in ...", then "# locked: N ...".
msgs=$(sed -n 's/^# total: \([0-9]*\) messages.*/\1/p' "$LOG" | tail -n 1)
lmsgs=$(sed -n 's/^# locked: \([0-9]*\) messages.*/\1/p' "$LOG" | tail -n 1)
[ "$boots" -gt 0 ] || { say "no boot reported its kernel log (KG_VM_KLOG_CHECK)"; rc=1; }
[ "$reports" -eq 0 ] || { say "$reports kernel report(s): grep '# klog:' $LOG"; rc=1; }
[ "$f" -eq 0 ] || rc=1
{
	echo "check-debug: kernel $KVER (built in $tk s; cached: 0 s)"
	echo "check-debug: $boots boots, $((tv / 60)) min in the VMs, ${msgs:-?} fuzzer messages (then ${lmsgs:-?} locked)"
	echo "check-debug: $reports kernel report(s) (KASAN, KFENCE, lockdep, RCU, slab, BUG, WARNING)"
	echo "check-debug: $((SECONDS - T0)) s in all"
	echo "$p passed, $f failed, $s skipped"
} | tee -a "$LOG"
exit "$rc"
