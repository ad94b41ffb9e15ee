#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# host_test.sh [SERIES|KVER [NEW_SERIES]]: kabiguard as an admin runs it,
# on a Debian host booted in QEMU (scripts/guest-image.sh; default the
# 6.12 series), installed once from the packages built here and checked
# over three boots (selftests/guest/scenarios/host.sh):
#   - boot order: the initramfs loads the guard before udev, kabiguardd is
#     ready before udev's coldplug and logs a `load` verdict for every
#     module the boot loaded;
#   - persistence and rotation: the real logrotate rotates the log while
#     modules load, and across a reboot sequence numbers start again under
#     a new boot id, with no event lost or repeated;
#   - logs: in enforce mode, an allowed and a denied test module's
#     verdicts in the journal, the audit trail and the node_exporter
#     metrics file (which promtool checks here);
#   - the upgrade warning: apt installs a second kernel, NEW_SERIES
#     (default the other bookworm series), its packages and what they
#     need downloaded here with the project's apt configuration.
# TAP output.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KVER=$("$ROOT/scripts/kernels.sh" "${1:-6.12}") || exit 1
# shellcheck source=scripts/kernel-lib.sh
. "$ROOT/scripts/kernel-lib.sh"
other=6.1
[ "$(kg_series_of "$KVER")" = 6.1 ] && other=6.12
NEW=$("$ROOT/scripts/kernels.sh" "${2:-$other}") || exit 1
# Every test the scenario has, over its three boots: the installation 1,
# order.sh 22, logs.sh 24, upgrade.sh 11.
WANT=58
PROMTOOL=${PROMTOOL:-$ROOT/build/promtool/promtool}
MODS=$ROOT/build/$KVER/src/selftests/kabiguard/test_modules
# The new kernel's packages, kept between runs (their names carry the
# version, so a newer release is fetched beside).
PKGS=$ROOT/build/guest/pkgs

# shellcheck source=selftests/guest/lib.sh
. "$ROOT/selftests/guest/lib.sh"

[ "$NEW" != "$KVER" ] || guest_fail "a second kernel other than $KVER (NEW_SERIES)"
[ -x "$PROMTOOL" ] || guest_fail "promtool at $PROMTOOL (scripts/install-deps.sh unpacks it)"
if [ ! -e "$MODS/kg_consumer_forbidden.ko" ]; then
	"$ROOT/scripts/build-kernel-objs.sh" "$KVER" >/dev/null 2>&1 ||
		guest_fail "the test modules build for $KVER"
fi
# The new kernel's image and headers, and what they need that the guest
# lacks (the guest has no network): apt resolves them against the guest
# image's own dpkg status, as the guest's apt will.
IMG=$("$ROOT/scripts/guest-image.sh" "$KVER") || guest_fail "the guest image of $KVER"
suite=$(kg_series_info "$(kg_series_of "$NEW")" | cut -d' ' -f1)
TMPST=$(mktemp)
debugfs -R 'cat /var/lib/dpkg/status' "$IMG" >"$TMPST" 2>/dev/null
grep -q '^Package: dpkg$' "$TMPST" || guest_fail "the guest's dpkg status read from $IMG (debugfs)"
mapfile -t want < <(kg_apt "$suite" apt-get -s -q --no-install-recommends \
	-o Dir::State::status="$TMPST" install "linux-image-$NEW" "linux-headers-$NEW" 2>/dev/null |
	sed -n 's/^Inst \([^ ]*\) .*/\1/p')
rm -f "$TMPST"
[ ${#want[@]} -ge 2 ] || guest_fail "apt resolves linux-image-$NEW and linux-headers-$NEW against the guest's packages ($suite)"
mkdir -p "$PKGS"
(cd "$PKGS" && kg_apt "$suite" apt-get download -q "${want[@]}") >/dev/null 2>&1 ||
	guest_fail "apt-get download ${want[*]} from $suite"

guest_setup host.sh
cp "$MODS"/kg_exporter.ko "$MODS"/kg_consumer_ok.ko \
	"$MODS"/kg_consumer_forbidden.ko "$SHARE/" ||
	guest_fail "the test modules copied to the share"
echo "$NEW" >"$SHARE/new.kver"
mkdir -p "$SHARE/kernel"
for p in "${want[@]}"; do
	f=$(find "$PKGS" -name "${p}_*.deb" | sort -V | tail -n 1)
	[ -n "$f" ] || guest_fail "$p's package in $PKGS"
	cp "$f" "$SHARE/kernel/"
done

guest_run 3 2400
if [ -s "$SHARE/kabiguard.prom" ] &&
	out=$("$PROMTOOL" check metrics <"$SHARE/kabiguard.prom" 2>&1); then
	guest_tap 1 "promtool check metrics accepts the guest's metrics file"
else
	guest_tap 0 "promtool check metrics accepts the guest's metrics file"
	printf '%s\n' "${out:-no file}" | sed 's/^/# /'
fi
guest_finish "$WANT"
