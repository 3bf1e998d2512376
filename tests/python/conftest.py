"""Shared fixtures of the rgrbm pytest suite."""
import gc
import os
import subprocess
import sys

import pytest

np = pytest.importorskip("numpy")
import rgrbm  # noqa: E402


@pytest.fixture(autouse=True)
def no_leak():
    """Every test returns the library's memory (rgrbm_memory_in_use) as it found it."""
    gc.collect()
    before = rgrbm.memory_in_use()
    yield
    gc.collect()
    assert rgrbm.memory_in_use() == before


def run_python(code, timeout=120):
    """Run code in a fresh python with this environment; CompletedProcess."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ))
