#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms_test.sh [KVER...]: install kabiguard through Debian's dkms for each
# test kernel (default: scripts/kernels.sh) the way an admin does
# (`make dkms-install`), check what dkms installed, boot each kernel in
# QEMU with the dkms-installed module file, `modprobe kabiguard` there and
# deny a forbidden test module with it; then `make dkms-uninstall` and
# check that nothing is left.  TAP output; the plan comes last.
#
# Needs root and dkms (scripts/install-deps.sh).  Changes the machine only
# while it runs: if kabiguard is already known to dkms (an admin's
# installation) it skips rather than touch it; /var/lib/dkms/mok.{key,pub}
# are removed afterwards if dkms generated them for this run.  One run at
# a time per machine (a lock in /run/lock), whatever the clone.
# The in-VM commands are single-quoted on purpose: they expand in the VM.
# shellcheck disable=SC2016
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
RUN=$ROOT/selftests/vm/run.sh
VERSION=$(cat VERSION)
LOCK=/run/lock/kabiguard-dkms-test.lock
MOK=(/var/lib/dkms/mok.key /var/lib/dkms/mok.pub)

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $*"; }
# check DESC CMD...: ok if CMD succeeds
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
skip_all() { echo "ok 1 dkms # SKIP $*"; echo "1..1"; exit 0; }
finish() { echo "1..$n"; [ "$failed" -eq 0 ]; exit $?; }

[ "$(id -u)" -eq 0 ] || skip_all "needs root"
command -v dkms >/dev/null || skip_all "dkms not installed (scripts/install-deps.sh)"
if [ $# -gt 0 ]; then KVERS=("$@"); else mapfile -t KVERS < <(scripts/kernels.sh); fi
[ ${#KVERS[@]} -gt 0 ] || skip_all "no test kernel"

exec 9>"$LOCK"
if ! flock -n 9; then
	echo "# waiting for another dkms_test.sh run on this machine" >&2
	flock 9
fi
if [ -n "$(dkms status -m kabiguard 2>/dev/null)" ] || [ -e "/usr/src/kabiguard-$VERSION" ]; then
	echo "# dkms status: $(dkms status -m kabiguard 2>&1)"
	skip_all "kabiguard is already installed through dkms on this machine; not touching it"
fi

mok_made=()
for f in "${MOK[@]}"; do [ -e "$f" ] || mok_made+=("$f"); done
# shellcheck disable=SC2317 # called through trap
cleanup() {
	make -s dkms-uninstall >/dev/null 2>&1
	rm -rf "/usr/src/kabiguard-$VERSION"
	rmdir /var/lib/dkms/kabiguard 2>/dev/null
	if [ ${#mok_made[@]} -gt 0 ]; then rm -f "${mok_made[@]}"; fi
}
trap cleanup EXIT

# The objects of this tree, built as the other tests build them: dkms
# must produce the same module (same srcversion: a hash of the sources).
for k in "${KVERS[@]}"; do
	if [ ! -e "build/$k/src/kmod/kabiguard.ko" ] ||
		[ ! -e "build/$k/src/selftests/kabiguard/test_modules/kg_exporter.ko" ]; then
		scripts/build-kernel-objs.sh "$k" >&2 || { not_ok "build-kernel-objs.sh $k"; finish; }
	fi
done
if [ ! -x userspace/kabiguardctl ]; then
	make -s -C userspace >&2 || { not_ok "make -C userspace"; finish; }
fi

echo "# make dkms-install DKMS_KERNELS=\"${KVERS[*]}\""
log=$(mktemp)
if make dkms-install DKMS_KERNELS="${KVERS[*]}" >"$log" 2>&1; then
	ok "make dkms-install: dkms add, build and install for ${KVERS[*]}"
else
	not_ok "make dkms-install: dkms add, build and install for ${KVERS[*]}"
	sed 's/^/# /' "$log"
	tail -n 30 /var/lib/dkms/kabiguard/"$VERSION"/build/make.log 2>/dev/null | sed 's/^/# make.log: /'
fi
rm -f "$log"
check "sources in /usr/src/kabiguard-$VERSION have dkms.conf, Kbuild, kmod/, include/" \
	test -e "/usr/src/kabiguard-$VERSION/dkms.conf" -a -e "/usr/src/kabiguard-$VERSION/Kbuild" \
	-a -e "/usr/src/kabiguard-$VERSION/kmod/main.c" -a -d "/usr/src/kabiguard-$VERSION/include/uapi"

for k in "${KVERS[@]}"; do
	echo "# $k"
	st=$(dkms status -m kabiguard -v "$VERSION" -k "$k" 2>/dev/null)
	echo "# dkms status: $st"
	check "$k: dkms status: installed" grep -q ': installed' <<<"$st"
	ko=$(find "/lib/modules/$k/updates/dkms" -name 'kabiguard.ko*' 2>/dev/null | head -n1)
	if [ -n "$ko" ]; then ok "$k: installed as $ko"; else not_ok "$k: no kabiguard.ko* in /lib/modules/$k/updates/dkms"; continue; fi
	want=$(modinfo -F srcversion "build/$k/src/kmod/kabiguard.ko")
	got=$(modinfo -F srcversion "$ko")
	check "$k: srcversion $got is the tree's ($want)" test -n "$got" -a "$got" = "$want"
	check "$k: version $(modinfo -F version "$ko") is VERSION ($VERSION)" test "$(modinfo -F version "$ko")" = "$VERSION"
	check "$k: vermagic is $k's" grep -q "^$k " <<<"$(modinfo -F vermagic "$ko")"
	check "$k: depmod lists it in modules.dep" grep -q "^${ko#/lib/modules/"$k"/}:" "/lib/modules/$k/modules.dep"

	# The guest gets the host's modules.dep, so modprobe finds the dkms
	# copy where dkms put it, and nothing else called kabiguard.
	out=$("$RUN" -k "$k" -t 600 -a "$ko" -- '
SRCV='"$want"' VER='"$VERSION"' KO='"$ko"'
TM=/kabiguard/test_modules
rm -f /kabiguard/kabiguard.ko
r() { if "$@"; then echo "ok - $D"; else echo "not ok - $D"; fi; }
D="modprobe kabiguard"; r modprobe kabiguard
D="modprobe used the dkms file ($(modinfo -n kabiguard))"; r test "$(modinfo -n kabiguard)" = "$KO"
D="loaded srcversion is the tree'"'"'s"; r test "$(cat /sys/module/kabiguard/srcversion)" = "$SRCV"
D="loaded version is $VER"; r test "$(cat /sys/module/kabiguard/version)" = "$VER"
insmod $TM/kg_exporter.ko
{ echo "[dkms_test_stablelist]"; modprobe --dump-modversions $TM/kg_consumer_ok.ko | awk "{ printf \"\\t%s\\n\", \$2 }"; } >/tmp/list
D="kabiguardctl load, mode enforce"; r sh -c "kabiguardctl load /tmp/list && kabiguardctl mode enforce"
D="allowed module loads"; r insmod $TM/kg_consumer_ok.ko
D="forbidden module is denied"; r sh -c "! insmod $TM/kg_consumer_forbidden.ko 2>/dev/null"
D="kernel log: kg_consumer_forbidden denied"; r sh -c "dmesg | grep -q \"kabiguard: kg_consumer_forbidden: denied (enforce\""
' 2>&1)
	rc=$?
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "$k: VM: ${line#ok - }" ;;
		"not ok - "*) not_ok "$k: VM: ${line#not ok - }" ;;
		*) echo "# $line" ;;
		esac
	done <<<"$out"
	[ "$rc" -eq 0 ] || not_ok "$k: VM run (run.sh exit status $rc)"
done

echo "# make dkms-uninstall"
make -s dkms-uninstall >/dev/null 2>&1
check "dkms-uninstall: dkms knows no kabiguard" test -z "$(dkms status -m kabiguard 2>/dev/null)"
check "dkms-uninstall: /usr/src/kabiguard-$VERSION removed" test ! -e "/usr/src/kabiguard-$VERSION"
for k in "${KVERS[@]}"; do
	check "$k: no kabiguard.ko left under updates/dkms" \
		test -z "$(find "/lib/modules/$k/updates/dkms" -name 'kabiguard.ko*' 2>/dev/null)"
	check "$k: modules.dep no longer lists kabiguard" \
		sh -c "! grep -q kabiguard.ko '/lib/modules/$k/modules.dep'"
done
finish
