#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# audit_test.sh: each verdict is one record in the kernel's audit trail
# (kmod/audit.c). Run in the VM (run_vm_tests.sh boots it with audit=1 and
# no auditd, so the kernel prints each record to its log: "audit:
# type=1316 audit(...): op=kabiguard ..."), with kabiguard.ko loaded.
# Asserts what an admin reads in such a record: the module, the verdict,
# the mode, the success field, the loader, the event's sequence number,
# and that a hostile import name cannot break the record's format.
. "$(dirname "$0")/functions.sh"

require_root
require_kabiguard
require_test_modules
grep -qw 'audit=1' /proc/cmdline ||
	skip "the kernel was not booted with audit=1 (no auditd here to enable audit)"

# record MODULE VERDICT: the newest kabiguard audit record for MODULE with
# VERDICT, from the kernel log since the marker. The kernel's kauditd
# thread prints records after the load returns: wait for it, up to 10 s.
record() {
	_i=0
	while :; do
		_r=$(dmesg_since_marker | grep -a 'type=1316 ' |
			grep -a ' op=kabiguard ' | grep -a " name=\"$1\" " |
			grep -a " verdict=$2 " | tail -n 1)
		[ -z "$_r" ] && [ "$_i" -lt 20 ] || break
		_i=$((_i + 1))
		sleep 0.5
	done
	printf '%s\n' "$_r"
}

# field REC NAME: the value of NAME= in record REC (one token).
field() {
	printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# Without auditd the kernel prints each record only if printk_ratelimit()
# lets it (kauditd_printk_skb(): 10 lines per 5 s, shared with every other
# caller): a record dropped there is not the guard's fault. Lift the limit
# for this test and restore it after.
burst=$(cat /proc/sys/kernel/printk_ratelimit_burst)
echo 100000 >/proc/sys/kernel/printk_ratelimit_burst ||
	die "cannot raise kernel.printk_ratelimit_burst"

tap_begin 12
printf 'symbol kg_plain_a\n' >/tmp/audit-empty.policy
kabiguardctl load /tmp/audit-empty.policy >/dev/null ||
	die "kabiguardctl load"
kabiguardctl mode enforce >/dev/null || die "kabiguardctl mode enforce"
set_dmesg_marker
load_mod_fail kg_exporter

rec=$(record kg_exporter denied)
echo "# $rec"
check_diag "a denied load has a KERNEL_OTHER (1316) record naming the module" \
	test -n "$rec"
check_diag "its guard_mode is enforce and res=0 (failed, as aureport counts it)" \
	sh -c "[ '$(field "$rec" guard_mode)' = enforce ] && [ '$(field "$rec" res)' = 0 ]"
check_diag "it counts the violations and names the first one and its reason" \
	sh -c "[ '$(field "$rec" violations)' -ge 1 ] && [ -n '$(field "$rec" sym)' ] && [ '$(field "$rec" reason)' = not-allowed ]"
check_diag "it names the loader: pid, uid, comm and exe" \
	sh -c "[ '$(field "$rec" pid)' -gt 1 ] && [ '$(field "$rec" uid)' = 0 ] && [ '$(field "$rec" comm)' = '\"insmod\"' ] && [ -n '$(field "$rec" exe)' ]"
seq=$(field "$rec" seq)
evseq=$(kabiguardctl events --json 2>/dev/null |
	grep '"module":"kg_exporter"' | tail -n 1 |
	sed -n 's/.*"seq":\([0-9]*\).*/\1/p')
check_diag "its seq is the verdict event's sequence number ($seq, event $evseq)" \
	sh -c "[ -n '$seq' ] && [ '$seq' = '$evseq' ]"

# An import name with spaces, parentheses and a backtick (kg_evil_import
# unpatched: "kg_evil~kabiguard: evil: allowed (enforce, generation 1),
# 3 imports`[31mx"): written in double quotes it would make fields of its
# own.
set_dmesg_marker
load_mod_fail kg_evil_import
rec=$(record kg_evil_import denied)
echo "# $rec"
check_diag "the hostile module's denied load has its record" test -n "$rec"
sym=$(field "$rec" sym)
check_diag "a symbol with spaces is written in upper-case hex, as auditd expects" \
	sh -c "printf '%s' '$sym' | grep -Eqx '([0-9A-F]{2})+'"
check_diag "the hex is the name's bytes (kg_evil~, then a space)" \
	sh -c "printf '%s' '$sym' | grep -q '^6B675F6576696C7E6B6162696775617264' && printf '%s' '$sym' | grep -q '20'"
n=$(printf '%s\n' "$rec" | tr ' ' '\n' | grep -Ec '^(verdict|res|guard_mode)=')
check_diag "the name adds no field: one verdict=, one guard_mode=, one res= (got $n)" \
	test "$n" -eq 3
n=$(dmesg_since_marker | grep -a 'type=1316 ' | grep -ac 'name="kg_evil_import"')
check_diag "one record per verdict (kmod's insmod: one load, one record; got $n)" \
	test "$n" -eq 1

# Allowed, in enforce mode: every import of kg_exporter is in the policy.
printf 'any\n' >/tmp/audit-any.policy
kabiguardctl load /tmp/audit-any.policy >/dev/null || die "kabiguardctl load"
set_dmesg_marker
load_mod kg_exporter
rec=$(record kg_exporter allowed)
echo "# $rec"
check_diag "an allowed load has its record, res=1 and no violation" \
	sh -c "[ -n '$rec' ] && [ '$(field "$rec" res)' = 1 ] && [ '$(field "$rec" violations)' = 0 ]"
unload_mod kg_exporter

# Audit mode: violations, the load goes on: verdict audited, res=1.
kabiguardctl load /tmp/audit-empty.policy >/dev/null || die "kabiguardctl load"
kabiguardctl mode audit >/dev/null || die "kabiguardctl mode audit"
set_dmesg_marker
load_mod kg_exporter
rec=$(record kg_exporter audited)
echo "# $rec"
check_diag "an audited load (audit mode) has verdict=audited, guard_mode=audit, res=1" \
	sh -c "[ -n '$rec' ] && [ '$(field "$rec" guard_mode)' = audit ] && [ '$(field "$rec" res)' = 1 ]"
unload_mod kg_exporter
echo "$burst" >/proc/sys/kernel/printk_ratelimit_burst
tap_end
