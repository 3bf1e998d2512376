#!/usr/bin/env python3
"""Usage: opaque_types.py IN.abi OUT.abi

Rewrites an abidw dump so that only public types count, as callers see them:
every struct defined outside include/rgrbm/ (a handle's definition in lib/)
becomes declaration-only, and source locations are dropped.

libabigail's own way (abidw --headers-dir include --drop-private-types) decides
what is public by a header's base name, and lib/dataset.h shares its base name
with include/rgrbm/dataset.h: the handles' private definitions would count as
ABI. The ABI check then would fail on every change inside a handle and, with a
suppression to silence that, would miss a parameter changed from one handle
type to another (tests/abi/check_checker.sh proves both cases).

Structs keep their ids, so references stay valid; the private members' types
stay in the file but are no longer reachable, and abidiff ignores them.
"""
import re
import sys

PUBLIC_HEADER = re.compile(r"(^|/)include/rgrbm/[A-Za-z0-9_]+\.h$")
TAG = re.compile(r"<(/?)class-decl\b([^>]*?)(/?)>")
LOCATION = re.compile(r" (filepath|line|column)='[^']*'")


def end_of_element(text, start_tag):
    """Index just after the element that start_tag opens (nesting counted)."""
    if start_tag.group(3):
        return start_tag.end()
    depth = 0
    for tag in TAG.finditer(text, start_tag.start()):
        if tag.group(3):
            continue
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return tag.end()
    sys.exit("opaque_types.py: unbalanced <class-decl> in the dump")


def declaration_only(attrs):
    attrs = re.sub(r" size-in-bits='\d+'", "", attrs)
    return re.sub(r" id='", " is-declaration-only='yes' id='", attrs, count=1)


def make_private_structs_opaque(text):
    out, pos = [], 0
    for tag in TAG.finditer(text):
        if tag.start() < pos or tag.group(1):
            continue
        attrs = tag.group(2)
        where = re.search(r"filepath='([^']*)'", attrs)
        if not where or PUBLIC_HEADER.search(where.group(1)) or "is-declaration-only" in attrs:
            continue
        out.append(text[pos:tag.start()] + "<class-decl" + declaration_only(attrs) + "/>")
        pos = end_of_element(text, tag)
    out.append(text[pos:])
    return "".join(out)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    text = LOCATION.sub("", make_private_structs_opaque(text))
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
