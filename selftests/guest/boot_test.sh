#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# boot_test.sh [SERIES|KVER]: boot order, persistence and log rotation on
# a Debian host booted in QEMU (scripts/guest-image.sh; default the 6.12
# series), with the packages built here (selftests/guest/scenarios/boot.sh):
# the initramfs loads the guard before udev, kabiguardd is ready before
# udev's coldplug and logs a `load` verdict for every module the boot
# loaded; the real logrotate rotates the log while modules load, and
# across a reboot sequence numbers start again under a new boot id, with
# no event lost or repeated; a purge makes the initramfs again without
# the guard.  TAP output.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KVER=$("$ROOT/scripts/kernels.sh" "${1:-6.12}") || exit 1
# Every test the scenario has, over its three boots.
WANT=26

# shellcheck source=selftests/guest/lib.sh
. "$ROOT/selftests/guest/lib.sh"

guest_setup boot.sh
guest_run 3 2400
guest_finish "$WANT"
