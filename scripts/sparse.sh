#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sparse.sh [KVER...]: build kabiguard.ko with sparse (C=2) and W=1 against
# each test kernel (default: the matrix), in a scratch copy, in the
# kernel's own build environment (scripts/kmake.sh); one TAP line per
# kernel, failing on any sparse or compiler warning.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
[ $# -gt 0 ] || mapfile -t KVERS < <(scripts/kernels.sh)
[ $# -eq 0 ] || KVERS=("$@")

echo "TAP version 13"
echo "1..${#KVERS[@]}"
n=0 fail=0
for k in "${KVERS[@]}"; do
	n=$((n + 1))
	out=$(mktemp -d)
	cp -a Kbuild VERSION kmod include "$out/"
	log=$(scripts/kmake.sh "$k" M="$out" C=2 W=1 modules 2>&1 || echo "make failed")
	rm -rf "$out"
	bad=$(grep -E 'warning:|error:|make failed' <<<"$log" || true)
	if [ -z "$bad" ]; then
		echo "ok $n sparse and W=1 on kmod/ for $k"
	else
		echo "not ok $n sparse and W=1 on kmod/ for $k"
		sed 's/^/# /' <<<"$bad"
		fail=$((fail + 1))
	fi
done
[ "$fail" -eq 0 ]
