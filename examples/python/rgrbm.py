"""ctypes binding of librgrbm's public C API.

Errors become :class:`RgrbmError` exceptions carrying ``rgrbm_last_error()``'s
message. Datasets and parameters are exchanged as numpy arrays; weights and
biases are exposed as numpy views of the library's own memory (no copies).

The shared library is found through ``$RGRBM_LIBRARY`` (a path), then the
build tree next to this file (``../../build/lib``), then the system loader
(``librgrbm.so.0``).
"""
import ctypes
import ctypes.util
import os

import numpy as np

__all__ = ["RgrbmError", "Dataset", "version", "memory_in_use", "lib"]

_c_int8_p = ctypes.POINTER(ctypes.c_int8)


def _load():
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get("RGRBM_LIBRARY"),
                  os.path.join(here, "..", "..", "build", "lib", "librgrbm.so"),
                  ctypes.util.find_library("rgrbm"), "librgrbm.so.0"]
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


def _declare(name, restype, *argtypes):
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = list(argtypes)
    return fn


_declare("rgrbm_strerror", ctypes.c_char_p, ctypes.c_int)
_declare("rgrbm_last_error", ctypes.c_char_p)
_declare("rgrbm_clear_error", None)
_declare("rgrbm_memory_in_use", ctypes.c_size_t)
_declare("rgrbm_version", ctypes.c_uint)
_declare("rgrbm_version_string", ctypes.c_char_p)

_declare("rgrbm_dataset_create", ctypes.c_int, ctypes.POINTER(ctypes.c_void_p), ctypes.c_size_t)
_declare("rgrbm_dataset_destroy", None, ctypes.c_void_p)
_declare("rgrbm_dataset_count", ctypes.c_size_t, ctypes.c_void_p)
_declare("rgrbm_dataset_dim", ctypes.c_size_t, ctypes.c_void_p)
_declare("rgrbm_dataset_set_shape", ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int)
_declare("rgrbm_dataset_shape", ctypes.c_int, ctypes.c_void_p,
         ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))
_declare("rgrbm_dataset_reserve", ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t)
_declare("rgrbm_dataset_clear", ctypes.c_int, ctypes.c_void_p)
_declare("rgrbm_dataset_append", ctypes.c_int, ctypes.c_void_p, _c_int8_p, ctypes.c_size_t)
_declare("rgrbm_dataset_get", ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t,
         _c_int8_p)
_declare("rgrbm_dataset_save_npy", ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p)
_declare("rgrbm_dataset_load_npy", ctypes.c_int, ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p)


class RgrbmError(RuntimeError):
    """A failed librgrbm call: ``status`` is the negative code, ``str()`` the message."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.name = lib.rgrbm_strerror(status).decode()


def check(status):
    """Raise RgrbmError for a nonzero status, with the thread's last message."""
    if status != 0:
        raise RgrbmError(status, lib.rgrbm_last_error().decode())
    return status


def version():
    return lib.rgrbm_version_string().decode()


def memory_in_use():
    """Bytes held by the library's own allocations."""
    return lib.rgrbm_memory_in_use()


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
        if self._ptr:
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
    check(create(ctypes.byref(ptr), *args))
    return ptr


def _spins(array, dim):
    a = np.ascontiguousarray(array, dtype=np.int8)
    if a.ndim == 1:
        a = a.reshape(1, -1)
    a = a.reshape(a.shape[0], -1)
    if a.shape[1] != dim:
        raise ValueError(f"configurations have {a.shape[1]} spins, the dataset {dim}")
    return a


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
        check(lib.rgrbm_dataset_save_npy(self, os.fsencode(path)))

    def __len__(self):
        return lib.rgrbm_dataset_count(self)

    @property
    def dim(self):
        return lib.rgrbm_dataset_dim(self)

    @property
    def shape2d(self):
        """(ly, lx), or None when no 2D shape is set."""
        lx, ly = ctypes.c_int(), ctypes.c_int()
        check(lib.rgrbm_dataset_shape(self, ctypes.byref(lx), ctypes.byref(ly)))
        return (ly.value, lx.value) if lx.value else None

    @shape2d.setter
    def shape2d(self, shape):
        ly, lx = shape
        check(lib.rgrbm_dataset_set_shape(self, lx, ly))

    def append(self, spins):
        a = _spins(spins, self.dim)
        check(lib.rgrbm_dataset_append(self, a.ctypes.data_as(_c_int8_p), a.shape[0]))

    def reserve(self, count):
        check(lib.rgrbm_dataset_reserve(self, count))

    def clear(self):
        check(lib.rgrbm_dataset_clear(self))

    def to_array(self, first=0, count=None):
        """Configurations as int8, shape (N, dim) or (N, ly, lx)."""
        if count is None:
            count = len(self) - first
        out = np.empty((count, self.dim), dtype=np.int8)
        check(lib.rgrbm_dataset_get(self, first, count, out.ctypes.data_as(_c_int8_p)))
        shape = self.shape2d
        return out.reshape(count, *shape) if shape else out
