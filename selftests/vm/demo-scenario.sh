#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The `make demo` scenario, run inside the VM by scripts/demo.sh: load the
# guard, start kabiguardd with /etc/kabiguard/ enforcing a policy that
# allows what kg_consumer_ok imports, then load an allowed and a forbidden
# module; show the verdicts: kabiguardctl's status and monitor, the
# daemon's JSON log and the kernel log.  Exits 0 when the allowed module
# loaded, the forbidden one was denied and the daemon logged both.

GUARD=/kabiguard/kabiguard.ko
TM=/kabiguard/test_modules
EXPORTER=$TM/kg_exporter.ko
ALLOWED=$TM/kg_consumer_ok.ko
FORBIDDEN=$TM/kg_consumer_forbidden.ko
POLICY=/tmp/demo-stablelist
MONITOR_LOG=/tmp/monitor.log
CONF=/etc/kabiguard/kabiguard.conf
EVENTS=/var/log/kabiguard/events.jsonl

step() { printf '\n==== %s\n' "$*"; }
# run CMD...: echo it, run it, echo its exit status; returns that status.
run() {
	echo "\$ $*"
	"$@"
	rc=$?
	echo "[exit status $rc]"
	return $rc
}
name() { basename "$1" .ko; }

for f in "$GUARD" "$EXPORTER" "$ALLOWED" "$FORBIDDEN"; do
	[ -e "$f" ] || { echo "demo: $f missing (scripts/build-kernel-objs.sh)"; exit 1; }
done
for t in kabiguardctl kabiguardd; do
	command -v $t >/dev/null || { echo "demo: $t missing (make -C userspace)"; exit 1; }
done

step "load the guard"
run insmod "$GUARD" || exit 1

step "watch events"
kabiguardctl monitor >"$MONITOR_LOG" 2>&1 &
MONITOR=$!
sleep 1

step "load $(name "$EXPORTER") before the policy (it exports kg_plain_a, kg_plain_b, ...)"
run insmod "$EXPORTER"

# A Red Hat style stablelist holding exactly the imports of the allowed
# module (read from its __versions with kmod): kg_plain_a is in it,
# kg_plain_b, which only the forbidden module imports, is not.
step "/etc/kabiguard: enforce a stablelist of what $(name "$ALLOWED") imports"
mkdir -p /etc/kabiguard/policy.d
{
	echo "[kabiguard_demo_stablelist]"
	modprobe --dump-modversions "$ALLOWED" | awk '{ printf "\t%s\n", $2 }'
} >/etc/kabiguard/policy.d/10-demo-stablelist
printf 'mode = enforce\nlock = no\npolicy_dir = /etc/kabiguard/policy.d\n' >"$CONF"
run cat "$CONF" /etc/kabiguard/policy.d/10-demo-stablelist

step "start kabiguardd: it commits policy.d, sets the mode and logs every verdict to $EVENTS"
run kabiguardd || exit 1

step "allowed: $(name "$ALLOWED")"
run insmod "$ALLOWED"
allowed_rc=$?

step "forbidden: $(name "$FORBIDDEN") (also imports kg_plain_b)"
run insmod "$FORBIDDEN"
forbidden_rc=$?

step "status"
run kabiguardctl status

step "modules loaded"
lsmod | grep -E '^(kabiguard|kg_)'

sleep 1
kill "$MONITOR" 2>/dev/null
wait "$MONITOR" 2>/dev/null
step "kabiguardctl monitor output"
cat "$MONITOR_LOG"

step "kabiguardd's log, $EVENTS (one JSON line per verdict)"
cat "$EVENTS"
logged=0
grep -q '"kind":"load".*"verdict":"allowed".*"module":"kg_consumer_ok"' "$EVENTS" &&
	grep -q '"kind":"load".*"verdict":"denied".*"module":"kg_consumer_forbidden"' "$EVENTS" &&
	logged=1
kill "$(pidof kabiguardd)" 2>/dev/null

step "kernel log"
dmesg | grep -i kabiguard

step "result"
if [ "$allowed_rc" -eq 0 ] && [ "$forbidden_rc" -ne 0 ] && [ "$logged" -eq 1 ]; then
	echo "demo: OK: $(name "$ALLOWED") loaded, $(name "$FORBIDDEN") was denied, kabiguardd logged both"
	exit 0
fi
echo "demo: UNEXPECTED: $(name "$ALLOWED") exit $allowed_rc, $(name "$FORBIDDEN") exit $forbidden_rc, logged by kabiguardd: $logged"
exit 1
