/* Reference computations for the RBM suites: brute-force sums over every
 * joint configuration of a tiny RBM, written as directly as possible (double
 * throughout) so that the library's kernels are checked against the
 * definitions rather than against themselves. */
#ifndef RGRBM_RBM_TESTUTIL_H
#define RGRBM_RBM_TESTUTIL_H

#include <math.h>
#include <stdint.h>

#include "rng.h"
#include "stack.h"
#include "testutil.h"

/* Unit values of configuration number `index` of n units: bit k on -> 1,
 * off -> 0 (binary) or -1 (spin). */
static inline void ref_config(uint64_t index, size_t n, rgrbm_units units, double *out) {
  for (size_t k = 0; k < n; k++)
    out[k] = ((index >> k) & 1) ? 1.0 : (units == RGRBM_UNITS_SPIN ? -1.0 : 0.0);
}

/* E(v, h) = -b.h - v W h - c.v of layer 0. */
static inline double ref_energy(rgrbm_stack *s, const double *v, const double *h) {
  const size_t nv = (size_t)rgrbm_stack_size(s, 0), nh = (size_t)rgrbm_stack_size(s, 1);
  const float *w = rgrbm_stack_weights(s, 0), *c = rgrbm_stack_visible_bias(s, 0);
  const float *b = rgrbm_stack_hidden_bias(s, 0);
  double e = 0.0;
  for (size_t i = 0; i < nv; i++) e -= c[i] * v[i];
  for (size_t j = 0; j < nh; j++) e -= b[j] * h[j];
  for (size_t i = 0; i < nv; i++)
    for (size_t j = 0; j < nh; j++) e -= v[i] * (double)w[i * nh + j] * h[j];
  return e;
}

/* Free energy -ln sum_h e^{-E(v,h)} of layer 0 by summing over every h. */
static inline double ref_free_energy(rgrbm_stack *s, const double *v) {
  const size_t nh = (size_t)rgrbm_stack_size(s, 1);
  rgrbm_units units = (rgrbm_units)rgrbm_stack_units(s);
  double h[64], z = 0.0;
  for (uint64_t hi = 0; hi < (UINT64_C(1) << nh); hi++) {
    ref_config(hi, nh, units, h);
    z += exp(-ref_energy(s, v, h));
  }
  return -log(z);
}

/* ln Z of layer 0 by summing e^{-E} over every (v, h). */
static inline double ref_log_z(rgrbm_stack *s) {
  const size_t nv = (size_t)rgrbm_stack_size(s, 0), nh = (size_t)rgrbm_stack_size(s, 1);
  rgrbm_units units = (rgrbm_units)rgrbm_stack_units(s);
  double v[64], h[64], z = 0.0;
  for (uint64_t vi = 0; vi < (UINT64_C(1) << nv); vi++) {
    ref_config(vi, nv, units, v);
    for (uint64_t hi = 0; hi < (UINT64_C(1) << nh); hi++) {
      ref_config(hi, nh, units, h);
      z += exp(-ref_energy(s, v, h));
    }
  }
  return log(z);
}

/* Every parameter of every layer uniform in [-scale, scale). */
static inline void ref_randomize(rgrbm_stack *s, uint64_t seed, double scale) {
  rgrbm__rng r;
  rgrbm__rng_init(&r, seed, RGRBM__STREAM(RGRBM__STREAM_TEST, 7));
  for (int l = 0; l < rgrbm_stack_depth(s); l++) {
    size_t nv = (size_t)rgrbm_stack_size(s, l), nh = (size_t)rgrbm_stack_size(s, l + 1);
    float *w = rgrbm_stack_weights(s, l), *c = rgrbm_stack_visible_bias(s, l);
    float *b = rgrbm_stack_hidden_bias(s, l);
    for (size_t i = 0; i < nv * nh; i++) w[i] = (float)(scale * (2 * rgrbm__rng_double(&r) - 1));
    for (size_t i = 0; i < nv; i++) c[i] = (float)(scale * (2 * rgrbm__rng_double(&r) - 1));
    for (size_t j = 0; j < nh; j++) b[j] = (float)(scale * (2 * rgrbm__rng_double(&r) - 1));
  }
}

/* A dataset holding count configurations given by their bit indices. */
static inline rgrbm_dataset *ref_dataset(size_t dim, const uint64_t *index, size_t count) {
  rgrbm_dataset *ds;
  ck_assert_ok(rgrbm_dataset_create(&ds, dim));
  int8_t row[64];
  for (size_t n = 0; n < count; n++) {
    for (size_t k = 0; k < dim; k++) row[k] = ((index[n] >> k) & 1) ? 1 : -1;
    ck_assert_ok(rgrbm_dataset_append(ds, row, 1));
  }
  return ds;
}

/* Uniformly random configuration indices of dim bits. */
static inline void ref_random_indices(uint64_t *index, size_t count, size_t dim, uint64_t seed) {
  rgrbm__rng r;
  rgrbm__rng_init(&r, seed, RGRBM__STREAM(RGRBM__STREAM_TEST, 8));
  for (size_t n = 0; n < count; n++) index[n] = rgrbm__rng_below(&r, UINT64_C(1) << dim);
}

#endif
