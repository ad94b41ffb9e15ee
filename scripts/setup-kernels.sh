#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# setup-kernels.sh [SERIES|KVER...]: make each kernel (default: the matrix,
# or $KERNELS) ready to build for and boot, and print its release, one a
# line.  See scripts/kernel-lib.sh for where each kernel comes from.
#
#   host suite (bookworm): linux-image-KVER and linux-headers-KVER
#       installed with the host's apt when missing;
#   other suites: build/kroot/KVER, a minimal chroot of the kernel's suite
#       (mmdebstrap) with its headers, compiler, make, binutils, kmod,
#       sparse and dkms, and the kernel image and modules unpacked into it
#       (then depmod).  Reused while present; made anew when the suite's
#       newest release moves (older roots of the same series are removed).
#
# Run as root.  Fails, naming the kernel, when one cannot be set up.
set -euo pipefail

# shellcheck source=scripts/kernel-lib.sh
. "$(dirname "$0")/kernel-lib.sh"

say() { echo "setup-kernels: $*" >&2; }

[ $# -gt 0 ] || read -r -a args <<<"${KERNELS:-$KG_MATRIX}"
[ $# -gt 0 ] || set -- "${args[@]}"

# setup_host KVER: install the image and headers of a host-suite kernel.
setup_host() {
	local k=$1 img
	kg_kroot "$k" >/dev/null 2>&1 && return 0
	say "$k: installing it on the host with apt"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2
	img=linux-image-$k
	apt-cache show "$img" >/dev/null 2>&1 || img=linux-image-$k-unsigned
	apt-get install -y -q --no-install-recommends "$img" "linux-headers-$k" >&2
	kg_kroot "$k" >/dev/null
}

# setup_chroot SUITE KVER: build/kroot/KVER for a kernel of another suite.
setup_chroot() {
	local suite=$1 k=$2 dir=$KG_KROOT_DIR/$2 tmp deps p series old
	[ -e "$dir/.kg-ready" ] && return 0
	command -v mmdebstrap >/dev/null || { say "mmdebstrap missing (scripts/install-deps.sh)"; return 1; }
	series=$(kg_series_of "$k")
	rm -rf "$dir"
	mkdir -p "$dir"
	say "$k: making a $(kg_chroot_suite "$suite") chroot in $dir"
	local t0=$SECONDS
	if ! mmdebstrap --mode=root --variant=essential --quiet \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		--include="linux-headers-$k,make,binutils,kmod,sparse,dkms,xz-utils,zstd" \
		"$(kg_chroot_suite "$suite")" "$dir" "$(kg_suite_sources "$suite")" \
		>"$dir.log" 2>&1; then
		tail -n 30 "$dir.log" >&2
		say "$k: mmdebstrap failed (log: $dir.log)"
		return 1
	fi
	# The kernel image and its modules: unpacked, not installed, so that no
	# initramfs or bootloader hook runs.  In 7.x linux-image-KVER is a
	# metapackage over linux-binary-KVER and linux-modules-KVER.
	tmp=$(mktemp -d)
	chmod 755 "$tmp" # apt downloads as _apt
	mapfile -t deps < <(kg_apt "$suite" apt-cache depends "linux-image-$k" 2>/dev/null |
		sed -n "s/^ *Depends: \(linux-\(binary\|modules\|image\)-${k}[^ ]*\)\$/\1/p" | sort -u)
	(cd "$tmp" && kg_apt "$suite" apt-get -q download "linux-image-$k" "${deps[@]}") >&2
	for p in "$tmp"/*.deb; do
		dpkg-deb -x "$p" "$dir"
	done
	rm -rf "$tmp"
	kg_in_kroot_dir "$dir" depmod "$k"
	[ -e "$dir/lib/modules/$k/modules.dep" ] || { say "$k: depmod made no modules.dep"; return 1; }
	touch "$dir/.kg-ready"
	say "$k: kernel root ready in $((SECONDS - t0)) s ($(du -sh "$dir" | cut -f1))"
	# Older releases of the same series are stale now.
	for old in "$KG_KROOT_DIR"/"$series".*; do
		if [ ! -d "$old" ] || [ "$old" = "$dir" ]; then continue; fi
		[ "$(kg_series_of "${old##*/}")" = "$series" ] || continue
		say "removing the superseded kernel root $old"
		rm -rf "$old" "$old.log"
	done
}

# kg_in_kroot_dir DIR CMD...: CMD chrooted into DIR (before it is ready).
kg_in_kroot_dir() {
	local dir=$1
	shift
	unshare --mount --propagation private -- chroot "$dir" /usr/bin/env \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@" >&2
}

rc=0
for a in "$@"; do
	if ! k=$(kg_kver "$a"); then rc=1; continue; fi
	if kg_is_series "$a"; then
		suite=$(kg_series_info "$a" | cut -d' ' -f1)
	else
		suite=$(kg_series_info "$(kg_series_of "$k")" | cut -d' ' -f1) || { rc=1; continue; }
	fi
	if [ "$suite" = "$KG_HOST_SUITE" ]; then
		setup_host "$k" || { say "$k: could not install it on the host"; rc=1; continue; }
	else
		setup_chroot "$suite" "$k" || { rc=1; continue; }
	fi
	echo "$k"
done
exit $rc
