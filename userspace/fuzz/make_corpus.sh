#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make_corpus.sh DIR: seed corpora for the fuzzers, DIR/policy, DIR/audit
# and DIR/module, from the formats' own examples and, when installed, slices
# of a real Module.symvers and a real module. The first byte of a policy seed picks the format
# (policy_fuzz.c): 0 auto, 1 native, 2 symvers, 3 rh-kabi, 4 symsets.
set -euo pipefail
D=${1:?usage: make_corpus.sh DIR}
mkdir -p "$D/policy" "$D/audit"
seed() { printf "$2" >"$D/policy/$1"; }
seed native '\001# comment\nsymbol kmalloc from=vmlinux crc=0x12345678\nsymbol usb_stor_probe1 ns=USB_STORAGE from=usb_storage module=uas\nnamespace DMA_BUF\nany from=vmlinux signed-only # trailing\n'
seed auto '\000symbol a\n\n  namespace B from=x\n'
seed symvers '\0020x12345678\tkmalloc\tvmlinux\tEXPORT_SYMBOL\t\n0x9abcdef0\tusb_stor_probe1\tdrivers/usb/storage/usb-storage\tEXPORT_SYMBOL_GPL\tUSB_STORAGE\n0x00000000\told\tvmlinux\tEXPORT_SYMBOL\n0x1\tns54\tNS\tvmlinux\tEXPORT_SYMBOL\n'
seed kabi '\003[rhel9_x86_64_stablelist]\n\tkmalloc\n    spaced\n[second]\n\tx\n'
seed symsets '\0040x12345678\tkmalloc\tvmlinux\n0xdeadbeef\tpci_enable_device\tvmlinux\n'
SV=$(ls /lib/modules/*/build/Module.symvers 2>/dev/null | head -1 || true)
if [ -n "$SV" ]; then
	{ printf '\000'; head -c 4000 "$SV"; } >"$D/policy/real-auto"
	{ printf '\002'; grep -P '\t[A-Z_]+$' "$SV" | head -40; } >"$D/policy/real-ns"
	{ printf '\004'; awk -F'\t' 'NR <= 40 { print $1 "\t" $2 "\t" $3 }' "$SV"; } >"$D/policy/real-symsets"
fi
printf '%s' '{"verdict":"audited","module":"uas","generation":3,"violations":[{"symbol":"usb_stor_sense_invalidCDB","namespace":"USB_STORAGE","exporter":"usb_storage","reason":"namespace","kernel_crc":"0x1234abcd","rule_crc":"0x1"}]}' >"$D/audit/event"
printf '%s' '{"module":"m","x":{"a":[1,-2.5e+3,true,false,null,"\u00e9\ud83d\ude00\n"]},"violations":[{"symbol":"s","kernel_crc":123}]}' >"$D/audit/nested"
printf '%s' '{"module":"m","violations":null,"verdict":null}' >"$D/audit/nulls"
# Modules: the smallest uncompressed module of an installed kernel, and a
# copy with extended modversions sections (two CRCs, two names, one past
# 55 bytes), as tests/check_test.sh crafts them.
mkdir -p "$D/module"
KO=$(find /lib/modules/*/kernel -name '*.ko' -size -12k 2>/dev/null | head -1 || true)
if [ -n "$KO" ]; then
	cp "$KO" "$D/module/real.ko"
	printf '\x78\x56\x34\x12\xef\xbe\xad\xde' >"$D/crcs.bin"
	printf '_printk\0kg_test_symbol_whose_name_is_longer_than_fifty_five_bytes\0' >"$D/names.bin"
	objcopy --add-section __version_ext_crcs="$D/crcs.bin" \
		--set-section-flags __version_ext_crcs=alloc,readonly,data \
		--add-section __version_ext_names="$D/names.bin" \
		--set-section-flags __version_ext_names=alloc,readonly,data \
		"$KO" "$D/module/ext.ko"
	rm -f "$D/crcs.bin" "$D/names.bin"
fi
