#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# logs_test.sh [SERIES|KVER]: kabiguard's verdicts where fleets collect
# logs, on a Debian host booted in QEMU (scripts/guest-image.sh; default
# the 6.12 series): the packages built here are installed, an allowed and
# a denied test module loaded in enforce mode, and the guest checks the
# journal's structured entries, the audit trail (ausearch, aureport) and
# the node_exporter metrics file (selftests/guest/scenarios/logs.sh);
# here promtool checks the metrics file the guest wrote.  TAP output.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KVER=$("$ROOT/scripts/kernels.sh" "${1:-6.12}") || exit 1
# Every test the scenario has.
WANT=25
PROMTOOL=${PROMTOOL:-$ROOT/build/promtool/promtool}
MODS=$ROOT/build/$KVER/src/selftests/kabiguard/test_modules

# shellcheck source=selftests/guest/lib.sh
. "$ROOT/selftests/guest/lib.sh"

[ -x "$PROMTOOL" ] || guest_fail "promtool at $PROMTOOL (scripts/install-deps.sh unpacks it)"
if [ ! -e "$MODS/kg_consumer_forbidden.ko" ]; then
	"$ROOT/scripts/build-kernel-objs.sh" "$KVER" >/dev/null 2>&1 ||
		guest_fail "the test modules build for $KVER"
fi
guest_setup logs.sh
cp "$MODS"/kg_exporter.ko "$MODS"/kg_consumer_ok.ko \
	"$MODS"/kg_consumer_forbidden.ko "$SHARE/" ||
	guest_fail "the test modules copied to the share"
guest_run 1 1800
if [ -s "$SHARE/kabiguard.prom" ] &&
	out=$("$PROMTOOL" check metrics <"$SHARE/kabiguard.prom" 2>&1); then
	guest_tap 1 "promtool check metrics accepts the guest's metrics file"
else
	guest_tap 0 "promtool check metrics accepts the guest's metrics file"
	printf '%s\n' "${out:-no file}" | sed 's/^/# /'
fi
guest_finish "$WANT"
