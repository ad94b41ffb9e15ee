#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kmake.sh KVER|SERIES [MAKE ARGS...]: `make -C /lib/modules/KVER/build
# ARGS` in KVER's build environment (scripts/kroot.sh): on the host for a
# host kernel, else in its kernel root, with the compiler that built the
# kernel.  Paths under this tree and /tmp are the same inside and out, so
# M=DIR works as usual.
set -euo pipefail

# shellcheck source=scripts/kernel-lib.sh
. "$(dirname "$0")/kernel-lib.sh"

KVER=$(kg_kver "${1:?usage: kmake.sh KVER|SERIES [MAKE ARGS...]}")
shift
BUILD=$(kg_kbuild_dir "$KVER")
kg_in_kroot "$KVER" make -C "$BUILD" "$@"
