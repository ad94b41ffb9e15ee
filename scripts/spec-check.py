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
  doc      the type the header's documentation gives each attribute, and
           the kind (doit, dump, multicast) of each command it lists
  policy   each command's nla_policy table in kmod/ (type, length, range,
           mask, nested policy, maxattr), entry by entry, against the
           request attributes the spec lists for it; nested policies
           against their whole attribute set
  ops      the genl_ops table (which commands, doit/dumpit, start/done,
           pre_doit/post_doit, flags), the multicast groups, the family
           name and version
  put      the nla_put_*() type of every attribute the module sends,
           which top-level attributes the spec's replies and events list,
           and that every attribute of the sets nested in them is sent

The kernel's tooling (tools/net/ynl, the schemas) comes from Debian's
linux-source at set-up time (scripts/fetch-ynl.sh, build/ynl).  It is run
on a copy of the spec in a scratch tree, because ynl-gen-c.py 6.12 wants
an "(... OR BSD-3-Clause)" licence (the copy's SPDX line is rewritten) and
a MAINTAINERS file above the spec (it loops forever without one).

The parts are in scripts/spec_check/: spec.py (the YAML), csource.py
(C text and header values), uapi.py (schema and header), kmod.py (the
module's source) and kernel.py (its comparisons with the spec).

Exit status: 0 when everything matches, 1 on any mismatch, 2 when the
tooling or an input is missing (a failure too: `make check` installs it).
Options: --spec, --header, --kmod-dir, --ynl (default: this tree's).
"""
import argparse
import os
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True    # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spec_check.common import ROOT, Report  # noqa: E402
from spec_check.kernel import check_policies, check_puts  # noqa: E402
from spec_check.kmod import Kmod  # noqa: E402
from spec_check.spec import Spec  # noqa: E402
from spec_check.uapi import check_schema, check_uapi, render_uapi  # noqa: E402


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
