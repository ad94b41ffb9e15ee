# SPDX-License-Identifier: GPL-2.0
"""What every part of spec-check shares: the tree, the TAP report, names."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


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
