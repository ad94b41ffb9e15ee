# SPDX-License-Identifier: GPL-2.0
"""The spec against the kernel's schema, and its rendered uapi header
against include/uapi/linux/kabiguard.h."""
import os
import re
import subprocess
import sys

import jsonschema
import yaml

from .csource import header_values
from .common import shown

# Names the header has and the spec cannot express, each checked for what
# it is derived from instead (see check_uapi()).
DERIVED_MAX = re.compile(r'^__(\w+)_MAX$')
DERIVED_ALL = re.compile(r'^__(\w+)_ALL$')
CMD_UNSPEC_SUFFIX = '_CMD_UNSPEC'


def check_schema(rep, spec_path, ynl):
    with open(spec_path) as f:
        y = yaml.safe_load(f)
    proto = y.get('protocol', 'genetlink')
    schema_path = os.path.join(ynl, 'Documentation/netlink', f'{proto}.yaml')
    with open(schema_path) as f:
        schema = yaml.safe_load(f)
    v = jsonschema.Draft7Validator(schema)
    problems = [f"spec {'/'.join(str(p) for p in e.absolute_path) or '(top)'}: "
                f"{e.message} (schema {proto}.yaml)" for e in v.iter_errors(y)]
    rep.check(f'spec validates against {proto}.yaml', problems)
    return not problems


def render_uapi(spec_path, ynl, tmp):
    """ynl-gen-c.py --mode uapi --header on a copy of the spec in a
    scratch kernel-like tree; the rendered header's path."""
    tree = os.path.join(tmp, 'tree')
    specs = os.path.join(tree, 'Documentation/netlink/specs')
    os.makedirs(specs)
    # ynl-gen-c's find_kernel_root() climbs until it sees MAINTAINERS.
    open(os.path.join(tree, 'MAINTAINERS'), 'w').close()
    docs = os.path.join(ynl, 'Documentation/netlink')
    for f in os.listdir(docs):
        if f.endswith('.yaml'):
            with open(os.path.join(docs, f)) as src, \
                 open(os.path.join(tree, 'Documentation/netlink', f), 'w') as dst:
                dst.write(src.read())
    with open(spec_path) as f:
        lines = f.read().split('\n')
    # ynl-gen-c 6.12 accepts only "(... OR BSD-3-Clause)" licences; the
    # rendered header's licence line is not compared.
    lines[0] = '# SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)'
    copy = os.path.join(specs, os.path.basename(spec_path))
    with open(copy, 'w') as f:
        f.write('\n'.join(lines))
    out = os.path.join(tmp, 'rendered.h')
    gen = os.path.join(ynl, 'tools/net/ynl/ynl-gen-c.py')
    r = subprocess.run([sys.executable, gen, '--mode', 'uapi', '--header',
                        '--spec', copy, '-o', out], cwd=tree,
                       capture_output=True, text=True, timeout=120)
    if r.returncode or not os.path.exists(out):
        raise RuntimeError(f'ynl-gen-c.py failed on the spec:\n{r.stdout}{r.stderr}')
    return out


def check_uapi(rep, spec, rendered, header):
    gv, genums, _, _ = header_values(rendered)
    hv, henums, _, htext = header_values(header)
    hname = shown(header)
    sname = shown(spec.path)
    problems = []
    # Every rendered name, with its value.
    for n, v in gv.items():
        if n not in hv:
            problems.append(f'{n} = {v!r} in the spec ({sname}), missing in {hname}')
        elif hv[n] != v:
            problems.append(f'{n}: {v!r} in the spec, {hv[n]!r} in {hname}')
    # Every header name: rendered too, or derived from what is.
    for n, v in hv.items():
        if n in gv:
            continue
        if re.fullmatch(r'_UAPI_\w+_H', n):
            continue
        tag = next((t for t, e in henums.items() if n in e), None)
        others = [e for e in henums.get(tag, []) if e != n]
        if tag and DERIVED_MAX.match(n) and henums[tag][-1] == n:
            want = max((hv[e] for e in others), default=-1) + 1
            if v != want:
                problems.append(f'{hname}: {n} = {v}, not one past enum {tag}\'s last value ({want})')
        elif tag and DERIVED_ALL.match(n):
            want = 0
            for e in others:
                want |= hv[e]
            if v != want:
                problems.append(f'{hname}: {n} = {v:#x}, not every bit of enum {tag} ({want:#x})')
        elif tag and n.endswith(CMD_UNSPEC_SUFFIX):
            first = [e for e in genums.get(tag, []) if e in gv]
            if v != 0 or (first and gv[first[0]] != 1):
                problems.append(f'{hname}: {n} = {v}, spec\'s first command {first[:1]}: '
                                'the unspec command must be 0 and the first one 1')
        else:
            problems.append(f'{n} = {v!r} in {hname}, missing in the spec ({sname})')
    rep.check('uapi header: every enum entry and define, by name and value', problems)

    # Which enum each entry belongs to.
    problems = []
    for tag, entries in genums.items():
        if tag not in henums:
            problems.append(f'enum {tag} in the spec, missing in {hname}')
            continue
        for e in entries:
            if not DERIVED_MAX.match(e) and e not in henums[tag]:
                owner = next((t for t, l in henums.items() if e in l), None)
                problems.append(f'{e}: in enum {tag} in the spec, in '
                                f'{"enum " + owner if owner else "no enum"} in {hname}')
    for tag in henums:
        if tag not in genums:
            problems.append(f'enum {tag} in {hname}, missing in the spec')
    rep.check('uapi header: every enum and which entries it holds', problems)

    # The type the header's prose states, for the attributes it documents.
    problems = []
    doc_type = {'u8': 'u8', 'u16': 'u16', 'u32': 'u32', 'u64': 'u64',
                'string': 'string', 'binary': 'binary', 'nested': 'nest',
                'flag': 'flag'}
    types = '|'.join(doc_type)
    forms = (
        # kernel-doc: "@KABIGUARD_A_MODE: u32, ..."
        (re.compile(rf'@(\w+):\s*({types})\b'), 'kernel-doc'),
        # prose: "KABIGUARD_A_SEQ (u64, optional)"
        (re.compile(rf'\b(KABIGUARD_\w+) \(({types})\b'), 'prose'),
        # the rules table: " *   KABIGUARD_RULE_A_KIND      u32, ..."
        (re.compile(rf'^ \*\s+(KABIGUARD_\w+)\s+({types})\b', re.M), 'table'),
        # an enum entry's comment: "KABIGUARD_IMPORT_A_NAME,\t/* string, ..."
        (re.compile(rf'^\s*(\w+),\s*/\*\s*({types})\b', re.M), 'comment'),
    )
    seen = set()
    for pat, where in forms:
        for m in pat.finditer(htext):
            hit = spec.attr_by_enum.get(m.group(1))
            if not hit:
                continue
            seen.add(m.group(1))
            set_name, a = hit
            if doc_type[m.group(2)] != a['type']:
                line = htext.count('\n', 0, m.start()) + 1
                problems.append(f'{m.group(1)}: {m.group(2)} in {hname}:{line} ({where}), '
                                f'type {a["type"]} in the spec ({set_name}.{a["name"]})')
    if not seen:
        problems.append(f'{hname}: no attribute type found in its documentation')

    # The header's command list: "KABIGUARD_CMD_X (doit|dump|multicast...".
    kinds = {'doit': 'do', 'dump': 'dump', 'multicast': 'event'}
    ops = {spec.op_enum(op): op for op in spec.ops}
    documented = set()
    for m in re.finditer(r'^ \* (KABIGUARD_CMD_\w+) \((doit|dump|multicast)\b', htext, re.M):
        documented.add(m.group(1))
        op = ops.get(m.group(1))
        if op is None:
            problems.append(f'{hname}: documents {m.group(1)}, not a command of the spec')
        elif kinds[m.group(2)] not in op:
            have = '/'.join(k for k in ('do', 'dump', 'event') if k in op)
            problems.append(f'{hname}: {m.group(1)} ({m.group(2)}), the spec has {have} '
                            f'for {op["name"]}')
    for enum in ops:
        if enum not in documented:
            problems.append(f'{hname}: no "{enum} (doit|dump|multicast" entry in its '
                            'command list')
    rep.check(f'uapi header: its documented attribute types ({len(seen)}) and '
              'command kinds', problems)
    return hv
