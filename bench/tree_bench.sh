#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tree_bench.sh: two host figures for `make bench`, each beside the floor
# or the tool it replaces, same files, same parallelism, best of 3 with a
# warm page cache:
#
#  1. `kabiguardctl check` over the whole 6.12 tree (.ko.xz) against its
#     Module.symvers and a Red Hat-style stablelist (every export but each
#     50th) beside `xz -dc` of the same files alone, as many xz processes
#     as check has workers (xargs -P): goal < 10 % above that floor.
#  2. The 6.1 tree's CRC question against 6.12 (`check --symvers` without
#     a policy) beside one `depmod -n -e -E` run over the same tree (a
#     scratch base directory of symlinks; depmod reads the symvers' vmlinux
#     lines only, so it gets 6.12's with every owner written vmlinux, as
#     userspace/tests/tools_agree.py does): goal >= 3x faster.
# A benchmark, not a test: prints the figures and whether each goal is met.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/kernel-lib.sh
. "$ROOT/scripts/kernel-lib.sh"
CTL=$ROOT/userspace/kabiguardctl
make -s -C "$ROOT/userspace" >/dev/null

K612=$(kg_kver 6.12) K61=$(kg_kver 6.1)
M612=$(kg_moddir "$K612") M61=$(kg_moddir "$K61")
S612=$(kg_symvers "$K612")
JOBS=$(nproc)
T=$(mktemp -d /tmp/kg-tree-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT

now() { date +%s.%N; }
# best CMD...: the best wall time of 3 runs (seconds), the first run warms.
best() {
	local b='' t0 t _
	"$@" >/dev/null 2>&1 || true
	for _ in 1 2 3; do
		t0=$(now)
		"$@" >/dev/null 2>&1 || true
		t=$(echo "$(now) - $t0" | bc -l)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
	done
	echo "$b"
}

# 1. 6.12: check against a stablelist beside xz -dc.
find "$M612/kernel" -name '*.ko.xz' | sort >"$T/xz.list"
N612=$(wc -l <"$T/xz.list")
{
	echo "[rhel_x86_64_stablelist]"
	awk -F '\t' 'NR % 50 { print "\t" $2 }' "$S612"
} >"$T/kabi_stablelist_x86_64"
xzfloor() { xargs -P "$JOBS" -n 64 xz -dc <"$T/xz.list"; }
tcheck=$(best "$CTL" check --jobs "$JOBS" --symvers "$S612" --policy "$T/kabi_stablelist_x86_64" "$M612/kernel")
txz=$(best xzfloor)
over=$(echo "($tcheck / $txz - 1) * 100" | bc -l)

# 2. 6.1's CRC question against 6.12: check beside depmod -e -E.
mkdir -p "$T/base/lib/modules/$K61"
ln -s "$M61/kernel" "$T/base/lib/modules/$K61/kernel"
awk -F '\t' -v OFS='\t' 'NF >= 4 { $3 = "vmlinux" } 1' "$S612" >"$T/all.symvers"
N61=$(find "$M61/kernel" -name '*.ko*' | wc -l)
tcrc=$(best "$CTL" check --jobs "$JOBS" --symvers "$S612" "$M61/kernel")
tdep=$(best depmod -n -e -E "$T/all.symvers" -b "$T/base" "$K61")
speed=$(echo "$tdep / $tcrc" | bc -l)

printf '== tree_bench: %s CPUs, best of 3, warm cache\n' "$JOBS"
printf '%s: %d .ko.xz, check --policy stablelist: %7.3f s; xz -dc alone (-P %d): %7.3f s; +%.1f %% (goal < 10 %%: %s)\n' \
	"$K612" "$N612" "$tcheck" "$JOBS" "$txz" "$over" \
	"$([ "$(echo "$over < 10" | bc -l)" = 1 ] && echo met || echo missed)"
printf '%s against %s: %d modules, check --symvers: %7.3f s; depmod -e -E: %7.3f s; %.2fx (goal >= 3x: %s)\n' \
	"$K61" "$K612" "$N61" "$tcrc" "$tdep" "$speed" \
	"$([ "$(echo "$speed >= 3" | bc -l)" = 1 ] && echo met || echo missed)"
