#!/usr/bin/env python3
"""Every public function's documentation lists its parameters as declared.

Usage: check_params.py HEADER...

For each `RGRBM_API` declaration with a doc comment (docs/conventions.md,
"Headers and names"): one `@param NAME` per parameter, in the order of the
signature (Doxygen does not accept "@param lx, ly"), and an `@return` unless
the function returns void."""
import re
import sys

# A doc comment (no "*/" inside) directly before a declaration.
DECLARATION = re.compile(
    r"/\*\*((?:(?!\*/).)*)\*/\s*RGRBM_API\s+([^;(]*?)\b(rgrbm_\w+)\s*\(([^)]*)\)\s*;", re.S)


def parameter_names(arguments):
    names = []
    for argument in arguments.split(","):
        argument = argument.strip()
        if argument not in ("", "void"):
            names.append(re.search(r"(\w+)\s*$", argument).group(1))
    return names


def problems(doc, result, arguments):
    found = []
    merged = re.findall(r"@param\s+(\w+\s*,\s*\w+)", doc)
    if merged:
        found.append(f"merged @param lines {merged}")
    documented = re.findall(r"@param(?:\[\w+\])?\s+(\w+)", doc)
    declared = parameter_names(arguments)
    if documented != declared:
        found.append(f"@param {documented}, signature {declared}")
    if result.strip() != "void" and "@return" not in doc:
        found.append("no @return")
    return found


failures = 0
for path in sys.argv[1:]:
    with open(path) as f:
        text = f.read()
    for m in DECLARATION.finditer(text):
        doc, result, name, arguments = m.groups()
        for problem in problems(doc, result, arguments):
            print(f"{path}: {name}: {problem}")
            failures += 1
sys.exit(1 if failures else 0)
