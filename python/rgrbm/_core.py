"""ctypes binding of librgrbm's public C API (the implementation of ``rgrbm``).

Errors: library failures raise :class:`RgrbmError` carrying
``rgrbm_last_error()``'s message; mistakes Python can see before calling
(a wrong handle type, a closed handle, an array of the wrong dtype, shape or
range, NaN, an unknown option) raise ``TypeError`` or ``ValueError`` naming
the Python argument.

Memory: every handle's C object is owned by a private resource object.
Numpy views of library memory (lattice spins, weights, biases) and objects
that borrow another (a sampler its lattice or stack, a learned RG plan its
stack, AIS options their dataset) hold a reference to that resource, so
``close()`` (or leaving a ``with`` block) makes the handle unusable at once
(``ValueError: ... is closed``) but frees the C object only when the last
view or borrower is gone. Nothing can read freed memory through the binding.
"""
import collections
import ctypes
import enum
import math
import operator
import os
import tempfile
import time
from typing import Any, Callable, Iterator, List, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np

from . import _loader

# Values of the header macros that shape the structs below (tests compare
# them with the C headers through tests/struct_layout.c).
K_CRITICAL = 0.44068679350977151262
LATTICE_MAX_SIDE = 65536
EXACT_ENUMERATE_MAX_SITES = 25
STACK_DEFAULT_SIGMA = 0.01
CD_OPTIONS_VERSION = 2
AIS_OPTIONS_VERSION = 1
RECEPTIVE_SUMMARY_VERSION = 1
VRG_REPORT_VERSION = 1
MCRG_OPTIONS_VERSION = 2
MCRG_RESULT_VERSION = 1
EXACT_VERSION = 1
THERMO_VERSION = 1
RG_DIMS_VERSION = 1
RG_PLACEMENT_VERSION = 1
CONV_MAX_SIDE = 1024
CONV_FORMAT_VERSION = 3
MCRG_MAX_LEVELS = 8
MCRG_EVEN = 6
MCRG_ODD = 4
MCRG_MIN_SIDE = 4
STACK_FORMAT_VERSION = 2
DECIMATION_TIE_WEIGHT = 20.0


def _enum(name, members, step=1, doc=""):
    """An IntEnum numbering members 0, step, 2 step, ... as the C enum does."""
    cls = enum.IntEnum(name, [(m, i * step) for i, m in enumerate(members.split())])
    cls.__doc__ = doc
    return cls


# The C enums, named without their prefixes (RGRBM_EINVAL is Status.EINVAL,
# RGRBM_UNITS_SPIN is Units.SPIN, ...).
Status = _enum("Status", "OK EINVAL ENOMEM EIO EFORMAT ENUMERIC ECANCELED EUNSUPPORTED", -1,
               "rgrbm_status: 0 or a negative error code (RgrbmError.status).")
Geometry = _enum("Geometry", "CHAIN SQUARE", doc="rgrbm_geometry: a chain or a square lattice.")
Boundary = _enum("Boundary", "PERIODIC OPEN", doc="rgrbm_boundary: periodic or open edges.")
Algorithm = _enum("Algorithm", "METROPOLIS HEAT_BATH WOLFF SWENDSEN_WANG",
                  doc="rgrbm_algorithm: the Markov chain of a lattice Sampler.")
Units = _enum("Units", "BINARY SPIN", doc="rgrbm_units: RBM units in {0, 1} (BINARY) or {-1, +1} (SPIN).")
Pass = _enum("Pass", "MEANS SAMPLES", doc="rgrbm_pass: carry conditional means or samples.")
Products = _enum("Products", "AUTO SGEMM TABLES",
                 doc="rgrbm_products: how training computes its batch products.")
Observable = _enum("Observable", "BOND_MEAN MAGNETIZATION ABS_MAGNETIZATION MAGNETIZATION2 "
                                 "MAGNETIZATION4 ENERGY",
                   doc="rgrbm_observable: what measure() computes per configuration.")
AisBase = _enum("AisBase", "ZERO DATA", doc="rgrbm_ais_base: the base RBM of AIS.")
BlockRule = _enum("BlockRule", "MAJORITY DECIMATE", doc="rgrbm_block_rule: block spins by majority or decimation.")
RGMode = _enum("RGMode", "SIGN_MEAN SAMPLE", doc="rgrbm_rg_mode: learned coarse spins from means or samples.")



lib = _loader.load()


class RgrbmError(RuntimeError):
    """A failed librgrbm call: ``status`` is the negative code, ``name`` the
    status's name and meaning, ``args[0]`` the library's message (``str()``
    is the status's short name followed by the message)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.name = lib.rgrbm_strerror(status).decode()

    def __str__(self):
        # Tracebacks then show the status too, e.g. "RGRBM_EINVAL: rgrbm_...: dim = 0, ...".
        return f"{self.name.split(':')[0]}: {self.args[0]}"


def _raise_last(status):
    raise RgrbmError(status, lib.rgrbm_last_error().decode())


def check(status: int) -> int:
    """Raise RgrbmError for a negative status, with the thread's last message."""
    if status < 0:
        _raise_last(status)
    return status


# ctypes checks every call's result, so no wrapper can forget to: negative
# statuses raise; getters that return 0 or NULL for a bad argument (a level
# out of range) raise with the message they set.
def _check_int(result, func, args):
    return check(result)


def _check_ptr(result, func, args):
    if not result:
        _raise_last(Status.EINVAL)
    return result


class _Nonzero:
    """The result type of a getter whose value is never 0 on success (a size,
    a depth), so that 0 means the call failed."""

    def __init__(self, ctype):
        self.ctype = ctype


def _check_nonzero(result, func, args):
    if result == 0:
        _raise_last(Status.EINVAL)
    return result


_c_int8_p = ctypes.POINTER(ctypes.c_int8)
_float_p = ctypes.POINTER(ctypes.c_float)
_double_p = ctypes.POINTER(ctypes.c_double)
_int_p = ctypes.POINTER(ctypes.c_int)
_size_p = ctypes.POINTER(ctypes.c_size_t)
_handle_p = ctypes.POINTER(ctypes.c_void_p)
_h, _i, _z, _d, _u64, _s = (ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t, ctypes.c_double,
                            ctypes.c_uint64, ctypes.c_char_p)
_STATUS = "status"  # an int result that is checked


class Estimate_(ctypes.Structure):
    _fields_ = [("value", _d), ("error", _d)]


# Result structs carry the version the caller sets (_version; _call_out sets it).
class Exact_(ctypes.Structure):
    _version = EXACT_VERSION
    _fields_ = [("version", ctypes.c_uint)] + [
        (n, _d) for n in ("log_z_per_site", "bond_mean", "specific_heat", "magnetization",
                          "abs_magnetization", "magnetization2", "magnetization4")]


class Thermo_(ctypes.Structure):
    _version = THERMO_VERSION
    _fields_ = [("version", ctypes.c_uint)] + [
        (n, Estimate_) for n in ("bond_mean", "abs_magnetization", "magnetization2",
                                 "susceptibility", "specific_heat", "binder")]


class Locality_(ctypes.Structure):
    _version = RECEPTIVE_SUMMARY_VERSION
    _fields_ = [("version", ctypes.c_uint), ("units", _z)] + [
        (n, _d) for n in ("gyration_mean", "gyration_sd", "block_fraction_mean",
                          "block_fraction_sd")]


class VrgReport_(ctypes.Structure):
    _version = VRG_REPORT_VERSION
    _fields_ = [("version", ctypes.c_uint)] + [
        (n, _d) for n in ("trace_defect", "trace_spread", "delta_f", "kl", "h_rg_max_diff")]


class RgDims_(ctypes.Structure):
    _version = RG_DIMS_VERSION
    _fields_ = [("version", ctypes.c_uint), ("in_dim", _z), ("out_dim", _z)] + [
        (n, _i) for n in ("in_lx", "in_ly", "out_lx", "out_ly", "b")]


class RgPlacement_(ctypes.Structure):
    _version = RG_PLACEMENT_VERSION
    _fields_ = [("version", ctypes.c_uint), ("coarse_lx", _i), ("coarse_ly", _i),
                ("units", _z), ("placed", _z), ("fraction", _d), ("empty_sites", _z),
                ("crowded_sites", _z)]


class McrgExponent_(ctypes.Structure):
    _fields_ = [(n, _d) for n in ("lambda", "lambda_err", "y", "y_err")]


class McrgResult_(ctypes.Structure):
    _version = MCRG_RESULT_VERSION
    _fields_ = [("version", ctypes.c_uint), ("levels", _i), ("even_operators", _i),
                ("odd_operators", _i), ("b", _i), ("samples", _z),
                ("even", ctypes.POINTER(McrgExponent_)), ("odd", ctypes.POINTER(McrgExponent_))]


PROGRESS_FN = ctypes.CFUNCTYPE(_i, _h, _i, _i, _d, _d, _d)

_UNSIGNED = (ctypes.c_uint, ctypes.c_size_t, ctypes.c_uint64)
_UNSIGNED_MAX = {ctypes.c_uint: 2 ** 32 - 1, ctypes.c_size_t: 2 ** 64 - 1,
                 ctypes.c_uint64: 2 ** 64 - 1}


def _checked_field(owner, name, ctype, value):
    """value converted for a field of ctype, or TypeError/ValueError naming
    owner.name: no silent wrap of -1 into a size_t, no float truncated to int."""
    what = f"{owner}.{name}"
    if ctype in _UNSIGNED or ctype is ctypes.c_int:
        try:
            n = operator.index(value)
        except TypeError:
            raise TypeError(f"{what} must be an integer, not {type(value).__name__}") from None
        lo, hi = (0, _UNSIGNED_MAX[ctype]) if ctype in _UNSIGNED else (-2 ** 31, 2 ** 31 - 1)
        if not lo <= n <= hi:
            raise ValueError(f"{what} = {n} is out of range [{lo}, {hi}]")
        return n
    if ctype is ctypes.c_double:
        if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, bool):
            raise TypeError(f"{what} must be a real number, not {type(value).__name__}")
        if not math.isfinite(value):
            raise ValueError(f"{what} = {value} is not finite")
        return float(value)
    return value


class _Options(ctypes.Structure):
    """A versioned options struct: fields set by the library's _init, then by
    keyword; an unknown keyword raises TypeError, a bad value TypeError or
    ValueError naming the field."""
    _init_name = None
    _enums: dict = {}

    def __init__(self, **fields):
        super().__init__()
        getattr(lib, self._init_name)(ctypes.byref(self), self._version)
        for name, value in fields.items():
            if name not in self._public_fields():
                raise TypeError(f"{type(self).__name__}() got an unknown option {name!r}; "
                                f"options: {', '.join(self._public_fields())}")
            setattr(self, name, value)

    @classmethod
    def _public_fields(cls):
        return [n for n, _ in cls._fields_ if n not in ("version", "progress_data")]

    def __setattr__(self, name, value):
        types = dict(self._fields_)
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        if name not in types:
            raise AttributeError(f"{type(self).__name__} has no option {name!r}; options: "
                                 f"{', '.join(self._public_fields())}")
        if name in self._enums:
            value = _enum_arg(self._enums[name], value, f"{type(self).__name__}.{name}")
        value = _checked_field(type(self).__name__, name, types[name], value)
        super().__setattr__(name, value)

    def __repr__(self):
        body = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._public_fields())
        return f"{type(self).__name__}({body})"


class CdOptions(_Options):
    """Training options (rgrbm_cd_options) with the library's defaults.

    ``progress`` may be a Python callable ``f(layer, epoch,
    reconstruction_error, pll, seconds)``: a true return value cancels
    training (RgrbmError ECANCELED); an exception it raises cancels training
    and is re-raised by cd_train / stack_train. Training records every
    epoch in the History it returns whether or not ``progress`` is set."""
    _fields_ = [("version", ctypes.c_uint), ("epochs", _i), ("batch_size", _z), ("k", _i),
                ("persistent", _i), ("persistent_chains", _z), ("learning_rate", _d),
                ("momentum_initial", _d), ("momentum_final", _d),
                ("momentum_switch_epoch", _i), ("l1", _d), ("l2", _d),
                ("mean_field_reconstruction", _i), ("feed_up", _i), ("compute_pll", _i),
                ("seed", _u64), ("progress", PROGRESS_FN), ("progress_data", _h),
                ("products", _i)]
    _version = CD_OPTIONS_VERSION
    _init_name = "rgrbm_cd_options_init"
    _enums = {"feed_up": Pass, "products": Products}

    def __setattr__(self, name, value):
        if name == "progress":
            # The Python callable is kept here; training installs its own C
            # trampoline for the duration of the call (_Recorder).
            if value is not None and not callable(value):
                raise TypeError(f"CdOptions.progress must be callable or None, not "
                                f"{type(value).__name__}")
            object.__setattr__(self, "_py_progress", value)
            return
        super().__setattr__(name, value)

    def __getattribute__(self, name):
        if name == "progress":
            return self.__dict__.get("_py_progress")
        return super().__getattribute__(name)


class AisOptions(_Options):
    """Annealed importance sampling options (rgrbm_ais_options); ``data``
    takes a Dataset, which the options keep alive."""
    _fields_ = [("version", ctypes.c_uint), ("betas", _i), ("runs", _z), ("base", _i),
                ("data", _h), ("reverse_burn_in", _u64), ("margin", _d),
                ("seed", _u64)]
    _version = AIS_OPTIONS_VERSION
    _init_name = "rgrbm_ais_options_init"
    _enums = {"base": AisBase}

    def __setattr__(self, name, value):
        if name == "data":
            if value is None:
                object.__setattr__(self, "_data_ref", None)
                ctypes.Structure.__setattr__(self, "data", None)
                return
            ptr = _handle(value, Dataset, "AisOptions.data")
            object.__setattr__(self, "_data_ref", value._res)  # keeps the C dataset alive
            ctypes.Structure.__setattr__(self, "data", ptr)
            return
        super().__setattr__(name, value)


class McrgOptions(_Options):
    """Monte Carlo RG options (rgrbm_mcrg_options) with the library's defaults."""
    _fields_ = [("version", ctypes.c_uint), ("levels", _i), ("samples", _z),
                ("thermalize", _u64), ("spacing", _u64), ("bins", _z),
                ("even_operators", _i), ("odd_operators", _i), ("chains", _z),
                ("seed", _u64)]
    _version = MCRG_OPTIONS_VERSION
    _init_name = "rgrbm_mcrg_options_init"


def _ref(struct_type):
    return ctypes.POINTER(struct_type)


# Every public function: (name, result, argument types). _STATUS results are
# checked for a negative status, _Nonzero ones for 0, pointer results for NULL.
_PROTOTYPES = [
    ("rgrbm_strerror", _s, [_i]),
    ("rgrbm_last_error", _s, []),
    ("rgrbm_clear_error", None, []),
    ("rgrbm_memory_in_use", _z, []),
    ("rgrbm_version", ctypes.c_uint, []),
    ("rgrbm_version_string", _s, []),
    ("rgrbm_cpu_flags", ctypes.c_uint, []),
    ("rgrbm_cpu_set_mask", None, [ctypes.c_uint]),
    ("rgrbm_cpu_level_name", _s, []),
    ("rgrbm_dataset_create", _STATUS, [_handle_p, _z]),
    ("rgrbm_dataset_destroy", None, [_h]),
    ("rgrbm_dataset_count", _z, [_h]),
    ("rgrbm_dataset_dim", _z, [_h]),
    ("rgrbm_dataset_set_shape", _STATUS, [_h, _i, _i]),
    ("rgrbm_dataset_shape", _STATUS, [_h, _int_p, _int_p]),
    ("rgrbm_dataset_reserve", _STATUS, [_h, _z]),
    ("rgrbm_dataset_clear", _STATUS, [_h]),
    ("rgrbm_dataset_append", _STATUS, [_h, _c_int8_p, _z]),
    ("rgrbm_dataset_get", _STATUS, [_h, _z, _z, _c_int8_p]),
    ("rgrbm_dataset_save_npy", _STATUS, [_h, _s]),
    ("rgrbm_dataset_load_npy", _STATUS, [_handle_p, _s]),
    ("rgrbm_lattice_create", _STATUS, [_handle_p, _i, _i, _i, _i]),
    ("rgrbm_lattice_destroy", None, [_h]),
    ("rgrbm_lattice_set_couplings", _STATUS, [_h, _d, _d]),
    ("rgrbm_lattice_couplings", _STATUS, [_h, _double_p, _double_p]),
    ("rgrbm_lattice_shape", _STATUS, [_h, _int_p, _int_p, _int_p, _int_p]),
    ("rgrbm_lattice_sites", _z, [_h]),
    ("rgrbm_lattice_spins", _c_int8_p, [_h]),
    ("rgrbm_lattice_spins_const", _c_int8_p, [_h]),
    ("rgrbm_lattice_bond_mean", _STATUS, [_h, _double_p]),
    ("rgrbm_lattice_magnetization", _STATUS, [_h, _double_p]),
    ("rgrbm_lattice_energy", _STATUS, [_h, _double_p]),
    ("rgrbm_lattice_fill", _STATUS, [_h, _i]),
    ("rgrbm_lattice_randomize", _STATUS, [_h, _u64]),
    ("rgrbm_sampler_create", _STATUS, [_handle_p, _h, _i, _u64]),
    ("rgrbm_sampler_create_gibbs", _STATUS, [_handle_p, _h, _i, _z, _u64]),
    ("rgrbm_sampler_destroy", None, [_h]),
    ("rgrbm_sampler_sweep", _STATUS, [_h, _u64]),
    ("rgrbm_sampler_draw", _STATUS, [_h, _z, _u64, _u64, _h]),
    ("rgrbm_exact_chain", _STATUS, [_i, _d, _d, _i, _ref(Exact_)]),
    ("rgrbm_exact_onsager", _STATUS, [_d, _ref(Exact_)]),
    ("rgrbm_exact_torus", _STATUS, [_i, _i, _d, _ref(Exact_)]),
    ("rgrbm_exact_torus_coupling", _STATUS, [_i, _i, _d, _double_p]),
    ("rgrbm_exact_enumerate", _STATUS, [_i, _i, _i, _i, _d, _d, _ref(Exact_)]),
    ("rgrbm_series_mean", _STATUS, [_double_p, _z, _double_p]),
    ("rgrbm_series_binned_error", _STATUS, [_double_p, _z, _z, _double_p]),
    ("rgrbm_series_tau_int", _STATUS, [_double_p, _z, _double_p]),
    ("rgrbm_measure", _STATUS, [_h, _h, _i, _double_p]),
    ("rgrbm_measure_thermo", _STATUS, [_h, _h, _z, _ref(Thermo_)]),
    ("rgrbm_measure_correlation", _STATUS, [_h, _h, _i, _double_p]),
    ("rgrbm_measure_xi2", _STATUS, [_h, _h, _z, _ref(Estimate_)]),
    ("rgrbm_measure_k_eff", _STATUS, [_h, _z, _ref(Estimate_)]),
    ("rgrbm_stack_create", _STATUS, [_handle_p, _int_p, _i, _i, _u64]),
    ("rgrbm_stack_destroy", None, [_h]),
    ("rgrbm_stack_depth", _Nonzero(_i), [_h]),
    ("rgrbm_stack_size", _Nonzero(_z), [_h, _i]),
    ("rgrbm_stack_units", _i, [_h]),
    ("rgrbm_stack_set_units", _STATUS, [_h, _i]),
    ("rgrbm_stack_weights", _float_p, [_h, _i]),
    ("rgrbm_stack_visible_bias", _float_p, [_h, _i]),
    ("rgrbm_stack_hidden_bias", _float_p, [_h, _i]),
    ("rgrbm_stack_weights_const", _float_p, [_h, _i]),
    ("rgrbm_stack_visible_bias_const", _float_p, [_h, _i]),
    ("rgrbm_stack_hidden_bias_const", _float_p, [_h, _i]),
    ("rgrbm_stack_up", _STATUS, [_h, _i, _i, _float_p, _z, _float_p]),
    ("rgrbm_stack_down", _STATUS, [_h, _i, _i, _float_p, _z, _float_p]),
    ("rgrbm_stack_sample_up", _STATUS, [_h, _i, _i, _float_p, _z, _u64, _float_p]),
    ("rgrbm_stack_sample_down", _STATUS, [_h, _i, _i, _float_p, _z, _u64, _float_p]),
    ("rgrbm_stack_free_energy", _STATUS, [_h, _i, _float_p, _z, _double_p]),
    ("rgrbm_stack_log_partition", _STATUS, [_h, _i, _double_p]),
    ("rgrbm_stack_log_likelihood", _STATUS, [_h, _i, _h, _double_p]),
    ("rgrbm_stack_pseudo_log_likelihood", _STATUS, [_h, _i, _h, _double_p]),
    ("rgrbm_cd_options_init", _STATUS, [_ref(CdOptions), ctypes.c_uint]),
    ("rgrbm_conv_create", _STATUS, [_handle_p, _i, _i, _i, _u64]),
    ("rgrbm_conv_destroy", None, [_h]),
    ("rgrbm_conv_filter_side", _Nonzero(_i), [_h]),
    ("rgrbm_conv_stride", _Nonzero(_i), [_h]),
    ("rgrbm_conv_units", _i, [_h]),
    ("rgrbm_conv_weights", _float_p, [_h]),
    ("rgrbm_conv_visible_bias", _float_p, [_h]),
    ("rgrbm_conv_hidden_bias", _float_p, [_h]),
    ("rgrbm_conv_weights_const", _float_p, [_h]),
    ("rgrbm_conv_visible_bias_const", _float_p, [_h]),
    ("rgrbm_conv_hidden_bias_const", _float_p, [_h]),
    ("rgrbm_conv_train", _STATUS, [_h, _h, _ref(CdOptions)]),
    ("rgrbm_conv_save", _STATUS, [_h, _s]),
    ("rgrbm_conv_load", _STATUS, [_handle_p, _s]),
    ("rgrbm_cd_train", _STATUS, [_h, _i, _h, _ref(CdOptions)]),
    ("rgrbm_cd_train_stack", _STATUS, [_h, _h, _ref(CdOptions)]),
    ("rgrbm_receptive_field", _STATUS, [_h, _i, _float_p]),
    ("rgrbm_receptive_locality", _STATUS, [_float_p, _i, _i, _z, _i, _double_p, _double_p,
                                           _double_p, _double_p]),
    ("rgrbm_receptive_summarize", _STATUS, [_h, _i, _i, _i, _i, _ref(Locality_)]),
    ("rgrbm_stack_reconstruct", _STATUS, [_h, _i, _i, _float_p, _z, _u64, _float_p]),
    ("rgrbm_ais_options_init", _STATUS, [_ref(AisOptions), ctypes.c_uint]),
    ("rgrbm_ais_log_partition", _STATUS, [_h, _i, _ref(AisOptions), _double_p,
                                                _double_p]),
    ("rgrbm_stack_save", _STATUS, [_h, _s]),
    ("rgrbm_stack_load", _STATUS, [_handle_p, _s]),
    ("rgrbm_stack_export_npy", _STATUS, [_h, _s]),
    ("rgrbm_decimation1d_step", _STATUS, [_d, _d, _i, _double_p, _double_p, _double_p]),
    ("rgrbm_decimation1d_flow", _STATUS, [_d, _d, _i, _i, _double_p, _double_p, _double_p]),
    ("rgrbm_rg_create_decimation1d", _STATUS, [_handle_p, _i, _i]),
    ("rgrbm_rg_create_block2d", _STATUS, [_handle_p, _i, _i, _i, _i, _u64]),
    ("rgrbm_rg_create_learned", _STATUS, [_handle_p, _h, _i, _i, _u64]),
    ("rgrbm_rg_destroy", None, [_h]),
    ("rgrbm_rg_shape", _STATUS, [_h, _ref(RgDims_)]),
    ("rgrbm_rg_apply", _STATUS, [_h, _h, _h]),
    ("rgrbm_rg_create_conv", _STATUS, [_handle_p, _h, _i, _i, _i, _u64]),
    ("rgrbm_rg_create_learned_placed", _STATUS, [_handle_p, _h, _i, _i, _u64, _i, _i,
                                                 _ref(RgPlacement_)]),
    ("rgrbm_decimation1d_stack", _STATUS, [_handle_p, _i, _d, _i]),
    ("rgrbm_vrg_check", _STATUS, [_h, _i, _h, _ref(VrgReport_)]),
    ("rgrbm_mcrg_options_init", _STATUS, [_ref(McrgOptions), ctypes.c_uint]),
    ("rgrbm_mcrg_result_free", None, [_ref(McrgResult_)]),
    ("rgrbm_mcrg_run", _STATUS, [_h, _h, _ref(McrgOptions), _ref(McrgResult_)]),
]



def _declare(name, restype, argtypes):
    fn = getattr(lib, name)
    fn.argtypes = argtypes
    if restype is _STATUS:
        fn.restype, fn.errcheck = ctypes.c_int, _check_int
    elif isinstance(restype, _Nonzero):
        fn.restype, fn.errcheck = restype.ctype, _check_nonzero
    else:
        fn.restype = restype
        if restype in (_float_p, _c_int8_p):
            fn.errcheck = _check_ptr


for _proto in _PROTOTYPES:
    _declare(*_proto)

def version() -> str:
    """The loaded library's version string, e.g. '1.0.0'."""
    return lib.rgrbm_version_string().decode()


CPU_FLAG_AVX2 = 1 << 0
CPU_FLAG_AVX512 = 1 << 1
CPU_FLAG_AVX512VBMI = 1 << 2
CPU_FLAG_NEON = 1 << 8
CPU_FLAG_ALL = 0xFFFFFFFF


def cpu_flags() -> int:
    """The RGRBM_CPU_FLAG_* bits this CPU offers (before the mask)."""
    return lib.rgrbm_cpu_flags()


def set_cpu_mask(mask: int) -> None:
    """Limit the kernels to the levels in mask (process-wide; 0 = generic C)."""
    lib.rgrbm_cpu_set_mask(_int(mask, "mask", 0, 2 ** 32 - 1))


def cpu_level() -> str:
    """The kernel level in use: 'avx512vbmi', 'avx512', 'avx2', 'neon' or 'generic'."""
    return lib.rgrbm_cpu_level_name().decode()


def version_number() -> int:
    """MAJOR*10000 + MINOR*100 + PATCH of the loaded library."""
    return lib.rgrbm_version()


def memory_in_use() -> int:
    """Bytes held by the library's own allocations."""
    return lib.rgrbm_memory_in_use()


def clear_error() -> None:
    """Clear the calling thread's rgrbm_last_error() message."""
    lib.rgrbm_clear_error()


# ---- Argument checks: every message names the Python argument ----

def _int(value, name, lo=None, hi=None):
    """value as a Python int in [lo, hi], or TypeError/ValueError naming it."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, not bool")
    try:
        n = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, not {type(value).__name__}") from None
    if lo is not None and n < lo:
        raise ValueError(f"{name} = {n} must be >= {lo}")
    if hi is not None and n > hi:
        raise ValueError(f"{name} = {n} must be <= {hi}")
    return n


_INT_MAX = 2 ** 31 - 1
_SIZE_MAX = 2 ** 64 - 1


def _count(value, name, lo=0):
    return _int(value, name, lo, _SIZE_MAX)


def _small(value, name, lo=-2 ** 31):
    return _int(value, name, lo, _INT_MAX)


def _seed(value, name="seed"):
    return _int(value, name, 0, 2 ** 64 - 1)


def _real(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, not {type(value).__name__}")
    return float(value)


def _enum_arg(enum_cls, value, name):
    """An enum member from a member, its int value or its name ('spin')."""
    if isinstance(value, str):
        try:
            return enum_cls[value.upper()]
        except KeyError:
            pass
    elif not isinstance(value, bool):
        try:
            return enum_cls(operator.index(value))
        except (TypeError, ValueError):
            pass
    names = ", ".join(m.name.lower() for m in enum_cls)
    raise ValueError(f"{name} = {value!r} is not a {enum_cls.__name__} ({names})")


def _handle(obj, cls, name):
    """The C pointer of obj, checked to be an open handle of type cls."""
    if not isinstance(obj, cls):
        want = cls.__name__ if isinstance(cls, type) else " or ".join(c.__name__ for c in cls)
        raise TypeError(f"{name} must be a rgrbm.{want}, not {type(obj).__name__}")
    res = obj._res
    if res is None:
        raise ValueError(f"{name} is closed ({type(obj).__name__})")
    return res.ptr


def _first_bad(mask):
    """The index tuple of the first True of mask, for messages."""
    idx = np.unravel_index(int(np.argmax(mask)), mask.shape)
    return tuple(int(i) for i in idx)


def _numeric_array(x, name):
    """x as an ndarray of bool, integers or reals, or TypeError naming it."""
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of numbers, not dtype {a.dtype}")
    return a


def _finite(a, name):
    """ValueError naming the first NaN or infinity of a float array."""
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        at = _first_bad(~np.isfinite(a))
        raise ValueError(f"{name}[{', '.join(map(str, at))}] = {a[at]} is not finite")


def _float_batch(x, width, name, check_finite=True):
    """A C-contiguous float32 (n, width) batch from rows x ((width,) is one row),
    finite unless the caller checks a range itself (which catches NaN and inf)."""
    a = _numeric_array(x, name)
    if a.ndim == 1:
        a = a.reshape(1, -1)
    if a.ndim != 2 or a.shape[1] != width or a.shape[0] == 0:
        raise ValueError(f"{name} has shape {np.shape(x)}; expected (n, {width}) with n >= 1")
    # After the conversion: float64 values beyond float32's range become inf.
    f = np.ascontiguousarray(a, dtype=np.float32)
    if check_finite and not np.isfinite(f).all():
        _finite(a, name)
        _finite(f, name)
    return f


def _spin_rows(x, dim, name):
    """A C-contiguous int8 (n, dim) array of spins -1/+1, or ValueError naming
    the first other value (0/1 data: the message says to map it)."""
    a = _numeric_array(x, name)
    if a.ndim == 1:
        a = a.reshape(1, -1)
    a = a.reshape(a.shape[0], -1) if a.ndim > 2 else a
    if a.ndim != 2 or a.shape[1] != dim:
        raise ValueError(f"{name} has shape {np.shape(x)}; expected (n, {dim}) spins")
    bad = (a != 1) & (a != -1)
    if bad.any():
        at = _first_bad(bad)
        hint = " (binary 0/1 data: pass 2 * x - 1)" if ((a == 0) | (a == 1)).all() else ""
        raise ValueError(f"{name}[{at[0]}, {at[1]}] = {a[at]}: spins must be -1 or +1{hint}")
    return np.ascontiguousarray(a, dtype=np.int8)


def _doubles(x, name):
    a = _numeric_array(x, name)
    a = np.ascontiguousarray(a, dtype=np.float64).ravel()
    if a.size == 0:
        raise ValueError(f"{name} is empty")
    _finite(a, name)
    return a, a.ctypes.data_as(_double_p)


def _ptr(a, ptype):
    return a.ctypes.data_as(ptype)


def _empty_floats(*shape):
    return np.empty(shape, dtype=np.float32)


def _as_tuple(struct):
    """A ctypes struct as a namedtuple named after it; arrays become numpy arrays."""
    cls = _TUPLES.setdefault(type(struct), collections.namedtuple(
        type(struct).__name__.rstrip("_"), [n for n, _ in struct._fields_]))
    values = []
    for name, ctype in struct._fields_:
        v = getattr(struct, name)
        if isinstance(v, ctypes.Structure):
            v = _as_tuple(v)
        elif isinstance(v, ctypes.Array):
            v = np.ctypeslib.as_array(v).copy()
        values.append(v)
    return cls(*values)


_TUPLES: dict = {}


def _call_out(fn, struct_type, *args):
    """Call fn(*args, &struct) and return the struct as a namedtuple."""
    out = struct_type()
    if hasattr(struct_type, "_version"):
        out.version = struct_type._version
    fn(*args, ctypes.byref(out))
    return _as_tuple(out)


# ---- Ownership ----

class _Resource:
    """Owns one C object. It is freed when this object dies, that is when the
    handle has been closed (or collected) and no numpy view or borrowing
    object refers to it any more. ``deps`` are the resources of the objects
    the C object borrows (a sampler's lattice), kept alive as long as it."""
    __slots__ = ("ptr", "destroy_name", "deps", "__weakref__")

    def __init__(self, ptr, destroy_name, deps=()):
        self.ptr = ptr
        self.destroy_name = destroy_name
        self.deps = tuple(deps)

    def __del__(self):
        ptr, self.ptr = self.ptr, None
        if ptr is not None and lib is not None:  # lib is None at interpreter shutdown
            getattr(lib, self.destroy_name)(ptr)


class _Handle:
    """An owned C handle: closed by close(), a with block or garbage collection."""
    _destroy_name = ""

    def __init__(self, ptr, deps=()):
        self._res = _Resource(ptr, self._destroy_name, deps)

    @property
    def _p(self):
        res = self._res
        if res is None:
            raise ValueError(f"this {type(self).__name__} is closed")
        return res.ptr

    @property
    def _as_parameter_(self):
        # Lets a handle be passed to the raw functions of rgrbm.lib.
        return self._p

    @property
    def closed(self) -> bool:
        """True once close() has been called."""
        return self._res is None

    def close(self) -> None:
        """Make the handle unusable. The C object is freed now, or when the
        last numpy view of its memory or the last object borrowing it is gone."""
        self._res = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        if self._res is None:
            return f"<rgrbm.{type(self).__name__} (closed)>"
        return f"<rgrbm.{type(self).__name__} {self._describe()}>"

    def _describe(self):
        return ""


def _out_handle(create, *args):
    ptr = ctypes.c_void_p()
    create(ctypes.byref(ptr), *args)
    return ptr


class _Memory:
    """Library memory as numpy sees it (__array_interface__): the base of every
    view, holding the resource of the C object that owns the memory."""
    __slots__ = ("__array_interface__", "owner")

    def __init__(self, address, shape, dtype, owner):
        self.__array_interface__ = {"data": (address, False), "shape": shape,
                                    "typestr": np.dtype(dtype).str, "version": 3}
        self.owner = owner


def _view(address, shape, dtype, resource):
    """A numpy view of library memory whose .base holds `resource`."""
    return np.asarray(_Memory(address, tuple(shape), dtype, resource))


class Dataset(_Handle):
    """Configurations of ``dim`` spins (-1/+1), packed at one bit a spin.

    Numpy-first: ``np.asarray(ds)`` is an int8 copy of shape (N, dim) or
    (N, ly, lx); ``len(ds)`` is N; ``ds[i]`` and ``ds[a:b:c]`` give rows;
    iteration yields rows."""
    _destroy_name = "rgrbm_dataset_destroy"

    def __init__(self, dim: Optional[int] = None, *, shape: Optional[Tuple[int, int]] = None,
                 _ptr=None):
        if _ptr is None:
            if shape is not None:
                ly, lx = (_small(v, "shape", 1) for v in shape)
                dim = lx * ly
            if dim is None:
                raise TypeError("Dataset() needs dim or shape=(ly, lx)")
            _ptr = _out_handle(lib.rgrbm_dataset_create, _count(dim, "dim"))
        super().__init__(_ptr)
        if shape is not None:
            self.shape2d = shape

    @classmethod
    def from_array(cls, spins) -> "Dataset":
        """A dataset from an (N, dim) or (N, ly, lx) array of -1/+1 (any integer,
        bool-free or float dtype holding exactly -1 and +1)."""
        a = _numeric_array(spins, "spins")
        if a.ndim not in (2, 3):
            raise ValueError(f"spins has shape {a.shape}; expected (N, dim) or (N, ly, lx)")
        shape = a.shape[1:] if a.ndim == 3 else None
        ds = cls(int(np.prod(a.shape[1:])), shape=shape)
        ds.append(a)
        return ds

    @classmethod
    def load_npy(cls, path: Union[str, os.PathLike]) -> "Dataset":
        """Read an .npy file of int8 -1/+1 configurations (rgrbm_dataset_load_npy)."""
        return cls(_ptr=_out_handle(lib.rgrbm_dataset_load_npy, os.fsencode(path)))

    def save_npy(self, path: Union[str, os.PathLike]) -> None:
        """Write the configurations as an int8 .npy file."""
        lib.rgrbm_dataset_save_npy(_handle(self, Dataset, "self"), os.fsencode(path))

    def __len__(self):
        return lib.rgrbm_dataset_count(self._p)

    @property
    def dim(self) -> int:
        """Spins per configuration."""
        return lib.rgrbm_dataset_dim(self._p)

    @property
    def shape2d(self) -> Optional[Tuple[int, int]]:
        """(ly, lx), or None when no 2D shape is set."""
        lx, ly = ctypes.c_int(), ctypes.c_int()
        lib.rgrbm_dataset_shape(self._p, ctypes.byref(lx), ctypes.byref(ly))
        return (ly.value, lx.value) if lx.value else None

    @shape2d.setter
    def shape2d(self, shape):
        ly, lx = (_small(v, "shape", 1) for v in shape)
        lib.rgrbm_dataset_set_shape(self._p, lx, ly)

    def append(self, spins) -> None:
        """Append rows of -1/+1 spins ((n, dim), (dim,) or (n, ly, lx))."""
        a = _spin_rows(spins, self.dim, "spins")
        if a.shape[0]:
            lib.rgrbm_dataset_append(self._p, _ptr(a, _c_int8_p), a.shape[0])

    def reserve(self, count: int) -> None:
        """Make room for count configurations in all."""
        lib.rgrbm_dataset_reserve(self._p, _count(count, "count"))

    def clear(self) -> None:
        """Remove every configuration (the dimension and shape stay)."""
        lib.rgrbm_dataset_clear(self._p)

    def to_array(self, first: int = 0, count: Optional[int] = None) -> np.ndarray:
        """Configurations first..first+count as int8, shape (count, dim) or (count, ly, lx)."""
        n = len(self)
        first = _count(first, "first")
        count = n - first if count is None else _count(count, "count")
        if first + count > n:
            raise ValueError(f"first + count = {first} + {count} exceeds the {n} rows")
        out = np.empty((count, self.dim), dtype=np.int8)
        if count:
            lib.rgrbm_dataset_get(self._p, first, count, _ptr(out, _c_int8_p))
        shape = self.shape2d
        return out.reshape(count, *shape) if shape else out

    def __array__(self, dtype=None):
        a = self.to_array()
        return a if dtype is None else a.astype(dtype)

    def __getitem__(self, index):
        n = len(self)
        if isinstance(index, slice):
            start, stop, step = index.indices(n)
            if step == 1:
                return self.to_array(start, max(0, stop - start))
            return self.to_array()[index]
        i = _int(index, "index")
        if not -n <= i < n:
            raise IndexError(f"index {i} is out of range for {n} rows")
        return self.to_array(i % n, 1)[0]

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter(self.to_array())

    def _describe(self):
        shape = self.shape2d
        return f"dim={self.dim}, rows={len(self)}" + (f", shape2d={shape}" if shape else "")


class Lattice(_Handle):
    """An Ising chain or square lattice; ``spins`` is a view of its memory."""
    _destroy_name = "rgrbm_lattice_destroy"

    def __init__(self, geometry: Union["Geometry", int, str], lx: int, ly: int = 1,
                 boundary: Union["Boundary", int, str] = Boundary.PERIODIC, K: float = 0.0,
                 h: float = 0.0):
        geometry = _enum_arg(Geometry, geometry, "geometry")
        boundary = _enum_arg(Boundary, boundary, "boundary")
        super().__init__(_out_handle(lib.rgrbm_lattice_create, geometry, _small(lx, "lx"),
                                     _small(ly, "ly"), boundary))
        self.set_couplings(K, h)

    @classmethod
    def chain(cls, n: int, K: float = 0.0, h: float = 0.0,
              boundary: Union["Boundary", int, str] = Boundary.PERIODIC) -> "Lattice":
        """A chain of n sites."""
        return cls(Geometry.CHAIN, n, 1, boundary, K, h)

    @classmethod
    def square(cls, lx: int, ly: Optional[int] = None, K: float = 0.0, h: float = 0.0,
               boundary: Union["Boundary", int, str] = Boundary.PERIODIC) -> "Lattice":
        """An lx x ly square lattice (ly defaults to lx)."""
        return cls(Geometry.SQUARE, lx, lx if ly is None else ly, boundary, K, h)

    def set_couplings(self, K: float, h: float = 0.0) -> None:
        """Set the coupling K = J/kT and the field h = H/kT."""
        lib.rgrbm_lattice_set_couplings(self._p, _real(K, "K"), _real(h, "h"))

    @property
    def couplings(self) -> Tuple[float, float]:
        """(K, h)."""
        K, h = ctypes.c_double(), ctypes.c_double()
        lib.rgrbm_lattice_couplings(self._p, ctypes.byref(K), ctypes.byref(h))
        return K.value, h.value

    @property
    def shape(self) -> Tuple["Geometry", int, int, "Boundary"]:
        """(geometry, lx, ly, boundary) as created."""
        vals = [ctypes.c_int() for _ in range(4)]
        lib.rgrbm_lattice_shape(self._p, *map(ctypes.byref, vals))
        g, lx, ly, bc = (v.value for v in vals)
        return Geometry(g), lx, ly, Boundary(bc)

    def __len__(self):
        return lib.rgrbm_lattice_sites(self._p)

    @property
    def spins(self) -> np.ndarray:
        """int8 view (ly, lx) of the spins (a chain: (lx,)); writes go to the
        lattice. The view keeps the lattice's memory alive."""
        g, lx, ly, _ = self.shape
        shape = (lx,) if g == Geometry.CHAIN else (ly, lx)
        ptr = lib.rgrbm_lattice_spins(self._p)
        return _view(ctypes.addressof(ptr.contents), shape, np.int8, self._res)

    def bond_mean(self) -> float:
        """Mean of s_i s_j over the bonds."""
        return self._observable(lib.rgrbm_lattice_bond_mean)

    def magnetization(self) -> float:
        """Mean spin."""
        return self._observable(lib.rgrbm_lattice_magnetization)

    def energy(self) -> float:
        """Reduced energy per site, beta H / N."""
        return self._observable(lib.rgrbm_lattice_energy)

    def _observable(self, fn):
        out = ctypes.c_double()
        fn(self._p, ctypes.byref(out))
        return out.value

    def fill(self, value: int) -> None:
        """Set every spin to value (-1 or +1)."""
        lib.rgrbm_lattice_fill(self._p, _small(value, "value"))

    def randomize(self, seed: int) -> None:
        """Set the spins at random (a function of seed)."""
        lib.rgrbm_lattice_randomize(self._p, _seed(seed))

    def _describe(self):
        g, lx, ly, bc = self.shape
        K, h = self.couplings
        size = f"{lx}" if g == Geometry.CHAIN else f"{lx}x{ly}"
        return f"{g.name.lower()} {size} {bc.name.lower()}, K={K!r}, h={h!r}"


class Sampler(_Handle):
    """A Markov chain over a Lattice (``Sampler(lattice, algorithm, seed)``) or
    block Gibbs chains over a Stack (``Sampler.gibbs``). The sampler keeps
    its lattice or stack alive (``source``)."""
    _destroy_name = "rgrbm_sampler_destroy"

    def __init__(self, lattice: Lattice, algorithm: Union["Algorithm", int, str] =
                 Algorithm.METROPOLIS, seed: int = 1):
        if isinstance(lattice, Stack):
            raise TypeError("lattice must be a rgrbm.Lattice, not Stack "
                            "(block Gibbs sampling of a stack: Sampler.gibbs(stack, ...))")
        ptr = _handle(lattice, Lattice, "lattice")
        algorithm = _enum_arg(Algorithm, algorithm, "algorithm")
        super().__init__(_out_handle(lib.rgrbm_sampler_create, ptr, algorithm, _seed(seed)),
                         deps=(lattice._res,))
        self.source = lattice
        self._dim = len(lattice)

    @classmethod
    def gibbs(cls, stack: "Stack", layer: int = -1, chains: int = 1, seed: int = 1) -> "Sampler":
        """Block Gibbs chains of a stack's layer (-1: the whole stack, top down)."""
        ptr = _handle(stack, Stack, "stack")
        layer = _small(layer, "layer")
        self = cls.__new__(cls)
        _Handle.__init__(self, _out_handle(lib.rgrbm_sampler_create_gibbs, ptr, layer,
                                           _count(chains, "chains"), _seed(seed)),
                         deps=(stack._res,))
        self.source = stack
        self._dim = stack.size(max(layer, 0))  # the level its configurations live on
        return self

    def sweep(self, sweeps: int = 1) -> None:
        """Advance the chain by sweeps sweeps."""
        lib.rgrbm_sampler_sweep(self._p, _count(sweeps, "sweeps"))

    def draw(self, count: int, thermalize: int = 0, spacing: int = 1,
             out: Optional[Dataset] = None) -> Dataset:
        """Append count configurations to out (a new Dataset when None); return it."""
        p = self._p
        count = _count(count, "count")
        thermalize, spacing = _count(thermalize, "thermalize"), _count(spacing, "spacing")
        if out is None:
            out = Dataset(self._dim)
        lib.rgrbm_sampler_draw(p, count, thermalize, spacing, _handle(out, Dataset, "out"))
        return out

    def _describe(self):
        return f"over {self.source!r}"


def exact_chain(n: int, K: float, h: float = 0.0,
                boundary: Union["Boundary", int, str] = Boundary.PERIODIC):
    """The chain of n sites by transfer matrix: an Exact namedtuple."""
    return _call_out(lib.rgrbm_exact_chain, Exact_, _small(n, "n"), _real(K, "K"),
                     _real(h, "h"), _enum_arg(Boundary, boundary, "boundary"))


def exact_onsager(K: float):
    """Onsager's infinite square lattice at coupling K: an Exact namedtuple."""
    return _call_out(lib.rgrbm_exact_onsager, Exact_, _real(K, "K"))


def exact_torus(lx: int, ly: int, K: float):
    """Kaufman's finite periodic lx x ly lattice: an Exact namedtuple."""
    return _call_out(lib.rgrbm_exact_torus, Exact_, _small(lx, "lx"), _small(ly, "ly"),
                     _real(K, "K"))


def exact_torus_coupling(lx: int, ly: int, bond_mean: float) -> float:
    """The coupling K at which Kaufman's lx x ly torus has the bond mean B/N given."""
    K = ctypes.c_double()
    lib.rgrbm_exact_torus_coupling(_small(lx, "lx"), _small(ly, "ly"),
                                   _real(bond_mean, "bond_mean"), ctypes.byref(K))
    return K.value


def exact_enumerate(geometry, lx: int, ly: int, boundary, K: float, h: float = 0.0):
    """Brute-force enumeration of a small lattice: an Exact namedtuple."""
    return _call_out(lib.rgrbm_exact_enumerate, Exact_, _enum_arg(Geometry, geometry, "geometry"),
                     _small(lx, "lx"), _small(ly, "ly"), _enum_arg(Boundary, boundary, "boundary"),
                     _real(K, "K"), _real(h, "h"))


def _series(fn, x, *extra):
    a, p = _doubles(x, "x")
    out = ctypes.c_double()
    fn(p, a.size, *extra, ctypes.byref(out))
    return out.value


def series_mean(x) -> float:
    """Mean of a series."""
    return _series(lib.rgrbm_series_mean, x)


def series_binned_error(x, bins: int) -> float:
    """Standard error of the mean from `bins` bins."""
    return _series(lib.rgrbm_series_binned_error, x, _count(bins, "bins"))


def series_tau_int(x) -> float:
    """Integrated autocorrelation time (Sokal's window)."""
    return _series(lib.rgrbm_series_tau_int, x)


def measure(data: Dataset, model: Lattice, observable) -> np.ndarray:
    """One observable per configuration of data (a float64 array)."""
    d, m = _handle(data, Dataset, "data"), _handle(model, Lattice, "model")
    observable = _enum_arg(Observable, observable, "observable")
    out = np.empty(len(data), dtype=np.float64)
    lib.rgrbm_measure(d, m, observable, _ptr(out, _double_p))
    return out


def measure_thermo(data: Dataset, model: Lattice, bins: int = 20):
    """Ensemble estimates: a Thermo namedtuple of Estimate(value, error)."""
    return _call_out(lib.rgrbm_measure_thermo, Thermo_, _handle(data, Dataset, "data"),
                     _handle(model, Lattice, "model"), _count(bins, "bins"))


def measure_correlation(data: Dataset, model: Lattice, rmax: int) -> np.ndarray:
    """Spin correlation g(r), r = 0..rmax, averaged over data."""
    d, m = _handle(data, Dataset, "data"), _handle(model, Lattice, "model")
    rmax = _small(rmax, "rmax", 0)
    g = np.empty(rmax + 1, dtype=np.float64)
    lib.rgrbm_measure_correlation(d, m, rmax, _ptr(g, _double_p))
    return g


def measure_xi2(data: Dataset, model: Lattice, bins: int = 20):
    """Second-moment correlation length: an Estimate(value, error)."""
    return _call_out(lib.rgrbm_measure_xi2, Estimate_, _handle(data, Dataset, "data"),
                     _handle(model, Lattice, "model"), _count(bins, "bins"))


def measure_k_eff(data: Dataset, bins: int = 20):
    """K_eff, the coupling of the exact torus of data's 2D shape with data's bond
    mean: an Estimate(value, error)."""
    return _call_out(lib.rgrbm_measure_k_eff, Estimate_, _handle(data, Dataset, "data"),
                     _count(bins, "bins"))


class FieldLocality(NamedTuple):
    """Per-unit locality of receptive fields (arrays of one entry per unit)."""
    centre_x: np.ndarray
    centre_y: np.ndarray
    gyration: np.ndarray
    block_fraction: np.ndarray


def receptive_locality(rf, lx: int, ly: int, b: int) -> FieldLocality:
    """Per-unit locality of receptive fields rf ((lx*ly) x units)."""
    lx, ly, b = _small(lx, "lx", 1), _small(ly, "ly", 1), _small(b, "b")
    a = _numeric_array(rf, "rf")
    if a.ndim != 2 or a.shape[0] != lx * ly or a.shape[1] == 0:
        raise ValueError(f"rf has shape {a.shape}; expected (lx * ly, units) = ({lx * ly}, n)")
    a = _float_batch(a, a.shape[1], "rf")
    outs = [np.empty(a.shape[1], dtype=np.float64) for _ in FieldLocality._fields]
    lib.rgrbm_receptive_locality(_ptr(a, _float_p), lx, ly, a.shape[1], b,
                                 *(_ptr(o, _double_p) for o in outs))
    return FieldLocality(*outs)


_min, _max = np.minimum.reduce, np.maximum.reduce


def _bounds(a):
    """(min, max) of a float32 array, NaN when it holds a NaN or an infinity.
    Small arrays go through Python floats: a ufunc reduction costs ~2 us of
    fixed overhead, more than the whole call for a few rows."""
    if a.size > 256:
        return _min(a, None), _max(a, None)
    v = a.ravel().tolist()
    if not math.isfinite(sum(v)):  # float32 values cannot overflow a double sum
        return math.nan, math.nan
    return min(v), max(v)


def _to_units(a, source, target):
    """Values in `source` units mapped exactly to `target` units (s = 2x - 1)."""
    if source == target:
        return a
    return (2 * a - 1) if target == 1 else (a + 1) / 2  # 1: Units.SPIN


class Stack(_Handle):
    """A stack of RBMs; levels 0..depth, level 0 visible.

    Every method that takes or returns unit values has a ``units`` argument:
    None means the stack's own units (``stack.units``); Units.SPIN ('spin',
    values in [-1, 1]) or Units.BINARY ('binary', [0, 1]) maps inputs to the
    stack's units and outputs back, exactly. Values outside the range of the
    units they are given in are refused (ValueError), so +-1 data given to a
    binary stack without units='spin' is an error, not a silent answer."""
    _destroy_name = "rgrbm_stack_destroy"

    def __init__(self, sizes: Sequence[int], units: Union["Units", int, str] = Units.BINARY,
                 seed: int = 1, *, _ptr=None):
        if _ptr is None:
            if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
                raise TypeError(f"sizes must be a sequence of level sizes, not "
                                f"{type(sizes).__name__}")
            ints = [_small(n, f"sizes[{i}]") for i, n in enumerate(sizes)]
            arr = (ctypes.c_int * max(1, len(ints)))(*ints)
            _ptr = _out_handle(lib.rgrbm_stack_create, arr, len(ints),
                               _enum_arg(Units, units, "units"), _seed(seed))
        super().__init__(_ptr)

    @classmethod
    def load(cls, path: Union[str, os.PathLike]) -> "Stack":
        """Read a stack written by save()."""
        return cls(None, _ptr=_out_handle(lib.rgrbm_stack_load, os.fsencode(path)))

    @classmethod
    def decimation1d(cls, n_sites: int, K: float, levels: int) -> "Stack":
        """The exact decimation network of a periodic chain (docs/rg.md)."""
        return cls(None, _ptr=_out_handle(lib.rgrbm_decimation1d_stack, _small(n_sites, "n_sites"),
                                          _real(K, "K"), _small(levels, "levels")))

    def save(self, path: Union[str, os.PathLike]) -> None:
        """Write the stack file (docs/formats.md), atomically."""
        lib.rgrbm_stack_save(self._p, os.fsencode(path))

    def export_npy(self, prefix: Union[str, os.PathLike]) -> None:
        """Write every parameter as prefix + 'weights_<layer>.npy' and so on."""
        lib.rgrbm_stack_export_npy(self._p, os.fsencode(prefix))

    def to_bytes(self) -> bytes:
        """The stack file's bytes (what save() writes)."""
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "stack.stk")
            self.save(path)
            with open(path, "rb") as f:
                return f.read()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Stack":
        """A stack from the bytes of a stack file."""
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "stack.stk")
            with open(path, "wb") as f:
                f.write(data)
            return cls.load(path)

    def __reduce__(self):
        # Pickling goes through the file format, CRC and version checks included.
        return (Stack.from_bytes, (self.to_bytes(),))

    @property
    def depth(self) -> int:
        """Number of RBM layers."""
        return lib.rgrbm_stack_depth(self._p)

    def size(self, level: int) -> int:
        """Units of a level (0 = visible)."""
        return lib.rgrbm_stack_size(self._p, _small(level, "level"))

    @property
    def sizes(self) -> List[int]:
        """Units of every level, 0..depth."""
        return [self.size(level) for level in range(self.depth + 1)]

    @property
    def units(self) -> "Units":
        """The stack's unit convention."""
        return Units(lib.rgrbm_stack_units(self._p))

    def set_units(self, units: Union["Units", int, str]) -> None:
        """Change the unit convention exactly (views stay valid: same memory)."""
        lib.rgrbm_stack_set_units(self._p, _enum_arg(Units, units, "units"))

    def weights(self, layer: int) -> np.ndarray:
        """float32 view (size(layer), size(layer+1)) of the layer's weights."""
        ptr = lib.rgrbm_stack_weights(self._p, _small(layer, "layer"))  # raises out of range
        shape = (self.size(layer), self.size(layer + 1))
        return _view(ctypes.addressof(ptr.contents), shape, np.float32, self._res)

    def visible_bias(self, layer: int) -> np.ndarray:
        """float32 view of the layer's visible biases."""
        return self._bias(lib.rgrbm_stack_visible_bias, layer, 0)

    def hidden_bias(self, layer: int) -> np.ndarray:
        """float32 view of the layer's hidden biases."""
        return self._bias(lib.rgrbm_stack_hidden_bias, layer, 1)

    def _bias(self, fn, layer, above):
        ptr = fn(self._p, _small(layer, "layer"))  # raises for a layer out of range
        return _view(ctypes.addressof(ptr.contents), (self.size(layer + above),), np.float32,
                     self._res)

    def _level(self, level, name, default):
        return default if level is None else _small(level, name)

    def _batch(self, x, level, name, units, p=None):
        """x checked and mapped to a float32 batch in the stack's units; the
        units it was given in and the stack's (plain ints: this is every
        pass's hot path)."""
        p = self._p if p is None else p
        own = int(lib.rgrbm_stack_units(p))
        units = own if units is None else int(_enum_arg(Units, units, "units"))
        a = _float_batch(x, lib.rgrbm_stack_size(p, level), name, check_finite=False)
        lo = -1.0 if units else 0.0  # Units.SPIN is 1
        mn, mx = _bounds(a)
        if not (mn >= lo and mx <= 1):  # also false for NaN
            _finite(a, name)
            at = _first_bad((a < lo) | (a > 1))
            hint = ""
            if units == Units.BINARY and ((a == -1) | (a == 1)).all():
                hint = " (spins: pass units='spin' to map them, or (x + 1) / 2)"
            raise ValueError(f"{name}[{at[0]}, {at[1]}] = {a[at]} is outside [{lo:g}, 1] of "
                             f"{Units(units).name.lower()} units{hint}")
        if units != own:
            a = np.ascontiguousarray(_to_units(a, units, own), dtype=np.float32)
        return a, units, own

    def _pass(self, fn, from_, to, x, units, *extra):
        p = self._p
        a, units, own = self._batch(x, from_, "x", units, p)
        out = np.empty((a.shape[0], lib.rgrbm_stack_size(p, to)), dtype=np.float32)
        fn(p, from_, to, a.ctypes.data_as(_float_p), a.shape[0], *extra,
           out.ctypes.data_as(_float_p))
        return out if units == own else _to_units(out, own, units).astype(np.float32)

    def up(self, x, from_: int = 0, to: Optional[int] = None, *, units=None) -> np.ndarray:
        """Conditional means of level `to` (default depth) given rows x of level from_."""
        return self._pass(lib.rgrbm_stack_up, _small(from_, "from_"),
                          self._level(to, "to", self.depth), x, units)

    def down(self, x, from_: Optional[int] = None, to: int = 0, *, units=None) -> np.ndarray:
        """Conditional means of level `to` (default 0) given rows x of level from_."""
        return self._pass(lib.rgrbm_stack_down, self._level(from_, "from_", self.depth),
                          _small(to, "to"), x, units)

    def sample_up(self, x, from_: int = 0, to: Optional[int] = None, seed: int = 1, *,
                  units=None) -> np.ndarray:
        """A sample of level `to` given rows x of level from_."""
        return self._pass(lib.rgrbm_stack_sample_up, _small(from_, "from_"),
                          self._level(to, "to", self.depth), x, units, _seed(seed))

    def sample_down(self, x, from_: Optional[int] = None, to: int = 0, seed: int = 1, *,
                    units=None) -> np.ndarray:
        """A sample of level `to` given rows x of level from_."""
        return self._pass(lib.rgrbm_stack_sample_down, self._level(from_, "from_", self.depth),
                          _small(to, "to"), x, units, _seed(seed))

    def reconstruct(self, x, level: Optional[int] = None, pass_=Pass.MEANS, seed: int = 1, *,
                    units=None) -> np.ndarray:
        """Up from level 0 to `level` (default depth) and back down."""
        a, units, own = self._batch(x, 0, "x", units)
        out = _empty_floats(*a.shape)
        lib.rgrbm_stack_reconstruct(self._p, self._level(level, "level", self.depth),
                                    _enum_arg(Pass, pass_, "pass_"), _ptr(a, _float_p),
                                    a.shape[0], _seed(seed), _ptr(out, _float_p))
        return _to_units(out, own, units).astype(np.float32, copy=False)

    def free_energy(self, layer: int, v, *, units=None) -> np.ndarray:
        """F(v) of layer's RBM for every row of v (float64, one per row), in the
        energy convention of the stack's units."""
        layer = _small(layer, "layer")
        a, _, _ = self._batch(v, layer, "v", units)
        out = np.empty(a.shape[0], dtype=np.float64)
        lib.rgrbm_stack_free_energy(self._p, layer, _ptr(a, _float_p), a.shape[0],
                                    _ptr(out, _double_p))
        return out

    def _scalar(self, fn, *args):
        out = ctypes.c_double()
        fn(self._p, *args, ctypes.byref(out))
        return out.value

    def log_partition(self, layer: int = 0) -> float:
        """Exact ln Z of layer's RBM (at most 30 units on the smaller side)."""
        return self._scalar(lib.rgrbm_stack_log_partition, _small(layer, "layer"))

    def log_partition_ais(self, layer: int = 0,
                          options: Optional[AisOptions] = None) -> Tuple[float, float]:
        """(lower, upper) bracket of ln Z by forward and reverse AIS."""
        if options is not None and not isinstance(options, AisOptions):
            raise TypeError(f"options must be a rgrbm.AisOptions, not {type(options).__name__}")
        lo, hi = ctypes.c_double(), ctypes.c_double()
        opts = ctypes.byref(options) if options is not None else None
        lib.rgrbm_ais_log_partition(self._p, _small(layer, "layer"), opts, ctypes.byref(lo),
                                    ctypes.byref(hi))
        return lo.value, hi.value

    def log_likelihood(self, layer: int, data: Dataset) -> float:
        """Exact mean ln p(v) of the configurations of data (spins mapped to the units)."""
        return self._scalar(lib.rgrbm_stack_log_likelihood, _small(layer, "layer"),
                            _handle(data, Dataset, "data"))

    def pseudo_log_likelihood(self, layer: int, data, per_row: bool = False):
        """Pseudo-log-likelihood per visible unit: the library's mean over every
        site of every row (data a Dataset), or with per_row=True a float64
        array of one value per row (data a Dataset or rows of -1/+1 spins),
        computed from the library's free energies of the flipped rows."""
        layer = _small(layer, "layer")
        if not per_row:
            return self._scalar(lib.rgrbm_stack_pseudo_log_likelihood, layer,
                                _handle(data, Dataset, "data"))
        dim = self.size(layer)
        if isinstance(data, Dataset):
            _handle(data, Dataset, "data")
            spins = data.to_array().reshape(len(data), -1)
        else:
            spins = _spin_rows(data, dim, "data")
        if spins.shape[1] != dim:
            raise ValueError(f"data has {spins.shape[1]} spins per row, layer {layer} {dim}")
        return self._pll_rows(layer, spins.astype(np.float32))

    def _pll_rows(self, layer, spins):
        v = _to_units(spins, Units.SPIN, self.units).astype(np.float32)
        f = self.free_energy(layer, v)
        flip_hi = 1.0
        flip_lo = 0.0 if self.units == Units.BINARY else -1.0
        out = np.zeros(len(v), dtype=np.float64)
        for i in range(v.shape[1]):  # one batch of flipped rows per site
            flipped = v.copy()
            flipped[:, i] = flip_hi + flip_lo - flipped[:, i]
            # ln p(v_i | v_-i) = ln sigmoid(F(flipped) - F(v)) = -ln(1 + e^{F(v) - F(flipped)})
            out -= np.logaddexp(0.0, f - self.free_energy(layer, flipped))
        return out / v.shape[1]

    def receptive_field(self, level: int) -> np.ndarray:
        """r(level) = W(0)...W(level-1) as a float32 (size(0), size(level)) array."""
        level = _small(level, "level")
        p = self._p
        out = _empty_floats(self.size(0), self.size(level))
        lib.rgrbm_receptive_field(p, level, _ptr(out, _float_p))
        return out

    def locality(self, level: int, lx: int, ly: int, b: int):
        """Mean and spread of the level's receptive-field locality: a Locality tuple."""
        return _call_out(lib.rgrbm_receptive_summarize, Locality_, self._p, _small(level, "level"),
                         _small(lx, "lx"), _small(ly, "ly"), _small(b, "b"))

    def _describe(self):
        return f"sizes={self.sizes}, units={self.units.name.lower()}"


class Epoch(NamedTuple):
    """One epoch of training as the progress callback reported it."""
    layer: int
    epoch: int
    reconstruction_error: float
    pll: float  # NaN unless CdOptions.compute_pll
    seconds: float


class History(list):
    """The epochs of a training call (a list of Epoch), with columns as arrays."""

    def column(self, name: str) -> np.ndarray:
        """One field of every epoch as an array, e.g. history.column('pll')."""
        return np.array([getattr(e, name) for e in self])

    def __repr__(self):
        return f"History({list.__repr__(self)})"


class _Recorder:
    """Installs a C progress trampoline on options for one training call: it
    records each epoch into history and calls the user's callback; an
    exception there cancels training and is re-raised afterwards."""

    def __init__(self, options, history):
        self.options, self.history, self.pending = options, history, None
        self.user = options.progress

        def trampoline(user, layer, epoch, rec, pll, seconds):
            try:
                self.history.append(Epoch(layer, epoch, rec, pll, seconds))
                return 1 if self.user is not None and self.user(layer, epoch, rec, pll,
                                                                seconds) else 0
            except BaseException as exc:  # noqa: B902 - must not unwind through C
                self.pending = exc
                return 1
        self.c_fn = PROGRESS_FN(trampoline)  # must outlive the C call

    def __enter__(self):
        ctypes.Structure.__setattr__(self.options, "progress", self.c_fn)
        return self

    def __exit__(self, *exc):
        ctypes.Structure.__setattr__(self.options, "progress", PROGRESS_FN())


def _train(call, options_list, record=True):
    history = History()
    # Without record, only options with a user callback get a trampoline: a
    # callback makes the trainer compute the reconstruction error it reports.
    recorders = [_Recorder(o, history) for o in options_list
                 if record or o.progress is not None]
    for r in recorders:
        r.__enter__()
    try:
        call()
    except RgrbmError as exc:
        for r in recorders:
            if r.pending is not None:
                raise r.pending from exc
        raise
    finally:
        for r in recorders:
            r.__exit__()
    return history


def _cd_options(options, name):
    if options is None:
        return CdOptions()
    if not isinstance(options, CdOptions):
        raise TypeError(f"{name} must be a rgrbm.CdOptions, not {type(options).__name__}")
    return options


def cd_train(stack: Stack, layer: int, data: Dataset, options: Optional[CdOptions] = None,
             *, record: bool = True) -> History:
    """Train one layer by CD-k / PCD-k (rgrbm_cd_train); returns the History of
    its epochs (empty with record=False, which spares the trainer computing
    the reconstruction error when no progress callback is set either)."""
    s, d = _handle(stack, Stack, "stack"), _handle(data, Dataset, "data")
    layer = _small(layer, "layer")
    options = _cd_options(options, "options")
    return _train(lambda: lib.rgrbm_cd_train(s, layer, d, ctypes.byref(options)), [options],
                  record)


def stack_train(stack: Stack, data: Dataset, per_layer: Union[CdOptions, Sequence[CdOptions]],
                *, record: bool = True) -> History:
    """Greedy layer-wise training: per_layer is one CdOptions, or one per layer;
    returns the History of every layer's epochs (see cd_train for record)."""
    s, d = _handle(stack, Stack, "stack"), _handle(data, Dataset, "data")
    per_layer = _per_layer_options(stack, per_layer)
    return _train_stack(per_layer, lambda arr: lib.rgrbm_cd_train_stack(s, d, arr), record)


def _per_layer_options(stack, per_layer):
    """stack_train's per_layer (one CdOptions, or one per layer of stack) as
    a checked list of one per layer; shared with rgrbm.mpi.cd_train_stack."""
    if isinstance(per_layer, CdOptions):
        per_layer = [per_layer] * stack.depth
    per_layer = [_cd_options(o, f"per_layer[{i}]") for i, o in enumerate(per_layer)]
    if len(per_layer) != stack.depth:
        raise ValueError(f"per_layer has {len(per_layer)} options for {stack.depth} layers")
    return per_layer


def _train_stack(per_layer, train_array, record):
    """Trains with train_array(per_layer as a ctypes array) and returns the
    History (see _train); shared with rgrbm.mpi.cd_train_stack."""
    unique = list({id(o): o for o in per_layer}.values())

    def call():
        # The array copies the options after the recorders installed their callbacks.
        train_array((CdOptions * len(per_layer))(*per_layer))
    return _train(call, unique, record)


class Conv(_Handle):
    """A translation-invariant RBM layer (rgrbm/conv.h): one f x f filter shared
    by every hidden unit, hidden units on the coarse lattice (stride b)."""
    _destroy_name = "rgrbm_conv_destroy"

    def __init__(self, f: int, b: int = 2, units: Union["Units", int, str] = Units.SPIN,
                 seed: int = 1, *, _ptr=None):
        if _ptr is None:
            _ptr = _out_handle(lib.rgrbm_conv_create, _small(f, "f"), _small(b, "b"),
                               _enum_arg(Units, units, "units"), _seed(seed))
        super().__init__(_ptr)

    @classmethod
    def load(cls, path: Union[str, os.PathLike]) -> "Conv":
        """Read a layer written by save()."""
        return cls(0, _ptr=_out_handle(lib.rgrbm_conv_load, os.fsencode(path)))

    def save(self, path: Union[str, os.PathLike]) -> None:
        """Write the layer (stack file format 3, docs/formats.md), atomically."""
        lib.rgrbm_conv_save(self._p, os.fsencode(path))

    def __reduce__(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "layer.stk")
            self.save(path)
            with open(path, "rb") as f:
                return (Conv._from_bytes, (f.read(),))

    @staticmethod
    def _from_bytes(data: bytes) -> "Conv":
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "layer.stk")
            with open(path, "wb") as f:
                f.write(data)
            return Conv.load(path)

    @property
    def filter_side(self) -> int:
        """f: the side of the filter's window."""
        return lib.rgrbm_conv_filter_side(self._p)

    @property
    def stride(self) -> int:
        """b: fine sites per coarse site along each axis."""
        return lib.rgrbm_conv_stride(self._p)

    @property
    def units(self) -> "Units":
        """The layer's unit convention."""
        return Units(lib.rgrbm_conv_units(self._p))

    def _scalar_or_filter(self, fn, shape, writable):
        ptr = fn(self._p)
        view = _view(ctypes.addressof(ptr.contents), shape, np.float32, self._res)
        if not writable:
            view.flags.writeable = False
        return view

    def weights(self, writable: bool = True) -> np.ndarray:
        """float32 view (f, f) of the filter, [dy, dx]; read-only when not writable."""
        f = self.filter_side
        fn = lib.rgrbm_conv_weights if writable else lib.rgrbm_conv_weights_const
        return self._scalar_or_filter(fn, (f, f), writable)

    def visible_bias(self, writable: bool = True) -> np.ndarray:
        """float32 view (1,) of the shared visible bias."""
        fn = lib.rgrbm_conv_visible_bias if writable else lib.rgrbm_conv_visible_bias_const
        return self._scalar_or_filter(fn, (1,), writable)

    def hidden_bias(self, writable: bool = True) -> np.ndarray:
        """float32 view (1,) of the shared hidden bias."""
        fn = lib.rgrbm_conv_hidden_bias if writable else lib.rgrbm_conv_hidden_bias_const
        return self._scalar_or_filter(fn, (1,), writable)

    def train(self, data: "Dataset", options: Optional[CdOptions] = None, *,
              record: bool = True) -> History:
        """CD-k / PCD-k on 2D-shaped configurations (rgrbm_conv_train); returns
        the History of its epochs."""
        d = _handle(data, Dataset, "data")
        options = _cd_options(options, "options")
        return _train(lambda: lib.rgrbm_conv_train(self._p, d, ctypes.byref(options)),
                      [options], record)


class RGShape(NamedTuple):
    """Input and output sizes of a coarse-graining plan."""
    in_dim: int
    out_dim: int
    in_lx: int
    in_ly: int
    out_lx: int
    out_ly: int
    b: int


class RG(_Handle):
    """A coarse-graining plan: RG.decimation1d, RG.block2d or RG.learned (which
    keeps its stack alive: ``source``)."""
    _destroy_name = "rgrbm_rg_destroy"

    def __init__(self, _ptr, source=None):
        super().__init__(_ptr, deps=() if source is None else (source._res,))
        self.source = source

    @classmethod
    def decimation1d(cls, n_sites: int, b: int = 2) -> "RG":
        """Keep every b-th spin of a chain of n_sites."""
        return cls(_out_handle(lib.rgrbm_rg_create_decimation1d, _small(n_sites, "n_sites"),
                               _small(b, "b")))

    @classmethod
    def block2d(cls, lx: int, ly: int, b: int = 2, rule=BlockRule.MAJORITY,
                seed: int = 1) -> "RG":
        """b x b block spins of an lx x ly lattice by majority (ties at random) or decimation."""
        return cls(_out_handle(lib.rgrbm_rg_create_block2d, _small(lx, "lx"), _small(ly, "ly"),
                               _small(b, "b"), _enum_arg(BlockRule, rule, "rule"), _seed(seed)))

    @classmethod
    def learned(cls, stack: Stack, level: int, mode=RGMode.SIGN_MEAN, seed: int = 1) -> "RG":
        """Coarse spins from a trained stack's level (sign of the means, or samples)."""
        ptr = _handle(stack, Stack, "stack")
        return cls(_out_handle(lib.rgrbm_rg_create_learned, ptr, _small(level, "level"),
                               _enum_arg(RGMode, mode, "mode"), _seed(seed)), stack)

    @classmethod
    def conv(cls, layer: "Conv", lx: int, ly: int, mode=RGMode.SIGN_MEAN,
             seed: int = 1) -> "RG":
        """Coarse spins of an lx x ly lattice from a translation-invariant layer
        (keeps the layer alive: ``source``)."""
        ptr = _handle(layer, Conv, "layer")
        return cls(_out_handle(lib.rgrbm_rg_create_conv, ptr, _small(lx, "lx"), _small(ly, "ly"),
                               _enum_arg(RGMode, mode, "mode"), _seed(seed)), layer)

    @classmethod
    def learned_placed(cls, stack: Stack, level: int, lx: int, ly: int,
                       mode=RGMode.SIGN_MEAN, seed: int = 1) -> "RG":
        """A stack level's units placed on the coarse lattice by their receptive-field
        centres, outputs in site order: a plan Monte Carlo RG can run. Raises
        RgrbmError when the placement is not one-to-one (the message gives the
        fraction placed); ``placement`` holds the report."""
        ptr = _handle(stack, Stack, "stack")
        report = RgPlacement_()
        report.version = RgPlacement_._version
        rg = cls(_out_handle(lib.rgrbm_rg_create_learned_placed, ptr, _small(level, "level"),
                             _enum_arg(RGMode, mode, "mode"), _seed(seed), _small(lx, "lx"),
                             _small(ly, "ly"), ctypes.byref(report)), stack)
        rg.placement = _as_tuple(report)
        return rg

    @property
    def shape(self) -> RGShape:
        """Input and output sizes."""
        d = _call_out(lib.rgrbm_rg_shape, RgDims_, self._p)
        return RGShape(*d[1:])

    def apply(self, data: Dataset, out: Optional[Dataset] = None) -> Dataset:
        """Coarse-grain data, appending to out (a new Dataset when None); return it."""
        p, d = self._p, _handle(data, Dataset, "data")
        if out is None:
            out = Dataset(self.shape.out_dim)
        lib.rgrbm_rg_apply(p, d, _handle(out, Dataset, "out"))
        return out

    def _describe(self):
        s = self.shape
        return f"{s.in_dim} -> {s.out_dim} sites, b={s.b}"


def decimation1d_step(K: float, h: float = 0.0, b: int = 2) -> Tuple[float, float, float]:
    """One exact decimation step: (K', h', g)."""
    outs = [ctypes.c_double() for _ in range(3)]
    lib.rgrbm_decimation1d_step(_real(K, "K"), _real(h, "h"), _small(b, "b"),
                                *map(ctypes.byref, outs))
    return tuple(v.value for v in outs)


def decimation1d_flow(K: float, h: float = 0.0, b: int = 2,
                      steps: int = 1) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The flow: arrays (K_flow, h_flow, g_flow) of `steps` entries."""
    steps = _small(steps, "steps", 1)
    outs = [np.empty(steps, dtype=np.float64) for _ in range(3)]
    lib.rgrbm_decimation1d_flow(_real(K, "K"), _real(h, "h"), _small(b, "b"), steps,
                                *(_ptr(o, _double_p) for o in outs))
    return tuple(outs)


def vrg_check(stack: Stack, layer: int, model: Lattice):
    """Variational-RG report of one layer against a model lattice (a VrgReport tuple)."""
    return _call_out(lib.rgrbm_vrg_check, VrgReport_, _handle(stack, Stack, "stack"),
                     _small(layer, "layer"), _handle(model, Lattice, "model"))


McrgResult = collections.namedtuple("McrgResult", [n for n, _ in McrgResult_._fields_[:6]] + [
    f"{q}_{parity}{err}" for parity in ("even", "odd") for q in ("lambda", "y")
    for err in ("", "_err")])
McrgResult.__doc__ = ("Swendsen's MCRG result: counts, and (levels, operators) tables of "
                      "eigenvalues lambda and exponents y with their errors.")


def _mcrg_call(sampler, rg, options, run):
    """Check the arguments, call run(sampler, rg, options, result) and read
    the result into a McrgResult (freeing the library's arrays)."""
    smp, plan = _handle(sampler, Sampler, "sampler"), _handle(rg, RG, "rg")
    if options is not None and not isinstance(options, McrgOptions):
        raise TypeError(f"options must be a rgrbm.McrgOptions, not {type(options).__name__}")
    opts = ctypes.byref(options) if options is not None else None
    r = McrgResult_(version=MCRG_RESULT_VERSION)
    run(smp, plan, opts, ctypes.byref(r))
    try:
        tables = {}
        for parity, k in (("even", r.even_operators), ("odd", r.odd_operators)):
            shape = (r.levels, k)
            arr = np.ctypeslib.as_array(ctypes.cast(getattr(r, parity), _double_p),
                                        shape=(r.levels * k * 4,)).reshape(shape + (4,))
            for i, q in enumerate(("lambda", "lambda_err", "y", "y_err")):
                name = q.replace("_err", f"_{parity}_err") if "err" in q else f"{q}_{parity}"
                tables[name] = arr[..., i].copy()
    finally:
        lib.rgrbm_mcrg_result_free(ctypes.byref(r))
    return McrgResult(*(getattr(r, n) for n, _ in McrgResult_._fields_[:6]), **tables)


def mcrg_run(sampler: Sampler, rg: RG, options: Optional[McrgOptions] = None) -> McrgResult:
    """Swendsen's MCRG: a McrgResult tuple whose tables are (levels, operators)
    arrays (lambda_even[n - 1][k - 1]: level n, the first k even operators)."""
    return _mcrg_call(sampler, rg, options, lib.rgrbm_mcrg_run)
