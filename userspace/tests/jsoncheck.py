#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# jsoncheck.py [--lines] SCHEMA [FILE...]: validates JSON against one of
# the schemas of userspace/doc/schema/ (a name like "check" or a path),
# strictly: a duplicate key in any object, NaN/Infinity, trailing data or
# an invalid UTF-8 byte fails, as does any schema violation
# (Draft 2020-12, Debian's python3-jsonschema; formats not asserted).
# --lines: every non-empty line is one document (events, monitor,
# kabiguardd's log); else each FILE is one document. "-" or no FILE:
# standard input. Prints one line per failure naming the file and line;
# exit status 0 when everything is valid, 1 otherwise, 2 for usage.
#
# Importable: load_strict(text), validator(name), check(doc, name).
# Runs under /usr/bin/python3 on purpose: that is where Debian's package
# is, whatever python3 comes first in PATH.
import json
import os
import sys

import jsonschema

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "..", "doc", "schema")


class DuplicateKey(ValueError):
    pass


def _pairs(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise DuplicateKey("duplicate key %r" % k)
        obj[k] = v
    return obj


def _no_constant(name):
    raise ValueError("not JSON: %s" % name)


def load_strict(text):
    """One JSON document, duplicate keys and NaN/Infinity rejected."""
    return json.loads(text, object_pairs_hook=_pairs,
                      parse_constant=_no_constant)


_validators = {}


def validator(name):
    if name not in _validators:
        path = name if os.sep in name else \
            os.path.join(SCHEMA_DIR, name + ".schema.json")
        with open(path, encoding="utf-8") as f:
            schema = load_strict(f.read())
        jsonschema.Draft202012Validator.check_schema(schema)
        _validators[name] = jsonschema.Draft202012Validator(schema)
    return _validators[name]


def check(doc, name):
    """The schema errors of doc, as strings (empty: valid)."""
    errs = sorted(validator(name).iter_errors(doc), key=lambda e: e.path)
    return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(root)",
                        e.message) for e in errs]


def check_text(text, name, where):
    """Failures (strings) of one document's text."""
    try:
        doc = load_strict(text)
    except ValueError as e:
        return ["%s: %s" % (where, e)]
    return ["%s: %s" % (where, e) for e in check(doc, name)]


def main(argv):
    lines = False
    if argv and argv[0] == "--lines":
        lines = True
        argv = argv[1:]
    if not argv:
        print("usage: jsoncheck.py [--lines] SCHEMA [FILE...]",
              file=sys.stderr)
        return 2
    name, files = argv[0], argv[1:] or ["-"]
    fails, docs = [], 0
    for fn in files:
        raw = sys.stdin.buffer.read() if fn == "-" else open(fn, "rb").read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            fails.append("%s: not UTF-8: %s" % (fn, e))
            continue
        if not lines:
            docs += 1
            fails += check_text(text, name, fn)
            continue
        for i, line in enumerate(text.split("\n"), 1):
            if line.strip():
                docs += 1
                fails += check_text(line, name, "%s:%d" % (fn, i))
    for f in fails:
        print("jsoncheck: %s: %s" % (name, f))
    if not docs:
        print("jsoncheck: %s: no JSON document in %s" % (name, " ".join(files)))
        return 1
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
