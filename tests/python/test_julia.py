"""examples/julia/RGRBM.jl, run when Julia is installed (it is not packaged in
Debian 12: skipped there, with this message). tests/test_python_binding.py
checks its struct mirrors against the C layouts without Julia."""
import os
import shutil
import subprocess

import pytest

JULIA = shutil.which("julia")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

SCRIPT = r"""
include(joinpath(ARGS[1], "examples", "julia", "RGRBM.jl")); using .RGRBM
s = Stack([16, 4]); W = weights(s, 0); w = copy(W)
close(s)
@assert W == w                        # the view keeps the memory alive
try weights(s, 0); error("no error") catch e; @assert e isa ArgumentError end
lat = Lattice(SQUARE, 8, 8; K = 0.3); smp = Sampler(lat, WOLFF, 1)
close(lat); GC.gc()
@assert length(draw(smp, 5)) == 5      # the sampler keeps its lattice alive
close(smp); W = nothing; GC.gc(); GC.gc()
println("julia ok ", memory_in_use())
"""


@pytest.mark.skipif(JULIA is None, reason="Julia is not installed: RGRBM.jl stays untested")
def test_julia_views_and_borrowers():
    out = subprocess.run([JULIA, "-e", SCRIPT, ROOT], capture_output=True, text=True,
                         timeout=600, check=True).stdout
    assert "julia ok" in out
