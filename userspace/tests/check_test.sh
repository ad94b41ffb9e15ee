#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check_test.sh KABIGUARDCTL: TAP tests of `kabiguardctl check`, `policy
# generate` and the symsets formats, against the Debian module trees and
# Module.symvers files installed on this machine (no VM, no kabiguard.ko).
# Every expected set of modules is computed independently: candidates by
# grep, then `modprobe --dump-modversions` of each candidate.
# Cases needing a tree that is not installed are skipped.
set -uo pipefail

CTL=${1:?usage: check_test.sh KABIGUARDCTL}
K61=${K61:-6.1.0-56-amd64}
K612=${K612:-6.12.117+deb12-amd64}
T=$(mktemp -d /tmp/kg-check-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
N=0 FAILED=0

ok() { N=$((N + 1)); echo "ok $N - $1"; }
notok() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $1"; }
skip() { N=$((N + 1)); echo "ok $N - $1 # SKIP $2"; }
diag() { sed 's/^/# /' <<<"$*"; }
# t DESC CMD...: ok when CMD succeeds
t() { local d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }

# run EXPECTED_RC OUT CTL-ARGS...: runs the tool, stdout to OUT, stderr to
# OUT.err; fails on another exit status or any sanitizer report.
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
}

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

echo "TAP version 13"

tree_tests() {
	local K=$1 M=/lib/modules/$1 SV=/lib/modules/$1/build/Module.symvers
	local sym=usb_alloc_urb sym2=pci_enable_device

	run 0 "$T/all.json" check -j --symvers "$SV" --policy "$SV" "$M/kernel"
	t "$K: every module loads and is allowed under its own Module.symvers" \
		test "$(jq '.summary.fail + .summary.errors' "$T/all.json")" = 0
	t "$K: JSON lists every module" test "$(jq '.modules | length' "$T/all.json")" = \
		"$(find "$M/kernel" -name '*.ko' | wc -l)"

	importers "$M/kernel" "$sym" >"$T/imp"
	importers "$M/kernel" "$sym2" >"$T/imp2"
	diag "$K: $(wc -l <"$T/imp") importers of $sym, $(wc -l <"$T/imp2") of $sym2"

	# A whitelist without one symbol: exactly its importers fail, once.
	awk -v s="$sym" -F'\t' '$2 != s' "$SV" >"$T/pol"
	run 6 "$T/o.json" check -j --symvers "$SV" --policy "$T/pol" "$M/kernel"
	failing "$T/o.json" policy >"$T/got"
	t "$K: policy without $sym flags exactly its importers (modprobe --dump-modversions)" \
		same_set "$T/imp" "$T/got"
	t "$K: ... with one not-allowed issue each" test "$(jq --arg s "$sym" \
		'[.modules[] | select(.verdict == "fail") | .issues | (length == 1 and .[0].symbol == $s and .[0].reason == "not-allowed")] | all' \
		"$T/o.json")" = true
	t "$K: ... and exit status 6" true

	# A symvers with one CRC changed: exactly that symbol's importers.
	awk -v s="$sym2" -F'\t' 'BEGIN { OFS = "\t" } $2 == s { $1 = "0xdeadbeef" } 1' "$SV" >"$T/sv"
	run 6 "$T/o.json" check -j --symvers "$T/sv" "$M/kernel"
	failing "$T/o.json" crc-differs >"$T/got"
	t "$K: symvers with the CRC of $sym2 changed flags exactly its importers" \
		same_set "$T/imp2" "$T/got"
	t "$K: ... and nothing else" test "$(jq '[.modules[] | select(.verdict == "fail")] | length' \
		"$T/o.json")" = "$(wc -l <"$T/imp2")"
	t "$K: ... reporting both CRCs" test "$(jq -r --arg s "$sym2" \
		'[.modules[].issues[] | select(.symbol == $s) | .kernel_crc] | unique | join(",")' \
		"$T/o.json")" = 0xdeadbeef

	# The same symbol missing from the target kernel: unknown.
	awk -v s="$sym" -F'\t' '$2 != s' "$SV" >"$T/sv"
	run 6 "$T/o.json" check -j --symvers "$T/sv" "$M/kernel"
	failing "$T/o.json" unknown-symbol >"$T/got"
	t "$K: symvers without $sym: its importers import an unknown symbol" \
		same_set "$T/imp" "$T/got"

	# The symbol moved into a namespace nobody imports.
	awk -v s="$sym" -F'\t' 'BEGIN { OFS = "\t" } $2 == s { $5 = "KG_TEST_NS" } 1' "$SV" >"$T/sv"
	run 6 "$T/o.json" check -j --symvers "$T/sv" "$M/kernel"
	failing "$T/o.json" ns-not-imported >"$T/got"
	t "$K: $sym in a namespace: its importers lack MODULE_IMPORT_NS" \
		same_set "$T/imp" "$T/got"

	# policy generate from a directory, then check with what it wrote.
	run 0 "$T/gen.pol" policy generate --symvers "$SV" --crc --modules "$M/kernel/drivers/usb/storage"
	run 0 "$T/o.txt" check --symvers "$SV" --policy "$T/gen.pol" "$M/kernel/drivers/usb/storage"
	t "$K: a policy generated from usb/storage allows usb/storage" true
	run 6 "$T/o.json" check -j --symvers "$SV" --policy "$T/gen.pol" "$M/kernel/drivers/usb/serial"
	t "$K: ... and not usb/serial" test "$(jq '.summary.fail' "$T/o.json")" -gt 0
	t "$K: ... its rules carry ns=, from= and crc= and say where they came from" \
		grep -qE '^symbol usb_stor_probe1 ns=USB_STORAGE from=usb_storage crc=0x[0-9a-f]{8}	# module: .*ums_' "$T/gen.pol"
}

if [ -r "/lib/modules/$K61/build/Module.symvers" ] && command -v jq >/dev/null; then
	tree_tests "$K61"
else
	skip "$K61 tree tests" "no /lib/modules/$K61/build/Module.symvers or no jq"
fi

# --- uas: the USB_STORAGE namespace, and the kernel's matching rules
UAS=/lib/modules/$K61/kernel/drivers/usb/storage/uas.ko
SV61=/lib/modules/$K61/build/Module.symvers
if [ -r "$UAS" ] && [ -r "$SV61" ]; then
	run 0 "$T/o.json" check -j --kernel "$K61" "$UAS"
	t "uas.ko imports the USB_STORAGE namespace" \
		test "$(jq -r '.modules[0].import_ns | join(",")' "$T/o.json")" = USB_STORAGE
	run 0 "$T/o.txt" check --verbose --kernel "$K61" "$UAS"
	t "text output: one line per module with --verbose" grep -q "uas.ko (uas): ok" "$T/o.txt"

	t "uas.ko: its signer is reported" test "$(jq -r '.modules[0].signer' "$T/o.json")" != null
	# An unsigned copy: cut the appended signature (struct module_signature,
	# whose last 4 bytes are the big-endian length, then the magic).
	sz=$(stat -c %s "$UAS")
	len=$(tail -c 32 "$UAS" | head -c 4 | od -An -tu1 | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
	mkdir -p "$T/unsigned"
	head -c $((sz - len - 40)) "$UAS" >"$T/unsigned/uas.ko"
	run 0 "$T/o.json" check -j --kernel "$K61" "$T/unsigned/uas.ko"
	t "uas.ko without its signature: no signer" test "$(jq -r '.modules[0].signer' "$T/o.json")" = null

	# match CASE POLICY-LINES REASON: uas.ko against the 6.1 symvers
	# minus usb_stor_sense_invalidCDB plus the lines; REASON "" = allowed.
	match() {
		local got
		printf '%s\n' "$2" >"$T/m.pol"
		"$CTL" check -j --kernel "$K61" --policy "$T/m.sv" --policy "$T/m.pol" \
			"${4:-$UAS}" >"$T/m.json" 2>"$T/m.err"
		got=$(jq -r '[.modules[0].issues[] | select(.kind == "policy") | .reason] | join(",")' "$T/m.json")
		grep -qE 'Sanitizer|runtime error' "$T/m.err" && got="sanitizer report: $(head -3 "$T/m.err")"
		if [ "$got" = "$3" ]; then ok "matcher: $1"; else
			notok "matcher: $1"; diag "got '$got', expected '$3'"; fi
	}
	awk -F'\t' '$2 != "usb_stor_sense_invalidCDB"' "$SV61" >"$T/m.sv"
	match "no rule for a namespaced symbol: namespace" "" namespace
	match "symbol rule without ns=: namespace" "symbol usb_stor_sense_invalidCDB" namespace
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
	echo "symbol usb_stor_sense_invalidCDB ns=USB_STORAGE signed-only" >"$T/m.pol"
	"$CTL" check -j --signed --kernel "$K61" --policy "$T/m.sv" --policy "$T/m.pol" \
		"$T/unsigned/uas.ko" >"$T/m.json" 2>&1
	t "matcher: --signed counts the module as signed" \
		test "$(jq '.modules[0].issues | length' "$T/m.json")" = 0
else
	skip "uas.ko tests" "no $UAS"
fi

UASXZ=/lib/modules/$K612/kernel/drivers/usb/storage/uas.ko.xz
if [ -r "$UASXZ" ] && [ -r "/lib/modules/$K612/build/Module.symvers" ]; then
	run 0 "$T/o.json" check -j --kernel "$K612" "$UASXZ"
	t "$K612: uas.ko.xz (libkmod decompresses) imports USB_STORAGE" \
		test "$(jq -r '.modules[0].import_ns | join(",")' "$T/o.json")" = USB_STORAGE
	t "$K612: its usb_stor_* imports resolve to the namespace" \
		test "$(jq '.modules[0].imports' "$T/o.json")" -gt 40
	zstd -q -c <(xz -dc "$UASXZ") >"$T/uas.ko.zst"
	run 0 "$T/o.json" check -j --kernel "$K612" "$T/uas.ko.zst"
	t "$K612: uas.ko.zst reads too" test "$(jq '.summary.ok' "$T/o.json")" = 1
	xz -dc "$UASXZ" | gzip -c >"$T/uas.ko.gz"
	run 1 "$T/o.txt" check --kernel "$K612" "$T/uas.ko.gz"
	if kmod --version | grep -q -- -ZLIB; then
		t ".ko.gz with a libkmod built without zlib: says so" \
			grep -q "built without gzip (zlib) support" "$T/o.txt"
	else
		skip ".ko.gz error" "this libkmod has zlib"
	fi
	run 0 "$T/o.json" check -j --kernel "$K612" "/lib/modules/$K612/kernel/drivers/usb"
	t "$K612: the .ko.xz files of drivers/usb all load" \
		test "$(jq '.summary.fail + .summary.errors' "$T/o.json")" = 0
else
	skip "$K612 .ko.xz tests" "no $UASXZ"
fi

# --- broken inputs: clear errors, no crash
head -c 3000 /dev/urandom >"$T/garbage.ko"
printf '\x7fELF\x02\x01\x01' >"$T/tiny.ko"
: >"$T/empty.ko"
if [ -r "$UAS" ]; then head -c 20000 "$UAS" >"$T/trunc.ko"; else cp "$T/tiny.ko" "$T/trunc.ko"; fi
printf '\xfd7zXZ\0garbage' >"$T/bad.ko.xz"
for f in garbage tiny empty trunc; do
	run 1 "$T/o.txt" check --symvers "${SV61:-/dev/null}" "$T/$f.ko"
	t "$f.ko: exit 1 and a clear error" grep -q "$f.ko: .*not a valid kernel module\|$f.ko: .*: " "$T/o.txt"
done
run 1 "$T/o.txt" check --symvers "${SV61:-/dev/null}" "$T/bad.ko.xz"
t "corrupt .ko.xz: exit 1, named" grep -q "bad.ko.xz" "$T/o.txt"
run 1 "$T/o.json" check -j --symvers "${SV61:-/dev/null}" "$T"
t "a directory with broken modules: each an error in JSON" \
	test "$(jq '[.modules[] | select(.verdict == "error")] | length' "$T/o.json")" -ge 4
run 2 "$T/o.txt" check /nonexistent/x.ko
t "missing path: exit 2" grep -q "/nonexistent/x.ko: No such file" "$T/o.txt.err"
run 2 "$T/o.txt" check
t "no path: usage, exit 2" grep -q "Usage:" "$T/o.txt.err"
run 2 "$T/o.txt" check --kernel 0.0-nonexistent "$T/tiny.ko"
t "--kernel without symvers: exit 2, says where it looked" grep -q "no symvers for kernel 0.0-nonexistent" "$T/o.txt.err"

# badpol NAME CONTENT EXPECTED-MESSAGE: check --policy refuses it, exit 2
badpol() {
	printf "$2" >"$T/$1"
	run 2 "$T/o.txt" check --symvers "${SV61:-/dev/null}" --policy "$T/$1" "$T/tiny.ko"
	if grep -q "$T/$1:$3" "$T/o.txt.err"; then ok "malformed policy $1: $3"; else
		notok "malformed policy $1: $3"; diag "$(cat "$T/o.txt.err")"; fi
}
badpol native.pol 'symbol ok\nsymbol\n' '2: '
badpol native2.pol 'symbol a crc=0xZZ\n' '1: '
badpol native3.pol 'frobnicate x\n' '1: '
badpol symvers.txt '0x12345678\tsym\tvmlinux\tEXPORT_SYMBOL\t\n0x1\n' '2: '
badpol symvers2.txt '0x12345678\tsym\tvmlinux\tEXPORT_SYMBOL\t\n0xnothex\tx\tvmlinux\tEXPORT_SYMBOL\t\n' '2: bad CRC'
badpol kabi.txt '[rhel9]\n\tgood\n\ttwo words\n' '3: '
badpol kabi2.txt 'x\n[rhel9]\n' '1: '
badpol binary.pol 'symbol a\n\0\n' '2: '

# --- symsets: file, directory, tarball
if [ -r "$SV61" ]; then
	mkdir -p "$T/symsets-$K61"
	awk -F'\t' 'BEGIN { OFS = "\t" } NR <= 3000 && $3 == "vmlinux" { print $1, $2, $3 > "'"$T/symsets-$K61"'/core.0123abcd" }
		$3 ~ /usb/ { print $1, $2, $3 > "'"$T/symsets-$K61"'/usb.4567ef01" }' "$SV61"
	want=$(cat "$T/symsets-$K61"/* | wc -l)
	run 0 "$T/o.txt" convert "$T/symsets-$K61"
	t "symsets directory: every line a rule" test "$(grep -c '^symbol ' "$T/o.txt")" = "$want"
	t "symsets rules carry exporter and CRC" grep -qE '^symbol usb_stor_probe1 from=usb_storage crc=0x' "$T/o.txt"
	tar -C "$T" -czf "$T/symsets-$K61.tar.gz" "symsets-$K61"
	run 0 "$T/o2.txt" convert "$T/symsets-$K61.tar.gz"
	t "symsets tarball (libarchive): the same rules" cmp -s <(sort "$T/o.txt") <(sort "$T/o2.txt")
	run 0 "$T/o2.txt" convert --format symsets "$T/symsets-$K61/usb.4567ef01"
	t "symsets file with --format symsets" test -s "$T/o2.txt"
	run 6 "$T/o.json" check -j --symvers "$T/symsets-$K61.tar.gz" "$UAS"
	t "check --symvers accepts a symsets tarball" test "$(jq '.kernel.exports' "$T/o.json")" = "$want"
	printf '0x1\tbad line\n' >>"$T/symsets-$K61/usb.4567ef01"
	run 2 "$T/o.txt" convert "$T/symsets-$K61"
	t "bad symsets line: file:line" grep -q "usb.4567ef01:$(wc -l <"$T/symsets-$K61/usb.4567ef01"): " "$T/o.txt.err"
	tar -C "$T" -czf "$T/bad.tar.gz" "symsets-$K61"
	run 2 "$T/o.txt" convert "$T/bad.tar.gz"
	t "bad line in a tarball: archive:member:line" grep -q "bad.tar.gz:symsets-$K61/usb.4567ef01:[0-9]*: " "$T/o.txt.err"
	head -c 700 "$T/symsets-$K61.tar.gz" >"$T/trunc.tar.gz"
	"$CTL" convert "$T/trunc.tar.gz" >/dev/null 2>"$T/o.err"
	t "truncated tarball: an error, no crash" test $? -eq 2 -a -s "$T/o.err"
else
	skip "symsets tests" "no $SV61"
fi

# --- policy generate from audit events
cat >"$T/events.jsonl" <<'EOF'
{"verdict":"audited","module":"uas","generation":3,"violations":[{"symbol":"usb_stor_sense_invalidCDB","namespace":"USB_STORAGE","exporter":"usb_storage","reason":"namespace","kernel_crc":"0x1234abcd"}]}
{"verdict":"allowed","module":"loop","violations":[]}

{"verdict":"audited","module":"vendor_drv","extra":{"nested":[1,-2.5e+3,true,null,"\u00e9\ud83d\ude00"]},"violations":[{"symbol":"kmalloc_trace","exporter":"vmlinux","reason":"not-allowed","kernel_crc":null},{"symbol":"usb_stor_sense_invalidCDB","namespace":"USB_STORAGE","exporter":"usb_storage","reason":"namespace","kernel_crc":"0x1234abcd"}]}
EOF
run 0 "$T/gen.pol" policy generate --audit "$T/events.jsonl" --crc
t "audit: one rule per distinct import" test "$(grep -c '^symbol ' "$T/gen.pol")" = 2
t "audit: namespace, exporter, CRC and origin kept" grep -q \
	'^symbol usb_stor_sense_invalidCDB ns=USB_STORAGE from=usb_storage crc=0x1234abcd	# audit: uas (namespace), vendor_drv (namespace)$' "$T/gen.pol"
run 0 "$T/o.txt" convert "$T/gen.pol"
t "audit: the generated policy parses" test "$(grep -c '^symbol ' "$T/o.txt")" = 2
run 0 "$T/gen.pol" policy generate --audit "$T/events.jsonl" --per-module
t "audit --per-module: module= on each rule" test "$(grep -c ' module=' "$T/gen.pol")" = 3
printf '{"module":"x","violations":[{"symbol":"a"}]}\n{"module":"y",\n' >"$T/bad.jsonl"
run 2 "$T/o.txt" policy generate --audit "$T/bad.jsonl"
t "audit: a broken line is named file:line" grep -q "bad.jsonl:2: column" "$T/o.txt.err"
run 2 "$T/o.txt" policy generate
t "policy generate without a source: usage" grep -q "nothing to generate from" "$T/o.txt.err"

echo "1..$N"
[ "$FAILED" -eq 0 ]
