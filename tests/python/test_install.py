"""`meson install` installs a package that imports from any directory and
finds the library by its soname, with no $RGRBM_LIBRARY."""
import glob
import os
import shutil
import subprocess
import sys

import pytest

import rgrbm
from rgrbm import _loader

BUILD = os.environ.get("RGRBM_BUILD_ROOT")


def test_soname_is_the_built_library():
    library = os.environ.get("RGRBM_LIBRARY")
    if not library:
        pytest.skip("$RGRBM_LIBRARY is not set (not run by meson test)")
    built = os.path.basename(os.path.realpath(library))  # librgrbm.so.1.0.0
    assert built.startswith(_loader.SONAME + ".")
    assert built == f"librgrbm.so.{rgrbm.__version__}"


@pytest.mark.skipif(not BUILD, reason="needs $RGRBM_BUILD_ROOT (set by meson test)")
@pytest.mark.skipif(shutil.which("meson") is None, reason="meson is not on the PATH")
def test_installed_package_imports_from_any_directory(tmp_path):
    dest = tmp_path / "root"
    subprocess.run([shutil.which("meson"), "install", "-C", BUILD, "--no-rebuild", "--quiet",
                    "--destdir", str(dest)], check=True, capture_output=True)
    inits = glob.glob(str(dest / "**" / "rgrbm" / "__init__.py"), recursive=True)
    libs = glob.glob(str(dest / "**" / _loader.SONAME), recursive=True)
    if not inits:
        pytest.skip("built with -Dpython=disabled")
    assert len(inits) == 1 and len(libs) == 1, (inits, libs)
    env = {k: v for k, v in os.environ.items() if k not in ("RGRBM_LIBRARY", "PYTHONPATH")}
    # A destdir install is not where _config.py says: the loader falls back
    # to the soname, found here through LD_LIBRARY_PATH.
    env["PYTHONPATH"] = os.path.dirname(os.path.dirname(inits[0]))
    env["LD_LIBRARY_PATH"] = os.path.dirname(libs[0])
    code = ("import rgrbm, os; print(rgrbm.__version__, rgrbm.__file__); "
            "print(rgrbm.Stack([4, 2]).sizes)")
    out = subprocess.run([sys.executable, "-c", code], cwd="/", env=env, check=True,
                         capture_output=True, text=True).stdout
    assert out.split()[0] == rgrbm.__version__
    assert out.split()[1].startswith(str(dest))
    assert "[4, 2]" in out
    # Without the library anywhere, the error says how to fix it.
    env.pop("LD_LIBRARY_PATH")
    proc = subprocess.run([sys.executable, "-c", "import rgrbm"], cwd="/", env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:  # (unless a librgrbm is installed system-wide)
        assert "RGRBM_LIBRARY" in proc.stderr
