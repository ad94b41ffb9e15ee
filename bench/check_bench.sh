#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check_bench.sh [KVER]: wall time of `kabiguardctl check` over every
# module of a kernel tree (default: the 6.1 test kernel) against its
# Module.symvers, beside the baseline a packaging script would use: a shell
# loop of `modprobe --dump-modversions` over the same files (which only
# lists the CRCs; it compares nothing). Prints both figures and the ratio.
# A benchmark, not a test: goal >= 20x faster than the loop, <= 2 s.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
KVER=${1:-$("$ROOT/scripts/kernels.sh" 6.1)}
TREE=/lib/modules/$KVER/kernel
SYMVERS=/lib/modules/$KVER/build/Module.symvers
CTL=$ROOT/userspace/kabiguardctl

make -s -C "$ROOT/userspace" >/dev/null
[ -r "$SYMVERS" ] || { echo "check_bench: no $SYMVERS" >&2; exit 1; }
LIST=$(mktemp)
trap 'rm -f "$LIST"' EXIT
find "$TREE" -name '*.ko*' | sort >"$LIST"
N=$(wc -l <"$LIST")

now() { date +%s.%N; }
# Warm the page cache so both runs read from memory.
"$CTL" check --symvers "$SYMVERS" "$TREE" >/dev/null || true

best=
for i in 1 2 3; do
	t0=$(now)
	rc=0
	"$CTL" check --symvers "$SYMVERS" --policy "$SYMVERS" "$TREE" >/dev/null || rc=$?
	t1=$(now)
	[ "$rc" -le 6 ] || { echo "check_bench: kabiguardctl check failed ($rc)" >&2; exit 1; }
	t=$(echo "$t1 - $t0" | bc -l)
	if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
done

t0=$(now)
while read -r f; do
	modprobe --dump-modversions "$f" >/dev/null 2>&1 || true
done <"$LIST"
t1=$(now)
base=$(echo "$t1 - $t0" | bc -l)

printf '== check_bench: %d modules of %s, %s CPUs\n' "$N" "$KVER" "$(nproc)"
printf 'kabiguardctl check (symvers + policy, best of 3): %8.3f s\n' "$best"
printf 'modprobe --dump-modversions loop (baseline):      %8.3f s\n' "$base"
printf 'speed-up: %.1fx (goal >= 20x); goal <= 2 s: %s\n' \
	"$(echo "$base / $best" | bc -l)" \
	"$([ "$(echo "$best <= 2" | bc -l)" = 1 ] && echo met || echo missed)"
