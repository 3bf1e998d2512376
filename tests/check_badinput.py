#!/usr/bin/env python3
"""Every exported function has a bad-input test.

Usage: check_badinput.py SYMFILE TESTDIR

A function counts as tested when some test under TESTDIR calls it inside
ck_assert_fails(...), ck_assert_null_fails(...) or ck_assert_zero_fails(...),
the helpers that assert the status (or a getter's 0 / NULL) and the message.
Functions that cannot fail (destructors, version and error accessors) are
listed below with the reason."""
import pathlib
import re
import sys

INFALLIBLE = {
    "rgrbm_strerror": "maps any int to a static string",
    "rgrbm_last_error": "returns the thread's message",
    "rgrbm_clear_error": "no arguments",
    "rgrbm_memory_in_use": "no arguments",
    "rgrbm_version": "no arguments",
    "rgrbm_version_string": "no arguments",
    "rgrbm_cpu_flags": "no arguments",
    "rgrbm_cpu_set_mask": "every mask is valid (unknown bits are ignored)",
    "rgrbm_cpu_level_name": "no arguments",
    "rgrbm_mcrg_result_free": "a destructor: NULL and empty results are no-ops (test_mcrg)",
}

symfile, testdir = sys.argv[1], pathlib.Path(sys.argv[2])
text = re.sub(r"/\*.*?\*/", "", open(symfile).read(), flags=re.S)
symbols = [s for s in re.findall(r"^\s*(rgrbm_\w+);", text, flags=re.M)
           if not s.startswith("rgrbm__")]  # RGRBM_PRIVATE_1: for librgrbm_mpi only

sources = "\n".join(p.read_text() for p in testdir.rglob("*.c"))
# The text of every ck_assert_fails / _null_fails / _zero_fails call, up to the
# matching parenthesis.
checked = set()
for m in re.finditer(r"ck_assert_(?:null_|zero_)?fails\(", sources):
    depth, i = 1, m.end()
    while depth and i < len(sources):
        depth += {"(": 1, ")": -1}.get(sources[i], 0)
        i += 1
    checked.update(re.findall(r"\b(rgrbm_\w+)\s*\(", sources[m.end():i]))

missing = [s for s in symbols if s not in checked and s not in INFALLIBLE and
           not s.endswith("_destroy") and not s.endswith("_options_init")]
for s in missing:
    print(f"no bad-input test (ck_assert_fails) calls {s}")
print(f"{len(symbols)} exported functions, {len(symbols) - len(missing)} covered or exempt")
sys.exit(1 if missing else 0)
