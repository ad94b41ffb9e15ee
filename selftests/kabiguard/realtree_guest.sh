#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# realtree_guest.sh DIR: the in-VM half of realtree_test.sh (dash). DIR
# holds the policies (p.symvers, small.policy), the modules (m/) and
# their load order (order).
#
# Load the guard, P, audit mode, every module in order;
# then the ring and the status, one line each behind a marker.
d=$1
[ -d /sys/module/kabiguard ] || insmod /kabiguard/kabiguard.ko ||
	{ echo "@fail insmod kabiguard.ko"; exit 1; }
kabiguardctl load --format symvers "$d/p.symvers" >/dev/null || { echo "@fail load P"; exit 1; }
kabiguardctl mode audit >/dev/null || { echo "@fail mode audit"; exit 1; }
while read -r f; do
	out=$(insmod "$d/m/$f" 2>&1)
	echo "@insmod $? $f $(echo "$out" | tr '\n' ' ')"
done <"$d/order"
kabiguardctl -j events 2>/dev/null | sed 's/^/@event /'
kabiguardctl -j status 2>/dev/null | tr -d '\n' | sed 's/^/@status /'
echo
# The other JSON outputs, on a small policy (P's dump would be megabytes).
kabiguardctl -j load "$d/small.policy" 2>&1 | tr -d '\n' | sed 's/^/@load /'
echo
kabiguardctl -j mode 2>&1 | tr -d '\n' | sed 's/^/@mode /'
echo
kabiguardctl -j dump 2>&1 | tr -d '\n' | sed 's/^/@dump /'
echo
echo "@done"
