#!/bin/sh
# Usage: check_checker.sh ABI_SCRIPT CC
# Proves that the ABI check (scripts/abi --check) catches breaks, without
# touching librgrbm: builds a tiny library from tests/abi/fixture/ once as
# the baseline and once per mutation of its public header, and checks each
# verdict. The fixture's private header shares its base name with the public
# one, as lib/dataset.h does with include/rgrbm/dataset.h.
set -eu
abi=$1
cc=$2
fixture=$(cd "$(dirname "$0")/fixture" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v abidw >/dev/null && command -v abidiff >/dev/null ||
  { echo "skipped: abidw/abidiff not found (Debian: abigail-tools)"; exit 77; }

build() { # build NAME [-DMUTATION]: lib NAME.so with debug info
  # shellcheck disable=SC2086
  "$cc" -g -O2 -shared -fPIC -fvisibility=hidden -Wl,-soname,librgrbm_fixture.so.1 \
    -I"$fixture/include" -I"$fixture/lib" ${2:-} -o "$tmp/$1.so" "$fixture/lib/fixture.c"
}

build base
"$abi" --dump "$tmp/base.so" "$tmp/base.abi" "$fixture/include" >/dev/null

failures=0
expect() { # expect EXIT_STATUS MUTATION WHAT
  build "$2" "-D$2"
  status=0
  "$abi" --check "$tmp/$2.so" "$tmp/base.abi" "$fixture/include" > "$tmp/$2.log" 2>&1 || status=$?
  if [ "$status" -eq "$1" ]; then
    echo "ok: $3 -> exit $status"
  else
    echo "FAIL: $3: exit $status, expected $1; the check said:" >&2
    cat "$tmp/$2.log" >&2
    failures=$((failures + 1))
  fi
}

expect 0 ABI_NONE "the same interface"
expect 1 ABI_DROP_FIELD "a field removed from a public struct"
expect 1 ABI_APPEND_FIELD "a field appended to a public struct (a new version: needs --update)"
expect 1 ABI_PARAM_TYPE "a parameter type changed (long -> double)"
expect 1 ABI_HANDLE_TYPE "a parameter changed from one handle type to another"
expect 1 ABI_REMOVE_FUNCTION "a function removed"
expect 0 ABI_ADD_FUNCTION "a function added (compatible, printed)"
expect 0 ABI_PRIVATE_FIELD "a field added inside an opaque handle"
grep -q rgrbm_fixture_reset "$tmp/ABI_ADD_FUNCTION.log" ||
  { echo "FAIL: the added function is not printed" >&2; failures=$((failures + 1)); }

[ "$failures" -eq 0 ] || exit 1
echo "the ABI check flags every break of the fixture and accepts the compatible changes"
