/* Helpers of the suites that apply RG plans (test_rg.c, test_conv.c). */
#ifndef RGRBM_RG_TESTUTIL_H
#define RGRBM_RG_TESTUTIL_H

#include <stdint.h>
#include <stdlib.h>

#include "rgrbm/rg.h"
#include "testutil.h"

/* Every configuration of ds, row after row (malloc'd; the caller frees). */
static inline int8_t *all_spins(const rgrbm_dataset *ds) {
  size_t n = rgrbm_dataset_count(ds) * rgrbm_dataset_dim(ds);
  int8_t *s = malloc(n ? n : 1);
  ck_assert_ok(rgrbm_dataset_get(ds, 0, rgrbm_dataset_count(ds), s));
  return s;
}

/* A new dataset holding rg applied to every configuration of in. */
static inline rgrbm_dataset *apply_new(const rgrbm_rg *rg, const rgrbm_dataset *in) {
  rgrbm_rg_dims dims = RGRBM_RG_DIMS_INIT;
  ck_assert_ok(rgrbm_rg_shape(rg, &dims));
  rgrbm_dataset *out;
  ck_assert_ok(rgrbm_dataset_create(&out, dims.out_dim));
  ck_assert_ok(rgrbm_rg_apply(rg, in, out));
  return out;
}

/* rg's shape (rgrbm_rg_shape) is that of b x b blocks on an lx x ly
 * lattice. */
static inline void assert_block_shape(const rgrbm_rg *rg, int lx, int ly, int b) {
  rgrbm_rg_dims d = RGRBM_RG_DIMS_INIT;
  ck_assert_ok(rgrbm_rg_shape(rg, &d));
  ck_assert_uint_eq(d.in_dim, (size_t)lx * (size_t)ly);
  ck_assert_uint_eq(d.out_dim, (size_t)(lx / b) * (size_t)(ly / b));
  ck_assert_int_eq(d.in_lx, lx);
  ck_assert_int_eq(d.in_ly, ly);
  ck_assert_int_eq(d.out_lx, lx / b);
  ck_assert_int_eq(d.out_ly, ly / b);
  ck_assert_int_eq(d.b, b);
}

#endif
