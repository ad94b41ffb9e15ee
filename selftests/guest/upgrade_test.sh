#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# upgrade_test.sh [SERIES|KVER [NEW_SERIES]]: the warning before a kernel
# upgrade, on a Debian host booted in QEMU (scripts/guest-image.sh;
# default the 6.12 series): kabiguard's packages installed, a module built
# for the running kernel in extra/, and apt installs a second kernel
# (default the 6.1 series: bookworm's own, installable there), its image
# and headers downloaded here with the project's apt configuration
# (selftests/guest/scenarios/upgrade.sh).  TAP output.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KVER=$("$ROOT/scripts/kernels.sh" "${1:-6.12}") || exit 1
NEW=$("$ROOT/scripts/kernels.sh" "${2:-6.1}") || exit 1
# Every test the scenario has.
WANT=11
MODS=$ROOT/build/$KVER/src/selftests/kabiguard/test_modules
# The new kernel's packages, kept between runs (their names carry the
# version, so a newer release is fetched beside).
PKGS=$ROOT/build/guest/pkgs

# shellcheck source=selftests/guest/lib.sh
. "$ROOT/selftests/guest/lib.sh"
# shellcheck source=scripts/kernel-lib.sh
. "$ROOT/scripts/kernel-lib.sh"

if [ ! -e "$MODS/kg_exporter.ko" ]; then
	"$ROOT/scripts/build-kernel-objs.sh" "$KVER" >/dev/null 2>&1 ||
		guest_fail "the test modules build for $KVER"
fi
suite=$(kg_series_info "$(kg_series_of "$NEW")" | cut -d' ' -f1)
# The image, its headers, and the linux-* packages the headers depend on
# (common headers, kbuild, compiler); the guest has the rest (gcc).
want=("linux-image-$NEW" "linux-headers-$NEW")
while read -r p; do
	want+=("$p")
done < <(kg_apt "$suite" apt-cache show "linux-headers-$NEW" 2>/dev/null |
	sed -n 's/^Depends: //p' | head -n 1 | tr ',' '\n' |
	sed -E 's/^ *([^ ]+).*/\1/' | grep -E '^linux-(headers|kbuild|compiler)-')
[ ${#want[@]} -gt 2 ] || guest_fail "the packages linux-headers-$NEW depends on, from $suite's lists"
mkdir -p "$PKGS"
(cd "$PKGS" && kg_apt "$suite" apt-get download -q "${want[@]}") >/dev/null 2>&1 ||
	guest_fail "apt-get download ${want[*]} from $suite"
guest_setup upgrade.sh
cp "$MODS/kg_exporter.ko" "$SHARE/" || guest_fail "the test module copied to the share"
echo "$NEW" >"$SHARE/new.kver"
mkdir -p "$SHARE/kernel"
for p in "${want[@]}"; do
	f=$(find "$PKGS" -name "${p}_*.deb" | sort -V | tail -n 1)
	[ -n "$f" ] || guest_fail "$p's package in $PKGS"
	cp "$f" "$SHARE/kernel/"
done
guest_run 1 2400
guest_finish "$WANT"
