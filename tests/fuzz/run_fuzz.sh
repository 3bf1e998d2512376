#!/bin/sh
# Bounded fuzzing run for `meson test --suite fuzz`: seed a fresh corpus with
# valid files, then run the libFuzzer target over it with the given limits.
# Usage: run_fuzz.sh FUZZER SEEDER stack|npy [libFuzzer options...]
set -eu
fuzzer=$1
seeder=$2
kind=$3
shift 3
# Every input goes through a file: in memory (/dev/shm) a run is about ten
# times faster than on a disk.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  export TMPDIR=/dev/shm
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/rgrbm-fuzz-corpus-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
"$seeder" "$kind" "$work/corpus"
"$fuzzer" "$@" "$work/corpus"
