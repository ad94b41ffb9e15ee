#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kroot.sh KVER|SERIES CMD...: run CMD in KVER's build environment: on the
# host for a kernel of the host's suite, else chrooted into its kernel
# root (build/kroot/KVER), with this tree and /tmp at their own paths
# (scripts/kernel-lib.sh, kg_in_kroot).  `kroot.sh 7.3 dkms status`.
set -euo pipefail

# shellcheck source=scripts/kernel-lib.sh
. "$(dirname "$0")/kernel-lib.sh"

KVER=$(kg_kver "${1:?usage: kroot.sh KVER|SERIES CMD...}")
shift
[ $# -gt 0 ] || { echo "usage: kroot.sh KVER|SERIES CMD..." >&2; exit 2; }
kg_in_kroot "$KVER" "$@"
