#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# realmod_test.sh [KVER]: kabiguard against real Debian modules.
#
# uas.ko imports usb_stor_* from namespace USB_STORAGE, exported by
# usb-storage.ko. On the host, for kernel KVER (a release or a series of
# the matrix; default 6.12, as selftests/vm/run.sh picks it), this script
# takes uas and its
# dependencies as modprobe resolves them (usb-common, usbcore, scsi_common,
# scsi_mod, usb-storage; .ko.xz on 6.12) and the kernel's own
# Module.symvers, and builds two policies:
#
#   P1  Module.symvers without its USB_STORAGE lines
#   P2  the whole Module.symvers
#
# Then one VM (selftests/vm/run.sh) runs this same script with --guest:
# kabiguard.ko loaded, P1 loaded (kabiguardctl load --format symvers),
# enforce mode, `kabiguardctl -j monitor` in the background; every
# dependency loads (allowed), `insmod uas.ko` fails with "Operation not
# permitted", the kernel log and the monitor's JSON name each usb_stor_*
# import with namespace USB_STORAGE from usb_storage; with P2, uas loads.
#
# Output: TAP 13, the plan at the end. Exit status: 0 pass, 1 fail (also
# when the kernel, its uas module or kabiguard.ko is missing: the set-up
# installs them), 4 skip (usb_storage built in, or run inside a VM without
# the host part). POSIX sh: the guest part runs under dash.
#
#   realmod_test.sh --guest DIR FIRST NSTOR   (internal) the in-VM part:
#       DIR holds the modules, the policies and the file "order"; TAP
#       numbers start after FIRST; uas imports NSTOR usb_stor_* symbols
#       (from its __versions, read on the host).
set -u

# The TAP helpers: selftests/lib/tap.sh on the host, /kabiguard/tap.sh in
# the VM (selftests/vm/run.sh puts it there).
KG_TAP_SH=$(dirname "$0")/../lib/tap.sh
[ -r "$KG_TAP_SH" ] || KG_TAP_SH=/kabiguard/tap.sh
# shellcheck source=selftests/lib/tap.sh
. "$KG_TAP_SH"

# ---------------------------------------------------------------------
# In the VM

# The kabiguard lines logged since the marker.
kg_log() {
	dmesg | sed -n "/$MARK/,\$p" | sed -n 's/^\[[ 0-9.]*\] //; /^kabiguard: /p'
}

guest() {
	dir=$1
	KG_TAP_N=$2
	nstor=$3
	MARK=kabiguard-realmod-$$
	mon=/tmp/realmod-monitor.json

	diag "guest: $(uname -r), insmod is $(readlink -f "$(command -v insmod)")"
	if [ -d /sys/module/kabiguard ]; then
		ok "kabiguard.ko loaded (already)"
	else
		check "insmod kabiguard.ko" insmod /kabiguard/kabiguard.ko
	fi

	out=$(kabiguardctl load --format symvers "$dir/p1.symvers" 2>&1)
	check "load P1 (Module.symvers without USB_STORAGE)" [ $? -eq 0 ]
	diag "$out"
	check "mode enforce" kabiguardctl mode enforce
	diag "$(kabiguardctl status 2>&1)"

	kabiguardctl -j monitor >"$mon" 2>/tmp/realmod-monitor.err &
	monpid=$!
	sleep 2
	check "kabiguardctl -j monitor running" kill -0 "$monpid"
	echo "$MARK" >/dev/kmsg

	# The dependencies, in modprobe's order: all allowed by P1.
	while read -r f; do
		case $f in uas.ko*) continue ;; esac
		name=$(echo "${f%%.ko*}" | tr - _)
		out=$(insmod "$dir/$f" 2>&1)
		check "insmod $f (allowed)" [ $? -eq 0 ]
		[ -z "$out" ] || diag "$out"
	done <"$dir/order"
	uas=$(grep '^uas\.ko' "$dir/order")

	# uas: denied.
	out=$(insmod "$dir/$uas" 2>&1)
	rc=$?
	diag "insmod $uas: $out"
	check "insmod $uas fails under P1" [ "$rc" -ne 0 ]
	case $out in
	*"Operation not permitted"*) ok "insmod $uas says \"Operation not permitted\"" ;;
	*) not_ok "insmod $uas says \"Operation not permitted\"" ;;
	esac
	check "uas is not loaded" [ ! -e /sys/module/uas ]

	sleep 1
	log=$(kg_log)
	diag "$log"
	while read -r f; do
		case $f in uas.ko*) continue ;; esac
		name=$(echo "${f%%.ko*}" | tr - _)
		check "kernel log: $name: allowed (enforce ...)" \
			grep -q "^kabiguard: $name: allowed (enforce, generation " <<EOF
$log
EOF
	done <"$dir/order"
	summary=$(echo "$log" | grep "^kabiguard: uas: denied (enforce, generation ")
	check "kernel log: kabiguard: uas: denied (enforce, ...)" [ -n "$summary" ]
	nviol=$(echo "$summary" | sed -n 's/.*), \([0-9]*\) of [0-9]* imports not allowed$/\1/p' | head -n1)
	nviol=${nviol:-0}
	nns=$(echo "$log" | grep -c "^kabiguard: uas: usb_stor_[A-Za-z0-9_]* namespace USB_STORAGE from usb_storage: ")
	nall=$(echo "$log" | grep "^kabiguard: uas: " | grep -Evc '^kabiguard: uas: (denied|allowed|audited) \(')
	c=false
	[ "$nviol" -eq "$nstor" ] && [ "$nns" -eq "$nviol" ] && [ "$nall" -eq "$nviol" ] && c=true
	check "kernel log: $nviol violations (uas imports $nstor usb_stor_*), each a usb_stor_* import with namespace USB_STORAGE from usb_storage ($nns lines, $nall in all)" $c

	# The monitor's JSON: one object per line.
	j=$(grep '"module":"uas"' "$mon" | grep '"verdict":"denied"' | head -n1)
	check "monitor: a denied event for uas" [ -n "$j" ]
	diag "monitor: $j"
	check "monitor: nr_violations $nviol" \
		grep -q "\"nr_violations\":${nviol}[,}]" <<EOF
$j
EOF
	jsym=$(echo "$j" | grep -o '"symbol":"usb_stor_[A-Za-z0-9_]*","namespace":"USB_STORAGE","exporter":"usb_storage"' | wc -l)
	c=false
	[ "$jsym" -eq "$nviol" ] && [ "$nviol" -gt 0 ] && c=true
	check "monitor: $jsym of $nviol violations are usb_stor_* with namespace USB_STORAGE from usb_storage" $c
	sig=$(echo "$j" | grep -o '"sig_ok":[a-z]*')
	diag "uas $sig (Debian-signed module); dependencies: $(grep -o '"module":"[a-z_]*"\|"sig_ok":[a-z]*' "$mon" | tr '\n' ' ')"

	# P2: uas loads.
	out=$(kabiguardctl load --format symvers "$dir/p2.symvers" 2>&1)
	check "load P2 (the whole Module.symvers)" [ $? -eq 0 ]
	diag "$out"
	out=$(insmod "$dir/$uas" 2>&1)
	check "insmod $uas succeeds under P2" [ $? -eq 0 ]
	[ -z "$out" ] || diag "$out"
	check "uas is loaded" [ -e /sys/module/uas ]
	sleep 1
	check "kernel log: kabiguard: uas: allowed (enforce, ...)" \
		grep -q "^kabiguard: uas: allowed (enforce, generation " <<EOF
$(kg_log)
EOF
	j=$(grep '"kind":"load"' "$mon" | grep '"module":"uas"' | grep '"verdict":"allowed"')
	check "monitor: an allowed load event for uas" [ -n "$j" ]

	kill "$monpid" 2>/dev/null
	wait "$monpid" 2>/dev/null
	[ ! -s /tmp/realmod-monitor.err ] || diag "monitor: $(cat /tmp/realmod-monitor.err)"
	# For the host to validate against the event schema.
	sed 's/^/@monitor /' "$mon"
	kabiguardctl mode audit >/dev/null 2>&1
	tap_state realmod
	[ "$KG_TAP_FAILS" -eq 0 ]
}

if [ "${1:-}" = "--guest" ]; then
	guest "$2" "$3" "$4"
	exit $?
fi

# ---------------------------------------------------------------------
# On the host

tap_begin
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUN=$ROOT/selftests/vm/run.sh
[ -x "$RUN" ] || skip_all "runs on the host (selftests/vm/run.sh boots its own VM): realmod_test.sh KVER"

# The kernel and where its files are (scripts/kernel-lib.sh): a release
# or a series; everything the set-up installs must be there, so a missing
# piece fails the test rather than skipping it.
KVER=$(bash -c '. "$1/scripts/kernel-lib.sh" && kg_kver "$2"' sh "$ROOT" "${1:-6.12}") ||
	bail "resolve kernel ${1:-6.12}"
KROOT=$(bash -c '. "$1/scripts/kernel-lib.sh" && kg_kroot "$2"' sh "$ROOT" "$KVER") ||
	bail "$KVER is set up (scripts/setup-kernels.sh $KVER)"
SYMVERS=$(bash -c '. "$1/scripts/kernel-lib.sh" && kg_symvers "$2"' sh "$ROOT" "$KVER") ||
	bail "$KVER has a Module.symvers"
[ -e "$ROOT/build/$KVER/src/kmod/kabiguard.ko" ] ||
	bail "build/$KVER/src/kmod/kabiguard.ko exists (scripts/build-kernel-objs.sh $KVER)"
[ -x "$ROOT/userspace/kabiguardctl" ] || bail "userspace/kabiguardctl is built (make -C userspace)"
deps=$(modprobe -d "$KROOT" -S "$KVER" --show-depends uas 2>/dev/null) ||
	bail "modprobe -d $KROOT -S $KVER finds uas"
case $deps in *"builtin usb_storage"*) skip_all "usb_storage is built into $KVER" ;; esac
TMP=$(mktemp -d /tmp/kg-realmod.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
echo "# $KVER: uas and its dependencies:"
diag "$deps"

D=$TMP/realmod
mkdir -p "$D"
: >"$D/order"
uaspath=
for p in $(echo "$deps" | awk '$1 == "insmod" { print $2 }'); do
	b=$(basename "$p")
	cp "$p" "$D/$b"
	echo "$b" >>"$D/order"
	case $b in uas.ko*) uaspath=$p ;; esac
done
cp "$0" "$D/realmod_test.sh"

c=false
[ -n "$uaspath" ] && grep -q '^usb-storage\.ko' "$D/order" && c=true
check "modprobe resolves uas.ko and usb-storage.ko for $KVER" $c
check "uas.ko imports namespace USB_STORAGE (modinfo -F import_ns)" \
	sh -c "modinfo -F import_ns '$uaspath' 2>/dev/null | grep -qx USB_STORAGE"
diag "uas.ko signer: $(modinfo -F signer "$uaspath" 2>/dev/null)"
# The usb_stor_* imports, from uas.ko's undefined symbols (not from
# __versions: Debian's 7.x kernels have no CONFIG_MODVERSIONS): each must
# come back as one violation.
case $uaspath in
*.xz) xz -dc "$uaspath" >"$TMP/uas.ko" ;;
*.zst) zstd -qdc "$uaspath" >"$TMP/uas.ko" ;;
*) cp "$uaspath" "$TMP/uas.ko" ;;
esac
nstor=$(nm -u "$TMP/uas.ko" 2>/dev/null | awk '{ print $2 }' | grep -c '^usb_stor_')
check "uas.ko imports $nstor usb_stor_* symbols (nm -u)" [ "$nstor" -gt 0 ]

# P1: every export but those in namespace USB_STORAGE; P2: all of them.
total=$(wc -l <"$SYMVERS")
awk -F '\t' '$5 != "USB_STORAGE"' "$SYMVERS" >"$D/p1.symvers"
cp "$SYMVERS" "$D/p2.symvers"
nusb=$(awk -F '\t' '$5 == "USB_STORAGE"' "$SYMVERS" | wc -l)
np1=$(wc -l <"$D/p1.symvers")
c=false
[ "$nusb" -gt 0 ] && [ "$np1" -eq $((total - nusb)) ] && c=true
check "$SYMVERS: $total exports, $nusb in USB_STORAGE, P1 keeps $np1" $c
# Every USB_STORAGE export is usb-storage's.
check "every USB_STORAGE export comes from usb-storage" \
	[ "$(awk -F '\t' '$5 == "USB_STORAGE" && $3 !~ /usb-storage$/' "$SYMVERS" | wc -l)" -eq 0 ]

echo "# $KVER: booting the VM"
{
	"$RUN" -k "$KVER" -t "${KG_REALMOD_TIMEOUT:-900}" -a "$D:/realmod" -- \
		"sh /realmod/realmod_test.sh --guest /realmod $KG_TAP_N $nstor"
	echo $? >"$TMP/rc"
} | tee "$TMP/out" | grep -v '^@monitor '
rc=$(cat "$TMP/rc")
tap_take_state realmod "$TMP/out" "$rc"
# monitor --json: every line valid against the event schema.
sed -n 's/^@monitor //p' "$TMP/out" | tr -d '\r' >"$TMP/monitor.jsonl"
nmon=$(grep -c . "$TMP/monitor.jsonl")
if [ "$nmon" -gt 0 ] && /usr/bin/python3 "$ROOT/userspace/tests/jsoncheck.py" \
	--lines event "$TMP/monitor.jsonl" >"$TMP/monitor.v" 2>&1; then
	ok "monitor --json: $nmon lines, each valid against the event schema, no duplicate key"
else
	not_ok "monitor --json: $nmon lines, each valid against the event schema, no duplicate key"
	diag "$(head -10 "$TMP/monitor.v")"
fi
tap_end
