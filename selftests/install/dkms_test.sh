#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms_test.sh [KVER...]: install kabiguard through dkms for each test
# kernel (default: the matrix, scripts/kernels.sh) the way an admin of that
# kernel's Debian release does (`make dkms-install`, with that release's
# dkms and compiler: on the host for bookworm's kernels, in the kernel's
# root for the others, scripts/kroot.sh), check what dkms installed, boot
# the kernel in QEMU with the dkms-installed module file, `modprobe
# kabiguard` there and deny a forbidden test module with it; then `make
# dkms-uninstall` and check that nothing is left.  TAP output; the plan
# comes last.
#
# Needs root and dkms (scripts/install-deps.sh).  Changes the machine only
# while it runs: if kabiguard is already known to a kernel's dkms (an
# admin's installation) it fails rather than touch it;
# /var/lib/dkms/mok.{key,pub} are removed afterwards if dkms generated
# them for this run.  One run at a time per machine (a lock in /run/lock),
# whatever the clone.
# The in-VM commands are single-quoted on purpose: they expand in the VM.
# shellcheck disable=SC2016
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
RUN=$ROOT/selftests/vm/run.sh
VERSION=$(cat VERSION)
LOCK=/run/lock/kabiguard-dkms-test.lock
MOK=(/var/lib/dkms/mok.key /var/lib/dkms/mok.pub)

# shellcheck source=selftests/lib/tap.sh
. "$ROOT/selftests/lib/tap.sh"

[ "$(id -u)" -eq 0 ] || bail "running as root (dkms installs for the whole machine)"
command -v dkms >/dev/null || bail "dkms is installed (scripts/install-deps.sh)"
if [ $# -gt 0 ]; then KVERS=("$@"); else mapfile -t KVERS < <(scripts/kernels.sh); fi
[ ${#KVERS[@]} -gt 0 ] || bail "the matrix names a kernel"

TMP=$(mktemp -d /tmp/kg-dkms.XXXXXX)
exec 9>"$LOCK"
if ! flock -n 9; then
	echo "# waiting for another dkms_test.sh run on this machine" >&2
	flock 9
fi
# The kernel root of each kernel ("/" for the host's own).
declare -A KROOT
for k in "${KVERS[@]}"; do
	KROOT[$k]=$(bash -c '. scripts/kernel-lib.sh && kg_kroot "$1"' sh "$k") ||
		bail "$k is set up (scripts/setup-kernels.sh $k)"
	r=${KROOT[$k]%/}
	if [ -n "$(scripts/kroot.sh "$k" dkms status -m kabiguard 2>/dev/null)" ] ||
		[ -e "$r/usr/src/kabiguard-$VERSION" ]; then
		echo "# $k: dkms status: $(scripts/kroot.sh "$k" dkms status -m kabiguard 2>&1)"
		bail "$k: kabiguard is not installed through dkms already (an admin's installation is never touched)"
	fi
done

# What dkms leaves behind in a kernel root: MOK keys made for this run.
mok_made=()
for k in "${KVERS[@]}"; do
	for f in "${MOK[@]}"; do
		f=${KROOT[$k]%/}$f
		[ -e "$f" ] || mok_made+=("$f")
	done
done
# shellcheck disable=SC2317 # called through trap
cleanup() {
	local k r
	for k in "${KVERS[@]}"; do
		r=${KROOT[$k]%/}
		scripts/kroot.sh "$k" make -s dkms-uninstall >/dev/null 2>&1
		rm -rf "$r/usr/src/kabiguard-$VERSION"
		rmdir "$r/var/lib/dkms/kabiguard" 2>/dev/null
	done
	if [ ${#mok_made[@]} -gt 0 ]; then rm -f "${mok_made[@]}"; fi
	rm -rf "$TMP"
}
trap cleanup EXIT

# The objects of this tree, built as the other tests build them: dkms
# must produce the same module (same srcversion: a hash of the sources).
for k in "${KVERS[@]}"; do
	if [ ! -e "build/$k/src/kmod/kabiguard.ko" ] ||
		[ ! -e "build/$k/src/selftests/kabiguard/test_modules/kg_exporter.ko" ]; then
		scripts/build-kernel-objs.sh "$k" >&2 || { not_ok "build-kernel-objs.sh $k"; tap_end; }
	fi
done
if [ ! -x userspace/kabiguardctl ]; then
	make -s -C userspace >&2 || { not_ok "make -C userspace"; tap_end; }
fi

for k in "${KVERS[@]}"; do
	r=${KROOT[$k]%/}
	echo "# $k (kernel root ${KROOT[$k]}): make dkms-install DKMS_KERNELS=$k"
	log=$(mktemp)
	if scripts/kroot.sh "$k" make dkms-install DKMS_KERNELS="$k" >"$log" 2>&1; then
		ok "$k: make dkms-install: dkms add, build and install"
	else
		not_ok "$k: make dkms-install: dkms add, build and install"
		sed 's/^/# /' "$log"
		tail -n 30 "$r/var/lib/dkms/kabiguard/$VERSION/build/make.log" 2>/dev/null | sed 's/^/# make.log: /'
	fi
	# dkms 3.2 (trixie's) writes a post-build script's output to the
	# build's make.log; older ones print it.
	mlog=$(echo "$r/var/lib/dkms/kabiguard/$VERSION/$k"/*/log/make.log)
	grep -h '^kabiguard: ' "$log" "$mlog" 2>/dev/null | sed 's/^/# /'
	check "$k: dkms ran POST_BUILD, dkms-post-build (its kabiguard: line in dkms's output or make.log)" \
		grep -qs '^kabiguard: ' "$log" "$mlog"
	rm -f "$log"
	check "$k: sources in /usr/src/kabiguard-$VERSION have dkms.conf, Kbuild, kmod/, include/" \
		test -e "$r/usr/src/kabiguard-$VERSION/dkms.conf" -a -e "$r/usr/src/kabiguard-$VERSION/Kbuild" \
		-a -e "$r/usr/src/kabiguard-$VERSION/kmod/main.c" -a -d "$r/usr/src/kabiguard-$VERSION/include/uapi"
	st=$(scripts/kroot.sh "$k" dkms status -m kabiguard -v "$VERSION" -k "$k" 2>/dev/null)
	echo "# dkms status: $st"
	check "$k: dkms status: installed" grep -q ': installed' <<<"$st"
	ko=$(cd "$r/" && find "lib/modules/$k/updates/dkms" -name 'kabiguard.ko*' 2>/dev/null | head -n1)
	ko=${ko:+/$ko}
	if [ -n "$ko" ]; then ok "$k: installed as $ko"; else not_ok "$k: no kabiguard.ko* in /lib/modules/$k/updates/dkms"; continue; fi
	want=$(modinfo -F srcversion "build/$k/src/kmod/kabiguard.ko")
	got=$(modinfo -F srcversion "$r$ko")
	check "$k: srcversion $got is the tree's ($want)" test -n "$got" -a "$got" = "$want"
	check "$k: version $(modinfo -F version "$r$ko") is VERSION ($VERSION)" test "$(modinfo -F version "$r$ko")" = "$VERSION"
	check "$k: vermagic is $k's" grep -q "^$k " <<<"$(modinfo -F vermagic "$r$ko")"
	check "$k: depmod lists it in modules.dep" grep -q "^${ko#/lib/modules/"$k"/}:" "$r/lib/modules/$k/modules.dep"
	# A stablelist of what kg_consumer_ok imports (its undefined symbols:
	# 7.x modules have no __versions to read).
	{
		echo "[dkms_test_stablelist]"
		nm -u "build/$k/src/selftests/kabiguard/test_modules/kg_consumer_ok.ko" |
			awk '$1 == "U" { printf "\t%s\n", $2 }'
	} >"$TMP/list-$k"

	# The guest gets the host's modules.dep, so modprobe finds the dkms
	# copy where dkms put it, and nothing else called kabiguard.
	out=$("$RUN" -k "$k" -t 600 -a "$r$ko:$ko" -a "$TMP/list-$k:/tmp/list" -- '
SRCV='"$want"' VER='"$VERSION"' KO='"$ko"'
TM=/kabiguard/test_modules
rm -f /kabiguard/kabiguard.ko
r() { if "$@"; then echo "ok - $D"; else echo "not ok - $D"; fi; }
D="modprobe kabiguard"; r modprobe kabiguard
D="modprobe used the dkms file ($(modinfo -n kabiguard))"; r test "$(modinfo -n kabiguard)" = "$KO"
D="loaded srcversion is the tree'"'"'s"; r test "$(cat /sys/module/kabiguard/srcversion)" = "$SRCV"
D="loaded version is $VER"; r test "$(cat /sys/module/kabiguard/version)" = "$VER"
insmod $TM/kg_exporter.ko
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

	echo "# $k: make dkms-uninstall"
	scripts/kroot.sh "$k" make -s dkms-uninstall >/dev/null 2>&1
	check "$k: dkms-uninstall: dkms knows no kabiguard" \
		test -z "$(scripts/kroot.sh "$k" dkms status -m kabiguard 2>/dev/null)"
	check "$k: dkms-uninstall: /usr/src/kabiguard-$VERSION removed" test ! -e "$r/usr/src/kabiguard-$VERSION"
	check "$k: no kabiguard.ko left under updates/dkms" \
		test -z "$(find "$r/lib/modules/$k/updates/dkms" -name 'kabiguard.ko*' 2>/dev/null)"
	check "$k: modules.dep no longer lists kabiguard" \
		sh -c "! grep -q kabiguard.ko '$r/lib/modules/$k/modules.dep'"
done
tap_end
