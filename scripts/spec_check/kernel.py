# SPDX-License-Identifier: GPL-2.0
"""kmod/'s policies, op table, family, groups and puts against the spec."""
import re

from .common import c_lower, c_upper
from .csource import split_top
from .kmod import Kmod


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
        for m in ('do', 'dump'):
            for n in op.get(m, {}).get('reply', {}).get('attributes', []):
                listed.add((op['attribute-set'], n))
        for n in op.get('event', {}).get('attributes', []):
            listed.add((op['attribute-set'], n))
    top = {e for e, (sn, _) in spec.attr_by_enum.items()
           if any(sn == op['attribute-set'] for op in spec.ops)}
    for enum in sorted(sent & top):
        sn, a = spec.attr_by_enum[enum]
        if (sn, a['name']) not in listed:
            problems.append(f'kmod puts {enum}; no reply or event of the spec lists {a["name"]}')
    for sn, n in sorted(listed):
        a = spec.attr(sn, n)
        if a is None:
            problems.append(f'the spec lists {n} in a reply or event; set {sn} has no '
                            'such attribute')
        elif a['enum'] not in sent:
            problems.append(f'the spec lists {sn}.{n} in a reply or event; kmod never puts '
                            f'{a["enum"]}')
    rep.check('kmod puts exactly the attributes the spec\'s replies and events list', problems)

    # Nested sets of replies and events (loader, ring...): every attribute
    # of theirs is put somewhere (which one in which message is not known).
    problems = []
    todo = [spec.attr(sn, n) for sn, n in sorted(listed)]
    seen = set()
    while todo:
        a = todo.pop()
        sub = a.get('nested-attributes') if a and a['type'] == 'nest' else None
        if not sub or sub in seen:
            continue
        seen.add(sub)
        for b in spec.sets[sub]['attrs']:
            if b['type'] in ('pad', 'unused'):
                continue
            todo.append(b)
            if b['enum'] not in sent:
                problems.append(f'the spec\'s set {sub} (in a reply or event) has {b["name"]}; '
                                f'kmod never puts {b["enum"]}')
    rep.check(f'kmod puts every attribute of the nested sets replies and events carry '
              f'({", ".join(sorted(seen))})', problems)
