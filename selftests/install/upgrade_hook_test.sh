#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# upgrade_hook_test.sh [RUNNING NEW]: the kernel upgrade check
# (userspace/hooks/kabiguard-upgrade-check, run by /etc/kernel/postinst.d
# and header_postinst.d) in a scratch root that looks like a host running
# RUNNING (default: the 6.1 series) on which NEW (default: the 6.12
# series) was just installed: NEW's real Module.symvers, third-party
# modules built for RUNNING in updates/dkms and extra/, one of them rebuilt
# for NEW by "DKMS", and a policy in /etc/kabiguard/policy.d.  Checks what
# the package manager's output says and the exit status in each
# upgrade_check mode of kabiguard.conf.  TAP output.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUNNING=$("$ROOT/scripts/kernels.sh" "${1:-6.1}") || exit 1
NEW=$("$ROOT/scripts/kernels.sh" "${2:-6.12}") || exit 1
# The releases as extended regexes (a "+" in 6.12's).
re() { printf '%s' "$1" | sed 's/[].+*?^$(){}|\\[]/\\&/g'; }
RUNNING_RE=$(re "$RUNNING")
NEW_RE=$(re "$NEW")
HOOK=$ROOT/userspace/hooks/kabiguard-upgrade-check
CTL=$ROOT/userspace/kabiguardctl

# shellcheck source=selftests/lib/tap.sh
. "$ROOT/selftests/lib/tap.sh"
# expect DESC PATTERN: the last hook output matches the extended regex
expect() {
	if grep -qE -- "$2" "$TMP/out"; then ok "$1"; else
		not_ok "$1"; echo "# expected /$2/ in:"; sed 's/^/#   /' "$TMP/out"; fi
}
# expect_not DESC PATTERN: the last hook output does not match
expect_not() {
	if ! grep -qE -- "$2" "$TMP/out"; then ok "$1"; else
		not_ok "$1"; echo "# did not expect /$2/ in:"; sed 's/^/#   /' "$TMP/out"; fi
}
# status DESC WANT: the last hook run exited with WANT
status() {
	if [ "$rc" -eq "$2" ]; then ok "$1"; else
		not_ok "$1 (status $rc, expected $2)"; sed 's/^/#   /' "$TMP/out"; fi
}

[ -x "$CTL" ] || make -C "$ROOT/userspace" >&2 || exit 1
for k in "$RUNNING" "$NEW"; do
	[ -e "$ROOT/build/$k/src/selftests/kabiguard/test_modules/kg_exporter.ko" ] ||
		"$ROOT/scripts/build-kernel-objs.sh" "$k" >&2 || exit 1
done
TM_RUN=$ROOT/build/$RUNNING/src/selftests/kabiguard/test_modules
TM_NEW=$ROOT/build/$NEW/src/selftests/kabiguard/test_modules
SYMVERS=$(. "$ROOT/scripts/kernel-lib.sh" && kg_symvers "$NEW")
[ -r "$SYMVERS" ] || { echo "upgrade_hook_test: no Module.symvers for $NEW ($SYMVERS)" >&2; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
R=$TMP/root
mkdir -p "$R/lib/modules/$RUNNING/updates/dkms" "$R/lib/modules/$RUNNING/extra" \
	"$R/lib/modules/$NEW/updates/dkms" "$R/lib/modules/$NEW/build" \
	"$R/etc/kabiguard/policy.d"
# kg_exporter: a DKMS module, rebuilt for NEW.  kg_consumer_ok: installed by
# hand for RUNNING only.  kg_consumer_forbidden: DKMS-built for NEW, imports
# a symbol the policy does not allow.
cp "$TM_RUN/kg_exporter.ko" "$R/lib/modules/$RUNNING/updates/dkms/"
cp "$TM_NEW/kg_exporter.ko" "$R/lib/modules/$NEW/updates/dkms/"
cp "$TM_RUN/kg_consumer_ok.ko" "$R/lib/modules/$RUNNING/extra/kg-consumer-ok.ko"
cp "$TM_NEW/kg_consumer_forbidden.ko" "$R/lib/modules/$NEW/updates/dkms/"
# The guard's own DKMS module (here a file the policy would deny): loaded
# before any policy, never one of the modules checked.
cp "$TM_NEW/kg_consumer_forbidden.ko" "$R/lib/modules/$NEW/updates/dkms/kabiguard.ko"
# NEW's exports, with the third-party exporter's own (its Module.symvers).
cat "$SYMVERS" "$TM_NEW/Module.symvers" >"$R/lib/modules/$NEW/build/Module.symvers"
# Every import of the test modules except kg_plain_b.
nm -u "$TM_NEW"/kg_exporter.ko "$TM_NEW"/kg_consumer_forbidden.ko "$TM_RUN"/kg_consumer_ok.ko |
	awk 'NF == 2 && $2 != "kg_plain_b" { print "symbol " $2 }
		END { print "symbol module_layout" }' | sort -u \
	>"$R/etc/kabiguard/policy.d/50-vendor.policy"
grep -q '^symbol _printk$' "$R/etc/kabiguard/policy.d/50-vendor.policy" ||
	{ echo "upgrade_hook_test: the test policy lacks _printk" >&2; exit 1; }

run() {
	KABIGUARDCTL=$CTL "$HOOK" --root "$R" --running "$RUNNING" "$NEW" >"$TMP/out" 2>&1
	rc=$?
}
conf() { printf '# test\nmode = audit\n%s\n' "$1" >"$R/etc/kabiguard/kabiguard.conf"; }

tap_begin

# --- default (warn)
conf ""
run
status "warn (the default): the kernel installation goes on" 0
expect "it names the kernel, its Module.symvers and the policy" \
	"checking 3 third-party modules against $NEW_RE \(.*/lib/modules/$NEW_RE/build/Module.symvers\) and the policy in .*/etc/kabiguard/policy.d"
expect "a module built only for the running kernel is said to be missing from the new one" \
	"not installed for $NEW_RE: .*/lib/modules/$RUNNING_RE/extra/kg-consumer-ok.ko"
expect "its CRC of _printk differs on the new kernel: it would not load" \
	"kg-consumer-ok.ko.*fail|crc-differs +_printk"
expect "a DKMS module rebuilt for the new kernel is checked as rebuilt" \
	"/lib/modules/$NEW_RE/updates/dkms/kg_consumer_forbidden.ko"
expect "a module importing what the policy does not allow is reported with the symbol" \
	"policy +kg_plain_b.*not-allowed"
expect "the warning says what the lines mean" \
	"WARNING: on $NEW_RE these modules would not load, or kabiguard would deny them"
expect_not "the running kernel's copy of a rebuilt module is not checked" \
	"/lib/modules/$RUNNING_RE/updates/dkms/kg_exporter.ko"
expect_not "the rebuilt exporter, allowed and loadable, is not reported" \
	"kg_exporter.ko.*fail"
expect_not "the guard's own module is not checked" "kabiguard\.ko"

# --- fail
conf "upgrade_check = fail"
run
status "upgrade_check = fail: the kernel installation fails" 1
expect "and says why" "upgrade_check = fail in .*kabiguard.conf: failing the installation of $NEW_RE"

# --- only allowed, loadable modules
rm "$R/lib/modules/$RUNNING/extra/kg-consumer-ok.ko" "$R/lib/modules/$NEW/updates/dkms/kg_consumer_forbidden.ko"
run
status "nothing to report: upgrade_check = fail lets the installation go on" 0
expect "and says every module will load and be allowed" \
	"$NEW_RE: every third-party module will load and be allowed"

# --- off
conf "upgrade_check = off"
run
status "upgrade_check = off: status 0" 0
if [ -s "$TMP/out" ]; then not_ok "upgrade_check = off: nothing printed"; sed 's/^/#   /' "$TMP/out"
else ok "upgrade_check = off: nothing printed"; fi

# --- a bad value
conf "upgrade_check = maybe"
run
status "upgrade_check = maybe: a configuration error" 2
expect "naming the file, the key and the value" "kabiguard.conf: upgrade_check: expected off, warn or fail, not 'maybe'"

# --- the new kernel's headers are not installed yet
conf "upgrade_check = fail"
rm "$R/lib/modules/$NEW/build/Module.symvers"
run
status "no Module.symvers for the new kernel yet: the installation goes on" 0
expect "and it says the check runs when the headers come" \
	"$NEW_RE: no Module.symvers yet .*linux-headers-$NEW_RE.*runs again"

# --- no third-party module
cp "$SYMVERS" "$R/lib/modules/$NEW/build/Module.symvers"
rm -rf "$R/lib/modules/$RUNNING/updates" "$R/lib/modules/$NEW/updates"
run
status "no third-party module: status 0" 0
expect "and it says so" "$NEW_RE: no third-party modules"

# --- kabiguardd reads the same key (kabiguard.conf(5)): a typo shows at start
KGD=$ROOT/userspace/kabiguardd
[ -x "$KGD" ] || make -C "$ROOT/userspace" >&2 || exit 1
for v in off warn fail; do
	conf "upgrade_check = $v"
	if "$KGD" --check -c "$R/etc/kabiguard/kabiguard.conf" \
		-p "$R/etc/kabiguard/policy.d" >"$TMP/out" 2>&1; then
		ok "kabiguardd --check accepts upgrade_check = $v"
	else
		not_ok "kabiguardd --check accepts upgrade_check = $v"; sed 's/^/#   /' "$TMP/out"
	fi
done
conf "upgrade_check = maybe"
"$KGD" --check -c "$R/etc/kabiguard/kabiguard.conf" -p "$R/etc/kabiguard/policy.d" >"$TMP/out" 2>&1
rc=$?
status "kabiguardd --check refuses upgrade_check = maybe" 2
expect "naming the file, the line and the value" \
	"kabiguard.conf:3: upgrade_check: expected off, warn or fail, not 'maybe'"

tap_end
