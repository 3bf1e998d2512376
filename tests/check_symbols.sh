#!/bin/sh
# Usage: check_symbols.sh LIBRARY SYMFILE [NM]
# Fails unless the library's exported names are exactly those listed under
# "global:" in the version script. NM is the target's nm (a cross build
# passes aarch64-linux-gnu-nm); default nm.
#   shared library: the exported dynamic symbols (nm -D) are exactly the list.
#   static archive (-Ddefault_library=static): every global symbol its objects
#   define (nm -g --defined-only) is either a listed rgrbm_* name or an
#   internal rgrbm__* one, and every listed name is defined: a static link
#   has no version script, so the prefixes are what keeps the library's
#   names apart from the program's.
set -eu
lib=$1
symfile=$2
nm=${3:-nm}
exported=$(mktemp)
listed=$(mktemp)
globals=$(mktemp)
trap 'rm -f "$exported" "$listed" "$globals"' EXIT
sed -e 's,/\*.*\*/,,g' "$symfile" | tr -d ' \t' | grep -E '^[A-Za-z_][A-Za-z0-9_]*;$' \
  | tr -d ';' | sort -u > "$listed"

case $lib in
  *.a)
    # The private node (RGRBM_PRIVATE_1, for librgrbm_mpi) is among the
    # internal rgrbm__ names of an archive.
    grep -v '^rgrbm__' "$listed" > "$listed.public" || true
    mv "$listed.public" "$listed"
    "$nm" -g --defined-only "$lib" | awk 'NF == 3 { print $3 }' | sort -u > "$globals"
    if grep -v '^rgrbm_' "$globals"; then
      echo "global symbols without the rgrbm_ prefix are defined in $lib" >&2
      exit 1
    fi
    grep -v '^rgrbm__' "$globals" > "$exported" || true
    if ! diff -u "$listed" "$exported"; then
      echo "public rgrbm_* globals (+) differ from lib/rgrbm.sym (-): internal names take rgrbm__" >&2
      exit 1
    fi
    echo "$(wc -l < "$exported") public symbols exactly as listed, $(($(wc -l < "$globals") - $(wc -l < "$exported"))) internal rgrbm__*, no other globals"
    exit 0 ;;
esac

"$nm" -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ { sub(/@.*/, "", $3); print $3 }' \
  | sort -u > "$exported"
if ! diff -u "$listed" "$exported"; then
  echo "exported symbols (+) differ from lib/rgrbm.sym (-)" >&2
  exit 1
fi
if grep -v '^rgrbm_' "$exported"; then
  echo "symbols without the rgrbm_ prefix are exported" >&2
  exit 1
fi
echo "$(wc -l < "$exported") symbols, all rgrbm_*, exactly as listed"
