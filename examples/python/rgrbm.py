"""ctypes binding of librgrbm's public C API.

Errors become :class:`RgrbmError` exceptions carrying ``rgrbm_last_error()``'s
message. Datasets and parameters are exchanged as numpy arrays; lattice spins,
weights and biases are exposed as numpy views of the library's own memory (no
copies), valid until the handle that owns them is closed.

Results that are C structs come back as namedtuples (Exact, Thermo, Estimate,
Locality, VrgReport, McrgResult, whose tables are numpy arrays); the ctypes
mirrors themselves carry a trailing underscore (Exact_, ...), except the
options structs CdOptions, AisOptions and McrgOptions, which are filled with
the library's defaults by their _init function and then by keyword.

Handles (Dataset, Lattice, Sampler, Stack, RG) are freed by ``close()``, by a
``with`` block or when garbage-collected. An object that borrows another (a
sampler its lattice or stack, a learned RG plan its stack) keeps a reference
to it, so the borrowed object cannot be collected first; closing a borrowed
object explicitly while a borrower still uses it is the caller's mistake, as in C.

The shared library is found through ``$RGRBM_LIBRARY`` (a path), then the
build tree next to this file (``../../build/lib``), then the system loader
(``librgrbm.so.1``).
"""
import collections
import ctypes
import ctypes.util
import enum
import os

import numpy as np

__all__ = ["RgrbmError", "Status", "Geometry", "Boundary", "Algorithm", "Units", "Pass", "Products",
           "Observable", "AisBase", "BlockRule", "RGMode", "Dataset", "Lattice", "Sampler",
           "Stack", "RG", "CdOptions", "AisOptions", "McrgOptions", "version",
           "version_number", "memory_in_use", "clear_error", "lib", "exact_chain",
           "exact_onsager", "exact_torus", "exact_enumerate", "series_mean",
           "series_binned_error", "series_tau_int", "measure", "measure_thermo",
           "measure_correlation", "measure_xi2", "receptive_locality", "cd_train",
           "stack_train", "decimation1d_step", "decimation1d_flow", "vrg_check", "mcrg_run",
           "K_CRITICAL"]

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
MCRG_OPTIONS_VERSION = 1
MCRG_RESULT_VERSION = 1
EXACT_VERSION = 1
THERMO_VERSION = 1
RG_DIMS_VERSION = 1
MCRG_MAX_LEVELS = 8
MCRG_EVEN = 6
MCRG_ODD = 4
MCRG_MIN_SIDE = 4
STACK_FORMAT_VERSION = 2
DECIMATION_TIE_WEIGHT = 20.0


def _enum(name, members, step=1):
    """An IntEnum numbering members 0, step, 2 step, ... as the C enum does."""
    return enum.IntEnum(name, [(m, i * step) for i, m in enumerate(members.split())])


# The C enums, named without their prefixes (RGRBM_EINVAL is Status.EINVAL,
# RGRBM_UNITS_SPIN is Units.SPIN, ...).
Status = _enum("Status", "OK EINVAL ENOMEM EIO EFORMAT ENUMERIC ECANCELED EUNSUPPORTED", -1)
Geometry = _enum("Geometry", "CHAIN SQUARE")
Boundary = _enum("Boundary", "PERIODIC OPEN")
Algorithm = _enum("Algorithm", "METROPOLIS HEAT_BATH WOLFF SWENDSEN_WANG")
Units = _enum("Units", "BINARY SPIN")
Pass = _enum("Pass", "MEANS SAMPLES")
Products = _enum("Products", "AUTO SGEMM TABLES")
Observable = _enum("Observable", "BOND_MEAN MAGNETIZATION ABS_MAGNETIZATION MAGNETIZATION2 "
                                 "MAGNETIZATION4 ENERGY")
AisBase = _enum("AisBase", "ZERO DATA")
BlockRule = _enum("BlockRule", "MAJORITY DECIMATE")
RGMode = _enum("RGMode", "SIGN_MEAN SAMPLE")


def _load():
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get("RGRBM_LIBRARY"),
                  os.path.join(here, "..", "..", "build", "lib", "librgrbm.so"),
                  ctypes.util.find_library("rgrbm"), "librgrbm.so.1"]
    errors = []
    for path in candidates:
        if not path:
            continue
        try:
            return ctypes.CDLL(path)
        except OSError as exc:
            errors.append(f"{path}: {exc}")
    raise OSError("cannot load librgrbm: " + "; ".join(errors))


lib = _load()


class RgrbmError(RuntimeError):
    """A failed librgrbm call: ``status`` is the negative code, ``name`` the
    status's name and meaning, ``args[0]`` the library's message (``str()``
    is the status's short name followed by the message)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.name = lib.rgrbm_strerror(status).decode()

    def __str__(self):
        # Tracebacks then show the status too, e.g. "RGRBM_EINVAL: rgrbm_...: dim = 0, ...".
        return f"{self.name.split(':')[0]}: {self.args[0]}"


def _raise_last(status):
    raise RgrbmError(status, lib.rgrbm_last_error().decode())


def check(status):
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


class McrgExponent_(ctypes.Structure):
    _fields_ = [(n, _d) for n in ("lambda", "lambda_err", "y", "y_err")]


class McrgResult_(ctypes.Structure):
    _version = MCRG_RESULT_VERSION
    _fields_ = [("version", ctypes.c_uint), ("levels", _i), ("even_operators", _i),
                ("odd_operators", _i), ("b", _i), ("samples", _z),
                ("even", ctypes.POINTER(McrgExponent_)), ("odd", ctypes.POINTER(McrgExponent_))]


PROGRESS_FN = ctypes.CFUNCTYPE(_i, _h, _i, _i, _d, _d, _d)


class _Options(ctypes.Structure):
    """A versioned options struct: fields set by the library's _init, then by keyword."""
    _init = None

    def __init__(self, **fields):
        super().__init__()
        type(self)._init(ctypes.byref(self), self._version)
        for name, value in fields.items():
            setattr(self, name, value)

    def __repr__(self):
        body = ", ".join(f"{n}={getattr(self, n)!r}" for n, _ in self._fields_)
        return f"{type(self).__name__}({body})"


class CdOptions(_Options):
    """rgrbm_cd_options. ``progress`` may be set to a Python callable
    ``f(layer, epoch, reconstruction_error, pll, seconds)``: a true return
    value cancels training (RgrbmError ECANCELED); an exception it raises
    cancels training and is re-raised by cd_train / stack_train."""
    _fields_ = [("version", ctypes.c_uint), ("epochs", _i), ("batch_size", _z), ("k", _i),
                ("persistent", _i), ("persistent_chains", _z), ("learning_rate", _d),
                ("momentum_initial", _d), ("momentum_final", _d),
                ("momentum_switch_epoch", _i), ("l1", _d), ("l2", _d),
                ("mean_field_reconstruction", _i), ("feed_up", _i), ("compute_pll", _i),
                ("seed", _u64), ("progress", PROGRESS_FN), ("progress_data", _h),
                ("products", _i)]
    _version = CD_OPTIONS_VERSION

    def __setattr__(self, name, value):
        if name == "progress" and not isinstance(value, PROGRESS_FN):
            value = PROGRESS_FN() if value is None else self._wrap_progress(value)
        super().__setattr__(name, value)

    def _wrap_progress(self, fn):
        def trampoline(user, layer, epoch, rec, pll, seconds):
            try:
                return 1 if fn(layer, epoch, rec, pll, seconds) else 0
            except BaseException as exc:  # noqa: B902 - must not unwind through C
                self.__dict__["_pending"] = exc
                return 1
        # The CFUNCTYPE object must outlive every C call that may invoke it.
        c_fn = PROGRESS_FN(trampoline)
        self.__dict__["_progress_ref"] = c_fn
        return c_fn

    def _take_pending(self):
        return self.__dict__.pop("_pending", None)


class AisOptions(_Options):
    """rgrbm_ais_options; ``data`` takes a Dataset (kept alive by the options)."""
    _fields_ = [("version", ctypes.c_uint), ("betas", _i), ("runs", _z), ("base", _i),
                ("data", _h), ("reverse_burn_in", _u64), ("margin", _d),
                ("seed", _u64)]
    _version = AIS_OPTIONS_VERSION

    def __setattr__(self, name, value):
        if name == "data":
            self.__dict__["_data_ref"] = value
            value = value._as_parameter_ if value is not None else None
        super().__setattr__(name, value)


class McrgOptions(_Options):
    """rgrbm_mcrg_options."""
    _fields_ = [("version", ctypes.c_uint), ("levels", _i), ("samples", _z),
                ("thermalize", _u64), ("spacing", _u64), ("bins", _z),
                ("even_operators", _i), ("odd_operators", _i)]
    _version = MCRG_OPTIONS_VERSION


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
    ("rgrbm_exact_enumerate", _STATUS, [_i, _i, _i, _i, _d, _d, _ref(Exact_)]),
    ("rgrbm_series_mean", _STATUS, [_double_p, _z, _double_p]),
    ("rgrbm_series_binned_error", _STATUS, [_double_p, _z, _z, _double_p]),
    ("rgrbm_series_tau_int", _STATUS, [_double_p, _z, _double_p]),
    ("rgrbm_measure", _STATUS, [_h, _h, _i, _double_p]),
    ("rgrbm_measure_thermo", _STATUS, [_h, _h, _z, _ref(Thermo_)]),
    ("rgrbm_measure_correlation", _STATUS, [_h, _h, _i, _double_p]),
    ("rgrbm_measure_xi2", _STATUS, [_h, _h, _z, _ref(Estimate_)]),
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

CdOptions._init = lib.rgrbm_cd_options_init
AisOptions._init = lib.rgrbm_ais_options_init
McrgOptions._init = lib.rgrbm_mcrg_options_init


def version():
    return lib.rgrbm_version_string().decode()


CPU_FLAG_AVX2 = 1 << 0
CPU_FLAG_AVX512 = 1 << 1
CPU_FLAG_AVX512VBMI = 1 << 2
CPU_FLAG_NEON = 1 << 8
CPU_FLAG_ALL = 0xFFFFFFFF


def cpu_flags():
    """The RGRBM_CPU_FLAG_* bits this CPU offers (before the mask)."""
    return lib.rgrbm_cpu_flags()


def set_cpu_mask(mask):
    """Limit the kernels to the levels in mask (process-wide; 0 = generic C)."""
    lib.rgrbm_cpu_set_mask(int(mask) & 0xFFFFFFFF)


def cpu_level():
    """The kernel level in use: 'avx512vbmi', 'avx512', 'avx2', 'neon' or 'generic'."""
    return lib.rgrbm_cpu_level_name().decode()


def version_number():
    """MAJOR*10000 + MINOR*100 + PATCH of the loaded library."""
    return lib.rgrbm_version()


def memory_in_use():
    """Bytes held by the library's own allocations."""
    return lib.rgrbm_memory_in_use()


def clear_error():
    lib.rgrbm_clear_error()


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


_TUPLES = {}


def _call_out(fn, struct_type, *args):
    """Call fn(*args, &struct) and return the struct as a namedtuple."""
    out = struct_type()
    if hasattr(struct_type, "_version"):
        out.version = struct_type._version
    fn(*args, ctypes.byref(out))
    return _as_tuple(out)


class _Handle:
    """Owns one C handle; frees it with the class's destroy function."""
    _destroy = None

    def __init__(self, ptr):
        self._ptr = ptr

    @property
    def _as_parameter_(self):
        if not self._ptr:
            raise ValueError("the handle has been closed")
        return self._ptr

    def close(self):
        if getattr(self, "_ptr", None):
            type(self)._destroy(self._ptr)
            self._ptr = None

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _out_handle(create, *args):
    ptr = ctypes.c_void_p()
    create(ctypes.byref(ptr), *args)
    return ptr


def _view(ptr, shape, dtype, owner):
    """A numpy view of library memory that keeps `owner` (the handle) alive."""
    count = int(np.prod(shape))
    buf = (np.ctypeslib.as_ctypes_type(dtype) * count).from_address(
        ctypes.addressof(ptr.contents))
    buf._owner = owner
    return np.frombuffer(buf, dtype=dtype).reshape(shape)


def _spins(array, dim):
    a = np.ascontiguousarray(array, dtype=np.int8)
    if a.ndim == 1:
        a = a.reshape(1, -1)
    a = a.reshape(a.shape[0], -1)
    if a.shape[1] != dim:
        raise ValueError(f"configurations have {a.shape[1]} spins, the dataset {dim}")
    return a


def _doubles(x):
    a = np.ascontiguousarray(x, dtype=np.float64).ravel()
    return a, a.ctypes.data_as(_double_p)


def _floats(x, width):
    """A C-contiguous float32 (n, width) batch and its pointer."""
    a = np.ascontiguousarray(x, dtype=np.float32)
    a = a.reshape(1, -1) if a.ndim == 1 else a
    if a.ndim != 2 or a.shape[1] != width:
        raise ValueError(f"batch of shape {np.shape(x)}, expected (n, {width})")
    return a, a.ctypes.data_as(_float_p)


def _empty_floats(*shape):
    a = np.empty(shape, dtype=np.float32)
    return a, a.ctypes.data_as(_float_p)


class Dataset(_Handle):
    """Configurations of ``dim`` spins (-1/+1), packed at one bit a spin."""
    _destroy = lib.rgrbm_dataset_destroy

    def __init__(self, dim=None, *, shape=None, _ptr=None):
        if _ptr is None:
            if shape is not None:
                ly, lx = shape
                dim = lx * ly
            _ptr = _out_handle(lib.rgrbm_dataset_create, dim)
        super().__init__(_ptr)
        if shape is not None:
            self.shape2d = shape

    @classmethod
    def from_array(cls, spins):
        """A dataset from an (N, dim) or (N, ly, lx) int8 array of -1/+1."""
        spins = np.asarray(spins)
        shape = spins.shape[1:] if spins.ndim == 3 else None
        ds = cls(int(np.prod(spins.shape[1:])), shape=shape)
        ds.append(spins)
        return ds

    @classmethod
    def load_npy(cls, path):
        return cls(_ptr=_out_handle(lib.rgrbm_dataset_load_npy, os.fsencode(path)))

    def save_npy(self, path):
        lib.rgrbm_dataset_save_npy(self, os.fsencode(path))

    def __len__(self):
        return lib.rgrbm_dataset_count(self)

    @property
    def dim(self):
        return lib.rgrbm_dataset_dim(self)

    @property
    def shape2d(self):
        """(ly, lx), or None when no 2D shape is set."""
        lx, ly = ctypes.c_int(), ctypes.c_int()
        lib.rgrbm_dataset_shape(self, ctypes.byref(lx), ctypes.byref(ly))
        return (ly.value, lx.value) if lx.value else None

    @shape2d.setter
    def shape2d(self, shape):
        ly, lx = shape
        lib.rgrbm_dataset_set_shape(self, lx, ly)

    def append(self, spins):
        a = _spins(spins, self.dim)
        lib.rgrbm_dataset_append(self, a.ctypes.data_as(_c_int8_p), a.shape[0])

    def reserve(self, count):
        lib.rgrbm_dataset_reserve(self, count)

    def clear(self):
        lib.rgrbm_dataset_clear(self)

    def to_array(self, first=0, count=None):
        """Configurations as int8, shape (N, dim) or (N, ly, lx)."""
        if count is None:
            count = len(self) - first
        out = np.empty((count, self.dim), dtype=np.int8)
        lib.rgrbm_dataset_get(self, first, count, out.ctypes.data_as(_c_int8_p))
        shape = self.shape2d
        return out.reshape(count, *shape) if shape else out


class Lattice(_Handle):
    """An Ising chain or square lattice; ``spins`` is a view of its memory."""
    _destroy = lib.rgrbm_lattice_destroy

    def __init__(self, geometry, lx, ly=1, boundary=Boundary.PERIODIC, K=0.0, h=0.0):
        super().__init__(_out_handle(lib.rgrbm_lattice_create, geometry, lx, ly, boundary))
        self.set_couplings(K, h)

    @classmethod
    def chain(cls, n, K=0.0, h=0.0, boundary=Boundary.PERIODIC):
        return cls(Geometry.CHAIN, n, 1, boundary, K, h)

    @classmethod
    def square(cls, lx, ly=None, K=0.0, h=0.0, boundary=Boundary.PERIODIC):
        return cls(Geometry.SQUARE, lx, lx if ly is None else ly, boundary, K, h)

    def set_couplings(self, K, h=0.0):
        lib.rgrbm_lattice_set_couplings(self, K, h)

    @property
    def couplings(self):
        """(K, h)."""
        K, h = ctypes.c_double(), ctypes.c_double()
        lib.rgrbm_lattice_couplings(self, ctypes.byref(K), ctypes.byref(h))
        return K.value, h.value

    @property
    def shape(self):
        """(geometry, lx, ly, boundary) as created."""
        vals = [ctypes.c_int() for _ in range(4)]
        lib.rgrbm_lattice_shape(self, *map(ctypes.byref, vals))
        g, lx, ly, bc = (v.value for v in vals)
        return Geometry(g), lx, ly, Boundary(bc)

    def __len__(self):
        return lib.rgrbm_lattice_sites(self)

    @property
    def spins(self):
        """int8 view (ly, lx) of the spins (a chain: (lx,)); writes go to the lattice."""
        g, lx, ly, _ = self.shape
        shape = (lx,) if g == Geometry.CHAIN else (ly, lx)
        return _view(lib.rgrbm_lattice_spins(self), shape, np.int8, self)

    def bond_mean(self):
        return self._observable(lib.rgrbm_lattice_bond_mean)

    def magnetization(self):
        return self._observable(lib.rgrbm_lattice_magnetization)

    def energy(self):
        return self._observable(lib.rgrbm_lattice_energy)

    def _observable(self, fn):
        out = ctypes.c_double()
        fn(self, ctypes.byref(out))
        return out.value

    def fill(self, value):
        lib.rgrbm_lattice_fill(self, value)

    def randomize(self, seed):
        lib.rgrbm_lattice_randomize(self, seed)


class Sampler(_Handle):
    """A Markov chain over a Lattice (``Sampler(lattice, algorithm, seed)``) or
    block Gibbs chains over a Stack (``Sampler.gibbs``)."""
    _destroy = lib.rgrbm_sampler_destroy

    def __init__(self, lattice, algorithm=Algorithm.METROPOLIS, seed=1):
        super().__init__(_out_handle(lib.rgrbm_sampler_create, lattice, algorithm, seed))
        self.source = lattice

    @classmethod
    def gibbs(cls, stack, layer=-1, chains=1, seed=1):
        self = cls.__new__(cls)
        _Handle.__init__(self, _out_handle(lib.rgrbm_sampler_create_gibbs, stack, layer,
                                           chains, seed))
        self.source = stack
        self._level = max(layer, 0)  # the level its configurations live on
        return self

    def sweep(self, sweeps=1):
        lib.rgrbm_sampler_sweep(self, sweeps)

    def draw(self, count, thermalize=0, spacing=1, out=None):
        """Append count configurations to out (a new Dataset when None); return it."""
        if out is None:
            out = Dataset(self._dim())
        lib.rgrbm_sampler_draw(self, count, thermalize, spacing, out)
        return out

    def _dim(self):
        if isinstance(self.source, Lattice):
            return len(self.source)
        return self.source.size(self._level)


def exact_chain(n, K, h=0.0, boundary=Boundary.PERIODIC):
    """The chain of n sites by transfer matrix: an Exact namedtuple."""
    return _call_out(lib.rgrbm_exact_chain, Exact_, n, K, h, boundary)


def exact_onsager(K):
    return _call_out(lib.rgrbm_exact_onsager, Exact_, K)


def exact_torus(lx, ly, K):
    return _call_out(lib.rgrbm_exact_torus, Exact_, lx, ly, K)


def exact_enumerate(geometry, lx, ly, boundary, K, h=0.0):
    return _call_out(lib.rgrbm_exact_enumerate, Exact_, geometry, lx, ly, boundary, K, h)


def _series(fn, x, *extra):
    a, p = _doubles(x)
    out = ctypes.c_double()
    fn(p, a.size, *extra, ctypes.byref(out))
    return out.value


def series_mean(x):
    return _series(lib.rgrbm_series_mean, x)


def series_binned_error(x, bins):
    return _series(lib.rgrbm_series_binned_error, x, bins)


def series_tau_int(x):
    return _series(lib.rgrbm_series_tau_int, x)


def measure(data, model, observable):
    """One observable per configuration of data (a float64 array)."""
    out = np.empty(len(data), dtype=np.float64)
    lib.rgrbm_measure(data, model, observable, out.ctypes.data_as(_double_p))
    return out


def measure_thermo(data, model, bins=20):
    """Ensemble estimates: a Thermo namedtuple of Estimate(value, error)."""
    return _call_out(lib.rgrbm_measure_thermo, Thermo_, data, model, bins)


def measure_correlation(data, model, rmax):
    g = np.empty(rmax + 1, dtype=np.float64)
    lib.rgrbm_measure_correlation(data, model, rmax, g.ctypes.data_as(_double_p))
    return g


def measure_xi2(data, model, bins=20):
    return _call_out(lib.rgrbm_measure_xi2, Estimate_, data, model, bins)


FieldLocality = collections.namedtuple("FieldLocality",
                                       "centre_x centre_y gyration block_fraction")


def receptive_locality(rf, lx, ly, b):
    """Per-unit locality of receptive fields rf ((lx*ly) x units): arrays in a FieldLocality."""
    a, p = _floats(rf, np.shape(rf)[-1])
    outs = [np.empty(a.shape[1], dtype=np.float64) for _ in FieldLocality._fields]
    lib.rgrbm_receptive_locality(p, lx, ly, a.shape[1], b,
                                 *(o.ctypes.data_as(_double_p) for o in outs))
    return FieldLocality(*outs)


class Stack(_Handle):
    """A stack of RBMs; levels 0..depth, level 0 visible."""
    _destroy = lib.rgrbm_stack_destroy

    def __init__(self, sizes, units=Units.BINARY, seed=1, *, _ptr=None):
        if _ptr is None:
            arr = (ctypes.c_int * len(sizes))(*sizes)
            _ptr = _out_handle(lib.rgrbm_stack_create, arr, len(sizes), units, seed)
        super().__init__(_ptr)

    @classmethod
    def load(cls, path):
        return cls(None, _ptr=_out_handle(lib.rgrbm_stack_load, os.fsencode(path)))

    @classmethod
    def decimation1d(cls, n_sites, K, levels):
        """The exact decimation network of a periodic chain (docs/rg.md)."""
        return cls(None, _ptr=_out_handle(lib.rgrbm_decimation1d_stack, n_sites, K,
                                          levels))

    def save(self, path):
        lib.rgrbm_stack_save(self, os.fsencode(path))

    def export_npy(self, prefix):
        lib.rgrbm_stack_export_npy(self, os.fsencode(prefix))

    @property
    def depth(self):
        return lib.rgrbm_stack_depth(self)

    def size(self, level):
        return lib.rgrbm_stack_size(self, level)

    @property
    def sizes(self):
        return [self.size(level) for level in range(self.depth + 1)]

    @property
    def units(self):
        return Units(lib.rgrbm_stack_units(self))

    def set_units(self, units):
        """Change the unit convention exactly (views stay valid: same memory)."""
        lib.rgrbm_stack_set_units(self, units)

    def weights(self, layer):
        """float32 view (size(layer), size(layer+1)) of the layer's weights."""
        shape = (self.size(layer), self.size(layer + 1)) if 0 <= layer < self.depth else (0,)
        return _view(lib.rgrbm_stack_weights(self, layer), shape, np.float32, self)

    def visible_bias(self, layer):
        return self._bias(lib.rgrbm_stack_visible_bias, layer, layer)

    def hidden_bias(self, layer):
        return self._bias(lib.rgrbm_stack_hidden_bias, layer, layer + 1)

    def _bias(self, fn, layer, level):
        ptr = fn(self, layer)  # raises for a layer out of range, before size()
        return _view(ptr, (self.size(level),), np.float32, self)

    def _pass(self, fn, from_, to, x, *extra):
        a, p = _floats(x, self.size(from_))
        out, q = _empty_floats(a.shape[0], self.size(to))
        fn(self, from_, to, p, a.shape[0], *extra, q)
        return out

    def up(self, x, from_=0, to=None):
        """Conditional means of level `to` (default depth) given rows x of level from_."""
        return self._pass(lib.rgrbm_stack_up, from_, self.depth if to is None else to, x)

    def down(self, x, from_=None, to=0):
        return self._pass(lib.rgrbm_stack_down, self.depth if from_ is None else from_, to, x)

    def sample_up(self, x, from_=0, to=None, seed=1):
        return self._pass(lib.rgrbm_stack_sample_up, from_,
                          self.depth if to is None else to, x, seed)

    def sample_down(self, x, from_=None, to=0, seed=1):
        return self._pass(lib.rgrbm_stack_sample_down,
                          self.depth if from_ is None else from_, to, x, seed)

    def reconstruct(self, x, level=None, pass_=Pass.MEANS, seed=1):
        """Up from level 0 to `level` and back down."""
        a, p = _floats(x, self.size(0))
        out, q = _empty_floats(*a.shape)
        lib.rgrbm_stack_reconstruct(self, self.depth if level is None else level, pass_, p,
                                    a.shape[0], seed, q)
        return out

    def free_energy(self, layer, v):
        a, p = _floats(v, self.size(layer))
        out = np.empty(a.shape[0], dtype=np.float64)
        lib.rgrbm_stack_free_energy(self, layer, p, a.shape[0], out.ctypes.data_as(_double_p))
        return out

    def _scalar(self, fn, *args):
        out = ctypes.c_double()
        fn(self, *args, ctypes.byref(out))
        return out.value

    def log_partition(self, layer=0):
        return self._scalar(lib.rgrbm_stack_log_partition, layer)

    def log_partition_ais(self, layer=0, options=None):
        """(lower, upper) bracket of ln Z by forward and reverse AIS."""
        lo, hi = ctypes.c_double(), ctypes.c_double()
        opts = ctypes.byref(options) if options is not None else None
        lib.rgrbm_ais_log_partition(self, layer, opts, ctypes.byref(lo), ctypes.byref(hi))
        return lo.value, hi.value

    def log_likelihood(self, layer, data):
        return self._scalar(lib.rgrbm_stack_log_likelihood, layer, data)

    def pseudo_log_likelihood(self, layer, data):
        return self._scalar(lib.rgrbm_stack_pseudo_log_likelihood, layer, data)

    def receptive_field(self, level):
        """r(level) = W(0)...W(level-1) as a float32 (size(0), size(level)) array."""
        out, q = _empty_floats(self.size(0), self.size(level))
        lib.rgrbm_receptive_field(self, level, q)
        return out

    def locality(self, level, lx, ly, b):
        """Mean and spread of the level's receptive-field locality: a Locality_ tuple."""
        return _call_out(lib.rgrbm_receptive_summarize, Locality_, self, level, lx, ly, b)


def _train(call, options_list):
    """Run a training call; re-raise an exception a progress callback raised."""
    try:
        call()
    except RgrbmError as exc:
        for o in options_list:
            pending = o._take_pending()
            if pending is not None:
                raise pending from exc
        raise


def cd_train(stack, layer, data, options=None):
    """Train one layer by CD-k / PCD-k (rgrbm_cd_train)."""
    options = CdOptions() if options is None else options
    _train(lambda: lib.rgrbm_cd_train(stack, layer, data, ctypes.byref(options)), [options])


def stack_train(stack, data, per_layer):
    """Greedy layer-wise training: per_layer is one CdOptions, or one per layer."""
    if isinstance(per_layer, CdOptions):
        per_layer = [per_layer] * stack.depth
    if len(per_layer) != stack.depth:
        raise ValueError(f"{len(per_layer)} options for {stack.depth} layers")
    arr = (CdOptions * len(per_layer))(*per_layer)
    _train(lambda: lib.rgrbm_cd_train_stack(stack, data, arr), per_layer)


RGShape = collections.namedtuple("RGShape", "in_dim out_dim in_lx in_ly out_lx out_ly b")


class RG(_Handle):
    """A coarse-graining plan: RG.decimation1d, RG.block2d or RG.learned."""
    _destroy = lib.rgrbm_rg_destroy

    def __init__(self, _ptr, source=None):
        super().__init__(_ptr)
        self.source = source

    @classmethod
    def decimation1d(cls, n_sites, b=2):
        return cls(_out_handle(lib.rgrbm_rg_create_decimation1d, n_sites, b))

    @classmethod
    def block2d(cls, lx, ly, b=2, rule=BlockRule.MAJORITY, seed=1):
        return cls(_out_handle(lib.rgrbm_rg_create_block2d, lx, ly, b, rule, seed))

    @classmethod
    def learned(cls, stack, level, mode=RGMode.SIGN_MEAN, seed=1):
        return cls(_out_handle(lib.rgrbm_rg_create_learned, stack, level, mode, seed), stack)

    @property
    def shape(self):
        d = _call_out(lib.rgrbm_rg_shape, RgDims_, self)
        return RGShape(*d[1:])

    def apply(self, data, out=None):
        """Coarse-grain data, appending to out (a new Dataset when None); return it."""
        if out is None:
            out = Dataset(self.shape.out_dim)
        lib.rgrbm_rg_apply(self, data, out)
        return out


def decimation1d_step(K, h=0.0, b=2):
    """One exact decimation step: (K', h', g)."""
    outs = [ctypes.c_double() for _ in range(3)]
    lib.rgrbm_decimation1d_step(K, h, b, *map(ctypes.byref, outs))
    return tuple(v.value for v in outs)


def decimation1d_flow(K, h=0.0, b=2, steps=1):
    """The flow: arrays (K_flow, h_flow, g_flow) of `steps` entries."""
    outs = [np.empty(steps, dtype=np.float64) for _ in range(3)]
    lib.rgrbm_decimation1d_flow(K, h, b, steps, *(o.ctypes.data_as(_double_p) for o in outs))
    return tuple(outs)


def vrg_check(stack, layer, model):
    """Variational-RG report of one layer against a model lattice (a VrgReport tuple)."""
    return _call_out(lib.rgrbm_vrg_check, VrgReport_, stack, layer, model)


McrgResult = collections.namedtuple("McrgResult", [n for n, _ in McrgResult_._fields_[:6]] + [
    f"{q}_{parity}{err}" for parity in ("even", "odd") for q in ("lambda", "y")
    for err in ("", "_err")])


def mcrg_run(sampler, rg, options=None):
    """Swendsen's MCRG: a McrgResult tuple whose tables are (levels, operators)
    arrays (lambda_even[n - 1][k - 1]: level n, the first k even operators)."""
    opts = ctypes.byref(options) if options is not None else None
    r = McrgResult_(version=MCRG_RESULT_VERSION)
    lib.rgrbm_mcrg_run(sampler, rg, opts, ctypes.byref(r))
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
