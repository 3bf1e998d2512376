"""rgrbm: Python interface to librgrbm (Ising lattices, RBM stacks and the
renormalization group, after Mehta & Schwab).

    import rgrbm
    print(rgrbm.__version__)

The package loads the shared library ``librgrbm.so.1`` installed with it
(``$RGRBM_LIBRARY``, a path, overrides). See docs/python.md for the rules:
numpy views keep their owner alive, ``close()`` defers the free until the
last view dies, inputs are checked before the C call, and library failures
raise :class:`RgrbmError` with the library's message.
"""
from ._core import (  # noqa: F401
    AisBase, AisOptions, Algorithm, BlockRule, Boundary, CdOptions, Conv, Dataset, Epoch,
    FieldLocality, Geometry, History, K_CRITICAL, Lattice, McrgOptions, McrgResult, Observable,
    Pass, Products, RG, RGMode, RGShape, RgrbmError, Sampler, Stack, Status, Units, cd_train,
    clear_error, cpu_flags, cpu_level, decimation1d_flow, decimation1d_step, exact_chain,
    exact_enumerate, exact_onsager, exact_torus, exact_torus_coupling, lib, mcrg_run, measure,
    measure_correlation, measure_k_eff, measure_thermo, measure_xi2, memory_in_use, receptive_locality, series_binned_error,
    series_mean, series_tau_int, set_cpu_mask, stack_train, version, version_number, vrg_check,
    CPU_FLAG_ALL, CPU_FLAG_AVX2, CPU_FLAG_AVX512, CPU_FLAG_AVX512VBMI, CPU_FLAG_NEON,
)

#: The loaded library's version ("1.0.0"), read from the library itself.
__version__ = version()

__all__ = [
    "AisBase", "AisOptions", "Algorithm", "BlockRule", "Boundary", "CdOptions", "Conv",
    "Dataset",
    "Epoch", "FieldLocality", "Geometry", "History", "K_CRITICAL", "Lattice", "McrgOptions",
    "McrgResult", "Observable", "Pass", "Products", "RG", "RGMode", "RGShape", "RgrbmError",
    "Sampler", "Stack", "Status", "Units", "cd_train", "clear_error", "cpu_flags", "cpu_level",
    "decimation1d_flow", "decimation1d_step", "exact_chain", "exact_enumerate", "exact_onsager",
    "exact_torus", "exact_torus_coupling", "lib", "mcrg_run", "measure", "measure_correlation",
    "measure_k_eff", "measure_thermo", "measure_xi2", "memory_in_use", "receptive_locality", "series_binned_error", "series_mean",
    "series_tau_int", "set_cpu_mask", "stack_train", "version", "version_number", "vrg_check",
    "CPU_FLAG_ALL", "CPU_FLAG_AVX2", "CPU_FLAG_AVX512", "CPU_FLAG_AVX512VBMI", "CPU_FLAG_NEON",
    "RBMStack",
]


def __getattr__(name):
    # The scikit-learn estimator is imported on first use, so that importing
    # rgrbm never needs scikit-learn.
    if name == "RBMStack":
        from .sklearn import RBMStack
        return RBMStack
    raise AttributeError(f"module 'rgrbm' has no attribute {name!r}")
