#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install_test.sh [KVER...]: `make install`, `make uninstall`, `make
# install-module` and `make dkms-install` into scratch DESTDIRs, from a
# scratch copy of the tree (so no object lands in this one), checking each
# installed path.  If the tree has no daemon yet, the copy gets a stand-in
# userspace/daemon/kabiguardd and unit, to check how they would install.
# The module is installed for each KVER (default: scripts/kernels.sh).
# The real dkms run is dkms_test.sh.  TAP output.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ $# -gt 0 ]; then KVERS=("$@"); else mapfile -t KVERS < <("$ROOT/scripts/kernels.sh"); fi
TMP=$(mktemp -d /tmp/kg-install.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
SRC=$TMP/src
# The copy has no build/: its kernel scripts use this tree's kernel roots.
export KG_KROOT_DIR=$ROOT/build/kroot

# shellcheck source=selftests/lib/tap.sh
. "$ROOT/selftests/lib/tap.sh"
# mk DESC LOG ARGS...: make -C SRC ARGS, output to LOG (shown on failure)
mk() {
	local d=$1 log=$2
	shift 2
	if make -C "$SRC" "$@" >"$log" 2>&1; then
		ok "$d"
	else
		not_ok "$d"
		tail -n 30 "$log" | sed 's/^/# /'
	fi
}

# The tree as a fresh clone has it, without build/ and objects.
mkdir -p "$SRC"
(cd "$ROOT" && tar -cf - --exclude=./build --exclude=.git --exclude='*.o' \
	--exclude='*.ko' --exclude='.*.cmd' --exclude=.obj-san --exclude='.obj-*' .) |
	tar -xf - -C "$SRC"
# The userspace objects are kept (make sees them up to date): this test is
# about paths, not about building the tools again.
[ ! -d "$ROOT/userspace/.obj" ] || cp -a "$ROOT/userspace/.obj" "$SRC/userspace/"
# Stand-ins for the daemon and its unit while the tree has none built.
fake_daemon=
if [ ! -x "$ROOT/userspace/kabiguardd" ] && [ ! -f "$ROOT/userspace/daemon/kabiguardd" ]; then
	fake_daemon=1
	mkdir -p "$SRC/userspace/daemon"
	printf '#!/bin/sh\n' >"$SRC/userspace/daemon/kabiguardd"
	chmod 755 "$SRC/userspace/daemon/kabiguardd"
else
	[ ! -x "$ROOT/userspace/kabiguardd" ] || cp -p "$ROOT/userspace/kabiguardd" "$SRC/userspace/"
fi
if ! compgen -G "$ROOT/userspace/systemd/*.service" >/dev/null; then
	mkdir -p "$SRC/userspace/systemd"
	printf '[Service]\nExecStart=/usr/sbin/kabiguardd\n' >"$SRC/userspace/systemd/kabiguardd.service"
fi

# --- make install, PREFIX=/usr (the default)
D=$TMP/root
mk "make install DESTDIR=..." "$TMP/install.log" install DESTDIR="$D"
check "kabiguardctl in /usr/sbin, executable" test -x "$D/usr/sbin/kabiguardctl"
check "kabiguardd in /usr/sbin$([ -z "$fake_daemon" ] || echo ' (stand-in)')" test -x "$D/usr/sbin/kabiguardd"
for u in "$SRC"/userspace/systemd/*.service; do
	check "unit ${u##*/} in /usr/lib/systemd/system" test -f "$D/usr/lib/systemd/system/${u##*/}"
done
for m in "$SRC"/userspace/doc/*.[1-8]; do
	b=${m##*/}
	check "man page $b in /usr/share/man/man${b##*.}" cmp -s "$m" "$D/usr/share/man/man${b##*.}/$b"
done
check "/etc/kabiguard/kabiguard.conf: audit mode, no lock" \
	sh -c "grep -qx 'mode = audit' '$D/etc/kabiguard/kabiguard.conf' && grep -qx 'lock = no' '$D/etc/kabiguard/kabiguard.conf'"
check "/etc/kabiguard/policy.d/00-signed.policy: any signed-only in-tree" grep -qx 'any signed-only in-tree' "$D/etc/kabiguard/policy.d/00-signed.policy"
check "kabiguardctl load --dry-run accepts policy.d" "$D/usr/sbin/kabiguardctl" load --dry-run "$D"/etc/kabiguard/policy.d/*
if [ -z "$fake_daemon" ]; then
	# The daemon itself reads the default configuration (its policy_dir
	# pointed at the scratch root's).
	sed "s|^policy_dir = /|policy_dir = $D/|" "$D/etc/kabiguard/kabiguard.conf" >"$TMP/kg.conf"
	if out=$("$D/usr/sbin/kabiguardd" --check -c "$TMP/kg.conf" 2>&1); then
		ok "kabiguardd --check accepts the default kabiguard.conf"
	else
		not_ok "kabiguardd --check accepts the default kabiguard.conf"
	fi
	printf '%s\n' "$out" | sed 's/^/# /'
fi
check "/etc/modules-load.d/kabiguard.conf loads kabiguard" grep -qx kabiguard "$D/etc/modules-load.d/kabiguard.conf"
check "/etc/modprobe.d/kabiguard.conf sets mode=audit" grep -qx 'options kabiguard mode=audit' "$D/etc/modprobe.d/kabiguard.conf"
for h in postinst.d header_postinst.d; do
	check "/etc/kernel/$h/zz-kabiguard runs the installed upgrade check" \
		bash -c '[ -x "$1" ] && grep -qx "exec /usr/lib/kabiguard/kabiguard-upgrade-check \"\$1\"" "$1"' \
		_ "$D/etc/kernel/$h/zz-kabiguard"
done
check "/usr/lib/kabiguard/kabiguard-upgrade-check is installed, executable" \
	test -x "$D/usr/lib/kabiguard/kabiguard-upgrade-check"
check "no file outside /usr/sbin, /usr/lib/systemd, /usr/lib/kabiguard, /usr/share/man, /usr/share/kabiguard, /etc" \
	test -z "$(cd "$D" && find . -type f | grep -vE '^\./(usr/sbin|usr/lib/systemd/system|usr/lib/kabiguard|usr/share/man|usr/share/kabiguard|etc)/')"

# A second install keeps the admin's configuration.
echo "mode = enforce" >"$D/etc/kabiguard/kabiguard.conf"
mk "make install again" "$TMP/install2.log" install DESTDIR="$D"
check "second install kept the edited kabiguard.conf" grep -qx 'mode = enforce' "$D/etc/kabiguard/kabiguard.conf"

mk "make uninstall" "$TMP/uninstall.log" uninstall DESTDIR="$D"
check "uninstall left only /etc/kabiguard" \
	test -z "$(cd "$D" && find . -type f | grep -v '^\./etc/kabiguard/')"

# --- PREFIX=/usr/local: the unit points at the installed daemon.
D=$TMP/local
mk "make install PREFIX=/usr/local" "$TMP/install3.log" install DESTDIR="$D" PREFIX=/usr/local
check "kabiguardctl in /usr/local/sbin" test -x "$D/usr/local/sbin/kabiguardctl"
check "man pages in /usr/local/share/man" test -e "$D/usr/local/share/man/man8/kabiguardctl.8"
for u in "$SRC"/userspace/systemd/*.service; do
	check "${u##*/} in /usr/local/lib/systemd/system runs /usr/local/sbin/..." \
		sh -c "grep -q '/usr/local/sbin/' '$D/usr/local/lib/systemd/system/${u##*/}' &&
			! grep -q '=/usr/sbin/' '$D/usr/local/lib/systemd/system/${u##*/}'"
done

# --- the module for each kernel
for k in "${KVERS[@]}"; do
	D=$TMP/mod-$k
	mk "make install-module KVER=$k" "$TMP/mod-$k.log" install-module KVER="$k" DESTDIR="$D"
	ko=$(find "$D/lib/modules/$k/extra" -name 'kabiguard.ko*' 2>/dev/null | head -n1)
	check "$k: module under /lib/modules/$k/extra (${ko#"$D"})" test -n "$ko"
	check "$k: its vermagic is $k's" sh -c "modinfo -F vermagic '$ko' | grep -q '^$k '"
	check "$k: no SSL error from signing without a key" sh -c "! grep -qi 'SSL error' '$TMP/mod-$k.log'"
	make -C "$SRC" module-clean KVER="$k" >/dev/null 2>&1
done

# --- dkms sources, as a package would ship them
D=$TMP/dkms
V=$(cat "$SRC/VERSION")
mk "make dkms-install DESTDIR=... (sources only)" "$TMP/dkms.log" dkms-install DESTDIR="$D"
S=$D/usr/src/kabiguard-$V
check "/usr/src/kabiguard-$V: dkms.conf dkms-post-build VERSION Kbuild kmod/ include/, nothing else" \
	test "$(cd "$S" && find . -mindepth 1 -maxdepth 1 -printf '%f ' | tr ' ' '\n' | LC_ALL=C sort | tr '\n' ' ')" = "Kbuild VERSION dkms-post-build dkms.conf include kmod "
check "dkms-post-build is executable (dkms runs POST_BUILD only then)" test -x "$S/dkms-post-build"
check "no objects in the dkms sources" test -z "$(find "$S" -name '*.o' -o -name '*.ko' -o -name '.*.cmd')"
check "dkms.conf reads PACKAGE_VERSION $V from VERSION" \
	test "$(cd / && bash -c '. "$1"; echo "$PACKAGE_NAME/$PACKAGE_VERSION"' sh "$S/dkms.conf")" = "kabiguard/$V"
check "MODULE_VERSION in kmod/main.c is KABIGUARD_VERSION (from VERSION)" \
	grep -q '^MODULE_VERSION(KABIGUARD_VERSION);' "$S/kmod/main.c"

tap_end
