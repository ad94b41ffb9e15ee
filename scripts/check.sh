#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: the one test command (`make check`, CI).  Installs what is
# missing, builds everything, runs every test part on every kernel of the
# matrix (5.10, 6.1, 6.12, 7.3: each series' newest Debian release,
# resolved at run time; KERNELS="6.12 7.3" narrows it for local work) and
# counts their TAP results.  The summary gives each part's duration; the
# last line is always "N passed, N failed, N skipped".
#
# Parts (each skipped with a message while it does not exist):
#   userspace      make -C userspace SANITIZE=1; make -C userspace check
#   style          scripts/style.sh (checkpatch)
#   spec-check     scripts/spec-check.py (the YNL spec against the uapi
#                  header and kmod/'s policies and op table), and
#                  selftests/install/spec_check_test.sh (it can fail)
#   sparse         scripts/sparse.sh (sparse and W=1 on kmod/, each kernel)
#   vm-runner      selftests/vm/runner_test.sh (the QEMU runner's own tests)
#   per kernel     scripts/build-kernel-objs.sh KVER,
#                  make -C selftests/kabiguard KVER=KVER,
#                  selftests/kabiguard/run_vm_tests.sh KVER (in QEMU),
#                  selftests/install/readme_test.sh KVER
#   install        selftests/install/: man_test.sh (groff, mandoc, man -l on
#                  every page), install_test.sh (make install & co. into
#                  scratch roots), dkms_test.sh (dkms install for each
#                  kernel, then the installed module in QEMU; dkms remove),
#                  package_test.sh (.deb and .rpm builds, lintian, rpmlint),
#                  upgrade_hook_test.sh (the kernel upgrade check, 6.1 to 6.12)
#   guest          selftests/guest/: packages_test.sh (apt installs and purges
#                  the packages on a booted Debian guest) and host_test.sh
#                  (boot order, logs, persistence, rotation, the upgrade
#                  warning), on GUEST_KERNELS (default 6.12; make
#                  check-guest runs 6.1 too; empty: none), side by side.
#                  The guest's image (scripts/guest-image.sh) is made
#                  while the other parts run.
#
# Counting: every line that starts with "ok " or "not ok " (column 0: a
# runner's nested, "# "-prefixed copies are not counted twice); an "ok"
# carrying "# SKIP" counts as skipped.  A build step that fails, or a part
# that fails without printing any "not ok", counts as one failure.
# Logs: build/logs/<part>.log, summary in build/logs/summary.txt.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
LOGS=$ROOT/build/logs
mkdir -p "$LOGS"
SUMMARY=$LOGS/summary.txt
: >"$SUMMARY"
PASS=0 FAIL=0 SKIP=0
T0=$SECONDS

say() { echo "check: $*" >&2; }

# record NAME PASSED FAILED SKIPPED SECONDS
record() {
	PASS=$((PASS + $2)) FAIL=$((FAIL + $3)) SKIP=$((SKIP + $4))
	printf '%-40s %4d passed %4d failed %4d skipped %5d s\n' "$1" "$2" "$3" "$4" "$5" >>"$SUMMARY"
}

# part NAME CMD...: run CMD (output to the terminal and build/logs/NAME.log)
# and count its TAP lines.
part() {
	local name=$1 log=$LOGS/$1.log rc=0 p f s t0=$SECONDS
	shift
	say "== $name: $*"
	"$@" 2>&1 | tee "$log" || rc=$?
	p=$(grep -E '^ok ' "$log" | grep -cvE '#[[:space:]]*SKIP' || true)
	s=$(grep -E '^ok ' "$log" | grep -cE '#[[:space:]]*SKIP' || true)
	f=$(grep -cE '^not ok ' "$log" || true)
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		say "$name: exited with status $rc without a failed test: counted as one failure (log: $log)"
		f=1
	fi
	record "$name" "$p" "$f" "$s" $((SECONDS - t0))
	return "$rc"
}

# step NAME CMD...: a build step; counts only if it fails.
step() {
	local name=$1 log=$LOGS/$1.log t0=$SECONDS
	shift
	say "== $name: $*"
	if "$@" >"$log" 2>&1; then
		printf '%-40s %4s %27s %5d s\n' "$name" "" "" $((SECONDS - t0)) >>"$SUMMARY"
		return 0
	fi
	tail -n 40 "$log" >&2
	say "$name: FAILED (log: $log)"
	record "$name" 0 1 0 $((SECONDS - t0))
	return 1
}

# has_target DIR TARGET: DIR/Makefile has a rule for TARGET
has_target() {
	[ -e "$1/Makefile" ] && make -C "$1" -n "$2" >/dev/null 2>&1
}

say "== install-deps (packages, kselftest harness, the matrix's kernels)"
step install-deps scripts/install-deps.sh || { cat "$SUMMARY"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
mapfile -t KVERS < <(scripts/kernels.sh)
say "kernels: ${KVERS[*]}"
[ ${#KVERS[@]} -gt 0 ] || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

# The guest images: mostly downloads and dpkg, beside the other parts.
GUEST_SERIES=${GUEST_KERNELS-6.12}
guest_images() {
	local s
	for s in $GUEST_SERIES; do
		scripts/guest-image.sh "$s" || return 1
	done
}
guest_images >"$LOGS/guest-images-build.log" 2>&1 &
GUEST_IMAGES_PID=$!

# --- userspace
if [ -e userspace/Makefile ]; then
	if step userspace-build make -C userspace SANITIZE=1; then
		if has_target userspace check; then
			part userspace-check make -C userspace SANITIZE=1 check || true
		else
			say "SKIP userspace-check: userspace/Makefile has no check target yet"
		fi
	fi
else
	say "SKIP userspace: no userspace/Makefile yet"
fi

# --- style
part style scripts/style.sh || true

# --- the genl family's YNL spec against the header and the module
part spec-check scripts/spec-check.py || true
part spec-check-test selftests/install/spec_check_test.sh || true
part sparse scripts/sparse.sh "${KVERS[@]}" || true

# --- the VM runner itself
part vm-runner selftests/vm/runner_test.sh "${KVERS[@]}" || true

# --- per kernel
for k in "${KVERS[@]}"; do
	step "kbuild-$k" scripts/build-kernel-objs.sh "$k" || continue
	if [ -e selftests/kabiguard/Makefile ]; then
		step "selftests-build-$k" make -C selftests/kabiguard KVER="$k" || continue
	else
		say "SKIP selftests build: no selftests/kabiguard/Makefile yet"
	fi
	if [ -x selftests/kabiguard/run_vm_tests.sh ]; then
		part "vm-tests-$k" selftests/kabiguard/run_vm_tests.sh "$k" || true
	else
		say "SKIP vm tests on $k: no selftests/kabiguard/run_vm_tests.sh yet"
	fi
	part "readme-$k" selftests/install/readme_test.sh "$k" || true
done

# --- installation: man pages, make install, DKMS
part man-pages selftests/install/man_test.sh || true
part install selftests/install/install_test.sh "${KVERS[@]}" || true
part dkms selftests/install/dkms_test.sh "${KVERS[@]}" || true
part packages selftests/install/package_test.sh || true
part upgrade-hook selftests/install/upgrade_hook_test.sh || true

# --- the Debian guest
# guest_replay LOG STATUS: what a background job printed, and its status.
# Each guest runs in one host thread (selftests/guest/boot_guest.sh): the
# two tests of a kernel run side by side.  part runs its command in a
# pipeline's subshell, which cannot wait for this shell's job: the
# finished test's output is replayed.
guest_replay() {
	cat "$1"
	return "$2"
}
rc=0
wait "$GUEST_IMAGES_PID" || rc=$?
if [ -n "$GUEST_SERIES" ] &&
	step guest-images guest_replay "$LOGS/guest-images-build.log" "$rc"; then
	for s in $GUEST_SERIES; do
		selftests/guest/packages_test.sh "$s" >"$LOGS/guest-packages-$s.out" 2>&1 &
		pk=$!
		part "guest-host-$s" selftests/guest/host_test.sh "$s" || true
		rc=0
		wait "$pk" || rc=$?
		part "guest-packages-$s" guest_replay "$LOGS/guest-packages-$s.out" "$rc" || true
	done
fi

echo
echo "Summary (logs in $LOGS):"
cat "$SUMMARY"
TOTAL=$((PASS + FAIL + SKIP))
if [ "$TOTAL" -eq 0 ] || [ $((PASS + FAIL)) -eq 0 ]; then
	echo "check: no test ran" >&2
	RC=1
elif [ "$FAIL" -ne 0 ]; then
	RC=1
else
	RC=0
fi
echo "kernels: ${KVERS[*]}; $((SECONDS - T0)) s in all" | tee -a "$SUMMARY"
echo "$PASS passed, $FAIL failed, $SKIP skipped" | tee -a "$SUMMARY"
exit "$RC"
