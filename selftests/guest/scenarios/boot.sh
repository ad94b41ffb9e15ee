#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the Debian guest (selftests/guest/boot_test.sh): boot order,
# persistence and log rotation, over three boots.
#   1. apt installs the packages: the initramfs made afterwards holds the
#      guard and loads it before udev.
#   2. The guard was the first module loaded; kabiguardd was ready before
#      udev's coldplug; every loaded module has its `load` verdict in the
#      log, and the boot's sequence numbers are there once each, none
#      missing.  Then module loads run while the real logrotate rotates
#      the log: no event lost or repeated across the rotations.
#   3. After the reboot sequence numbers start again at 1 under the new
#      boot id, the previous boot's are all still there, once; then apt
#      purges the packages and the initramfs is made again without them.
# TAP lines, numbered across boots.
BOOT=$1
LOGDIR=/var/log/kabiguard
# Test numbers go on across the boots of one run (/kg/tap.n).
KG_TAP_COUNTER=/kg/tap.n
# shellcheck source=selftests/lib/tap.sh
. /kg/tap.sh

# Every log line, oldest file first (rotated ones may be compressed).
logs() {
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
	logs | sed -n 's/^{"seq":\([0-9]*\),"boot_id":"'"$1"'","kind":"\([a-z?]*\)".*,"module":"\([^"]*\)".*/\1 \2 \3/p'
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

echo "# boot $BOOT scenario starts at $(date -u +%T) ($(cut -d' ' -f1 /proc/uptime) s after boot)"
case $BOOT in
1)
	check_log "apt installs kabiguard and kabiguard-dkms from the .debs (no network)" /kg/apt.log \
		env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends /kg/kabiguard_*.deb /kg/kabiguard-dkms_*.deb
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
	touch /kg/reboot
	;;
2)
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

	# Rotation: module loads go on while the real logrotate rotates the
	# log three times (as cron would, with its own state file).
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
	touch /kg/reboot
	;;
3)
	id=$(cat /proc/sys/kernel/random/boot_id)
	old=$(cat /kg/boot2.id)
	check_diag "this boot has another boot id" test "$id" != "$old"
	check_diag "kabiguardd wrote every event the kernel has" caught_up
	check_diag "the previous boot's events are all still there, once each" \
		seq_whole "$old" "$(cat /kg/boot2.last)"
	check_diag "this boot's sequence numbers start again at 1, none missing or repeated" \
		seq_whole "$id" "$(($(ring_next) - 1))"
	last_old=$(logs | grep -n "\"boot_id\":\"$old\"" | tail -n 1 | cut -d: -f1)
	first_new=$(logs | grep -n "\"boot_id\":\"$id\"" | head -n 1 | cut -d: -f1)
	check_diag "this boot's lines follow the previous boot's" sh -c '
		echo "last line of the previous boot: $1, first of this one: $2"
		[ -n "$1" ] && [ -n "$2" ] && [ "$1" -lt "$2" ]' sh "$last_old" "$first_new"
	check_diag "the state file names this boot" \
		grep -qx "boot_id=$id" /var/lib/kabiguard/state
	check_log "apt purges both packages" /kg/apt.log env DEBIAN_FRONTEND=noninteractive \
		apt-get purge -y -q kabiguard kabiguard-dkms
	check_diag "the initramfs was made again, without the guard" sh -c '
		! lsinitramfs "$1" | grep -E "kabiguard"' sh "$(initrd)"
	check_diag "the logrotate configuration went with the package" \
		test ! -e /etc/logrotate.d/kabiguard
	;;
esac
exit 0
