#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the Debian guest (selftests/guest/packages_test.sh): install the
# kabiguard packages from /kg with apt, reboot, check that the guard, the
# daemon and the policy are active; purge them, reboot, and check that
# the system is as it was before, its initramfs included.  TAP lines,
# numbered across boots.
BOOT=$1
# shellcheck source=selftests/guest/scenarios/common.sh
. /kg/scenarios/common.sh
# The files a package may leave behind by design are not counted: logs,
# caches, apt's and dpkg's own records, the machine's runtime state.
files() {
	find /etc /usr /lib /var/lib -xdev \( -path /var/lib/dpkg -o \
		-path /var/lib/apt -o -path /var/lib/systemd -o \
		-path /var/cache -o -path /etc/ld.so.cache \) -prune -o -print |
		sort
}

case $BOOT in
1)
	files >/kg/before.list
	install_packages
	check_diag "dkms built and installed kabiguard for the running kernel" \
		sh -c 'dkms status kabiguard | grep -q "$(uname -r).*installed"'
	check_diag "kabiguardd.service is enabled for the next boot" \
		systemctl is-enabled kabiguardd.service
	touch /kg/reboot
	;;
2)
	check_diag "after the reboot kabiguard.ko is loaded" grep -q '^kabiguard ' /proc/modules
	check_diag "kabiguardd.service is active" systemctl is-active kabiguardd.service
	kabiguardctl status >/kg/status.txt 2>&1
	check_diag "the shipped policy is committed (generation 1 or more)" \
		sh -c 'grep -Eq "generation[: ]+[1-9]" /kg/status.txt || { cat /kg/status.txt; false; }'
	check_diag "the mode is the configured one (audit)" grep -q 'audit' /kg/status.txt
	check_diag "the daemon logs verdicts on the boot's modules" \
		sh -c '[ -s /var/log/kabiguard/events.jsonl ] && grep -Eq "\"kind\":\"(load|scan)\"" /var/log/kabiguard/events.jsonl'
	check_log "apt purges both packages" /kg/apt.log env DEBIAN_FRONTEND=noninteractive \
		apt-get purge -y -q kabiguard kabiguard-dkms
	touch /kg/reboot
	;;
3)
	check_diag "after the purge and a reboot kabiguard.ko is not loaded" \
		sh -c '! grep -q "^kabiguard " /proc/modules'
	check_diag "no kabiguard module is left for the kernel" \
		sh -c '! find /lib/modules/$(uname -r) -name "kabiguard.ko*" | grep .'
	check_diag "the initramfs was made again, without the guard" sh -c '
		! lsinitramfs "/boot/initrd.img-$(uname -r)" | grep kabiguard'
	files >/kg/after.list
	check_diag "the file system is as before the installation" \
		diff /kg/before.list /kg/after.list
	;;
esac
exit 0
