#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run_fuzzers.sh FUZZDIR [SECONDS]: runs each fuzzer built in FUZZDIR for SECONDS
# (default 15) on a fresh seed corpus; one TAP line per fuzzer. A crash,
# leak or sanitizer report fails it; the reproducer is kept in FUZZDIR.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${1:?usage: run_fuzzers.sh FUZZDIR [SECONDS]}
SECS=${2:-15}
C=$(mktemp -d /tmp/kg-fuzz.XXXXXX)
trap 'rm -rf "$C"' EXIT
"$HERE/make_corpus.sh" "$C/seeds"
n=0 failed=0
echo "TAP version 13"
for f in "$DIR"/*_fuzz; do
	name=$(basename "$f" _fuzz)
	n=$((n + 1))
	mkdir -p "$C/$name"
	cp "$C/seeds/$name"/* "$C/$name/" 2>/dev/null || true
	if "$f" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix="$DIR/$name-" "$C/$name" >"$C/$name.log" 2>&1; then
		runs=$(grep -oE 'Done [0-9]+ runs' "$C/$name.log" | grep -oE '[0-9]+')
		echo "ok $n - fuzz $name: ${runs:-?} runs in ${SECS}s, clean under ASan/UBSan"
	else
		failed=$((failed + 1))
		echo "not ok $n - fuzz $name"
		tail -n 30 "$C/$name.log" | sed 's/^/# /'
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
