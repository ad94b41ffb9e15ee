#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh [KVER...]: `make bench`. Prints, from inside a QEMU guest of
# each kernel (default: the 6.12 test kernel), the figures of bench/kg_bench:
# push + commit time of the kernel's own Module.symvers as a policy, and
# per-load guard check time against insmod time for a module with ~200
# kernel-image imports and one with 200 imports from another module; then
# bench/kgd_bench: kabiguardd's end-to-end delivery (verdict to JSON line
# on disk) and RSS over bursts of 1,000 loads.
# Figures are from one run in a TCG guest: compare them with each other,
# not with bare-metal numbers.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
scripts/install-deps.sh
[ $# -gt 0 ] || set -- "$(scripts/kernels.sh 6.12)"

make -s -C userspace
make -s -C bench kg_bench kgd_bench
for KVER in "$@"; do
	scripts/build-kernel-objs.sh "$KVER" >/dev/null
	out=$ROOT/build/$KVER/bench
	rm -rf "$out"
	mkdir -p "$out"
	cp -a bench/modules/. "$out/"
	make -s -C "/lib/modules/$KVER/build" M="$out" modules 2>&1 |
		grep -v 'Skipping BTF' || true
	echo "== kernel $KVER"
	selftests/vm/run.sh -k "$KVER" -t 900 \
		-a "$ROOT/bench/kg_bench:/usr/bin/kg_bench" \
		-a "$out/kg_bench_vmlinux.ko:/kabiguard/kg_bench_vmlinux.ko" \
		-a "/lib/modules/$KVER/build/Module.symvers:/kabiguard/Module.symvers" \
		-- 'insmod /kabiguard/kabiguard.ko &&
		    kg_bench /kabiguard/Module.symvers 30 test_modules/kg_exporter.ko kg_bench_vmlinux.ko \
			test_modules/kg_many_exporter.ko test_modules/kg_many_imports.ko'
	echo "== kernel $KVER: kabiguardd"
	selftests/vm/run.sh -k "$KVER" -t 900 \
		-a "$ROOT/bench/kgd_bench:/usr/bin/kgd_bench" \
		-- 'insmod /kabiguard/kabiguard.ko || exit 1
		    mkdir -p /tmp/kgd/policy.d
		    echo "any from=vmlinux" >/tmp/kgd/policy.d/10-vmlinux.policy
		    echo "any from=kg_exporter" >/tmp/kgd/policy.d/20-exporter.policy
		    printf "mode = audit\npolicy_dir = /tmp/kgd/policy.d\nlog_file = /tmp/kgd/events.jsonl\nstate_file = /tmp/kgd/state\n" >/tmp/kgd/kabiguard.conf
		    kgd_bench /tmp/kgd/kabiguard.conf /tmp/kgd/events.jsonl \
			test_modules/kg_exporter.ko test_modules/kg_consumer_ok.ko 1000'
done

# Offline checker: kabiguardctl check over the 6.1 tree against the
# modprobe --dump-modversions loop (on the host, no guest).
bench/check_bench.sh
