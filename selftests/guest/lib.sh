# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# What the guest tests share (sourced; ROOT and KVER set by the caller):
#   guest_setup SCENARIO   the packages built from this tree's tracked files,
#                          scenarios/SCENARIO as the scenario and the other
#                          scenarios/ files it sources, in $SHARE (the
#                          guest's /kg)
#   guest_run BOOTS SECS   selftests/guest/boot_guest.sh, then the scenario's TAP
#                          lines (numbered in the guest, across boots)
#   guest_tap OK DESC      one more test line, decided on the host
#   guest_finish WANT      the plan; exits 1 unless the scenario ran its
#                          WANT tests, all passed and every boot ended
#                          cleanly
#   guest_fail DESC        a failed test and the plan, exit 1 (a missing
#                          input)
# The TAP lines are selftests/lib/tap.sh's, in the guest (as /kg/tap.sh)
# and here.
# KG_GUEST_KEEP=DIR keeps a copy of the share (outputs, consoles).

# shellcheck source=selftests/lib/tap.sh
. "$ROOT/selftests/lib/tap.sh"

guest_fail() {
	bail "$1"
}

guest_setup() {
	local src
	TMP=$(mktemp -d)
	trap 'rm -rf "$TMP"' EXIT
	SHARE=$TMP/share
	src=$TMP/src/kabiguard
	mkdir -p "$SHARE" "$src"
	(cd "$ROOT" && git ls-files -z | xargs -0 cp --parents -t "$src") ||
		guest_fail "this tree's files copied for dpkg-buildpackage"
	if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$TMP/deb.log" 2>&1; then
		tail -n 30 "$TMP/deb.log" | sed 's/^/# /'
		guest_fail "dpkg-buildpackage builds the packages"
	fi
	cp "$TMP"/src/kabiguard_*_amd64.deb "$TMP"/src/kabiguard-dkms_*_all.deb \
		"$SHARE/" || guest_fail "the packages copied to the share"
	cp "$ROOT/selftests/guest/scenarios/$1" "$SHARE/scenario.sh" &&
		cp -r "$ROOT/selftests/guest/scenarios" "$SHARE/" &&
		cp "$ROOT/selftests/lib/tap.sh" "$SHARE/tap.sh" ||
		guest_fail "scenarios/ and tap.sh copied to the share"
}

guest_run() {
	"$ROOT/selftests/guest/boot_guest.sh" -k "$KVER" -b "$1" -t "$2" "$SHARE"
	GUEST_RC=$?
	tap_begin
	touch "$SHARE/out.log"
	grep -E '^(ok|not ok) |^# ' "$SHARE/out.log"
	GUEST_GOT=$(grep -cE '^(ok|not ok) ' "$SHARE/out.log")
	KG_TAP_N=$GUEST_GOT
	KG_TAP_FAILS=$(grep -cE '^not ok ' "$SHARE/out.log")
}

guest_tap() {
	if [ "$1" = 1 ]; then ok "$2"; else not_ok "$2"; fi
}

guest_finish() {
	if [ "$GUEST_GOT" -ne "$1" ]; then
		guest_tap 0 "the scenario ran $GUEST_GOT of its $1 tests (guest status $GUEST_RC)"
	elif [ "$GUEST_RC" -ne 0 ]; then
		guest_tap 0 "the guest's boots ended cleanly (status $GUEST_RC)"
	fi
	if [ -n "${KG_GUEST_KEEP:-}" ]; then
		mkdir -p "$KG_GUEST_KEEP" && cp -r "$SHARE"/. "$KG_GUEST_KEEP"/
	fi
	tap_end
}
