#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel-objs.sh KVER|SERIES [DIR...]
#
# Build kabiguard.ko and the dummy test modules for kernel KVER (or the
# newest release of SERIES, e.g. 7.3) out of a copy of the sources in
# build/KVER/src/, so the source tree gets no objects and several kernels
# can be built side by side; each DIR (an out-of-tree module directory
# with a Kbuild or Makefile) is copied to build/KVER/ext/NAME/ and built
# too.  The build runs with the compiler that built the kernel
# (scripts/kmake.sh), and fails on any compiler warning (W=1).  Results:
#   build/KVER/src/kmod/kabiguard.ko
#   build/KVER/src/selftests/kabiguard/test_modules/*.ko
#   build/KVER/ext/NAME/*.ko
# Logs: build/logs/kbuild-KVER-{kmod,test_modules,NAME}.log
# KG_SRC=DIR takes the sources from DIR instead of this tree (for testing
# the scripts themselves).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/kernel-lib.sh
. "$ROOT/scripts/kernel-lib.sh"
KVER=$(kg_kver "${1:?usage: build-kernel-objs.sh KVER|SERIES [DIR...]}")
shift
EXTS=()
for d in "$@"; do
	[ -e "$d/Kbuild" ] || [ -e "$d/Makefile" ] ||
		{ echo "build-kernel-objs: $d: no Kbuild or Makefile" >&2; exit 1; }
	EXTS+=("$(cd "$d" && pwd)")
done
SRC=${KG_SRC:-$ROOT}
OUT=$ROOT/build/$KVER/src
LOGS=$ROOT/build/logs
TM=selftests/kabiguard/test_modules

kg_kroot "$KVER" >/dev/null || exit 1
mkdir -p "$LOGS"

# One build per kernel at a time: a second one would delete the first's
# objects.  The lock is released when this script exits.
exec 9>"$ROOT/build/.lock-$KVER"
if ! flock -n 9; then
	echo "build-kernel-objs: $KVER: waiting for another build of this kernel" >&2
	flock 9
fi

# Fresh copy of the sources: stale files from a previous copy (e.g. a
# removed .c) must not survive, but keep nothing else either.
rm -rf "$OUT"
mkdir -p "$OUT/selftests/kabiguard"
for p in Kbuild Makefile VERSION kmod include; do
	if [ -e "$SRC/$p" ]; then cp -a "$SRC/$p" "$OUT/"; fi
done
if [ -d "$SRC/$TM" ]; then cp -a "$SRC/$TM" "$OUT/$TM"; fi
# Never build objects copied from an in-tree build.
find "$OUT" \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
	-o -name '.*.cmd' -o -name Module.symvers -o -name modules.order \) -delete

# kbuild DIR NAME: make modules in DIR, log to build/logs, fail on warnings.
kbuild() {
	local dir=$1 name=$2 log=$LOGS/kbuild-$KVER-$2.log
	echo "build-kernel-objs: $KVER: building $name" >&2
	if ! "$ROOT/scripts/kmake.sh" "$KVER" M="$dir" W=1 modules >"$log" 2>&1; then
		cat "$log" >&2
		echo "build-kernel-objs: $KVER: $name: build failed (log: $log)" >&2
		return 1
	fi
	if grep -qi 'warning:' "$log"; then
		grep -i -B2 -A6 'warning:' "$log" >&2
		echo "build-kernel-objs: $KVER: $name: compiler warnings (log: $log)" >&2
		return 1
	fi
}

if ls "$OUT"/kmod/*.c >/dev/null 2>&1; then
	kbuild "$OUT" kmod
	[ -e "$OUT/kmod/kabiguard.ko" ] || { echo "build-kernel-objs: kmod/kabiguard.ko not built" >&2; exit 1; }
else
	echo "build-kernel-objs: $KVER: kmod/ has no sources yet, skipping kabiguard.ko" >&2
fi

if [ -e "$OUT/$TM/Kbuild" ] || [ -e "$OUT/$TM/Makefile" ]; then
	# The test modules resolve kabiguard-independent exports among
	# themselves only; they need no KBUILD_EXTRA_SYMBOLS from kmod/.
	kbuild "$OUT/$TM" test_modules
else
	echo "build-kernel-objs: $KVER: $TM has no Kbuild yet, skipping test modules" >&2
fi

for d in "${EXTS[@]}"; do
	name=${d##*/}
	rm -rf "$ROOT/build/$KVER/ext/$name"
	mkdir -p "$ROOT/build/$KVER/ext"
	cp -a "$d" "$ROOT/build/$KVER/ext/$name"
	find "$ROOT/build/$KVER/ext/$name" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' \) -delete
	kbuild "$ROOT/build/$KVER/ext/$name" "$name"
done

echo "build-kernel-objs: $KVER: done: $(cd "$OUT" && find . ../ext -name '*.ko' 2>/dev/null | sort | tr '\n' ' ')" >&2
