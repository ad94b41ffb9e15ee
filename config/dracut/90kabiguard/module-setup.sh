#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dracut module: put kabiguard.ko into the initramfs and load it before
# udev (kabiguard-load.sh, a cmdline hook: dracut's first stage, before
# dracut-pre-udev and systemd-udevd), so the guard reports the modules
# that the initramfs and udev load.
#
# dracut sets kernel and moddir before it calls these functions.
# shellcheck disable=SC2154

# Included whenever the module is built for the kernel (DKMS).
check() {
	modinfo -k "$kernel" -F filename kabiguard >/dev/null 2>&1 || return 1
	return 0
}

depends() {
	return 0
}

installkernel() {
	hostonly='' instmods kabiguard
}

install() {
	inst_hook cmdline 00 "$moddir/kabiguard-load.sh"
	# Its options (mode=): the module's behaviour before kabiguardd.
	inst_multiple -o /etc/modprobe.d/kabiguard.conf /usr/lib/modprobe.d/kabiguard.conf
}
