#!/bin/sh
# Busy-machine benchmark (issue 11, item 6): `paper2d --quick` beside one
# CPU-bound process, with the library's threads left to their default and
# pinned to 1 and 2 (OMP_NUM_THREADS). Prints each setting's best of three and
# the ratio of the default to the best setting (goal: at most 1.5).
# Usage: busy_machine.sh PAPER2D_EXE
set -eu
exe=$1
out=$(mktemp -d "${TMPDIR:-/tmp}/rgrbm-busy-XXXXXX")
sh -c 'while :; do :; done' &
spinner=$!
trap 'kill $spinner 2>/dev/null; rm -rf "$out"' EXIT
best_of_three() { # env assignment or "default"
  best=
  for _ in 1 2 3; do
    start=$(date +%s.%N)
    if [ "$1" = default ]; then
      "$exe" --quick --out "$out" >/dev/null
    else
      env "$1" "$exe" --quick --out "$out" >/dev/null
    fi
    t=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
    best=$(awk -v t="$t" -v b="${best:-1e9}" 'BEGIN { print (t < b ? t : b) }')
  done
  echo "$best"
}
echo "cpus: $(nproc), one CPU-bound process beside the runs; CPU level: default"
d=$(best_of_three default)
one=$(best_of_three OMP_NUM_THREADS=1)
two=$(best_of_three OMP_NUM_THREADS=2)
awk -v d="$d" -v one="$one" -v two="$two" 'BEGIN {
  best = one < two ? one : two
  printf "paper2d --quick, best of 3: default %.2f s, OMP_NUM_THREADS=1 %.2f s, =2 %.2f s\n", d, one, two
  printf "default / best setting: %.2f (goal <= 1.5)\n", d / best
}'
