#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# tools_agree.py CTL ROOT {TREE_KVER MODDIR TARGET_KVER TARGET_SYMVERS}...
#
# TAP tests: `kabiguardctl check --json --symvers TARGET_SYMVERS` over a
# kernel's whole module tree (MODDIR/kernel) says what the kernel's own
# tools say about the same modules against the same Module.symvers:
#
#   - unknown symbols and CRC mismatches: `depmod -n -e -E SYMVERS`
#     (kmod's), per module and symbol. depmod takes only the vmlinux lines
#     of a symvers file (the exports of modules it reads from the modules
#     of its tree, as weak-modules runs it in the target's own tree): it
#     gets TARGET_SYMVERS with every export's owner written "vmlinux", the
#     target kernel's exports wherever they live. It also counts the
#     exports of the modules it reads, so it runs on batches of the tree
#     (symlinks in a scratch base directory, -b; /lib/modules is never
#     touched) in which no module depends on another (the tree's
#     modules.dep): each module then sees the target's exports alone. depmod skips weak
#     imports for both questions; the loader still compares a found weak
#     import's CRC: weak imports are left out of the comparison.
#     A target without modversions (every CRC 0): depmod compares the
#     module's CRCs with 0 all the same while the loader checks none, so
#     only unknown symbols are compared there.
#   - missing namespace imports: the target kernel's modpost (its
#     scripts/mod/modpost, run in its kernel root: scripts/kernel-lib.sh
#     kg_in_kroot) over the tree's modules as objects (-i TARGET_SYMVERS,
#     -w -N: report, never stop; on the same independent batches as
#     depmod), its "uses symbol S from namespace N, but
#     does not import it" lines (either wording), per module and symbol.
#     6.x's modpost cannot read 5.10 modules (it stops on their export
#     tables): there the tree kernel's own modpost answers, with the same
#     namespace rule and the target's symvers.
#
# Every disagreement is a failure naming the module and the symbols each
# side reported. Each JSON report is validated (jsoncheck.py, schema
# check). Needs /usr/bin/python3 with python3-jsonschema.
import collections
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jsoncheck  # noqa: E402

N = 0
FAILED = 0


def ok(cond, desc, diag=()):
    global N, FAILED
    N += 1
    if not cond:
        FAILED += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", N, desc))
    for d in diag:
        print("# " + d)
    sys.stdout.flush()
    return cond


def rel(path, moddir):
    """kernel/fs/fat/fat.ko.xz -> kernel/fs/fat/fat (no compression)."""
    r = os.path.relpath(path, moddir)
    return re.sub(r"\.ko(\.(xz|zst|gz))?$", "", r)


def diffs(name, ck, ref, refname, limit=40):
    """Lines naming each module where the sets differ, both sides."""
    out = []
    for m in sorted(set(ck) | set(ref)):
        a, b = ck.get(m, set()), ref.get(m, set())
        if a != b:
            out.append("%s: %s: check only: %s; %s only: %s" % (
                name, m, " ".join(sorted(a - b)) or "-", refname,
                " ".join(sorted(b - a)) or "-"))
    n = len(out)
    return n, out[:limit] + (["... %d more modules" % (n - limit)]
                             if n > limit else [])


def run_check(ctl, moddir, symvers):
    p = subprocess.run([ctl, "check", "--json", "--symvers", symvers,
                        os.path.join(moddir, "kernel")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    errs = jsoncheck.check_text(p.stdout.decode("utf-8", "replace"),
                                "check", "check --json")
    ok(p.returncode in (0, 6) and not errs,
       "check --json over %s against %s: exit status %d, valid against "
       "the check schema, no duplicate key" % (moddir, symvers, p.returncode),
       errs[:10] + p.stderr.decode("utf-8", "replace").splitlines()[:5])
    return jsoncheck.load_strict(p.stdout.decode("utf-8", "replace"))


def modules_dep(moddir):
    """{relpath without .ko*: set of relpaths it needs}"""
    deps = {}
    with open(os.path.join(moddir, "modules.dep")) as f:
        for line in f:
            mod, _, rest = line.partition(":")
            deps[rel(os.path.join(moddir, mod), moddir)] = {
                rel(os.path.join(moddir, d), moddir) for d in rest.split()}
    return deps


def batches(mods, deps):
    """Greedy colouring: no module in a batch depends on another."""
    adj = collections.defaultdict(set)
    for m in mods:
        for d in deps.get(m, ()):
            adj[m].add(d)
            adj[d].add(m)
    colour = {}
    for m in sorted(mods, key=lambda x: -len(adj[x])):
        used = {colour[o] for o in adj[m] if o in colour}
        c = 0
        while c in used:
            c += 1
        colour[m] = c
    out = collections.defaultdict(list)
    for m, c in colour.items():
        out[c].append(m)
    return [out[c] for c in sorted(out)]


DEPMOD_RE = re.compile(r"^depmod: WARNING: (\S+) (disagrees about version of "
                       r"symbol|needs unknown symbol) (\S+)$")


def run_depmod(tree_kver, moddir, paths, target_symvers, tmp):
    """{(rel, kind): set(symbols)} from depmod -e -E over batches."""
    deps = modules_dep(moddir)
    byrel = {rel(p, moddir): p for p in paths}
    res = collections.defaultdict(set)
    sv = os.path.join(tmp, "all-vmlinux.symvers")
    with open(target_symvers) as f, open(sv, "w") as out:
        for line in f:
            col = line.rstrip("\n").split("\t")
            if len(col) >= 4:
                col[2] = "vmlinux"
            out.write("\t".join(col) + "\n")
    bs = batches(list(byrel), deps)
    for i, batch in enumerate(bs):
        base = os.path.join(tmp, "depmod%d" % i)
        root = os.path.join(base, "lib", "modules", tree_kver)
        for r in batch:
            src = byrel[r]
            dst = os.path.join(root, os.path.relpath(src, moddir))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            os.symlink(src, dst)
        p = subprocess.run(["depmod", "-n", "-e", "-E", sv,
                            "-b", base, tree_kver],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for line in p.stderr.decode("utf-8", "replace").splitlines():
            m = DEPMOD_RE.match(line)
            if not m:
                continue
            r = rel(os.path.join(moddir, os.path.relpath(m.group(1), root)),
                    moddir)
            kind = "crc" if m.group(2).startswith("dis") else "unknown"
            res[(r, kind)].add(m.group(3))
        shutil.rmtree(base)
    return res, len(bs)


# Up to 6.x: "module M uses symbol S from namespace N, but does not import
# it."; 7.x: "M.ko: module uses symbol 'S' from namespace 'N', but ...".
MODPOST_RE = (
    re.compile(r"^WARNING: modpost: module (\S+) uses symbol (\S+) "
               r"from namespace (\S+), but does not import it\.$"),
    re.compile(r"^WARNING: modpost: (?:\S*/)?(\S+)\.ko: module uses symbol "
               r"'(\S+)' from namespace '(\S+)', but does not import it\.$"))


def run_modpost(root, kver, moddir, paths, target_symvers, tmp):
    """{module file basename: set("sym@NS")}, exit status, output,
    duplicate names. Like depmod, modpost counts the exports of the
    modules it reads: it runs on the same independent batches."""
    names = collections.Counter(os.path.basename(rel(p, moddir))
                                for p in paths)
    byrel = {rel(p, moddir): p for p in paths}
    res = collections.defaultdict(set)
    out, rc = [], 0
    for i, batch in enumerate(batches(list(byrel), modules_dep(moddir))):
        d = os.path.join(tmp, "modpost%d" % i)
        objs = []
        for r in batch:
            p = byrel[r]
            obj = os.path.join(d, r + ".o")
            os.makedirs(os.path.dirname(obj), exist_ok=True)
            # A copy: a kernel root (a chroot) sees /tmp only.
            if p.endswith(".xz"):
                with lzma.open(p) as src, open(obj, "wb") as dst:
                    shutil.copyfileobj(src, dst)
            else:
                shutil.copyfile(p, obj)
            open(os.path.join(d, r + ".mod"), "w").close()
            objs.append(r + ".o")
        with open(os.path.join(d, "list"), "w") as f:
            f.write("\n".join(objs) + "\n")
        shutil.copyfile(target_symvers, os.path.join(d, "in.symvers"))
        script = ('. "$1/scripts/kernel-lib.sh" && cd "$3" && '
                  'kg_in_kroot "$2" '
                  '"/usr/src/linux-headers-$2/scripts/mod/modpost" '
                  '-e -w -N -i in.symvers -o out.symvers -T list')
        p = subprocess.run(["bash", "-c", script, "sh", root, kver, d],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        rc = rc or p.returncode
        lines = p.stdout.decode("utf-8", "replace").splitlines()
        out += lines
        for line in lines:
            m = MODPOST_RE[0].match(line) or MODPOST_RE[1].match(line)
            if m:
                res[m.group(1)].add("%s@%s" % (m.group(2), m.group(3)))
        shutil.rmtree(d)
        if rc:
            break
    dup = [n for n, c in names.items() if c > 1]
    return res, rc, out, dup


def pair(ctl, root, tree_kver, moddir, target_kver, target_symvers):
    tag = "%s tree against %s's Module.symvers" % (tree_kver, target_kver)
    tmp = tempfile.mkdtemp(prefix="kg-tools.", dir="/tmp")
    try:
        rep = run_check(ctl, moddir, target_symvers)
        kcrcs = bool(rep["kernel"]["modversions"])
        paths = [m["path"] for m in rep["modules"]]
        ok(len(paths) > 1000 and not rep["summary"]["errors"],
           "%s: check read %d modules, no error" % (tag, len(paths)))
        ck = collections.defaultdict(set)
        ns = collections.defaultdict(set)
        for m in rep["modules"]:
            r = rel(m["path"], moddir)
            for i in m.get("issues", []):
                if i["kind"] == "ns-not-imported":
                    ns[os.path.basename(r)].add(
                        "%s@%s" % (i["symbol"], i["namespace"]))
                if i["weak"]:
                    continue
                if i["kind"] == "unknown-symbol":
                    ck[(r, "unknown")].add(i["symbol"])
                elif i["kind"] == "crc-differs":
                    ck[(r, "crc")].add(i["symbol"])
        dm, nb = run_depmod(tree_kver, moddir, paths, target_symvers, tmp)
        for kind, what in (("unknown", "unknown symbols"),
                           ("crc", "CRC mismatches")):
            if kind == "crc" and not kcrcs:
                print("# %s: no modversions in the target (every CRC 0): "
                      "its loader compares no CRC, depmod -E compares them "
                      "with 0 anyway; CRC mismatches not compared" % tag)
                continue
            a = {r: s for (r, k), s in ck.items() if k == kind}
            b = {r: s for (r, k), s in dm.items() if k == kind}
            n, lines = diffs(what, a, b, "depmod")
            ok(n == 0 and sum(map(len, b.values())) > 0,
               "%s: %s of every module equal depmod -e -E's (%d in %d "
               "modules; depmod over %d independent batches)" % (
                   tag, what, sum(map(len, b.values())), len(b), nb),
               lines)
        mpk = target_kver
        mp, rc, out, dup = run_modpost(root, mpk, moddir, paths,
                                       target_symvers, tmp)
        # 6.x's modpost cannot read 5.10's export tables (namespaces in
        # __kstrtabns_ symbols): it stops. The namespace rule itself has
        # not changed: the tree's own modpost asks it of the same symvers.
        if rc and any("Could not update namespace" in l for l in out):
            print("# %s: %s's modpost cannot read these modules' export "
                  "tables (\"Could not update namespace()\"): %s's "
                  "modpost asks it" % (tag, target_kver, tree_kver))
            mpk = tree_kver
            mp, rc, out, dup = run_modpost(root, mpk, moddir, paths,
                                           target_symvers, tmp)
        ok(rc == 0 and not dup, "%s: %s's modpost ran over the tree "
           "(exit status %d; module names unique: %s)" % (
               tag, mpk, rc, " ".join(dup) or "yes"),
           [l for l in out if "modpost" in l and "WARNING" not in l][:10])
        n, lines = diffs("missing namespace imports", dict(ns), dict(mp),
                         "modpost")
        ok(n == 0, "%s: missing namespace imports of every module equal "
           "%s's modpost's (%d in %d modules)" % (
               tag, mpk, sum(map(len, mp.values())), len(mp)), lines)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv):
    if len(argv) < 6 or (len(argv) - 2) % 4:
        print("usage: tools_agree.py CTL ROOT {TREE_KVER MODDIR TARGET_KVER "
              "TARGET_SYMVERS}...", file=sys.stderr)
        return 2
    for i in range(2, len(argv), 4):
        pair(argv[0], argv[1], *argv[i:i + 4])
    return 0 if not FAILED else 1


if __name__ == "__main__":
    print("TAP version 13")
    rc = main(sys.argv[1:])
    print("1..%d" % N)
    sys.exit(rc)
