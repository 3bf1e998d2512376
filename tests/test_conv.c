/* Translation-invariant layers (rgrbm/conv.h) and their RG plan: the passes
 * and statistics against a fully connected RBM with tied weights built by
 * hand, a training step against the tied sum of the fully connected
 * gradient, determinism, files, the plan's shapes and modes (majority rule
 * from a block filter), bad input. */
#include <math.h>
#include <stdint.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "conv.h"
#include "file_testutil.h"
#include "getter_testutil.h"
#include "rg.h"
#include "rg_testutil.h"
#include "rgrbm/conv.h"
#include "rgrbm/rg.h"
#include "rng.h"
#include "testutil.h"

/* ---- helpers ---- */

static int mod(int a, int n) { return ((a % n) + n) % n; }

static rgrbm_dataset *random_data(int lx, int ly, size_t count, uint64_t seed) {
  rgrbm__rng r;
  rgrbm__rng_init(&r, seed, 0);
  const size_t dim = (size_t)lx * (size_t)ly;
  int8_t *s = malloc(dim * count);
  for (size_t i = 0; i < dim * count; i++) s[i] = (rgrbm__rng_u32(&r) >> 31) ? 1 : -1;
  rgrbm_dataset *ds;
  ck_assert_ok(rgrbm_dataset_create(&ds, dim));
  ck_assert_ok(rgrbm_dataset_set_shape(ds, lx, ly));
  ck_assert_ok(rgrbm_dataset_append(ds, s, count));
  free(s);
  return ds;
}

/* ties[(dy * f + dx) * nv * nh + i * nh + J]: how often the filter's entry
 * (dx, dy) couples fine site i to hidden unit J, from the documented window
 * ((b X + dx - o) mod lx, (b Y + dy - o) mod ly). */
static int *tie_counts(int f, int b, int lx, int ly) {
  const int o = (f - b) / 2, cx = lx / b, cy = ly / b, nv = lx * ly, nh = cx * cy;
  int *t = calloc((size_t)f * f * nv * nh, sizeof *t);
  for (int Y = 0; Y < cy; Y++)
    for (int X = 0; X < cx; X++)
      for (int dy = 0; dy < f; dy++)
        for (int dx = 0; dx < f; dx++) {
          int i = mod(b * Y + dy - o, ly) * lx + mod(b * X + dx - o, lx);
          t[(size_t)(dy * f + dx) * nv * nh + (size_t)i * nh + (size_t)(Y * cx + X)]++;
        }
  return t;
}

/* The fully connected stack nv-nh with W_iJ = sum of the tied entries. */
static rgrbm_stack *tied_stack(const rgrbm_conv *c, int lx, int ly) {
  const int f = c->f, b = c->b, nv = lx * ly, nh = (lx / b) * (ly / b);
  const int sizes[2] = {nv, nh};
  rgrbm_stack *s;
  ck_assert_ok(rgrbm_stack_create(&s, sizes, 2, c->units, 1));
  int *t = tie_counts(f, b, lx, ly);
  float *w = rgrbm_stack_weights(s, 0);
  for (int i = 0; i < nv * nh; i++) {
    double sum = 0.0;
    for (int k = 0; k < f * f; k++) sum += t[(size_t)k * nv * nh + i] * (double)c->params[k];
    w[i] = (float)sum;
  }
  for (int i = 0; i < nv; i++) rgrbm_stack_visible_bias(s, 0)[i] = rgrbm__conv_vbias(c);
  for (int j = 0; j < nh; j++) rgrbm_stack_hidden_bias(s, 0)[j] = rgrbm__conv_hbias(c);
  free(t);
  return s;
}

static rgrbm_conv *random_conv(int f, int b, rgrbm_units units, uint64_t seed) {
  rgrbm_conv *c;
  ck_assert_ok(rgrbm_conv_create(&c, f, b, units, seed));
  rgrbm__rng r;
  rgrbm__rng_init(&r, seed, 7);
  for (int k = 0; k < f * f + 2; k++) c->params[k] = (float)(rgrbm__rng_double(&r) - 0.5);
  return c;
}

static float *random_units(size_t n, rgrbm_units units, int means, uint64_t seed) {
  rgrbm__rng r;
  rgrbm__rng_init(&r, seed, 3);
  float *x = malloc(n * sizeof *x);
  const float low = units == RGRBM_UNITS_SPIN ? -1.0f : 0.0f;
  for (size_t i = 0; i < n; i++) {
    double u = rgrbm__rng_double(&r);
    x[i] = means ? (float)(low + (1.0 - low) * u) : (u < 0.5 ? low : 1.0f);
  }
  return x;
}

static float *filled(size_t n, float value) {
  float *x = malloc(n * sizeof *x);
  for (size_t i = 0; i < n; i++) x[i] = value;
  return x;
}

/* ---- the passes against the tied fully connected RBM ---- */

typedef struct shape_case {
  int f, b, lx, ly;
} shape_case;

/* f - b even and odd (the odd margin goes to the high side), windows wider
 * than the lattice (wrapping onto sites twice), a non-square lattice. */
static const shape_case SHAPES[] = {{2, 2, 4, 4}, {4, 2, 4, 4}, {3, 2, 4, 4}, {5, 2, 6, 4},
                                    {6, 2, 4, 4}, {3, 3, 6, 3}, {4, 2, 8, 6}};
enum { SHAPE_COUNT = sizeof SHAPES / sizeof SHAPES[0] };

START_TEST(passes_equal_the_tied_fully_connected_rbm) {
  const shape_case *sc = &SHAPES[_i];
  for (int u = 0; u < 2; u++) {
    const rgrbm_units units = u ? RGRBM_UNITS_SPIN : RGRBM_UNITS_BINARY;
    rgrbm_conv *c = random_conv(sc->f, sc->b, units, 10 + (uint64_t)_i);
    rgrbm_stack *s = tied_stack(c, sc->lx, sc->ly);
    rgrbm__conv_geometry g;
    ck_assert_ok(rgrbm__conv_geometry_init(&g, c, sc->lx, sc->ly, "test"));
    const size_t rows = 5;
    float *v = random_units(rows * g.nv, units, 0, 1), *h = random_units(rows * g.nh, units, 1, 2);
    float *want_h = malloc(rows * g.nh * sizeof(float)), *want_v = malloc(rows * g.nv * sizeof(float));
    float *got_h = malloc(g.nh * sizeof(float)), *got_v = malloc(g.nv * sizeof(float));
    float *hb = filled(g.nh, rgrbm__conv_hbias(c)), *vb = filled(g.nv, rgrbm__conv_vbias(c));
    ck_assert_ok(rgrbm_stack_up(s, 0, 1, v, rows, want_h));
    ck_assert_ok(rgrbm_stack_down(s, 1, 0, h, rows, want_v));
    for (size_t r = 0; r < rows; r++) {
      rgrbm__conv_hidden_means(c, &g, v + r * g.nv, hb, got_h);
      rgrbm__conv_visible_means(c, &g, h + r * g.nh, vb, got_v);
      for (size_t j = 0; j < g.nh; j++)
        ck_assert_msg(fabsf(got_h[j] - want_h[r * g.nh + j]) < 1e-5f, "f %d row %zu hidden %zu: "
                      "%g != %g", sc->f, r, j, got_h[j], want_h[r * g.nh + j]);
      for (size_t i = 0; i < g.nv; i++)
        ck_assert_msg(fabsf(got_v[i] - want_v[r * g.nv + i]) < 1e-5f, "f %d row %zu visible %zu: "
                      "%g != %g", sc->f, r, i, got_v[i], want_v[r * g.nv + i]);
    }
    free(v), free(h), free(want_h), free(want_v), free(got_h), free(got_v), free(hb), free(vb);
    rgrbm__conv_geometry_free(&g);
    rgrbm_stack_destroy(s);
    rgrbm_conv_destroy(c);
  }
}
END_TEST

/* The window's placement: a filter whose only weight sits at (o, o) makes
 * unit (X, Y) read site (b X, b Y), the block's first site. */
START_TEST(window_is_centred_on_the_block) {
  const int f = 6, b = 2, o = 2, lx = 8, ly = 6;
  rgrbm_conv *c;
  ck_assert_ok(rgrbm_conv_create(&c, f, b, RGRBM_UNITS_SPIN, 1));
  memset(c->params, 0, (size_t)(f * f + 2) * sizeof(float));
  c->params[o * f + o] = 30.0f;
  rgrbm__conv_geometry g;
  ck_assert_ok(rgrbm__conv_geometry_init(&g, c, lx, ly, "test"));
  float v[48], h[12], hb[12] = {0};
  for (int site = 0; site < lx * ly; site++) {
    for (int i = 0; i < lx * ly; i++) v[i] = i == site ? 1.0f : -1.0f;
    rgrbm__conv_hidden_means(c, &g, v, hb, h);
    for (int Y = 0; Y < ly / b; Y++)
      for (int X = 0; X < lx / b; X++)
        ck_assert_float_eq(h[Y * (lx / b) + X], site == b * Y * lx + b * X ? 1.0f : -1.0f);
  }
  rgrbm__conv_geometry_free(&g);
  rgrbm_conv_destroy(c);
}
END_TEST

START_TEST(statistics_are_the_tied_sums) {
  const shape_case *sc = &SHAPES[_i];
  rgrbm_conv *c = random_conv(sc->f, sc->b, RGRBM_UNITS_SPIN, 3);
  rgrbm__conv_geometry g;
  ck_assert_ok(rgrbm__conv_geometry_init(&g, c, sc->lx, sc->ly, "test"));
  const int f = sc->f, nv = (int)g.nv, nh = (int)g.nh;
  float *v = random_units(g.nv, RGRBM_UNITS_SPIN, 0, 4), *h = random_units(g.nh, RGRBM_UNITS_SPIN, 1, 5);
  double *got = calloc((size_t)f * f + 2, sizeof *got);
  rgrbm__conv_statistics(&g, v, h, 0.5, got);
  int *t = tie_counts(f, sc->b, sc->lx, sc->ly);
  for (int k = 0; k < f * f; k++) {
    double want = 0.0;
    for (int i = 0; i < nv; i++)
      for (int j = 0; j < nh; j++) want += t[(size_t)k * nv * nh + (size_t)i * nh + j] * v[i] * h[j];
    ck_assert_double_eq_tol(got[k], 0.5 * want, 1e-9);
  }
  double vs = 0.0, hs = 0.0;
  for (int i = 0; i < nv; i++) vs += v[i];
  for (int j = 0; j < nh; j++) hs += h[j];
  ck_assert_double_eq_tol(got[f * f], 0.5 * vs, 1e-9);
  ck_assert_double_eq_tol(got[f * f + 1], 0.5 * hs, 1e-9);
  free(t), free(got), free(v), free(h);
  rgrbm__conv_geometry_free(&g);
  rgrbm_conv_destroy(c);
}
END_TEST

/* One CD-1 update on one batch, with parameters so large that every
 * conditional mean is exactly -1 or +1 in float (|field| >= 50): the chain is
 * then deterministic, and the step must be the mean over tied copies of the
 * fully connected gradient (computed with the stack's passes), plus the
 * penalties on the weights only. */
START_TEST(a_cd_step_is_the_tied_fully_connected_gradient) {
  const int f = 4, b = 2, lx = 6, ly = 4, nv = lx * ly, nh = (lx / b) * (ly / b);
  const size_t rows = 7;
  rgrbm_conv *c;
  ck_assert_ok(rgrbm_conv_create(&c, f, b, RGRBM_UNITS_SPIN, 1));
  for (int k = 0; k < f * f; k++) c->params[k] = k % 3 ? 100.0f : -100.0f;
  c->params[f * f] = 50.0f;     /* visible bias: window sums are even, so fields are odd x 50 */
  c->params[f * f + 1] = 50.0f; /* hidden bias */
  rgrbm_stack *s = tied_stack(c, lx, ly);
  rgrbm_dataset *ds = random_data(lx, ly, rows, 9);
  float *v = malloc(rows * nv * sizeof(float)), *h = malloc(rows * nh * sizeof(float));
  float *vn = malloc(rows * nv * sizeof(float)), *hn = malloc(rows * nh * sizeof(float));
  int8_t *spins = malloc(rows * nv);
  ck_assert_ok(rgrbm_dataset_get(ds, 0, rows, spins));
  for (size_t i = 0; i < rows * nv; i++) v[i] = spins[i];
  ck_assert_ok(rgrbm_stack_up(s, 0, 1, v, rows, h));
  ck_assert_ok(rgrbm_stack_down(s, 1, 0, h, rows, vn));
  ck_assert_ok(rgrbm_stack_up(s, 0, 1, vn, rows, hn));
  for (size_t i = 0; i < rows * nh; i++) ck_assert(h[i] == 1.0f || h[i] == -1.0f);
  for (size_t i = 0; i < rows * nv; i++) ck_assert(vn[i] == 1.0f || vn[i] == -1.0f);
  /* the fully connected gradient, summed over each shared parameter's copies */
  int *t = tie_counts(f, b, lx, ly);
  double want[18] = {0};
  for (size_t r = 0; r < rows; r++) {
    for (int k = 0; k < f * f; k++)
      for (int i = 0; i < nv; i++)
        for (int j = 0; j < nh; j++) {
          int ties = t[(size_t)k * nv * nh + (size_t)i * nh + j];
          want[k] += ties * ((double)v[r * nv + i] * h[r * nh + j] -
                             (double)vn[r * nv + i] * hn[r * nh + j]);
        }
    for (int i = 0; i < nv; i++) want[16] += v[r * nv + i] - vn[r * nv + i];
    for (int j = 0; j < nh; j++) want[17] += h[r * nh + j] - hn[r * nh + j];
  }
  float before[18];
  memcpy(before, c->params, sizeof before);
  rgrbm_cd_options o = RGRBM_CD_OPTIONS_INIT;
  o.epochs = 1;
  o.batch_size = rows;
  o.momentum_initial = 0.0;
  o.learning_rate = 0.25;
  o.l2 = 0.01;
  o.l1 = 0.02;
  ck_assert_ok(rgrbm_conv_train(c, ds, &o));
  for (int k = 0; k < 18; k++) {
    const double copies = k == 16 ? nv : nh;
    double step = 0.25 * want[k] / ((double)rows * copies);
    if (k < 16) step -= 0.25 * (0.01 * before[k] + 0.02 * (before[k] > 0 ? 1 : -1));
    ck_assert_msg(fabs((double)c->params[k] - (before[k] + step)) < 2e-5,
                  "parameter %d: %.7g, expected %.7g", k, c->params[k], before[k] + step);
  }
  ck_assert_int_eq(c->epochs_done, 1);
  ck_assert_int_eq(c->trained_with.trained, 1);
  ck_assert_double_eq(c->trained_with.l1, 0.02);
  free(t), free(v), free(h), free(vn), free(hn), free(spins);
  rgrbm_dataset_destroy(ds);
  rgrbm_stack_destroy(s);
  rgrbm_conv_destroy(c);
}
END_TEST

/* ---- training ---- */

static rgrbm_conv *trained(rgrbm_units units, const rgrbm_dataset *ds, const rgrbm_cd_options *o) {
  rgrbm_conv *c;
  ck_assert_ok(rgrbm_conv_create(&c, 4, 2, units, 5));
  ck_assert_ok(rgrbm_conv_train(c, ds, o));
  return c;
}

static int same_params(const rgrbm_conv *a, const rgrbm_conv *b) {
  return a->f == b->f && memcmp(a->params, b->params, (size_t)(a->f * a->f + 2) * sizeof(float)) == 0;
}

START_TEST(training_depends_on_the_seed_only) {
  rgrbm_dataset *ds = random_data(16, 8, 60, 2);
  for (int pcd = 0; pcd < 2; pcd++) {
    rgrbm_cd_options o = RGRBM_CD_OPTIONS_INIT;
    o.epochs = 2;
    o.batch_size = 25;
    o.k = 2;
    o.persistent = pcd;
    o.momentum_initial = o.momentum_final = 0.0;
    o.l1 = 1e-3;
    rgrbm_conv *a = trained(RGRBM_UNITS_SPIN, ds, &o);
#ifdef _OPENMP
    int threads = omp_get_max_threads();
    omp_set_num_threads(threads > 1 ? 1 : 2);
#endif
    rgrbm_conv *b = trained(RGRBM_UNITS_SPIN, ds, &o);
#ifdef _OPENMP
    omp_set_num_threads(threads);
#endif
    ck_assert_msg(same_params(a, b), "another thread count changed the result");
    ck_assert_int_eq(a->epochs_done, 2);
    if (!pcd) { /* CD, momentum 0: two calls of one epoch are one of two */
      o.epochs = 1;
      rgrbm_conv *c;
      ck_assert_ok(rgrbm_conv_create(&c, 4, 2, RGRBM_UNITS_SPIN, 5));
      ck_assert_ok(rgrbm_conv_train(c, ds, &o));
      ck_assert_ok(rgrbm_conv_train(c, ds, &o));
      ck_assert(same_params(a, c));
      rgrbm_conv_destroy(c);
    }
    o.seed = 99;
    o.epochs = 2;
    rgrbm_conv *d = trained(RGRBM_UNITS_SPIN, ds, &o);
    ck_assert(!same_params(a, d));
    rgrbm_conv_destroy(a);
    rgrbm_conv_destroy(b);
    rgrbm_conv_destroy(d);
  }
  rgrbm_dataset_destroy(ds);
}
END_TEST

/* Ordered data (every configuration all +1 or all -1, as deep in the
 * ordered phase) teach a uniform filter in both unit conventions. */
static int count_epochs(void *user, int layer, int epoch, double err, double pll, double sec) {
  (void)layer, (void)sec;
  ck_assert(isnan(pll));
  ck_assert(err >= 0.0 && isfinite(err));
  *(int *)user = epoch;
  return 0;
}

START_TEST(ordered_data_teach_a_ferromagnetic_filter) {
  const int lx = 8, ly = 8, count = 40;
  int8_t *s = malloc((size_t)count * lx * ly);
  for (int r = 0; r < count; r++) memset(s + r * lx * ly, r % 2 ? 1 : -1, (size_t)lx * ly);
  rgrbm_dataset *ds;
  ck_assert_ok(rgrbm_dataset_create(&ds, (size_t)lx * ly));
  ck_assert_ok(rgrbm_dataset_set_shape(ds, lx, ly));
  ck_assert_ok(rgrbm_dataset_append(ds, s, count));
  for (int u = 0; u < 2; u++) {
    rgrbm_cd_options o = RGRBM_CD_OPTIONS_INIT;
    int epochs = 0;
    o.epochs = 5;
    o.batch_size = 10;
    o.learning_rate = u ? 0.05 : 0.5; /* binary weights are 4 x spin weights (rgrbm/stack.h) */
    o.progress = count_epochs;
    o.progress_data = &epochs;
    rgrbm_conv *c = trained(u ? RGRBM_UNITS_SPIN : RGRBM_UNITS_BINARY, ds, &o);
    ck_assert_int_eq(epochs, 5);
    /* Every weight of one sign and large: the coupling the layer induces
     * between visible spins i, j (through one hidden unit, ~ w_i w_j) is
     * ferromagnetic whichever sign the training broke to. */
    const float sign = c->params[0] > 0 ? 1.0f : -1.0f;
    for (int k = 0; k < 16; k++)
      ck_assert_msg(sign * c->params[k] > 0.3f, "units %d: weight %d = %g", u, k, c->params[k]);
    rgrbm_conv_destroy(c);
  }
  free(s);
  rgrbm_dataset_destroy(ds);
}
END_TEST

static int stop_after_one(void *user, int layer, int epoch, double err, double pll, double sec) {
  (void)user, (void)layer, (void)err, (void)pll, (void)sec;
  return epoch >= 1 ? 7 : 0;
}

START_TEST(failures_keep_the_layer) {
  rgrbm_dataset *ds = random_data(8, 8, 20, 4);
  rgrbm_conv *c;
  ck_assert_ok(rgrbm_conv_create(&c, 4, 2, RGRBM_UNITS_SPIN, 5));
  float before[18];
  memcpy(before, c->params, sizeof before);
  rgrbm_cd_options o = RGRBM_CD_OPTIONS_INIT;
  o.epochs = 3;
  o.learning_rate = 1e38;
  o.l2 = 1e3; /* learning_rate * l2 is infinite in float: the first step overflows */
  ck_assert_fails(rgrbm_conv_train(c, ds, &o), RGRBM_ENUMERIC, "rgrbm_conv_train",
                  "learning_rate", "after epoch 0 are restored");
  o.l2 = 0.0;
  ck_assert(memcmp(before, c->params, sizeof before) == 0);
  ck_assert_int_eq(c->epochs_done, 0);
  o.learning_rate = 0.01;
  o.progress = stop_after_one;
  ck_assert_fails(rgrbm_conv_train(c, ds, &o), RGRBM_ECANCELED, "rgrbm_conv_train", "returned 7");
  ck_assert_int_eq(c->epochs_done, 1);
  rgrbm_conv_destroy(c);
  rgrbm_dataset_destroy(ds);
}
END_TEST

/* ---- files ---- */

static void expect_conv_rejected(const char *path, const char *fragment) {
  rgrbm_conv *c = (rgrbm_conv *)&c; /* must be reset to NULL */
  const size_t memory = rgrbm_memory_in_use();
  ck_assert_fails(rgrbm_conv_load(&c, path), RGRBM_EFORMAT, "rgrbm_conv_load", fragment);
  ck_assert_ptr_null(c);
  ck_assert_uint_eq(rgrbm_memory_in_use(), memory);
}

static void patch_and_expect(const char *path, const unsigned char *good, size_t n, size_t at,
                             uint32_t value, const char *fragment) {
  write_patched(path, good, n, at, value);
  expect_conv_rejected(path, fragment);
}

START_TEST(files_round_trip_and_refuse_damage) {
  char path[600], bad[600], stack_path[600];
  rgrbm_test_tmpfile(path, sizeof path, "layer.conv");
  rgrbm_test_tmpfile(bad, sizeof bad, "bad.conv");
  rgrbm_test_tmpfile(stack_path, sizeof stack_path, "a.stack");
  rgrbm_dataset *ds = random_data(8, 8, 20, 4);
  rgrbm_cd_options o = RGRBM_CD_OPTIONS_INIT;
  o.epochs = 2;
  o.l2 = 1e-3;
  rgrbm_conv *c = trained(RGRBM_UNITS_BINARY, ds, &o), *back = NULL;
  ck_assert_ok(rgrbm_conv_save(c, path));
  ck_assert_ok(rgrbm_conv_load(&back, path));
  ck_assert_int_eq(back->f, 4);
  ck_assert_int_eq(back->b, 2);
  ck_assert_int_eq(back->units, RGRBM_UNITS_BINARY);
  ck_assert_uint_eq(back->seed, 5);
  ck_assert_int_eq(back->epochs_done, 2);
  ck_assert(memcmp(&back->trained_with, &c->trained_with, sizeof c->trained_with) == 0);
  ck_assert(same_params(c, back));
  rgrbm_conv_destroy(back);

  unsigned char good[1024];
  const size_t n = read_all(path, good, sizeof good);
  ck_assert_uint_eq(n, 32 + 12 + 100 + 4 * 18 + 4);
  ck_assert_uint_eq(good[8], 3);  /* format */
  ck_assert_uint_eq(good[20], 1); /* kind */
  /* Damage: a flipped byte, truncation, trailing bytes. */
  unsigned char buf[1024];
  memcpy(buf, good, n);
  buf[n / 2] ^= 0x10;
  write_all(bad, buf, n);
  expect_conv_rejected(bad, "checksum mismatch");
  write_all(bad, good, n - 5);
  expect_conv_rejected(bad, "truncated");
  memcpy(buf, good, n);
  buf[n] = 0;
  fix_crc(buf, n + 1);
  write_all(bad, buf, n + 1);
  expect_conv_rejected(bad, "trailing bytes");
  write_all(bad, good, 20);
  expect_conv_rejected(bad, "too short");
  /* Header and shape fields that pass the checksum but not the loader. */
  patch_and_expect(bad, good, n, 8, 4, "unsupported stack format version 4");
  patch_and_expect(bad, good, n, 20, 0, "unsupported stack format version 3");
  patch_and_expect(bad, good, n, 20, 9, "model kind 9");
  patch_and_expect(bad, good, n, 12, 2, "unknown units 2");
  patch_and_expect(bad, good, n, 16, 3, "2 levels");
  patch_and_expect(bad, good, n, 32, 1, "out of range");           /* f < b */
  patch_and_expect(bad, good, n, 36, 1, "out of range");           /* b < 2 */
  patch_and_expect(bad, good, n, 32, 0x7FFFFFFFu, "out of range"); /* huge f */
  patch_and_expect(bad, good, n, 32, 1024, "truncated");           /* needs 4 MiB */
  patch_and_expect(bad, good, n, 40, 0x80000000u, "epochs done");
  patch_and_expect(bad, good, n, 44 + 20, 2, "option persistent");
  patch_and_expect(bad, good, n, 144, 0x7FC00000u, "parameter 0 (a weight");
  patch_and_expect(bad, good, n, n - 8, 0x7F800000u, "hidden bias");

  /* Each loader refuses the other's files, naming the right one. */
  rgrbm_stack *s = NULL;
  ck_assert_fails(rgrbm_stack_load(&s, path), RGRBM_EFORMAT, "rgrbm_stack_load",
                  "translation-invariant layer", "rgrbm_conv_load");
  ck_assert_ptr_null(s);
  const int sizes[2] = {64, 16};
  ck_assert_ok(rgrbm_stack_create(&s, sizes, 2, RGRBM_UNITS_SPIN, 1));
  ck_assert_ok(rgrbm_stack_save(s, stack_path));
  rgrbm_stack_destroy(s);
  back = NULL;
  ck_assert_fails(rgrbm_conv_load(&back, stack_path), RGRBM_EFORMAT, "rgrbm_conv_load",
                  "holds an RBM stack (format 2)", "rgrbm_stack_load");
  ck_assert_ptr_null(back);
  /* The stack's format 2 still loads. */
  ck_assert_ok(rgrbm_stack_load(&s, stack_path));
  rgrbm_stack_destroy(s);
  rgrbm_conv_destroy(c);
  rgrbm_dataset_destroy(ds);
}
END_TEST

/* ---- the RG plan ---- */

/* A 2 x 2 block indicator filter is majority rule wherever the block has a
 * majority (spin units: field = w * block sum; binary units: w * (ups - 2)
 * through the hidden bias), and a coin at ties. */
START_TEST(block_filter_is_majority_rule) {
  const int lx = 16, ly = 8, count = 200;
  rgrbm_dataset *in = random_data(lx, ly, count, 8);
  rgrbm_rg *major;
  ck_assert_ok(rgrbm_rg_create_block2d(&major, lx, ly, 2, RGRBM_BLOCK_MAJORITY, 3));
  rgrbm_dataset *want = apply_new(major, in);
  int8_t *fine = all_spins(in), *w = all_spins(want);
  for (int u = 0; u < 2; u++) {
    rgrbm_conv *c;
    ck_assert_ok(rgrbm_conv_create(&c, 2, 2, u ? RGRBM_UNITS_SPIN : RGRBM_UNITS_BINARY, 1));
    for (int k = 0; k < 4; k++) rgrbm_conv_weights(c)[k] = 40.0f;
    *rgrbm_conv_hidden_bias(c) = u ? 0.0f : -80.0f;
    for (int mode = 0; mode < 2; mode++) {
      rgrbm_rg *rg;
      ck_assert_ok(rgrbm_rg_create_conv(&rg, c, lx, ly, (rgrbm_rg_mode)mode, 3));
      rgrbm_dataset *out = apply_new(rg, in);
      int olx, oly;
      ck_assert_ok(rgrbm_dataset_shape(out, &olx, &oly));
      ck_assert_int_eq(olx, lx / 2);
      ck_assert_int_eq(oly, ly / 2);
      int8_t *got = all_spins(out);
      long ties = 0, ups = 0;
      for (int r = 0; r < count; r++)
        for (int Y = 0; Y < ly / 2; Y++)
          for (int X = 0; X < lx / 2; X++) {
            const int8_t *cfg = fine + (size_t)r * lx * ly;
            int sum = cfg[2 * Y * lx + 2 * X] + cfg[2 * Y * lx + 2 * X + 1] +
                      cfg[(2 * Y + 1) * lx + 2 * X] + cfg[(2 * Y + 1) * lx + 2 * X + 1];
            size_t j = (size_t)r * (lx / 2) * (ly / 2) + (size_t)(Y * (lx / 2) + X);
            if (sum != 0) {
              ck_assert_int_eq(got[j], w[j]);
            } else {
              ties++;
              ups += got[j] > 0;
            }
          }
      /* Ties: in mean mode a coin (the field is exactly 0), in sample
       * mode a fair sample: about half up either way. */
      ck_assert_int_gt(ties, 500);
      ck_assert_msg(labs(2 * ups - ties) < 4 * (long)sqrt((double)ties), "%ld of %ld", ups, ties);
      free(got);
      rgrbm_dataset_destroy(out);
      rgrbm_rg_destroy(rg);
    }
    rgrbm_conv_destroy(c);
  }
  free(fine), free(w);
  rgrbm_dataset_destroy(want);
  rgrbm_dataset_destroy(in);
  rgrbm_rg_destroy(major);
}
END_TEST

/* Means are deterministic and sampling is not; the plan reads the borrowed
 * filter at each application; coins depend on the configuration only. */
START_TEST(plan_modes_and_borrowing) {
  const int lx = 8, ly = 8;
  rgrbm_dataset *in = random_data(lx, ly, 50, 6);
  rgrbm_conv *c = random_conv(4, 2, RGRBM_UNITS_SPIN, 2);
  rgrbm_rg *mean1, *mean2, *samp1, *samp2;
  ck_assert_ok(rgrbm_rg_create_conv(&mean1, c, lx, ly, RGRBM_RG_SIGN_MEAN, 1));
  ck_assert_ok(rgrbm_rg_create_conv(&mean2, c, lx, ly, RGRBM_RG_SIGN_MEAN, 2));
  ck_assert_ok(rgrbm_rg_create_conv(&samp1, c, lx, ly, RGRBM_RG_SAMPLE, 1));
  ck_assert_ok(rgrbm_rg_create_conv(&samp2, c, lx, ly, RGRBM_RG_SAMPLE, 2));
  assert_block_shape(mean1, lx, ly, 2);
  rgrbm_dataset *a = apply_new(mean1, in), *b = apply_new(mean2, in);
  rgrbm_dataset *s1 = apply_new(samp1, in), *s2 = apply_new(samp2, in), *s1b = apply_new(samp1, in);
  int8_t *pa = all_spins(a), *pb = all_spins(b), *q1 = all_spins(s1), *q2 = all_spins(s2),
         *q1b = all_spins(s1b);
  ck_assert(memcmp(pa, pb, 50 * 16) == 0);   /* no zero means: the seed does not matter */
  ck_assert(memcmp(q1, q1b, 50 * 16) == 0);  /* a function of (seed, configuration) */
  ck_assert(memcmp(q1, q2, 50 * 16) != 0);   /* weak fields: samples differ */
  /* The filter changes after creation: the plan reads the new one. The
   * negated layer (w -> -w, b_h -> -b_h) has the opposite hidden means but
   * the opposite orientation too, so the coarse spins are the same; with
   * the hidden bias alone negated they differ. */
  double sum = 0.0;
  for (int k = 0; k < 16; k++) sum += rgrbm_conv_weights(c)[k];
  ck_assert(fabs(sum) > 0.5);
  for (int k = 0; k < 16; k++) rgrbm_conv_weights(c)[k] = -rgrbm_conv_weights(c)[k];
  *rgrbm_conv_hidden_bias(c) = -*rgrbm_conv_hidden_bias(c);
  rgrbm_dataset *neg = apply_new(mean1, in);
  int8_t *pn = all_spins(neg);
  ck_assert(memcmp(pn, pa, 50 * 16) == 0);
  *rgrbm_conv_hidden_bias(c) = 3.0f;
  rgrbm_dataset *shifted = apply_new(mean1, in);
  int8_t *ps = all_spins(shifted);
  ck_assert(memcmp(ps, pa, 50 * 16) != 0);
  free(ps);
  rgrbm_dataset_destroy(shifted);
  /* A zero filter: every mean is 0, every spin a coin of its configuration. */
  memset(rgrbm_conv_weights(c), 0, 18 * sizeof(float));
  rgrbm_dataset *z1 = apply_new(mean1, in), *z2 = apply_new(mean2, in);
  int8_t *c1 = all_spins(z1), *c2 = all_spins(z2);
  ck_assert(memcmp(c1, c2, 50 * 16) != 0);
  long up = 0;
  for (int i = 0; i < 50 * 16; i++) up += c1[i] > 0;
  ck_assert(up > 300 && up < 500);
  /* A non-finite filter is refused at application. */
  rgrbm_conv_weights(c)[5] = NAN;
  rgrbm_dataset *out;
  ck_assert_ok(rgrbm_dataset_create(&out, 16));
  ck_assert_fails(rgrbm_rg_apply(mean1, in, out), RGRBM_ENUMERIC, "rgrbm_rg_apply", "NaN");
  ck_assert_uint_eq(rgrbm_dataset_count(out), 0);
  rgrbm_dataset_destroy(out);
  free(pa), free(pb), free(q1), free(q2), free(q1b), free(pn), free(c1), free(c2);
  rgrbm_dataset *all[] = {a, b, s1, s2, s1b, neg, z1, z2};
  for (int i = 0; i < 8; i++) rgrbm_dataset_destroy(all[i]);
  rgrbm_rg_destroy(mean1), rgrbm_rg_destroy(mean2), rgrbm_rg_destroy(samp1), rgrbm_rg_destroy(samp2);
  rgrbm_conv_destroy(c);
  rgrbm_dataset_destroy(in);
}
END_TEST

/* MCRG's level n: the same filter on level n - 1's lattice, seed + n - 1. */
START_TEST(mcrg_levels_repeat_the_filter) {
  rgrbm_conv *c = random_conv(4, 2, RGRBM_UNITS_SPIN, 2);
  rgrbm_rg *rg, *plan = NULL;
  ck_assert_ok(rgrbm_rg_create_conv(&rg, c, 24, 16, RGRBM_RG_SAMPLE, 10));
  ck_assert_ptr_nonnull(rg->kind->mcrg_level);
  int reads = -1;
  ck_assert_ok(rg->kind->mcrg_level(rg, 3, &plan, &reads, "caller"));
  ck_assert_int_eq(reads, 2);
  assert_block_shape(plan, 6, 4, 2);
  ck_assert_uint_eq(plan->seed, 12);
  rgrbm_rg_destroy(plan);
  rgrbm_rg_destroy(rg);
  ck_assert_ok(rgrbm_rg_create_conv(&rg, c, 24, 16, RGRBM_RG_SAMPLE, 10));
  ck_assert_ok(rg->kind->mcrg_level(rg, 2, &plan, &reads, "caller"));
  ck_assert_int_eq(reads, 1);
  ck_assert_uint_eq(plan->seed, 11);
  rgrbm_rg_destroy(plan);
  /* Level 4 maps 3 x 2: b = 2 does not divide 3; level 5 cannot be reached. */
  plan = (rgrbm_rg *)&plan;
  rgrbm_clear_error();
  ck_assert_int_eq(rg->kind->mcrg_level(rg, 4, &plan, &reads, "caller"), RGRBM_EINVAL);
  ck_assert_ptr_null(plan);
  ck_assert_ptr_nonnull(strstr(rgrbm_last_error(), "caller: lx x ly = 3 x 2"));
  rgrbm_clear_error();
  ck_assert_int_eq(rg->kind->mcrg_level(rg, 5, &plan, &reads, "caller"), RGRBM_EINVAL);
  ck_assert_ptr_nonnull(strstr(rgrbm_last_error(), "level 3's lattice 3 x 2 is not divisible"));
  rgrbm_rg_destroy(rg);
  rgrbm_conv_destroy(c);
}
END_TEST

/* ---- bad input ---- */

START_TEST(bad_arguments_are_named) {
  rgrbm_conv *c = (rgrbm_conv *)&c;
  ck_assert_fails(rgrbm_conv_create(NULL, 4, 2, RGRBM_UNITS_SPIN, 1), RGRBM_EINVAL, "rgrbm_conv_create", "out is NULL");
  ck_assert_fails(rgrbm_conv_create(&c, 1, 2, RGRBM_UNITS_SPIN, 1), RGRBM_EINVAL, "rgrbm_conv_create", "f = 1");
  ck_assert_ptr_null(c);
  ck_assert_fails(rgrbm_conv_create(&c, 4, 1, RGRBM_UNITS_SPIN, 1), RGRBM_EINVAL, "rgrbm_conv_create", "b = 1");
  ck_assert_fails(rgrbm_conv_create(&c, 2000, 2, RGRBM_UNITS_SPIN, 1), RGRBM_EINVAL, "rgrbm_conv_create", "f = 2000");
  ck_assert_fails(rgrbm_conv_create(&c, 4, 2, (rgrbm_units)7, 1), RGRBM_EINVAL, "rgrbm_conv_create", "units = 7");
  rgrbm_conv_destroy(NULL);
  ck_assert_zero_fails(rgrbm_conv_filter_side(NULL), "rgrbm_conv_filter_side", "c is NULL");
  ck_assert_zero_fails(rgrbm_conv_stride(NULL), "rgrbm_conv_stride", "c is NULL");
  ck_assert_zero_fails(rgrbm_conv_units(NULL), "rgrbm_conv_units", "c is NULL");
  ck_assert_null_fails(rgrbm_conv_weights(NULL), "rgrbm_conv_weights", "c is NULL");
  ck_assert_null_fails(rgrbm_conv_visible_bias(NULL), "rgrbm_conv_visible_bias", "c is NULL");
  ck_assert_null_fails(rgrbm_conv_hidden_bias(NULL), "rgrbm_conv_hidden_bias", "c is NULL");
  ck_assert_null_fails(rgrbm_conv_weights_const(NULL), "rgrbm_conv_weights_const", "c is NULL");
  ck_assert_null_fails(rgrbm_conv_visible_bias_const(NULL), "rgrbm_conv_visible_bias_const", "c is NULL");
  ck_assert_null_fails(rgrbm_conv_hidden_bias_const(NULL), "rgrbm_conv_hidden_bias_const", "c is NULL");

  ck_assert_ok(rgrbm_conv_create(&c, 4, 2, RGRBM_UNITS_SPIN, 1));
  ck_assert_int_eq(rgrbm_conv_filter_side(c), 4);
  ck_assert_int_eq(rgrbm_conv_stride(c), 2);
  ck_assert_int_eq(rgrbm_conv_units(c), RGRBM_UNITS_SPIN);
  ck_assert_ptr_eq(rgrbm_conv_weights_const(c), rgrbm_conv_weights(c));
  ck_assert_ptr_eq(rgrbm_conv_visible_bias_const(c), rgrbm_conv_weights(c) + 16);
  ck_assert_ptr_eq(rgrbm_conv_hidden_bias_const(c), rgrbm_conv_weights(c) + 17);
  ck_assert_ptr_eq(rgrbm_conv_visible_bias(c), rgrbm_conv_weights(c) + 16);
  ck_assert_ptr_eq(rgrbm_conv_hidden_bias(c), rgrbm_conv_weights(c) + 17);
  ck_assert_float_eq(*rgrbm_conv_hidden_bias(c), 0.0f);
  double sq = 0.0;
  for (int k = 0; k < 16; k++) sq += rgrbm_conv_weights(c)[k] * (double)rgrbm_conv_weights(c)[k];
  ck_assert(sq > 0.0 && sq < 16 * 1e-3); /* N(0, 0.01^2) */

  rgrbm_dataset *ds = random_data(8, 6, 10, 1), *flat, *odd = random_data(6, 5, 10, 1), *empty;
  ck_assert_ok(rgrbm_dataset_create(&flat, 48));
  ck_assert_ok(rgrbm_dataset_create(&empty, 48));
  ck_assert_ok(rgrbm_dataset_set_shape(empty, 8, 6));
  int8_t spins[48] = {0};
  for (int i = 0; i < 48; i++) spins[i] = 1;
  ck_assert_ok(rgrbm_dataset_append(flat, spins, 1));
  rgrbm_cd_options o = RGRBM_CD_OPTIONS_INIT;
  ck_assert_fails(rgrbm_conv_train(NULL, ds, &o), RGRBM_EINVAL, "rgrbm_conv_train", "c is NULL");
  ck_assert_fails(rgrbm_conv_train(c, NULL, &o), RGRBM_EINVAL, "rgrbm_conv_train", "data is NULL");
  ck_assert_fails(rgrbm_conv_train(c, flat, &o), RGRBM_EINVAL, "rgrbm_conv_train", "no 2D shape");
  ck_assert_fails(rgrbm_conv_train(c, odd, &o), RGRBM_EINVAL, "rgrbm_conv_train", "6 x 5", "b = 2");
  ck_assert_fails(rgrbm_conv_train(c, empty, &o), RGRBM_EINVAL, "rgrbm_conv_train", "0 configurations");
  o.k = 0;
  ck_assert_fails(rgrbm_conv_train(c, ds, &o), RGRBM_EINVAL, "rgrbm_conv_train", "o->k = 0");
  o.k = 1;
  o.momentum_final = 1.0;
  ck_assert_fails(rgrbm_conv_train(c, ds, &o), RGRBM_EINVAL, "rgrbm_conv_train", "o->momentum_final");
  o.momentum_final = 0.9;
  o.version = 0;
  ck_assert_fails(rgrbm_conv_train(c, ds, &o), RGRBM_EINVAL, "rgrbm_conv_train", "o->version = 0");
  o.version = RGRBM_CD_OPTIONS_VERSION;
  o.compute_pll = 1;
  ck_assert_fails(rgrbm_conv_train(c, ds, &o), RGRBM_EUNSUPPORTED, "rgrbm_conv_train", "compute_pll");
  o.compute_pll = 0;
  rgrbm_conv_hidden_bias(c)[0] = INFINITY;
  ck_assert_fails(rgrbm_conv_train(c, ds, &o), RGRBM_ENUMERIC, "rgrbm_conv_train", "hidden bias is +Inf");
  char path[600];
  rgrbm_test_tmpfile(path, sizeof path, "nan.conv");
  ck_assert_fails(rgrbm_conv_save(c, path), RGRBM_ENUMERIC, "rgrbm_conv_save", "hidden bias");
  rgrbm_conv_hidden_bias(c)[0] = 0.0f;
  ck_assert_fails(rgrbm_conv_save(NULL, path), RGRBM_EINVAL, "rgrbm_conv_save", "c is NULL");
  ck_assert_fails(rgrbm_conv_save(c, NULL), RGRBM_EINVAL, "rgrbm_conv_save", "path is NULL");
  rgrbm_conv *back = NULL;
  ck_assert_fails(rgrbm_conv_load(NULL, path), RGRBM_EINVAL, "rgrbm_conv_load", "out is NULL");
  ck_assert_fails(rgrbm_conv_load(&back, NULL), RGRBM_EINVAL, "rgrbm_conv_load", "path is NULL");
  ck_assert_fails(rgrbm_conv_load(&back, path), RGRBM_EIO, "rgrbm_conv_load", "nan.conv");

  rgrbm_rg *rg = (rgrbm_rg *)&rg;
  ck_assert_fails(rgrbm_rg_create_conv(NULL, c, 8, 8, RGRBM_RG_SIGN_MEAN, 1), RGRBM_EINVAL, "rgrbm_rg_create_conv", "out is NULL");
  ck_assert_fails(rgrbm_rg_create_conv(&rg, NULL, 8, 8, RGRBM_RG_SIGN_MEAN, 1), RGRBM_EINVAL, "rgrbm_rg_create_conv", "c is NULL");
  ck_assert_ptr_null(rg);
  ck_assert_fails(rgrbm_rg_create_conv(&rg, c, 9, 8, RGRBM_RG_SIGN_MEAN, 1), RGRBM_EINVAL, "rgrbm_rg_create_conv", "lx x ly = 9 x 8", "b = 2");
  ck_assert_fails(rgrbm_rg_create_conv(&rg, c, 8, 0, RGRBM_RG_SIGN_MEAN, 1), RGRBM_EINVAL, "rgrbm_rg_create_conv", "8 x 0");
  ck_assert_fails(rgrbm_rg_create_conv(&rg, c, 8, 8, (rgrbm_rg_mode)5, 1), RGRBM_EINVAL, "rgrbm_rg_create_conv", "mode = 5");
  /* A plan refuses data of another shape. */
  ck_assert_ok(rgrbm_rg_create_conv(&rg, c, 8, 8, RGRBM_RG_SIGN_MEAN, 1));
  rgrbm_dataset *out;
  ck_assert_ok(rgrbm_dataset_create(&out, 16));
  ck_assert_fails(rgrbm_rg_apply(rg, ds, out), RGRBM_EINVAL, "rgrbm_rg_apply", "in dim = 48");
  rgrbm_dataset_destroy(out);
  rgrbm_rg_destroy(rg);
  rgrbm_dataset_destroy(ds);
  rgrbm_dataset_destroy(flat);
  rgrbm_dataset_destroy(odd);
  rgrbm_dataset_destroy(empty);
  rgrbm_conv_destroy(c);
}
END_TEST

int main(void) {
  Suite *s = suite_create("conv");
  TCase *tc = tcase_create("conv");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, passes_equal_the_tied_fully_connected_rbm, 0, SHAPE_COUNT);
  tcase_add_test(tc, window_is_centred_on_the_block);
  tcase_add_loop_test(tc, statistics_are_the_tied_sums, 0, SHAPE_COUNT);
  tcase_add_test(tc, a_cd_step_is_the_tied_fully_connected_gradient);
  tcase_add_test(tc, training_depends_on_the_seed_only);
  tcase_add_test(tc, ordered_data_teach_a_ferromagnetic_filter);
  tcase_add_test(tc, failures_keep_the_layer);
  tcase_add_test(tc, files_round_trip_and_refuse_damage);
  tcase_add_test(tc, block_filter_is_majority_rule);
  tcase_add_test(tc, plan_modes_and_borrowing);
  tcase_add_test(tc, mcrg_levels_repeat_the_filter);
  tcase_add_test(tc, bad_arguments_are_named);
  suite_add_tcase(s, tc);
  return rgrbm_test_run(s);
}
