"""Finding and loading the shared library librgrbm.

Order: ``$RGRBM_LIBRARY`` (a path; an override for build trees and tests),
then the library installed with this package (the path meson recorded in
``_config.py`` at install time, or a meson-python wheel's
``.rgrbm.mesonpy.libs``), then the system loader by soname
(``librgrbm.so.1``: ``/usr/lib``, ``/usr/local/lib``, ``ld.so.conf``,
``$LD_LIBRARY_PATH``).
"""
import ctypes
import glob
import os

#: The soname this package's declarations are written for; a test compares
#: it with the library the build produces.
SONAME = "librgrbm.so.1"


def _installed_paths():
    """The library meson installed with this package: in the libdir recorded
    at configuration, or, in a wheel built by meson-python, in the
    .rgrbm.mesonpy.libs directory next to the package."""
    paths = []
    try:
        from . import _config
        paths.append(os.path.join(_config.LIBDIR, _config.SONAME))
    except ImportError:  # a source tree: no install-time configuration
        pass
    wheel_libs = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                              ".rgrbm.mesonpy.libs")
    paths += sorted(glob.glob(os.path.join(wheel_libs, SONAME + "*")))
    return paths


def _load_first(variable, candidates, name, advice):
    """The ctypes.CDLL of ``$variable`` when it is set (alone), else of the
    first of candidates() that loads; OSError saying what was tried, then
    advice."""
    override = os.environ.get(variable)
    if override:
        try:
            return ctypes.CDLL(override)
        except OSError as exc:
            raise OSError(f"cannot load ${variable} = {override!r}: {exc}") from exc
    tried = []
    for candidate in candidates():
        try:
            return ctypes.CDLL(candidate)
        except OSError as exc:
            tried.append(f"{candidate}: {exc}")
    raise OSError(f"cannot load {name} (" + "; ".join(tried) + "). " + advice)


def load():
    """Load librgrbm and return the ctypes.CDLL; OSError saying what was tried."""
    return _load_first("RGRBM_LIBRARY", lambda: _installed_paths() + [SONAME], "librgrbm",
                       "Install it (meson install) where the dynamic loader finds it, or set "
                       f"$RGRBM_LIBRARY to the path of {SONAME}.")


#: The soname of librgrbm_mpi (rgrbm/mpi.h), loaded by rgrbm.mpi only.
MPI_SONAME = "librgrbm_mpi.so.1"


def load_mpi():
    """Load librgrbm_mpi: ``$RGRBM_MPI_LIBRARY`` (a path), then beside the
    installed librgrbm (or, in a build tree, beside ``$RGRBM_LIBRARY`` and in
    its ``mpi/`` folder), then by soname; OSError saying what was tried."""
    return _load_first("RGRBM_MPI_LIBRARY", _mpi_candidates, "librgrbm_mpi",
                       "Build librgrbm with MPI (meson -Dmpi=enabled) and install it, or set "
                       f"$RGRBM_MPI_LIBRARY to the path of {MPI_SONAME}.")


def _mpi_candidates():
    places = [os.path.dirname(p) for p in _installed_paths()]
    if os.environ.get("RGRBM_LIBRARY"):
        core_dir = os.path.dirname(os.path.abspath(os.environ["RGRBM_LIBRARY"]))
        places += [core_dir, os.path.join(core_dir, "mpi")]
    return [os.path.join(p, MPI_SONAME) for p in places] + [MPI_SONAME]
