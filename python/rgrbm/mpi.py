"""librgrbm_mpi's collective functions (rgrbm/mpi.h) for mpi4py communicators.

    from mpi4py import MPI
    import rgrbm, rgrbm.mpi
    rgrbm.mpi.cd_train(stack, 0, my_shard, options, comm=MPI.COMM_WORLD)

Imported on demand (``import rgrbm`` never loads MPI): it needs mpi4py and
librgrbm_mpi (a build with MPI; found as :func:`rgrbm._loader.load_mpi`
says). Every function is collective over ``comm`` (default
``MPI.COMM_WORLD``): call it on every rank with the same arguments (each
rank its own shard of the data). Every rank gets the same result or the
same :class:`rgrbm.RgrbmError`, whose message names the failing rank. The
progress callbacks, and so the returned History, run on rank 0 only (the
History of the other ranks is empty).
"""
import ctypes
from typing import Optional, Sequence, Union

from mpi4py import MPI

from . import _core, _loader
from ._core import (CdOptions, Dataset, History, McrgOptions, McrgResult, RG, Sampler, Stack,
                    _cd_options, _handle, _per_layer_options, _small, _train,
                    _train_stack)

mpi_lib = _loader.load_mpi()

# An MPI_Comm is a pointer in Open MPI and an int in MPICH: the C type of
# the handle that mpi4py's _handleof returns.
_comm_t = ctypes.c_int if MPI._sizeof(MPI.Comm) == ctypes.sizeof(ctypes.c_int) else ctypes.c_void_p

_PROTOTYPES = [
    ("rgrbm_mpi_cd_train", [_core._h, _core._i, _core._h, _core._ref(CdOptions), _comm_t]),
    ("rgrbm_mpi_cd_train_stack", [_core._h, _core._h, _core._ref(CdOptions), _comm_t]),
    ("rgrbm_mpi_mcrg_run", [_core._h, _core._h, _core._ref(McrgOptions),
                            _core._ref(_core.McrgResult_), _comm_t]),
]

for _name, _argtypes in _PROTOTYPES:
    _fn = getattr(mpi_lib, _name)
    _fn.argtypes, _fn.restype, _fn.errcheck = _argtypes, ctypes.c_int, _core._check_int


def _comm(comm):
    """The C handle of an mpi4py communicator (MPI.COMM_WORLD for None)."""
    if comm is None:
        comm = MPI.COMM_WORLD
    if not isinstance(comm, MPI.Comm):
        raise TypeError(f"comm must be an mpi4py MPI.Comm, not {type(comm).__name__}")
    if comm == MPI.COMM_NULL:
        raise ValueError("comm is MPI.COMM_NULL")
    return _comm_t(MPI._handleof(comm))


def cd_train(stack: Stack, layer: int, data: Dataset, options: Optional[CdOptions] = None,
             *, comm: Optional[MPI.Comm] = None, record: bool = True) -> History:
    """Train one layer on the concatenation of every rank's ``data`` shard
    (rgrbm_mpi_cd_train): the parameters of rgrbm.cd_train on all the rows,
    on every rank; the History on rank 0 (see rgrbm.cd_train for record)."""
    s, d = _handle(stack, Stack, "stack"), _handle(data, Dataset, "data")
    layer = _small(layer, "layer")
    options = _cd_options(options, "options")
    c = _comm(comm)
    return _train(lambda: mpi_lib.rgrbm_mpi_cd_train(s, layer, d, ctypes.byref(options), c),
                  [options], record)


def cd_train_stack(stack: Stack, data: Dataset, per_layer: Union[CdOptions, Sequence[CdOptions]],
                   *, comm: Optional[MPI.Comm] = None, record: bool = True) -> History:
    """Greedy layer-wise training over the ranks (rgrbm_mpi_cd_train_stack):
    per_layer is one CdOptions, or one per layer, as for rgrbm.stack_train."""
    s, d = _handle(stack, Stack, "stack"), _handle(data, Dataset, "data")
    per_layer = _per_layer_options(stack, per_layer)
    c = _comm(comm)
    return _train_stack(per_layer, lambda arr: mpi_lib.rgrbm_mpi_cd_train_stack(s, d, arr, c),
                        record)


def mcrg_run(sampler: Sampler, rg: RG, options: Optional[McrgOptions] = None,
             *, comm: Optional[MPI.Comm] = None) -> McrgResult:
    """Swendsen's MCRG with the chains spread over the ranks
    (rgrbm_mpi_mcrg_run): rgrbm.mcrg_run's result, the same on every rank."""
    c = _comm(comm)
    return _core._mcrg_call(sampler, rg, options,
                            lambda smp, plan, opts, r: mpi_lib.rgrbm_mpi_mcrg_run(smp, plan, opts,
                                                                                  r, c))
