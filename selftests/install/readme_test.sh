#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# readme_test.sh [KVER|SERIES]: run README.md's worked example ("From a
# Red Hat stablelist to enforce mode") as written, in a QEMU guest of KVER
# (default: 6.12; make check runs it on every matrix kernel).  The block is the first ```sh block
# after the line "<!-- readme_test.sh runs the next block -->".
#
# The guest gets what the example assumes of the host: `make install`'s
# files (DESTDIR into a scratch root, copied in), kabiguard.ko where `make
# install-module` puts it (depmod run), a stand-in RHEL 9 stablelist in
# /lib/modules/kabi-current/ listing the kernel symbols the test modules
# import, and the test modules in /kabiguard/test_modules.  Then checks
# the outcome the README promises.  TAP output.
# shellcheck disable=SC2016 # in-VM commands expand in the VM
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
KVER=$(scripts/kernels.sh "${1:-6.12}") || exit 1
OBJ=build/$KVER/src
TM=$OBJ/selftests/kabiguard/test_modules
TMP=$(mktemp -d /tmp/kg-readme.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# shellcheck source=selftests/lib/tap.sh
. "$ROOT/selftests/lib/tap.sh"

# The block.
awk '/^<!-- readme_test.sh runs the next block -->$/ { m = 1; next }
	m == 1 && /^```sh$/ { m = 2; next }
	m == 2 && /^```$/ { exit }
	m == 2 { print }' README.md >"$TMP/example.sh"
if [ -s "$TMP/example.sh" ]; then
	ok "README.md: worked example found ($(wc -l <"$TMP/example.sh") lines)"
else
	not_ok "README.md: no worked example block after the readme_test.sh marker"
	tap_end
fi

if [ ! -e "$OBJ/kmod/kabiguard.ko" ] || [ ! -e "$TM/kg_exporter.ko" ]; then
	scripts/build-kernel-objs.sh "$KVER" >&2 || { not_ok "build-kernel-objs.sh $KVER"; tap_end; }
fi
[ -x userspace/kabiguardctl ] || make -s -C userspace >&2 || { not_ok "make -C userspace"; tap_end; }

# make install into a scratch root (the tools are built already: -o).
if make -s -o userspace install DESTDIR="$TMP/root" >"$TMP/install.log" 2>&1; then
	ok "make install DESTDIR=..."
else
	not_ok "make install DESTDIR=..."
	sed 's/^/# /' "$TMP/install.log"
	tap_end
fi

# Stand-in stablelist: the kernel's symbols the test modules import.
{
	echo "[rhel9_x86_64_stablelist]"
	for m in kg_exporter kg_consumer_ok kg_consumer_forbidden; do
		nm -u "$TM/$m.ko" | awk '$1 == "U" { print $2 }'
	done | grep -v '^kg_' | sort -u | sed 's/^/\t/'
} >"$TMP/kabi_stablelist_x86_64"

# The installed files go to their places in the guest.
adds=()
for d in etc usr/share/man; do
	[ -d "$TMP/root/$d" ] && adds+=(-a "$TMP/root/$d:/$d")
done
adds+=(-a "$TMP/kabi_stablelist_x86_64:/lib/modules/kabi-rhel94/kabi_stablelist_x86_64")
adds+=(-a "$OBJ/kmod/kabiguard.ko:/lib/modules/$KVER/extra/kabiguard.ko")
adds+=(-a "$TMP/example.sh:/tmp/example.sh")

out=$(selftests/vm/run.sh -k "$KVER" -t 600 "${adds[@]}" -- '
ln -s kabi-rhel94 /lib/modules/kabi-current
mkdir -p /var/tmp
rm -f /kabiguard/kabiguard.ko
depmod
echo "=== example"
sh /tmp/example.sh
echo "=== example exit status $?"
echo "=== status"; kabiguardctl status
echo "=== lsmod"; lsmod
echo "=== audit log"; cat /var/tmp/kabiguard-audit.log
echo "=== dmesg"; dmesg | grep kabiguard
echo "=== modinfo"; modinfo -n kabiguard; cat /sys/module/kabiguard/parameters/mode 2>/dev/null
' 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
[ "$rc" -eq 0 ] || not_ok "VM run (run.sh exit status $rc)"

section() { printf '%s\n' "$out" | awk -v s="=== $1" '$0 == s { on = 1; next } /^=== / { on = 0 } on'; }
# shellcheck disable=SC2317 # called through check
has() { grep -q -- "$2" <<<"$(section "$1")"; }

ex=$(section example)
check "example: its last command (mode audit after lock) exits 5" grep -q '^=== example exit status 5$' <<<"$out"
check "example: no command missing or misused" \
	bash -c '! grep -Eiq "not found|usage:|unknown|no such file|cannot" <<<"$1"' bash "$ex"
check "example: stablelist header printed" grep -q '^\[rhel9_x86_64_stablelist\]$' <<<"$ex"
check "example: the installed 00-signed.policy holds \"any signed-only in-tree\"" grep -qx 'any signed-only in-tree' <<<"$ex"
# The stablelist's symbols, 00-signed.policy's rule and the local one.
nrules=$(($(grep -c $'^\t' "$TMP/kabi_stablelist_x86_64") + 2))
check "example: dry run parsed $nrules rules from 3 files, then loaded them as generation 1" \
	bash -c 'grep -q "^parsed $2 rules from 3 files" <<<"$1" && grep -q "^loaded $2 rules, generation 1" <<<"$1"' bash "$ex" "$nrules"
check "example: forbidden module loaded in audit mode, denied in enforce" \
	bash -c '[ "$(grep -c "kg_consumer_forbidden.ko: Operation not permitted" <<<"$1")" -eq 1 ]' bash "$ex"
check "guard loaded by modprobe from extra/" has modinfo "^/lib/modules/$KVER/extra/kabiguard.ko$"
check "guard loaded in audit mode (modprobe.d)" has dmesg 'kabiguard: loaded, mode audit'
check "status: enforce, locked" bash -c 'grep -q "^mode: enforce" <<<"$1" && grep -q "^locked: yes" <<<"$1"' bash "$(section status)"
check "lsmod: kg_consumer_ok loaded" has lsmod '^kg_consumer_ok '
check "lsmod: kg_consumer_forbidden not loaded" bash -c '! grep -q "^kg_consumer_forbidden " <<<"$1"' bash "$(section lsmod)"
check "audit log: kg_consumer_ok allowed" has "audit log" 'allowed kg_consumer_ok:'
check "audit log: kg_consumer_forbidden audited, kg_plain_b named" \
	bash -c 'grep -q "audited kg_consumer_forbidden:" <<<"$1" && grep -q "kg_plain_b from=kg_exporter:" <<<"$1"' bash "$(section "audit log")"
check "kernel log: kg_consumer_forbidden denied (enforce" has dmesg 'kg_consumer_forbidden: denied (enforce'
check "kernel log: locked" has dmesg 'kabiguard: locked'
tap_end
