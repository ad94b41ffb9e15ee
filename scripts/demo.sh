#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh (`make demo`): build kabiguard for the 6.12 kernel, boot it in
# QEMU and run selftests/vm/demo-scenario.sh there: an allowed and a
# forbidden module load under a policy kabiguardd enforces.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# The demo needs only its own kernel set up.
KERNELS=6.12 scripts/install-deps.sh
KVER=$(scripts/kernels.sh 6.12)
mkdir -p build/logs
if [ -e userspace/Makefile ]; then
	make -C userspace >build/logs/demo-userspace.log 2>&1 ||
		{ cat build/logs/demo-userspace.log >&2; exit 1; }
fi
scripts/build-kernel-objs.sh "$KVER"
exec selftests/vm/run.sh -k "$KVER" -t 300 \
	-a selftests/vm/demo-scenario.sh:/kabiguard/demo-scenario.sh \
	-- sh /kabiguard/demo-scenario.sh
