# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# kernel-lib.sh: sourced by the scripts that need the test kernels.  The
# kernel matrix, where each kernel comes from, and where it lives once
# set up (scripts/setup-kernels.sh):
#
#   series  suite (apt sources)                      version from
#   5.10    bullseye, bullseye-security              linux-headers-amd64
#   6.1     bookworm, -updates, -security            linux-headers-amd64
#   6.12    bookworm, -updates, -security            linux-headers-6.12-amd64
#   7.3     trixie, trixie-security, -backports      linux-headers-amd64
#
# The version is read from the metapackage's dependency in the archive's
# own package lists, never written in the tree: Debian moves its point
# releases every few weeks.  The lists come from a project-local apt
# configuration (build/apt/SUITE/), never the host's /etc/apt.  Snapshot
# suites can be past their Valid-Until date: signatures are still checked.
#
# Kernel roots: a kernel of the host's own suite (bookworm) is installed
# on the host with apt, and its root is "/".  Any other kernel gets a
# minimal chroot of its own suite, build/kroot/KVER (mmdebstrap: its
# headers, its compiler, make, binutils, kmod, dkms), with the image and
# the modules unpacked into it: the module is then built by the compiler
# that built the kernel.  Either way, KROOT/lib/modules/KVER/ holds the
# modules, their indices and `build`, and the kernel image is
# KROOT/boot/vmlinuz-KVER or KROOT/lib/modules/KVER/vmlinuz (7.x).

KG_ROOT=${KG_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# Where the kernel roots are; a scratch copy of the tree (install_test.sh)
# points it at the real tree's.
KG_KROOT_DIR=${KG_KROOT_DIR:-$KG_ROOT/build/kroot}
KG_MIRROR=${KG_MIRROR:-http://deb.debian.org/debian}
KG_SECURITY_MIRROR=${KG_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
# The matrix `make check` runs; KERNELS narrows it for local work.
KG_MATRIX="5.10 6.1 6.12 7.3"
# shellcheck disable=SC2034 # for the scripts that source this file
KG_HOST_SUITE=bookworm

# kg_series_info SERIES: "SUITE METAPACKAGE", or fail for an unknown series.
kg_series_info() {
	case $1 in
	5.10) echo "bullseye linux-headers-amd64" ;;
	6.1) echo "bookworm linux-headers-amd64" ;;
	6.12) echo "bookworm linux-headers-6.12-amd64" ;;
	7.3) echo "trixie-backports linux-headers-amd64" ;;
	*)
		echo "kernel-lib: unknown kernel series '$1' (known: $KG_MATRIX)" >&2
		return 1
		;;
	esac
}

# kg_suite_sources SUITE: the one-line apt sources of SUITE.
kg_suite_sources() {
	case $1 in
	bullseye | bookworm)
		echo "deb $KG_MIRROR $1 main"
		echo "deb $KG_MIRROR $1-updates main"
		echo "deb $KG_SECURITY_MIRROR $1-security main"
		;;
	trixie-backports)
		echo "deb $KG_MIRROR trixie main"
		echo "deb $KG_MIRROR trixie-updates main"
		echo "deb $KG_SECURITY_MIRROR trixie-security main"
		echo "deb $KG_MIRROR trixie-backports main"
		;;
	*)
		echo "kernel-lib: no apt sources for suite '$1'" >&2
		return 1
		;;
	esac
}

# kg_chroot_suite SUITE: the suite to mmdebstrap for SUITE's kernels.
kg_chroot_suite() {
	case $1 in
	*-backports) echo "${1%-backports}" ;;
	*) echo "$1" ;;
	esac
}

# kg_apt SUITE CMD ARGS...: apt-get/apt-cache CMD with SUITE's
# project-local configuration.
kg_apt() {
	local suite=$1 tool=$2 d=$KG_ROOT/build/apt/$1
	shift 2
	"$tool" -o Dir::Etc::sourcelist="$d/sources.list" -o Dir::Etc::sourceparts=- \
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" \
		-o Dir::State::status=/dev/null \
		-o Acquire::Check-Valid-Until=false -o APT::Get::List-Cleanup=false \
		-o Debug::NoLocking=true "$@"
}

# kg_apt_update SUITE [MAX_AGE_MIN]: fetch SUITE's package lists unless
# they are younger than MAX_AGE_MIN minutes (default 60; 0 = always).
kg_apt_update() {
	local suite=$1 age=${2:-60} d=$KG_ROOT/build/apt/$1
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	kg_suite_sources "$suite" >"$d/sources.list.new" || return 1
	# Our own stamp: apt gives the lists the archive's dates, not ours.
	if cmp -s "$d/sources.list.new" "$d/sources.list" && [ "$age" -gt 0 ] &&
		[ -n "$(find "$d/updated" -mmin -"$age" 2>/dev/null)" ]; then
		rm -f "$d/sources.list.new"
		return 0
	fi
	mv "$d/sources.list.new" "$d/sources.list"
	echo "kernel-lib: updating the package lists of $suite" >&2
	rm -f "$d/updated"
	kg_apt "$suite" apt-get -q update >"$d/update.log" 2>&1 || {
		cat "$d/update.log" >&2
		echo "kernel-lib: apt-get update for $suite failed" >&2
		return 1
	}
	touch "$d/updated"
}

# kg_resolve SERIES: the newest release of SERIES that Debian serves.
kg_resolve() {
	local info suite meta dep
	info=$(kg_series_info "$1") || return 1
	read -r suite meta <<<"$info"
	kg_apt_update "$suite" || return 1
	# Every version of the metapackage in the suite's lists; the highest
	# one's dependency names the release.
	dep=$(kg_apt "$suite" apt-cache show "$meta" 2>/dev/null | awk '
		/^Version: / { v = $2 }
		/^Depends: / { if (match($0, /linux-headers-[^ ,]+/)) d[v] = substr($0, RSTART + 14, RLENGTH - 14) }
		END { for (v in d) print v, d[v] }' | sort -V -k1,1 | tail -n1 | cut -d' ' -f2)
	case $dep in
	"$1".*-amd64 | "$1"-*-amd64 | "$1"+*-amd64) echo "$dep" ;;
	*)
		echo "kernel-lib: $suite's $meta does not name a $1 kernel (got '${dep:-nothing}')" >&2
		return 1
		;;
	esac
}

# kg_is_series ARG: ARG is a series ("6.12"), not a release.
kg_is_series() { [[ $1 =~ ^[0-9]+\.[0-9]+$ ]]; }

# kg_kver SERIES|KVER: the release: a series resolved, a release as is;
# "SERIES-debug" is the debug kernel built from that series' source
# (scripts/debug-kernel.sh), whatever its point release.
kg_kver() {
	local d
	case $1 in
	*-debug)
		kg_is_series "${1%-debug}" || { echo "kernel-lib: bad debug kernel '$1'" >&2; return 1; }
		d=$(find "$KG_KROOT_DIR" -mindepth 1 -maxdepth 1 -name "${1%-debug}.*-kgdebug" \
			-printf '%f\n' 2>/dev/null | sort -V | tail -n 1)
		[ -n "$d" ] || { echo "kernel-lib: no $1 kernel (scripts/debug-kernel.sh)" >&2; return 1; }
		echo "$d"
		;;
	*) if kg_is_series "$1"; then kg_resolve "$1"; else echo "$1"; fi ;;
	esac
}

# kg_series_of KVER: the series of a release ("6.12" for 6.12.N+deb12-amd64).
kg_series_of() { [[ $1 =~ ^([0-9]+\.[0-9]+) ]] && echo "${BASH_REMATCH[1]}"; }

# kg_kroot KVER: the kernel root holding KVER, or fail if not set up.
kg_kroot() {
	if [ -e "/lib/modules/$1/build/Makefile" ] && [ -e "/boot/vmlinuz-$1" ]; then
		echo /
	elif [ -e "$KG_KROOT_DIR/$1/.kg-ready" ]; then
		echo "$KG_KROOT_DIR/$1"
	else
		echo "kernel-lib: kernel $1 is not set up (scripts/setup-kernels.sh $1)" >&2
		return 1
	fi
}

# kg_kroot_file KVER WHAT PATH...: the first readable PATH (relative to
# KVER's kernel root), or fail naming WHAT.
kg_kroot_file() {
	local k=$1 what=$2 r f
	shift 2
	r=$(kg_kroot "$k") || return 1
	for f in "$@"; do
		if [ -r "${r%/}/$f" ]; then
			echo "${r%/}/$f"
			return 0
		fi
	done
	echo "kernel-lib: no $what for $k in $r" >&2
	return 1
}

# kg_vmlinuz KVER: the kernel image to boot.
kg_vmlinuz() {
	kg_kroot_file "$1" "kernel image" "boot/vmlinuz-$1" "lib/modules/$1/vmlinuz"
}

# kg_moddir KVER: the directory of KVER's modules (KROOT/lib/modules/KVER).
kg_moddir() {
	local r
	r=$(kg_kroot "$1") || return 1
	echo "${r%/}/lib/modules/$1"
}

# kg_in_kroot KVER CMD...: run CMD in KVER's build environment: on the
# host for a host kernel, else chrooted into its kernel root, with this
# tree and /tmp bind-mounted at their own paths (so paths are the same
# inside and out) in a private mount namespace that ends with CMD.
# KG_KROOT_BIND adds more directories.
kg_in_kroot() {
	local k=$1 r
	shift
	r=$(kg_kroot "$k") || return 1
	# A kernel root built here (.kg-host, the debug kernel): the host's
	# compiler built it.
	if [ "$r" = / ] || [ -e "$r/.kg-host" ]; then
		"$@"
		return
	fi
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private -- /bin/bash -c '
		set -e
		r=$1 binds=$2; shift 2
		for d in $binds; do
			mkdir -p "$r$d"
			mount --bind "$d" "$r$d"
		done
		mount -t proc proc "$r/proc"
		mount --bind /dev "$r/dev"
		exec chroot "$r" /usr/bin/env -u LD_PRELOAD PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LC_ALL=C.UTF-8 /bin/sh -c "cd \"\$1\" && shift && exec \"\$@\"" sh "$PWD" "$@"
	' kg-kroot "$r" "$KG_ROOT /tmp ${KG_KROOT_BIND:-}" "$@"
}

# kg_kbuild_dir KVER: KVER's kbuild directory as kg_in_kroot's commands
# see it.
kg_kbuild_dir() {
	local r
	r=$(kg_kroot "$1") || return 1
	if [ -e "$r/.kg-host" ]; then
		echo "$r/lib/modules/$1/build"
	else
		echo "/lib/modules/$1/build"
	fi
}

# kg_symvers KVER: the kernel's Module.symvers (from its headers).
kg_symvers() {
	kg_kroot_file "$1" Module.symvers "usr/src/linux-headers-$1/Module.symvers" \
		"lib/modules/$1/build/Module.symvers"
}
