#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# package_test.sh [KVER|SERIES]: the distribution packages, built from a
# scratch copy of the tracked files as a packager would:
#   - dpkg-buildpackage builds kabiguard and kabiguard-dkms, lintian
#     finds no error and no warning; each package holds what an admin
#     needs (tools, daemon, unit, man pages, conffiles, the kernel upgrade
#     hooks, logrotate's configuration; the module source with its
#     dkms.conf and the maintainer scripts that register it, the initramfs
#     hooks and the trigger that runs update-initramfs), and
#     the module source in kabiguard-dkms builds against KVER's headers;
#   - rpmbuild builds the source RPM from rpm/kabiguard.spec, rpmlint
#     accepts the spec and the SRPM (filters with their reasons in
#     rpm/kabiguard.rpmlintrc), and a binary build (--nodeps, the RHEL
#     build root's macros defined here) packages the same files;
#   - the versions agree: VERSION, debian/changelog, the spec.
# KVER defaults to the 6.1 series (a host kernel).  TAP output.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KVER=$("$ROOT/scripts/kernels.sh" "${1:-6.1}") || exit 1
VERSION=$(cat "$ROOT/VERSION")

# shellcheck source=selftests/lib/tap.sh
. "$ROOT/selftests/lib/tap.sh"

for tool in dpkg-buildpackage dh_dkms lintian rpmbuild rpmlint git; do
	command -v "$tool" >/dev/null ||
		{ echo "package_test: $tool missing (scripts/install-deps.sh)" >&2; exit 1; }
done

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
SRC=$TMP/kabiguard-$VERSION
mkdir -p "$SRC"
(cd "$ROOT" && git ls-files -z | xargs -0 cp --parents -t "$SRC") ||
	{ echo "package_test: cannot copy the tracked files" >&2; exit 1; }

# The RPM's Source0, as `git archive --prefix=kabiguard-VERSION/` makes it,
# before the Debian build leaves its objects in the copy.
RPMTOP=$TMP/rpm
mkdir -p "$RPMTOP/SOURCES"
tar -C "$TMP" -czf "$RPMTOP/SOURCES/kabiguard-$VERSION.tar.gz" "kabiguard-$VERSION"

tap_begin

# --- versions
deb_version=$(cd "$SRC" && dpkg-parsechangelog -SVersion)
rpm_version=$(sed -n 's/^Version:[[:space:]]*//p' "$SRC/rpm/kabiguard.spec")
check_diag "debian/changelog's version ($deb_version) is VERSION ($VERSION)" \
	test "$deb_version" = "$VERSION"
check_diag "the spec's version ($rpm_version) is VERSION ($VERSION)" \
	test "$rpm_version" = "$VERSION"

# --- Debian packages
if (cd "$SRC" && dpkg-buildpackage -us -uc -b) >"$TMP/deb.log" 2>&1; then
	ok "dpkg-buildpackage builds the packages"
else
	not_ok "dpkg-buildpackage builds the packages"
	tail -n 30 "$TMP/deb.log" | sed 's/^/# /'
fi
DEB=$TMP/kabiguard_${VERSION}_amd64.deb
DKMS_DEB=$TMP/kabiguard-dkms_${VERSION}_all.deb
check_diag "lintian: no error, no warning" \
	lintian --fail-on error,warning "$TMP/kabiguard_${VERSION}_amd64.changes"

# has_files DEB PATH...: every PATH is in DEB
has_files() {
	local deb=$1 list p missing=0
	shift
	list=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|') || return 1
	for p in "$@"; do
		grep -qxF "$p" <<<"$list" || { echo "missing $p"; missing=1; }
	done
	return "$missing"
}
check_diag "kabiguard holds the tools, the unit and the man pages" \
	has_files "$DEB" /usr/sbin/kabiguardctl /usr/sbin/kabiguardd \
	/lib/systemd/system/kabiguardd.service \
	/usr/share/man/man8/kabiguardctl.8.gz /usr/share/man/man8/kabiguardd.8.gz \
	/usr/share/man/man8/kabiguardctl-check.8.gz \
	/usr/share/man/man5/kabiguard-policy.5.gz /usr/share/man/man5/kabiguard.conf.5.gz \
	/usr/share/man/man8/kabiguard-upgrade-check.8.gz \
	/usr/lib/kabiguard/kabiguard-upgrade-check \
	/usr/share/kabiguard/schema/event.schema.json \
	/usr/share/kabiguard/schema/check.schema.json
conffiles=$(dpkg-deb -f "$DEB" Package >/dev/null 2>&1 &&
	dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./conffiles 2>/dev/null)
want_conf="/etc/kabiguard/kabiguard.conf
/etc/kabiguard/policy.d/00-signed.policy
/etc/kernel/header_postinst.d/zz-kabiguard
/etc/kernel/postinst.d/zz-kabiguard
/etc/logrotate.d/kabiguard
/etc/modprobe.d/kabiguard.conf
/etc/modules-load.d/kabiguard.conf"
check_diag "kabiguard's configuration files are conffiles" \
	test "$(sort <<<"$conffiles")" = "$want_conf"
postinst=$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./postinst 2>/dev/null)
check_diag "kabiguard enables kabiguardd.service for the next boot" \
	grep -q 'deb-systemd-helper.*enable.*kabiguardd.service' <<<"$postinst"

dkms_src=/usr/src/kabiguard-$VERSION
check_diag "kabiguard-dkms holds the module source and its dkms.conf" \
	has_files "$DKMS_DEB" "$dkms_src/dkms.conf" "$dkms_src/dkms-post-build" "$dkms_src/VERSION" \
	"$dkms_src/Kbuild" "$dkms_src/kmod/Kbuild" "$dkms_src/kmod/main.c" \
	"$dkms_src/include/uapi/linux/kabiguard.h"
check_diag "kabiguard-dkms carries no build products" \
	bash -c "! dpkg-deb -c '$DKMS_DEB' | grep -E '\\.(o|ko|mod|cmd)\$'"
dkms_postinst=$(dpkg-deb --ctrl-tarfile "$DKMS_DEB" | tar -xO ./postinst 2>/dev/null)
check_diag "kabiguard-dkms registers the module with dkms when installed" \
	bash -c 'grep -q "^DKMS_NAME=kabiguard\$" <<<"$1" &&
		grep -q "^DKMS_VERSION=$2\$" <<<"$1" &&
		grep -q "/usr/lib/dkms/common.postinst" <<<"$1"' _ "$dkms_postinst" "$VERSION"
check_diag "kabiguard-dkms holds the initramfs-tools hook and script and the dracut module" \
	has_files "$DKMS_DEB" /usr/share/initramfs-tools/hooks/kabiguard \
	/usr/share/initramfs-tools/scripts/init-top/kabiguard \
	/usr/lib/dracut/modules.d/90kabiguard/module-setup.sh \
	/usr/lib/dracut/modules.d/90kabiguard/kabiguard-load.sh
check_diag "kabiguard-dkms activates update-initramfs (install, removal, purge)" \
	bash -c "dpkg-deb --ctrl-tarfile '$DKMS_DEB' | tar -xO ./triggers |
		grep -qx 'activate-noawait update-initramfs'"
check_diag "kabiguard-dkms depends on dkms" \
	grep -q '^ *Depends:.*dkms' < <(dpkg-deb -I "$DKMS_DEB")
mkdir -p "$TMP/dkms-root"
dpkg-deb -x "$DKMS_DEB" "$TMP/dkms-root"
check_diag "the packaged module source builds against $KVER" \
	"$ROOT/scripts/kmake.sh" "$KVER" M="$TMP/dkms-root$dkms_src" modules
check_diag "the build made kabiguard.ko" test -e "$TMP/dkms-root$dkms_src/kmod/kabiguard.ko"

# --- RPM
check_diag "rpmbuild builds the source RPM" \
	rpmbuild -bs --define "_topdir $RPMTOP" "$SRC/rpm/kabiguard.spec"
SRPM=$RPMTOP/SRPMS/kabiguard-$VERSION-1.src.rpm
check_diag "rpmlint accepts the spec and the source RPM" \
	rpmlint -r "$SRC/rpm/kabiguard.rpmlintrc" "$SRC/rpm/kabiguard.spec" "$SRPM"
# What a RHEL build root provides (redhat-rpm-config, systemd-rpm-macros).
if rpmbuild -bb --nodeps --define "_topdir $RPMTOP" \
	--define 'build_ldflags -Wl,-z,relro -Wl,-z,now' \
	--define '_unitdir /usr/lib/systemd/system' \
	--define 'systemd_post :' --define 'systemd_preun :' \
	--define 'systemd_postun :' "$SRC/rpm/kabiguard.spec" >"$TMP/rpm.log" 2>&1; then
	ok "rpmbuild builds the binary RPMs"
else
	not_ok "rpmbuild builds the binary RPMs"
	tail -n 30 "$TMP/rpm.log" | sed 's/^/# /'
fi
rpm_files=$(rpm -qlp "$RPMTOP"/RPMS/*/kabiguard-*.rpm 2>/dev/null)
check_diag "the RPMs hold the tools, the unit, the configuration and the module source" \
	bash -c 'for f in /usr/sbin/kabiguardctl /usr/sbin/kabiguardd \
		/usr/lib/systemd/system/kabiguardd.service \
		/etc/kabiguard/kabiguard.conf /etc/kabiguard/policy.d/00-signed.policy \
		/etc/kernel/postinst.d/zz-kabiguard /usr/libexec/kabiguard/kabiguard-upgrade-check \
		/etc/logrotate.d/kabiguard /usr/lib/dracut/modules.d/90kabiguard/module-setup.sh \
		'"$dkms_src/dkms.conf $dkms_src/kmod/main.c"'; do
		grep -qxF "$f" <<<"$1" || { echo "missing $f"; exit 1; }; done' _ "$rpm_files"

tap_end
