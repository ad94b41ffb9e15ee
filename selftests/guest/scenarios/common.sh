# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# What the guest's scenarios share (sourced in the guest from /kg): TAP
# lines numbered across the boots of one run, and the steps more than one
# scenario takes.
# Test numbers go on across the boots of one run (/kg/tap.n).
KG_TAP_COUNTER=/kg/tap.n
# shellcheck source=selftests/lib/tap.sh
. /kg/tap.sh

# wait_for SECONDS CMD...: until CMD succeeds
wait_for() {
	w=$1
	shift
	while [ "$w" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 1
		w=$((w - 1))
	done
	"$@"
}

# apt installs the packages from /kg, as an admin would (no network):
# one test; apt's output goes to /kg/apt.log as it runs.
install_packages() {
	check_log "apt installs kabiguard and kabiguard-dkms from the .debs (no network)" /kg/apt.log \
		env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends /kg/kabiguard_*.deb /kg/kabiguard-dkms_*.deb
}
