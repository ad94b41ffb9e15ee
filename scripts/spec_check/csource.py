# SPDX-License-Identifier: GPL-2.0
"""Reading C: brackets, comments, and header values through the compiler."""
import os
import re
import subprocess
import tempfile


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
