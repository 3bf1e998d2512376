"""Finding and loading the shared library librgrbm.

Order: ``$RGRBM_LIBRARY`` (a path; an override for build trees and tests),
then the library installed with this package (the path meson recorded in
``_config.py`` at install time), then the system loader by soname
(``librgrbm.so.1``: ``/usr/lib``, ``/usr/local/lib``, ``ld.so.conf``,
``$LD_LIBRARY_PATH``).
"""
import ctypes
import os

#: The soname this package's declarations are written for; a test compares
#: it with the library the build produces.
SONAME = "librgrbm.so.1"


def _installed_path():
    """The library meson installed next to this package, or None."""
    try:
        from . import _config
    except ImportError:  # a source tree: no install-time configuration
        return None
    return os.path.join(_config.LIBDIR, _config.SONAME)


def load():
    """Load librgrbm and return the ctypes.CDLL; OSError saying what was tried."""
    override = os.environ.get("RGRBM_LIBRARY")
    if override:
        try:
            return ctypes.CDLL(override)
        except OSError as exc:
            raise OSError(f"cannot load $RGRBM_LIBRARY = {override!r}: {exc}") from exc
    tried = []
    for candidate in (_installed_path(), SONAME):
        if candidate is None:
            continue
        try:
            return ctypes.CDLL(candidate)
        except OSError as exc:
            tried.append(f"{candidate}: {exc}")
    raise OSError("cannot load librgrbm (" + "; ".join(tried) + "). Install it (meson install) "
                  "where the dynamic loader finds it, or set $RGRBM_LIBRARY to the path of "
                  f"{SONAME}.")
