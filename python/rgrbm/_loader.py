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


def load():
    """Load librgrbm and return the ctypes.CDLL; OSError saying what was tried."""
    override = os.environ.get("RGRBM_LIBRARY")
    if override:
        try:
            return ctypes.CDLL(override)
        except OSError as exc:
            raise OSError(f"cannot load $RGRBM_LIBRARY = {override!r}: {exc}") from exc
    tried = []
    for candidate in _installed_paths() + [SONAME]:
        try:
            return ctypes.CDLL(candidate)
        except OSError as exc:
            tried.append(f"{candidate}: {exc}")
    raise OSError("cannot load librgrbm (" + "; ".join(tried) + "). Install it (meson install) "
                  "where the dynamic loader finds it, or set $RGRBM_LIBRARY to the path of "
                  f"{SONAME}.")
