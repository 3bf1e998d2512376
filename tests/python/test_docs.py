"""docs/tutorial.md's Python block runs as printed, and docs/python.md names
every public name of the package."""
import contextlib
import io
import os
import re

import pytest

import rgrbm

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def read(*path):
    with open(os.path.join(ROOT, *path)) as f:
        return f.read()


def test_tutorial_python_block_runs():
    blocks = re.findall(r"```python\n(.*?)```", read("docs", "tutorial.md"), flags=re.S)
    assert len(blocks) == 1
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(blocks[0], "docs/tutorial.md", "exec"), {})
    assert "(2000, 4, 4)" in out.getvalue()


def test_reference_page_names_every_public_name():
    page = read("docs", "python.md")
    missing = [n for n in rgrbm.__all__ if n != "lib" and not n.startswith("CPU_FLAG")
               and f"`{n}" not in page and f".{n}" not in page]
    assert not missing, f"docs/python.md does not mention {missing}"
