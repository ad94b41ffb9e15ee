#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything the build and the tests need on a Debian bookworm
# machine (run as root), extract the few kernel-tree files the tests use
# from linux-source-6.1 into build/, the kernel's YNL tooling from
# linux-source-6.12 into build/ynl (scripts/fetch-ynl.sh), then set up the
# test kernels
# (scripts/setup-kernels.sh: the matrix, or $KERNELS).  Idempotent: apt is
# only called when a package is missing, tar only when a file is missing,
# a kernel root only made when its kernel is new.
#
# --debug-kernel: for `make check-debug` instead (scripts/debug-kernel.sh
# builds a kernel from linux-source-6.1): the packages, the kernel build's
# tools too, and no matrix kernel.
set -euo pipefail
DEBUG_KERNEL=
case ${1:-} in
--debug-kernel) DEBUG_KERNEL=1 ;;
"") ;;
*) echo "usage: install-deps.sh [--debug-kernel]" >&2; exit 1 ;;
esac

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRC_TAR=/usr/src/linux-source-6.1.tar.xz
SRC_TOP=linux-source-6.1

PKGS=(
	# the test kernels come from scripts/setup-kernels.sh; the chroots of
	# the other suites' kernels from mmdebstrap
	mmdebstrap
	# toolchain, static checkers
	build-essential bc pkg-config sparse perl
	# userspace libraries (libsystemd: kabiguardd's journal entries)
	libnl-3-dev libnl-genl-3-dev libkmod-dev zlib1g-dev liblzma-dev
	libsystemd-dev
	# offline checker: modules (libelf: ELF, extended modversions; libzstd:
	# .ko.zst), symsets tarballs, fuzzers (libFuzzer), its tests
	libelf-dev libzstd-dev libarchive-dev clang libclang-rt-14-dev jq
	# JSON output validated against its schemas (userspace/doc/schema),
	# duplicate keys rejected, by /usr/bin/python3 (tests/jsoncheck.py)
	python3-jsonschema
	# scripts/spec-check.py and the kernel's ynl-gen-c.py read YAML
	python3-yaml
	# VM runner: qemu, initramfs contents and compression
	qemu-system-x86 busybox-static kmod cpio gzip xz-utils zstd
	# the Debian test guest (scripts/guest-image.sh): its disk overlays
	qemu-utils
	# signed_test.sh: UEFI firmware, whose db variable holds the test key
	ovmf openssl
	# kselftest harness and checkpatch come from the kernel source
	linux-source-6.1
	# installation tests: dkms, and the man page linters
	dkms groff-base mandoc man-db
	# packages: Debian's (debhelper, dh_dkms, lintian) and the RPM spec's
	debhelper dh-dkms dpkg-dev fakeroot lintian rpm rpmlint
	# make bench: nft, run in the guests as the anchor of a large policy load
	nftables
)
# A kernel build: its parser generators and, for module signing,
# libssl-dev (objtool's libelf-dev is in the list already).
[ -z "$DEBUG_KERNEL" ] || PKGS+=(bison flex libssl-dev)

missing=()
for p in "${PKGS[@]}"; do
	case $p in \#*) continue ;; esac
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: missing packages: ${missing[*]} (run as root)" >&2
		exit 1
	fi
	echo "install-deps: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
else
	echo "install-deps: all packages present" >&2
fi

# Extract files from the kernel source tarball in one pass (it is a
# ~140 MB xz; this takes a while, so skip when everything is there).
# Files: "<member path below linux-source-6.1/> <destination dir>".
FILES=(
	"tools/testing/selftests/kselftest_harness.h build/kselftest"
	"tools/testing/selftests/kselftest.h build/kselftest"
	"scripts/checkpatch.pl build/checkpatch"
	"scripts/spelling.txt build/checkpatch"
	"scripts/const_structs.checkpatch build/checkpatch"
)
members=()
for f in "${FILES[@]}"; do
	read -r m d <<<"$f"
	[ -s "$ROOT/$d/$(basename "$m")" ] || members+=("$SRC_TOP/$m")
done
if [ ${#members[@]} -gt 0 ]; then
	[ -r "$SRC_TAR" ] || { echo "install-deps: $SRC_TAR not found" >&2; exit 1; }
	echo "install-deps: extracting ${#members[@]} file(s) from $SRC_TAR" >&2
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	tar -xJf "$SRC_TAR" -C "$tmp" "${members[@]}"
	for f in "${FILES[@]}"; do
		read -r m d <<<"$f"
		if [ -e "$tmp/$SRC_TOP/$m" ]; then
			mkdir -p "$ROOT/$d"
			mv "$tmp/$SRC_TOP/$m" "$ROOT/$d/"
		fi
	done
	chmod +x "$ROOT/build/checkpatch/checkpatch.pl"
fi

# promtool (Debian's prometheus package), which the guest test runs on
# kabiguardd's metrics file: only the binary, unpacked into build/promtool,
# so that no Prometheus server gets installed and started here.
if [ ! -x "$ROOT/build/promtool/promtool" ]; then
	echo "install-deps: unpacking promtool from the prometheus package" >&2
	ptmp=$(mktemp -d)
	(cd "$ptmp" && apt-get download -q prometheus >&2)
	dpkg-deb --fsys-tarfile "$ptmp"/prometheus_*.deb |
		tar -x -C "$ptmp" ./usr/bin/promtool
	mkdir -p "$ROOT/build/promtool"
	mv "$ptmp/usr/bin/promtool" "$ROOT/build/promtool/promtool"
	rm -rf "$ptmp"
fi

# The kernel's YNL tooling for scripts/spec-check.py (tools/net/ynl and
# the netlink schemas from Debian's linux-source-6.12, into build/ynl).
[ -n "$DEBUG_KERNEL" ] || "$ROOT/scripts/fetch-ynl.sh"

# The test kernels: fail early if one cannot be set up.
[ -n "$DEBUG_KERNEL" ] || "$ROOT/scripts/setup-kernels.sh" >/dev/null
