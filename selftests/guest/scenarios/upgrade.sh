# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The warning before a kernel upgrade, on the Debian guest (sourced by
# scenarios/host.sh, after common.sh).  upgrade_kernel, with kabiguard's
# packages installed: a third-party module built for the running kernel
# goes to extra/, and apt installs a second kernel (image and headers
# from /kg/kernel, no network; its version in /kg/new.kver).  The package
# manager's output says which module would not load there and why, DKMS
# built the guard for it (its post-build hook leaving the check to the
# kernel's hook), and with upgrade_check = fail the kernel's
# configuration fails until the check is set back to warn.

# has FILE DESC ERE: FILE (apt's output) matches ERE
has() {
	if grep -qE -- "$3" "$1"; then ok "$2"; else
		not_ok "$2"
		echo "# expected /$3/ in $1:"
		grep -E '^kabiguard:|^E:|dpkg' "$1" | tail -n 30 | sed 's/^/#   /'
	fi
}
apt_install() {
	env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "$@"
}

upgrade_kernel() {
	NEW=$(cat /kg/new.kver)
	RUN=$(uname -r)
	# shellcheck disable=SC2016 # a sed expression, not a shell one
	NEW_RE=$(printf '%s' "$NEW" | sed 's/[].+*?^$(){}|\\[]/\\&/g')
	mkdir -p "/lib/modules/$RUN/extra"
	cp /kg/kg_exporter.ko "/lib/modules/$RUN/extra/" && depmod "$RUN"

	check_log "apt installs kernel $NEW (image and headers) with upgrade_check = warn" \
		/kg/apt-install.log apt_install /kg/kernel/*.deb
	has /kg/apt-install.log "kabiguard checks the third-party modules against $NEW in apt's output" \
		"^kabiguard: checking [0-9]+ third-party modules against $NEW_RE "
	has /kg/apt-install.log "the running kernel's module is said to be missing from $NEW" \
		"^kabiguard: not installed for $NEW_RE: /lib/modules/.*/extra/kg_exporter.ko"
	has /kg/apt-install.log "it would not load on $NEW, and the reason is given" \
		"^kabiguard: +(crc-differs|unknown-symbol) "
	check_diag "DKMS built and installed kabiguard for $NEW" \
		sh -c "dkms status kabiguard | grep -q '$NEW.*installed'"
	check_diag "the guard's own module is not reported" \
		sh -c '! grep -E "^kabiguard: .*kabiguard\.ko" /kg/apt-install.log'
	has /kg/apt-install.log "DKMS's post-build hook left the check to the kernel's, run once DKMS was done" \
		"^kabiguard: DKMS built the guard for $NEW_RE; the kernel package's hook checks"

	# upgrade_check = fail: the kernel package's configuration fails.
	echo "upgrade_check = fail" >>/etc/kabiguard/kabiguard.conf
	env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall \
		/kg/kernel/linux-image-*.deb >/kg/apt-fail.log 2>&1
	st=$?
	check_diag "with upgrade_check = fail, apt reports the kernel's configuration failed" \
		test "$st" != 0
	has /kg/apt-fail.log "and kabiguard says why" \
		"^kabiguard: upgrade_check = fail in /etc/kabiguard/kabiguard.conf: failing the installation of $NEW_RE"
	check_diag "dpkg leaves linux-image-$NEW unconfigured" \
		sh -c "dpkg-query -W -f='\${Status}' 'linux-image-$NEW' | grep -Eq 'half-configured|unpacked'"
	sed -i 's/^upgrade_check = fail$/upgrade_check = warn/' /etc/kabiguard/kabiguard.conf
	check_diag "back to warn, dpkg --configure -a finishes the installation" \
		sh -c "dpkg --configure -a && dpkg-query -W -f='\${Status}' 'linux-image-$NEW' | grep -q 'install ok installed'"
}
