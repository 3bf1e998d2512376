"""Print where to install a pure Python package under PREFIX so that this
interpreter imports it: DEFAULT (meson's choice) when sys.path holds it,
else the first sys.path directory under PREFIX, else DEFAULT.

Usage: site_dir.py PREFIX DEFAULT"""
import os
import site
import sys

prefix, default = (os.path.normpath(p) for p in sys.argv[1:3])
searched = [os.path.normpath(p) for p in site.getsitepackages() + sys.path if p]
if default in searched:
    print(default)
else:
    under = [p for p in searched if p.startswith(prefix + os.sep) and "dist-packages" in p
             or p.startswith(prefix + os.sep) and "site-packages" in p]
    print(under[0] if under else default)
