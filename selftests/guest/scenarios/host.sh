#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the Debian guest (selftests/guest/host_test.sh): kabiguard as an admin
# runs it, installed once and checked over three boots.
#   1. apt installs the packages; the initramfs holds the guard and loads
#      it before udev (order.sh).
#   2. Boot order and the boot's verdicts, then log rotation under load
#      (order.sh).
#   3. Persistence across the reboot (order.sh); enforce mode's verdicts in
#      the journal, the audit trail and the metrics file (logs.sh); a
#      second kernel installed, with the upgrade warning (upgrade.sh).
# TAP lines, numbered across boots.
BOOT=$1
# shellcheck source=selftests/guest/scenarios/common.sh
. /kg/scenarios/common.sh
# shellcheck source=selftests/guest/scenarios/order.sh
. /kg/scenarios/order.sh
# shellcheck source=selftests/guest/scenarios/logs.sh
. /kg/scenarios/logs.sh
# shellcheck source=selftests/guest/scenarios/upgrade.sh
. /kg/scenarios/upgrade.sh

echo "# boot $BOOT scenario starts at $(date -u +%T) ($(cut -d' ' -f1 /proc/uptime) s after boot)"
case $BOOT in
1)
	install_packages
	order_initramfs
	touch /kg/reboot
	;;
2)
	order_boot
	order_rotation
	touch /kg/reboot
	;;
3)
	order_persistence
	logs_enforce
	upgrade_kernel
	;;
esac
exit 0
