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

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
SHARE=$TMP/share
SRC=$TMP/src/kabiguard
mkdir -p "$SHARE" "$SRC"
(cd "$ROOT" && git ls-files -z | xargs -0 cp --parents -t "$SRC") || exit 1
if ! (cd "$SRC" && dpkg-buildpackage -us -uc -b) >"$TMP/deb.log" 2>&1; then
	echo "not ok 1 dpkg-buildpackage builds the packages"
	tail -n 30 "$TMP/deb.log" | sed 's/^/# /'
	echo "1..1"
	exit 1
fi
cp "$TMP"/src/kabiguard_*_amd64.deb "$TMP"/src/kabiguard-dkms_*_all.deb "$SHARE/"
cp "$ROOT/selftests/guest/scenarios/boot.sh" "$SHARE/scenario.sh"

"$ROOT/selftests/guest/run.sh" -k "$KVER" -b 3 -t 2400 "$SHARE"
rc=$?
echo "TAP version 13"
touch "$SHARE/out.log"
grep -E '^(ok|not ok) |^# ' "$SHARE/out.log"
got=$(grep -cE '^(ok|not ok) ' "$SHARE/out.log")
n=$got
if [ "$got" -ne "$WANT" ]; then
	n=$((n + 1))
	echo "not ok $n the scenario ran $got of its $WANT tests (guest status $rc)"
elif [ "$rc" -ne 0 ]; then
	n=$((n + 1))
	echo "not ok $n the guest's boots ended cleanly (status $rc)"
fi
echo "1..$n"
# Kept for a look after a failure: KG_KEEP=DIR copies the share there.
[ -z "${KG_KEEP:-}" ] || cp -r "$SHARE" "$KG_KEEP"
! grep -qE '^not ok ' "$SHARE/out.log" && [ "$got" -eq "$WANT" ] && [ "$rc" -eq 0 ]
