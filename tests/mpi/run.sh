#!/bin/sh
# Usage: run.sh NP PROGRAM [ARGS...]
# Runs PROGRAM on NP ranks under mpirun with a timeout; exit status 77
# (skipped) with a message when mpirun is missing. Open MPI needs, as root,
# the two ALLOW_RUN_AS_ROOT variables; --oversubscribe for more ranks than
# cores; and in containers the shared-memory transport without its
# single-copy mechanism (which needs ptrace rights a container lacks).
np=$1
shift
mpirun=${MPIRUN:-mpirun}
if ! command -v "$mpirun" > /dev/null 2>&1; then
  echo "skipped: $mpirun not found (install openmpi-bin, or set MPIRUN)"
  exit 77
fi
timeout_seconds=${RGRBM_MPI_TIMEOUT:-240}
if "$mpirun" --version 2>&1 | grep -q 'Open MPI'; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  export OMPI_MCA_btl_vader_single_copy_mechanism=none
  exec timeout "$timeout_seconds" "$mpirun" -np "$np" --oversubscribe --mca btl self,vader "$@"
fi
exec timeout "$timeout_seconds" "$mpirun" -np "$np" "$@"
