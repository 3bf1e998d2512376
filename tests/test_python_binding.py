#!/usr/bin/env python3
"""Tests of the rgrbm package (python/rgrbm) against the C library.

Usage: test_python_binding.py STRUCT_LAYOUT_EXE [SOURCE_ROOT]
The library comes from $RGRBM_LIBRARY. Exit 77 (skipped) without numpy.
Physics is compared with the library's exact routines (or with numpy
formulas from the headers' definitions) within stated standard errors."""
import collections
import ctypes
import gc
import json
import math
import os
import pickle
import re
import subprocess
import sys
import tempfile
import unittest

try:
    import numpy as np
except ImportError:
    print("numpy not installed: skipped")
    sys.exit(77)

LAYOUT_EXE = sys.argv[1]
ROOT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..")
sys.path.insert(0, os.path.join(ROOT, "python"))
import rgrbm as R  # noqa: E402
from rgrbm import _core as RC  # noqa: E402  (the ctypes mirrors)

START_MEMORY = R.memory_in_use()
SIGMAS = 4  # tolerance of every sampled comparison, in standard errors

# Count the calls of every C function, to check at the end that the tests
# reach each one. The binding looks functions up on R.lib at each call.
CALLS = collections.Counter()


def _counted(name, fn):
    def call(*args):
        CALLS[name] += 1
        return fn(*args)
    return call


for _name, *_ in RC._PROTOTYPES:
    setattr(R.lib, _name, _counted(_name, getattr(R.lib, _name)))


def source(*path):
    with open(os.path.join(ROOT, *path)) as f:
        return f.read()


def c_layout():
    """What tests/struct_layout.c prints: C struct layouts, enums and macros."""
    out = subprocess.run([LAYOUT_EXE], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def exported_symbols():
    text = re.sub(r"/\*.*?\*/", "", source("lib", "rgrbm.sym"), flags=re.S)
    return {s for s in re.findall(r"^\s*(rgrbm_\w+);", text, flags=re.M)
            if not s.startswith("rgrbm__")}


def tearDownModule():
    gc.collect()
    assert R.memory_in_use() == START_MEMORY, (R.memory_in_use(), START_MEMORY)
    never = sorted(exported_symbols() - set(CALLS))
    assert not never, f"functions the tests never call: {never}"


def within(test, value, exact, error, what):
    test.assertGreater(error, 0, what)
    test.assertLessEqual(abs(value - exact), SIGMAS * error,
                         f"{what}: {value} +- {error}, exact {exact}")


def rng(seed):
    return np.random.default_rng(seed)


def random_stack(sizes, seed, scale=0.5, units=R.Units.BINARY):
    """A stack whose parameters are set through the numpy views."""
    s = R.Stack(sizes, units, seed)
    g = rng(seed)
    for layer in range(s.depth):
        s.weights(layer)[:] = g.normal(0, scale, s.weights(layer).shape)
        s.visible_bias(layer)[:] = g.normal(0, scale, s.size(layer))
        s.hidden_bias(layer)[:] = g.normal(0, scale, s.size(layer + 1))
    return s


def all_states(n):
    """Every binary vector of n units, (2^n, n) float32."""
    return ((np.arange(2 ** n)[:, None] >> np.arange(n)) & 1).astype(np.float32)


def free_energy_np(s, layer, v):
    """F(v) of a binary layer from the stack.h definition, in double."""
    W = s.weights(layer).astype(np.float64)
    x = s.hidden_bias(layer) + v @ W
    return -(v @ s.visible_bias(layer).astype(np.float64)) - np.logaddexp(0, x).sum(axis=1)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sampled_lattice(lat, alg, seed, count, spacing=1, thermalize=200):
    with R.Sampler(lat, alg, seed) as smp:
        return smp.draw(count, thermalize, spacing)


class Layout(unittest.TestCase):
    """The ctypes mirrors agree with the C compiler's layout."""

    @classmethod
    def setUpClass(cls):
        cls.c = c_layout()

    STRUCTS = {"rgrbm_exact": RC.Exact_, "rgrbm_estimate": RC.Estimate_,
               "rgrbm_thermo": RC.Thermo_, "rgrbm_cd_options": R.CdOptions,
               "rgrbm_receptive_summary": RC.Locality_, "rgrbm_ais_options": R.AisOptions,
               "rgrbm_vrg_report": RC.VrgReport_, "rgrbm_mcrg_options": R.McrgOptions,
               "rgrbm_mcrg_result": RC.McrgResult_, "rgrbm_mcrg_exponent": RC.McrgExponent_,
               "rgrbm_rg_dims": RC.RgDims_, "rgrbm_rg_placement": RC.RgPlacement_}
    ENUM_PREFIXES = [(R.Status, "RGRBM_"), (R.Geometry, "RGRBM_"), (R.Boundary, "RGRBM_"),
                     (R.Algorithm, "RGRBM_"), (R.Units, "RGRBM_UNITS_"), (R.Pass, "RGRBM_PASS_"),
                     (R.Products, "RGRBM_PRODUCTS_"),
                     (R.Observable, "RGRBM_OBS_"), (R.AisBase, "RGRBM_AIS_BASE_"),
                     (R.BlockRule, "RGRBM_BLOCK_"), (R.RGMode, "RGRBM_RG_")]

    def test_every_public_struct_is_mirrored_field_by_field(self):
        self.assertEqual(set(self.c["structs"]), set(self.STRUCTS))
        for name, cls in self.STRUCTS.items():
            c = self.c["structs"][name]
            self.assertEqual(ctypes.sizeof(cls), c["size"], name)
            py = {f: getattr(cls, f).offset for f, _ in cls._fields_}
            self.assertEqual(py, c["fields"], name)

    def test_enums_and_macros(self):
        ints = dict(self.c["integers"])
        for enum_cls, prefix in self.ENUM_PREFIXES:
            for member in enum_cls:
                self.assertEqual(ints.pop(prefix + member.name), member.value, member)
        self.assertEqual(ints.pop("RGRBM_VERSION_NUMBER"), R.version_number())
        for name, value in list(ints.items()) + list(self.c["doubles"].items()):
            self.assertEqual(getattr(RC, name[len("RGRBM_"):]), value, name)

    def test_every_exported_function_is_declared(self):
        self.assertEqual({name for name, *_ in RC._PROTOTYPES}, exported_symbols())

    def test_version_string_matches_number(self):
        n = R.version_number()
        self.assertEqual(R.version(), f"{n // 10000}.{n // 100 % 100}.{n % 100}")

    def test_cpu_mask_selects_the_level(self):
        flags = R.cpu_flags()
        try:
            R.set_cpu_mask(0)
            self.assertEqual(R.cpu_level(), "generic")
            if flags & R.CPU_FLAG_AVX2:
                R.set_cpu_mask(R.CPU_FLAG_AVX2)
                self.assertEqual(R.cpu_level(), "avx2")
        finally:
            R.set_cpu_mask(R.CPU_FLAG_ALL)


class JuliaMirrors(unittest.TestCase):
    """Julia cannot run here, but its struct mirrors can still be read: their
    field names, and the offsets that C alignment rules give their types,
    must be those of the C structs."""
    SIZES = {"Cuint": 4, "Cint": 4, "Csize_t": 8, "Cdouble": 8, "UInt64": 8, "Clong": 8,
             "Ptr{Cvoid}": 8, "Estimate": 16, "Ptr{McrgExponent}": 8}
    NAMES = {"Exact": "rgrbm_exact", "Estimate": "rgrbm_estimate", "Thermo": "rgrbm_thermo",
             "CdOptions": "rgrbm_cd_options", "Locality": "rgrbm_receptive_summary",
             "AisOptions": "rgrbm_ais_options", "VrgReport": "rgrbm_vrg_report",
             "McrgOptions": "rgrbm_mcrg_options", "McrgResult": "rgrbm_mcrg_result",
             "McrgExponent": "rgrbm_mcrg_exponent", "RgDims": "rgrbm_rg_dims"}

    def layout(self, body):
        offsets, at, align = {}, 0, 1
        for name, jtype in re.findall(r"^\s*(\w+)::(\S+)\s*$", body, flags=re.M):
            size = self.SIZES[jtype]
            a = min(size, 8)
            at = (at + a - 1) // a * a
            offsets[name], at, align = at, at + size, max(align, a)
        return offsets, (at + align - 1) // align * align

    def test_structs(self):
        text = source("examples", "julia", "RGRBM.jl")
        found = dict(re.findall(r"^(?:mutable )?struct (\w+)\n(.*?)^end", text,
                                flags=re.M | re.S))
        c = c_layout()["structs"]
        for jname, cname in self.NAMES.items():
            offsets, size = self.layout(found[jname])
            self.assertEqual(offsets, c[cname]["fields"], jname)
            self.assertEqual(size, c[cname]["size"], jname)


class Errors(unittest.TestCase):
    def assertFails(self, status, fragment, fn, *args):
        with self.assertRaises(R.RgrbmError) as cm:
            fn(*args)
        self.assertEqual(cm.exception.status, status)
        self.assertTrue(cm.exception.name.startswith(f"RGRBM_{R.Status(status).name}"))
        self.assertIn(fragment, str(cm.exception))
        return cm.exception

    def test_messages_name_the_argument(self):
        self.assertFails(R.Status.EINVAL, "dim = 0", R.Dataset, 0)
        self.assertFails(R.Status.EINVAL, "sizes[1]", R.Stack, [4, 0])
        self.assertFails(R.Status.EINVAL, "ly", R.Lattice, R.Geometry.CHAIN, 4, 2)
        self.assertFails(R.Status.EINVAL, "K", R.Lattice.chain, 4, math.inf)
        with R.Lattice.square(5) as odd:
            self.assertFails(R.Status.EUNSUPPORTED, "5", R.Sampler, odd, R.Algorithm.METROPOLIS)
        with R.Stack([4, 3]) as s:
            self.assertFails(R.Status.EINVAL, "layer", s.weights, 1)
            self.assertFails(R.Status.EINVAL, "layer", s.hidden_bias, -1)
            self.assertFails(R.Status.EINVAL, "level", s.size, 2)
            self.assertFails(R.Status.EINVAL, "rgrbm_stack_weights_const: layer = 1",
                             R.lib.rgrbm_stack_weights_const, s, 1)
            self.assertFails(R.Status.EUNSUPPORTED, "", R.exact_onsager, -1.0)
        self.assertFails(R.Status.EINVAL, "b", R.decimation1d_step, 0.5, 0.0, 1)

    def test_file_errors(self):
        with tempfile.TemporaryDirectory() as d:
            missing = os.path.join(d, "missing.stk")
            self.assertFails(R.Status.EIO, missing, R.Stack.load, missing)
            binary = os.path.join(d, "binary.npy")
            np.save(binary, np.ones((2, 3), dtype=np.int8) - 1)
            self.assertFails(R.Status.EFORMAT, "2*x - 1", R.Dataset.load_npy, binary)

    def test_clear_error_and_closed_handles(self):
        with self.assertRaises(R.RgrbmError):
            R.Dataset(0)
        self.assertNotEqual(R.lib.rgrbm_last_error(), b"")
        R.clear_error()
        self.assertEqual(R.lib.rgrbm_last_error(), b"")
        ds = R.Dataset(3)
        ds.close()
        ds.close()
        with self.assertRaisesRegex(ValueError, "Dataset is closed"):
            len(ds)
        self.assertTrue(R.lib.rgrbm_strerror(-6).startswith(b"RGRBM_ECANCELED"))


class Datasets(unittest.TestCase):
    def test_round_trips(self):
        a = np.where(rng(1).random((7, 3, 5)) < 0.5, -1, 1).astype(np.int8)
        with R.Dataset.from_array(a) as ds, tempfile.TemporaryDirectory() as d:
            self.assertEqual((len(ds), ds.dim, ds.shape2d), (7, 15, (3, 5)))
            np.testing.assert_array_equal(ds.to_array(), a)
            np.testing.assert_array_equal(ds.to_array(2, 3), a[2:5])
            path = os.path.join(d, "a.npy")
            ds.save_npy(path)
            np.testing.assert_array_equal(np.load(path), a)
            np.save(path, a.reshape(7, 15))
            with R.Dataset.load_npy(path) as back:
                self.assertIsNone(back.shape2d)
                np.testing.assert_array_equal(back.to_array(), a.reshape(7, 15))
            ds.reserve(100)
            ds.clear()
            self.assertEqual(len(ds), 0)
            with self.assertRaisesRegex(ValueError, r"spins\[0, 0\] = 0"):
                ds.append(np.zeros(15, dtype=np.int8))
            self.assertEqual(len(ds), 0)


class Lattices(unittest.TestCase):
    def test_spins_are_a_view(self):
        with R.Lattice.square(6, 4, K=0.3, h=0.1) as lat:
            self.assertEqual(lat.shape, (R.Geometry.SQUARE, 6, 4, R.Boundary.PERIODIC))
            self.assertEqual(lat.couplings, (0.3, 0.1))
            self.assertEqual(len(lat), 24)
            spins = lat.spins
            self.assertEqual(spins.shape, (4, 6))
            self.assertEqual((lat.magnetization(), lat.bond_mean()), (1.0, 2.0))
            self.assertAlmostEqual(lat.energy(), -0.3 * 2 - 0.1, places=14)
            spins[:, :3] = -1  # written through numpy, read by C
            self.assertEqual(lat.magnetization(), 0.0)
            self.assertAlmostEqual(lat.bond_mean(), (24 * 2 - 2 * 2 * 4) / 24, places=14)
            lat.fill(-1)  # written by C, read through the same numpy array
            self.assertTrue((spins == -1).all())
            lat.randomize(5)
            first = spins.copy()
            lat.randomize(5)
            np.testing.assert_array_equal(spins, first)
            self.assertTrue(set(np.unique(first)) <= {-1, 1})
            # The read-only getter points at the same spins.
            self.assertEqual(ctypes.addressof(R.lib.rgrbm_lattice_spins_const(lat).contents),
                             spins.ctypes.data)

    def test_metropolis_at_infinite_temperature_flips_every_spin(self):
        # delta beta*H = 0 at K = h = 0, so min(1, e^0) = 1: each sweep flips all.
        with R.Lattice.square(4) as lat, R.Sampler(lat, R.Algorithm.METROPOLIS, 1) as smp:
            smp.sweep(1)
            self.assertTrue((lat.spins == -1).all())
            smp.sweep(2)
            self.assertTrue((lat.spins == -1).all())
            smp.sweep()
            self.assertTrue((lat.spins == 1).all())
            with self.assertRaisesRegex(ValueError, "sweeps = -1"):
                smp.sweep(-1)

    def test_view_keeps_the_lattice_alive(self):
        spins = R.Lattice.chain(10).spins
        gc.collect()
        self.assertTrue((spins == 1).all())
        del spins


class Exact(unittest.TestCase):
    def test_references_agree(self):
        e = R.exact_chain(10, 0.5, 0.1)
        n = R.exact_enumerate(R.Geometry.CHAIN, 10, 1, R.Boundary.PERIODIC, 0.5, 0.1)
        for field in ("log_z_per_site", "bond_mean", "specific_heat", "magnetization"):
            self.assertAlmostEqual(getattr(e, field), getattr(n, field), places=11, msg=field)
        self.assertTrue(math.isnan(e.abs_magnetization) and 0 < n.abs_magnetization < 1)
        t = R.exact_torus(4, 4, 0.4)
        n = R.exact_enumerate(R.Geometry.SQUARE, 4, 4, R.Boundary.PERIODIC, 0.4)
        self.assertAlmostEqual(t.log_z_per_site, n.log_z_per_site, places=11)
        self.assertAlmostEqual(t.specific_heat, n.specific_heat, places=9)
        self.assertAlmostEqual(R.exact_onsager(R.K_CRITICAL).bond_mean, math.sqrt(2), places=12)


class Sampling(unittest.TestCase):
    def test_chain_heat_bath_matches_transfer_matrix(self):
        with R.Lattice.chain(64, K=0.5, h=0.1) as lat:
            ds = sampled_lattice(lat, R.Algorithm.HEAT_BATH, 11, 4000, spacing=2)
            th = R.measure_thermo(ds, lat, 20)
            ex = R.exact_chain(64, 0.5, 0.1)
            within(self, th.bond_mean.value, ex.bond_mean, th.bond_mean.error, "bond mean")
            within(self, th.specific_heat.value, ex.specific_heat, th.specific_heat.error, "C")
            m = R.measure(ds, lat, R.Observable.MAGNETIZATION)
            within(self, R.series_mean(m), ex.magnetization, R.series_binned_error(m, 20), "m")
            ds.close()

    def test_cluster_samplers_match_kaufman(self):
        ex = R.exact_torus(8, 8, 0.4)
        for alg in (R.Algorithm.WOLFF, R.Algorithm.SWENDSEN_WANG):
            with R.Lattice.square(8, K=0.4) as lat:
                with sampled_lattice(lat, alg, 3, 3000, spacing=2) as ds:
                    b = R.measure_thermo(ds, lat, 20).bond_mean
                    within(self, b.value, ex.bond_mean, b.error, alg.name)

    def test_thermometer_reads_kaufman_and_samples(self):
        for K in (0.3, R.K_CRITICAL, 0.6):
            b = R.exact_torus(12, 8, K).bond_mean
            self.assertAlmostEqual(R.exact_torus_coupling(12, 8, b), K, places=10)
        with self.assertRaises(R.RgrbmError):
            R.exact_torus_coupling(8, 8, 2.0)  # every bond satisfied: K is infinite
        with R.Lattice.square(16, K=0.4) as lat:
            with sampled_lattice(lat, R.Algorithm.SWENDSEN_WANG, 5, 2000) as ds:
                k = R.measure_k_eff(ds, 20)
                within(self, k.value, 0.4, k.error, "K_eff")

    def test_measures_follow_their_definitions(self):
        with R.Lattice.square(6, K=0.35) as lat:
            ds = sampled_lattice(lat, R.Algorithm.SWENDSEN_WANG, 8, 400)
            a = ds.to_array().astype(np.float64)
            bonds = (a * np.roll(a, 1, 1) + a * np.roll(a, 1, 2)).sum(axis=(1, 2)) / 36
            np.testing.assert_allclose(R.measure(ds, lat, R.Observable.BOND_MEAN), bonds,
                                       atol=1e-12)
            m = a.mean(axis=(1, 2))
            np.testing.assert_allclose(R.measure(ds, lat, R.Observable.ENERGY), -0.35 * bonds,
                                       atol=1e-12)
            np.testing.assert_allclose(R.measure(ds, lat, R.Observable.MAGNETIZATION4), m ** 4,
                                       atol=1e-12)
            g = [np.mean([(a * np.roll(a, r, ax)).mean() for ax in (1, 2)]) for r in range(4)]
            np.testing.assert_allclose(R.measure_correlation(ds, lat, 3), g, atol=1e-12)
            xi = R.measure_xi2(ds, lat, 10)
            chi0 = (a.sum(axis=(1, 2)) ** 2).mean() / 36
            phase = np.exp(2j * np.pi * np.arange(6) / 6)
            f = np.mean([(abs((a * phase[None, None, :]).sum(axis=(1, 2))) ** 2).mean(),
                         (abs((a * phase[None, :, None]).sum(axis=(1, 2))) ** 2).mean()]) / 36
            self.assertAlmostEqual(xi.value, math.sqrt(chi0 / f - 1) / (2 * math.sin(math.pi / 6)),
                                   places=9)
            self.assertGreater(xi.error, 0)
            ds.close()

    def test_series_statistics(self):
        g = rng(4)
        x = g.normal(size=1000)
        self.assertAlmostEqual(R.series_mean(x), x.mean(), places=12)
        bins = x.reshape(20, 50).mean(axis=1)
        self.assertAlmostEqual(R.series_binned_error(x, 20), bins.std(ddof=1) / math.sqrt(20),
                               places=12)
        # AR(1) with rho: tau_int = 1/2 + rho / (1 - rho); Sokal's error estimate
        # sqrt(2 (2W + 1) / n) tau with W about 6 tau.
        rho, n = 0.8, 200000
        noise = g.normal(size=n)
        y = np.empty(n)
        y[0] = noise[0]
        for i in range(1, n):
            y[i] = rho * y[i - 1] + noise[i]
        tau = 0.5 + rho / (1 - rho)
        within(self, R.series_tau_int(y), tau, tau * math.sqrt(2 * (12 * tau + 1) / n), "tau")


class Stacks(unittest.TestCase):
    def test_shape_and_weight_views_alias_library_memory(self):
        with R.Stack([6, 4, 2], R.Units.BINARY, 9) as s:
            self.assertEqual((s.depth, s.sizes, s.units), (2, [6, 4, 2], R.Units.BINARY))
            W = s.weights(0)
            self.assertEqual((W.shape, W.dtype), ((6, 4), np.float32))
            self.assertLess(abs(W.std() - RC.STACK_DEFAULT_SIGMA), 0.01)
            W[:] = 0  # through numpy; ln Z of a zero RBM is (nv + nh) ln 2
            self.assertAlmostEqual(s.log_partition(0), 10 * math.log(2), places=12)
            s.visible_bias(0)[:] = 1.5
            self.assertAlmostEqual(s.log_partition(0), 6 * math.log1p(math.exp(1.5))
                                   + 4 * math.log(2), places=5)
            self.assertEqual(W.ctypes.data, s.weights(0).ctypes.data)
            # The read-only getters return the very arrays of the views.
            for layer in range(s.depth):
                for fn, view in ((R.lib.rgrbm_stack_weights_const, s.weights),
                                 (R.lib.rgrbm_stack_visible_bias_const, s.visible_bias),
                                 (R.lib.rgrbm_stack_hidden_bias_const, s.hidden_bias)):
                    self.assertEqual(ctypes.addressof(fn(s, layer).contents),
                                     view(layer).ctypes.data)

    def test_free_energy_passes_and_partition_against_numpy(self):
        with random_stack([8, 5, 3], 2) as s:
            v = all_states(8)
            np.testing.assert_allclose(s.free_energy(0, v), free_energy_np(s, 0, v), rtol=1e-6)
            log_z = s.log_partition(0)
            self.assertAlmostEqual(log_z, np.logaddexp.reduce(-free_energy_np(s, 0, v)), places=5)
            up = s.up(v[:10], 0, 1)
            np.testing.assert_allclose(up, sigmoid(s.hidden_bias(0) + v[:10] @ s.weights(0)),
                                       rtol=1e-5)
            top = s.up(v[:10])
            np.testing.assert_allclose(top, s.up(up, 1, 2), rtol=1e-5)
            down = s.down(top, 2, 1)
            np.testing.assert_allclose(down, sigmoid(s.visible_bias(1) + top @ s.weights(1).T),
                                       rtol=1e-5)
            np.testing.assert_allclose(s.reconstruct(v[:10], 1), s.down(up, 1, 0), rtol=1e-5)
            sampled = s.reconstruct(v[:10], 2, R.Pass.SAMPLES, 3)
            self.assertTrue(set(np.unique(sampled)) <= {0.0, 1.0})

    def test_samples_have_the_conditional_means(self):
        with random_stack([3, 4], 5) as s:
            v = np.tile(np.array([[1, 0, 1]], dtype=np.float32), (4000, 1))
            h = s.sample_up(v, 0, 1, seed=7)
            p = s.up(v[:1], 0, 1)[0]
            for j in range(4):
                within(self, h[:, j].mean(), p[j], math.sqrt(p[j] * (1 - p[j]) / 4000), "h")
            back = s.sample_down(h[:100], 1, 0, seed=8)
            self.assertTrue(set(np.unique(back)) <= {0.0, 1.0})
            np.testing.assert_array_equal(back, s.sample_down(h[:100], 1, 0, seed=8))

    def test_likelihoods(self):
        with random_stack([6, 4], 6) as s:
            a = np.where(rng(2).random((50, 6)) < 0.4, -1, 1).astype(np.int8)
            with R.Dataset.from_array(a) as ds:
                v = (a + 1) / 2
                ll = np.mean(-free_energy_np(s, 0, v)) - s.log_partition(0)
                self.assertAlmostEqual(s.log_likelihood(0, ds), ll, places=5)
                pll = []
                for i in range(6):
                    flipped = v.copy()
                    flipped[:, i] = 1 - flipped[:, i]
                    d = free_energy_np(s, 0, flipped) - free_energy_np(s, 0, v)
                    pll.append(-np.logaddexp(0, -d))
                self.assertAlmostEqual(s.pseudo_log_likelihood(0, ds), np.mean(pll), places=5)
                s.set_units(R.Units.SPIN)
                self.assertEqual(s.units, R.Units.SPIN)
                self.assertAlmostEqual(s.log_likelihood(0, ds), ll, places=4)
                opts = R.AisOptions(runs=50, betas=300, base=R.AisBase.DATA, data=ds, seed=3)
                lower, upper = s.log_partition_ais(0, opts)
                self.assertLessEqual(lower, s.log_partition(0))
                self.assertGreaterEqual(upper, s.log_partition(0))
                self.assertLess(upper - lower, 1.0)

    def test_gibbs_sampler_matches_enumeration(self):
        with random_stack([6, 3], 12) as s:
            v = all_states(6)
            p = np.exp(-free_energy_np(s, 0, v) - s.log_partition(0))
            exact = (2 * v - 1).T @ p  # <s_i> in spins
            smp = R.Sampler.gibbs(s, 0, chains=1, seed=4)
            del s  # the sampler keeps the stack alive
            gc.collect()
            with smp.draw(4000, thermalize=50, spacing=3) as ds:
                a = ds.to_array().astype(np.float64)
            for i in range(6):
                err = R.series_binned_error(a[:, i], 20)
                within(self, a[:, i].mean(), exact[i], err, f"<s_{i}>")
            smp.close()

    def test_gibbs_draws_live_on_the_sampled_level(self):
        with R.Stack([6, 4, 2]) as s:
            for layer, dim in ((1, 4), (-1, 6), (0, 6)):
                with R.Sampler.gibbs(s, layer, chains=3, seed=1) as smp, smp.draw(7) as ds:
                    self.assertEqual((ds.dim, len(ds)), (dim, 7), layer)

    def test_receptive_fields_and_locality(self):
        with random_stack([16, 4, 2], 3) as s:
            np.testing.assert_array_equal(s.receptive_field(1), s.weights(0))
            np.testing.assert_allclose(s.receptive_field(2), s.weights(0) @ s.weights(1),
                                       rtol=1e-5, atol=1e-6)
            rf = s.receptive_field(2)
            per_unit = R.receptive_locality(rf, 4, 4, 2)
            summary = s.locality(2, 4, 4, 2)
            self.assertEqual((summary.version, summary.units), (RC.RECEPTIVE_SUMMARY_VERSION, 2))
            self.assertAlmostEqual(summary.gyration_mean, per_unit.gyration.mean(), places=9)
            self.assertAlmostEqual(summary.block_fraction_sd,
                                   per_unit.block_fraction.std(ddof=1), places=9)
        delta = np.zeros((16, 1), dtype=np.float32)
        delta[4 * 2 + 3] = 1  # site x = 3, y = 2
        one = R.receptive_locality(delta, 4, 4, 2)
        self.assertEqual((one.centre_x[0], one.centre_y[0]), (3.0, 2.0))
        self.assertEqual((one.gyration[0], one.block_fraction[0]), (0.0, 1.0))

    def test_save_load_and_export(self):
        with random_stack([5, 3, 2], 4, units=R.Units.SPIN) as s, \
                tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "s.stk")
            s.save(path)
            with R.Stack.load(path) as t:
                self.assertEqual((t.sizes, t.units), (s.sizes, R.Units.SPIN))
                for layer in range(2):
                    np.testing.assert_array_equal(t.weights(layer), s.weights(layer))
                    np.testing.assert_array_equal(t.hidden_bias(layer), s.hidden_bias(layer))
            s.export_npy(os.path.join(d, "p_"))
            np.testing.assert_array_equal(np.load(os.path.join(d, "p_weights_1.npy")),
                                          s.weights(1))
            np.testing.assert_array_equal(np.load(os.path.join(d, "p_visible_bias_0.npy")),
                                          s.visible_bias(0))


def lattice_data(L, K, count, seed):
    with R.Lattice.square(L, K=K) as lat:
        return sampled_lattice(lat, R.Algorithm.SWENDSEN_WANG, seed, count)


class Training(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = lattice_data(4, 0.35, 2000, 21)

    @classmethod
    def tearDownClass(cls):
        cls.data.close()

    def test_cd_raises_the_likelihood_and_reports_progress(self):
        calls = []
        with R.Stack([16, 8], R.Units.BINARY, 2) as s:
            before = s.log_likelihood(0, self.data)
            o = R.CdOptions(epochs=15, learning_rate=0.05, batch_size=50, compute_pll=1)
            o.progress = lambda *args: calls.append(args)
            R.cd_train(s, 0, self.data, o)
            after = s.log_likelihood(0, self.data)
            self.assertGreater(after, before + 0.3, (before, after))
        self.assertEqual([c[:2] for c in calls], [(0, e) for e in range(1, 16)])
        self.assertTrue(all(c[4] >= 0 and c[3] < 0 for c in calls))
        self.assertLess(calls[-1][2], calls[0][2])  # reconstruction error falls

    def test_callback_cancels(self):
        with R.Stack([16, 4]) as s:
            o = R.CdOptions(epochs=5)
            o.progress = lambda layer, epoch, *rest: epoch == 2
            with self.assertRaises(R.RgrbmError) as cm:
                R.cd_train(s, 0, self.data, o)
            self.assertEqual(cm.exception.status, R.Status.ECANCELED)

            def boom(*args):
                raise KeyError("from the callback")
            o.progress = boom
            with self.assertRaises(KeyError) as cm:
                R.cd_train(s, 0, self.data, o)
            self.assertEqual(cm.exception.__cause__.status, R.Status.ECANCELED)
            o.progress = None
            o.epochs = 0
            with self.assertRaisesRegex(R.RgrbmError, "epochs"):
                R.cd_train(s, 0, self.data, o)

    def test_greedy_training_per_layer_options(self):
        seen = []
        opts = [R.CdOptions(epochs=e, seed=e) for e in (1, 2)]
        for o in opts:
            o.progress = lambda layer, epoch, *rest: seen.append((layer, epoch))
        with R.Stack([16, 4, 1]) as s:
            R.stack_train(s, self.data, opts)
            self.assertEqual(seen, [(0, 1), (1, 1), (1, 2)])
            with self.assertRaises(ValueError):
                R.stack_train(s, self.data, opts[:1])


class RenormalizationGroup(unittest.TestCase):
    def test_block_spin_plans(self):
        with lattice_data(6, 0.3, 50, 2) as ds:
            a = ds.to_array()
            with R.RG.block2d(6, 6, 3, R.BlockRule.MAJORITY) as rg:
                self.assertEqual(rg.shape, R.RGShape(36, 4, 6, 6, 2, 2, 3))
                blocks = a.reshape(50, 2, 3, 2, 3).sum(axis=(2, 4))
                np.testing.assert_array_equal(rg.apply(ds).to_array(), np.sign(blocks))
            with R.RG.block2d(6, 6, 2, R.BlockRule.DECIMATE) as rg:
                np.testing.assert_array_equal(rg.apply(ds).to_array(), a[:, ::2, ::2])
        chain = np.where(rng(3).random((20, 12)) < 0.5, -1, 1).astype(np.int8)
        with R.Dataset.from_array(chain) as ds, R.RG.decimation1d(12, 3) as rg:
            out = R.Dataset(4)
            self.assertIs(rg.apply(ds, out), out)
            np.testing.assert_array_equal(out.to_array(), chain[:, ::3])
            out.close()

    def test_learned_plan_takes_the_sign_of_the_means(self):
        s = random_stack([16, 4], 8)
        rg = R.RG.learned(s, 1, R.RGMode.SIGN_MEAN, 1)
        del s
        gc.collect()  # the plan keeps the stack alive
        with lattice_data(4, 0.3, 200, 5) as ds:
            v = (ds.to_array().reshape(200, 16) + 1) / 2
            means = rg.source.up(v)
            coarse = rg.apply(ds).to_array().reshape(200, 4)
            self.assertEqual(rg.shape.b, 2)
            np.testing.assert_array_equal(coarse, np.where(means > 0.5, 1, -1))
            samples = R.RG.learned(rg.source, 1, R.RGMode.SAMPLE, 2)
            self.assertTrue(set(np.unique(samples.apply(ds).to_array())) <= {-1, 1})
            samples.close()
        rg.close()

    def test_placed_plan_orders_units_by_site(self):
        # Level 1 decimates 8 x 8 to 4 x 4, its units in reversed site order.
        s = R.Stack([64, 16], R.Units.SPIN, 1)
        w = s.weights(0)
        w[:] = 0
        s.visible_bias(0)[:] = 0
        s.hidden_bias(0)[:] = 0
        for site in range(16):
            w[(site // 4) * 16 + (site % 4) * 2, 15 - site] = 20
        rg = R.RG.learned_placed(s, 1, 8, 8)
        self.assertEqual(rg.placement.placed, 16)
        self.assertEqual(rg.placement.fraction, 1.0)
        self.assertEqual((rg.shape.out_lx, rg.shape.b), (4, 2))
        with lattice_data(8, 0.3, 50, 5) as ds:
            fine = ds.to_array().reshape(50, 8, 8)
            np.testing.assert_array_equal(rg.apply(ds).to_array().reshape(50, 4, 4),
                                          fine[:, ::2, ::2])
        rg.close()
        w[:, 1] = w[:, 0]  # two units on one site
        with self.assertRaisesRegex(R.RgrbmError, "fraction 0.8750"):
            R.RG.learned_placed(s, 1, 8, 8)

    def test_conv_layer_trains_saves_and_coarse_grains(self):
        c = R.Conv(2, 2, R.Units.SPIN, 3)
        self.assertEqual((c.filter_side, c.stride, c.units), (2, 2, R.Units.SPIN))
        self.assertEqual(c.weights().shape, (2, 2))
        self.assertFalse(c.weights(writable=False).flags.writeable)
        self.assertEqual(c.visible_bias(False).shape, (1,))
        self.assertEqual(c.hidden_bias(False).shape, (1,))
        # A 2 x 2 block filter: the plan is majority rule where blocks have no tie.
        c.weights()[:] = 5.0
        c.hidden_bias()[:] = 0.0
        c.visible_bias()[:] = 0.0
        with lattice_data(8, 0.6, 40, 9) as ds:
            rg = R.RG.conv(c, 8, 8)
            self.assertIs(rg.source, c)
            coarse = rg.apply(ds).to_array().reshape(40, 4, 4)
            fine = ds.to_array().reshape(40, 4, 2, 4, 2).sum(axis=(2, 4))
            decided = fine != 0
            np.testing.assert_array_equal(coarse[decided], np.sign(fine[decided]))
            rg.close()
            opts = R.CdOptions(epochs=2, batch_size=10, learning_rate=0.01, seed=4)
            history = c.train(ds, opts)
            self.assertEqual(len(history), 2)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "layer.stk")
            c.save(path)
            back = R.Conv.load(path)
            np.testing.assert_array_equal(back.weights(), c.weights())
            with self.assertRaisesRegex(R.RgrbmError, "rgrbm_conv_load"):
                R.Stack.load(path)
        again = pickle.loads(pickle.dumps(c))
        np.testing.assert_array_equal(again.weights(), c.weights())
        with self.assertRaisesRegex(R.RgrbmError, "f"):
            R.Conv(1, 2)

    def test_decimation_step_flow_and_free_energy(self):
        K = 0.7
        K1, h1, g = R.decimation1d_step(K, 0.0, 2)
        self.assertAlmostEqual(math.tanh(K1), math.tanh(K) ** 2, places=14)
        self.assertEqual(h1, 0.0)
        z16 = 16 * R.exact_chain(16, K).log_z_per_site
        z8 = 8 * R.exact_chain(8, K1).log_z_per_site
        self.assertAlmostEqual(z16, 16 * g + z8, places=11)
        Ks, hs, gs = R.decimation1d_flow(K, 0.2, 3, 4)
        k, h = K, 0.2
        for n in range(4):
            k, h, gn = R.decimation1d_step(k, h, 3)
            self.assertEqual((Ks[n], hs[n], gs[n]), (k, h, gn))

    def test_vrg_check_of_the_decimation_network(self):
        # K = 5/8 is a multiple of 2^-18, so the stack holds it exactly.
        with R.Stack.decimation1d(8, 0.625, 2) as s, R.Lattice.chain(8, K=0.625) as chain:
            self.assertEqual(s.sizes, [8, 4, 2])
            r = R.vrg_check(s, 0, chain)
            self.assertEqual(r.version, RC.VRG_REPORT_VERSION)
            self.assertLess(r.kl, 1e-9)
            self.assertLess(r.trace_spread, 1e-9)
            self.assertLess(r.h_rg_max_diff, 1e-9)
            self.assertAlmostEqual(r.trace_defect, abs(r.delta_f), places=9)
        with random_stack([8, 4], 1) as s, R.Lattice.chain(8, K=1.0) as chain:
            r = R.vrg_check(s, 0, chain)
            self.assertLess(r.h_rg_max_diff, 1e-9)  # Eq. 21 holds for any RBM
            self.assertGreater(r.kl, 0.1)  # but this one is not the chain

    def test_mcrg_at_infinite_temperature(self):
        with R.Lattice.square(16, K=0.0) as lat, R.RG.block2d(16, 16, 2) as rg:
            smp = R.Sampler(lat, R.Algorithm.HEAT_BATH, 3)
            o = R.McrgOptions(levels=2, samples=3000, thermalize=2, even_operators=2,
                              odd_operators=2)
            r = R.mcrg_run(smp, rg, o)
            self.assertEqual((r.levels, r.b, r.samples), (2, 2, 3000))
            self.assertEqual((r.lambda_even.shape, r.y_odd_err.shape), ((2, 2), (2, 2)))
            for n in range(2):
                within(self, r.lambda_odd[n][0], 1.5, r.lambda_odd_err[n][0], "odd")
                within(self, r.lambda_even[n][0], 9 / 32, r.lambda_even_err[n][0], "even")
                self.assertAlmostEqual(r.y_odd[n][0], np.log(r.lambda_odd[n][0]) / np.log(2))
            smp.close()


class Leaks(unittest.TestCase):
    def test_memory_returns_after_closing(self):
        gc.collect()
        before = R.memory_in_use()
        smp = R.Sampler(R.Lattice.square(8, K=0.4), R.Algorithm.WOLFF, 1)
        gc.collect()  # the sampler keeps its lattice alive
        lat = smp.source
        ds = smp.draw(100)
        s = R.Stack([64, 16, 4])
        rg = R.RG.learned(s, 2)
        self.assertGreater(R.memory_in_use(), before)
        coarse = rg.apply(ds)
        for h in (coarse, rg, s, ds, smp, lat):
            h.close()
        self.assertEqual(R.memory_in_use(), before)


class TutorialInSync(unittest.TestCase):
    """Every C block of docs/tutorial.md is in tests/tutorial_snippets.c,
    which the build compiles and runs."""

    def test_snippets(self):
        squash = lambda text: re.sub(r"\s+", " ", text).strip()  # noqa: E731
        code = squash(source("tests", "tutorial_snippets.c"))
        blocks = re.findall(r"```c\n(.*?)```", source("docs", "tutorial.md"), flags=re.S)
        self.assertGreater(len(blocks), 5)
        for block in blocks:
            self.assertIn(squash(block), code, block[:80])


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=1)
