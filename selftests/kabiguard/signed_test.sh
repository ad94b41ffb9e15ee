#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# signed_test.sh [KVER]: the shipped default policy (config/policy.d/
# 00-signed.policy, "any signed-only in-tree") against modules with a
# signature the kernel really verified.
#
# A module counts as signed when the kernel verified its signature
# (struct module sig_ok). To get one without Debian's private key, the
# host part makes a test key (cached in build/sigkey/), signs copies of
# two test modules with it, and boots the VM under OVMF (package ovmf)
# with the key's certificate in the UEFI db variable
# (scripts/ovmf-db.py). Linux loads db into its .platform keyring, and
# Debian's kernels verify module signatures against that keyring too
# (Debian's patch "KEYS: Make use of platform keyring for module signature
# verify"), as they do against the builtin, secondary and machine
# keyrings. That is the position of a DKMS module signed with an enrolled
# MOK key: signed by a key the kernel trusts, built out of the tree.
#
# In the VM (enforce mode, policy = 00-signed.policy + "any
# module=kg_exporter"):
#
#   dummy.ko (Debian's, in-tree, signed by the kernel's build key)  allowed
#   kg_consumer_ok.ko, unsigned, out-of-tree                 denied, unsigned
#   kg_intree_claim.ko, unsigned, claims modinfo intree=Y    denied, unsigned
#   kg_consumer_ok.ko signed with the test key, out-of-tree  denied, out-of-tree
#   kg_intree_claim.ko signed with the test key              allowed: the
#       in-tree mark is the module's claim, vouched for by its signer
#
# and the status reports signature checking (feature "sig") exactly when
# the kernel has CONFIG_MODULE_SIG (module.sig_enforce exists).
#
# Output: TAP 13, the plan at the end. Exit status: 0 pass, 1 fail (also
# when something the set-up installs is missing: ovmf, the kernel, its
# dummy module, kabiguard.ko, kabiguardctl, sign-file), 4 skip (dummy
# built in). POSIX sh: the guest part runs under dash.
#
#   signed_test.sh --guest DIR FIRST   (internal) the in-VM part
set -u

SIGNER="kabiguard test signing key"
# The TAP helpers: selftests/lib/tap.sh on the host, /kabiguard/tap.sh in
# the VM (selftests/vm/run.sh puts it there).
KG_TAP_SH=$(dirname "$0")/../lib/tap.sh
[ -r "$KG_TAP_SH" ] || KG_TAP_SH=/kabiguard/tap.sh
# shellcheck source=selftests/lib/tap.sh
. "$KG_TAP_SH"

# ---------------------------------------------------------------------
# In the VM

kg_log() {
	dmesg | sed -n "/$MARK/,\$p" | sed -n 's/^\[[ 0-9.]*\] //; /^kabiguard: /p'
}

# try DESC WANT FILE: insmod FILE; WANT is "allowed" or "denied".
try() {
	_out=$(insmod "$3" 2>&1)
	_rc=$?
	[ -z "$_out" ] || diag "insmod $3: $_out"
	if [ "$2" = allowed ]; then
		check "$1: insmod succeeds" [ "$_rc" -eq 0 ]
	else
		c=false
		[ "$_rc" -ne 0 ] && case $_out in *"Operation not permitted"*) c=true ;; esac
		check "$1: insmod fails with \"Operation not permitted\"" $c
	fi
}

# event NAME: the monitor's last load event of module NAME.
event() {
	grep '"kind":"load"' "$mon" | grep "\"module\":\"$1\"" | tail -n1
}

# has DESC STRING TEXT: ok if TEXT contains STRING.
has() {
	case $3 in *"$2"*) ok "$1" ;; *) not_ok "$1"; diag "not in: $3" ;; esac
}

guest() {
	dir=$1
	KG_TAP_N=$2
	MARK=kabiguard-signed-$$
	mon=/tmp/signed-monitor.json

	diag "guest: $(uname -r)"
	check "insmod kabiguard.ko" insmod /kabiguard/kabiguard.ko

	# What the status says of signatures, against the kernel's own word.
	st=$(kabiguardctl status 2>&1)
	feat=$(echo "$st" | sed -n 's/^features://p')
	diag "features:$feat"
	if [ -e /sys/module/module/parameters/sig_enforce ]; then
		has "status: feature sig (kernel with CONFIG_MODULE_SIG)" " sig" "$feat "
	else
		case "$feat " in
		*" sig "*) not_ok "status: no feature sig (kernel without CONFIG_MODULE_SIG)" ;;
		*) ok "status: no feature sig (kernel without CONFIG_MODULE_SIG)" ;;
		esac
	fi

	# The test key reached the kernel through the UEFI db.
	keys=$(grep -E "$SIGNER|\.platform" /proc/keys)
	diag "$keys"
	has "the test key is in the kernel's keys (UEFI db, .platform keyring)" "$SIGNER" "$keys"

	out=$(kabiguardctl load "$dir/00-signed.policy" "$dir/10-local.policy" 2>&1)
	check "load the shipped 00-signed.policy and a local rule for kg_exporter" [ $? -eq 0 ]
	diag "$out"
	check "mode enforce" kabiguardctl mode enforce

	kabiguardctl -j monitor >"$mon" 2>/tmp/signed-monitor.err &
	monpid=$!
	sleep 2
	check "kabiguardctl -j monitor running" kill -0 "$monpid"
	echo "$MARK" >/dev/kmsg

	try "kg_exporter (module= rule)" allowed "$dir/kg_exporter.ko"
	intree=$(cat "$dir/intree")
	try "$intree (Debian's, in-tree, signed)" allowed "$dir/$(cat "$dir/intree_file")"
	check "$intree is loaded" [ -e "/sys/module/$intree" ]
	try "kg_consumer_ok (unsigned, out-of-tree)" denied "$dir/kg_consumer_ok.ko"
	try "kg_intree_claim (unsigned, claims intree=Y)" denied "$dir/kg_intree_claim.ko"
	try "kg_consumer_ok signed with the test key (out-of-tree)" denied "$dir/signed/kg_consumer_ok.ko"
	check "kg_consumer_ok is not loaded" [ ! -e /sys/module/kg_consumer_ok ]
	try "kg_intree_claim signed with the test key" allowed "$dir/signed/kg_intree_claim.ko"
	taint=$(cat /sys/module/kg_intree_claim/taint 2>/dev/null)
	c=false
	case $taint in *E*|*O*) ;; *) [ -e /sys/module/kg_intree_claim ] && c=true ;; esac
	check "the kernel verified kg_intree_claim's signature and believed its intree=Y (taint '$taint': no E, no O)" $c

	sleep 1
	log=$(kg_log)
	diag "$log"
	has "kernel log: $intree allowed" "kabiguard: $intree: allowed (enforce, generation " "$log"
	has "kernel log: unsigned kg_consumer_ok denied, unsigned" \
		"kabiguard: kg_consumer_ok: kg_plain_a from kg_exporter: allowed for signed modules only" "$log"
	has "kernel log: unsigned kg_intree_claim denied, unsigned" \
		"kabiguard: kg_intree_claim: kg_plain_a from kg_exporter: allowed for signed modules only" "$log"
	has "kernel log: signed kg_consumer_ok denied, out-of-tree" \
		"kabiguard: kg_consumer_ok: kg_plain_a from kg_exporter: allowed for signed in-tree modules only" "$log"
	has "kernel log: signed kg_intree_claim allowed" "kabiguard: kg_intree_claim: allowed (enforce, generation " "$log"

	j=$(event "$intree")
	diag "$j"
	has "monitor: $intree allowed, sig_ok true" '"sig_ok":true' "$(echo "$j" | grep '"verdict":"allowed"')"
	j=$(grep '"kind":"load"' "$mon" | grep '"module":"kg_consumer_ok"' | grep '"sig_ok":true')
	diag "$j"
	has "monitor: signed kg_consumer_ok denied, reason out-of-tree" '"reason":"out-of-tree"' "$(echo "$j" | grep '"verdict":"denied"')"
	j=$(grep '"kind":"load"' "$mon" | grep '"module":"kg_consumer_ok"' | grep '"sig_ok":false')
	has "monitor: unsigned kg_consumer_ok denied, reason unsigned" '"reason":"unsigned"' "$(echo "$j" | grep '"verdict":"denied"')"

	kill "$monpid" 2>/dev/null
	wait "$monpid" 2>/dev/null
	[ ! -s /tmp/signed-monitor.err ] || diag "monitor: $(cat /tmp/signed-monitor.err)"
	kabiguardctl mode audit >/dev/null 2>&1
	tap_state signed
	[ "$KG_TAP_FAILS" -eq 0 ]
}

if [ "${1:-}" = "--guest" ]; then
	guest "$2" "$3"
	exit $?
fi

# ---------------------------------------------------------------------
# On the host

tap_begin
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUN=$ROOT/selftests/vm/run.sh
[ -x "$RUN" ] || skip_all "runs on the host (selftests/vm/run.sh boots its own VM): signed_test.sh KVER"

KVER=$(bash -c '. "$1/scripts/kernel-lib.sh" && kg_kver "$2"' sh "$ROOT" "${1:-6.12}") ||
	bail "resolve kernel ${1:-6.12}"
KROOT=$(bash -c '. "$1/scripts/kernel-lib.sh" && kg_kroot "$2"' sh "$ROOT" "$KVER") ||
	bail "$KVER is set up (scripts/setup-kernels.sh $KVER)"
OBJ=$ROOT/build/$KVER/src
TM=$OBJ/selftests/kabiguard/test_modules
for f in "$OBJ/kmod/kabiguard.ko" "$TM/kg_exporter.ko" "$TM/kg_consumer_ok.ko" "$TM/kg_intree_claim.ko"; do
	[ -e "$f" ] || bail "$f exists (scripts/build-kernel-objs.sh $KVER)"
done
[ -x "$ROOT/userspace/kabiguardctl" ] || bail "userspace/kabiguardctl is built (make -C userspace)"
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
if [ ! -e "$OVMF_CODE" ] || [ ! -e "$OVMF_VARS" ]; then
	bail "OVMF is installed (package ovmf: scripts/install-deps.sh)"
fi
# Any kbuild's sign-file writes the same appended PKCS#7 signature.
SIGN_FILE=
for s in /usr/lib/linux-kbuild-*/scripts/sign-file; do
	[ -x "$s" ] && SIGN_FILE=$s && break
done
[ -n "$SIGN_FILE" ] || bail "a kbuild sign-file is installed (linux-kbuild-*: scripts/setup-kernels.sh)"

# The in-tree module: Debian's dummy.ko, no dependencies.
deps=$(modprobe -d "$KROOT" -S "$KVER" --show-depends dummy 2>/dev/null) ||
	bail "modprobe -d $KROOT -S $KVER finds dummy"
case $deps in builtin*) skip_all "dummy is built into $KVER" ;; esac
dummy=$(echo "$deps" | awk '$1 == "insmod" { print $2 }')
[ "$(echo "$dummy" | wc -l)" -eq 1 ] || bail "dummy has no dependencies ($deps)"

TMP=$(mktemp -d /tmp/kg-signed.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
D=$TMP/signed
mkdir -p "$D/signed"

# The test key, made once (build/sigkey/).
KEYDIR=$ROOT/build/sigkey
if [ ! -e "$KEYDIR/cert.der" ]; then
	mkdir -p "$KEYDIR"
	if ! openssl req -new -x509 -newkey rsa:2048 -nodes -days 36500 -batch \
		-subj "/CN=$SIGNER/" -addext keyUsage=digitalSignature \
		-addext extendedKeyUsage=codeSigning -keyout "$KEYDIR/key.pem.tmp" \
		-outform DER -out "$KEYDIR/cert.der.tmp" 2>"$TMP/openssl.err"; then
		diag "$(cat "$TMP/openssl.err")"
		bail "make the test key in $KEYDIR"
	fi
	# The certificate last: its presence says the pair is whole.
	mv "$KEYDIR/key.pem.tmp" "$KEYDIR/key.pem"
	mv "$KEYDIR/cert.der.tmp" "$KEYDIR/cert.der"
fi
check "UEFI variable store with the test certificate in db (scripts/ovmf-db.py)" \
	"$ROOT/scripts/ovmf-db.py" "$OVMF_VARS" "$TMP/vars.fd" "$KEYDIR/cert.der"

cp "$TM/kg_exporter.ko" "$TM/kg_consumer_ok.ko" "$TM/kg_intree_claim.ko" "$D/"
cp "$dummy" "$D/"
basename "$dummy" >"$D/intree_file"
echo dummy >"$D/intree"
cp "$ROOT/config/policy.d/00-signed.policy" "$D/"
echo "any module=kg_exporter" >"$D/10-local.policy"
cp "$0" "$D/signed_test.sh"
for m in kg_consumer_ok kg_intree_claim; do
	cp "$TM/$m.ko" "$D/signed/$m.ko"
	"$SIGN_FILE" sha256 "$KEYDIR/key.pem" "$KEYDIR/cert.der" "$D/signed/$m.ko" ||
		not_ok "sign $m.ko"
	check "$m.ko signed by \"$SIGNER\" (modinfo -F signer)" \
		[ "$(modinfo -F signer "$D/signed/$m.ko" 2>/dev/null)" = "$SIGNER" ]
done
check "00-signed.policy is 'any signed-only in-tree'" \
	[ "$(grep -v '^#' "$D/00-signed.policy")" = "any signed-only in-tree" ]
check "kg_intree_claim.ko claims intree=Y, kg_consumer_ok.ko does not" \
	[ "$(modinfo -F intree "$D/kg_intree_claim.ko")" = Y -a \
	-z "$(modinfo -F intree "$D/kg_consumer_ok.ko")" ]
check "$(basename "$dummy"): in-tree, signed ($(modinfo -F signer "$dummy"))" \
	[ "$(modinfo -F intree "$dummy")" = Y -a -n "$(modinfo -F signer "$dummy")" ]

echo "# $KVER: booting the VM under OVMF"
{
	KG_VM_QEMU_ARGS="-drive if=pflash,format=raw,readonly=on,file=$OVMF_CODE -drive if=pflash,format=raw,file=$TMP/vars.fd" \
		"$RUN" -k "$KVER" -t "${KG_SIGNED_TIMEOUT:-900}" -a "$D:/signed" -- \
		"sh /signed/signed_test.sh --guest /signed $KG_TAP_N"
	echo $? >"$TMP/rc"
} | tee "$TMP/out"
rc=$(cat "$TMP/rc")
tap_take_state signed "$TMP/out" "$rc"
tap_end
