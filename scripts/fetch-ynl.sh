#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-ynl.sh: the kernel's YNL tooling for scripts/spec-check.py, taken
# at set-up time (scripts/install-deps.sh) from Debian's linux-source of
# the matrix's 6.12 series, through the project-local apt configuration
# of scripts/kernel-lib.sh (never the host's /etc/apt).  Only these are
# extracted, into build/ynl/ with their kernel-tree paths (never
# committed: kernel code stays in Debian's package):
#
#   tools/net/ynl/                  ynl-gen-c.py and its lib/
#   Documentation/netlink/*.yaml    the YNL schemas (genetlink-legacy.yaml)
#
# Idempotent: nothing is fetched once build/ynl/.kg-ready exists.
set -euo pipefail

KG_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/kernel-lib.sh
. "$KG_ROOT/scripts/kernel-lib.sh"

# The series whose linux-source carries the tooling, and its suite.
YNL_SERIES=6.12

# kg_ynl_fetch DEST: fetch and extract the tooling into DEST.
kg_ynl_fetch() {
	local dest=$1 suite pkg tmp top
	[ -e "$dest/.kg-ready" ] && return 0
	read -r suite _ <<<"$(kg_series_info "$YNL_SERIES")"
	pkg=linux-source-$YNL_SERIES
	top=linux-source-$YNL_SERIES
	kg_apt_update "$suite" || return 1
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064 # expand $tmp now
	trap "rm -rf '$tmp'" EXIT
	echo "fetch-ynl: downloading $pkg ($suite) for tools/net/ynl" >&2
	(cd "$tmp" && kg_apt "$suite" apt-get download -q \
		-o APT::Sandbox::User=root "$pkg" >&2) || {
		echo "fetch-ynl: apt-get download $pkg failed" >&2
		return 1
	}
	local deb ver
	deb=$(echo "$tmp"/"$pkg"_*.deb)
	ver=$(dpkg-deb -f "$deb" Version)
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "./usr/src/$top.tar.xz"
	rm -f "$deb"
	tar -xJf "$tmp/usr/src/$top.tar.xz" -C "$tmp" --wildcards \
		"$top/tools/net/ynl" "$top/Documentation/netlink/*.yaml"
	local f
	for f in tools/net/ynl/ynl-gen-c.py Documentation/netlink/genetlink-legacy.yaml; do
		[ -e "$tmp/$top/$f" ] || {
			echo "fetch-ynl: $pkg has no $f" >&2
			return 1
		}
	done
	rm -rf "$dest"
	mkdir -p "$dest/tools/net" "$dest/Documentation/netlink"
	mv "$tmp/$top/tools/net/ynl" "$dest/tools/net/"
	mv "$tmp/$top"/Documentation/netlink/*.yaml "$dest/Documentation/netlink/"
	echo "$pkg $ver" >"$dest/.kg-ready"
}

kg_ynl_fetch "${1:-$KG_ROOT/build/ynl}"
