#!/bin/sh
# Usage: install_consumer.sh [--static ARCHIVE | --uninstalled] BUILDDIR CONSUMER.c CC [SANITIZE_FLAG]
# Installs the build into a temporary staging directory, then compiles and
# runs a consumer using nothing but `pkg-config --cflags --libs rgrbm`.
# With --static, the staged library is the static ARCHIVE alone (the shared
# one removed, as in a -Ddefault_library=static install), the consumer links
# with `pkg-config --static`, and must not load librgrbm.so. Its other
# libraries (OpenBLAS, LAPACKE, libgomp, libc) stay shared: docs/building.md
# says what a fully -static link needs on top.
# With --uninstalled, nothing is installed: pkg-config reads
# BUILDDIR/meson-uninstalled/rgrbm-uninstalled.pc (the build tree's headers
# and library).
set -eu
archive=""
uninstalled=""
case ${1:-} in
  --static) archive=$2; shift 2 ;;
  --uninstalled) uninstalled=1; shift ;;
esac
build=$1
src=$2
cc=$3
sanitize=${4:-}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

if [ -n "$uninstalled" ]; then
  export PKG_CONFIG_PATH="$build/meson-uninstalled"
  flags=$(pkg-config --cflags --libs rgrbm-uninstalled)
  echo "pkg-config --cflags --libs rgrbm-uninstalled: $flags"
  # shellcheck disable=SC2086
  "$cc" -std=c99 -Wall -Werror $sanitize -o "$stage/consumer" "$src" $flags
  LD_LIBRARY_PATH="$build/lib" "$stage/consumer"
  exit 0
fi
meson install -C "$build" --no-rebuild --destdir "$stage" --quiet >/dev/null
pc=$(find "$stage" -name rgrbm.pc | head -n 1)
[ -n "$pc" ] || { echo "rgrbm.pc was not installed" >&2; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
static=""
if [ -n "$archive" ]; then
  rm -f "$libdir"/librgrbm.so*
  if [ ! -f "$libdir/librgrbm.a" ]; then
    # Meson makes uninstalled archives thin (member paths only): copy the members.
    if [ "$(head -c 7 "$archive")" = '!<thin>' ]; then
      (cd "$(dirname "$archive")" && ar rcs "$libdir/librgrbm.a" $(ar t "$archive"))
    else
      cp "$archive" "$libdir/librgrbm.a"
    fi
  fi
  static=--static
fi
# The sysroot makes pkg-config prefix the staged directory to -I and -L.
export PKG_CONFIG_PATH="$(dirname "$pc")"
export PKG_CONFIG_SYSROOT_DIR="$stage"
flags=$(pkg-config $static --cflags --libs rgrbm)
echo "pkg-config $static --cflags --libs rgrbm: $flags"
# shellcheck disable=SC2086
"$cc" -std=c99 -Wall -Werror $sanitize -o "$stage/consumer" "$src" $flags
if [ -n "$archive" ] && readelf -d "$stage/consumer" | grep -q 'librgrbm'; then
  echo "the static consumer needs a shared librgrbm" >&2
  exit 1
fi
LD_LIBRARY_PATH="$libdir" "$stage/consumer"
