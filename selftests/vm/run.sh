#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [-k KVER] [-m MEM_MB] [-c CPUS] [-t TIMEOUT_S] [-a SRC[:DEST]]... [--] COMMAND...
#
# Boot a Debian kernel in QEMU (TCG) with a throw-away busybox initramfs,
# run COMMAND with `sh -c` in /kabiguard, print exactly its output (stdout
# and stderr, both on the serial console) and exit with its exit status.
#
#   -k KVER    kernel release or series ("5.10", "6.1", "6.12", "7.3": its
#              newest release); default 6.12.  The kernel must be set up
#              (scripts/setup-kernels.sh): its image and modules are taken
#              from its kernel root (scripts/kernel-lib.sh)
#   -m MEM     guest memory in MiB (default 1024)
#   -c CPUS    guest CPUs (default 1)
#   -t SECS    timeout for boot + run (default 600): exit 124 on expiry
#   -a SRC[:DEST]  also copy SRC (file or directory, recursively) into the
#              guest at DEST (default: SRC's absolute path); may repeat
#
# Exit status: COMMAND's, 124 on timeout, 125 if the guest died without
# reporting one (panic, crash: the console's last 50 lines are printed).
#
# The guest gets: busybox applets; kmod's insmod/rmmod/lsmod/modprobe/
# modinfo/depmod (busybox insmod falls back to init_module after a failed
# finit_module, so a denied module would hit the notifier twice); dash as
# /bin/sh (busybox sh would run its own insmod whatever PATH says);
# build/KVER/src/kmod/kabiguard.ko as /kabiguard/kabiguard.ko and the test
# modules as /kabiguard/test_modules/*.ko (scripts/build-kernel-objs.sh
# KVER builds them); the ELF executables of userspace/ in /usr/bin and
# selftests/kabiguard/*_test and *.sh and selftests/lib/tap.sh in
# /kabiguard/; every shared library
# any executable in the image needs; the kernel's modules.* indices.
# Kernel messages stay off the console (loglevel=1): read them with dmesg.
# Environment: KG_VM_CMDLINE is appended to the kernel command line
# (e.g. "loglevel=7" to see kernel messages), KG_VM_QEMU_ARGS to qemu's;
# KG_VM_KEEP=1 keeps the temporary directory (initramfs tree, console log).
# KG_VM_KLOG_CHECK=1 (make check-debug): after COMMAND, the guest searches
# its kernel log for the reports of the kernel's checkers (KASAN, KFENCE,
# lockdep, RCU, slab, BUG, WARNING, Oops), prints each as "# klog: " lines
# and a "kg-klog: N report(s)" line, and fails the run if N > 0.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/kernel-lib.sh
. "$ROOT/scripts/kernel-lib.sh"
KVER=6.12
MEM=1024
CPUS=1
TIMEOUT=600
ADDS=()

die() { echo "run.sh: $*" >&2; exit 125; }
usage() { sed -n '4,22s/^# \{0,1\}//p' "$0" >&2; exit 125; }

while getopts 'k:m:c:t:a:h' opt; do
	case $opt in
	k) KVER=$OPTARG ;;
	m) MEM=$OPTARG ;;
	c) CPUS=$OPTARG ;;
	t) TIMEOUT=$OPTARG ;;
	a) ADDS+=("$OPTARG") ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || usage
CMD="$*"

# Resolve the kernel: an exact release, or a series' newest release.
KVER=$(kg_kver "$KVER") || die "cannot resolve kernel $KVER"
KERNEL=$(kg_vmlinuz "$KVER") || die "no kernel image for $KVER"
MODDIR=$(kg_moddir "$KVER")
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (scripts/install-deps.sh)"
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing (busybox-static)"
KMOD=$(command -v kmod) || die "kmod missing"

t_start=$(date +%s.%N)
TMP=$(mktemp -d /tmp/kg-vm.XXXXXX)
QPID=
# shellcheck disable=SC2317 # called through trap
cleanup() {
	if [ -n "$QPID" ]; then kill "$QPID" 2>/dev/null || true; fi
	if [ -n "${KG_VM_KEEP:-}" ]; then echo "run.sh: kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
R=$TMP/root

# --- initramfs tree (merged /usr, like the host, so library paths match)
mkdir -p "$R"/usr/bin "$R"/usr/sbin "$R"/usr/lib "$R"/usr/lib64 "$R"/etc \
	"$R"/proc "$R"/sys "$R"/dev "$R"/tmp "$R"/run "$R"/root "$R"/kabiguard
for d in bin sbin lib lib64; do ln -s "usr/$d" "$R/$d"; done
# Debian's busybox-static prefers its own applets to anything in PATH: in
# its sh, env, timeout, xargs... "insmod" would always be busybox's.  So
# /bin/sh is the host's dash and the host's tools that run other commands
# are copied too; busybox provides everything else: /init makes the applet
# links (busybox --install -s keeps existing files, such as these).
cp "$BUSYBOX" "$R/usr/bin/busybox"
for t in dash timeout env xargs nice nohup setsid chroot setpriv; do
	p=$(command -v "$t") || continue
	cp "$p" "$R/usr/${p#/usr/}"
done
ln -s dash "$R/usr/bin/sh"
cp "$KMOD" "$R/usr/bin/kmod"
for t in insmod rmmod lsmod modprobe modinfo depmod; do
	ln -s ../bin/kmod "$R/usr/sbin/$t" # relative: never write through to the host
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"
# The kernel's built-in initramfs has /dev/console; add it when we can.
mknod -m 600 "$R/dev/console" c 5 1 2>/dev/null || true

# Kernel-side objects built by scripts/build-kernel-objs.sh (its lock
# keeps a concurrent rebuild from swapping them under us).
OBJ=$ROOT/build/$KVER/src
if [ -d "$ROOT/build" ]; then
	exec 8>"$ROOT/build/.lock-$KVER"
	if ! flock -n 8; then
		echo "run.sh: waiting for scripts/build-kernel-objs.sh $KVER to finish" >&2
		flock 8
	fi
fi
if [ -e "$OBJ/kmod/kabiguard.ko" ]; then
	cp "$OBJ/kmod/kabiguard.ko" "$R/kabiguard/"
fi
if compgen -G "$OBJ/selftests/kabiguard/test_modules/*.ko" >/dev/null; then
	mkdir -p "$R/kabiguard/test_modules"
	cp "$OBJ"/selftests/kabiguard/test_modules/*.ko "$R/kabiguard/test_modules/"
fi
exec 8>&-
for f in "$MODDIR"/modules.{dep,dep.bin,alias.bin,symbols.bin,softdep,builtin,builtin.bin,builtin.alias.bin,builtin.modinfo,order}; do
	[ -e "$f" ] || continue
	mkdir -p "$R/usr/lib/modules/$KVER"
	cp "$f" "$R/usr/lib/modules/$KVER/"
done

is_elf() { [ -f "$1" ] && [ "$(head -c4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }
# Userspace programs and selftest executables.
for f in "$ROOT"/userspace/* "$ROOT"/userspace/*/*; do
	if [ -x "$f" ] && is_elf "$f"; then cp "$f" "$R/usr/bin/"; fi
done
for f in "$ROOT"/selftests/kabiguard/*_test "$ROOT"/selftests/kabiguard/*.sh \
	"$ROOT"/selftests/lib/tap.sh; do
	if [ -f "$f" ]; then cp -p "$f" "$R/kabiguard/"; fi
done

# -a SRC[:DEST]
for a in "${ADDS[@]}"; do
	src=${a%%:*}
	dest=${a#*:}
	[ "$dest" != "$a" ] || dest=$(realpath -s "$src")
	[ -e "$src" ] || die "-a $a: $src does not exist"
	case $dest in /*) ;; *) die "-a $a: DEST must be an absolute path" ;; esac
	mkdir -p "$R$(dirname "$dest")"
	if [ -d "$src" ]; then
		mkdir -p "$R$dest"
		cp -a --remove-destination "$src/." "$R$dest/"
	else
		cp -a --remove-destination "$src" "$R$dest"
	fi
done

# Shared libraries and the dynamic loader of every executable ELF file in
# the image (ldd lists the whole transitive closure).
find "$R" -type f -perm -u+x | while read -r f; do
	is_elf "$f" || continue
	ldd "$f" 2>/dev/null || true
done | sed -n 's/.*=> \(\/[^ ]*\) (0x.*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' |
	sort -u | while read -r lib; do
	dst=$R/usr${lib#/usr}
	case $lib in /usr/*) dst=$R$lib ;; esac
	[ -e "$dst" ] && continue
	mkdir -p "$(dirname "$dst")"
	cp -L "$lib" "$dst"
done

# /init: set up, run the command, report its status, power off.
NONCE=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
BEGIN=KGVM-BEGIN-$NONCE
END=KGVM-EXIT-$NONCE
printf '%s\n' "$CMD" >"$R/etc/kg-command"
[ -z "${KG_VM_KLOG_CHECK:-}" ] || : >"$R/etc/kg-klog-check"
cat >"$R/init" <<EOF
#!/bin/sh
/usr/bin/busybox --install -s
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb
# The console is a tty: keep sanitizer reports free of colour codes.
export ASAN_OPTIONS=color=never UBSAN_OPTIONS=color=never:print_stacktrace=1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /dev/shm
# The initramfs root is RAM already; a tmpfs over /tmp or /run would hide
# what -a put there, so only mount one over an empty directory.
for d in /tmp /run; do [ -n "\$(ls -A \$d)" ] || mount -t tmpfs tmpfs \$d; done
[ -d /sys/kernel/debug ] && mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
hostname kabiguard-vm
ip link set lo up 2>/dev/null
cd /kabiguard
read -r up _ </proc/uptime
echo "$BEGIN \$up"
/bin/sh -c "\$(cat /etc/kg-command)" </dev/null 2>&1
st=\$?
if [ -e /etc/kg-klog-check ]; then
	dmesg | grep -E '(BUG|WARNING|INFO|UBSAN|KASAN|KFENCE):|Oops|general protection fault|[Cc]all [Tt]race|Disabling lock debugging' >/tmp/kg-klog
	n=\$(grep -cE '(BUG|WARNING|INFO|UBSAN|KASAN|KFENCE):|Oops|general protection fault' /tmp/kg-klog)
	sed 's/^/# klog: /' /tmp/kg-klog
	echo "kg-klog: \$n report(s)"
	[ "\$n" -eq 0 ] || [ "\$st" -ne 0 ] || st=1
fi
echo "$END \$st"
# A reset, which -no-reboot turns into QEMU's exit: a power-off needs the
# kernel's ACPI sleep support (the debug kernel of make check-debug has
# none, and there poweroff halts the guest for good).
reboot -f
echo b >/proc/sysrq-trigger
EOF
chmod 755 "$R/init"

# cpio newc + zstd (Debian's 6.1 and 6.12 have CONFIG_RD_ZSTD=y).
(cd "$R" && find . | cpio -o -H newc -R 0:0 --quiet) | zstd -q -3 -T0 >"$TMP/initrd.img"
t_initrd=$(date +%s.%N)

# --- boot. The serial console goes to a file; a reader shows the
# command's part of it live: from after BEGIN to before END, \r removed.
LOG=$TMP/console.log
: >"$LOG"
APPEND="console=ttyS0 quiet loglevel=1 panic=-1 ${KG_VM_CMDLINE:-}"
# shellcheck disable=SC2086 # KG_VM_QEMU_ARGS is a list of words
timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -accel tcg -nodefaults -display none \
	-no-reboot -m "$MEM" -smp "$CPUS" -monitor none \
	-serial "file:$LOG" -kernel "$KERNEL" -initrd "$TMP/initrd.img" \
	-append "$APPEND" ${KG_VM_QEMU_ARGS:-} </dev/null >"$TMP/qemu.out" 2>&1 &
QPID=$!
tail -n +1 -s 0.2 -f --pid="$QPID" "$LOG" | awk -v b="$BEGIN" -v e="$END" '
	{ sub(/\r+$/, ""); gsub(/\r/, "") }
	!on { if (index($0, b)) on = 1; next }
	{ i = index($0, e); if (i) { printf "%s", substr($0, 1, i - 1); exit }
	  print; fflush() }' || true
qrc=0
wait "$QPID" || qrc=$?
QPID=
t_end=$(date +%s.%N)

tr -d '\r' <"$LOG" >"$TMP/console.txt"
boot=$(sed -n "s/^$BEGIN \\([0-9.]*\\).*/\\1/p" "$TMP/console.txt" | head -n1)
rc=$(sed -n "s/.*$END \\([0-9]*\\)\$/\\1/p" "$TMP/console.txt" | head -n1)
awk -v a="$t_start" -v b="$t_initrd" -v c="$t_end" -v k="$KVER" -v u="${boot:-?}" 'BEGIN {
	printf "run.sh: %s: initramfs %.1fs, boot+run %.1fs (guest uptime at command start %ss)\n",
		k, b - a, c - b, u }' >&2
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	echo "run.sh: timeout after ${TIMEOUT}s, qemu killed; console tail:" >&2
	tail -n 50 "$TMP/console.txt" >&2
	exit 124
fi
if [ -z "$rc" ]; then
	echo "run.sh: the guest stopped without an exit status (qemu status $qrc); last 50 console lines:" >&2
	tail -n 50 "$TMP/console.txt" >&2
	cat "$TMP/qemu.out" >&2
	exit 125
fi
exit "$rc"
