#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""spec-check: is the YNL spec in step with the uapi header and kmod/?

Documentation/netlink/specs/kabiguard.yaml describes the "kabiguard"
generic netlink family; include/uapi/linux/kabiguard.h and the module's
policies and op table (kmod/netlink*.c) implement it.  This compares them
and prints one "not ok" line per mismatch, naming the item on each side:

  schema   the spec against the kernel's genetlink-legacy.yaml schema
  uapi     ynl-gen-c.py --mode uapi --header renders the spec; both headers
           are read by the C compiler (every enum entry and define, with
           its value) and compared name by name, enum by enum
  doc      the type the header's kernel-doc gives each attribute
  policy   each command's nla_policy table in kmod/ (type, length, range,
           mask, nested policy, maxattr), entry by entry, against the
           request attributes the spec lists for it; nested policies
           against their whole attribute set
  ops      the genl_ops table (which commands, doit/dumpit, start/done,
           pre_doit/post_doit, flags), the multicast groups, the family
           name and version
  put      the nla_put_*() type of every attribute the module sends, and
           which top-level attributes the spec's replies and events list

The kernel's tooling (tools/net/ynl, the schemas) comes from Debian's
linux-source at set-up time (scripts/fetch-ynl.sh, build/ynl).  It is run
on a copy of the spec in a scratch tree, because ynl-gen-c.py 6.12 wants
an "(... OR BSD-3-Clause)" licence (the copy's SPDX line is rewritten) and
a MAINTAINERS file above the spec (it loops forever without one).

Exit status: 0 when everything matches, 1 on any mismatch, 2 when the
tooling or an input is missing (a failure too: `make check` installs it).
Options: --spec, --header, --kmod-dir, --ynl (default: this tree's).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import jsonschema
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Names the header has and the spec cannot express, each checked for what
# it is derived from instead (see check_uapi()).
DERIVED_MAX = re.compile(r'^__(\w+)_MAX$')
DERIVED_ALL = re.compile(r'^__(\w+)_ALL$')
CMD_UNSPEC_SUFFIX = '_CMD_UNSPEC'

SCALARS = ('u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64')


class Report:
    """TAP lines, one per check; counts the failures."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, what):
        self.n += 1
        print(f'ok {self.n} - {what}')

    def fail(self, what, problems):
        self.n += 1
        self.failed += 1
        print(f'not ok {self.n} - {what}')
        for p in problems:
            print(f'# {p}')

    def check(self, what, problems):
        if problems:
            self.fail(what, problems)
        else:
            self.ok(what)

    def end(self):
        print(f'1..{self.n}')
        return 1 if self.failed else 0


def shown(path):
    """path as messages give it: relative to the tree when inside it."""
    rel = os.path.relpath(path, ROOT)
    return path if rel.startswith('..') else rel


def c_upper(name):
    return name.upper().replace('-', '_')


def c_lower(name):
    return name.lower().replace('-', '_')


# ---------------------------------------------------------------- the spec

class Spec:
    """The parts of the YAML spec that the comparisons need."""

    def __init__(self, path):
        self.path = path
        with open(path) as f:
            self.y = yaml.safe_load(f)
        y = self.y
        self.name = y['name']
        self.consts = {d['name']: d for d in y.get('definitions', [])}
        self.sets = {}
        # enum name (KABIGUARD_A_MODE) -> (set name, attr)
        self.attr_by_enum = {}
        for s in y.get('attribute-sets', []):
            pfx = s.get('name-prefix')
            if pfx is None:
                pfx = f'{self.name}-a-' if s['name'] == self.name \
                    else f"{self.name}-a-{s['name']}-"
            attrs = []
            for a in s['attributes']:
                a = dict(a)
                a['enum'] = c_upper(pfx + a['name'])
                attrs.append(a)
                self.attr_by_enum[a['enum']] = (s['name'], a)
            max_name = c_upper(pfx + 'max')
            self.sets[s['name']] = {'attrs': attrs, 'max': max_name,
                                    'yaml': s}
        ops = y.get('operations', {})
        self.op_prefix = ops.get('name-prefix', f'{self.name}-cmd-')
        self.ops = ops.get('list', [])
        self.mcgrps = [g['name'] for g in y.get('mcast-groups', {}).get('list', [])]

    def op_enum(self, op):
        return c_upper(self.op_prefix + op['name'])

    def attr(self, set_name, attr_name):
        for a in self.sets[set_name]['attrs']:
            if a['name'] == attr_name:
                return a
        return None

    def limit(self, value):
        """A check's limit as a number: int, const, "const - 1", u32-max."""
        if isinstance(value, int):
            return value
        m = re.fullmatch(r'([0-9A-Za-z_-]+)( - 1)?', str(value))
        if not m:
            raise ValueError(f'limit {value!r}')
        base, minus = m.group(1), 1 if m.group(2) else 0
        if base in self.consts:
            n = self.consts[base].get('value')
            if not isinstance(n, int):
                raise ValueError(f'limit {value!r}: {base} is not a const')
        elif re.fullmatch(r'[us](8|16|32|64)-(max|min)', base):
            width = int(base[1:-4])
            if base[0] == 's':
                width -= 1
            n = (1 << width) - 1
            if base.endswith('-min'):
                n = 0 if base[0] == 'u' else -n - 1
        else:
            n = int(base, 0)
        return n - minus

    def expected_policy(self, attr):
        """The kernel policy entry the spec asks for: a dict like kmod's."""
        t = attr['type']
        checks = attr.get('checks', {})
        if t in SCALARS:
            nla = 'NLA_' + c_upper(t)
            if attr.get('byte-order') == 'big-endian' and t in ('u16', 'u32'):
                nla = 'NLA_BE' + t[1:]
        elif t == 'string':
            nla = 'NLA_STRING' if checks.get('unterminated-ok') else 'NLA_NUL_STRING'
        elif t == 'binary':
            nla = 'NLA_BINARY'
        elif t == 'flag':
            nla = 'NLA_FLAG'
        elif t == 'nest':
            nla = 'NLA_NESTED'
        elif t == 'nest-type-value' or t == 'indexed-array':
            nla = 'NLA_NESTED_ARRAY'
        elif t == 'bitfield32':
            nla = 'NLA_BITFIELD32'
        else:
            nla = f'(no policy for type {t})'
        p = {'type': nla}
        if 'exact-len' in checks:
            p = {'type': 'NLA_BINARY', 'exact-len': self.limit(checks['exact-len'])}
        if 'max-len' in checks:
            p['len'] = self.limit(checks['max-len'])
        if 'min-len' in checks:
            p['min-len'] = self.limit(checks['min-len'])
        for k in ('min', 'max'):
            if k in checks:
                p[k] = self.limit(checks[k])
        if 'flags-mask' in checks:
            entries = self.consts[checks['flags-mask']]['entries']
            p['mask'] = (1 << len(entries)) - 1
        if 'nested-attributes' in attr:
            p['nested'] = attr['nested-attributes']
        return p


# ------------------------------------------------------------ C reading

def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    return re.sub(r'//[^\n]*', ' ', text)


def matching(text, i, open_c='{', close_c='}'):
    """Index of the bracket closing the one at text[i]."""
    depth = 0
    for j in range(i, len(text)):
        if text[j] == open_c:
            depth += 1
        elif text[j] == close_c:
            depth -= 1
            if depth == 0:
                return j
    raise ValueError('unbalanced brackets')


def split_top(text, sep=','):
    """text split at sep outside brackets; empty pieces dropped."""
    out, depth, cur = [], 0, ''
    for ch in text:
        if ch in '({[':
            depth += 1
        elif ch in ')}]':
            depth -= 1
        if ch == sep and depth == 0:
            out.append(cur.strip())
            cur = ''
        else:
            cur += ch
    out.append(cur.strip())
    return [p for p in out if p]


def header_values(header, cc='cc'):
    """Every enum entry and object-like define of header, read by the C
    compiler: ({name: value}, {enum tag: [entry names]}, {name: raw text})."""
    with open(header) as f:
        text = f.read()
    body = strip_comments(text)
    enums = {}
    for m in re.finditer(r'\benum\s+(\w+)\s*\{', body):
        close = matching(body, m.end() - 1)
        names = []
        for e in split_top(body[m.end():close]):
            names.append(re.match(r'\s*(\w+)', e).group(1))
        enums[m.group(1)] = names
    defines = {}
    for m in re.finditer(r'^\s*#\s*define\s+(\w+)(?!\()[ \t]+(.+)$', body, re.M):
        defines[m.group(1)] = m.group(2).strip()
    names = [n for v in enums.values() for n in v] + list(defines)
    lines = ['#include <stdio.h>', f'#include "{os.path.abspath(header)}"',
             'int main(void)', '{']
    for n in names:
        if n in defines and defines[n].startswith('"'):
            lines.append(f'\tprintf("%s s %s\\n", "{n}", {n});')
        else:
            lines.append(f'\tprintf("%s i %lld\\n", "{n}", (long long)({n}));')
    lines += ['\treturn 0;', '}']
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = os.path.join(tmp, 'v.c'), os.path.join(tmp, 'v')
        with open(src, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        r = subprocess.run([cc, '-std=gnu11', '-Wall', '-Werror', '-o', exe, src],
                           capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError(f'{header} does not compile:\n{r.stderr}')
        out = subprocess.run([exe], capture_output=True, text=True,
                             check=True).stdout
    values = {}
    for line in out.splitlines():
        n, kind, v = line.split(' ', 2)
        values[n] = v if kind == 's' else int(v)
    return values, enums, defines, text


# ------------------------------------------------------------ the checks

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

    # The type the header's kernel-doc states, for the attributes it documents.
    problems = []
    doc_type = {'u8': 'u8', 'u16': 'u16', 'u32': 'u32', 'u64': 'u64',
                'string': 'string', 'binary': 'binary', 'nested': 'nest',
                'flag': 'flag'}
    seen = 0
    for m in re.finditer(r'@(\w+):\s*(\w+),', htext):
        hit = spec.attr_by_enum.get(m.group(1))
        if not hit or m.group(2) not in doc_type:
            continue
        seen += 1
        set_name, a = hit
        if doc_type[m.group(2)] != a['type']:
            problems.append(f'{m.group(1)}: {m.group(2)} in {hname}\'s kernel-doc, '
                            f'type {a["type"]} in the spec ({set_name}.{a["name"]})')
    for m in re.finditer(r'^\s*(\w+),\s*/\*\s*(\w+),', htext, re.M):
        hit = spec.attr_by_enum.get(m.group(1))
        if hit and m.group(2) in doc_type:
            seen += 1
            if doc_type[m.group(2)] != hit[1]['type']:
                problems.append(f'{m.group(1)}: {m.group(2)} in {hname}\'s comment, '
                                f'type {hit[1]["type"]} in the spec')
    if not seen:
        problems.append(f'{hname}: no attribute kernel-doc ("@NAME: type,") found')
    rep.check(f'uapi header: the attribute types its kernel-doc states ({seen})', problems)
    return hv


class Kmod:
    """Policies, op table, multicast groups and family of kmod/netlink*.c,
    read from the source text."""

    def __init__(self, kdir, values):
        self.values = values
        self.policies = {}    # name -> {'size': expr, 'entries': {enum: expr}, 'file': f}
        self.tables = {}      # struct type -> (name, [ {field: expr} ], file)
        self.puts = []        # (file, line, function, attribute enum, extra args)
        self.problems = []
        files = sorted(f for f in os.listdir(kdir) if f.endswith('.c'))
        for f in files:
            path = os.path.join(kdir, f)
            with open(path) as fh:
                raw = fh.read()
            text = strip_comments(raw)
            rel = shown(path)
            self._puts(rel, text)
            if f.startswith('netlink'):
                self._policies(rel, text)
                self._tables(rel, text)

    def _policies(self, rel, text):
        pat = re.compile(r'struct\s+nla_policy\s+(\w+)\s*\[([^\]]*)\]\s*(?:__\w+\s*)*=\s*\{')
        for m in pat.finditer(text):
            close = matching(text, m.end() - 1)
            entries = {}
            for e in split_top(text[m.end():close]):
                em = re.fullmatch(r'\[\s*(\w+)\s*\]\s*=\s*(.+)', e, re.S)
                if not em:
                    self.problems.append(f'{rel}: {m.group(1)}: cannot read entry "{e}"')
                    continue
                entries[em.group(1)] = ' '.join(em.group(2).split())
            self.policies[m.group(1)] = {'size': ' '.join(m.group(2).split()),
                                         'entries': entries, 'file': rel}

    def _tables(self, rel, text):
        pat = re.compile(r'struct\s+(genl_ops|genl_small_ops|genl_split_ops|'
                         r'genl_multicast_group|genl_family)\s+(\w+)\s*(\[\s*\])?\s*'
                         r'(?:__\w+\s*)*=\s*\{')
        for m in pat.finditer(text):
            close = matching(text, m.end() - 1)
            body = text[m.end():close]
            if m.group(3):
                items = [self._fields(rel, m.group(2), it[1:-1])
                         for it in split_top(body) if it.startswith('{')]
            else:
                items = [self._fields(rel, m.group(2), body)]
            self.tables[m.group(1)] = (m.group(2), items, rel)

    def _fields(self, rel, table, body):
        fields = {}
        for fv in split_top(body):
            fm = re.fullmatch(r'\.(\w+)\s*=\s*(.+)', fv, re.S)
            if fm:
                fields[fm.group(1)] = ' '.join(fm.group(2).split())
            elif re.fullmatch(r'[A-Z_][A-Z0-9_]*', fv):
                fields['#macro ' + fv] = fv    # e.g. KG_MCGRP_ADMIN_ONLY
            else:
                self.problems.append(f'{rel}: {table}: cannot read "{fv}"')
        return fields

    # put helper -> the spec types it can carry
    PUT_TYPES = {
        'nla_put_u8': {'u8'}, 'nla_put_u16': {'u16'}, 'nla_put_u32': {'u32'},
        'nla_put_u64_64bit': {'u64'}, 'nla_put_s8': {'s8'}, 'nla_put_s16': {'s16'},
        'nla_put_s32': {'s32'}, 'nla_put_s64': {'s64'},
        'nla_put_be16': {'u16'}, 'nla_put_be32': {'u32'},
        'nla_put_string': {'string'}, 'nla_put_flag': {'flag'},
        'nla_put': {'binary'}, 'nla_nest_start': {'nest'},
        'nla_nest_start_noflag': {'nest'}, 'nla_reserve_64bit': {'u64', 's64'},
        # kmod/event.c: a string cut to a cap, with its NUL
        'kg_put_capped': {'string'},
    }

    def _puts(self, rel, text):
        pat = re.compile(r'\b(nla_\w+|kg_put_capped)\s*\(\s*\w+\s*,\s*([A-Z][A-Z0-9_]*)\s*([,)])')
        for m in pat.finditer(text):
            fn = m.group(1)
            if fn not in self.PUT_TYPES and fn != 'nla_reserve':
                continue
            args = ''
            if m.group(3) == ',':
                close = matching(text, text.index('(', m.start()), '(', ')')
                args = ' '.join(text[m.end():close].split())
            line = text.count('\n', 0, m.start()) + 1
            self.puts.append((rel, line, fn, m.group(2), args))

    def eval(self, expr):
        """A C integer expression of header names and numbers."""
        def sub(m):
            n = m.group(0)
            if n in self.values and isinstance(self.values[n], int):
                return str(self.values[n])
            raise ValueError(f'unknown name {n} in "{expr}"')
        py = re.sub(r'\b[A-Za-z_]\w*\b', sub, expr)
        py = re.sub(r'(\d+)[uUlL]+\b', r'\1', py)
        if not re.fullmatch(r'[\d\s+\-*/()<>|&x]+', py):
            raise ValueError(f'cannot evaluate "{expr}"')
        return eval(py.replace('/', '//'), {'__builtins__': {}})

    def entry(self, expr):
        """A policy entry as a dict like Spec.expected_policy()'s."""
        m = re.fullmatch(r'(NLA_POLICY_\w+)\s*\((.*)\)', expr)
        if m:
            args = split_top(m.group(2))
            kind = m.group(1)
            if kind == 'NLA_POLICY_NESTED':
                return {'type': 'NLA_NESTED', 'nested-policy': args[-1]}
            if kind == 'NLA_POLICY_NESTED_ARRAY':
                return {'type': 'NLA_NESTED_ARRAY', 'nested-policy': args[-1]}
            if kind == 'NLA_POLICY_MAX':
                return {'type': args[0], 'max': self.eval(args[1])}
            if kind == 'NLA_POLICY_MIN':
                return {'type': args[0], 'min': self.eval(args[1])}
            if kind == 'NLA_POLICY_RANGE':
                return {'type': args[0], 'min': self.eval(args[1]),
                        'max': self.eval(args[2])}
            if kind == 'NLA_POLICY_MASK':
                return {'type': args[0], 'mask': self.eval(args[1])}
            if kind == 'NLA_POLICY_EXACT_LEN':
                return {'type': 'NLA_BINARY', 'exact-len': self.eval(args[0])}
            if kind == 'NLA_POLICY_MAX_LEN':
                return {'type': 'NLA_BINARY', 'len': self.eval(args[0])}
            if kind == 'NLA_POLICY_MIN_LEN':
                return {'type': 'NLA_BINARY', 'min-len': self.eval(args[0])}
            raise ValueError(f'unknown policy macro {kind}')
        m = re.fullmatch(r'\{(.*)\}', expr)
        if not m:
            raise ValueError(f'cannot read "{expr}"')
        out = {}
        for fv in split_top(m.group(1)):
            fm = re.fullmatch(r'\.(\w+)\s*=\s*(.+)', fv)
            if not fm:
                raise ValueError(f'cannot read "{fv}" in "{expr}"')
            k, v = fm.groups()
            if k == 'type':
                out['type'] = v
            elif k == 'len':
                out['len'] = self.eval(v)
            elif k == 'nested_policy':
                out['nested-policy'] = v
            else:
                raise ValueError(f'field .{k} of "{expr}" is not compared')
        return out


def describe(p):
    return ', '.join(f'{k} {v}' for k, v in p.items())


def check_policies(rep, spec, km):
    ops_table = km.tables.get('genl_ops') or km.tables.get('genl_small_ops') \
        or km.tables.get('genl_split_ops')
    if not ops_table:
        rep.fail('kmod: op table', ['no genl_ops table in kmod/netlink*.c'])
        return
    table_name, ops, ops_file = ops_table
    by_cmd = {}
    for o in ops:
        by_cmd.setdefault(o.get('cmd', '?'), []).append(o)

    compared = {}   # kmod policy name -> spec set it was compared with

    def compare_table(pname, set_name, want_attrs, what):
        """kmod's policy pname against the spec's want_attrs of set_name."""
        problems = []
        pol = km.policies.get(pname)
        if pol is None:
            return [f'{what}: kmod has no policy table {pname}']
        s = spec.sets[set_name]
        want_size = f'{s["max"]} + 1'
        if pol['size'].replace(' ', '') != want_size.replace(' ', ''):
            problems.append(f'{pol["file"]} {pname}[{pol["size"]}]: spec set {set_name} '
                            f'wants [{want_size}]')
        want = {a['enum']: a for a in want_attrs}
        for enum, expr in pol['entries'].items():
            hit = spec.attr_by_enum.get(enum)
            if enum not in want:
                if hit and hit[0] == set_name:
                    problems.append(f'{pol["file"]} {pname}[{enum}]: accepted by kmod, '
                                    f'not a request attribute of {what} in the spec')
                else:
                    problems.append(f'{pol["file"]} {pname}[{enum}]: not an attribute of '
                                    f'spec set {set_name}')
                continue
            a = want[enum]
            try:
                got = km.entry(expr)
                exp = spec.expected_policy(a)
            except ValueError as e:
                problems.append(f'{pol["file"]} {pname}[{enum}]: {e}')
                continue
            nested = got.pop('nested-policy', None)
            nested_set = exp.pop('nested', None)
            if got != exp:
                problems.append(f'{pol["file"]} {pname}[{enum}] = {expr} ({describe(got)}), '
                                f'spec {set_name}.{a["name"]}: {describe(exp)}')
            if nested or nested_set:
                if not nested or not nested_set:
                    problems.append(f'{pol["file"]} {pname}[{enum}]: nested policy '
                                    f'{nested}, spec nested-attributes {nested_set}')
                elif compared.get(nested, nested_set) != nested_set:
                    problems.append(f'{pol["file"]} {nested}: used for spec sets '
                                    f'{compared[nested]} and {nested_set}')
                elif nested not in compared:
                    compared[nested] = nested_set
                    sub = [x for x in spec.sets[nested_set]['attrs']
                           if x['type'] not in ('unused', 'pad')]
                    problems += compare_table(nested, nested_set, sub,
                                              f'set {nested_set} (nested)')
        for enum, a in want.items():
            if enum not in pol['entries']:
                problems.append(f'{pol["file"]} {pname}: no entry for {enum}, a request '
                                f'attribute of {what} in the spec ({set_name}.{a["name"]})')
        return problems

    ops_problems = []
    for op in spec.ops:
        enum = spec.op_enum(op)
        entries = by_cmd.pop(enum, [])
        modes = [m for m in ('do', 'dump') if m in op]
        if not modes:
            if entries:
                ops_problems.append(f'{ops_file} {table_name}: has {enum}, an event-only '
                                    f'command (no do/dump) in the spec')
            continue
        if len(entries) != 1:
            ops_problems.append(f'{ops_file} {table_name}: {len(entries)} entries for {enum}, '
                                f'the spec has {"/".join(modes)}')
            continue
        o = entries[0]
        fields = {'doit': None, 'dumpit': None, 'start': None, 'done': None,
                  'pre_doit': None, 'post_doit': None}
        cb = {'do': ('pre_doit', 'post_doit'), 'dump': ('start', 'done')}
        for m in modes:
            fields[m + 'it'] = 'present'
            for k, f in zip(('pre', 'post'), cb[m]):
                if k in op[m]:
                    fields[f] = c_lower(op[m][k])
        for f, want in fields.items():
            got = o.get(f)
            if want == 'present':
                if not got:
                    ops_problems.append(f'{ops_file} {enum}: no .{f}, the spec has '
                                        f'{f[:-2]}')
            elif got != want:
                ops_problems.append(f'{ops_file} {enum}: .{f} = {got}, the spec has '
                                    f'{want} ({"pre/post of " + "/".join(modes)})')
        want_flags = {c_upper('genl-' + x) for x in op.get('flags', [])}
        got_flags = set(split_top(o.get('flags', ''), '|'))
        if want_flags != got_flags:
            ops_problems.append(f'{ops_file} {enum}: .flags {sorted(got_flags) or "none"}, '
                                f'the spec has {sorted(want_flags) or "none"}')
        want_val = {c_upper('genl-dont-validate-' + x) for x in op.get('dont-validate', [])}
        got_val = set(split_top(o.get('validate', ''), '|'))
        if want_val != got_val:
            ops_problems.append(f'{ops_file} {enum}: .validate {sorted(got_val) or "none"}, '
                                f'the spec has {sorted(want_val) or "none"}')
        reqs = [op[m].get('request', {}).get('attributes', []) for m in modes]
        if len(reqs) == 2 and sorted(reqs[0]) != sorted(reqs[1]):
            ops_problems.append(f'spec {op["name"]}: do and dump requests differ, '
                                'one per-op policy cannot hold both')
        set_name = op['attribute-set']
        want_attrs = []
        for n in reqs[0]:
            a = spec.attr(set_name, n)
            if a is None:
                ops_problems.append(f'spec {op["name"]}: request attribute {n} is not in '
                                    f'set {set_name}')
            else:
                want_attrs.append(a)
        pname = o.get('policy')
        if not pname:
            ops_problems.append(f'{ops_file} {enum}: no .policy')
            continue
        if o.get('maxattr') != spec.sets[set_name]['max']:
            ops_problems.append(f'{ops_file} {enum}: .maxattr {o.get("maxattr")}, spec set '
                                f'{set_name} has {spec.sets[set_name]["max"]}')
        rep.check(f'kmod policy of {enum} ({pname}) matches the spec\'s request',
                  compare_table(pname, set_name, want_attrs, f'command {op["name"]}'))
    for enum in by_cmd:
        ops_problems.append(f'{ops_file} {table_name}: {enum} is not a command of the spec')
    unused = [p for p in km.policies if p not in compared and
              not any(o.get('policy') == p for o in ops)]
    for p in unused:
        ops_problems.append(f'{km.policies[p]["file"]} {p}: a policy no command or nest '
                            'of the spec uses')
    rep.check(f'kmod op table {table_name}: commands, callbacks, flags, maxattr',
              ops_problems + km.problems)

    # Family and multicast groups.
    problems = []
    fam = km.tables.get('genl_family')
    if not fam:
        problems.append('no struct genl_family in kmod/netlink*.c')
    else:
        f = fam[1][0]
        name = km.values.get(f.get('name'), f.get('name', '').strip('"'))
        if name != spec.name:
            problems.append(f'{fam[2]} {fam[0]}.name = {f.get("name")} ({name!r}), '
                            f'spec name {spec.name!r}')
        try:
            ver = km.eval(f.get('version', '0'))
        except ValueError as e:
            ver = str(e)
        if ver != spec.y.get('version', 1):
            problems.append(f'{fam[2]} {fam[0]}.version = {f.get("version")} ({ver}), '
                            f'spec version {spec.y.get("version", 1)}')
        if f.get('ops') != table_name:
            problems.append(f'{fam[2]} {fam[0]}.ops = {f.get("ops")}, not {table_name}')
    grp = km.tables.get('genl_multicast_group')
    got = []
    if grp:
        for g in grp[1]:
            got.append(km.values.get(g.get('name'), g.get('name', '').strip('"')))
        if fam and fam[1][0].get('mcgrps') != grp[0]:
            problems.append(f'{fam[2]} {fam[0]}.mcgrps = {fam[1][0].get("mcgrps")}, '
                            f'not {grp[0]}')
    if got != spec.mcgrps:
        problems.append(f'kmod multicast groups {got}, spec mcast-groups {spec.mcgrps}')
    rep.check('kmod family name, version and multicast groups', problems)


def check_puts(rep, spec, km):
    problems = []
    sent = set()
    for rel, line, fn, enum, args in km.puts:
        hit = spec.attr_by_enum.get(enum)
        if not hit:
            problems.append(f'{rel}:{line}: {fn}({enum}): not an attribute of the spec')
            continue
        set_name, a = hit
        sent.add(enum)
        if fn == 'nla_reserve':
            m = re.match(r'sizeof\s*\(\s*([us](8|16|32|64))\s*\)', args)
            types = {m.group(1)} if m else {'binary', 'string'}
        else:
            types = Kmod.PUT_TYPES[fn]
        if a['type'] not in types:
            problems.append(f'{rel}:{line}: {fn}({enum}) puts {"/".join(sorted(types))}, '
                            f'spec {set_name}.{a["name"]} is {a["type"]}')
        if fn in ('nla_put_u64_64bit', 'nla_reserve_64bit'):
            pad = args.split(',')[-1].strip()
            ph = spec.attr_by_enum.get(pad)
            if not ph or ph[1]['type'] != 'pad' or ph[0] != set_name:
                problems.append(f'{rel}:{line}: {fn}({enum}) pads with {pad}, not a pad '
                                f'attribute of spec set {set_name}')
    rep.check(f'kmod: the type of every attribute it puts ({len(km.puts)} calls)', problems)

    # Top-level attributes: the spec's replies and events list what is sent.
    problems = []
    listed = set()
    for op in spec.ops:
        s = spec.sets[op['attribute-set']]
        for m in ('do', 'dump'):
            for n in op.get(m, {}).get('reply', {}).get('attributes', []):
                listed.add((op['attribute-set'], n))
        for n in op.get('event', {}).get('attributes', []):
            listed.add((op['attribute-set'], n))
        del s
    top = {e for e, (sn, _) in spec.attr_by_enum.items()
           if any(sn == op['attribute-set'] for op in spec.ops)}
    for enum in sorted(sent & top):
        sn, a = spec.attr_by_enum[enum]
        if (sn, a['name']) not in listed:
            problems.append(f'kmod puts {enum}; no reply or event of the spec lists {a["name"]}')
    for sn, n in sorted(listed):
        a = spec.attr(sn, n)
        if a and a['enum'] not in sent:
            problems.append(f'the spec lists {sn}.{n} in a reply or event; kmod never puts '
                            f'{a["enum"]}')
    rep.check('kmod puts exactly the attributes the spec\'s replies and events list', problems)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--spec', default=os.path.join(ROOT, 'Documentation/netlink/specs/kabiguard.yaml'))
    ap.add_argument('--header', default=os.path.join(ROOT, 'include/uapi/linux/kabiguard.h'))
    ap.add_argument('--kmod-dir', default=os.path.join(ROOT, 'kmod'))
    ap.add_argument('--ynl', default=os.path.join(ROOT, 'build/ynl'))
    args = ap.parse_args()

    print('TAP version 13')
    rep = Report()
    for what, path in (('the spec', args.spec), ('the uapi header', args.header),
                       ('ynl-gen-c.py (scripts/install-deps.sh, scripts/fetch-ynl.sh)',
                        os.path.join(args.ynl, 'tools/net/ynl/ynl-gen-c.py')),
                       ('kmod/', args.kmod_dir)):
        if not os.path.exists(path):
            rep.fail(f'input: {what}', [f'{path} is missing'])
            rep.end()
            return 2
    if not check_schema(rep, args.spec, args.ynl):
        return rep.end()
    spec = Spec(args.spec)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            rendered = render_uapi(args.spec, args.ynl, tmp)
            values = check_uapi(rep, spec, rendered, args.header)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            rep.fail('uapi header rendered from the spec', str(e).splitlines())
            return rep.end()
    km = Kmod(args.kmod_dir, values)
    check_policies(rep, spec, km)
    check_puts(rep, spec, km)
    return rep.end()


if __name__ == '__main__':
    sys.exit(main())
