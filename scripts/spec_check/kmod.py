# SPDX-License-Identifier: GPL-2.0
"""kmod/netlink*.c read from the source text: policies, tables, puts."""
import os
import re

from .common import shown
from .csource import matching, split_top, strip_comments


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
