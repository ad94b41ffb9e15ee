# SPDX-License-Identifier: GPL-2.0
"""The YAML spec, as the comparisons need it."""
import re

import yaml

from .common import c_upper

SCALARS = ('u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64')


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
