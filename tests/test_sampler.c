/* Lattice samplers: every algorithm against exact values at fixed seeds,
 * with tolerances of 4 binned (jackknife) standard errors; detailed balance
 * on 3 x 3 by a chi-square test over all 512 states; draw semantics and bad
 * input. */
#include <math.h>

#include "cpu.h"
#include "rng.h"
#include "sampler.h"
#include "testutil.h"

static const rgrbm_algorithm algorithms[] = {RGRBM_METROPOLIS, RGRBM_HEAT_BATH, RGRBM_WOLFF,
                                             RGRBM_SWENDSEN_WANG};
static const char *const names[] = {"Metropolis", "heat bath", "Wolff", "Swendsen-Wang"};

typedef struct run {
  rgrbm_lattice *lat;
  rgrbm_sampler *smp;
  rgrbm_dataset *ds;
} run;

/* Draw count configurations after thermalize sweeps, spaced by spacing. */
static run sample(rgrbm_geometry g, int lx, int ly, rgrbm_boundary bc, double K, double h,
                  rgrbm_algorithm alg, uint64_t seed, size_t count, long thermalize, long spacing) {
  run r;
  ck_assert_ok(rgrbm_lattice_create(&r.lat, g, lx, ly, bc));
  ck_assert_ok(rgrbm_lattice_set_couplings(r.lat, K, h));
  ck_assert_ok(rgrbm_lattice_randomize(r.lat, seed + 1));
  ck_assert_ok(rgrbm_sampler_create(&r.smp, r.lat, alg, seed));
  ck_assert_ok(rgrbm_dataset_create(&r.ds, rgrbm_lattice_sites(r.lat)));
  ck_assert_ok(rgrbm_sampler_draw(r.smp, count, thermalize, spacing, r.ds));
  ck_assert_uint_eq(rgrbm_dataset_count(r.ds), count);
  return r;
}

static void release(run *r) {
  rgrbm_dataset_destroy(r->ds);
  rgrbm_sampler_destroy(r->smp);
  rgrbm_lattice_destroy(r->lat);
}

static void expect_within(const char *what, rgrbm_estimate e, double exact, const char *ctx) {
  ck_assert_msg(fabs(e.value - exact) <= 4 * e.error && e.error > 0,
                "%s: %s = %.6f +- %.6f, exact %.6f (%.1f standard errors)", ctx, what, e.value,
                e.error, exact, (e.value - exact) / e.error);
}

/* Wolff's sweep is one cluster: space its samples by about N / 16 clusters. */
static long spacing_for(rgrbm_algorithm alg, int sites) {
  return alg == RGRBM_WOLFF && sites >= 32 ? sites / 16 : 1;
}

START_TEST(every_sampler_matches_the_exact_torus) {
  const double Ks[] = {0.3, RGRBM_K_CRITICAL, 0.5};
  const int sides[] = {4, 16};
  rgrbm_algorithm alg = algorithms[_i];
  for (size_t s = 0; s < 2; s++)
    for (size_t k = 0; k < 3; k++) {
      int L = sides[s];
      char ctx[128];
      snprintf(ctx, sizeof ctx, "%s %dx%d K=%.4f", names[_i], L, L, Ks[k]);
      run r = sample(RGRBM_SQUARE, L, L, RGRBM_PERIODIC, Ks[k], 0.0, alg, 100 + 10 * s + k, 20000,
                     200, spacing_for(alg, L * L));
      rgrbm_thermo t = RGRBM_THERMO_INIT;
      ck_assert_ok(rgrbm_measure_thermo(r.ds, r.lat, 50, &t));
      rgrbm_exact e = RGRBM_EXACT_INIT;
      ck_assert_ok(rgrbm_exact_torus(L, L, Ks[k], &e));
      expect_within("bond mean", t.bond_mean, e.bond_mean, ctx);
      expect_within("specific heat", t.specific_heat, e.specific_heat, ctx);
      if (L == 4) {
        rgrbm_exact en = RGRBM_EXACT_INIT;
        ck_assert_ok(rgrbm_exact_enumerate(RGRBM_SQUARE, 4, 4, RGRBM_PERIODIC, Ks[k], 0.0, &en));
        expect_within("|m|", t.abs_magnetization, en.abs_magnetization, ctx);
        expect_within("m^2", t.magnetization2, en.magnetization2, ctx);
      }
      release(&r);
    }
}
END_TEST

START_TEST(local_updates_of_a_chain_in_a_field) {
  /* Periodic (even) and open (odd) chains with h != 0 against the transfer matrix. */
  const struct { int n; rgrbm_boundary bc; } cases[] = {{16, RGRBM_PERIODIC}, {15, RGRBM_OPEN}};
  rgrbm_algorithm alg = _i ? RGRBM_HEAT_BATH : RGRBM_METROPOLIS;
  for (size_t c = 0; c < 2; c++) {
    double K = 0.5, h = 0.3;
    run r = sample(RGRBM_CHAIN, cases[c].n, 1, cases[c].bc, K, h, alg, 7 + c, 40000, 100, 1);
    rgrbm_exact e = RGRBM_EXACT_INIT;
    ck_assert_ok(rgrbm_exact_chain(cases[c].n, K, h, cases[c].bc, &e));
    rgrbm_thermo t = RGRBM_THERMO_INIT;
    ck_assert_ok(rgrbm_measure_thermo(r.ds, r.lat, 50, &t));
    double *m = malloc(40000 * sizeof *m);
    rgrbm_estimate mag;
    ck_assert_ok(rgrbm_measure(r.ds, r.lat, RGRBM_OBS_MAGNETIZATION, m));
    ck_assert_ok(rgrbm_series_mean(m, 40000, &mag.value));
    ck_assert_ok(rgrbm_series_binned_error(m, 40000, 50, &mag.error));
    const char *ctx = names[_i];
    expect_within("bond mean", t.bond_mean, e.bond_mean, ctx);
    expect_within("specific heat", t.specific_heat, e.specific_heat, ctx);
    expect_within("magnetization", mag, e.magnetization, ctx);
    free(m);
    release(&r);
  }
}
END_TEST

/* Chi-square of the visited states of a 3 x 3 lattice against Boltzmann
 * weights computed here by direct enumeration; states expected fewer than
 * 10 times are pooled. Samples are spaced so that they are nearly
 * independent; the threshold is the chi-square quantile at p = 1e-4
 * (Wilson-Hilferty). */
static void detailed_balance(rgrbm_algorithm alg, rgrbm_boundary bc, double K, double h,
                             long spacing, uint64_t seed) {
  const size_t n = 100000;
  run r = sample(RGRBM_SQUARE, 3, 3, bc, K, h, alg, seed, n, 100, spacing);
  double weight[512], z = 0;
  rgrbm_lattice *probe;
  ck_assert_ok(rgrbm_lattice_create(&probe, RGRBM_SQUARE, 3, 3, bc));
  ck_assert_ok(rgrbm_lattice_set_couplings(probe, K, h));
  for (int st = 0; st < 512; st++) {
    for (int i = 0; i < 9; i++) rgrbm_lattice_spins(probe)[i] = (st >> i) & 1 ? 1 : -1;
    double energy;
    ck_assert_ok(rgrbm_lattice_energy(probe, &energy));
    z += weight[st] = exp(-9 * energy);
  }
  rgrbm_lattice_destroy(probe);
  double observed[512] = {0};
  int8_t s[9];
  for (size_t c = 0; c < n; c++) {
    ck_assert_ok(rgrbm_dataset_get(r.ds, c, 1, s));
    int st = 0;
    for (int i = 0; i < 9; i++) st |= (s[i] > 0) << i;
    observed[st]++;
  }
  double chi2 = 0, pool_o = 0, pool_e = 0;
  int dof = -1;
  for (int st = 0; st < 512; st++) {
    double e = n * weight[st] / z;
    if (e < 10) {
      pool_o += observed[st];
      pool_e += e;
      continue;
    }
    chi2 += (observed[st] - e) * (observed[st] - e) / e;
    dof++;
  }
  if (pool_e > 0) {
    chi2 += (pool_o - pool_e) * (pool_o - pool_e) / pool_e;
    dof++;
  }
  double zq = 3.719, a = 2.0 / (9.0 * dof); /* z of p = 1e-4 */
  double limit = dof * pow(1 - a + zq * sqrt(a), 3);
  ck_assert_msg(chi2 < limit, "%s: chi2 = %.1f for %d degrees of freedom (limit %.1f)",
                names[alg], chi2, dof, limit);
  release(&r);
}

START_TEST(detailed_balance_on_3x3) {
  /* The checkerboard needs even periodic sides: 3 x 3 open, with a field. */
  detailed_balance(RGRBM_METROPOLIS, RGRBM_OPEN, 0.35, 0.2, 3, 31);
  detailed_balance(RGRBM_HEAT_BATH, RGRBM_OPEN, 0.35, 0.2, 3, 32);
  detailed_balance(RGRBM_WOLFF, RGRBM_PERIODIC, 0.25, 0.0, 5, 33);
  detailed_balance(RGRBM_SWENDSEN_WANG, RGRBM_PERIODIC, 0.25, 0.0, 2, 34);
}
END_TEST

START_TEST(metropolis_40x40_at_the_paper_coupling) {
  const double K = 0.408;
  run r = sample(RGRBM_SQUARE, 40, 40, RGRBM_PERIODIC, K, 0.0, RGRBM_METROPOLIS, 408, 20000, 1000, 2);
  rgrbm_thermo t = RGRBM_THERMO_INIT;
  ck_assert_ok(rgrbm_measure_thermo(r.ds, r.lat, 40, &t));
  rgrbm_exact e = RGRBM_EXACT_INIT;
  ck_assert_ok(rgrbm_exact_torus(40, 40, K, &e));
  expect_within("bond mean", t.bond_mean, e.bond_mean, "Metropolis 40x40");
  expect_within("specific heat", t.specific_heat, e.specific_heat, "Metropolis 40x40");
  int lx, ly;
  ck_assert_ok(rgrbm_dataset_shape(r.ds, &lx, &ly));
  ck_assert(lx == 40 && ly == 40);
  release(&r);
}
END_TEST

START_TEST(results_depend_on_the_seed_alone) {
  rgrbm_algorithm alg = algorithms[_i];
  run a = sample(RGRBM_SQUARE, 70, 6, RGRBM_PERIODIC, 0.4, 0.0, alg, 5, 20, 3, 2);
  run b = sample(RGRBM_SQUARE, 70, 6, RGRBM_PERIODIC, 0.4, 0.0, alg, 5, 20, 3, 2);
  run c = sample(RGRBM_SQUARE, 70, 6, RGRBM_PERIODIC, 0.4, 0.0, alg, 6, 20, 3, 2);
  int8_t *x = malloc(20 * 420), *y = malloc(20 * 420), *z = malloc(20 * 420);
  ck_assert_ok(rgrbm_dataset_get(a.ds, 0, 20, x));
  ck_assert_ok(rgrbm_dataset_get(b.ds, 0, 20, y));
  ck_assert_ok(rgrbm_dataset_get(c.ds, 0, 20, z));
  ck_assert_mem_eq(x, y, 20 * 420);
  ck_assert(memcmp(x, z, 20 * 420) != 0);
  free(x);
  free(y);
  free(z);
  release(&a);
  release(&b);
  release(&c);
}
END_TEST

/* Drawing in chunks with thermalize = 0 continues the chain exactly as one
 * long draw does: no configuration is repeated at a chunk boundary. */
START_TEST(chunked_draws_continue_the_chain) {
  rgrbm_algorithm alg = algorithms[_i];
  rgrbm_dataset *whole, *chunks;
  rgrbm_lattice *la, *lb;
  rgrbm_sampler *sa, *sb;
  ck_assert_ok(rgrbm_lattice_create(&la, RGRBM_SQUARE, 8, 8, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_create(&lb, RGRBM_SQUARE, 8, 8, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_set_couplings(la, 0.3, 0.0));
  ck_assert_ok(rgrbm_lattice_set_couplings(lb, 0.3, 0.0));
  ck_assert_ok(rgrbm_sampler_create(&sa, la, alg, 21));
  ck_assert_ok(rgrbm_sampler_create(&sb, lb, alg, 21));
  ck_assert_ok(rgrbm_dataset_create(&whole, 64));
  ck_assert_ok(rgrbm_dataset_create(&chunks, 64));
  ck_assert_ok(rgrbm_sampler_draw(sa, 6, 3, 2, whole));
  ck_assert_ok(rgrbm_sampler_draw(sb, 1, 3, 2, chunks));
  for (int i = 0; i < 5; i++) ck_assert_ok(rgrbm_sampler_draw(sb, 1, 0, 2, chunks));
  int8_t x[6 * 64], y[6 * 64];
  ck_assert_ok(rgrbm_dataset_get(whole, 0, 6, x));
  ck_assert_ok(rgrbm_dataset_get(chunks, 0, 6, y));
  ck_assert_mem_eq(x, y, sizeof x);
  for (int i = 1; i < 6; i++) ck_assert(memcmp(y + 64 * (i - 1), y + 64 * i, 64) != 0);
  rgrbm_sampler_destroy(sa);
  rgrbm_sampler_destroy(sb);
  rgrbm_lattice_destroy(la);
  rgrbm_lattice_destroy(lb);
  rgrbm_dataset_destroy(whole);
  rgrbm_dataset_destroy(chunks);
}
END_TEST

/* Kernel levels as masks, lowest first. A level the CPU lacks gives a lower
 * rgrbm__cpu_isa() and is skipped. */
static const struct {
  unsigned mask;
  rgrbm__isa isa;
} levels[] = {
    {0, RGRBM__ISA_GENERIC},
    {RGRBM_CPU_FLAG_NEON, RGRBM__ISA_NEON},
    {RGRBM_CPU_FLAG_AVX2, RGRBM__ISA_AVX2},
    {RGRBM_CPU_FLAG_AVX2 | RGRBM_CPU_FLAG_AVX512, RGRBM__ISA_AVX512},
    {RGRBM_CPU_FLAG_ALL, RGRBM__ISA_AVX512VBMI},
};

static int use_level(int i) {
  rgrbm_cpu_set_mask(levels[i].mask);
  if (rgrbm__cpu_isa() == levels[i].isa) return 1;
  rgrbm_cpu_set_mask(RGRBM_CPU_FLAG_ALL);
  return 0;
}

START_TEST(vector_philox_matches_the_reference) {
  /* 1, 2 and 3 groups (pairs and singles on the AVX-512 path), across a
   * carry into the counter's high word. */
  if (!use_level(_i)) return;
  for (size_t groups = 1; groups <= 3; groups++) {
    uint32_t key[2] = {0x12345678u, 0x9abcdef0u}, out[3 * 64], ref[4];
    uint64_t stream = RGRBM__STREAM(RGRBM__STREAM_SAMPLER, 0), first = UINT64_C(0xFFFFFFE8);
    rgrbm__philox_soa16(key, stream, first, out, groups);
    for (size_t g = 0; g < groups; g++)
      for (int j = 0; j < 16; j++) {
        uint64_t b = first + (uint64_t)(16 * g + (size_t)j);
        uint32_t ctr[4] = {(uint32_t)b, (uint32_t)(b >> 32), (uint32_t)stream,
                           (uint32_t)(stream >> 32)};
        rgrbm__philox4x32_10(ctr, key, ref);
        for (int w = 0; w < 4; w++) ck_assert_uint_eq(out[64 * g + 16 * (size_t)w + j], ref[w]);
      }
  }
  rgrbm_cpu_set_mask(RGRBM_CPU_FLAG_ALL);
}
END_TEST

/* The spins after 30 sweeps at the kernel level of mask. */
static int8_t *chain_at_level(unsigned mask, rgrbm_algorithm alg, int lx, int ly,
                              rgrbm_boundary bc, double h) {
  rgrbm_lattice *lat;
  rgrbm_sampler *smp;
  rgrbm_cpu_set_mask(mask);
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, lx, ly, bc));
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, 0.44, h));
  ck_assert_ok(rgrbm_lattice_randomize(lat, 5));
  ck_assert_ok(rgrbm_sampler_create(&smp, lat, alg, 3));
  ck_assert_ok(rgrbm_sampler_sweep(smp, 13));
  ck_assert_ok(rgrbm_sampler_sweep(smp, 17));
  int8_t *spins = malloc(rgrbm_lattice_sites(lat));
  memcpy(spins, rgrbm_lattice_spins(lat), rgrbm_lattice_sites(lat));
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
  return spins;
}

START_TEST(every_level_gives_the_generic_chain) {
  /* Every kernel level consumes the same random bytes in the same order and
   * decides the same flips: the generic chain bit for bit. Sides around the
   * 32- and 64-lane widths (parts of lx / 2 sites), odd open sides, fields. */
  const struct { int lx, ly; rgrbm_boundary bc; double h; } cases[] = {
      {2, 4, RGRBM_PERIODIC, 0.0},   {62, 4, RGRBM_PERIODIC, 0.05}, {64, 6, RGRBM_PERIODIC, 0.0},
      {66, 2, RGRBM_PERIODIC, 0.1},  {128, 4, RGRBM_PERIODIC, 0.0}, {130, 6, RGRBM_PERIODIC, -0.2},
      {200, 6, RGRBM_PERIODIC, 0.05}, {67, 5, RGRBM_OPEN, 0.05},    {129, 3, RGRBM_OPEN, 0.0},
      {1, 7, RGRBM_OPEN, 0.3},       {65, 1, RGRBM_OPEN, -0.1},     {257, 9, RGRBM_OPEN, 0.0}};
  const size_t count = sizeof cases / sizeof cases[0];
  for (int alg = 0; alg < 2; alg++)
    for (size_t c = 0; c < count; c++) {
      size_t sites = (size_t)cases[c].lx * (size_t)cases[c].ly;
      int8_t *ref = chain_at_level(0, algorithms[alg], cases[c].lx, cases[c].ly, cases[c].bc,
                                   cases[c].h);
      for (int lv = 1; lv < 5; lv++) {
        if (!use_level(lv)) continue;
        int8_t *got = chain_at_level(levels[lv].mask, algorithms[alg], cases[c].lx, cases[c].ly,
                                     cases[c].bc, cases[c].h);
        ck_assert_msg(memcmp(ref, got, sites) == 0, "%s %dx%d: level %d differs from generic",
                      names[alg], cases[c].lx, cases[c].ly, (int)levels[lv].isa);
        free(got);
      }
      free(ref);
    }
  rgrbm_cpu_set_mask(RGRBM_CPU_FLAG_ALL);
}
END_TEST

START_TEST(sweeps_of_wide_and_narrow_lattices) {
  /* The largest side, and sides around the vector width. */
  const int widths[] = {RGRBM_LATTICE_MAX_SIDE, 2, 64, 66, 130};
  for (size_t w = 0; w < 5; w++)
    for (int a = 0; a < 4; a++) {
      rgrbm_lattice *lat;
      rgrbm_sampler *smp;
      ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, widths[w], 2, RGRBM_PERIODIC));
      ck_assert_ok(rgrbm_lattice_set_couplings(lat, 0.3, 0.0));
      ck_assert_ok(rgrbm_sampler_create(&smp, lat, algorithms[a], 1));
      ck_assert_ok(rgrbm_sampler_sweep(smp, 2));
      const int8_t *s = rgrbm_lattice_spins(lat);
      for (size_t i = 0; i < rgrbm_lattice_sites(lat); i++) ck_assert(s[i] == 1 || s[i] == -1);
      rgrbm_sampler_destroy(smp);
      rgrbm_lattice_destroy(lat);
    }
}
END_TEST

START_TEST(bad_arguments_are_named) {
  rgrbm_lattice *lat, *odd, *oddy;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, 4, 4, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_create(&odd, RGRBM_SQUARE, 5, 4, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_create(&oddy, RGRBM_SQUARE, 4, 3, RGRBM_PERIODIC));
  rgrbm_sampler *smp = (rgrbm_sampler *)1;
  ck_assert_fails(rgrbm_sampler_create(NULL, lat, RGRBM_METROPOLIS, 1), RGRBM_EINVAL,
                  "rgrbm_sampler_create", "out");
  ck_assert_fails(rgrbm_sampler_create(&smp, NULL, RGRBM_METROPOLIS, 1), RGRBM_EINVAL, "lat");
  ck_assert_ptr_null(smp);
  ck_assert_fails(rgrbm_sampler_create(&smp, lat, (rgrbm_algorithm)9, 1), RGRBM_EINVAL, "alg = 9");
  ck_assert_fails(rgrbm_sampler_create(&smp, odd, RGRBM_METROPOLIS, 1), RGRBM_EUNSUPPORTED,
                  "lx = 5", "odd", "even");
  ck_assert_fails(rgrbm_sampler_create(&smp, oddy, RGRBM_HEAT_BATH, 1), RGRBM_EUNSUPPORTED,
                  "ly = 3", "odd");
  ck_assert_ptr_null(smp);
  /* Odd periodic sides are fine for the cluster algorithms. */
  ck_assert_ok(rgrbm_sampler_create(&smp, odd, RGRBM_WOLFF, 1));
  rgrbm_sampler_destroy(smp);
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, 0.3, 0.1));
  ck_assert_fails(rgrbm_sampler_create(&smp, lat, RGRBM_WOLFF, 1), RGRBM_EUNSUPPORTED, "h = 0.1",
                  "Wolff");
  ck_assert_fails(rgrbm_sampler_create(&smp, lat, RGRBM_SWENDSEN_WANG, 1), RGRBM_EUNSUPPORTED,
                  "h = 0.1", "Swendsen-Wang");
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, -0.3, 0.0));
  ck_assert_fails(rgrbm_sampler_create(&smp, lat, RGRBM_WOLFF, 1), RGRBM_EUNSUPPORTED, "K = -0.3");
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, 0.3, 0.0));

  rgrbm_dataset *ds, *wrong, *shaped;
  ck_assert_ok(rgrbm_dataset_create(&ds, 16));
  ck_assert_ok(rgrbm_dataset_create(&wrong, 15));
  ck_assert_ok(rgrbm_dataset_create(&shaped, 16));
  ck_assert_ok(rgrbm_dataset_set_shape(shaped, 2, 8));
  for (int a = 0; a < 4; a++) {
    ck_assert_ok(rgrbm_sampler_create(&smp, lat, algorithms[a], 1));
    ck_assert_fails(rgrbm_sampler_sweep(NULL, 1), RGRBM_EINVAL, "rgrbm_sampler_sweep", "smp");
    ck_assert_fails(rgrbm_sampler_sweep(smp, (uint64_t)-1), RGRBM_EINVAL,
                    "sweeps = 18446744073709551615", "RGRBM_SAMPLER_MAX_SWEEPS");
    ck_assert_fails(rgrbm_sampler_sweep(smp, RGRBM_SAMPLER_MAX_SWEEPS + 1), RGRBM_EINVAL,
                    "sweeps = 9223372036854775808");
    ck_assert_fails(rgrbm_sampler_draw(NULL, 1, 0, 1, ds), RGRBM_EINVAL, "rgrbm_sampler_draw",
                    "smp");
    ck_assert_fails(rgrbm_sampler_draw(smp, 1, 0, 1, NULL), RGRBM_EINVAL, "out");
    ck_assert_fails(rgrbm_sampler_draw(smp, 1, 0, 1, wrong), RGRBM_EINVAL, "dim = 15", "16");
    ck_assert_fails(rgrbm_sampler_draw(smp, 1, (uint64_t)-2, 1, ds), RGRBM_EINVAL,
                    "thermalize = 18446744073709551614");
    ck_assert_fails(rgrbm_sampler_draw(smp, 1, 0, UINT64_MAX, ds), RGRBM_EINVAL,
                    "spacing = 18446744073709551615");
    ck_assert_fails(rgrbm_sampler_draw(smp, 1, 0, 0, ds), RGRBM_EINVAL, "spacing = 0");
    ck_assert_fails(rgrbm_sampler_draw(smp, 1, 0, 1, shaped), RGRBM_EINVAL, "2 x 8", "4 x 4");
    ck_assert_ok(rgrbm_sampler_draw(smp, 0, 1, 1, ds));
    ck_assert_uint_eq(rgrbm_dataset_count(ds), 0);
    rgrbm_sampler_destroy(smp);
  }
  /* A field set after creation: the cluster sweep refuses, the draw leaves
   * the dataset as it was. */
  ck_assert_ok(rgrbm_sampler_create(&smp, lat, RGRBM_SWENDSEN_WANG, 1));
  ck_assert_ok(rgrbm_sampler_draw(smp, 3, 0, 1, ds));
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, 0.3, 0.5));
  ck_assert_fails(rgrbm_sampler_sweep(smp, 1), RGRBM_EUNSUPPORTED, "rgrbm_sampler_sweep",
                  "h = 0.5");
  ck_assert_fails(rgrbm_sampler_draw(smp, 5, 2, 1, ds), RGRBM_EUNSUPPORTED,
                  "rgrbm_sampler_draw", "h = 0.5");
  ck_assert_uint_eq(rgrbm_dataset_count(ds), 3);
  rgrbm_sampler_destroy(smp);
  rgrbm_sampler_destroy(NULL);
  rgrbm_dataset_destroy(ds);
  rgrbm_dataset_destroy(wrong);
  rgrbm_dataset_destroy(shaped);
  rgrbm_lattice_destroy(lat);
  rgrbm_lattice_destroy(odd);
  rgrbm_lattice_destroy(oddy);
}
END_TEST

START_TEST(no_leaks) {
  size_t before = rgrbm_memory_in_use();
  for (int a = 0; a < 4; a++) {
    run r = sample(RGRBM_SQUARE, 6, 6, RGRBM_PERIODIC, 0.3, 0.0, algorithms[a], 1, 10, 1, 1);
    release(&r);
  }
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
}
END_TEST

/* Spins the caller wrote other than -1/+1: one rule for sweep and draw, for
 * every algorithm: RGRBM_EINVAL naming the site, the lattice untouched (the
 * int8 neighbour sums of the kernels are defined for -1/+1 only). */
START_TEST(spins_other_than_plus_minus_one_are_refused) {
  static const int8_t bad[] = {0, 2, -2, 3, 127, -128};
  const size_t before = rgrbm_memory_in_use();
  rgrbm_lattice *lat;
  rgrbm_sampler *smp;
  rgrbm_dataset *out;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, 8, 6, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, 0.4, 0.0));
  ck_assert_ok(rgrbm_sampler_create(&smp, lat, algorithms[_i], 3));
  ck_assert_ok(rgrbm_dataset_create(&out, 48));
  for (size_t k = 0; k < sizeof bad; k++) {
    ck_assert_ok(rgrbm_lattice_randomize(lat, k));
    int8_t *spins = rgrbm_lattice_spins(lat);
    spins[2 * 8 + 3] = bad[k];
    spins[5 * 8 + 7] = bad[k]; /* the first one is named */
    int8_t copy[48];
    memcpy(copy, spins, sizeof copy);
    char fragment[64];
    snprintf(fragment, sizeof fragment, "spin 19 (x = 3, y = 2) is %d", bad[k]);
    ck_assert_fails(rgrbm_sampler_sweep(smp, 2), RGRBM_EINVAL, "rgrbm_sampler_sweep", fragment);
    ck_assert_mem_eq(spins, copy, sizeof copy);
    ck_assert_fails(rgrbm_sampler_draw(smp, 3, 1, 1, out), RGRBM_EINVAL, "rgrbm_sampler_draw",
                    fragment);
    ck_assert_mem_eq(spins, copy, sizeof copy);
    ck_assert_uint_eq(rgrbm_dataset_count(out), 0);
  }
  /* -1/+1 again: both run. */
  ck_assert_ok(rgrbm_lattice_fill(lat, -1));
  ck_assert_ok(rgrbm_sampler_sweep(smp, 2));
  ck_assert_ok(rgrbm_sampler_draw(smp, 3, 1, 1, out));
  ck_assert_uint_eq(rgrbm_dataset_count(out), 3);
  rgrbm_dataset_destroy(out);
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
}
END_TEST

static Suite *sampler_suite(void) {
  Suite *s = suite_create("sampler");
  TCase *tc = tcase_create("physics");
  tcase_set_timeout(tc, 300);
  tcase_add_loop_test(tc, every_sampler_matches_the_exact_torus, 0, 4);
  tcase_add_loop_test(tc, local_updates_of_a_chain_in_a_field, 0, 2);
  tcase_add_test(tc, detailed_balance_on_3x3);
  tcase_add_test(tc, metropolis_40x40_at_the_paper_coupling);
  suite_add_tcase(s, tc);
  TCase *api = tcase_create("api");
  tcase_set_timeout(api, 60);
  tcase_add_loop_test(api, results_depend_on_the_seed_alone, 0, 4);
  tcase_add_loop_test(api, chunked_draws_continue_the_chain, 0, 4);
  tcase_add_loop_test(api, vector_philox_matches_the_reference, 0, 5);
  tcase_add_test(api, every_level_gives_the_generic_chain);
  tcase_add_test(api, sweeps_of_wide_and_narrow_lattices);
  tcase_add_test(api, bad_arguments_are_named);
  tcase_add_test(api, no_leaks);
  tcase_add_loop_test(api, spins_other_than_plus_minus_one_are_refused, 0, 4);
  suite_add_tcase(s, api);
  return s;
}

int main(void) { return rgrbm_test_run(sampler_suite()); }
