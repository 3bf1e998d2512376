# shellcheck shell=sh
# Sourced by the benchmark scripts of this folder: sets $mpirun ($MPIRUN,
# else mpirun) and $flags, its options. Open MPI needs, as root, the two
# ALLOW_RUN_AS_ROOT variables; in containers the shared-memory transport
# without its single-copy mechanism (which needs ptrace rights a container
# lacks); and ranks free to move between the cores (--bind-to none).
mpirun=${MPIRUN:-mpirun}
flags=
if "$mpirun" --version 2>&1 | grep -q 'Open MPI'; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  export OMPI_MCA_btl_vader_single_copy_mechanism=none
  # shellcheck disable=SC2034 # read by the scripts that source this file
  flags="--mca btl self,vader --bind-to none"
fi
