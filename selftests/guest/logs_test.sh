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

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
SHARE=$TMP/share
SRC=$TMP/src/kabiguard
mkdir -p "$SHARE" "$SRC"
fail() { echo "not ok 1 $1"; echo "1..1"; exit 1; }
[ -x "$PROMTOOL" ] || fail "promtool at $PROMTOOL (scripts/install-deps.sh unpacks it)"
if [ ! -e "$MODS/kg_consumer_forbidden.ko" ]; then
	"$ROOT/scripts/build-kernel-objs.sh" "$KVER" >"$TMP/kobj.log" 2>&1 ||
		fail "the test modules build for $KVER"
fi
(cd "$ROOT" && git ls-files -z | xargs -0 cp --parents -t "$SRC") || exit 1
if ! (cd "$SRC" && dpkg-buildpackage -us -uc -b) >"$TMP/deb.log" 2>&1; then
	tail -n 30 "$TMP/deb.log" | sed 's/^/# /'
	fail "dpkg-buildpackage builds the packages"
fi
cp "$TMP"/src/kabiguard_*_amd64.deb "$TMP"/src/kabiguard-dkms_*_all.deb "$SHARE/"
cp "$MODS"/kg_exporter.ko "$MODS"/kg_consumer_ok.ko \
	"$MODS"/kg_consumer_forbidden.ko "$SHARE/"
cp "$ROOT/selftests/guest/scenarios/logs.sh" "$SHARE/scenario.sh"

"$ROOT/selftests/guest/run.sh" -k "$KVER" -b 1 -t 900 "$SHARE"
rc=$?
echo "TAP version 13"
touch "$SHARE/out.log"
grep -E '^(ok|not ok) |^# ' "$SHARE/out.log"
got=$(grep -cE '^(ok|not ok) ' "$SHARE/out.log")
n=$got
fails=$(grep -cE '^not ok ' "$SHARE/out.log")
n=$((n + 1))
if [ -s "$SHARE/kabiguard.prom" ] &&
	out=$("$PROMTOOL" check metrics <"$SHARE/kabiguard.prom" 2>&1); then
	echo "ok $n promtool check metrics accepts the guest's metrics file"
else
	echo "not ok $n promtool check metrics accepts the guest's metrics file"
	printf '%s\n' "${out:-no file}" | sed 's/^/# /'
	fails=$((fails + 1))
fi
if [ "$got" -ne "$WANT" ]; then
	n=$((n + 1))
	echo "not ok $n the scenario ran $got of its $WANT tests (guest status $rc)"
	fails=$((fails + 1))
elif [ "$rc" -ne 0 ]; then
	n=$((n + 1))
	echo "not ok $n the guest's boot ended cleanly (status $rc)"
	fails=$((fails + 1))
fi
if [ -n "${KG_GUEST_KEEP:-}" ]; then
	mkdir -p "$KG_GUEST_KEEP" && cp -r "$SHARE"/. "$KG_GUEST_KEEP"/
fi
echo "1..$n"
[ "$fails" -eq 0 ]
