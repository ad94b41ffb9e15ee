#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# packages_test.sh [SERIES|KVER]: the Debian packages on a Debian host
# booted in QEMU (scripts/guest-image.sh; default the 6.12 series): apt
# installs kabiguard and kabiguard-dkms from the .debs built here, the
# guest reboots, the guard, the daemon and the policy are active; apt
# purges them, the guest reboots, and the system is as before, its
# initramfs included (selftests/guest/scenarios/packages.sh).  TAP output.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KVER=$("$ROOT/scripts/kernels.sh" "${1:-6.12}") || exit 1
# Every test the scenario has, over its three boots.
WANT=13

# shellcheck source=selftests/guest/lib.sh
. "$ROOT/selftests/guest/lib.sh"

guest_setup packages.sh
guest_run 3 1800
guest_finish "$WANT"
