#!/bin/sh
# Usage: run.sh SOURCE_ROOT
# Builds tests/subproject/ in a temporary directory with librgrbm as its
# subproject (a symbolic link to SOURCE_ROOT), the library alone and without
# optimization to keep it short, then runs the consumer and checks that it
# loaded the subproject's library.
set -eu
root=$(cd "$1" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$root/tests/subproject/meson.build" "$tmp/"
cp "$root/tests/consumer.c" "$tmp/"
mkdir "$tmp/subprojects"
ln -s "$root" "$tmp/subprojects/librgrbm"
# --force-fallback-for: an installed librgrbm must not satisfy the dependency.
meson setup "$tmp/build" "$tmp" --buildtype=plain --force-fallback-for=rgrbm \
  -Dlibrgrbm:tests=false -Dlibrgrbm:examples=false -Dlibrgrbm:docs=disabled > "$tmp/setup.log" 2>&1 ||
  { cat "$tmp/setup.log"; exit 1; }
ninja -C "$tmp/build" > "$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
"$tmp/build/consumer"
loaded=$(ldd "$tmp/build/consumer" | awk '/librgrbm/ { print $3 }')
case $loaded in
  "$tmp"/build/subprojects/librgrbm/*) echo "linked with the subproject's $loaded" ;;
  *) echo "the consumer loaded '$loaded', not the subproject's librgrbm" >&2; exit 1 ;;
esac
