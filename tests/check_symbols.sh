#!/bin/sh
# Usage: check_symbols.sh LIBRARY SYMFILE [NM]
# Fails unless the library's exported dynamic symbols are exactly the names
# listed under "global:" in the version script. NM is the target's nm (a
# cross build passes aarch64-linux-gnu-nm); default nm.
set -eu
lib=$1
symfile=$2
nm=${3:-nm}
exported=$(mktemp)
listed=$(mktemp)
trap 'rm -f "$exported" "$listed"' EXIT
"$nm" -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ { sub(/@.*/, "", $3); print $3 }' \
  | sort -u > "$exported"
sed -e 's,/\*.*\*/,,g' "$symfile" | tr -d ' \t' | grep -E '^[A-Za-z_][A-Za-z0-9_]*;$' \
  | tr -d ';' | sort -u > "$listed"
if ! diff -u "$listed" "$exported"; then
  echo "exported symbols (+) differ from lib/rgrbm.sym (-)" >&2
  exit 1
fi
if grep -v '^rgrbm_' "$exported"; then
  echo "symbols without the rgrbm_ prefix are exported" >&2
  exit 1
fi
echo "$(wc -l < "$exported") symbols, all rgrbm_*, exactly as listed"
