# SPDX-License-Identifier: GPL-2.0
"""scripts/spec-check.py's parts; see its docstring."""
