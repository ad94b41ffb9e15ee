#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# runner_test.sh [KVER...]: TAP tests of selftests/vm/run.sh itself: exit
# status and output on each kernel (default: the matrix), no lost
# lines, timeout (124) and guest crash (125).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUN=$ROOT/selftests/vm/run.sh
# Releases or series (the matrix by default), resolved.
mapfile -t KVERS < <("$ROOT/scripts/kernels.sh" "$@")
# shellcheck source=selftests/lib/tap.sh
. "$ROOT/selftests/lib/tap.sh"
[ ${#KVERS[@]} -gt 0 ] || bail "runner_test: a kernel resolved"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# run_case NAME EXPECTED_RC EXPECTED_OUTPUT_FILE RUN_ARGS...
run_case() {
	local name=$1 want_rc=$2 want=$3 rc=0
	shift 3
	"$RUN" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	if [ "$rc" -ne "$want_rc" ]; then
		not_ok "$name # exit status $rc, expected $want_rc"
		sed 's/^/# /' "$TMP/err" | tail -n 20
	elif [ -n "$want" ] && ! cmp -s "$want" "$TMP/out"; then
		not_ok "$name # output differs"
		diff "$want" "$TMP/out" | head -n 20 | sed 's/^/# /'
	else
		ok "$name"
	fi
}

tap_begin $((${#KVERS[@]} + 3))
for k in "${KVERS[@]}"; do
	printf '%s\nhi\n' "$k" >"$TMP/want-$k"
	run_case "run.sh: $k: uname, output and exit status" 3 "$TMP/want-$k" \
		-k "$k" -- 'uname -r; echo hi; exit 3'
done
k=${KVERS[${#KVERS[@]} - 1]}
seq 1 5000 | sed 's/$/ the quick brown fox jumps over the lazy dog/' >"$TMP/lines"
printf 'tail without newline' >>"$TMP/lines"
run_case "run.sh: $k: 5000 lines and an unterminated last line, intact" 0 "$TMP/lines" \
	-k "$k" -a "$TMP/lines:/lines" -- 'cat /lines'
run_case "run.sh: $k: timeout gives 124" 124 "" -k "$k" -t 3 -- 'sleep 100'
run_case "run.sh: $k: guest panic gives 125" 125 "" -k "$k" -- 'echo c >/proc/sysrq-trigger'
tap_end
