#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""rst-check.py FILE...: reStructuredText errors in Documentation pages.

Sphinx is not needed: the kernel's own directives (kernel-doc, toctree)
are dropped and :doc: roles made plain, then docutils parses the rest and
any warning or error is printed. Exits non-zero if there was one.
"""
import io
import re
import sys

from docutils.core import publish_doctree

bad = 0
for path in sys.argv[1:]:
    with open(path) as f:
        src = f.read()
    src = re.sub(r"^\.\. (kernel-doc|toctree)::.*\n(   :.*\n)*", "", src,
                 flags=re.M)
    src = src.replace(":doc:`", "`")
    out = io.StringIO()
    publish_doctree(src, source_path=path,
                    settings_overrides={"report_level": 2, "halt_level": 5,
                                        "warning_stream": out})
    if out.getvalue():
        print(out.getvalue(), end="")
        bad = 1
sys.exit(bad)
