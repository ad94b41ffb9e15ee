#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools_test.sh KABIGUARDCTL: `kabiguardctl check` agrees with the kernel's
# own tools (tools_agree.py: depmod -e -E for unknown symbols and CRCs,
# the target kernel's modpost for missing namespace imports) on each real
# Debian tree against the next kernel of the matrix: 5.10 -> 6.1,
# 6.1 -> 6.12, 6.12 -> 7.3 (pairs with a kernel of ${KERNELS:-the matrix}).
# Every kernel of a pair must be set up (tests/test_kernels.sh fails
# otherwise): a missing input fails, it never skips. TAP 13.
set -euo pipefail

CTL=$(readlink -f "${1:?usage: tools_test.sh KABIGUARDCTL}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=scripts/kernel-lib.sh
. "$ROOT/scripts/kernel-lib.sh"
# shellcheck source=selftests/lib/tap.sh
. "$ROOT/selftests/lib/tap.sh"

read -r -a matrix <<<"$KG_MATRIX"
read -r -a want <<<"${KERNELS:-$KG_MATRIX}"
args=()
for ((i = 0; i + 1 < ${#matrix[@]}; i++)); do
	a=${matrix[i]} b=${matrix[i + 1]} use=false
	for w in "${want[@]}"; do
		[ "$(kg_series_of "$w")" = "$a" ] && use=true
		[ "$(kg_series_of "$w")" = "$b" ] && use=true
	done
	$use || continue
	if ! lines=$(KERNELS="$a $b" "$HERE/test_kernels.sh"); then
		tap_begin
		bail "kernels $a and $b are set up (scripts/setup-kernels.sh)"
	fi
	{ read -r _ ka ma _; read -r _ kb _ svb; } <<<"$lines"
	args+=("$ka" "$ma" "$kb" "$svb")
done
if [ "${#args[@]}" -eq 0 ]; then
	tap_begin
	bail "a pair of matrix kernels among KERNELS=${KERNELS:-}"
fi
exec /usr/bin/python3 "$HERE/tools_agree.py" "$CTL" "$ROOT" "${args[@]}"
