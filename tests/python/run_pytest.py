#!/usr/bin/env python3
"""Run the rgrbm package's pytest suite (tests/python) for `meson test`.

Usage: run_pytest.py [STRUCT_LAYOUT_EXE] [pytest args...]
Exit 77 (skipped) when numpy or pytest is missing (Debian: apt-get install
python3-numpy python3-pytest). The library comes from $RGRBM_LIBRARY, the
package from $PYTHONPATH (tests/meson.build sets both)."""
import os
import sys

for module, package in (("numpy", "python3-numpy"), ("pytest", "python3-pytest")):
    try:
        __import__(module)
    except ImportError:
        print(f"skipped: {module} is not installed (Debian: apt-get install {package})")
        sys.exit(77)

import pytest  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
args = sys.argv[1:]
if args and not args[0].startswith("-"):
    os.environ["RGRBM_STRUCT_LAYOUT"] = os.path.abspath(args.pop(0))
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "-rs", here] + args))
