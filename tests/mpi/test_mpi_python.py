#!/usr/bin/env python3
"""rgrbm.mpi under mpirun -np 2 (tests/mpi/run.sh): an mpi4py communicator
trains like rgrbm.cd_train / rgrbm.stack_train on the concatenated shards
(bit for bit on the table path), MCRG gives rgrbm.mcrg_run's exponents, and
a failure on one rank is the same RgrbmError on every rank. Exit 77 (skipped)
with a message when mpi4py or librgrbm_mpi is missing."""
import sys

try:
    from mpi4py import MPI
except ImportError:
    print("skipped: mpi4py not installed (Debian: python3-mpi4py)")
    sys.exit(77)

import numpy as np

import rgrbm

try:
    import rgrbm.mpi
except OSError as exc:
    print(f"skipped: {exc}")
    sys.exit(77)

comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"rank {rank}: {what}", file=sys.stderr)


def data(rows=90, dim=64, seed=5):
    rng = np.random.default_rng(seed)
    base = np.where(np.arange(dim) < dim // 2, 1, -1)
    signs = rng.choice([-1, 1], size=(rows, 1))
    flips = np.where(rng.random((rows, dim)) < 0.1, -1, 1)
    return (signs * base * flips).astype(np.int8)


def options(**kw):
    o = rgrbm.CdOptions(epochs=2, batch_size=30, learning_rate=0.05, seed=11)
    for k, v in kw.items():
        setattr(o, k, v)
    return o


def params(stack, layer):
    return [np.array(stack.weights(layer)), np.array(stack.visible_bias(layer)),
            np.array(stack.hidden_bias(layer))]


def same(a, b):
    return all(x.tobytes() == y.tobytes() for x, y in zip(a, b))


spins = data()
# Uneven shards: rank 0 ten rows, the last rank the rest.
cuts = [0, 10, len(spins)] if size == 2 else [len(spins) * r // size for r in range(size + 1)]
local = rgrbm.Dataset.from_array(spins[cuts[rank]:cuts[rank + 1]])
everything = rgrbm.Dataset.from_array(spins)

for persistent in (0, 1):
    one, mpi = rgrbm.Stack([64, 16, 4], seed=3), rgrbm.Stack([64, 16, 4], seed=3)
    o = options(persistent=persistent)
    rgrbm.cd_train(one, 0, everything, o)
    history = rgrbm.mpi.cd_train(mpi, 0, local, o, comm=comm)
    check(same(params(one, 0), params(mpi, 0)), f"persistent {persistent}: differs from cd_train")
    check(len(history) == (2 if rank == 0 else 0), f"{len(history)} epochs recorded")

one, mpi = rgrbm.Stack([64, 16, 4], seed=3), rgrbm.Stack([64, 16, 4], seed=3)
per_layer = [options(), options(feed_up=rgrbm.Pass.SAMPLES)]
rgrbm.stack_train(one, everything, per_layer)
rgrbm.mpi.cd_train_stack(mpi, local, per_layer, comm=comm)
for layer in (0, 1):
    check(same(params(one, layer), params(mpi, layer)), f"stack layer {layer} differs")

lat = rgrbm.Lattice(rgrbm.Geometry.SQUARE, 8, 8)
lat.set_couplings(0.44)
plan = rgrbm.RG.block2d(8, 8, 2)
mo = rgrbm.McrgOptions(levels=1, samples=40, thermalize=5, bins=4, chains=3, seed=9)
a = rgrbm.mcrg_run(rgrbm.Sampler(lat, rgrbm.Algorithm.WOLFF, 1), plan, mo)
b = rgrbm.mpi.mcrg_run(rgrbm.Sampler(lat, rgrbm.Algorithm.WOLFF, 1), plan, mo, comm=comm)
check(np.array_equal(a.y_even, b.y_even) and np.array_equal(a.y_odd, b.y_odd), "MCRG differs")

# Bad options on the last rank only: every rank raises the same error.
bad = options(k=0 if rank == size - 1 else 1)
try:
    rgrbm.mpi.cd_train(rgrbm.Stack([64, 16, 4], seed=3), 0, local, bad, comm=comm)
    message = None
except rgrbm.RgrbmError as exc:
    message = str(exc)
messages = comm.allgather(message)
check(message is not None and f"rank {size - 1}: o->k = 0" in message, f"message {message!r}")
check(len(set(messages)) == 1, f"messages differ: {messages}")

try:
    rgrbm.mpi.cd_train(rgrbm.Stack([64, 16, 4]), 0, local, comm="world")
    check(False, "a str communicator was accepted")
except TypeError:
    pass

total = comm.allreduce(len(failures))
if rank == 0:
    print(f"{size} ranks: {'FAIL' if total else 'ok'} ({total} failures)")
sys.exit(1 if total else 0)
