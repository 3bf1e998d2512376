#!/bin/sh
# Usage: bench_mcrg.sh BUILD_DIR [L samples chains levels thermalize]
# The MCRG target of issue 15: 2 ranks x 1 thread against 1 rank x 1 thread,
# 64 x 64 at K_c by default. Prints both times, the speed-up and whether the
# exponents agree to the last digit (they must). Run on an otherwise idle
# machine with at least two cores.
set -eu
build=$1
shift
args=${*:-64 20000 2 3 200}
exe=$build/examples/mpi/mcrg_mpi
# shellcheck source=examples/mpi/mpirun_env.sh
. "$(dirname "$0")/mpirun_env.sh"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
one=$(mktemp)
two=$(mktemp)
trap 'rm -f "$one" "$two"' EXIT
# shellcheck disable=SC2086
"$mpirun" -np 1 $flags "$exe" $args > "$one"
# shellcheck disable=SC2086
"$mpirun" -np 2 $flags "$exe" $args > "$two"
t1=$(sed -n 's/.* s, \([0-9.]*\) s$/\1/p' "$one")
t2=$(sed -n 's/.* s, \([0-9.]*\) s$/\1/p' "$two")
c1=$(sed -n 's/.*cpu \([0-9.]*\) s,.*/\1/p' "$one")
c2=$(sed -n 's/.*cpu \([0-9.]*\) s,.*/\1/p' "$two")
cat "$two"
if tail -n +2 "$one" | cmp -s - "$(tail -n +2 "$two" > "$two.e"; echo "$two.e")"; then same=identical; else same=DIFFERENT; fi
rm -f "$two.e"
awk -v a="$t1" -v b="$t2" -v c="$c1" -v d="$c2" -v s="$same" 'BEGIN {
  printf "1 rank x 1 thread: %.3f s; 2 ranks x 1 thread: %.3f s; speed-up %.2fx (goal >= 1.85x); exponents %s\n", a, b, a / b, s
  printf "processor time: 1 rank %.3f s, busiest of 2 ranks %.3f s (MPI polls while a rank waits, and counts): ratio %.2f\n", c, d, c / d }'
[ "$same" = identical ]
