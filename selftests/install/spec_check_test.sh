#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# spec_check_test.sh: scripts/spec-check.py can fail.  It passes on this
# tree; then, on scratch copies of the spec, the uapi header and kmod/,
# each mutation below (a value, a type, a missing attribute, a limit, a
# flag, a nested policy, a callback, maxattr, a put...) must make it fail
# (exit 1) with a message naming the item on both sides; a missing build/ynl
# (the kernel's tooling, scripts/fetch-ynl.sh) is a failure, not a skip.
# TAP output.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CHECK=$ROOT/scripts/spec-check.py
SPEC=Documentation/netlink/specs/kabiguard.yaml
HDR=include/uapi/linux/kabiguard.h

# shellcheck source=selftests/lib/tap.sh
. "$ROOT/selftests/lib/tap.sh"
tap_begin

[ -e "$ROOT/build/ynl/tools/net/ynl/ynl-gen-c.py" ] ||
	bail "build/ynl holds the kernel's YNL tooling (scripts/install-deps.sh)"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# run_check DIR: the checker on DIR's copies; its output in $OUT, status in $RC.
run_check() {
	OUT=$("$CHECK" --spec "$1/$SPEC" --header "$1/$HDR" --kmod-dir "$1/kmod" 2>&1)
	RC=$?
}

# fresh: a scratch copy of the three inputs in $TMP/t.
fresh() {
	rm -rf "$TMP/t"
	mkdir -p "$TMP/t/$(dirname "$SPEC")" "$TMP/t/$(dirname "$HDR")"
	cp "$ROOT/$SPEC" "$TMP/t/$SPEC"
	cp "$ROOT/$HDR" "$TMP/t/$HDR"
	cp -r "$ROOT/kmod" "$TMP/t/kmod"
}

# replace FILE OLD NEW: OLD (exactly once in FILE) becomes NEW; fails when
# OLD is not there once, so a mutation cannot silently go stale.
replace() {
	python3 - "$@" <<'EOF'
import sys
path, old, new = sys.argv[1:4]
text = open(path).read()
n = text.count(old)
if n != 1:
    sys.exit(f'{path}: {old!r} found {n} times, not once')
open(path, 'w').write(text.replace(old, new))
EOF
}

# mutant DESC EXPECT FILE OLD NEW [FILE OLD NEW]...: after the
# replacements, the checker fails with a line matching EXPECT (an
# extended regex).
mutant() {
	local desc=$1 expect=$2
	shift 2
	fresh
	while [ $# -ge 3 ]; do
		if ! replace "$TMP/t/$1" "$2" "$3"; then
			not_ok "$desc: mutation applies"
			return
		fi
		shift 3
	done
	run_check "$TMP/t"
	if [ "$RC" -eq 1 ] && grep -qE -- "$expect" <<<"$OUT"; then
		ok "$desc"
		diag "$(grep -E -- "$expect" <<<"$OUT" | head -n 2)"
	else
		not_ok "$desc (exit $RC, expected 1 and /$expect/)"
		diag "$(grep -E '^(not ok|#)' <<<"$OUT" | head -n 20)"
	fi
}

# --- the real tree
fresh
run_check "$ROOT"
if [ "$RC" -eq 0 ] && ! grep -q '^not ok' <<<"$OUT"; then
	ok "spec-check passes on this tree ($(grep -c '^ok' <<<"$OUT") checks)"
else
	not_ok "spec-check passes on this tree (exit $RC)"
	diag "$(grep -E '^(not ok|#)' <<<"$OUT" | head -n 30)"
fi

# --- the spec changed
mutant "spec: a const's value" \
	'KABIGUARD_SYMBOL_MAX: 511 in the spec, 512 in .*kabiguard.h' \
	"$SPEC" $'name: symbol-max\n    value: 512' $'name: symbol-max\n    value: 511'
mutant "spec: an attribute's type" \
	'KABIGUARD_A_GENERATION: u64 in .*kabiguard.h:[0-9]+ \(kernel-doc\), type u32 in the spec' \
	"$SPEC" $'name: generation\n        type: u64' $'name: generation\n        type: u32'
mutant "spec: an attribute's type, as kmod puts it" \
	'nla_put_u8\(KABIGUARD_A_SIG_OK\) puts u8, spec kabiguard.sig-ok is u32' \
	"$SPEC" $'name: sig-ok\n        type: u8' $'name: sig-ok\n        type: u32'
mutant "spec: an attribute missing" \
	'KABIGUARD_A_REPEAT_COUNT = 35 in .*kabiguard.h, missing in the spec' \
	"$SPEC" $'      -\n        name: repeat-count\n        type: u32\n' '' \
	"$SPEC" $'          - repeat-count\n' ''
mutant "spec: an attribute renumbered" \
	'KABIGUARD_VIOL_A_SYMBOL: 2 in the spec, 1 in .*kabiguard.h' \
	"$SPEC" $'name: symbol\n        type: string\n' $'name: symbol\n        type: string\n        value: 2\n' \
	"$SPEC" $'name: namespace\n        type: string\n        doc: >-\n          Its namespace' $'name: namespace\n        type: string\n        value: 3\n        doc: >-\n          Its namespace'
mutant "spec: an enum entry missing" \
	'KABIGUARD_REASON_OUT_OF_TREE = 7 in .*kabiguard.h, missing in the spec' \
	"$SPEC" $'      -\n        name: out-of-tree\n' ''
mutant "spec: a length limit" \
	'kg_rule_policy\[KABIGUARD_RULE_A_NAME\].*len 511.*spec rule.name: .*len 127' \
	"$SPEC" $'type: string\n        checks:\n          max-len: symbol-max - 1\n        doc: Symbol name' \
	$'type: string\n        checks:\n          max-len: namespace-max - 1\n        doc: Symbol name'
mutant "spec: a range check removed" \
	'kg_set_mode_policy\[KABIGUARD_A_MODE\].*max 2.*spec kabiguard.mode: type NLA_U32$' \
	"$SPEC" $'enum: mode\n        checks:\n          max: mode-max\n' $'enum: mode\n'
mutant "spec: a request attribute missing" \
	'kg_scan_policy\[KABIGUARD_A_IMPORT\]: accepted by kmod, not a request attribute of command scan' \
	"$SPEC" $'            - module\n            - import\n' $'            - module\n'
mutant "spec: a nested set changed" \
	'kg_add_policy\[KABIGUARD_A_RULE\]: .*|kg_rule_policy.*' \
	"$SPEC" $'name: rule\n        type: nest\n        nested-attributes: rule' $'name: rule\n        type: nest\n        nested-attributes: import'
mutant "spec: a command flag" \
	'KABIGUARD_CMD_LOCK: .flags none, the spec has .*GENL_ADMIN_PERM' \
	"$SPEC" $'name: lock\n' $'name: lock\n      flags: [ admin-perm ]\n'
mutant "spec: a dump's start callback" \
	'KABIGUARD_CMD_EVENTS_GET: .start = kg_nl_events_start, the spec has kg_nl_events_begin' \
	"$SPEC" 'pre: kg-nl-events-start' 'pre: kg-nl-events-begin'
mutant "spec: a do made a dump" \
	'KABIGUARD_CMD_LOCK: no .dumpit' \
	"$SPEC" $'Seals policy, mode and module parameters until reboot\n        (CAP_SYS_MODULE).  -EPERM when already locked.\n      attribute-set: kabiguard\n      do:' \
	$'Seals policy, mode and module parameters until reboot\n        (CAP_SYS_MODULE).  -EPERM when already locked.\n      attribute-set: kabiguard\n      dump:'
mutant "spec: the multicast group" \
	'KABIGUARD_MCGRP_EVENTS: .verdicts. in the spec, .events. in' \
	"$SPEC" $'    -\n      name: events\n      c-define-name' $'    -\n      name: verdicts\n      c-define-name'
mutant "spec: the family version" \
	'KABIGUARD_GENL_VERSION: 3 in the spec, 2 in' \
	"$SPEC" $'\nversion: 2\n' $'\nversion: 3\n'
mutant "spec: against the schema" \
	'not ok .*schema|schema genetlink-legacy.yaml' \
	"$SPEC" $'name: crc\n        type: u32' $'name: crc\n        type: u31'

# --- the header changed
mutant "header: two nested attributes swapped" \
	'KABIGUARD_LOADER_A_GID: 6 in the spec, 7 in .*kabiguard.h' \
	"$HDR" $'\tKABIGUARD_LOADER_A_GID,\n\tKABIGUARD_LOADER_A_EGID,' $'\tKABIGUARD_LOADER_A_EGID,\n\tKABIGUARD_LOADER_A_GID,'
mutant "header: an entry appended" \
	'KABIGUARD_REASON_SOMETHING = 8 in .*kabiguard.h, missing in the spec' \
	"$HDR" $'\tKABIGUARD_REASON_OUT_OF_TREE,\n' $'\tKABIGUARD_REASON_OUT_OF_TREE,\n\tKABIGUARD_REASON_SOMETHING,\n'
mutant "header: a flag left out of its _ALL mask" \
	'__KABIGUARD_RULE_F_ALL = 0x3, not every bit of enum kabiguard_rule_flags \(0x7\)' \
	"$HDR" $'KABIGUARD_RULE_F_NS_PINNED |\n\t\t\t\t KABIGUARD_RULE_F_IN_TREE,' 'KABIGUARD_RULE_F_NS_PINNED,'
mutant "header: a kernel-doc type" \
	'KABIGUARD_LOADER_A_PIDNS: u64 in .*kabiguard.h:[0-9]+ \(kernel-doc\), type u32 in the spec' \
	"$HDR" '@KABIGUARD_LOADER_A_PIDNS: u32,' '@KABIGUARD_LOADER_A_PIDNS: u64,'
mutant "header: a type in the rules table" \
	'KABIGUARD_RULE_A_CRC: u64 in .*kabiguard.h:[0-9]+ \(table\), type u32 in the spec \(rule.crc\)' \
	"$HDR" ' *   KABIGUARD_RULE_A_CRC       u32,' ' *   KABIGUARD_RULE_A_CRC       u64,'
mutant "header: a command's kind" \
	'KABIGUARD_CMD_POLICY_GET \(doit\), the spec has dump for policy-get' \
	"$HDR" ' * KABIGUARD_CMD_POLICY_GET (dump, admin)' ' * KABIGUARD_CMD_POLICY_GET (doit, admin)'

# --- kmod changed
mutant "kmod: a range check dropped" \
	'kg_set_mode_policy\[KABIGUARD_A_MODE\] = \{ .type = NLA_U32 \}.*spec kabiguard.mode: type NLA_U32, max 2' \
	kmod/netlink.c 'NLA_POLICY_MAX(NLA_U32, KABIGUARD_MODE_MAX)' '{ .type = NLA_U32 }'
mutant "kmod: a nested attribute's type" \
	'kg_rule_policy\[KABIGUARD_RULE_A_CRC\].*NLA_U64.*spec rule.crc: type NLA_U32' \
	kmod/netlink_rule.c '[KABIGUARD_RULE_A_CRC] = { .type = NLA_U32 }' '[KABIGUARD_RULE_A_CRC] = { .type = NLA_U64 }'
mutant "kmod: a string's length" \
	'kg_import_policy\[KABIGUARD_IMPORT_A_NAME\].*len 127.*spec import.name: .*len 511' \
	kmod/netlink.c '.len = KABIGUARD_SYMBOL_MAX - 1 },
};

static const struct nla_policy kg_scan_policy' '.len = KABIGUARD_NAMESPACE_MAX - 1 },
};

static const struct nla_policy kg_scan_policy'
mutant "kmod: a request attribute unlisted" \
	'kg_scan_policy: no entry for KABIGUARD_A_IMPORT, a request attribute of command scan' \
	kmod/netlink.c '	[KABIGUARD_A_IMPORT] = NLA_POLICY_NESTED(kg_import_policy),
' ''
mutant "kmod: an attribute accepted the spec does not list" \
	'kg_events_get_policy\[KABIGUARD_A_MODE\]: accepted by kmod, not a request attribute of command events-get' \
	kmod/netlink.c '	[KABIGUARD_A_SEQ] = { .type = NLA_U64 },' '	[KABIGUARD_A_SEQ] = { .type = NLA_U64 },
	[KABIGUARD_A_MODE] = { .type = NLA_U32 },'
mutant "kmod: a command's flags" \
	'KABIGUARD_CMD_SCAN: .flags \[.GENL_ADMIN_PERM.\], the spec has none' \
	kmod/netlink.c '.doit = kg_nl_scan,' '.doit = kg_nl_scan,
		.flags = GENL_ADMIN_PERM,'
mutant "kmod: a command left out" \
	'0 entries for KABIGUARD_CMD_LOCK' \
	kmod/netlink.c '	{
		.cmd = KABIGUARD_CMD_LOCK,
		.doit = kg_nl_lock,
		.policy = kg_none_policy,
		.maxattr = KABIGUARD_A_MAX,
	},
' ''
mutant "kmod: a command's maxattr" \
	'KABIGUARD_CMD_SET_MODE: .maxattr KABIGUARD_RULE_A_MAX, spec set kabiguard has KABIGUARD_A_MAX' \
	kmod/netlink.c '.doit = kg_nl_set_mode,
		.policy = kg_set_mode_policy,
		.maxattr = KABIGUARD_A_MAX,' '.doit = kg_nl_set_mode,
		.policy = kg_set_mode_policy,
		.maxattr = KABIGUARD_RULE_A_MAX,'
mutant "kmod: the family's version" \
	'kg_genl_family.version = 1 \(1\), spec version 2' \
	kmod/netlink.c '.version = KABIGUARD_GENL_VERSION,' '.version = 1,'
mutant "kmod: a put of another type" \
	'nla_put_u32\(KABIGUARD_A_SIG_OK\) puts u32, spec kabiguard.sig-ok is u8' \
	kmod/event.c 'nla_put_u8(msg, KABIGUARD_A_SIG_OK' 'nla_put_u32(msg, KABIGUARD_A_SIG_OK'
mutant "kmod: an attribute no longer sent" \
	'the spec lists kabiguard.nr-imports in a reply or event; kmod never puts KABIGUARD_A_NR_IMPORTS' \
	kmod/event.c '	    nla_put_u32(msg, KABIGUARD_A_NR_IMPORTS, v->nr_imports) ||
' ''
mutant "kmod: a nested attribute no longer sent" \
	'the spec.s set loader \(in a reply or event\) has pidns; kmod never puts KABIGUARD_LOADER_A_PIDNS' \
	kmod/event.c '	    nla_put_u32(msg, KABIGUARD_LOADER_A_PIDNS, l->pidns) ||
' ''
mutant "kmod: a nested u64 padded with the top level's pad" \
	'nla_put_u64_64bit\(KABIGUARD_RING_A_FIRST\) pads with KABIGUARD_A_PAD, not a pad attribute of spec set ring' \
	kmod/netlink.c 'KABIGUARD_RING_A_FIRST, rs.first,
			      KABIGUARD_RING_A_PAD)' 'KABIGUARD_RING_A_FIRST, rs.first,
			      KABIGUARD_A_PAD)'
mutant "spec: a nested attribute's type" \
	'KABIGUARD_RING_A_SIZE: u32 in .*kabiguard.h:[0-9]+ \(kernel-doc\), type u64 in the spec' \
	"$SPEC" $'name: size\n        type: u32' $'name: size\n        type: u64'
mutant "kmod: the multicast group" \
	"kmod multicast groups \\['events', 'events'\\], spec mcast-groups \\['events'\\]" \
	kmod/netlink.c '{ .name = KABIGUARD_MCGRP_EVENTS, KG_MCGRP_ADMIN_ONLY },' \
	'{ .name = KABIGUARD_MCGRP_EVENTS, KG_MCGRP_ADMIN_ONLY },
	{ .name = KABIGUARD_MCGRP_EVENTS, },'

# --- the tooling missing: a failure, not a skip
fresh
OUT=$("$CHECK" --spec "$TMP/t/$SPEC" --header "$TMP/t/$HDR" --kmod-dir "$TMP/t/kmod" \
	--ynl "$TMP/no-ynl" 2>&1)
RC=$?
if [ "$RC" -eq 2 ] && grep -q '^not ok .*ynl-gen-c.py' <<<"$OUT" && ! grep -q SKIP <<<"$OUT"; then
	ok "missing build/ynl: spec-check fails (exit 2), no skip"
else
	not_ok "missing build/ynl: spec-check fails (exit $RC, expected 2)"
	diag "$OUT"
fi

tap_end
