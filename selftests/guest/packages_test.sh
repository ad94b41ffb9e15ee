#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# packages_test.sh [SERIES|KVER]: the Debian packages on a Debian host
# booted in QEMU (scripts/guest-image.sh; default the 6.12 series): apt
# installs kabiguard and kabiguard-dkms from the .debs built here, the
# guest reboots, the guard, the daemon and the policy are active; apt
# purges them, the guest reboots, and the system is as before
# (selftests/guest/scenarios/packages.sh).  TAP output.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KVER=$("$ROOT/scripts/kernels.sh" "${1:-6.12}") || exit 1
# Every test the scenario has, over its three boots.
WANT=12

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
cp "$ROOT/selftests/guest/scenarios/packages.sh" "$SHARE/scenario.sh"

"$ROOT/selftests/guest/run.sh" -k "$KVER" -b 3 -t 900 "$SHARE"
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
! grep -qE '^not ok ' "$SHARE/out.log" && [ "$got" -eq "$WANT" ] && [ "$rc" -eq 0 ]
