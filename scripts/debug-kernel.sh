#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh: build the debug kernel of `make check-debug` from
# Debian's linux-source-6.1 package (KASAN, KFENCE, lockdep with
# PROVE_LOCKING and PROVE_RCU, DEBUG_ATOMIC_SLEEP, slab debugging:
# selftests/vm/debug-kernel.config over allnoconfig), and set it up as a
# kernel root that the VM scripts take like any other:
#
#   build/kroot/RELEASE/boot/vmlinuz-RELEASE
#   build/kroot/RELEASE/lib/modules/RELEASE/{kernel/,modules.*,build}
#
# RELEASE is the source's own version with "-kgdebug" appended (6.1.N-
# kgdebug); scripts/kernel-lib.sh resolves "6.1-debug" to it. The kernel
# root is marked as built on the host (.kg-host): modules for it are built
# with the host's compiler, the one that built the kernel.
# Cached: the source, the objects (build/debug-kernel/) and the kernel
# root are reused; an interrupted build resumes; a changed config fragment
# rebuilds. Prints the release on stdout.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/kernel-lib.sh
. "$ROOT/scripts/kernel-lib.sh"
SRC_TAR=/usr/src/linux-source-6.1.tar.xz
FRAG=$ROOT/selftests/vm/debug-kernel.config
D=$ROOT/build/debug-kernel
SRC=$D/src
OBJ=$D/obj
LOCALVERSION=-kgdebug

say() { echo "debug-kernel: $*" >&2; }
die() { say "$*"; exit 1; }

[ -r "$SRC_TAR" ] || die "$SRC_TAR missing (scripts/install-deps.sh installs linux-source-6.1)"
for t in bc bison flex openssl; do
	command -v "$t" >/dev/null || die "$t missing (scripts/install-deps.sh --debug)"
done

# The source, unpacked once (a stamp marks a complete unpack).
if [ ! -e "$SRC/.kg-unpacked" ]; then
	say "unpacking $SRC_TAR"
	rm -rf "$SRC"
	mkdir -p "$SRC"
	tar -xJf "$SRC_TAR" -C "$SRC" --strip-components=1
	touch "$SRC/.kg-unpacked"
fi

kmake() { nice make -C "$SRC" O="$OBJ" LOCALVERSION="$LOCALVERSION" "$@"; }

# The configuration: allnoconfig, the fragment merged over it, and every
# line of the fragment checked in the result (Kconfig drops an option
# whose dependencies are missing without a word).
mkdir -p "$OBJ"
if ! cmp -s "$FRAG" "$D/config.fragment" || [ ! -e "$OBJ/.config" ]; then
	say "configuring (allnoconfig + ${FRAG#"$ROOT"/})"
	kmake -s allnoconfig >/dev/null
	"$SRC/scripts/kconfig/merge_config.sh" -m -O "$OBJ" "$OBJ/.config" "$FRAG" >"$D/merge.log" 2>&1 ||
		{ cat "$D/merge.log" >&2; die "merge_config.sh failed"; }
	kmake -s olddefconfig >/dev/null
	bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=n)
			opt=${line%=n}
			if grep -q "^$opt=" "$OBJ/.config"; then
				say "$opt is set, the fragment says n"
				bad=1
			fi
			;;
		CONFIG_*=*)
			if ! grep -qx "$line" "$OBJ/.config"; then
				say "$line did not hold: $(grep "^${line%%=*}=\|^# ${line%%=*} " "$OBJ/.config" || echo unset)"
				bad=1
			fi
			;;
		esac
	done <"$FRAG"
	[ "$bad" -eq 0 ] || die "the configuration misses options of ${FRAG#"$ROOT"/} (their dependencies?)"
	cp "$FRAG" "$D/config.fragment"
fi

RELEASE=$(kmake -s kernelrelease)
KR=$KG_KROOT_DIR/$RELEASE
if [ -e "$KR/.kg-ready" ] && [ "$KR/.kg-ready" -nt "$OBJ/.config" ]; then
	say "$RELEASE is built ($KR)"
	echo "$RELEASE"
	exit 0
fi

say "building $RELEASE (bzImage and modules, $(nproc) jobs; log: $D/build.log)"
t0=$(date +%s)
if ! kmake -j"$(nproc)" bzImage modules >"$D/build.log" 2>&1; then
	tail -n 40 "$D/build.log" >&2
	die "the build failed (log: $D/build.log)"
fi
say "built in $(($(date +%s) - t0)) s"

# The kernel root.
rm -rf "$KR"
mkdir -p "$KR/boot"
cp "$OBJ/arch/x86/boot/bzImage" "$KR/boot/vmlinuz-$RELEASE"
kmake -s INSTALL_MOD_PATH="$KR" INSTALL_MOD_STRIP=1 modules_install >/dev/null
rm -f "$KR/lib/modules/$RELEASE/build" "$KR/lib/modules/$RELEASE/source"
ln -s "$OBJ" "$KR/lib/modules/$RELEASE/build"
depmod -b "$KR" "$RELEASE"
touch "$KR/.kg-host" "$KR/.kg-ready"
say "$RELEASE is ready ($KR)"
echo "$RELEASE"
