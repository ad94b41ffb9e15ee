# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Boot order, persistence and log rotation on the Debian guest (sourced by
# scenarios/host.sh, after common.sh), in steps across boots:
#   order_initramfs    after apt installed the packages, the initramfs
#                      holds the guard and loads it before udev;
#   order_boot         the next boot: the guard was the first module,
#                      kabiguardd was ready before udev's coldplug, every
#                      loaded module has its `load` verdict in the log, the
#                      boot's sequence numbers are there once each;
#   order_rotation     module loads run while the real logrotate rotates
#                      the log: no event lost or repeated;
#   order_persistence  after a reboot sequence numbers start again at 1
#                      under the new boot id, and the previous boot's are
#                      all still there, once.
LOGDIR=/var/log/kabiguard

# Every log line, oldest file first (rotated ones may be compressed).
event_log() {
	i=20
	while [ "$i" -gt 0 ]; do
		for f in "$LOGDIR/events.jsonl.$i.gz" "$LOGDIR/events.jsonl.$i"; do
			[ -e "$f" ] && zcat -f "$f"
		done
		i=$((i - 1))
	done
	cat "$LOGDIR/events.jsonl"
}
# "seq kind module" of each line of boot $1, in file order
boot_events() {
	event_log | sed -n 's/^{"seq":\([0-9]*\),"boot_id":"'"$1"'","kind":"\([a-z?]*\)".*,"module":"\([^"]*\)".*/\1 \2 \3/p'
}
ring_next() {
	kabiguardctl status --json | sed -n 's/.*"ring":{[^}]*"next":\([0-9]*\).*/\1/p'
}
# Sequence numbers of boot $1 in the log: 1, 2, ... each once, in order,
# up to at least $2; prints how many.
seq_whole() {
	boot_events "$1" | awk -v want="$2" -v id="$1" '
		$1 != NR { printf "line %d of boot %s has seq %s\n", NR, id, $1; bad = 1; exit }
		END { if (bad) exit 1
		      if (NR < want) { printf "%d events, %d expected\n", NR, want; exit 1 }
		      print NR }'
}
# Waits until kabiguardd wrote every event the kernel has (60 s at most).
caught_up() {
	id=$(cat /proc/sys/kernel/random/boot_id)
	i=0
	while [ "$i" -lt 60 ]; do
		want=$(($(ring_next) - 1))
		have=$(boot_events "$id" | tail -n 1 | cut -d' ' -f1)
		[ "${have:-0}" -ge "$want" ] && return 0
		sleep 1
		i=$((i + 1))
	done
	echo "kabiguardd wrote up to seq ${have:-none}, the kernel is at $want"
	return 1
}
initrd() { echo "/boot/initrd.img-$(uname -r)"; }

# After the installation: the initramfs holds the guard and loads it
# before udev.
order_initramfs() {
	lsinitramfs "$(initrd)" >/kg/initrd1.list 2>&1
	check_diag "the initramfs made after the installation holds kabiguard.ko" \
		grep -q '/kabiguard\.ko' /kg/initrd1.list
	rm -rf /tmp/ird
	unmkinitramfs "$(initrd)" /tmp/ird >/dev/null 2>&1
	order=$(find /tmp/ird -path '*/scripts/init-top/ORDER' | head -n 1)
	check_diag "its init-top loads the guard before udev starts" sh -c '
		k=$(grep -n "init-top/kabiguard" "$1" | cut -d: -f1)
		u=$(grep -n "init-top/udev" "$1" | cut -d: -f1)
		[ -n "$k" ] && [ -n "$u" ] && [ "$k" -lt "$u" ] || { cat "$1"; false; }' \
		sh "${order:-/nonexistent}"
}

# The first boot with the guard: it was the first module, kabiguardd was
# ready before udev's coldplug, and every loaded module has its verdict.
order_boot() {
	id=$(cat /proc/sys/kernel/random/boot_id)
	echo "$id" >/kg/boot2.id
	check_diag "kabiguard is the first module loaded this boot (last in /proc/modules)" \
		sh -c 'tail -n 1 /proc/modules | grep "^kabiguard " || { cat /proc/modules; false; }'
	check_diag "kabiguardd.service is active" systemctl is-active kabiguardd.service
	check_diag "kabiguardd was ready before systemd-udev-trigger.service started" sh -c '
		r=$(systemctl show -P ActiveEnterTimestampMonotonic kabiguardd.service)
		u=$(systemctl show -P InactiveExitTimestampMonotonic systemd-udev-trigger.service)
		echo "kabiguardd ready at $r us, udev trigger started at $u us"
		[ "${r:-0}" -gt 0 ] && [ "${u:-0}" -gt 0 ] && [ "$r" -le "$u" ]'
	check_diag "systemd found no ordering cycle" \
		sh -c '! journalctl -b -q | grep -i "ordering cycle"'
	# udev's coldplug goes on after multi-user.target (kvm_amd and ccp
	# came in late): the modules are listed first, so each one's load
	# came before the daemon is waited for.
	udevadm settle --timeout=120
	cut -d" " -f1 /proc/modules >/kg/boot2.modules
	check_diag "kabiguardd wrote every event the kernel has" caught_up
	boot_events "$id" >/kg/boot2.events
	check_diag "every loaded module has its load verdict in the log" sh -c '
		for m in $(cat /kg/boot2.modules); do
			[ "$m" = kabiguard ] && continue
			grep -q " load $m\$" /kg/boot2.events || { echo "no load event for $m"; bad=1; }
		done
		[ -z "$bad" ]'
	check_diag "the modules the initramfs loaded (9p) are among them" \
		grep -q ' load 9pnet_virtio$' /kg/boot2.events
	check_diag "this boot's events are in the log once each, from seq 1, none missing" \
		seq_whole "$id" "$(($(ring_next) - 1))"
}

# Module loads go on while the real logrotate rotates the log three
# times (as cron would, with its own state file): nothing lost or
# repeated.  Leaves the boot's id and last seq in /kg for order_persistence.
order_rotation() {
	id=$(cat /proc/sys/kernel/random/boot_id)
	rm -f /tmp/loads.stop
	(i=0; while [ ! -e /tmp/loads.stop ]; do
		modprobe dummy numdummies=0 && rmmod dummy || break
		i=$((i + 1))
		echo "$i" >/tmp/loads.n
	done) &
	gen=$!
	r=0
	for _ in 1 2 3; do
		sleep 3
		logrotate -f -s /tmp/logrotate.state /etc/logrotate.d/kabiguard && r=$((r + 1))
	done
	sleep 2
	touch /tmp/loads.stop
	wait "$gen"
	loads=$(cat /tmp/loads.n 2>/dev/null || echo 0)
	check_diag "modules loaded ($loads times) while logrotate rotated the log ($r times)" \
		sh -c '[ "$1" -ge 10 ] && [ "$2" -eq 3 ]' sh "$loads" "$r"
	check_diag "kabiguardd wrote every event the kernel has, after the rotations" caught_up
	ls -l "$LOGDIR" | sed 's/^/# /'
	check_diag "the rotated files are there (one kept, older ones compressed)" \
		sh -c '[ -s "$1/events.jsonl.1" ] && [ -s "$1/events.jsonl.2.gz" ]' sh "$LOGDIR"
	check_diag "kabiguardd reopened the log at each SIGUSR2 (the newest events are in the new file)" \
		sh -c '[ "$(journalctl -b -q -u kabiguardd.service | grep -c "SIGUSR2: reopened")" -ge "$1" ] &&
			[ -s "$2/events.jsonl" ]' sh "$r" "$LOGDIR"
	check_diag "no event lost or repeated across the rotations" \
		seq_whole "$id" "$(($(ring_next) - 1))"
	boot_events "$id" >/kg/boot2.events
	check_diag "each of the $loads loads has its verdict, once" sh -c '
		c=$(grep -c " load dummy$" /kg/boot2.events)
		[ "$c" -eq "$1" ] || { echo "$c load events for dummy"; false; }' sh "$loads"
	echo $(($(ring_next) - 1)) >/kg/boot2.last
}

# The boot after order_rotation's: sequence numbers start again under a
# new boot id, and the previous boot's are all still there.
order_persistence() {
	id=$(cat /proc/sys/kernel/random/boot_id)
	old=$(cat /kg/boot2.id)
	check_diag "this boot has another boot id" test "$id" != "$old"
	check_diag "kabiguardd wrote every event the kernel has" caught_up
	check_diag "the previous boot's events are all still there, once each" \
		seq_whole "$old" "$(cat /kg/boot2.last)"
	check_diag "this boot's sequence numbers start again at 1, none missing or repeated" \
		seq_whole "$id" "$(($(ring_next) - 1))"
	last_old=$(event_log | grep -n "\"boot_id\":\"$old\"" | tail -n 1 | cut -d: -f1)
	first_new=$(event_log | grep -n "\"boot_id\":\"$id\"" | sed -n '1s/:.*//p')
	check_diag "this boot's lines follow the previous boot's" sh -c '
		echo "last line of the previous boot: $1, first of this one: $2"
		[ -n "$1" ] && [ -n "$2" ] && [ "$1" -lt "$2" ]' sh "$last_old" "$first_new"
	check_diag "the state file names this boot" \
		grep -qx "boot_id=$id" /var/lib/kabiguard/state
}
