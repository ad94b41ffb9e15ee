#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check_test.sh KABIGUARDCTL: TAP tests of `kabiguardctl check`, `policy
# generate` and the symsets formats, against the Debian module trees and
# Module.symvers files of the test matrix (no VM, no kabiguard.ko): 5.10,
# 6.1, 6.12 and 7.3, or those in $KERNELS, each resolved at run time by
# tests/test_kernels.sh.  Every expected set of modules is computed
# independently: candidates by grep, then `modprobe --dump-modversions` of
# each candidate (or `nm -u` where modules have no __versions).  A kernel
# the set-up installs but that is missing fails the run; nothing is
# skipped for want of input.
set -uo pipefail

CTL=${1:?usage: check_test.sh KABIGUARDCTL}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
T=$(mktemp -d /tmp/kg-check-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
# shellcheck source=selftests/lib/tap.sh
. "$ROOT/selftests/lib/tap.sh"

# schema_of CTL-ARGS...: the schema of the command's --json output (""
# without --json, or for a command that prints no JSON)
schema_of() {
	local a json='' cmd=''
	for a in "$@"; do
		case $a in
		-j | --json) json=1 ;;
		-*) ;;
		*) [ -n "$cmd" ] || cmd=$a ;;
		esac
	done
	[ -n "$json" ] || return 0
	case $cmd in
	check) echo check ;;
	convert | dump) echo rules ;;
	load) echo load ;;
	esac
}

# run EXPECTED_RC OUT CTL-ARGS...: runs the tool, stdout to OUT, stderr to
# OUT.err; fails on another exit status or any sanitizer report, and when
# a --json output (check, convert, load --dry-run) is not valid against
# its schema in userspace/doc/schema (tests/jsoncheck.py: strict,
# duplicate keys rejected).
run() {
	local want=$1 out=$2 rc=0
	shift 2
	"$CTL" "$@" >"$out" 2>"$out.err" || rc=$?
	if grep -qE 'AddressSanitizer|UndefinedBehaviorSanitizer|runtime error' "$out.err"; then
		diag "$(head -20 "$out.err")"
		return 1
	fi
	if [ "$rc" -ne "$want" ]; then
		diag "exit status $rc, expected $want: $CTL $*"
		diag "$(head -5 "$out.err")"
		return 1
	fi
	local schema a
	for a in "$@"; do
		case $a in -j | --json) [ "$rc" -ne 0 ] || JSON_RUNS=$((JSON_RUNS + 1)) ;; esac
	done
	schema=$(schema_of "$@")
	if [ -n "$schema" ] && [ "$rc" -eq 0 -o "$schema" = check ]; then
		if ! /usr/bin/python3 "$HERE/jsoncheck.py" "$schema" "$out" >"$out.schema" 2>&1; then
			diag "$schema schema: $(head -20 "$out.schema")"
			return 1
		fi
		JSON_CHECKED=$((JSON_CHECKED + 1))
		[ "$rc" -ne 0 ] || JSON_CHECKED_OK=$((JSON_CHECKED_OK + 1))
		JSON_SCHEMAS="$JSON_SCHEMAS $schema"
	fi
}
JSON_CHECKED=0 JSON_CHECKED_OK=0 JSON_RUNS=0 JSON_SCHEMAS=''

# importers TREE SYMBOL: modules (paths) whose __versions list SYMBOL
importers() {
	grep -rlF --include='*.ko' -e "$2" "$1" | sort | while read -r f; do
		modprobe --dump-modversions "$f" 2>/dev/null |
			awk -v s="$2" '$2 == s { found = 1 } END { exit !found }' &&
			echo "$f"
	done
}

# failing OUT KIND: paths of modules with an issue of KIND in a --json output
failing() {
	jq -r --arg k "$2" '.modules[] | select(any(.issues[]; .kind == $k)) | .path' "$1" | sort
}

same_set() {
	if diff -u "$1" "$2" >"$T/diff"; then
		return 0
	fi
	diag "$(head -20 "$T/diff")"
	return 1
}

# jqt DESC FILE FILTER WANT: ok when jq -r FILTER FILE prints WANT
jqt() {
	local got
	got=$(jq -r "$3" "$2" 2>&1)
	if [ "$got" = "$4" ]; then ok "$1"; else
		not_ok "$1"
		diag "got '$got', expected '$4'"
	fi
}

tap_begin

# The kernels: KV[SERIES]=KVER, MD[SERIES]=its modules, SV[SERIES]=its
# Module.symvers.  SVC: the first symvers with CRCs (modversions), UAS: a
# signed uncompressed uas.ko of that kernel, for the tests that need them.
declare -A KV MD SV
SERIES=()
if "$HERE/test_kernels.sh" >"$T/kernels" 2>"$T/kernels.err"; then
	ok "the matrix kernels are set up: $(awk '{ printf "%s%s", sep, $2; sep = ", " }' "$T/kernels")"
else
	not_ok "the matrix kernels are set up (scripts/install-deps.sh)"
	diag "$(cat "$T/kernels.err")"
fi
while read -r s k m sv; do
	SERIES+=("$s")
	KV[$s]=$k MD[$s]=$m SV[$s]=$sv
done <"$T/kernels"
SVC=/dev/null UAS= KC=
for s in "${SERIES[@]}"; do
	if [ "$SVC" = /dev/null ] && awk -F'\t' '$1 != "0x00000000" { f = 1; exit } END { exit !f }' "${SV[$s]}"; then
		SVC=${SV[$s]} KC=$s
	fi
	if [ -z "$UAS" ] && [ "${SV[$s]}" = "$SVC" ] && [ -r "${MD[$s]}/kernel/drivers/usb/storage/uas.ko" ]; then
		UAS=${MD[$s]}/kernel/drivers/usb/storage/uas.ko UASSV=${SV[$s]}
	fi
done
[ -n "$UAS" ] || diag "no kernel of ${SERIES[*]} has an uncompressed uas.ko with modversions (5.10, 6.1): its tests are left out"

tree_tests() {
	local K=$1 M=$2 SV=$3
	local sym=usb_alloc_urb sym2=pci_enable_device

	run 0 "$T/all.json" check -j --symvers "$SV" --policy "$SV" "$M/kernel"
	check "$K: every module loads and is allowed under its own Module.symvers" \
		test "$(jq '.summary.fail + .summary.errors' "$T/all.json")" = 0
	check "$K: JSON lists every module" test "$(jq '.modules | length' "$T/all.json")" = \
		"$(find "$M/kernel" -name '*.ko' | wc -l)"
	jqt "$K: every module has __versions (basic modversions), its CRCs checked" "$T/all.json" \
		'[.modules[] | .modversions == "basic" and .crcs_checked] | all' true

	importers "$M/kernel" "$sym" >"$T/imp"
	importers "$M/kernel" "$sym2" >"$T/imp2"
	diag "$K: $(wc -l <"$T/imp") importers of $sym, $(wc -l <"$T/imp2") of $sym2"

	# A whitelist without one symbol: exactly its importers fail, once.
	awk -v s="$sym" -F'\t' '$2 != s' "$SV" >"$T/pol"
	run 6 "$T/o.json" check -j --symvers "$SV" --policy "$T/pol" "$M/kernel"
	failing "$T/o.json" policy >"$T/got"
	check "$K: policy without $sym flags exactly its importers (modprobe --dump-modversions)" \
		same_set "$T/imp" "$T/got"
	check "$K: ... with one not-allowed issue each" test "$(jq --arg s "$sym" \
		'[.modules[] | select(.verdict == "fail") | .issues | (length == 1 and .[0].symbol == $s and .[0].reason == "not-allowed")] | all' \
		"$T/o.json")" = true

	# A symvers with one CRC changed: exactly that symbol's importers.
	awk -v s="$sym2" -F'\t' 'BEGIN { OFS = "\t" } $2 == s { $1 = "0xdeadbeef" } 1' "$SV" >"$T/sv"
	run 6 "$T/o.json" check -j --symvers "$T/sv" "$M/kernel"
	failing "$T/o.json" crc-differs >"$T/got"
	check "$K: symvers with the CRC of $sym2 changed flags exactly its importers" \
		same_set "$T/imp2" "$T/got"
	check "$K: ... and nothing else" test "$(jq '[.modules[] | select(.verdict == "fail")] | length' \
		"$T/o.json")" = "$(wc -l <"$T/imp2")"
	check "$K: ... reporting both CRCs" test "$(jq -r --arg s "$sym2" \
		'[.modules[].issues[] | select(.symbol == $s) | .kernel_crc] | unique | join(",")' \
		"$T/o.json")" = 0xdeadbeef

	# The same symbol missing from the target kernel: unknown.
	awk -v s="$sym" -F'\t' '$2 != s' "$SV" >"$T/sv"
	run 6 "$T/o.json" check -j --symvers "$T/sv" "$M/kernel"
	failing "$T/o.json" unknown-symbol >"$T/got"
	check "$K: symvers without $sym: its importers import an unknown symbol" \
		same_set "$T/imp" "$T/got"

	# The symbol moved into a namespace nobody imports.
	awk -v s="$sym" -F'\t' 'BEGIN { OFS = "\t" } $2 == s { $5 = "KG_TEST_NS" } 1' "$SV" >"$T/sv"
	run 6 "$T/o.json" check -j --symvers "$T/sv" "$M/kernel"
	failing "$T/o.json" ns-not-imported >"$T/got"
	check "$K: $sym in a namespace: its importers lack MODULE_IMPORT_NS" \
		same_set "$T/imp" "$T/got"

	# policy generate from a directory, then check with what it wrote.
	run 0 "$T/gen.pol" policy generate --symvers "$SV" --crc --modules "$M/kernel/drivers/usb/storage"
	run 0 "$T/o.txt" check --symvers "$SV" --policy "$T/gen.pol" "$M/kernel/drivers/usb/storage"
	check "$K: a policy generated from usb/storage allows usb/storage" true
	check "$K: ... each of its rules pinned to the namespace seen (ns=NS or ns=-)" \
		test "$(grep -c '^symbol [^ ]* ns=' "$T/gen.pol")" = "$(grep -c '^symbol ' "$T/gen.pol")"
	run 6 "$T/o.json" check -j --symvers "$SV" --policy "$T/gen.pol" "$M/kernel/drivers/usb/serial"
	check "$K: ... and not usb/serial" test "$(jq '.summary.fail' "$T/o.json")" -gt 0
	check "$K: ... its rules carry ns=, from= and crc= and say where they came from" \
		grep -qE '^symbol usb_stor_probe1 ns=USB_STORAGE from=usb_storage crc=0x[0-9a-f]{8}	# module: .*ums_' "$T/gen.pol"
}

# uas_ns K MODULE SV: uas imports usb_stor_* in namespace USB_STORAGE from
# usb-storage, declared by MODULE_IMPORT_NS (5.10 stringifies it unexpanded,
# 6.13+ takes a string: both read "USB_STORAGE").
uas_ns() {
	local K=$1 mod=$2 sv=$3
	run 0 "$T/o.json" check -j --symvers "$sv" "$mod"
	jqt "$K: $(basename "$mod") imports the USB_STORAGE namespace and loads" "$T/o.json" \
		'.modules[0] | (.import_ns | join(",")) + " " + .verdict' "USB_STORAGE ok"
	awk -F'\t' 'BEGIN { OFS = "\t" } $5 == "USB_STORAGE" { $5 = "KG_OTHER_NS" } 1' "$sv" >"$T/sv"
	run 6 "$T/o.json" check -j --symvers "$T/sv" "$mod"
	jqt "$K: ... usb_stor_* in another namespace: each of them ns-not-imported" "$T/o.json" \
		'[.modules[0].issues[] | select(.kind == "ns-not-imported") | .symbol | startswith("usb_stor_")] | length > 0 and all' true
}

# module_layout_tests K MOD SYMVERS: module_layout (in __versions, no
# symbol) is a CRC check, not an import: a policy without it allows the
# module; a symvers with another module_layout CRC stops the load, as
# check_modstruct_version() does, with the issue flagged crc_check.
module_layout_tests() {
	local K=$1 mod=$2 sv=$3
	grep -vP '\tmodule_layout\t' "$sv" >"$T/nolayout.pol"
	run 0 "$T/o.json" check -j --symvers "$sv" --format symvers --policy "$T/nolayout.pol" "$mod"
	jqt "$K: module_layout: a policy without it allows $(basename "$mod")" "$T/o.json" \
		'.modules[0] | [.verdict, .allowed, .issue_count] | map(tostring) | join(" ")' "ok true 0"
	awk -F '\t' -v OFS='\t' '$2 == "module_layout" { $1 = "0x0badc0de" } 1' "$sv" >"$T/layout.sv"
	run 6 "$T/o.json" check -j --symvers "$T/layout.sv" "$mod"
	jqt "$K: module_layout with another CRC: one crc-differs issue, a CRC check, the module does not load" "$T/o.json" \
		'.modules[0] | [.loads, (.issues | map([.kind, .symbol, (.crc_check | tostring), .kernel_crc] | join(" ")) | join(","))] | map(tostring) | join(" ")' \
		"false crc-differs module_layout true 0x0badc0de"
	run 6 "$T/o.txt" check --symvers "$T/layout.sv" "$mod"
	check "$K: ... the text report says it is a CRC check" \
		grep -q 'crc-differs *module_layout .*(CRC check, no import)' "$T/o.txt"
}

# 6.12: .ko.xz modules, decompressed here (as are .ko.zst and .ko.gz).
k612_tests() {
	local K=$1 M=$2 SV=$3 UASXZ=$2/kernel/drivers/usb/storage/uas.ko.xz
	uas_ns "$K" "$UASXZ" "$SV"
	jqt "$K: ... its imports and CRC checks, as modprobe --dump-modversions lists them" "$T/o.json" \
		'.modules[0].imports + .modules[0].crc_checks' "$(modprobe --dump-modversions "$UASXZ" | wc -l)"
	jqt "$K: ... its imports are its undefined symbols (nm -u), module_layout a CRC check" "$T/o.json" \
		'.modules[0] | [.imports, .crc_checks] | map(tostring) | join(" ")' \
		"$(xz -dc "$UASXZ" >"$T/uas.ko" && nm -u "$T/uas.ko" | wc -l) 1"
	module_layout_tests "$K" "$UASXZ" "$SV"
	zstd -q -c <(xz -dc "$UASXZ") >"$T/uas.ko.zst"
	run 0 "$T/o.json" check -j --symvers "$SV" "$T/uas.ko.zst"
	jqt "$K: uas.ko.zst reads too" "$T/o.json" '.summary.ok' 1
	xz -dc "$UASXZ" | gzip -c >"$T/uas.ko.gz"
	run 0 "$T/o.json" check -j --symvers "$SV" "$T/uas.ko.gz"
	jqt "$K: uas.ko.gz reads too (whatever libkmod was built with)" "$T/o.json" '.summary.ok' 1
	run 0 "$T/o.json" check -j --symvers "$SV" "$M/kernel/drivers/usb"
	jqt "$K: the .ko.xz files of drivers/usb all load" "$T/o.json" '.summary.fail + .summary.errors' 0
}

# 7.3: no CONFIG_MODVERSIONS (no __versions in any module, every CRC of
# Module.symvers 0), .ko.xz, and module: namespaces (EXPORT_SYMBOL_FOR_MODULES).
k73_tests() {
	local K=$1 M=$2 SV=$3 UASXZ=$2/kernel/drivers/usb/storage/uas.ko.xz
	local vsock=$2/kernel/net/vmw_vsock/vmw_vsock_virtio_transport_common.ko.xz
	uas_ns "$K" "$UASXZ" "$SV"
	xz -dc "$UASXZ" >"$T/uas73.ko"
	check "$K: modprobe --dump-modversions fails on uas.ko (no __versions)" \
		test -z "$(modprobe --dump-modversions "$T/uas73.ko" 2>/dev/null)"
	jqt "$K: ... its imports are its undefined symbols (nm -u)" "$T/o.json" \
		'.modules[0].imports' "$(nm -u "$T/uas73.ko" | wc -l)"
	jqt "$K: no modversions: the JSON report says so for the kernel and the module" "$T/o.json" \
		'[.kernel.modversions, .modules[0].modversions, .modules[0].crcs_checked] | map(tostring) | join(" ")' "false none false"
	run 0 "$T/o.txt" check --verbose --symvers "$SV" "$UASXZ"
	check "$K: ... and the text report: no CRC checked, vermagic decides" \
		grep -q "every CRC is 0x00000000: the target kernel has no modversions.*vermagic" "$T/o.txt"
	check "$K: ... in its summary too" grep -q "(no modversions: vermagic decides)" "$T/o.txt"

	run 0 "$T/all.json" check -j --symvers "$SV" --policy "$SV" "$M/kernel"
	jqt "$K: every module loads and is allowed under its own Module.symvers (module: namespaces included)" \
		"$T/all.json" '.summary.fail + .summary.errors' 0
	jqt "$K: JSON lists every module" "$T/all.json" '.modules | length' "$(find "$M/kernel" -name '*.ko.xz' | wc -l)"
	jqt "$K: no module has modversions" "$T/all.json" '[.modules[].modversions] | unique | join(",")' none

	# Module.symvers: the module: namespace column, parsed whole.
	run 0 "$T/conv.txt" convert "$SV"
	check "$K: Module.symvers has module: namespaces ($(grep -c 'ns=module:' "$T/conv.txt"))" \
		test "$(grep -c 'ns=module:' "$T/conv.txt")" = "$(awk -F'\t' '$5 ~ /^module:/' "$SV" | wc -l)"
	check "$K: ... each with its whole list: write_ibpb for kvm, kvm-amd and kvm-intel" \
		grep -q '^symbol write_ibpb ns=module:kvm,kvm-amd,kvm-intel from=vmlinux$' "$T/conv.txt"
	check "$K: ... and no crc= (all CRCs 0)" test "$(grep -c 'crc=' "$T/conv.txt")" = 0

	# iov_iter_restore is exported for vmw_vsock_virtio_transport_common
	# alone: the loader lets it in without MODULE_IMPORT_NS.
	run 0 "$T/o.json" check -j --symvers "$SV" "$vsock"
	jqt "$K: a module: export used by the module it names: loads, no import_ns needed" "$T/o.json" \
		'.modules[0] | .verdict + " " + (.import_ns | length | tostring)' "ok 0"
	# modns LIST VERDICT: iov_iter_restore exported for module:LIST
	modns() {
		awk -F'\t' -v l="$1" 'BEGIN { OFS = "\t" } $2 == "iov_iter_restore" { $5 = "module:" l } 1' "$SV" >"$T/sv"
		run "$3" "$T/o.json" check -j --symvers "$T/sv" "$vsock"
		jqt "$K: exported for module:$1: $2" "$T/o.json" \
			'.modules[0] | .verdict + " " + ([.issues[] | .kind + " " + .reason] | join(","))' "$2"
	}
	modns "other" "fail ns-not-imported exported only for the modules listed" 6
	modns "kvm,vmw_vsock_virtio_transport_common,x" "ok " 0
	modns "vmw-vsock-virtio-transport-common" "ok " 0
	modns "vmw_vsock_*" "ok " 0
	modns "vmw_vsock_virtio_transport_common_x" "fail ns-not-imported exported only for the modules listed" 6
	modns "vmw_vsock_virtio*x" "fail ns-not-imported exported only for the modules listed" 6
	modns ",*" "ok " 0

	# A policy pinning CRCs on a kernel without any.
	printf 'symbol iov_iter_restore ns=module:vmw_vsock_virtio_transport_common crc=0x12345678\nany\n' >"$T/crc.pol"
	run 0 "$T/o.txt" check --symvers "$SV" --policy "$T/crc.pol" "$vsock"
	check "$K: crc= rules on a kernel without modversions: a warning says they match nothing" \
		grep -q "1 policy rules pin a CRC (crc=), but the target kernel has no modversions" "$T/o.txt.err"

	# The same module against a kernel that checks CRCs: forced load only.
	if [ "$SVC" != /dev/null ]; then
		run 6 "$T/o.json" check -j --symvers "$SVC" "$UASXZ"
		jqt "$K: uas.ko against $KC (modversions): one no-modversions issue" "$T/o.json" \
			'[.modules[0].issues[] | select(.kind == "no-modversions")] | length' 1
	fi
}

for s in "${SERIES[@]}"; do
	K=${KV[$s]} M=${MD[$s]}
	case $s in
	5.10 | 6.1)
		# Uncompressed modules with __versions.
		tree_tests "$K" "$M" "${SV[$s]}"
		uas_ns "$K" "$M/kernel/drivers/usb/storage/uas.ko" "${SV[$s]}"
		;;
	6.12) k612_tests "$K" "$M" "${SV[$s]}" ;;
	7.3) k73_tests "$K" "$M" "${SV[$s]}" ;;
	esac
done

# --- uas: the USB_STORAGE namespace, and the kernel's matching rules
if [ -n "$UAS" ]; then
	run 0 "$T/o.json" check -j --symvers "$UASSV" "$UAS"
	check "uas.ko imports the USB_STORAGE namespace" \
		test "$(jq -r '.modules[0].import_ns | join(",")' "$T/o.json")" = USB_STORAGE
	run 0 "$T/o.txt" check --verbose --symvers "$UASSV" "$UAS"
	check "text output: one line per module with --verbose" grep -q "uas.ko (uas): ok" "$T/o.txt"

	check "uas.ko: its signer is reported" test "$(jq -r '.modules[0].signer' "$T/o.json")" != null
	# An unsigned copy: cut the appended signature (struct module_signature,
	# whose last 4 bytes are the big-endian length, then the magic).
	sz=$(stat -c %s "$UAS")
	len=$(tail -c 32 "$UAS" | head -c 4 | od -An -tu1 | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
	mkdir -p "$T/unsigned"
	head -c $((sz - len - 40)) "$UAS" >"$T/unsigned/uas.ko"
	run 0 "$T/o.json" check -j --symvers "$UASSV" "$T/unsigned/uas.ko"
	check "uas.ko without its signature: no signer" test "$(jq -r '.modules[0].signer' "$T/o.json")" = null

	# match CASE POLICY-LINES REASON: uas.ko against the 6.1 symvers
	# minus usb_stor_sense_invalidCDB plus the lines; REASON "" = allowed.
	match() {
		local got
		printf '%s\n' "$2" >"$T/m.pol"
		"$CTL" check -j --symvers "$UASSV" --policy "$T/m.sv" --policy "$T/m.pol" \
			"${4:-$UAS}" >"$T/m.json" 2>"$T/m.err"
		got=$(jq -r '[.modules[0].issues[] | select(.kind == "policy") | .reason] | join(",")' "$T/m.json")
		grep -qE 'Sanitizer|runtime error' "$T/m.err" && got="sanitizer report: $(head -3 "$T/m.err")"
		if [ "$got" = "$3" ]; then ok "matcher: $1"; else
			not_ok "matcher: $1"; diag "got '$got', expected '$3'"; fi
	}
	awk -F'\t' '$2 != "usb_stor_sense_invalidCDB"' "$UASSV" >"$T/m.sv"
	match "no rule for a namespaced symbol: namespace" "" namespace
	match "symbol rule without ns= (a stablelist entry): allowed in its namespace" "symbol usb_stor_sense_invalidCDB" ""
	match "symbol rule ns=- (pinned to none): namespace" "symbol usb_stor_sense_invalidCDB ns=-" namespace
	match "symbol rule of another namespace: namespace" "symbol usb_stor_sense_invalidCDB ns=DMA_BUF" namespace
	match "symbol rule with ns=: allowed" "symbol usb_stor_sense_invalidCDB ns=USB_STORAGE" ""
	match "namespace rule: allowed" "namespace USB_STORAGE" ""
	match "namespace rule of another exporter: exporter" "namespace USB_STORAGE from=vmlinux" exporter
	match "wrong exporter: exporter" "symbol usb_stor_sense_invalidCDB ns=USB_STORAGE from=vmlinux" exporter
	match "wrong crc: crc-mismatch" "symbol usb_stor_sense_invalidCDB ns=USB_STORAGE crc=0x1" crc-mismatch
	match "crc-mismatch outranks exporter" "symbol usb_stor_sense_invalidCDB ns=USB_STORAGE from=vmlinux
symbol usb_stor_sense_invalidCDB ns=USB_STORAGE crc=0x1" crc-mismatch
	match "signed-only, signed module: allowed" "symbol usb_stor_sense_invalidCDB ns=USB_STORAGE signed-only" ""
	match "signed-only, unsigned module: unsigned" "symbol usb_stor_sense_invalidCDB ns=USB_STORAGE signed-only" unsigned "$T/unsigned/uas.ko"
	match "module= another module: not for uas" "namespace USB_STORAGE module=usb_storage" namespace
	match "module=uas: allowed" "namespace USB_STORAGE module=uas" ""
	match "any from=usb_storage: allowed" "any from=usb_storage" ""
	match "any from=vmlinux: no reason of its own" "any from=vmlinux" namespace
	# A Red Hat-style stablelist of every export (bare names): uas.ko's
	# namespaced usb_stor_* imports are allowed, as the guard allows them.
	{ echo "[stablelist]"; awk -F'\t' '{ print "\t" $2 }' "$UASSV"; } >"$T/stable.lst"
	"$CTL" check -j --symvers "$UASSV" --policy "$T/stable.lst" "$UAS" >"$T/m.json" 2>"$T/m.err"
	check "matcher: a stablelist allows namespaced exports (no policy issue for uas.ko)" \
		test "$(jq -r '[.modules[0].issues[] | select(.kind == "policy")] | length' "$T/m.json")" = 0
	echo "symbol usb_stor_sense_invalidCDB ns=USB_STORAGE signed-only" >"$T/m.pol"
	"$CTL" check -j --signed --symvers "$UASSV" --policy "$T/m.sv" --policy "$T/m.pol" \
		"$T/unsigned/uas.ko" >"$T/m.json" 2>&1
	check "matcher: --signed counts the module as signed" \
		test "$(jq '.modules[0].issues | length' "$T/m.json")" = 0
fi

# --- extended modversions (6.14+): no kernel of the matrix enables them
# (Debian's 7.x have no modversions at all), so the sections are crafted
# here with objcopy --add-section into a module built for a kernel with
# modversions (tests/extmod: it imports a 57-byte name weakly, which no
# __versions entry can hold).
LONG=kg_test_symbol_whose_name_is_longer_than_fifty_five_bytes
if [ -n "$KC" ]; then
	cp -r "$HERE/extmod" "$T/extmod"
	if "$ROOT/scripts/kmake.sh" "${KV[$KC]}" M="$T/extmod" modules >"$T/extmod.log" 2>&1; then
		ok "$KC: tests/extmod builds (scripts/kmake.sh)"
	else
		not_ok "$KC: tests/extmod builds (scripts/kmake.sh)"
		diag "$(tail -20 "$T/extmod.log")"
	fi
	EXT=$T/extmod/kg_extmod.ko
	# The kernel's symvers and an export of the long name, CRC 0x12345678.
	{ cat "$SVC"; printf '0x12345678\t%s\tkg_extexp\tEXPORT_SYMBOL\t\n' "$LONG"; } >"$T/ext.sv"
	# mkext OUT CRCS NAMES [OBJCOPY ARGS]: EXT with __version_ext_crcs
	# holding CRCS (u32, the file's byte order: little-endian here) and
	# __version_ext_names holding NAMES (printf format), as modpost writes
	# them (SHF_ALLOC, read-only data).
	mkext() {
		local out=$1 crcs=$2 names=$3
		shift 3
		# shellcheck disable=SC2086 # a list of numbers
		perl -e 'print pack("V*", map { hex } @ARGV)' $crcs >"$T/crcs.bin"
		# shellcheck disable=SC2059 # NAMES is a format
		printf "$names" >"$T/names.bin"
		objcopy --add-section __version_ext_crcs="$T/crcs.bin" \
			--set-section-flags __version_ext_crcs=alloc,readonly,data \
			--add-section __version_ext_names="$T/names.bin" \
			--set-section-flags __version_ext_names=alloc,readonly,data "$@" "$EXT" "$out"
	}
	# Every import of __versions with the kernel's CRC, and the long one.
	modprobe --dump-modversions "$EXT" >"$T/ext.vers"
	crcs=$(awk '{ printf "%s ", $1 }' "$T/ext.vers")
	names=$(awk '{ printf "%s\\0", $2 }' "$T/ext.vers")

	mkdir -p "$T/ext"
	run 0 "$T/o.json" check -j --symvers "$T/ext.sv" "$EXT"
	jqt "kg_extmod as built: basic modversions, loads (the long name has no CRC to compare)" "$T/o.json" \
		'.modules[0] | .modversions + " " + .verdict' "basic ok"

	mkext "$T/ext/kg_extmod.ko" "$crcs 0x12345678" "$names$LONG\\0"
	run 0 "$T/o.json" check -j --symvers "$T/ext.sv" "$T/ext/kg_extmod.ko"
	jqt "with __version_ext_crcs/_names: extended modversions, CRCs checked, loads" "$T/o.json" \
		'.modules[0] | .modversions + " " + (.crcs_checked | tostring) + " " + .verdict' "extended true ok"
	awk -F'\t' -v l="$LONG" 'BEGIN { OFS = "\t" } $2 == l { $1 = "0xdeadbeef" } 1' "$T/ext.sv" >"$T/ext2.sv"
	run 6 "$T/o.json" check -j --symvers "$T/ext2.sv" "$T/ext/kg_extmod.ko"
	jqt "... the 57-byte name's CRC is read from __version_ext_names: crc-differs" "$T/o.json" \
		'.modules[0].issues[] | [.kind, .symbol, .module_crc, .kernel_crc] | join(" ")' \
		"crc-differs $LONG 0x12345678 0xdeadbeef"
	run 0 "$T/o.json" check -j --symvers "$T/ext2.sv" "$EXT"
	jqt "... while the module as built (__versions alone) cannot say" "$T/o.json" '.modules[0].verdict' ok

	# A wrong CRC for _printk in the extended table, __versions right:
	# the loader reads the extended table alone.
	crcs2=$(awk '{ printf "%s ", $2 == "_printk" || $2 == "printk" ? "0x0badc0de" : $1 }' "$T/ext.vers")
	mkext "$T/ext/wrong.ko" "$crcs2 0x12345678" "$names$LONG\\0"
	run 6 "$T/o.json" check -j --symvers "$T/ext.sv" "$T/ext/wrong.ko"
	jqt "... a CRC of the extended table differs, __versions' is right: the extended one counts" "$T/o.json" \
		'.modules[0].issues[] | [.kind, .module_crc] | join(" ")' "crc-differs 0x0badc0de"

	# Hostile tables: what the loader refuses is an error, read in bounds.
	mkext "$T/bad1.ko" "$crcs 0x12345678 0x1" "$names$LONG\\0"
	run 1 "$T/o.txt" check --symvers "$T/ext.sv" "$T/bad1.ko"
	check "more extended CRCs than names: error, the loader refuses it" \
		grep -q "bad1.ko: .*more extended version CRCs than names" "$T/o.txt"
	mkext "$T/bad2.ko" "$crcs 0x12345678" "$names$LONG"
	run 1 "$T/o.txt" check --symvers "$T/ext.sv" "$T/bad2.ko"
	check "the last extended name unterminated: error, no overread" \
		grep -q "bad2.ko: .*more extended version CRCs than names" "$T/o.txt"
	objcopy --add-section __version_ext_crcs="$T/crcs.bin" \
		--set-section-flags __version_ext_crcs=alloc,readonly,data "$EXT" "$T/bad3.ko"
	run 1 "$T/o.txt" check --symvers "$T/ext.sv" "$T/bad3.ko"
	check "__version_ext_crcs without __version_ext_names: error" \
		grep -q "bad3.ko: .*__version_ext_crcs without __version_ext_names" "$T/o.txt"
	mkext "$T/ext/short.ko" "${crcs%% *}" "$names$LONG\\0"
	run 0 "$T/o.json" check -j --symvers "$T/ext.sv" "$T/ext/short.ko"
	jqt "fewer CRCs than names: the first ones count, the rest have none (as in the loader)" "$T/o.json" \
		'.modules[0] | .verdict + " " + .modversions' "ok extended"
	printf '\x01\x02\x03' >"$T/odd.bin"
	objcopy --add-section __version_ext_crcs="$T/odd.bin" --set-section-flags __version_ext_crcs=alloc,readonly,data \
		--add-section __version_ext_names="$T/odd.bin" --set-section-flags __version_ext_names=alloc,readonly,data \
		"$EXT" "$T/ext/odd.ko"
	run 0 "$T/o.json" check -j --symvers "$T/ext.sv" "$T/ext/odd.ko"
	jqt "a 3-byte CRC table: no whole entry, no CRC, no overread" "$T/o.json" '.modules[0].modversions' extended
	run 0 "$T/o.json" check -j --symvers "$T/ext.sv" "$T/ext"
	jqt "a directory of them: the same verdicts" "$T/o.json" \
		'[.modules[] | .verdict] | join(",")' "ok,ok,ok,fail"
else
	not_ok "extended modversions: no kernel of ${SERIES[*]} has modversions to build tests/extmod for"
fi

# --- broken inputs: clear errors, no crash
head -c 3000 /dev/urandom >"$T/garbage.ko"
printf '\x7fELF\x02\x01\x01' >"$T/tiny.ko"
: >"$T/empty.ko"
head -c 20000 "${UAS:-$CTL}" >"$T/trunc.ko"
printf '\xfd7zXZ\0garbage' >"$T/bad.ko.xz"
for f in garbage tiny empty trunc; do
	run 1 "$T/o.txt" check --symvers "$SVC" "$T/$f.ko"
	check "$f.ko: exit 1 and a clear error" grep -q "$f.ko: .*not a valid kernel module\|$f.ko: .*: " "$T/o.txt"
done
run 1 "$T/o.txt" check --symvers "$SVC" "$T/bad.ko.xz"
check "corrupt .ko.xz: exit 1, named" grep -q "bad.ko.xz" "$T/o.txt"
run 1 "$T/o.json" check -j --symvers "$SVC" "$T"
check "a directory with broken modules: each an error in JSON" \
	test "$(jq '[.modules[] | select(.verdict == "error")] | length' "$T/o.json")" -ge 4
run 2 "$T/o.txt" check /nonexistent/x.ko
check "missing path: exit 2" grep -q "/nonexistent/x.ko: No such file" "$T/o.txt.err"
run 2 "$T/o.txt" check
check "no path: usage, exit 2" grep -q "Usage:" "$T/o.txt.err"
run 2 "$T/o.txt" check --kernel 0.0-nonexistent "$T/tiny.ko"
check "--kernel without symvers: exit 2, says where it looked" grep -q "no symvers for kernel 0.0-nonexistent" "$T/o.txt.err"

# badpol NAME CONTENT EXPECTED-MESSAGE: check --policy refuses it, exit 2
badpol() {
	printf "$2" >"$T/$1"
	run 2 "$T/o.txt" check --symvers "$SVC" --policy "$T/$1" "$T/tiny.ko"
	if grep -q "$T/$1:$3" "$T/o.txt.err"; then ok "malformed policy $1: $3"; else
		not_ok "malformed policy $1: $3"; diag "$(cat "$T/o.txt.err")"; fi
}
badpol native.pol 'symbol ok\nsymbol\n' '2: '
badpol native2.pol 'symbol a crc=0xZZ\n' '1: '
badpol native3.pol 'frobnicate x\n' '1: '
badpol symvers.txt '0x12345678\tsym\tvmlinux\tEXPORT_SYMBOL\t\n0x1\n' '2: '
badpol symvers2.txt '0x12345678\tsym\tvmlinux\tEXPORT_SYMBOL\t\n0xnothex\tx\tvmlinux\tEXPORT_SYMBOL\t\n' '2: bad CRC'
badpol kabi.txt '[rhel9]\n\tgood\n\ttwo words\n' '3: '
badpol kabi2.txt 'x\n[rhel9]\n' '1: '
badpol binary.pol 'symbol a\n\0\n' '2: '

# --- symsets: file, directory, tarball (a symvers with CRCs)
if [ -n "$KC" ]; then
	K61=${KV[$KC]} SV61=$SVC
	mkdir -p "$T/symsets-$K61"
	awk -F'\t' 'BEGIN { OFS = "\t" } NR <= 3000 && $3 == "vmlinux" { print $1, $2, $3 > "'"$T/symsets-$K61"'/core.0123abcd" }
		$3 ~ /usb/ { print $1, $2, $3 > "'"$T/symsets-$K61"'/usb.4567ef01" }' "$SV61"
	want=$(cat "$T/symsets-$K61"/* | wc -l)
	run 0 "$T/o.txt" convert "$T/symsets-$K61"
	check "symsets directory: every line a rule" test "$(grep -c '^symbol ' "$T/o.txt")" = "$want"
	check "symsets rules carry exporter and CRC" grep -qE '^symbol usb_stor_probe1 from=usb_storage crc=0x' "$T/o.txt"
	tar -C "$T" -czf "$T/symsets-$K61.tar.gz" "symsets-$K61"
	run 0 "$T/o2.txt" convert "$T/symsets-$K61.tar.gz"
	check "symsets tarball (libarchive): the same rules" cmp -s <(sort "$T/o.txt") <(sort "$T/o2.txt")
	run 0 "$T/o2.txt" convert --format symsets "$T/symsets-$K61/usb.4567ef01"
	check "symsets file with --format symsets" test -s "$T/o2.txt"
	run 6 "$T/o.json" check -j --symvers "$T/symsets-$K61.tar.gz" "${UAS:-${MD[$KC]}/kernel/drivers/usb/storage/uas.ko.xz}"
	check "check --symvers accepts a symsets tarball" test "$(jq '.kernel.exports' "$T/o.json")" = "$want"
	printf '0x1\tbad line\n' >>"$T/symsets-$K61/usb.4567ef01"
	run 2 "$T/o.txt" convert "$T/symsets-$K61"
	check "bad symsets line: file:line" grep -q "usb.4567ef01:$(wc -l <"$T/symsets-$K61/usb.4567ef01"): " "$T/o.txt.err"
	tar -C "$T" -czf "$T/bad.tar.gz" "symsets-$K61"
	run 2 "$T/o.txt" convert "$T/bad.tar.gz"
	check "bad line in a tarball: archive:member:line" grep -q "bad.tar.gz:symsets-$K61/usb.4567ef01:[0-9]*: " "$T/o.txt.err"
	head -c 700 "$T/symsets-$K61.tar.gz" >"$T/trunc.tar.gz"
	"$CTL" convert "$T/trunc.tar.gz" >/dev/null 2>"$T/o.err"
	check "truncated tarball: an error, no crash" test $? -eq 2 -a -s "$T/o.err"
fi

# --- policy generate from audit events
cat >"$T/events.jsonl" <<'EOF'
{"verdict":"audited","module":"uas","generation":3,"violations":[{"symbol":"usb_stor_sense_invalidCDB","namespace":"USB_STORAGE","exporter":"usb_storage","reason":"namespace","kernel_crc":"0x1234abcd"}]}
{"verdict":"allowed","module":"loop","violations":[]}

{"verdict":"audited","module":"vendor_drv","extra":{"nested":[1,-2.5e+3,true,null,"\u00e9\ud83d\ude00"]},"violations":[{"symbol":"kmalloc_trace","exporter":"vmlinux","reason":"not-allowed","kernel_crc":null},{"symbol":"usb_stor_sense_invalidCDB","namespace":"USB_STORAGE","exporter":"usb_storage","reason":"namespace","kernel_crc":"0x1234abcd"}]}
EOF
run 0 "$T/gen.pol" policy generate --audit "$T/events.jsonl" --crc
check "audit: one rule per distinct import" test "$(grep -c '^symbol ' "$T/gen.pol")" = 2
check "audit: each pins the namespace seen: ns=NS, or ns=- for none" \
	test "$(grep -c '^symbol [^ ]* ns=' "$T/gen.pol")" = 2 -a \
	"$(grep -c '^symbol kmalloc_trace ns=- from=vmlinux' "$T/gen.pol")" = 1
check "audit: namespace, exporter, CRC and origin kept" grep -q \
	'^symbol usb_stor_sense_invalidCDB ns=USB_STORAGE from=usb_storage crc=0x1234abcd	# audit: uas (namespace), vendor_drv (namespace)$' "$T/gen.pol"
run 0 "$T/o.txt" convert "$T/gen.pol"
check "audit: the generated policy parses" test "$(grep -c '^symbol ' "$T/o.txt")" = 2
run 0 "$T/gen.pol" policy generate --audit "$T/events.jsonl" --per-module
check "audit --per-module: module= on each rule" test "$(grep -c ' module=' "$T/gen.pol")" = 3
# Livepatch and unverifiable references: no symbol rule can allow them.
cat >"$T/lp.jsonl" <<'EOF'
{"verdict":"denied","module":"kg_livepatch","violations":[{"symbol":"","exporter":null,"reason":"livepatch","kernel_crc":null},{"symbol":".klp.sym.vmlinux.kallsyms_lookup_name,0","exporter":null,"reason":"livepatch","kernel_crc":null},{"symbol":"","exporter":null,"reason":"unverifiable","kernel_crc":null},{"symbol":"_printk","exporter":"vmlinux","reason":"not-allowed","kernel_crc":null}]}
EOF
run 0 "$T/gen.pol" policy generate --audit "$T/lp.jsonl"
check "audit: livepatch and unverifiable violations make no rule" \
	test "$(grep -c '^symbol ' "$T/gen.pol")" = 1 -a \
	"$(grep -c '^symbol _printk ns=- from=vmlinux' "$T/gen.pol")" = 1
check "audit: each one left out is warned about" \
	test "$(grep -c 'violation left out (no symbol rule allows it)' "$T/gen.pol.err")" = 3
run 0 "$T/o.txt" convert "$T/gen.pol"
check "audit: that policy parses" test "$(grep -c '^symbol ' "$T/o.txt")" = 1
printf '{"module":"x","violations":[{"symbol":"a"}]}\n{"module":"y",\n' >"$T/bad.jsonl"
run 2 "$T/o.txt" policy generate --audit "$T/bad.jsonl"
check "audit: a broken line is named file:line" grep -q "bad.jsonl:2: column" "$T/o.txt.err"
run 2 "$T/o.txt" policy generate
check "policy generate without a source: usage" grep -q "nothing to generate from" "$T/o.txt.err"

# --- rule JSON (convert, load --dry-run): a rule pinned to no namespace
# and a name-only one differ in namespace_pinned, not only in text.
printf '%s\n' '# pins' 'symbol any_ns' 'symbol foo_ns ns=FOO' 'symbol no_ns ns=-' \
	'namespace BAR' 'any signed-only' 'livepatch module=lp' >"$T/pins.pol"
run 0 "$T/pins.json" -j convert "$T/pins.pol"
jqt "rule JSON: name-only, ns=FOO, ns=-: namespace_pinned false, true, true" "$T/pins.json" \
	'[.[] | select(.kind == "symbol") | "\(.name):\(.namespace // "")/\(.namespace_pinned)"] | join(" ")' \
	"any_ns:/false foo_ns:FOO/true no_ns:/true"
jqt "rule JSON: namespace, any and livepatch rules are never pinned" "$T/pins.json" \
	'[.[] | select(.kind != "symbol") | "\(.kind)/\(.namespace_pinned)/\(.signed_only)"] | join(" ")' \
	"namespace/false/false any/false/true livepatch/false/false"
printf '0x12345678\tsv_plain\tvmlinux\tEXPORT_SYMBOL_GPL\t\n0x9abcdef0\tsv_ns\tdrivers/x/x\tEXPORT_SYMBOL\tNSX\n' \
	>"$T/pins.symvers"
run 0 "$T/pins.json" --json convert --format symvers "$T/pins.symvers"
jqt "rule JSON: Module.symvers rules pinned, with or without a namespace, CRCs kept" "$T/pins.json" \
	'[.[] | "\(.name):\(.namespace // "-"):\(.namespace_pinned):\(.crc)"] | join(" ")' \
	"sv_plain:-:true:0x12345678 sv_ns:NSX:true:0x9abcdef0"
run 0 "$T/load.json" load --dry-run --json "$T/pins.pol" "$T/pins.symvers"
jqt "load --dry-run --json: rules and files counted" "$T/load.json" '"\(.rules) \(.files)"' "8 2"

# --- text output is terminal-safe: a file name (like a module's name or
# symbols) with ESC, a UTF-8 C1 control, a lone 0x9b (CSI) and a backslash
# comes out as \xNN escapes; other UTF-8 text stays as it is.
if [ -n "$UAS" ]; then
	evil=$T/$'\xe2\x82\xacx\e[31m\xc2\x9b\x9b\\y.ko'
	cp "$UAS" "$evil"
	run 0 "$T/esc.txt" check --verbose --symvers "$UASSV" "$evil"
	check "text output: ESC, C1, a lone 0x9b and a backslash escaped, UTF-8 kept" \
		grep -qF $'/\xe2\x82\xacx\\x1b[31m\\xc2\\x9b\\x9b\\x5cy.ko (uas)' "$T/esc.txt"
	check "text output: no raw ESC, C1 or 0x9b byte" \
		sh -c '! LC_ALL=C grep -q "$(printf "\033\\|\302\\|\233")" "$1"' sh "$T/esc.txt"
fi

# Every successful --json run had its schema checked (schema_of knows
# its command): the count follows the kernels the test ran on.
check "every --json output ($JSON_CHECKED, $JSON_RUNS of them successful runs) valid against its doc/schema/*.schema.json, no duplicate key" \
	test "$JSON_RUNS" -gt 0 -a "$JSON_CHECKED_OK" -eq "$JSON_RUNS"
for s in check rules load; do
	check "... $s.schema.json among them ($(tr ' ' '\n' <<<"$JSON_SCHEMAS" | grep -cx "$s"))" \
		grep -qw "$s" <<<"$JSON_SCHEMAS"
done

tap_end
