#!/bin/sh
# Usage: bench_cd_mpi.sh BUILD_DIR [reps [rows [cpu]]]  (cpu: generic, avx2 or
# avx512 limits the kernels, standing in for CPUs of that class)
# The CD target of issue 15: a CD-1 epoch of tests/bench/bench_cd's shape
# (1600 -> 400, batches of 100, the table path) by rgrbm_mpi_cd_train on 2
# ranks x 1 thread against rgrbm_cd_train in one process on 2 threads, the
# two interleaved twice in one run. Prints both times (best of the runs),
# their ratio (the MPI run's speed relative to the single process; goal >=
# 0.85) and whether the parameters are identical (they must be: the exit
# status says). Meaningful on an otherwise idle machine with two cores.
set -eu
build=$1
shift
reps=${1:-5}
rows=${2:-20000}
cpu=${3:-}
exe=$build/examples/mpi/bench_cd_mpi
# shellcheck source=examples/mpi/mpirun_env.sh
. "$(dirname "$0")/mpirun_env.sh"
if [ -n "$flags" ]; then
  # Open MPI: a rank waiting in a collective yields its core instead of
  # spinning: on a machine shared with other work, spinning holds up the
  # rank it waits for (a 2000-row epoch took 4.7 s spinning, 0.6 s
  # yielding at load 9).
  export OMPI_MCA_mpi_yield_when_idle=1
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for round in 1 2; do
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 "$mpirun" -np 1 $flags "$exe" single "$reps" "$rows" $cpu | tee -a "$out"
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$mpirun" -np 2 $flags "$exe" mpi "$reps" "$rows" $cpu | tee -a "$out"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
awk '
  /^rgrbm_cd_train/ { t = $0; sub(/.*best /, "", t); sub(/ s,.*/, "", t)
                      if (one == "" || t + 0 < one + 0) one = t; h[$NF] = 1 }
  /^rgrbm_mpi_cd_train/ { t = $0; sub(/.*best /, "", t); sub(/ s,.*/, "", t)
                          if (two == "" || t + 0 < two + 0) two = t; h[$NF] = 1 }
  END {
    n = 0; for (k in h) n++
    printf "1 process x 2 threads: %.3f s; 2 ranks x 1 thread: %.3f s; ratio %.2f (goal >= 0.85); parameters %s\n",
           one, two, one / two, n == 1 ? "identical" : "DIFFERENT"
    exit n == 1 ? 0 : 1
  }' "$out"
