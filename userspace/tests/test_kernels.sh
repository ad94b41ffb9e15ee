#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test_kernels.sh: one line per kernel of the test matrix (${KERNELS:-the
# matrix}, as scripts/check.sh narrows it): "SERIES KVER MODDIR SYMVERS",
# each resolved at run time (scripts/kernels.sh, kernel-lib.sh), never
# written in the tree.  Fails naming the first kernel that is not set up:
# scripts/install-deps.sh installs all of them, so a missing one is a
# failure of the set-up, not a reason to skip.
set -euo pipefail

# shellcheck source=scripts/kernel-lib.sh
. "$(dirname "$0")/../../scripts/kernel-lib.sh"

read -r -a series <<<"${KERNELS:-$KG_MATRIX}"
for s in "${series[@]}"; do
	k=$(kg_kver "$s")
	m=$(kg_moddir "$k")
	sv=$(kg_symvers "$k")
	if [ ! -d "$m/kernel" ]; then
		echo "test_kernels.sh: $k: no modules in $m/kernel (scripts/setup-kernels.sh $k)" >&2
		exit 1
	fi
	echo "$(kg_series_of "$k") $k $m $sv"
done
