#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# style.sh: checkpatch --strict on the kernel-side sources, one TAP line
# per file.  Fails on any ERROR, WARNING or CHECK except the false
# positives listed in IGNORE below.  checkpatch.pl comes from
# linux-source-6.1 (scripts/install-deps.sh extracts it to build/checkpatch).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
CP=build/checkpatch/checkpatch.pl
[ -e "$CP" ] || { echo "style.sh: $CP missing: run scripts/install-deps.sh" >&2; exit 1; }

# Findings that are false positives, as "file-glob<TAB>extended regex on
# checkpatch's terse line".  Keep this list short and say why.
IGNORE=(
	# --no-tree: checkpatch cannot see that the ELF typedefs are the
	# kernel's own (<linux/elf.h>), not CamelCase we chose.
	"*	CAMELCASE: Avoid CamelCase: <Elf(32|64)?_[A-Za-z]+>"
)

ignored() { # FILE LINE
	local rule glob re
	for rule in "${IGNORE[@]}"; do
		glob=${rule%%	*}
		re=${rule#*	}
		# shellcheck disable=SC2053 # glob match on purpose
		if [[ $1 == $glob ]] && [[ $2 =~ $re ]]; then return 0; fi
	done
	return 1
}

# The sources, not what an in-tree module build leaves beside them
# (kabiguard.mod.c): git's list when this is a checkout.
files=()
for f in kmod/*.c kmod/*.h include/uapi/linux/kabiguard.h include/kabiguard/*.h selftests/kabiguard/test_modules/*.c; do
	[ -e "$f" ] || continue
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
		! git ls-files --error-unmatch -- "$f" >/dev/null 2>&1; then
		continue
	fi
	files+=("$f")
done

echo "TAP version 13"
if [ ${#files[@]} -eq 0 ]; then
	echo "1..0 # SKIP no kernel sources yet"
	exit 0
fi
echo "1..${#files[@]}"
n=0 fail=0
for f in "${files[@]}"; do
	n=$((n + 1))
	bad=()
	while IFS= read -r line; do
		case $line in *": ERROR:"* | *": WARNING:"* | *": CHECK:"*) ;; *) continue ;; esac
		ignored "$f" "$line" || bad+=("$line")
	done < <(perl "$CP" --no-tree --strict --terse --show-types --no-summary -f "$f" 2>&1 || true)
	if [ ${#bad[@]} -eq 0 ]; then
		echo "ok $n checkpatch $f"
	else
		echo "not ok $n checkpatch $f"
		printf '# %s\n' "${bad[@]}"
		fail=$((fail + 1))
	fi
done
[ "$fail" -eq 0 ]
