#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# boot_guest.sh -k SERIES|KVER [-b MAX_BOOTS] [-t SECONDS] SHARE: boot the Debian
# test guest of KVER (scripts/guest-image.sh; a copy-on-write overlay, so
# the cached image stays clean) with the host directory SHARE as /kg.
# SHARE holds scenario.sh, run once per boot with the boot's number; it
# creates /kg/reboot to be booted again (up to MAX_BOOTS, default 1), and
# may leave anything else in /kg for the caller.  The guest's output goes
# to SHARE/out.log, each boot's status to SHARE/status.N, its console to
# SHARE/console.N.  Exits 0 when every boot ran the scenario and it exited
# 0 each time.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KVER='' BOOTS=1 TIMEOUT=600
while getopts k:b:t: o; do
	case $o in
	k) KVER=$("$ROOT/scripts/kernels.sh" "$OPTARG") || exit 1 ;;
	b) BOOTS=$OPTARG ;;
	t) TIMEOUT=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
SHARE=${1:?usage: boot_guest.sh -k SERIES|KVER [-b MAX_BOOTS] [-t SECONDS] SHARE}
[ -n "$KVER" ] || { echo "boot_guest.sh: -k SERIES|KVER is required" >&2; exit 2; }
[ -r "$SHARE/scenario.sh" ] || { echo "boot_guest.sh: no $SHARE/scenario.sh" >&2; exit 2; }
SHARE=$(cd "$SHARE" && pwd)

# The guest boots its own kernel and initramfs, as a host does: what
# update-initramfs made during a boot (a package's hook) is in the next
# one. The scenario runs inside a wrapper that copies them to /kg/boot at
# the end of each boot; the first boot uses the image's.
if [ ! -e "$SHARE/scenario-body.sh" ]; then
	mv "$SHARE/scenario.sh" "$SHARE/scenario-body.sh" || exit 1
	cat >"$SHARE/scenario.sh" <<'EOF'
#!/bin/sh
/bin/sh /kg/scenario-body.sh "$1"
st=$?
mkdir -p /kg/boot &&
	cp "/boot/vmlinuz-$(uname -r)" "/boot/initrd.img-$(uname -r)" /kg/boot/ ||
	{ echo "not ok: cannot copy the guest's kernel and initramfs to /kg/boot"; st=1; }
exit $st
EOF
fi

IMG=$("$ROOT/scripts/guest-image.sh" "$KVER") || exit 1
BOOTDIR=$ROOT/build/guest/$KVER.boot
OVERLAY=$(mktemp /tmp/kg-guest.XXXXXX.qcow2)
trap 'rm -f "$OVERLAY"' EXIT
qemu-img create -q -f qcow2 -b "$IMG" -F raw "$OVERLAY" || exit 1

rc=0
for ((boot = 1; boot <= BOOTS; boot++)); do
	echo "# guest $KVER: boot $boot" >&2
	kernel=$BOOTDIR/vmlinuz-$KVER initrd=$BOOTDIR/initrd.img-$KVER
	if [ -s "$SHARE/boot/initrd.img-$KVER" ]; then
		kernel=$SHARE/boot/vmlinuz-$KVER initrd=$SHARE/boot/initrd.img-$KVER
	fi
	# Two CPUs in one host thread: with a thread per CPU (MTTCG) a guest
	# CPU may run code another has just patched (a static key's int3)
	# and oops; 6.12 did so once in about fifteen boots here.
	timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -accel tcg,thread=single -m 2048 -smp 2 \
		-nodefaults -display none -no-reboot \
		-kernel "$kernel" -initrd "$initrd" \
		-append "root=LABEL=kgroot rw console=ttyS0 quiet systemd.show_status=false" \
		-drive "file=$OVERLAY,if=virtio,format=qcow2" \
		-virtfs "local,path=$SHARE,mount_tag=kgshare,security_model=none,id=kgshare" \
		-serial "file:$SHARE/console.$boot" </dev/null
	q=$?
	if [ "$q" -ne 0 ]; then
		echo "boot_guest.sh: boot $boot: qemu exited with $q (timeout ${TIMEOUT}s?); console tail:" >&2
		tail -n 40 "$SHARE/console.$boot" >&2
		rc=1
		break
	fi
	if [ ! -e "$SHARE/status.$boot" ]; then
		echo "boot_guest.sh: boot $boot: the scenario did not run; console tail:" >&2
		tail -n 40 "$SHARE/console.$boot" >&2
		rc=1
		break
	fi
	st=$(cat "$SHARE/status.$boot")
	[ "$st" = 0 ] || { echo "boot_guest.sh: boot $boot: scenario exited $st" >&2; rc=1; }
	# No reboot asked: the guest powered off after this boot.
	[ -e "$SHARE/rebooting.$boot" ] || break
	if [ "$boot" -eq "$BOOTS" ]; then
		echo "boot_guest.sh: the scenario asked for boot $((boot + 1)) of $BOOTS" >&2
		rc=1
	fi
done
exit "$rc"
