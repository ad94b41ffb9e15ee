# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# kabiguard's verdicts where fleets collect logs, on the Debian guest
# (sourced by scenarios/host.sh, after common.sh).  logs_enforce, with the
# packages installed: enforce a policy made from two test modules, load an
# allowed and a denied one (/kg), and check what an admin looks at: the
# journal's structured entries (journalctl KABIGUARD_VERDICT=denied -o
# json), the audit trail (ausearch -m KERNEL_OTHER, aureport) and the
# node_exporter metrics file, which is copied to /kg for promtool on the
# host.
PROM=/var/lib/prometheus/node-exporter/kabiguard.prom
LOG=/var/log/kabiguard/events.jsonl
ID_LOAD=71c6efd2db5a4821bedd71e8455e0d21
# jhas FILE STRING...: FILE has every STRING
jhas() {
	f=$1
	shift
	for s in "$@"; do
		grep -qF "$s" "$f" || { echo "no $s in $f"; return 1; }
	done
}
# The audit event serial of each load's record: aureport lists events by it.
serial() {
	grep 'op=kabiguard' /kg/ausearch.txt | grep "name=\"$1\"" | tail -n 1 |
		sed -n 's/.*msg=audit([0-9.]*:\([0-9]*\)).*/\1/p'
}

# With the packages installed: enforce, load the test modules, and check
# the journal, the audit trail and the metrics file.
logs_enforce() {
	check_diag "kabiguardd is linked with libsystemd" \
		sh -c 'ldd /usr/sbin/kabiguardd | grep -q libsystemd'
	check_diag "auditd runs and audit is enabled" \
		sh -c 'systemctl is-active auditd && auditctl -s | grep -q "^enabled 1"'

	# Enforce: the shipped policy (any symbol, for signed modules) and, for
	# the unsigned test modules, their kernel imports and kg_plain_a:
	# kg_consumer_ok loads, kg_consumer_forbidden's kg_plain_b is allowed to
	# signed modules only (reason "unsigned").
	{
		kabiguardctl policy generate --modules /kg/kg_exporter.ko
		echo "symbol kg_plain_a from=kg_exporter"
	} >/etc/kabiguard/policy.d/50-test.policy
	sed -i -e 's/^mode = .*/mode = enforce/' \
		-e "s|^#metrics_file = .*|metrics_file = $PROM|" \
		/etc/kabiguard/kabiguard.conf
	check_diag "the configuration and policy are valid (kabiguardd --check)" \
		sh -c 'kabiguardd --check | grep -q "^log_target = auto" && kabiguardd --check | grep -q "^metrics_file = '"$PROM"'"'
	# As prometheus-node-exporter leaves it: root's, 0755.
	mkdir -p /var/lib/prometheus/node-exporter
	check_diag "kabiguard.ko is loaded and kabiguardd starts again with the configuration" \
		sh -c 'modprobe kabiguard && systemctl restart kabiguardd && systemctl is-active kabiguardd'
	check_diag "kabiguardd says it writes to the journal and the metrics file" \
		sh -c 'journalctl -b -u kabiguardd -o cat | grep -q "enforce mode, events to .* and journal, metrics to '"$PROM"'"'

	# The audit log keeps earlier boots, whose event serials this boot
	# uses again: searches and reports start here (the locale's date).
	since_d=$(date +%x) since_t=$(date +%T)
	insmod /kg/kg_exporter.ko
	insmod /kg/kg_consumer_ok.ko
	check_diag "a module the policy allows loads (kg_consumer_ok)" \
		grep -q '^kg_consumer_ok ' /proc/modules
	check_diag "a module with a forbidden import is denied (insmod fails)" \
		sh -c '! insmod /kg/kg_consumer_forbidden.ko'
	check_diag "kabiguardd logged the denied load" \
		wait_for 60 grep -q '"module":"kg_consumer_forbidden"' "$LOG"
	seq=$(grep '"module":"kg_consumer_forbidden"' "$LOG" | tail -n 1 |
		sed -n 's/^{"seq":\([0-9]*\),.*/\1/p')
	echo "# the denied load's event: seq $seq"

	# The journal.
	wait_for 10 sh -c 'journalctl -q KABIGUARD_VERDICT=denied | grep -q .'
	journalctl -q KABIGUARD_VERDICT=denied -o json >/kg/journal-denied.json 2>&1
	grep '"KABIGUARD_MODULE":"kg_consumer_forbidden"' /kg/journal-denied.json |
		tail -n 1 >/tmp/j
	echo "# $(cut -c1-600 /tmp/j)"
	check_diag "journalctl KABIGUARD_VERDICT=denied -o json shows the denied load" \
		test -s /tmp/j
	check_diag "its MESSAGE_ID is kabiguard's load id, PRIORITY 3 (err)" \
		jhas /tmp/j "\"MESSAGE_ID\":\"$ID_LOAD\"" '"PRIORITY":"3"'
	check_diag "its KABIGUARD_SEQ is the event's sequence number in kabiguardd's log ($seq)" \
		jhas /tmp/j "\"KABIGUARD_SEQ\":\"$seq\""
	check_diag "it names the mode and the violation (symbol, exporter, reason)" \
		jhas /tmp/j '"KABIGUARD_MODE":"enforce"' '"KABIGUARD_VIOLATIONS":"1"' \
		'"KABIGUARD_VIOLATION":"kg_plain_b from=kg_exporter reason=unsigned"'
	check_diag "it names the loader (KABIGUARD_COMM insmod) and comes from kabiguardd.service" \
		jhas /tmp/j '"KABIGUARD_COMM":"insmod"' '"_SYSTEMD_UNIT":"kabiguardd.service"'
	journalctl -q KABIGUARD_MODULE=kg_consumer_ok -o json | tail -n 1 >/tmp/a
	check_diag "the allowed load is in the journal: verdict allowed, PRIORITY 6" \
		jhas /tmp/a '"KABIGUARD_VERDICT":"allowed"' '"PRIORITY":"6"'

	# The audit trail.
	echo "# audit searches and reports from $since_d $since_t"
	ausearch -m KERNEL_OTHER -ts "$since_d" "$since_t" >/kg/ausearch.txt 2>&1
	ausearch -m KERNEL_OTHER -i -ts "$since_d" "$since_t" >/kg/ausearch-i.txt 2>&1
	aureport -e -i --failed -ts "$since_d" "$since_t" >/kg/aureport-failed.txt 2>&1
	aureport -e -i --success -ts "$since_d" "$since_t" >/kg/aureport-success.txt 2>&1
	grep 'op=kabiguard' /kg/ausearch.txt | grep 'name="kg_consumer_forbidden"' >/tmp/r
	echo "# $(cat /tmp/r)"
	check_diag "ausearch -m KERNEL_OTHER finds one record of the denied load" \
		test "$(grep -c 'verdict=denied' /tmp/r)" -eq 1
	check_diag "the record: guard_mode enforce, 1 violation kg_plain_b, res=0, seq $seq" \
		jhas /tmp/r 'guard_mode=enforce ' \
		"violations=1 sym=\"kg_plain_b\" reason=unsigned seq=$seq " 'res=0'
	check_diag "ausearch -m KERNEL_OTHER --success no finds the denied load, not the allowed" \
		sh -c 'ausearch -m KERNEL_OTHER --success no -ts "$1" "$2" >/tmp/f 2>&1
			grep -q "name=\"kg_consumer_forbidden\"" /tmp/f && ! grep -q "name=\"kg_consumer_ok\"" /tmp/f' sh "$since_d" "$since_t"
	check_diag "ausearch -i interprets the record (guard_mode=enforce, res=no, uid=root, comm=insmod)" \
		sh -c 'grep "name=kg_consumer_forbidden" /kg/ausearch-i.txt | grep "guard_mode=enforce" | grep "res=no" | grep "uid=root" | grep -q "comm=insmod"'
	sd=$(serial kg_consumer_forbidden)
	sa=$(serial kg_consumer_ok)
	echo "# audit serials: denied load $sd, allowed load $sa"
	check_diag "aureport's failed events list the denied load's KERNEL_OTHER event ($sd)" \
		grep -Eq "^[0-9]+\. .* $sd KERNEL_OTHER .* no\$" /kg/aureport-failed.txt
	check_diag "aureport's successful events list the allowed load's ($sa), not the denied one" \
		sh -c 'grep -Eq "^[0-9]+\. .* $1 KERNEL_OTHER .* yes\$" /kg/aureport-success.txt &&
			! grep -Eq " $2 KERNEL_OTHER " /kg/aureport-success.txt' sh "$sa" "$sd"

	# The metrics file.
	check_diag "the metrics file is written within seconds" \
		wait_for 10 grep -q 'kabiguard_loads_total{verdict="denied"} [1-9]' "$PROM"
	cp "$PROM" /kg/kabiguard.prom
	check_diag "it counts the loads by verdict and says the mode is enforce" \
		sh -c "grep -Eq '^kabiguard_loads_total\\{verdict=\"allowed\"\\} ([2-9]|[1-9][0-9]+)\$' $PROM && grep -q '^kabiguard_mode{mode=\"enforce\"} 1\$' $PROM && grep -Eq '^kabiguard_policy_generation [1-9]' $PROM"
	check_diag "it is readable by node_exporter's user (mode 0644) and was replaced whole" \
		sh -c "[ \$(stat -c %a $PROM) = 644 ] && ! ls $PROM.* 2>/dev/null | grep -q ."
	check_diag "its last written seq has reached the denied load's ($seq)" \
		sh -c "[ \$(sed -n 's/^kabiguard_daemon_last_seq //p' $PROM) -ge $seq ]"
	rmmod kg_consumer_ok kg_exporter
}
