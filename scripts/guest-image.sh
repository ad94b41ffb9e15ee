#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-image.sh SERIES|KVER: a Debian host to test on, as an admin runs
# one: a bookworm root file system (mmdebstrap: systemd, udev, auditd,
# logrotate, dkms and a compiler, the kernel KVER with its headers and the
# initramfs its own initramfs-tools made, and the libraries kabiguard's
# packages need, since the guest has no network), as an ext4 image,
# build/guest/KVER.img, plus the kernel and initramfs to boot it with,
# build/guest/KVER.boot/.  Made once and reused while KVER is current.
#
# The guest mounts the host directory given to selftests/guest/boot_guest.sh as
# /kg (9p) and runs /kg/scenario.sh once per boot (kg-scenario.service,
# after multi-user.target); see that script.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/kernel-lib.sh
. "$ROOT/scripts/kernel-lib.sh"
KVER=$(kg_kver "${1:?usage: guest-image.sh SERIES|KVER}")
SUITE=bookworm
OUT=$ROOT/build/guest
IMG=$OUT/$KVER.img
BOOT=$OUT/$KVER.boot
say() { echo "guest-image: $KVER: $*" >&2; }

case $(kg_series_of "$KVER") in
6.1|6.12) ;;
*) say "only bookworm's kernels (6.1, 6.12) have a guest image"; exit 1 ;;
esac
# The image is made again when this recipe or what it copies in changes.
RECIPE=$(cd "$ROOT" && cat scripts/guest-image.sh selftests/guest/kg-scenario \
	selftests/guest/kg-scenario.service | sha256sum | cut -d' ' -f1)
if [ -e "$IMG" ] && [ "$(cat "$BOOT/.kg-ready" 2>/dev/null)" = "$RECIPE" ]; then
	echo "$IMG"
	exit 0
fi
command -v mmdebstrap >/dev/null || { say "mmdebstrap missing (scripts/install-deps.sh)"; exit 1; }
mkdir -p "$OUT"
# Images of kernels Debian has since replaced.
for old in "$OUT"/*.img; do
	[ -e "$old" ] || continue
	k=$(basename "$old" .img)
	if [ "$(kg_series_of "$k")" = "$(kg_series_of "$KVER")" ] && [ "$k" != "$KVER" ]; then
		say "removing the superseded $k"
		rm -rf "$old" "$OUT/$k.boot"
	fi
done

DIR=$(mktemp -d "$OUT/.root.XXXXXX")
# Never into a file system still mounted there (mmdebstrap's /proc when
# something held it busy).
trap 'rm -rf --one-file-system "$DIR" "$IMG.new"' EXIT
PKGS=(
	systemd-sysv udev kmod auditd logrotate initramfs-tools
	"linux-image-$KVER" "linux-headers-$KVER" dkms gcc make
	# what the kabiguard packages depend on, for apt install ./*.deb
	libnl-3-200 libnl-genl-3-200 libkmod2 libelf1 libzstd1 liblzma5
	zlib1g libarchive13
)
say "making the bookworm root file system ($(IFS=,; echo "${PKGS[*]}"))"
t0=$SECONDS
# The first initramfs is made here with every driver (MODULES=most); the
# ones the guest makes itself (a package's hook) hold only what this
# machine boots with (MODULES=dep, as many admins set it): under TCG a
# `most` one takes about ten minutes to make.
# shellcheck disable=SC2016 # hooks expand in mmdebstrap's shell
if ! mmdebstrap --mode=root --variant=minbase --quiet \
	--aptopt='Acquire::Check-Valid-Until "false"' \
	--include="$(IFS=,; echo "${PKGS[*]}")" \
	--customize-hook='echo kgguest >"$1/etc/hostname"' \
	--customize-hook='printf "LABEL=kgroot / ext4 defaults 0 1\nkgshare /kg 9p trans=virtio,version=9p2000.L,msize=262144,nofail 0 0\n" >"$1/etc/fstab"' \
	--customize-hook='mkdir -p "$1/kg"' \
	--customize-hook="cp '$ROOT/selftests/guest/kg-scenario.service' \"\$1/etc/systemd/system/\"" \
	--customize-hook="install -D -m 0755 '$ROOT/selftests/guest/kg-scenario' \"\$1/usr/local/sbin/kg-scenario\"" \
	--customize-hook='chroot "$1" systemctl enable kg-scenario.service' \
	--customize-hook='chroot "$1" passwd -d root' \
	--customize-hook='printf "9p\n9pnet\n9pnet_virtio\n" >>"$1/etc/initramfs-tools/modules"' \
	--customize-hook="chroot \"\$1\" update-initramfs -u -k '$KVER'" \
	--customize-hook='printf "MODULES=dep\n" >"$1/etc/initramfs-tools/conf.d/kg-guest"' \
	"$SUITE" "$DIR" "$(kg_suite_sources "$SUITE")" >"$OUT/$KVER.log" 2>&1; then
	tail -n 30 "$OUT/$KVER.log" >&2
	say "mmdebstrap failed (log: $OUT/$KVER.log)"
	exit 1
fi
if grep -qF " $DIR/" /proc/mounts; then
	say "still mounted under the root file system, not imaged: $(grep -F " $DIR/" /proc/mounts | cut -d' ' -f2 | tr '\n' ' ')"
	exit 1
fi
rm -rf "$BOOT"
mkdir -p "$BOOT"
cp "$DIR/boot/vmlinuz-$KVER" "$DIR/boot/initrd.img-$KVER" "$BOOT/"
say "root file system in $((SECONDS - t0)) s; making the image"
# stdout is the image's path: mke2fs says "Creating regular file" even
# with -q.
mke2fs -q -t ext4 -L kgroot -d "$DIR" "$IMG.new" 6G >&2
mv "$IMG.new" "$IMG"
echo "$RECIPE" >"$BOOT/.kg-ready"
echo "$IMG"
