#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dracut cmdline hook (module 90kabiguard): load the kabiguard guard
# before udev loads any driver.  A failure is reported, never fatal.
if ! out=$(modprobe kabiguard 2>&1); then
	echo "kabiguard: not loaded from the initramfs: ${out:-modprobe failed}" >&2
fi
