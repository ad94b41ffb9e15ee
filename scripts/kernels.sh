#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernels.sh [SERIES...]   print the test kernels' release strings, one a
# line: for each series (default: 6.1 6.12) the newest installed release
# that has both /boot/vmlinuz-KVER and /lib/modules/KVER/build.
# Fails if a series has no usable kernel.
set -euo pipefail

[ $# -gt 0 ] || set -- 6.1 6.12
rc=0
for series in "$@"; do
	best=
	for d in /lib/modules/"$series".*; do
		k=${d#/lib/modules/}
		if [ ! -e "/boot/vmlinuz-$k" ] || [ ! -e "$d/build/Makefile" ]; then continue; fi
		best=$(printf '%s\n%s\n' "$best" "$k" | sed '/^$/d' | sort -V | tail -n1)
	done
	if [ -n "$best" ]; then
		echo "$best"
	else
		echo "kernels.sh: no installed $series.* kernel with headers" >&2
		rc=1
	fi
done
exit $rc
