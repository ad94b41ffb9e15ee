#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh [SERIES|KVER...]: `make bench`. On each kernel of the matrix
# (scripts/kernels.sh: default the whole matrix, or $KERNELS, or the
# arguments), from inside a QEMU guest of that kernel, bench/kg_bench:
# push + commit time of the kernel's own Module.symvers as a policy beside
# `nft -f` of an nftables set of as many string elements in the same guest,
# the kernel memory the active policy takes per rule, and per-load guard
# check time against insmod time and against the kernel's own import cost
# for a module with ~200 kernel-image imports (and one with 200 imports
# from another module); then bench/kgd_bench: kabiguardd's end-to-end
# delivery (verdict to JSON line on disk) and RSS over bursts of 1,000
# loads. Then one table of the kg_bench figures, a row per kernel (a
# kernel whose module does not build or whose run fails gets a row saying
# so, and the exit status is 1), and, on the host, bench/check_bench.sh
# and bench/tree_bench.sh (check against xz -dc and depmod -e -E).
# Figures are from one run in TCG guests, where absolute times swing by
# half from run to run: the ratios, each measured within one guest, are
# the figures that count. Per-kernel logs: build/bench/KVER.log.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/kernel-lib.sh
. "$ROOT/scripts/kernel-lib.sh"
scripts/install-deps.sh
KVERS=$(scripts/kernels.sh "$@")
NFT=$(command -v nft || echo /usr/sbin/nft)
[ -x "$NFT" ] || { echo "bench: nft missing (scripts/install-deps.sh)" >&2; exit 1; }
LOGS=$ROOT/build/bench
mkdir -p "$LOGS"

make -s -C userspace
make -s -C bench kg_bench kgd_bench

ROWS=()
rc=0
# fail KVER WHY: a table row for a kernel without figures.
fail() {
	ROWS+=("| $1 | failed: $2 | | | | | | | | |")
	rc=1
}

for KVER in $KVERS; do
	echo "== kernel $KVER"
	log=$LOGS/$KVER.log
	: >"$log"
	# kabiguard.ko, the test modules and bench/modules (kg_bench_vmlinux.ko
	# and its 2-import twin kg_bench_base.ko, their imports picked from
	# this kernel's Module.symvers), each with the kernel's own compiler.
	if ! scripts/build-kernel-objs.sh "$KVER" bench/modules >/dev/null 2>"$LOGS/$KVER.build"; then
		tail -n 15 "$LOGS/$KVER.build" >&2
		echo "bench: $KVER: build failed (log: $LOGS/$KVER.build)" >&2
		fail "$KVER" "the module does not build"
		continue
	fi
	symvers=$(kg_symvers "$KVER")
	# nf_tables and what it needs, from the kernel's own modules, loaded in
	# modprobe's order (a module that does not apply here, such as
	# crc32c-intel without SSE4.2 under TCG, fails harmlessly).
	nftmods=()
	n=0
	while read -r cmd path _; do
		[ "$cmd" = insmod ] || continue
		n=$((n + 1))
		nftmods+=(-a "$path:/kabiguard/nft/$(printf %02d $n)-${path##*/}")
	done < <(modprobe -d "$(kg_kroot "$KVER")" -S "$KVER" --show-depends nf_tables)
	rrc=0
	selftests/vm/run.sh -k "$KVER" -t 1200 \
		-a "$ROOT/bench/kg_bench:/usr/bin/kg_bench" \
		-a "$NFT:/usr/sbin/nft" "${nftmods[@]}" \
		-a "$ROOT/build/$KVER/ext/modules/kg_bench_vmlinux.ko:/kabiguard/kg_bench_vmlinux.ko" \
		-a "$ROOT/build/$KVER/ext/modules/kg_bench_base.ko:/kabiguard/kg_bench_base.ko" \
		-a "$symvers:/kabiguard/Module.symvers" \
		-- 'insmod /kabiguard/kabiguard.ko || exit 1
		    for m in /kabiguard/nft/*; do insmod "$m" 2>/dev/null; done
		    [ -d /sys/module/nf_tables ] || { echo "nf_tables did not load"; exit 1; }
		    kg_bench -n /usr/sbin/nft /kabiguard/Module.symvers 30 \
			kg_bench_base.ko kg_bench_vmlinux.ko \
			test_modules/kg_many_exporter.ko test_modules/kg_many_imports.ko' |
		tee "$log" | grep -v '^KGB ' || rrc=$?
	if [ "$rrc" -ne 0 ] || ! grep -q '^KGB importer=kg_many_imports' "$log"; then
		echo "bench: $KVER: kg_bench failed (status $rrc, log: $log)" >&2
		fail "$KVER" "kg_bench in the guest (status $rrc)"
	else
		ROWS+=("$(awk -v k="$KVER" '
			/^KGB / { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
				  if ($2 ~ /^importer=/) for (x in v) imp[v["importer"], x] = v[x] }
			END {
				a = "kg_bench_vmlinux"; b = "kg_many_imports"
				printf "| %s | %d | %.0f µs (%d imports) | %.3f | %.2f / %.2f ms | %.0f µs (%d imports) | %.1f ms | %.1f ms (%d elements) | %.2f | %.0f B (%.0f + %.0f) |\n",
					k, v["rules"], imp[a, "check_us"], imp[a, "imports"], imp[a, "check_own"],
					imp[a, "off_us"] / 1000, imp[a, "audit_us"] / 1000,
					imp[b, "check_us"], imp[b, "imports"],
					v["push_ms"], v["nft_ms"], v["nft_elems"], v["push_nft"],
					v["mem_per_rule"], v["strings_per_rule"], v["overhead_per_rule"]
			}' "$log")")
	fi

	echo "== kernel $KVER: kabiguardd"
	selftests/vm/run.sh -k "$KVER" -t 900 \
		-a "$ROOT/bench/kgd_bench:/usr/bin/kgd_bench" \
		-- 'insmod /kabiguard/kabiguard.ko || exit 1
		    mkdir -p /tmp/kgd/policy.d
		    echo "any from=vmlinux" >/tmp/kgd/policy.d/10-vmlinux.policy
		    echo "any from=kg_exporter" >/tmp/kgd/policy.d/20-exporter.policy
		    printf "mode = audit\npolicy_dir = /tmp/kgd/policy.d\nlog_file = /tmp/kgd/events.jsonl\nstate_file = /tmp/kgd/state\n" >/tmp/kgd/kabiguard.conf
		    kgd_bench /tmp/kgd/kabiguard.conf /tmp/kgd/events.jsonl \
			test_modules/kg_exporter.ko test_modules/kg_consumer_ok.ko 1000' ||
		{ echo "bench: $KVER: kgd_bench failed" >&2; rc=1; }
done

cat <<EOF

== kg_bench, one run in TCG guests ($(date +%F), host: $(nproc) CPUs): ratios count, absolute times swing
| kernel | policy rules (its Module.symvers + 200) | guard check per load, kernel imports | check / kernel's own import cost (goal ≤ 1) | insmod, guard off / audit | guard check per load, imports from a module | policy push + commit | \`nft -f\` of a set of as many strings | push / \`nft -f\` (goal ≤ 1) | kernel memory per rule (its strings + the rest; goal: rest ≤ 64 B) |
|---|---|---|---|---|---|---|---|---|---|
EOF
printf '%s\n' "${ROWS[@]}"
echo

# Offline checker: kabiguardctl check over the 6.1 tree against the
# modprobe --dump-modversions loop (on the host, no guest).
bench/check_bench.sh || rc=1
# ... over the 6.12 tree against xz -dc alone, and the 6.1 tree's CRC
# question against 6.12 beside depmod -e -E.
bench/tree_bench.sh || rc=1
exit $rc
