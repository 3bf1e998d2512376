#!/bin/sh
# Usage: install_consumer.sh BUILDDIR CONSUMER.c CC [SANITIZE_FLAG]
# Installs the build into a temporary staging directory, then compiles and
# runs a consumer using nothing but `pkg-config --cflags --libs rgrbm`.
set -eu
build=$1
src=$2
cc=$3
sanitize=${4:-}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
meson install -C "$build" --no-rebuild --destdir "$stage" --quiet >/dev/null
pc=$(find "$stage" -name rgrbm.pc | head -n 1)
[ -n "$pc" ] || { echo "rgrbm.pc was not installed" >&2; exit 1; }
# The sysroot makes pkg-config prefix the staged directory to -I and -L.
export PKG_CONFIG_PATH="$(dirname "$pc")"
export PKG_CONFIG_SYSROOT_DIR="$stage"
flags=$(pkg-config --cflags --libs rgrbm)
echo "pkg-config --cflags --libs rgrbm: $flags"
libdir=$(dirname "$(dirname "$pc")")
# shellcheck disable=SC2086
"$cc" -std=c99 -Wall -Werror $sanitize -o "$stage/consumer" "$src" $flags
LD_LIBRARY_PATH="$libdir" "$stage/consumer"
