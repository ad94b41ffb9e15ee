#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernels.sh [SERIES...]: print, one a line, the newest release Debian
# serves of each kernel series (default: the test matrix, or $KERNELS),
# read from the archive's own package lists through a project-local apt
# configuration (scripts/kernel-lib.sh).  KVERs given as such are printed
# as they are.  Fails naming the series that cannot be resolved.
# scripts/setup-kernels.sh makes them ready to build for and boot.
set -euo pipefail

# shellcheck source=scripts/kernel-lib.sh
. "$(dirname "$0")/kernel-lib.sh"

[ $# -gt 0 ] || read -r -a args <<<"${KERNELS:-$KG_MATRIX}"
[ $# -gt 0 ] || set -- "${args[@]}"
rc=0
for s in "$@"; do
	kg_kver "$s" || rc=1
done
exit $rc
