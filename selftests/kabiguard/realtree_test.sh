#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# realtree_test.sh [KVER]: the offline checker's verdict is the guard's,
# module by module, on a real Debian tree (default 6.12).
#
# On the host: a policy P made from the kernel's own Module.symvers
# without every 40th export, without module_layout and without one whole
# namespace (the one most imported by the modules below); a few hundred
# real modules of the kernel that load without hardware (fs, crypto, lib,
# net, usb/storage; no test modules), with their dependencies in modules.dep order;
# `kabiguardctl check --json --policy P` says for each module whether the
# guard would allow it and which imports it would report.
# In one VM (selftests/vm/run.sh): kabiguard.ko, P loaded, audit mode,
# every module insmod'ed in order (a module whose init fails still had
# its verdict at MODULE_STATE_COMING; one that never got there, e.g. for
# want of a dependency whose init failed, has no event and is not
# compared), then `kabiguardctl -j events` and `-j status`.
# Back on the host: every event line and the status are validated against
# userspace/doc/schema (strict, duplicate keys rejected), and for every
# module with a load event the guard's verdict (allowed, or audited with
# its violations) equals check's (allowed, or its policy issues): each
# disagreement fails naming the module and the symbols on each side. At
# least 200 modules must be compared (KG_REALTREE_MODULES candidates,
# default 260).
#
# Output: TAP 13, the plan at the end. Exit status 0 pass, 1 fail (also
# when the kernel, kabiguard.ko or kabiguardctl is missing).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=selftests/lib/tap.sh
. "$ROOT/selftests/lib/tap.sh"
tap_begin
RUN=$ROOT/selftests/vm/run.sh
CTL=$ROOT/userspace/kabiguardctl
JSONCHECK=$ROOT/userspace/tests/jsoncheck.py
# shellcheck source=scripts/kernel-lib.sh
. "$ROOT/scripts/kernel-lib.sh"

KVER=$(kg_kver "${1:-6.12}") || bail "resolve kernel ${1:-6.12}"
MODDIR=$(kg_moddir "$KVER") || bail "$KVER is set up (scripts/setup-kernels.sh $KVER)"
SYMVERS=$(kg_symvers "$KVER") || bail "$KVER has a Module.symvers"
[ -e "$ROOT/build/$KVER/src/kmod/kabiguard.ko" ] ||
	bail "build/$KVER/src/kmod/kabiguard.ko exists (scripts/build-kernel-objs.sh $KVER)"
[ -x "$CTL" ] || bail "userspace/kabiguardctl is built (make -C userspace)"
[ -f "$MODDIR/modules.dep" ] || bail "$MODDIR/modules.dep exists"
TMP=$(mktemp -d /tmp/kg-realtree.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
D=$TMP/realtree
mkdir -p "$D/m"

# Candidates: spread evenly over the directories whose modules need no
# hardware; test and benchmark modules left out (they run at load).
find "$MODDIR/kernel/fs" "$MODDIR/kernel/crypto" "$MODDIR/kernel/lib" \
	"$MODDIR/kernel/net" -name '*.ko*' 2>/dev/null |
	grep -Ev '/(test_[^/]*|[^/]*_test|[^/]*kunit[^/]*|tcrypt)\.ko' |
	sed "s|^$MODDIR/||" | sort >"$TMP/all"
want=${KG_REALTREE_MODULES:-260}
total=$(wc -l <"$TMP/all")
awk -v t="$total" -v w="$want" 'BEGIN { s = t / w; if (s < 1) s = 1 }
	{ if (NR - 1 >= k * s) { print; k++ } }' "$TMP/all" >"$TMP/cand"
# ... and USB storage's drivers: they import namespace USB_STORAGE on
# every matrix kernel (fs, crypto, lib and net import none on 5.10) and
# load without a device.
find "$MODDIR/kernel/drivers/usb/storage" -name '*.ko*' 2>/dev/null |
	sed "s|^$MODDIR/||" | sort >>"$TMP/cand"
# Load order: each candidate after its dependencies (modules.dep lists
# them last-loaded first), each module once.
awk -F': *' 'NR == FNR { dep[$1] = $2; next }
	{
		m = split(dep[$1], d, " ")
		for (i = m; i >= 1; i--) if (!(d[i] in seen)) { seen[d[i]]; print d[i] }
		if (!($1 in seen)) { seen[$1]; print $1 }
	}' "$MODDIR/modules.dep" "$TMP/cand" >"$TMP/order"
nmods=$(wc -l <"$TMP/order")
[ "$nmods" -ge 200 ] || bail "$KVER: at least 200 modules to load ($nmods: $(wc -l <"$TMP/cand") candidates of $total)"
ok "$KVER: $nmods modules to load ($(wc -l <"$TMP/cand") candidates of $total in fs, crypto, lib, net, and their dependencies)"
: >"$D/order"
while read -r r; do
	b=$(basename "$r")
	[ -e "$D/m/$b" ] && bail "two modules named $b"
	cp "$MODDIR/$r" "$D/m/$b"
	echo "$b" >>"$D/order"
done <"$TMP/order"

# The namespace the modules import most; then the policy.
"$CTL" check --json --symvers "$SYMVERS" "$D/m" >"$TMP/plain.json" 2>"$TMP/plain.err"
ns=$(jq -r '[.modules[].import_ns[]] | group_by(.) | max_by(length) | .[0] // empty' "$TMP/plain.json")
[ -n "$ns" ] || bail "$KVER: one of these modules imports a namespace"
awk -F '\t' -v ns="$ns" 'NR % 40 && $5 != ns && $2 != "module_layout"' "$SYMVERS" >"$D/p.symvers"
diag "policy: $(wc -l <"$D/p.symvers") of $(wc -l <"$SYMVERS") exports: every 40th, module_layout and namespace $ns removed"
users=$(jq --arg ns "$ns" '[.modules[] | select(.import_ns | index($ns))] | length' "$TMP/plain.json")
if [ "$users" -gt 0 ]; then
	ok "$KVER: $users modules import namespace $ns (removed from the policy)"
else
	not_ok "$KVER: a module imports namespace $ns"
fi

"$CTL" check --json --symvers "$SYMVERS" --format symvers --policy "$D/p.symvers" "$D/m" \
	>"$TMP/check.json" 2>"$TMP/check.err"
rc=$?
if [ "$rc" -le 6 ] && /usr/bin/python3 "$JSONCHECK" check "$TMP/check.json" >"$TMP/v" 2>&1; then
	ok "check --json --policy P over the $nmods modules (exit status $rc), valid against the check schema"
else
	not_ok "check --json --policy P over the $nmods modules (exit status $rc), valid against the check schema"
	diag "$(head -5 "$TMP/v" "$TMP/check.err")"
fi
ndeny=$(jq '[.modules[] | select(.allowed == false)] | length' "$TMP/check.json")
diag "check: $ndeny of $nmods modules would be reported (audit) or denied (enforce)"

# Every kind of rule and of namespace pinning, no CRC (7.3 has none).
printf '%s\n' 'symbol any_ns' 'symbol foo_ns ns=FOO' 'symbol no_ns ns=-' \
	'symbol from_vmlinux from=vmlinux' 'namespace BAR' 'any signed-only' \
	'livepatch module=lp' >"$D/small.policy"

echo "# $KVER: booting the VM ($nmods modules to load)"
t0=$SECONDS
"$RUN" -k "$KVER" -t "${KG_REALTREE_TIMEOUT:-1500}" -a "$D:/realtree" -- \
	"sh /kabiguard/realtree_guest.sh /realtree" >"$TMP/out" 2>&1
rc=$?
diag "VM: exit status $rc after $((SECONDS - t0)) s"
tr -d '\r' <"$TMP/out" >"$TMP/console"
if grep -q '^@done' "$TMP/console"; then
	ok "the VM part ran to its end"
else
	not_ok "the VM part ran to its end (run.sh exit status $rc)"
	diag "$(grep -v '^@' "$TMP/console" | tail -20)"
fi
sed -n 's/^@event //p' "$TMP/console" >"$TMP/events.jsonl"
sed -n 's/^@status //p' "$TMP/console" >"$TMP/status.json"
loaded=$(grep -c '^@insmod 0 ' "$TMP/console")
diag "insmod: $loaded of $nmods modules loaded (the rest failed in their init or for want of a dependency)"
if /usr/bin/python3 "$JSONCHECK" --lines event "$TMP/events.jsonl" >"$TMP/v" 2>&1; then
	ok "events --json: $(wc -l <"$TMP/events.jsonl") lines, each valid against the event schema, no duplicate key"
else
	not_ok "events --json: each line valid against the event schema, no duplicate key"
	diag "$(head -10 "$TMP/v")"
fi
if /usr/bin/python3 "$JSONCHECK" status "$TMP/status.json" >"$TMP/v" 2>&1; then
	ok "status --json: valid against the status schema, no duplicate key"
else
	not_ok "status --json: valid against the status schema, no duplicate key"
	diag "$(head -10 "$TMP/v")"
fi

# load, mode, dump: each valid against its schema; the kernel's dump is
# the policy file's rules (as convert reads them), pinning included.
for out in load:load mode:mode dump:rules; do
	sed -n "s/^@${out%%:*} //p" "$TMP/console" >"$TMP/$out.json"
	if [ -s "$TMP/$out.json" ] &&
		/usr/bin/python3 "$JSONCHECK" "${out#*:}" "$TMP/$out.json" >"$TMP/v" 2>&1; then
		ok "${out%%:*} --json: valid against the ${out#*:} schema, no duplicate key"
	else
		not_ok "${out%%:*} --json: valid against the ${out#*:} schema, no duplicate key"
		diag "$(head -5 "$TMP/$out.json" "$TMP/v")"
	fi
done
"$CTL" -j convert "$D/small.policy" | jq -S 'sort_by(tostring)' >"$TMP/want.json"
if jq -S 'sort_by(tostring)' "$TMP/dump:rules.json" >"$TMP/got.json" 2>"$TMP/v" &&
	diff -u "$TMP/want.json" "$TMP/got.json" >"$TMP/v"; then
	ok "dump --json lists the rules of the policy loaded, as convert --json reads the file ($(jq length "$TMP/got.json") rules)"
else
	not_ok "dump --json lists the rules of the policy loaded, as convert --json reads the file"
	diag "$(head -30 "$TMP/v")"
fi

# The comparison, module by module.
/usr/bin/python3 - "$TMP/check.json" "$TMP/events.jsonl" "$TMP/console" >"$TMP/cmp" <<'EOF'
import json, sys
check, events, console = sys.argv[1:]
norm = lambda s: s.replace("-", "_")
ck = {}
for m in json.load(open(check))["modules"]:
    if m["verdict"] == "error":
        print("ERR %s: check could not read it: %s" % (m["path"], m["error"]))
        continue
    ck[norm(m["name"])] = (m["allowed"], {i["symbol"] for i in m["issues"]
                                          if i["kind"] == "policy"})
ev = {}
for line in open(events):
    e = json.loads(line)
    if e["kind"] == "load" and e["module"] not in ev:
        ev[e["module"]] = e
names = {norm(l.split()[2].split(".ko")[0]) for l in open(console)
         if l.startswith("@insmod ")}
n = 0
for name in sorted(names):
    if name not in ev:
        print("NOEVENT %s" % name)
        continue
    if name not in ck:
        print("BAD %s: a guard event, no check verdict" % name)
        continue
    e = ev[name]
    g_allowed = e["verdict"] == "allowed"
    g_syms = {v["symbol"] for v in e["violations"]}
    c_allowed, c_syms = ck[name]
    n += 1
    if g_allowed != c_allowed or (not e["violations_truncated"] and g_syms != c_syms):
        print("BAD %s: guard %s, check %s; guard only: %s; check only: %s" % (
            name, e["verdict"], "allowed" if c_allowed else "not allowed",
            " ".join(sorted(g_syms - c_syms)) or "-",
            " ".join(sorted(c_syms - g_syms)) or "-"))
    else:
        print("SAME %s %s %d" % (name, e["verdict"], len(g_syms)))
print("COMPARED %d" % n)
EOF
compared=$(sed -n 's/^COMPARED //p' "$TMP/cmp")
same=$(grep -c '^SAME ' "$TMP/cmp")
denied=$(grep -c '^SAME [^ ]* audited ' "$TMP/cmp")
noev=$(grep -c '^NOEVENT ' "$TMP/cmp")
diag "no guard event (never reached MODULE_STATE_COMING): $noev modules$( [ "$noev" -gt 0 ] && echo ": $(sed -n 's/^NOEVENT //p' "$TMP/cmp" | head -20 | tr '\n' ' ')")"
diag "$(grep '^@insmod [1-9]' "$TMP/console" | head -8 | cut -c1-200)"
if [ "${compared:-0}" -ge 200 ] && [ "$same" -eq "$compared" ] && ! grep -q '^\(BAD\|ERR\) ' "$TMP/cmp"; then
	ok "$KVER: the guard's verdict equals check's for each of the $compared modules that reached it ($denied audited with the same violations, $((same - denied)) allowed)"
else
	not_ok "$KVER: the guard's verdict equals check's for each module that reached it ($same of ${compared:-0} agree; at least 200 compared)"
	diag "$(grep '^\(BAD\|ERR\) ' "$TMP/cmp" | head -40)"
fi
c=false
[ "$denied" -gt 0 ] && [ "$((same - denied))" -gt 0 ] && c=true
if $c; then
	ok "$KVER: both verdicts occur ($denied audited, $((same - denied)) allowed)"
else
	not_ok "$KVER: both verdicts occur ($denied audited, $((same - denied)) allowed)"
fi
tap_end
